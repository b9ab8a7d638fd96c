"""What the HTTP client hands back: a raw answer with its provenance, and the error for a request
that failed for good. Credentials never reach a landed URL."""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sources.errors import SourceError

# Query parameters that carry credentials: never kept in a landed raw response, a log or an error line.
# S2's paging `token` is redacted too: it is not a secret, but the page before carries it in its body.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "auth", "password", "secret"})
REDACTED = "REDACTED"
_URL_IN_TEXT = re.compile(r"""\b[a-z][a-z0-9+.-]*://[^\s'"<>]+""", re.IGNORECASE)
_SECRET_PAIR = re.compile(r"(?<![\w-])(" + "|".join(sorted(SECRET_PARAMS, key=len, reverse=True)) +
                          r")=([^&\s'\"]+)", re.IGNORECASE)
_SECRET_HEADER = re.compile(r"\b(authorization|proxy-authorization|x-api-key|api-key|cookie)(['\"]?\s*[:=]\s*['\"]?)"
                            r"(?:(bearer|basic|token)\s+)?([^\s'\",}]+)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL (or a path with a query, as urllib3 logs it) without credentials: user:password@ becomes
    REDACTED@ and the values of credential parameters (SECRET_PARAMS) become REDACTED."""
    if not isinstance(url, str) or not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all (an unbalanced "[" ...): hide it whole
        return REDACTED
    if parts.netloc and "@" in parts.netloc:
        parts = parts._replace(netloc=REDACTED + "@" + parts.netloc.rpartition("@")[2])
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(k.lower() in SECRET_PARAMS for k, _ in pairs):  # else the query stays exactly as it was
        parts = parts._replace(query=urlencode([(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs]))
    return urlunsplit(parts)


def redact_text(text: str) -> str:
    """A message or log line with every URL redacted (redact_url), plus loose `api_key=...` pairs and
    Authorization / x-api-key header values: what an error line or a log may safely show."""
    if not isinstance(text, str) or not text:
        return text
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    text = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _SECRET_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{(m.group(3) + ' ') if m.group(3) else ''}{REDACTED}",
                              text)


@dataclass(frozen=True)
class RawResponse:
    """One HTTP answer as received, with what is needed to land it with provenance."""

    source: str
    url: str  # final URL, query string included
    params: str  # the request parameters as JSON, sorted keys; a POST's JSON body under "json"
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


def _charset(content_type: str) -> str:
    match = re.search(r"charset=\"?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"
