"""The one HTTP client every live source uses: polite, retrying, and keeping each raw answer.

All waiting (per-host spacing, exponential backoff, Retry-After) goes through the injectable
`clock` and `sleep`, so tests run against a real local server without really waiting.
Nothing is printed; retries are logged at INFO on this module's logger.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from sources.errors import SourceError

USER_AGENT = "flopledger/0.1 (+https://github.com/flopledger/flopledger; mailto:flopledger@example.org)"
# Worth another try: rate limiting (429) and the gateway/overload family (RFC 9110 section 15.6).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_EXCEPTIONS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)

# Query parameters that carry credentials: never kept in a landed raw response.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "access_token"})  # not "token": S2 paging

log = logging.getLogger(__name__)


def redact_url(url: str) -> str:
    """The URL with the values of credential parameters replaced by REDACTED."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [(k, "REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


@dataclass(frozen=True)
class RawResponse:
    """One HTTP answer as received, with what is needed to land it with provenance."""

    source: str
    url: str  # final URL, query string included
    params: str  # the request parameters as JSON, sorted keys
    fetched_at: str  # UTC, ISO-8601
    status: int
    sha256: str  # of body
    content_type: str
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)  # lower-case names

    def text(self) -> str:
        """The body decoded with the charset the server declared (UTF-8 when none or unknown)."""
        return self.body.decode(_charset(self.content_type), errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; a body that is not JSON is a SourceError naming source and URL."""
        try:
            return json.loads(self.body)
        except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
            raise SourceError(f"{self.source}: malformed JSON from {self.url} ({err})") from None


class FetchError(SourceError):
    """A request that failed for good; `response` is the last HTTP answer, if there was one."""

    def __init__(self, message: str, response: RawResponse | None = None):
        super().__init__(message)
        self.response = response


class HttpClient:
    """A requests.Session with retries, per-host spacing and a record of every answer received."""

    def __init__(self, source: str, *, user_agent: str = USER_AGENT, timeout: float = 30.0, max_retries: int = 4,
                 backoff_seconds: float = 1.0, max_backoff_seconds: float = 60.0, min_interval_seconds: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 utc_now: Callable[[], datetime] | None = None, headers: Mapping[str, str] | None = None):
        if timeout <= 0 or max_retries < 0 or backoff_seconds < 0 or min_interval_seconds < 0:
            raise ValueError("timeout must be positive; retries, backoff and interval must not be negative")
        self.source = source
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.min_interval_seconds = min_interval_seconds
        self._clock, self._sleep = clock, sleep
        self._utc_now = utc_now or (lambda: datetime.now(timezone.utc))
        self.session = requests.Session()  # its adapters retry nothing themselves (requests' default)
        self.session.headers.update({"User-Agent": user_agent, **dict(headers or {})})
        self.responses: list[RawResponse] = []  # every answer, retried ones included, in order
        self._last_request_at: dict[str, float] = {}

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def drain_responses(self) -> list[RawResponse]:
        """The answers received so far (oldest first), forgetting them here."""
        drained, self.responses = self.responses, []
        return drained

    def get(self, url: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> RawResponse:
        """GET url; retries 429/5xx, timeouts and broken connections; any other status >= 400 raises at once."""
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            self._space_requests(url)
            raw, failure = self._attempt(url, params, headers)
            if raw is not None and raw.status < 400:
                return raw
            if raw is not None and raw.status not in RETRY_STATUSES:
                raise FetchError(f"{self.source}: {raw.url} answered HTTP {failure}", raw)
            if attempt < attempts:
                wait = self._wait_before_retry(raw, attempt)
                log.info("%s: %s failed (%s); retry %d of %d in %.1f s", self.source, url, failure, attempt,
                         self.max_retries, wait)
                self._sleep(wait)
        raise FetchError(f"{self.source}: {url} still failing after {attempts} attempt(s) (last: {failure})", raw)

    def _attempt(self, url: str, params: Mapping[str, Any] | None,
                 headers: Mapping[str, str] | None) -> tuple[RawResponse | None, str]:
        """One request: (the answer, its status text) or (None, what went wrong on the wire)."""
        try:
            response = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
        except requests.exceptions.SSLError as err:
            raise FetchError(f"{self.source}: TLS failed for {url} ({_root_cause(err)})") from None
        except requests.Timeout:
            return None, f"no answer within {self.timeout:g} s"
        except RETRY_EXCEPTIONS as err:
            return None, f"connection failed: {_root_cause(err)}"
        except requests.RequestException as err:
            raise FetchError(f"{self.source}: cannot request {url} ({_root_cause(err)})") from None
        raw = self._record(response, params)
        return raw, _status_text(response.status_code, response.reason)

    def _record(self, response: requests.Response, params: Mapping[str, Any] | None) -> RawResponse:
        body = response.content
        kept = {key: ("REDACTED" if key.lower() in SECRET_PARAMS else value)
                for key, value in (params or {}).items() if value is not None}  # as requests sends them
        raw = RawResponse(
            source=self.source, url=redact_url(response.url), params=json.dumps(kept, sort_keys=True, default=str),
            fetched_at=self._utc_now().isoformat(), status=response.status_code,
            sha256=hashlib.sha256(body).hexdigest(), content_type=response.headers.get("Content-Type", ""),
            body=body, headers={name.lower(): value for name, value in response.headers.items()})
        self.responses.append(raw)
        return raw

    def _space_requests(self, url: str) -> None:
        """Wait until min_interval_seconds have passed since the last request to the same host."""
        host = urlsplit(url).netloc.lower()
        last = self._last_request_at.get(host)
        if last is not None and self.min_interval_seconds > 0:
            wait = last + self.min_interval_seconds - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request_at[host] = self._clock()

    def _wait_before_retry(self, raw: RawResponse | None, attempt: int) -> float:
        """Retry-After when the server sent one (failing fast if it is over the cap), else exponential backoff."""
        header = raw.headers.get("retry-after") if raw is not None else None
        asked = _parse_retry_after(header, self._utc_now()) if header else None
        if asked is None:
            return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
        if asked > self.max_backoff_seconds:
            raise FetchError(f"{self.source}: {raw.url} answered HTTP {raw.status} and asked to wait {asked:.0f} s "
                             f"(Retry-After), more than the {self.max_backoff_seconds:g} s this client waits; "
                             "try again later", raw)
        return asked


def _parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _status_text(status: int, reason: str | None) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} {reason or ''}".rstrip()


def _root_cause(err: BaseException) -> str:
    """The innermost exception type requests/urllib3 wrapped (ConnectionResetError, NewConnectionError, ...)."""
    cause: BaseException = err
    for _ in range(6):
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in getattr(cause, "args", ()) if isinstance(arg, BaseException)), None)
        inner = inner or cause.__cause__
        if inner is None:
            break
        cause = inner
    return type(cause).__name__


def _charset(content_type: str) -> str:
    match = re.search(r"charset=\"?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"
