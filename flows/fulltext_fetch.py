"""The glue between the full-text source and the cache: each paper's raw file on disk, fetched at most
once, in arXiv's pace, before the CPU-bound reading starts (flows/fulltext_flow.py).

A paper is keyed by arXiv id and version (`arxiv:2401.01234v2`); a key already read is skipped
(incremental: a new version is a new key). A local mirror folder (--fulltext-dir) is asked first.
A paper that cannot be fetched is a quarantine row, not a failed run.
"""

from __future__ import annotations

import json
from typing import Callable

import pandas as pd

from flows.transform.papers.fulltext_selection import paper_key, version_tag
from schemas.validation import QUARANTINE_COLUMNS
from sources.errors import SourceError
from sources.fulltext import ARXIV_BASE_URL, fetch_arxiv_fulltext, find_local, read_local
from sources.http import FetchError, HttpClient
from warehouse.fulltext_cache import FulltextCache

SOURCE = "fulltext"


def gather_sources(papers: list[dict], cache: FulltextCache, client_factory: Callable[[], HttpClient] | None = None,
                   base_url: str = ARXIV_BASE_URL, fulltext_dir: str | None = None) -> tuple[list[dict], pd.DataFrame]:
    """(items for the reader: paper_id, key, path, published_date, system; quarantine rows of fetch failures).

    papers: dicts with paper_id, arxiv_id, version (optional), published_date and title (optional)."""
    items, failed, client = [], [], None
    try:
        for paper in papers:
            key = paper_key(paper["arxiv_id"], paper.get("version"))
            if cache.was_read(key):
                continue
            content = cache.lookup(key)
            if content is None:
                try:
                    local = find_local(fulltext_dir, paper["arxiv_id"], version_tag(paper.get("version"))) if fulltext_dir else None
                    if local is not None:
                        content = read_local(local)
                    else:
                        client = client or (client_factory() if client_factory else None)
                        if client is None:
                            raise SourceError(f"fulltext: {key} is in neither the cache nor the mirror folder")
                        versioned = paper["arxiv_id"] + (version_tag(paper.get("version")) or "")
                        content = fetch_arxiv_fulltext(client, versioned, base_url).body
                except (FetchError, SourceError) as err:
                    failed.append({"source": SOURCE, "table_name": "fulltext", "check_name": "fetch_failed",
                                   "reason": str(err), "record_key": paper["paper_id"],
                                   "payload": json.dumps({"paper_id": paper["paper_id"], "key": key})})
                    continue
                cache.store(key, content)
            sha = cache.sha_of(key)
            items.append({"paper_id": paper["paper_id"], "key": key, "path": str(cache.raw_dir / sha),
                          "published_date": paper.get("published_date"), "system": paper.get("title")})
    finally:
        if client is not None:
            client.close()
    return items, pd.DataFrame(failed, columns=QUARANTINE_COLUMNS)
