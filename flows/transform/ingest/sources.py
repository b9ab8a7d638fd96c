"""Sources' raw frames into core batches, and paper deduplication across sources (pure: the
fetching is in flows/fetch.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from flows.transform.ingest.core import CoreBatch, build_core, count_rows
from flows.transform.ingest.epoch import SOURCE as EPOCH, map_epoch_models, raw_records
from schemas.validation import QUARANTINE_COLUMNS

# When two sources send the same paper, the row of the earlier source here is kept.
SOURCE_PRIORITY = ("curated", "epoch", "arxiv", "openalex", "semantic_scholar")


@dataclass
class SourceBatch:
    """One source's contribution to a run: its raw rows, core batch and cursor."""

    source: str
    raw_table: str
    raw: pd.DataFrame
    core: CoreBatch
    cursor_key: str
    cursor_value: str
    responses: list = field(default_factory=list)  # sources.http.RawResponse, landed in raw_http__responses


def _duplicates_apart(ok: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows after the first with the same Model name go to quarantine (Model is the record key)."""
    dup = ok["Model"].duplicated(keep="first")
    q = pd.DataFrame({
        "source": EPOCH, "table_name": "raw_epoch__models", "check_name": "model_unique",
        "reason": [f"Model {m!r} appears again (row {r}); the first row is kept" for m, r in
                   zip(ok.loc[dup, "Model"], ok.loc[dup, "source_row"])],
        "payload": [json.dumps({k: v for k, v in row.items() if isinstance(v, str)}) for _, row in ok[dup].iterrows()],
        "record_key": ok.loc[dup, "Model"].to_numpy(),
    }, columns=QUARANTINE_COLUMNS)
    return ok[~dup].reset_index(drop=True), q


def build_epoch_batch(raw: pd.DataFrame, ok: pd.DataFrame, rejects: pd.DataFrame, location: str, sha: str,
                      aliases: pd.DataFrame, responses: list) -> SourceBatch:
    """Epoch's models CSV, parsed and split by sources/epoch_models.py: every row lands in
    raw_epoch__models or in quarantine with its reason."""
    ok, dup_q = _duplicates_apart(ok)
    raw_q = pd.concat([pd.DataFrame({
        "source": EPOCH, "table_name": "raw_epoch__models", "check_name": rejects["check_name"],
        "reason": rejects["reason"], "payload": rejects["payload"], "record_key": rejects["Model"].astype(object),
    }, columns=QUARANTINE_COLUMNS), dup_q], ignore_index=True)
    papers, runs, facts = map_epoch_models(ok)
    core = build_core(papers, runs, facts, raw_q, count_rows(EPOCH, "raw_epoch__models", len(raw), len(ok)),
                      EPOCH, aliases)
    return SourceBatch(EPOCH, "raw_epoch__models", raw_records(ok, location, sha), core, "models_csv", sha, responses)


def title_key(title: object) -> str | None:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip() or None if isinstance(title, str) else None


def paper_keys(papers: pd.DataFrame) -> pd.DataFrame:
    """The identities two sources can share: arXiv id, DOI (lower case), normalized title."""
    return pd.DataFrame({
        "arxiv": papers["arxiv_id"].where(papers["arxiv_id"].notna(), None),
        "doi": papers["doi"].str.lower().where(papers["doi"].notna(), None) if "doi" in papers else None,
        "title": papers["title"].map(title_key),
    }, index=papers.index)


def deduplicate_papers(batches: list[CoreBatch], known: pd.DataFrame) -> None:
    """Map each lower-priority paper onto an earlier one with the same arXiv id, DOI or title
    (from this run or already in the warehouse), in place: its runs point at the kept paper,
    its own row is dropped, and every paper row records the sources that sent it."""
    kept = {kind: {} for kind in ("arxiv", "doi", "title")}
    sources: dict[str, set[str]] = {}

    def remember(frame: pd.DataFrame, frame_sources) -> None:  # zip, not iterrows: the snapshot sends 10^5-10^6
        keys = paper_keys(frame)
        for pid, source in zip(frame["paper_id"], frame_sources):
            sources.setdefault(pid, set()).add(source)
        for kind in kept:
            for key, pid in zip(keys[kind], frame["paper_id"]):
                if key:
                    kept[kind].setdefault(key, pid)

    if not known.empty:
        remember(known, known["source"])
    for batch in sorted(batches, key=lambda b: SOURCE_PRIORITY.index(b.papers["source"].iloc[0])
                        if not b.papers.empty else 99):
        if batch.papers.empty:
            continue
        source = batch.papers["source"].iloc[0]
        keys = paper_keys(batch.papers)
        target = [next((kept[k][v] for k, v in zip(kept, row) if v and v in kept[k]), None)
                  for row in zip(keys["arxiv"], keys["doi"], keys["title"])]
        mapping = {pid: t for pid, t in zip(batch.papers["paper_id"], target) if t and t != pid}
        for pid, t in mapping.items():
            sources.setdefault(t, set()).add(source)
        batch.papers = batch.papers[~batch.papers["paper_id"].isin(mapping)].reset_index(drop=True)
        for count in batch.counts:  # a merged paper is accounted for, not landed twice
            if count["table"] == "papers":
                count["merged"] = len(mapping)
                count["landed"] -= len(mapping)
        batch.runs = batch.runs.assign(paper_id=batch.runs["paper_id"].replace(mapping))
        remember(batch.papers, [source] * len(batch.papers))
    for batch in batches:
        batch.papers = batch.papers.assign(sources=[json.dumps(sorted(sources.get(p, set()))) for p in batch.papers["paper_id"]])
