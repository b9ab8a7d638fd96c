"""arXiv's query API (Atom XML), read into raw_arxiv__entries with arXiv's own field names.

One row per Atom entry; the only changes are whitespace (arXiv hard-wraps titles and abstracts),
the abs URL split into arxiv_id + version, and lists (authors, categories) stored as JSON.
Every row names the page it came from (source_url, response_sha256) so it joins to the landed
raw response.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable

import pandas as pd

from sources.errors import SourceError
from sources.http import FetchError, HttpClient, RawResponse

ARXIV_API_URL = "https://export.arxiv.org/api/query"
NS = {"atom": "http://www.w3.org/2005/Atom", "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
      "arxiv": "http://arxiv.org/schemas/atom"}
ARXIV_COLUMNS = ["id", "arxiv_id", "version", "title", "summary", "published", "updated", "authors",
                 "primary_category", "categories", "doi", "journal_ref", "comment", "pdf_url",
                 "source_url", "response_sha256"]
MAX_PAGE_SIZE = 2000  # arXiv API user manual: "a maximum of 2000 results" per call
ABS_ID = re.compile(r"^https?://arxiv\.org/abs/(?P<arxiv_id>.+?)(?:v(?P<version>\d+))?$")
ERROR_ID = re.compile(r"^https?://arxiv\.org/api/errors")

log = logging.getLogger(__name__)


def arxiv_client(**kwargs: Any) -> HttpClient:
    """An HttpClient that keeps to arXiv's terms; keywords override (e.g. clock/sleep in tests)."""
    kwargs.setdefault("min_interval_seconds", 3.0)  # arXiv API Terms of Use: at most 1 request every 3 s
    kwargs.setdefault("backoff_seconds", 3.0)  # its 429/503 carry no Retry-After; start no faster than allowed
    return HttpClient("arXiv", **kwargs)


def fetch_arxiv(client: HttpClient, search_query: str | None = None, id_list: str | Iterable[str] | None = None,
                base_url: str = ARXIV_API_URL, page_size: int = 100, max_results: int | None = None, start: int = 0,
                sort_by: str | None = None, sort_order: str | None = None, empty_page_retries: int = 1) -> pd.DataFrame:
    """Every entry the query matches (up to max_results), paging from `start`, one row per entry version.

    sort_by is arXiv's sortBy (relevance, lastUpdatedDate, submittedDate); incremental runs use
    lastUpdatedDate descending and stop early via max_results. An empty page is asked again
    `empty_page_retries` times before it is believed (arXiv sometimes answers a valid empty feed).
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    query = _query_params(search_query, id_list, sort_by, sort_order)
    frames: list[pd.DataFrame] = []
    position, total = start, 0
    while max_results is None or position - start < max_results:
        want = page_size if max_results is None else min(page_size, max_results - (position - start))
        page = _fetch_page(client, base_url, {**query, "start": position, "max_results": want}, empty_page_retries)
        total = page.attrs["total_results"]
        if page.empty:
            if position < total:  # e.g. past arXiv's 30,000-results-per-query ceiling
                log.warning("arXiv: stopped at start=%d although totalResults is %d; narrow the query", position, total)
            break
        frames.append(page)
        position += len(page)  # arXiv may return fewer than asked; never skip what it did not send
        if position >= total:
            break
    return _combine(frames, total)


def parse_arxiv_feed(xml_bytes: bytes, source_url: str) -> pd.DataFrame:
    """One row per entry of an arXiv API Atom feed; attrs hold total_results, start_index, items_per_page."""
    try:
        root = ET.fromstring(xml_bytes)  # stdlib expat: no external entities, no entity-expansion bombs
    except ET.ParseError as err:
        raise SourceError(f"arXiv: malformed Atom feed from {source_url} ({err})") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise SourceError(f"arXiv: {source_url} did not answer an Atom feed (root element {root.tag!r})")
    entries = root.findall("atom:entry", NS)
    _raise_api_error(entries, source_url)
    sha256 = hashlib.sha256(xml_bytes).hexdigest()
    rows = [_parse_entry(entry, source_url, sha256) for entry in entries]
    frame = _frame(rows)
    for name, tag in (("total_results", "totalResults"), ("start_index", "startIndex"),
                      ("items_per_page", "itemsPerPage")):
        frame.attrs[name] = _opensearch_number(root, tag, source_url)
    return frame


def _query_params(search_query: str | None, id_list: str | Iterable[str] | None,
                  sort_by: str | None, sort_order: str | None) -> dict[str, str]:
    if not search_query and not id_list:
        raise ValueError("fetch_arxiv needs a search_query, an id_list or both")
    ids = id_list if isinstance(id_list, str) or id_list is None else ",".join(id_list)
    given = {"search_query": search_query, "id_list": ids, "sortBy": sort_by, "sortOrder": sort_order}
    return {key: value for key, value in given.items() if value}


def fetch_arxiv_page(client: HttpClient, base_url: str, params: dict[str, Any], empty_page_retries: int = 1) -> pd.DataFrame:
    """One page of a query (params: search_query, sortBy, sortOrder, start, max_results); its
    attrs hold total_results. For callers that commit page by page."""
    return _fetch_page(client, base_url, params, empty_page_retries)


def _fetch_page(client: HttpClient, base_url: str, params: dict[str, Any], empty_page_retries: int) -> pd.DataFrame:
    for attempt in range(empty_page_retries + 1):
        raw = _get(client, base_url, params)
        page = parse_arxiv_feed(raw.body, raw.url)
        if not page.empty:
            return page
        if attempt < empty_page_retries:
            log.info("arXiv: empty page at start=%s from %s; asking again", params["start"], raw.url)
    return page


def _get(client: HttpClient, base_url: str, params: dict[str, Any]) -> RawResponse:
    """client.get, with arXiv's own explanation when it rejects a query with HTTP 400 and an error feed."""
    try:
        return client.get(base_url, params=params)
    except FetchError as err:
        if err.response is not None and err.response.status == 400:
            message = _error_message(err.response.body)
            if message:
                raise SourceError(f"arXiv: the API rejected {err.response.url}: {message}") from None
        raise


def _error_message(body: bytes) -> str | None:
    try:
        entries = ET.fromstring(body).findall("atom:entry", NS)
    except ET.ParseError:
        return None
    errors = [_text(e, "atom:summary") for e in entries if ERROR_ID.match(_text(e, "atom:id") or "")]
    return errors[0] if errors else None


def _raise_api_error(entries: list[ET.Element], source_url: str) -> None:
    """arXiv reports a bad query as a feed whose one entry has an .../api/errors id and the message as summary."""
    for entry in entries:
        if ERROR_ID.match(_text(entry, "atom:id") or ""):
            message = _collapse(_text(entry, "atom:summary")) or "no message"
            raise SourceError(f"arXiv: the API answered an error for {source_url}: {message}")


def _parse_entry(entry: ET.Element, source_url: str, sha256: str) -> dict[str, Any]:
    abs_url = _text(entry, "atom:id") or ""
    match = ABS_ID.match(abs_url)
    if not match:
        raise SourceError(f"arXiv: entry id {abs_url!r} in {source_url} is not an arxiv.org/abs URL")
    primary = entry.find("arxiv:primary_category", NS)
    pdf = next((link.get("href") for link in entry.findall("atom:link", NS) if link.get("title") == "pdf"), None)
    return {
        "id": abs_url, "arxiv_id": match["arxiv_id"],
        "version": int(match["version"]) if match["version"] else None,
        "title": _collapse(_text(entry, "atom:title")), "summary": _collapse(_text(entry, "atom:summary")),
        "published": _text(entry, "atom:published"), "updated": _text(entry, "atom:updated"),
        "authors": _json_list(_collapse(name.text) for name in entry.findall("atom:author/atom:name", NS)),
        "primary_category": primary.get("term") if primary is not None else None,
        "categories": _json_list(cat.get("term") for cat in entry.findall("atom:category", NS)),
        "doi": _text(entry, "arxiv:doi"), "journal_ref": _collapse(_text(entry, "arxiv:journal_ref")),
        "comment": _collapse(_text(entry, "arxiv:comment")), "pdf_url": pdf,
        "source_url": source_url, "response_sha256": sha256,
    }


def _opensearch_number(root: ET.Element, tag: str, source_url: str) -> int:
    text = _text(root, f"opensearch:{tag}")
    if text is None or not text.isdigit():
        raise SourceError(f"arXiv: feed from {source_url} has no usable opensearch:{tag} ({text!r})")
    return int(text)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=ARXIV_COLUMNS).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["version"] = frame["version"].astype("Int64")
    return frame


def _combine(frames: list[pd.DataFrame], total: int) -> pd.DataFrame:
    """Pages in order; an entry a shifting result list served twice is kept once (first sighting)."""
    combined = pd.concat(frames, ignore_index=True) if frames else _frame([])
    combined = combined.drop_duplicates(subset="id", keep="first").reset_index(drop=True)
    combined.attrs = {"total_results": total}
    return combined


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path, NS)
    return found.text.strip() if found is not None and found.text is not None else None


def _collapse(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _json_list(values: Iterable[str | None]) -> str:
    return json.dumps([value for value in values if value], ensure_ascii=False)
