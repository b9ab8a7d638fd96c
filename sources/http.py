"""The one HTTP client every live source uses: polite, retrying, and keeping each raw answer.

Retries are urllib3's own: a `Retry` on the Session's HTTPAdapter retries 429/5xx, connection errors,
timeouts and resets with exponential backoff plus jitter, honouring Retry-After. `_Retry` overrides its
sleep hooks so all waiting goes through the injectable `clock`/`sleep` (tests never really wait), also
pauses before the first retry (urllib3 would not) and stops when Retry-After exceeds max_backoff_seconds
(urllib3 would clamp it and wait). Hand-written because urllib3 cannot do them: per-host spacing (arXiv:
one request every 3 s), applied to retries too; retrying a body cut short after the headers (urllib3's
retries end there), counted by the same Retry. `responses` keeps final answers only: the 429/503s that
urllib3 retried never reach requests. One client per thread; retries are logged at INFO, nothing printed.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import re
import time
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from sources.responses import SECRET_PARAMS, FetchError, RawResponse, redact_text, redact_url  # noqa: F401 (re-exported)

USER_AGENT = "flopledger/0.1 (+https://github.com/flopledger/flopledger; mailto:flopledger@example.org)"
# Worth another try: rate limiting (429) and the gateway/overload family (RFC 9110 section 15.6).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_METHODS = frozenset({"GET", "POST"})  # our POSTs only read (S2 /paper/batch), so repeating them is safe

# Bounds on one request (retries aside): a connect timeout of a few seconds; the whole answer, body
# included, within the deadline; and no more bytes than a few times the largest real answer of the source
# (Epoch's notable_ai_models.csv was 6.3 MB in 2026; an arXiv page of 100 entries about 0.3 MB).
CONNECT_TIMEOUT_SECONDS = 5.0
DEADLINE_SECONDS = 120.0
MB = 1024 * 1024
MAX_RESPONSE_BYTES = {"epoch": 64 * MB, "arXiv": 16 * MB, "semantic_scholar": 16 * MB, "openalex": 16 * MB}
DEFAULT_MAX_RESPONSE_BYTES = 64 * MB

log = logging.getLogger(__name__)


def _quiet_urllib3_log(record: logging.LogRecord) -> bool:
    """urllib3's own retry line (WARNING, ~300 characters, printed even by a quiet run) is dropped: HttpClient
    logs each retry as one short INFO line, with the details at DEBUG. Other urllib3 lines keep their level,
    with credentials redacted."""
    if str(record.msg).startswith("Retrying"):
        return False
    if isinstance(record.args, tuple):
        record.args = tuple(redact_text(arg) if isinstance(arg, str) else arg for arg in record.args)
    return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_quiet_urllib3_log)


class _Retry(Retry):
    """urllib3's Retry, but waiting and reading the time through its HttpClient (`client`)."""

    client: HttpClient

    def new(self, **kw: Any) -> _Retry:  # urllib3 makes a new Retry per attempt: keep the client
        retry = super().new(**kw)
        retry.client = self.client
        return retry

    def get_backoff_time(self) -> float:
        """backoff_factor * 2^(retries so far - 1) + up to backoff_jitter, capped; urllib3 skips the 1st pause."""
        if not self.history:
            return 0.0
        backoff = self.backoff_factor * 2 ** (len(self.history) - 1) + random.uniform(0, self.backoff_jitter)
        return min(self.backoff_max, backoff)

    def parse_retry_after(self, retry_after: str) -> float | None:  # type: ignore[override]
        return _parse_retry_after(retry_after, self.client._utc_now())  # None when unreadable: back off instead

    def sleep_for_retry(self, response: Any) -> bool:
        asked = self.get_retry_after(response)
        if asked:
            self.client._wait_to_retry(asked, self)
        return bool(asked)

    def _sleep_backoff(self) -> None:
        self.client._wait_to_retry(self.get_backoff_time(), self)  # even for 0 s: the host's spacing may ask more

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> _Retry:
        """As urllib3's, but a Retry-After over backoff_max stops retrying (HttpClient then fails fast)."""
        asked = self.get_retry_after(response) if response is not None else None
        if asked is not None and asked > self.backoff_max:
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {asked:.0f} s is over {self.backoff_max:g} s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


class HttpClient:
    """A requests.Session with urllib3 retries, per-host spacing and a record of every final answer."""

    def __init__(self, source: str, *, user_agent: str = USER_AGENT, contact: str | None = None, timeout: float = 30.0,
                 max_retries: int = 4, backoff_seconds: float = 1.0, backoff_jitter_seconds: float = 1.0,
                 max_backoff_seconds: float = 60.0, min_interval_seconds: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 utc_now: Callable[[], datetime] | None = None, headers: Mapping[str, str] | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_SECONDS, deadline_seconds: float | None = None,
                 max_response_bytes: int | None = None):
        if timeout <= 0 or min(max_retries, backoff_seconds, backoff_jitter_seconds, min_interval_seconds) < 0:
            raise ValueError("timeout must be positive; retries, backoff, jitter and interval must not be negative")
        self.source, self.timeout, self.max_retries = source, timeout, max_retries
        self.connect_timeout = connect_timeout
        self.deadline_seconds = deadline_seconds or DEADLINE_SECONDS
        self.max_response_bytes = max_response_bytes or MAX_RESPONSE_BYTES.get(source, DEFAULT_MAX_RESPONSE_BYTES)
        self._retries_made = 0
        self.max_backoff_seconds, self.min_interval_seconds = max_backoff_seconds, min_interval_seconds
        self._clock, self._sleep = clock, sleep
        self._utc_now = utc_now or (lambda: datetime.now(timezone.utc))
        self.retry = _Retry(total=max_retries, connect=max_retries, read=max_retries, status=max_retries,
                            other=0, allowed_methods=RETRY_METHODS, status_forcelist=RETRY_STATUSES,
                            respect_retry_after_header=True, backoff_factor=backoff_seconds,
                            backoff_jitter=backoff_jitter_seconds, backoff_max=max_backoff_seconds,
                            raise_on_status=False)  # other=0: TLS errors fail at once; the last 5xx comes back
        self.retry.client = self
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=self.retry, pool_maxsize=1)  # one kept connection per host (arXiv)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        agent = f"{user_agent} (mailto:{contact})" if contact else user_agent
        self.session.headers.update({"User-Agent": agent, **dict(headers or {})})
        self.responses: list[RawResponse] = []  # every final answer, in order (not those urllib3 retried)
        self._last_request_at: dict[str, float] = {}
        self._host = ""  # of the request under way: its retries are spaced too

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
        return self._request("GET", url, params, headers)

    def post(self, url: str, params: Mapping[str, Any] | None = None, json: Any = None,
             headers: Mapping[str, str] | None = None) -> RawResponse:
        """POST `json` as the body to url (params in the query string); retried and spaced as get() is."""
        return self._request("POST", url, params, headers, json)

    def _request(self, method: str, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
                 body: Any = None) -> RawResponse:
        self._host = urlsplit(url).netloc.rpartition("@")[2].lower()  # host[:port], never user:password@
        self._retries_made = 0  # counted as they are waited for, so "after N attempt(s)" is the truth
        self._space_requests(self._host)
        retry: Retry | None = self.retry  # counts retries of bodies cut short after the headers: urllib3 cannot
        while True:
            try:
                started = time.monotonic()
                response = self.session.request(method, url, params=params, json=body, headers=headers,
                                                timeout=(min(self.connect_timeout, self.timeout), self.timeout),
                                                stream=True)
                content = self._read_body(response, url, started)
                return self._check(self._record(response, params, body, content), response)
            except requests.exceptions.SSLError as err:
                raise FetchError(f"{self.source}: TLS failed for {redact_url(url)} ({type(_root_cause(err)).__name__})") from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                cut = err.args[0] if err.args and isinstance(err.args[0], (ProtocolError, ReadTimeoutError)) else None
                try:  # any other error here is urllib3 giving up (MaxRetryError) after its own retries
                    retry = retry.increment(method, url, error=cut) if cut and retry else None
                except MaxRetryError:
                    retry = None
                if retry is None:
                    raise FetchError(f"{self.source}: {redact_url(url)} still failing after {self._retries_made + 1} attempt(s) "
                                     f"(last: {_failure_text(err, self.timeout)})") from None
                retry.sleep()
            except requests.RequestException as err:
                raise FetchError(f"{self.source}: cannot request {redact_url(url)} ({type(_root_cause(err)).__name__})") from None

    def _check(self, raw: RawResponse, response: requests.Response) -> RawResponse:
        """raw if a success; else FetchError: at once, for a long Retry-After, or naming the attempts made."""
        if raw.status < 400:
            return raw
        try:
            status = f"{raw.status} {HTTPStatus(raw.status).phrase}"
        except ValueError:
            status = f"{raw.status} {response.reason or ''}".rstrip()
        if raw.status not in RETRY_STATUSES:
            raise FetchError(f"{self.source}: {raw.url} answered HTTP {status}", raw)
        asked = _parse_retry_after(raw.headers.get("retry-after", ""), self._utc_now())
        if asked is not None and asked > self.max_backoff_seconds:
            raise FetchError(f"{self.source}: {raw.url} answered HTTP {raw.status} and asked to wait {asked:.0f} s "
                             f"(Retry-After), more than the {self.max_backoff_seconds:g} s this client waits; "
                             "try again later", raw)
        attempts = len(response.raw.retries.history) + 1  # urllib3's Retry as it stood for this last attempt
        raise FetchError(f"{self.source}: {raw.url} still failing after {attempts} attempt(s) (last: {status})", raw)

    def _read_body(self, response: requests.Response, url: str, started: float) -> bytes:
        """The body, read in chunks: no more than max_response_bytes, and all of it within deadline_seconds of
        the request's start (the read timeout alone lets a slow trickle or an endless body go on for ever)."""
        chunks, size = [], 0
        try:
            for chunk in _chunks_as_they_come(response):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise FetchError(f"{self.source}: {redact_url(url)} sent more than {self.max_response_bytes:,} bytes "
                                     "(the limit for this source; $FLOPLEDGER_MAX_RESPONSE_MB raises it)")
                if time.monotonic() - started > self.deadline_seconds:
                    raise FetchError(f"{self.source}: {redact_url(url)} did not finish its answer within "
                                     f"{self.deadline_seconds:g} s ($FLOPLEDGER_HTTP_DEADLINE_SECONDS)")
                chunks.append(chunk)
        finally:
            if size > self.max_response_bytes or time.monotonic() - started > self.deadline_seconds:
                response.close()  # drop the connection rather than drain an endless body
        return b"".join(chunks)

    def _record(self, response: requests.Response, params: Mapping[str, Any] | None, body: Any,
                content: bytes) -> RawResponse:
        kept = {key: ("REDACTED" if key.lower() in SECRET_PARAMS else value)
                for key, value in (params or {}).items() if value is not None}  # as requests sends them
        if body is not None:
            kept["json"] = body
        raw = RawResponse(
            source=self.source, url=redact_url(response.url), params=json.dumps(kept, sort_keys=True, default=str),
            fetched_at=self._utc_now().isoformat(), status=response.status_code,
            sha256=hashlib.sha256(content).hexdigest(), content_type=response.headers.get("Content-Type", ""),
            body=content, headers={name.lower(): value for name, value in response.headers.items()})
        self.responses.append(raw)
        return raw

    def _wait_to_retry(self, seconds: float, retry: Retry) -> None:
        """urllib3's sleep hooks land here: wait the backoff or Retry-After, never less than the host's interval."""
        last = retry.history[-1]
        self._retries_made = len(retry.history)
        log.info("%s: %s failed (%s); retry %d of %d in %.1f s", self.source, self._host,
                 last.status or type(last.error).__name__, len(retry.history), self.max_retries, seconds)
        log.debug("%s: %s %s failed: %s", self.source, last.method, redact_url(last.url or ""),
                  redact_text(str(last.error or last.status)))
        self._space_requests(self._host, at_least=seconds)

    def _space_requests(self, host: str, at_least: float = 0.0) -> None:
        """Wait at_least seconds, and until min_interval_seconds have passed since the last request to host."""
        last = self._last_request_at.get(host)
        wait = at_least
        if last is not None and self.min_interval_seconds > 0:
            wait = max(wait, last + self.min_interval_seconds - self._clock())
        if wait > 0:
            self._sleep(wait)
        self._last_request_at[host] = self._clock()


def _chunks_as_they_come(response: requests.Response, size: int = 64 * 1024):
    """The body in pieces as the socket delivers them (urllib3's read1), so a slow trickle is checked
    against the deadline between pieces; urllib3's errors mapped as requests maps them in iter_content."""
    raw = response.raw
    try:
        while chunk := raw.read1(size, decode_content=True):
            yield chunk
    except ProtocolError as err:
        raise requests.exceptions.ChunkedEncodingError(err) from err
    except ReadTimeoutError as err:
        raise requests.ConnectionError(err) from err
    except DecodeError as err:
        raise requests.exceptions.ContentDecodingError(err) from err


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


def _root_cause(err: BaseException) -> BaseException:
    """The innermost exception requests/urllib3 wrapped (ConnectionResetError, TimeoutError, ...)."""
    cause: BaseException = err
    for _ in range(6):
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in getattr(cause, "args", ()) if isinstance(arg, BaseException)), None)
        inner = inner or cause.__cause__
        if inner is None:
            break
        cause = inner
    return cause


def _failure_text(err: BaseException, timeout: float) -> str:
    cause = _root_cause(err)  # urllib3 raises its Read/ConnectTimeoutError from the socket's TimeoutError
    if isinstance(cause, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"connection failed: {type(cause).__name__}"
