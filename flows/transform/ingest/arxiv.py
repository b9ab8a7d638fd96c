"""arXiv raw entries -> core papers (no runs: arXiv metadata names no training hardware)."""

from __future__ import annotations

import json

import pandas as pd

from flows.transform.ingest.core import CoreBatch, build_core, count_rows
from flows.transform.ingest.epoch import slug
from schemas.validation import QUARANTINE_COLUMNS

SOURCE = "arxiv"
FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]


def papers_from_entries(raw: pd.DataFrame) -> pd.DataFrame:
    """One paper per arXiv id: title, first-version date, abstract and categories as arXiv sent them."""
    rows = []
    if raw.empty:
        raw = pd.DataFrame(columns=["record_key", "record"])
    for key, text in zip(raw["record_key"], raw["record"]):
        entry = json.loads(text)
        rows.append({
            "paper_id": f"arxiv_{slug(key)}", "title": entry.get("title"), "published_date": (entry.get("published") or "")[:10],
            "url": f"https://arxiv.org/abs/{key}", "arxiv_id": key, "doi": entry.get("doi"),
            "abstract": entry.get("summary"), "categories": entry.get("categories"),
            "note": None, "source": SOURCE, "source_record": f"{SOURCE}:{key}",
        })
    return pd.DataFrame(rows, columns=["paper_id", "title", "published_date", "url", "arxiv_id", "doi", "abstract",
                                       "categories", "note", "source", "source_record"])


def build_arxiv_core(raw: pd.DataFrame, aliases: pd.DataFrame, ingest_counts: dict) -> CoreBatch:
    """Core papers from every landed arXiv entry; the page-level accounting comes from the ingest."""
    papers = papers_from_entries(raw)
    empty_q = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    raw_count = count_rows(SOURCE, "raw_arxiv__entries", ingest_counts.get("rows_in", 0), ingest_counts.get("landed", 0))
    return build_core(papers, pd.DataFrame(columns=["run_id", "paper_id"]), pd.DataFrame(columns=FACT_COLUMNS),
                      empty_q, raw_count, SOURCE, aliases)
