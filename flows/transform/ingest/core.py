"""Raw curated records -> validated core frames, with every rejected row accounted for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from flows.transform.ingest.curated import SOURCE, derive_run_columns, flatten_curated
from flows.transform.ingest.dates import check_published_dates
from schemas.frames import ensure_columns, records_to_json
from flows.transform.hardware.resolution import resolve_hardware
from flows.transform.mentions.statements import EXTRACTION_COLUMNS, fill_from_statements
from flows.transform.hardware.unresolved import QUEUE_COLUMNS, hardware_names_seen
from schemas.paper import Paper
from schemas.run_extraction import RunExtraction
from schemas.run_fact import RunFact
from schemas.training_run import TrainingRun
from schemas.validation import QUARANTINE_COLUMNS, quarantine_dependents, split_valid


@dataclass
class CoreBatch:
    """What one source contributes to core, plus its rejections and row accounting."""

    papers: pd.DataFrame
    runs: pd.DataFrame
    facts: pd.DataFrame
    quarantine: pd.DataFrame
    counts: list[dict] = field(default_factory=list)
    hardware_names: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUEUE_COLUMNS))
    extractions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXTRACTION_COLUMNS))


def count_rows(source: str, table: str, rows_in: int, landed: int) -> dict:
    return {"source": source, "table": table, "rows_in": rows_in, "landed": landed, "quarantined": rows_in - landed}


def resolve_run_hardware(runs: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    """Add hardware_id and confidence (date-dependent names by `paper_published_date`);
    keep unresolved names visible for the quarantine check."""
    texts = runs["hardware_text"] if "hardware_text" in runs else pd.Series(None, index=runs.index, dtype=object)
    resolved = resolve_hardware(texts, aliases, dates=runs["paper_published_date"])
    unknown = texts.where(texts.notna() & resolved["hardware_id"].isna(), None)
    return runs.assign(hardware_id=resolved["hardware_id"], hardware_confidence=resolved["confidence"].where(texts.notna()),
                       unknown_hardware_text=unknown)


def _iso_or_none(value: object) -> str | None:
    """A publication date as YYYY-MM-DD, or None when missing or unreadable (validation reports it)."""
    stamp = pd.to_datetime(value, errors="coerce") if value is not None else pd.NaT
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def _memo(function):
    """`function` of one value, computed once per distinct value (a table repeats its dates)."""
    seen: dict = {}

    def once(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = function(value)
            return seen[value]
        except TypeError:  # not hashable
            return function(value)
    return once


def publication_days():
    """paper published_date -> the YYYY-MM-DD (or None) a run's hardware statement is read with, remembered
    per distinct value."""
    return _memo(_iso_or_none)


def build_curated_core(raw: pd.DataFrame, raw_rejects: pd.DataFrame, aliases: pd.DataFrame) -> CoreBatch:
    """Flatten curated records, then the shared core steps (build_core)."""
    papers, runs, facts = flatten_curated(raw)
    raw_q = pd.DataFrame({
        "source": SOURCE, "table_name": "raw_curated__records", "check_name": raw_rejects["check_name"],
        "reason": raw_rejects["reason"], "payload": raw_rejects["payload"], "record_key": raw_rejects["source_file"],
    }, columns=QUARANTINE_COLUMNS)
    raw_count = count_rows(SOURCE, "raw_curated__records", len(raw) + len(raw_rejects), len(raw))
    return build_core(papers, runs, facts, raw_q, raw_count, SOURCE, aliases)


def keep_runs_whole(runs: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a source whose rows are records of many cells (Epoch's table): a hardware name that does
    not resolve stays on the run (hardware_id null, the name in the unresolved queue), and a range
    that does not hold its own value loses the range, quarantined alone, instead of the run."""
    rows = []
    runs = runs.assign(unknown_hardware_text=None)
    for i in runs.index[runs["range_problems"].notna()]:
        for problem in str(runs.at[i, "range_problems"]).split("; "):
            name = problem.split(" ", 1)[0]
            runs.loc[i, [f"{name}_low", f"{name}_high"]] = None
            rows.append({"source": source, "table_name": "core__training_runs", "check_name": "ranges_ordered",
                         "reason": f"{problem}; the range is left empty and the run lands",
                         "payload": records_to_json(runs.loc[[i]], list(runs.columns))[0],
                         "record_key": runs.at[i, "run_id"]})
    return runs.assign(range_problems=None), pd.DataFrame(rows, columns=QUARANTINE_COLUMNS)


def build_core(papers: pd.DataFrame, runs: pd.DataFrame, facts: pd.DataFrame, raw_q: pd.DataFrame, raw_count: dict,
               source: str, aliases: pd.DataFrame, keep_whole: bool = False, matcher=None,
               known: Mapping | None = None) -> CoreBatch:
    """Fill gaps from hardware statements, resolve hardware names (by the paper's date), then
    validate papers, runs, facts and extractions; every rejected row lands in quarantine.
    `keep_whole`: see keep_runs_whole. `matcher`: the aliases' mention matcher, when the caller has one;
    `known`: statements already read elsewhere (flows/statement_pool.py), see fill_from_statements."""
    runs = ensure_columns(runs, ["run_id", "paper_id", "hardware_text", "forward_multiply_adds_per_example"])
    papers, q_dates = check_published_dates(papers, source)  # a bad date costs its cell, not the paper
    raw_q = pd.concat([q for q in (raw_q, q_dates) if not q.empty] or [raw_q], ignore_index=True)
    published = papers.drop_duplicates("paper_id").set_index("paper_id")["published_date"] \
        if "published_date" in papers else pd.Series(dtype=object)
    runs = runs.assign(paper_published_date=runs["paper_id"].map(published).map(publication_days()))
    runs, extractions = fill_from_statements(runs, matcher or _mention_matcher(aliases), aliases, source, known)
    runs = resolve_run_hardware(derive_run_columns(runs), aliases)
    names = hardware_names_seen(runs, source, aliases)
    if keep_whole:
        runs, q_ranges = keep_runs_whole(runs, source)
        raw_q = pd.concat([q for q in (raw_q, q_ranges) if not q.empty] or [raw_q], ignore_index=True)
    runs = ensure_columns(runs, list(TrainingRun.to_schema().columns))
    papers = ensure_columns(papers, list(Paper.to_schema().columns))
    papers_ok, q_papers = split_valid(papers, Paper, source, "core__papers", "paper_id")
    bad_papers = set(papers["paper_id"]) - set(papers_ok["paper_id"])
    runs_kept, q_orphans = quarantine_dependents(runs, "paper_id", bad_papers, source, "core__training_runs", "run_id", "paper")
    runs_ok, q_runs = split_valid(runs_kept, TrainingRun, source, "core__training_runs", "run_id")
    bad_runs = set(facts["run_id"]) - set(runs_ok["run_id"])
    facts_kept, q_fact_orphans = quarantine_dependents(facts, "run_id", bad_runs, source, "core__run_facts", "run_id", "training run")
    facts_ok, q_facts = split_valid(facts_kept, RunFact, source, "core__run_facts", "run_id")
    ext_kept, q_ext_orphans = quarantine_dependents(extractions, "run_id", bad_runs, source, "core__run_extractions",
                                                    "run_id", "training run")
    ext_ok, q_ext = split_valid(ext_kept, RunExtraction, source, "core__run_extractions", "run_id")
    quarantine = pd.concat([q for q in (raw_q, q_papers, q_orphans, q_runs, q_fact_orphans, q_facts,
                                        q_ext_orphans, q_ext) if not q.empty] or [raw_q], ignore_index=True)
    counts = [
        raw_count,
        count_rows(source, "papers", len(papers), len(papers_ok)),
        count_rows(source, "training_runs", len(runs), len(runs_ok)),
        count_rows(source, "run_facts", len(facts), len(facts_ok)),
        count_rows(source, "run_extractions", len(extractions), len(ext_ok)),
    ]
    return CoreBatch(papers_ok, runs_ok, facts_ok, quarantine, counts, names, ext_ok)


def _mention_matcher(aliases: pd.DataFrame):
    from flows.transform.mentions.extract import build_matcher

    return build_matcher(aliases)
