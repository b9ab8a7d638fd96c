"""Sources' raw frames into core batches, and paper deduplication across sources (pure: the
fetching is in flows/fetch.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from flows.transform.ingest.core import CoreBatch

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
    packed: tuple[str, ...] = ()  # raw columns held in a spool file until they land (schemas/frames.py TextSpool)


def title_key(title: object) -> str | None:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip() or None if isinstance(title, str) else None


def _key(value: object) -> str | None:
    """A usable key or None: a missing id (None, NaN, pd.NA, blank) never matches another."""
    return value.strip() or None if isinstance(value, str) else None


def paper_keys(papers: pd.DataFrame) -> pd.DataFrame:
    """The identities two sources can share: arXiv id, DOI (lower case), normalized title; None
    where a paper lacks one (plain object columns: pandas 3 would turn None into NaN, a truthy key)."""
    column = lambda name: papers[name] if name in papers else pd.Series(None, index=papers.index, dtype=object)  # noqa: E731
    keys = {"arxiv": [_key(v) for v in column("arxiv_id")],
            "doi": [k.lower() if k else None for k in (_key(v) for v in column("doi"))],
            "title": [title_key(v) for v in column("title")]}
    return pd.DataFrame({k: pd.Series(v, index=papers.index, dtype=object) for k, v in keys.items()})


def deduplicate_papers(batches: list[CoreBatch], known: pd.DataFrame) -> None:
    """Map each lower-priority paper onto an earlier one with the same arXiv id, DOI or title
    (from this run or already in the warehouse), in place: its runs point at the kept paper,
    its own row is dropped, and every paper row records the sources that sent it."""
    kept = {kind: {} for kind in ("arxiv", "doi", "title")}
    sources: dict[str, set[str]] = {}
    origin: dict[str, str] = {}  # kept paper_id -> the source whose row is kept

    def remember(frame: pd.DataFrame, frame_sources) -> None:  # zip, not iterrows: the snapshot sends 10^5-10^6
        keys = paper_keys(frame)
        for pid, source in zip(frame["paper_id"], frame_sources):
            sources.setdefault(pid, set()).add(source)
            origin.setdefault(pid, source)
        for kind in kept:
            for key, pid in zip(keys[kind], frame["paper_id"]):
                if isinstance(key, str):
                    kept[kind].setdefault(key, pid)

    if not known.empty:
        remember(known, known["source"])
    for batch in sorted(batches, key=lambda b: SOURCE_PRIORITY.index(b.papers["source"].iloc[0])
                        if not b.papers.empty else 99):
        if batch.papers.empty:
            continue
        source = batch.papers["source"].iloc[0]
        keys = paper_keys(batch.papers)
        target = [next((kept[k][v] for k, v in zip(kept, row) if isinstance(v, str) and v in kept[k]), None)
                  for row in zip(keys["arxiv"], keys["doi"], keys["title"])]
        mapping = {pid: t for pid, t in zip(batch.papers["paper_id"], target) if t}  # t == pid: the same id, kept once
        for pid, t in mapping.items():
            sources.setdefault(t, set()).add(source)
        batch.papers = batch.papers[~batch.papers["paper_id"].isin(mapping)].reset_index(drop=True)
        for count in batch.counts:  # a merged paper is accounted for, not landed twice
            if count["table"] == "papers":
                count["merged"] = len(mapping)
                count["landed"] -= len(mapping)
                across = Counter(origin.get(t, "warehouse") for t in mapping.values() if origin.get(t) != source)
                count["merged_across_sources"] = dict(sorted(across.items()))
        batch.runs = batch.runs.assign(paper_id=batch.runs["paper_id"].replace(mapping))
        remember(batch.papers, [source] * len(batch.papers))
    for batch in batches:
        batch.papers = batch.papers.assign(sources=[json.dumps(sorted(sources.get(p, set()))) for p in batch.papers["paper_id"]])
