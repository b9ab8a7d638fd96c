"""Semantic Scholar (S2) Academic Graph API: papers by id (POST /paper/batch) or by keyword (bulk search).

Raw layer: one row per paper with S2's own field names; nested objects (externalIds, authors,
fieldsOfStudy, s2FieldsOfStudy, openAccessPdf) are kept as JSON strings, plus arxiv_id and doi
pulled out of externalIds. The pure parser works on a decoded payload; the fetchers take an HttpClient.
"""

from __future__ import annotations

import json
import pandas as pd

from sources.errors import SourceError
from sources.http import HttpClient

SOURCE = "Semantic Scholar"
S2_API_URL = "https://api.semanticscholar.org/graph/v1"
S2_FIELDS = ("paperId,externalIds,title,year,publicationDate,venue,citationCount,"
             "influentialCitationCount,url,abstract,authors,fieldsOfStudy,s2FieldsOfStudy,openAccessPdf")
# S2 docs (SOURCES.md 1c): POST /paper/batch takes at most 500 ids per call.
BATCH_MAX_IDS = 500
# S2 docs: with a free key, 1 request/s on all endpoints.
KEYED_INTERVAL_SECONDS = 1.0
# Without a key the pool is shared by all anonymous users; measured Oct 2026 (SOURCES.md 1c):
# 13 of 22 calls answered 429 with no Retry-After, so treat it as about 1 call per minute.
ANONYMOUS_INTERVAL_SECONDS = 60.0
SCALAR_FIELDS = ["paperId", "title", "year", "publicationDate", "venue", "citationCount",
                 "influentialCitationCount", "url", "abstract"]
# Nested values kept as JSON text; null when S2 sent null or was not asked for the field.
JSON_FIELDS = ["fieldsOfStudy", "s2FieldsOfStudy", "openAccessPdf"]
RAW_COLUMNS = ["paperId", "externalIds", "title", "year", "publicationDate", "venue", "citationCount",
               "influentialCitationCount", "url", "abstract", "authors", *JSON_FIELDS, "arxiv_id", "doi",
               "source_url"]


def s2_client(api_key: str | None = None, **kw) -> HttpClient:
    """An HttpClient paced for S2: 1 call/s with a key, about 1/min without; key sent as x-api-key."""
    headers = dict(kw.pop("headers", None) or {})
    if api_key:
        headers["x-api-key"] = api_key
    kw.setdefault("min_interval_seconds", KEYED_INTERVAL_SECONDS if api_key else ANONYMOUS_INTERVAL_SECONDS)
    return HttpClient(SOURCE, headers=headers or None, **kw)


def parse_s2_papers(payload: dict | list, source_url: str) -> pd.DataFrame:
    """Papers from a search page ({"data": [...]}), a batch answer (a list, null = not found) or one paper."""
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        papers = payload["data"]
    elif isinstance(payload, dict) and "paperId" in payload:
        papers = [payload]
    elif isinstance(payload, list):
        papers = payload
    else:
        shown = payload.get("message") or payload.get("error") if isinstance(payload, dict) else None
        raise SourceError(f"{SOURCE}: {source_url} did not answer with papers"
                          + (f" ({str(shown)[:120]})" if shown else " (no 'data' array)"))
    rows = [_paper_row(paper, source_url) for paper in papers if paper is not None]
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def _paper_row(paper, source_url: str) -> dict:
    if not isinstance(paper, dict) or not paper.get("paperId"):
        raise SourceError(f"{SOURCE}: {source_url} sent a paper without a paperId ({str(paper)[:60]!r})")
    external = paper.get("externalIds") or {}
    if not isinstance(external, dict):
        raise SourceError(f"{SOURCE}: {source_url} sent externalIds that is not an object for {paper['paperId']}")
    row = {field: paper.get(field) for field in SCALAR_FIELDS}
    row["externalIds"] = json.dumps(external, sort_keys=True)
    row["authors"] = json.dumps(paper.get("authors") or [])
    for field in JSON_FIELDS:
        row[field] = json.dumps(paper[field], sort_keys=True) if paper.get(field) is not None else None
    row["arxiv_id"] = external.get("ArXiv")
    row["doi"] = external.get("DOI")
    row["source_url"] = source_url
    return row


def fetch_s2_batch(client, ids: list[str], base_url: str = S2_API_URL, fields: str = S2_FIELDS,
                   api_key: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One POST /paper/batch for up to 500 ids: (papers found, ids S2 answered null for).

    `fields` goes in the query string, the ids in the JSON body; S2 answers a list in input order.
    """
    if len(ids) > BATCH_MAX_IDS:
        raise ValueError(f"{SOURCE}: at most {BATCH_MAX_IDS} ids per batch request, got {len(ids)}")
    response = client.post(f"{base_url.rstrip('/')}/paper/batch", params={"fields": fields},
                           json={"ids": list(ids)}, headers={"x-api-key": api_key} if api_key else None)
    payload = response.json()
    if not isinstance(payload, list) or len(payload) != len(ids):
        shown = f"{len(payload)} records" if isinstance(payload, list) else f"a {type(payload).__name__}"
        raise SourceError(f"{SOURCE}: {response.url} answered {shown} for {len(ids)} ids (expected one per id)")
    missing = [paper_id for paper_id, paper in zip(ids, payload) if paper is None]
    return parse_s2_papers(payload, response.url), missing


def fetch_s2_papers(client, ids: list[str], base_url: str = S2_API_URL, fields: str = S2_FIELDS,
                    api_key: str | None = None, batch_size: int = BATCH_MAX_IDS) -> tuple[pd.DataFrame, list[str]]:
    """(papers found, ids S2 does not know) for ids like "ARXIV:1706.03762", "DOI:10.1145/3065386" or S2 shas,
    asked `batch_size` (at most 500) at a time through POST /paper/batch."""
    frames, missing = [], []
    for start in range(0, len(ids), batch_size):
        papers, unknown = fetch_s2_batch(client, ids[start:start + batch_size], base_url, fields, api_key)
        frames.append(papers)
        missing.extend(unknown)
    return _concat(frames), missing


def search_s2_papers(client, query: str, base_url: str = S2_API_URL, fields: str = S2_FIELDS,
                     max_results: int | None = None, **filters) -> pd.DataFrame:
    """Papers matching `query` from GET /paper/search/bulk, following the continuation token.

    `filters` are passed as query parameters (year="2019-2023", fieldsOfStudy="Computer Science", ...).
    """
    url = f"{base_url.rstrip('/')}/paper/search/bulk"
    params = {"query": query, "fields": fields, **filters}
    frames, seen, token = [], 0, None
    while max_results is None or seen < max_results:
        page_params = {**params, "token": token} if token else params
        response = client.get(url, params=page_params)
        payload = response.json()
        frame = parse_s2_papers(payload, response.url)
        frames.append(frame)
        seen += len(frame)
        next_token = payload.get("token") if isinstance(payload, dict) else None
        if not next_token or frame.empty:
            break
        if next_token == token:
            raise SourceError(f"{SOURCE}: {url} returned the same continuation token twice ({token[:20]}...)")
        token = next_token
    papers = _concat(frames)
    return papers if max_results is None else papers.head(max_results)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=RAW_COLUMNS)
    return pd.concat(frames, ignore_index=True)
