"""A paper's full text as its upstream sends it: arXiv's e-print (LaTeX source: a gzipped tar or a
gzipped .tex), else its PDF; or a file in a local mirror folder. Fetch only: the bytes come back
as a RawResponse (url, fetched_at, sha256); unpacking and caching are warehouse/fulltext_cache.py's.

arXiv serves both at https://arxiv.org/e-print/<id> and https://arxiv.org/pdf/<id>; `base_url`
replaces https://arxiv.org (a mirror, or a test server). arXiv's terms ask for one request every
3 s from one client, as for its API (sources/arxiv.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sources.errors import SourceError
from sources.http import FetchError, HttpClient, RawResponse

ARXIV_BASE_URL = "https://arxiv.org"
# new-style ids (2401.01234, optional version) and old-style ones (cs/0112017, hep-th/9901001v2)
ARXIV_ID = re.compile(r"^(?:arXiv:)?(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?P<version>v\d+)?$")
LOCAL_SUFFIXES = (".tar.gz", ".tgz", ".gz", ".tar", ".tex", ".pdf", "")
MAX_DOWNLOAD_BYTES = 60 * 1024 * 1024  # arXiv's submission limit is 50 MB


def fulltext_client(**kwargs: Any) -> HttpClient:
    """An HttpClient keeping arXiv's pace (one request every 3 s); keywords override (tests)."""
    kwargs.setdefault("min_interval_seconds", 3.0)  # arXiv API Terms of Use: at most 1 request every 3 s
    kwargs.setdefault("backoff_seconds", 3.0)
    return HttpClient("fulltext", **kwargs)


def parse_arxiv_id(text: str) -> tuple[str, str | None] | None:
    """'2401.01234v2' -> ('2401.01234', 'v2'); None when the text is not an arXiv id."""
    match = ARXIV_ID.match(text.strip())
    return (match["id"], match["version"]) if match else None


def fetch_arxiv_fulltext(client: HttpClient, arxiv_id: str, base_url: str = ARXIV_BASE_URL) -> RawResponse:
    """The e-print, or the PDF when arXiv has no source for the paper (404 on e-print, or it sends a PDF)."""
    base = base_url.rstrip("/")
    try:
        return _checked(client.get(f"{base}/e-print/{arxiv_id}"))
    except FetchError as err:
        if err.response is None or err.response.status != 404:
            raise
    return _checked(client.get(f"{base}/pdf/{arxiv_id}"))


def fetch_url(client: HttpClient, url: str) -> RawResponse:
    """Any URL of an e-print, .tex or PDF."""
    if not re.match(r"^https?://", url):
        raise SourceError(f"fulltext: not an http(s) URL: {url!r}")
    return _checked(client.get(url))


def _checked(raw: RawResponse) -> RawResponse:
    if len(raw.body) > MAX_DOWNLOAD_BYTES:
        raise SourceError(f"fulltext: {raw.url} sent {len(raw.body):,} bytes, over the {MAX_DOWNLOAD_BYTES:,}-byte limit")
    return raw


def find_local(folder: str | Path, arxiv_id: str, version: str | None = None) -> Path | None:
    """The file for a paper in a mirror folder: <id><version?><suffix>, '/' in old ids written as '_'."""
    stem = arxiv_id.replace("/", "_")
    names = [stem + (version or "")] + ([stem] if version else [])
    for name in names:
        for suffix in LOCAL_SUFFIXES:
            path = Path(folder) / f"{name}{suffix}"
            if path.is_file():
                return path
    return None


def read_local(path: str | Path) -> bytes:
    """A local file's bytes; SourceError (one line) when missing, a folder or too large."""
    target = Path(path)
    if not target.is_file():
        raise SourceError(f"fulltext: no file at {target}")
    if target.stat().st_size > MAX_DOWNLOAD_BYTES:
        raise SourceError(f"fulltext: {target} is over the {MAX_DOWNLOAD_BYTES:,}-byte limit")
    return target.read_bytes()
