"""Run-level processing for notable papers that arrive without runs (arXiv): read the abstract
for a training-hardware statement and keep a candidate run only where one is found."""

from __future__ import annotations

import json

import pandas as pd

from flows.transform.ingest.core import CoreBatch, build_core, count_rows
from schemas.validation import QUARANTINE_COLUMNS

# arXiv category -> our domain (the first listed category that maps wins; else 'other')
CATEGORY_DOMAINS = {"cs.CL": "language", "cs.CV": "vision", "cs.SD": "speech", "eess.AS": "speech",
                    "eess.IV": "vision", "cs.RO": "robotics", "q-bio.BM": "biology", "cs.IR": "recommendation"}
FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]


def _domain(categories: object) -> str:
    try:
        listed = json.loads(categories) if isinstance(categories, str) else []
    except ValueError:
        listed = []
    return next((CATEGORY_DOMAINS[c] for c in listed if c in CATEGORY_DOMAINS), "other")


def candidate_runs(papers: pd.DataFrame, notable_ids: set[str], with_runs: set[str], source: str) -> pd.DataFrame:
    """One candidate run per notable paper of `source` that has an abstract and no run yet."""
    pick = papers[(papers["source"] == source) & papers["paper_id"].isin(notable_ids) & ~papers["paper_id"].isin(with_runs)]
    pick = pick[pick["abstract"].notna()] if "abstract" in pick else pick.iloc[0:0]
    return pd.DataFrame({
        "run_id": [f"{p}__abstract" for p in pick["paper_id"]], "paper_id": pick["paper_id"].to_numpy(),
        "system": pick["title"].str.slice(0, 200).to_numpy(), "domain": [_domain(c) for c in pick.get("categories", [])],
        "hardware_statement": pick["abstract"].to_numpy(), "hardware_statement_where": "arXiv abstract",
        "source": source, "source_record": pick["source_record"].to_numpy(),
    })


def build_candidate_core(papers: pd.DataFrame, runs: pd.DataFrame, source: str, aliases: pd.DataFrame) -> CoreBatch:
    """Statements fill the candidates; only runs where the abstract named training hardware are kept."""
    empty_q = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    core = build_core(papers, runs, pd.DataFrame(columns=FACT_COLUMNS), empty_q,
                      count_rows(source, "candidate_runs", len(runs), len(runs)), source, aliases)
    found = core.runs["extracted_fields"].fillna("").str.contains("hardware_text")
    kept = set(core.runs.loc[found, "run_id"])
    core.runs = core.runs[found].reset_index(drop=True)
    core.extractions = core.extractions[core.extractions["run_id"].isin(kept)].reset_index(drop=True)
    core.quarantine = core.quarantine[core.quarantine["table_name"] != "core__papers"]
    runs_count = next(c for c in core.counts if c["table"] == "training_runs")
    runs_count.update(table="training_runs (from abstracts)", landed=len(core.runs),
                      skipped=runs_count["rows_in"] - len(core.runs) - runs_count["quarantined"])  # nothing named
    core.counts = [runs_count]
    return core
