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

# Query parameters that carry credentials: never kept in a landed raw response.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "access_token"})  # not "token": S2 paging


def redact_url(url: str) -> str:
    """The URL (or a path with a query, as urllib3 logs it) with credential parameter values REDACTED."""
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
