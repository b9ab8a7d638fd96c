"""`run --source fulltext`: the papers to read, their raw files, the batch reading and the result as one
source batch that lands with the other sources (flows/pipeline.py calls read_fulltext_source).

Papers come from the warehouse (warehouse/fulltext_reads.py) and the selection rules
(flows/transform/papers/fulltext_selection.py); raw files go through the cache next to the warehouse
(gather_sources: the mirror folder first, then HTTP at arXiv's pace); reading runs in batches
(run_fulltext: in process, a local Dask cluster or an existing one); candidate runs map onto the
warehouse's runs (fulltext_merge.py). Each paper read is a row of meta__fulltext_reads, landed in the
same transaction as its facts: a paper counts as read only once its facts are in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from flows.fulltext_fetch import gather_sources
from flows.fulltext_flow import FulltextResult, read_papers_batch, run_fulltext
from flows.settings import Settings, fulltext_cache_dir
from flows.transform.ingest.core import build_core, count_rows
from flows.transform.ingest.sources import SourceBatch
from flows.transform.papers.fulltext_merge import CONFLICT_COLUMNS, SOURCE, fill_from_fulltext, map_candidate_runs
from flows.transform.papers.fulltext_selection import candidate_papers, select_fulltext_papers
from schemas.frames import ensure_columns
from schemas.run_fact import RunFact
from schemas.training_run import TrainingRun
from schemas.validation import QUARANTINE_COLUMNS, split_valid
from sources.fulltext import fulltext_client
from warehouse.fulltext_cache import FulltextCache
from warehouse.fulltext_reads import fulltext_facts, fulltext_state

READ_COLUMNS = ["paper_key", "paper_id", "arxiv_id", "content_sha256", "kind", "fact_count", "run_count",
                "refused_reason", "read_at", "pipeline_run_id"]


def _unknown_ids(unknown: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{"source": SOURCE, "table_name": "fulltext", "check_name": "unknown_paper",
                          "reason": f"--paper-id {p}: no paper in the warehouse has this paper_id or arXiv id",
                          "record_key": p, "payload": json.dumps({"paper_id": p})} for p in unknown],
                        columns=QUARANTINE_COLUMNS)


def _client_factory(settings: Settings):
    if settings.fulltext_dir is not None:  # a mirror folder: no network at all
        return None
    return lambda: fulltext_client(contact=settings.contact, min_interval_seconds=settings.fulltext_min_interval_seconds,
                                   **settings.http_limits())


def read_records(result_reads: pd.DataFrame, items: list[dict], quarantine: pd.DataFrame,
                 pipeline_run_id: str) -> pd.DataFrame:
    """One meta__fulltext_reads row per paper read (refused ones too: the same file is not read twice)."""
    by_key = {i["key"]: i for i in items}
    reasons = {k: f"{c}: {r}" for k, c, r in zip(quarantine["record_key"], quarantine["check_name"], quarantine["reason"])}
    now = pd.Timestamp.now("UTC").tz_localize(None)
    rows = [{"paper_key": r.key, "paper_id": r.paper_id, "arxiv_id": by_key[r.key]["arxiv_id"],
             "content_sha256": Path(by_key[r.key]["path"]).name, "kind": r.kind if isinstance(r.kind, str) else None,
             "fact_count": int(r.facts), "run_count": int(r.runs),
             "refused_reason": reasons.get(r.paper_id) if isinstance(r.refused, str) else None,
             "read_at": now, "pipeline_run_id": pipeline_run_id} for r in result_reads.itertuples(index=False)]
    return pd.DataFrame(rows, columns=READ_COLUMNS)


def _paper_rows(papers: list[dict]) -> pd.DataFrame:
    """The papers read, in the core__papers shape: build_core dates their runs' hardware names by them."""
    return pd.DataFrame({"paper_id": [p["paper_id"] for p in papers], "title": [p["title"] for p in papers],
                         "published_date": [p["published_date"] for p in papers],
                         "arxiv_id": [p["arxiv_id"] for p in papers], "source": SOURCE,
                         "source_record": [p["key"] for p in papers]})


def read_fulltext_source(settings: Settings, notability: pd.DataFrame, known_runs: pd.DataFrame,
                         aliases: pd.DataFrame, pipeline_run_id: str,
                         new_papers: pd.DataFrame | None = None) -> tuple[SourceBatch, pd.DataFrame]:
    """(the fulltext source batch: runs of their own, facts for new and matched runs, quarantine; the reads).
    `new_papers` and `known_runs` hold this run's papers and runs: a paper landing in the same run (a new
    warehouse built with `--source curated --source fulltext`) is read in that run."""
    notable = set(notability.loc[notability["is_notable"].fillna(False).astype(bool), "paper_id"])
    state = fulltext_state(settings.warehouse)
    candidates = candidate_papers([state.papers] + ([new_papers] if new_papers is not None else []),
                                  [state.runs, known_runs], state.versions, state.reads)
    papers, unknown = select_fulltext_papers(candidates, notable, settings.paper_ids, settings.limit)
    cache = FulltextCache(fulltext_cache_dir(settings.warehouse))
    items, failed = gather_sources(papers, cache, _client_factory(settings), settings.fetch_url("fulltext_url"),
                                   str(settings.fulltext_dir) if settings.fulltext_dir else None)
    by_key = {p["key"]: p for p in papers}
    items = [i | {"arxiv_id": by_key[i["key"]]["arxiv_id"]} for i in items]
    result = run_fulltext(items, settings.workers, settings.dask_address, str(settings.aliases_file)) if items \
        else FulltextResult(**{k: v for k, v in read_papers_batch([]).items() if k != "worker"})
    own, facts, mapping = map_candidate_runs(result.runs, result.run_facts, known_runs)
    own_facts = facts[facts["run_id"].isin(set(own["run_id"]))]
    matched_ok, q_matched = split_valid(facts[~facts["run_id"].isin(set(own["run_id"]))], RunFact, SOURCE,
                                        "core__run_facts", "run_id")
    raw_q = pd.concat([q for q in (failed, result.quarantine, _unknown_ids(unknown)) if not q.empty]
                      or [pd.DataFrame(columns=QUARANTINE_COLUMNS)], ignore_index=True)
    core = build_core(_paper_rows(papers), own.drop(columns=["run_key"], errors="ignore"), own_facts, raw_q,
                      count_rows(SOURCE, "papers read", len(papers), len(result.reads)), SOURCE, aliases)
    core.papers = core.papers.iloc[0:0]  # papers belong to the sources that sent them; fulltext only reads them
    core.counts = [c for c in core.counts if c["table"] not in ("papers", "run_facts")] + [
        count_rows(SOURCE, "run_facts", len(facts), len(core.facts) + len(matched_ok))]
    core.facts = pd.concat([core.facts, matched_ok], ignore_index=True)
    core.quarantine = pd.concat([q for q in (core.quarantine, q_matched) if not q.empty] or [core.quarantine],
                                ignore_index=True)
    core.counts.append({"source": SOURCE, "table": "runs matched", "rows_in": len(mapping), "landed": len(mapping),
                        "quarantined": 0})
    reads = read_records(result.reads, items, result.quarantine, pipeline_run_id)
    return SourceBatch(SOURCE, None, reads, core, "", ""), reads


def fill_all_runs(warehouse, batches: list[SourceBatch], other_runs: pd.DataFrame, aliases: pd.DataFrame):
    """Each batch's runs filled in place; (other sources' runs filled, those of them that changed, conflicts)."""
    facts = pd.concat([fulltext_facts(warehouse)] + [b.core.facts for b in batches if b.source == SOURCE],
                      ignore_index=True).drop_duplicates(["run_id", "fact"], keep="last")  # a new read replaces an old one
    conflicts = [pd.DataFrame(columns=CONFLICT_COLUMNS)]
    for batch in batches:
        batch.core.runs, found = fill_from_fulltext(batch.core.runs, facts, aliases)
        conflicts.append(found)
    filled, found = fill_from_fulltext(other_runs, facts, aliases)
    conflicts.append(found)
    return filled, _changed_rows(other_runs, filled), pd.concat([c for c in conflicts if not c.empty] or conflicts[:1],
                                                                ignore_index=True)


FILLABLE = ["hardware_text", "hardware_id", "hardware_confidence", "chip_count", "training_hours", "training_hours_low",
            "training_hours_high", "chip_hours", "parameter_count", "training_tokens", "dataset_tokens",
            "training_examples", "epochs", "batch_size", "batch_tokens", "precision", "utilization", "extracted_fields",
            "extraction_conflicts"]


def _changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The rows of `after` where a column the filling may touch differs from `before` (same index)."""
    if before.empty:
        return after.iloc[0:0]
    columns = [c for c in FILLABLE if c in before and c in after]
    same = (before[columns].astype(str) == after[columns].astype(str)).all(axis=1)
    return ensure_columns(after[~same.to_numpy()].reset_index(drop=True), list(TrainingRun.to_schema().columns))
