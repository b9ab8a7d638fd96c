"""OpenAlex works API: works matching a filter, read with cursor paging.

Raw layer: one row per work with OpenAlex's own field names; nested objects (ids,
primary_location, locations, authorships) are kept as JSON strings. Two derived columns:
`abstract`, rebuilt from abstract_inverted_index (OpenAlex does not ship plain abstracts),
and `arxiv_id`, read from the arXiv DOI or an arxiv.org location (ids has no arXiv key).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd

from sources.errors import SourceError

SOURCE = "OpenAlex"
OPENALEX_API_URL = "https://api.openalex.org"
# 2026 developer docs give 100 as the per-page maximum (200 was still honoured in Oct 2026).
DEFAULT_PER_PAGE = 100
SCALAR_FIELDS = ["id", "doi", "title", "display_name", "publication_date", "publication_year",
                 "cited_by_count", "type"]
JSON_FIELDS = ["ids", "primary_location", "locations", "authorships"]
RAW_COLUMNS = SCALAR_FIELDS + JSON_FIELDS + ["abstract", "arxiv_id", "source_url"]
# arXiv DOIs are 10.48550/arXiv.<id> (lower-cased by OpenAlex); landing pages arxiv.org/abs/<id>[vN].
ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[a-z]{2})?/\d{7})", re.IGNORECASE)
ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
SECRET_PARAMS = {"api_key"}


def parse_openalex_works(payload: dict, source_url: str) -> pd.DataFrame:
    """One row per work in a /works list page ({"meta": ..., "results": [...]})."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise SourceError(f"{SOURCE}: {source_url} did not answer with a works page (no 'results' array)")
    rows = [_work_row(work, source_url) for work in payload["results"]]
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def _work_row(work, source_url: str) -> dict:
    if not isinstance(work, dict) or not work.get("id"):
        raise SourceError(f"{SOURCE}: {source_url} sent a work without an id ({str(work)[:60]!r})")
    row = {field: work.get(field) for field in SCALAR_FIELDS}
    for field in JSON_FIELDS:
        row[field] = json.dumps(work.get(field), sort_keys=True) if work.get(field) is not None else None
    row["abstract"] = rebuild_abstract(work.get("abstract_inverted_index"))
    row["arxiv_id"] = find_arxiv_id(work)
    row["source_url"] = source_url
    return row


def rebuild_abstract(inverted_index: dict | None) -> str | None:
    """The abstract text from {word: [positions]}: each word placed at each of its positions."""
    if not inverted_index:
        return None
    if not isinstance(inverted_index, dict):
        raise SourceError(f"{SOURCE}: abstract_inverted_index is a {type(inverted_index).__name__}, not an object")
    placed = {position: word for word, positions in inverted_index.items() for position in positions}
    return " ".join(placed[position] for position in sorted(placed))


def find_arxiv_id(work: dict) -> str | None:
    """The arXiv id (no version) from the work's DOI, ids.doi, or any arxiv.org location URL."""
    ids = work.get("ids") or {}
    for doi in (work.get("doi"), ids.get("doi") if isinstance(ids, dict) else None):
        match = ARXIV_DOI.search(doi or "")
        if match:
            return match.group(1)
    locations = [work.get("primary_location")] + list(work.get("locations") or [])
    for location in locations:
        if not isinstance(location, dict):
            continue
        for key in ("landing_page_url", "pdf_url"):
            match = ARXIV_URL.search(location.get(key) or "")
            if match:
                return match.group(1)
    return None


def fetch_openalex_works(client, filter: str, base_url: str = OPENALEX_API_URL, per_page: int = DEFAULT_PER_PAGE,
                         max_results: int | None = None, mailto: str | None = None,
                         api_key: str | None = None) -> pd.DataFrame:
    """Works matching `filter` ("publication_year:2020,type:preprint"), cursor=* then meta.next_cursor until null.

    `api_key` is OpenAlex's credit key (2026); `mailto` is the older polite-pool address, still accepted.
    The key is sent but never written into source_url.
    """
    url = f"{base_url.rstrip('/')}/works"
    params = {"filter": filter, "per-page": per_page, "mailto": mailto, "api_key": api_key}
    params = {k: v for k, v in params.items() if v is not None}
    frames, seen, cursor = [], 0, "*"
    while cursor and (max_results is None or seen < max_results):
        response = client.get(url, params={**params, "cursor": cursor})
        source_url = _without_secrets(response.url)
        payload = response.json()
        frame = parse_openalex_works(payload, source_url)
        frames.append(frame)
        seen += len(frame)
        next_cursor = _next_cursor(payload, source_url)
        if next_cursor is not None and next_cursor == cursor:
            raise SourceError(f"{SOURCE}: {source_url} returned the same next_cursor again")
        cursor = next_cursor if not frame.empty else None
    works = _concat(frames)
    return works if max_results is None else works.head(max_results)


def _next_cursor(payload: dict, source_url: str) -> str | None:
    meta = payload.get("meta")
    if not isinstance(meta, dict):
        raise SourceError(f"{SOURCE}: {source_url} sent a works page without 'meta'")
    return meta.get("next_cursor") or None


def _without_secrets(url: str) -> str:
    """url with the api_key parameter removed, so the key never lands in the warehouse."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=RAW_COLUMNS)
    return pd.concat(frames, ignore_index=True)
