"""Epoch AI's models CSV (raw, Epoch's own column names) -> core papers, runs and facts.

Epoch's compute figure becomes `reported_flop` with `reported_flop_source` 'Epoch AI' and its
Confidence; its bounds become reported_flop_low/_high. The compute, time and hardware notes are
the run's hardware statement, so mention extraction fills what the cells leave empty.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from schemas.training_run import DOMAINS

SOURCE = "epoch"
SOURCE_NAME = "Epoch AI notable_ai_models.csv"
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})")
# Epoch column -> our training_runs column, for cells that are numbers.
NUMBER_FACTS = {
    "Parameters": "parameter_count", "Training compute (FLOP)": "reported_flop",
    "Training compute lower bound": "reported_flop_low", "Training compute upper bound": "reported_flop_high",
    "Training time (hours)": "training_hours", "Hardware quantity": "chip_count",
    "Training chip-hours": "chip_hours", "Epochs": "epochs", "Batch size": "batch_size",
    "Hardware utilization (MFU)": "utilization",
}
NOTES = {"reported_flop": "Training compute notes", "training_hours": "Training time notes",
         "parameter_count": "Parameters notes", "batch_size": "Batch size notes", "utilization": "Utilization notes"}
STATEMENT_COLUMNS = ["Training compute notes", "Training time notes"]
# Epoch's Numerical format -> our precision names; other values stay unknown.
PRECISIONS = {"fp32": "fp32", "tf32": "tf32", "fp16": "mixed_fp16", "bf16": "mixed_bf16", "fp8": "fp8"}
FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "unnamed"


def run_id_for(model: str) -> str:
    return f"epoch__{slug(model)}"


def _cell(row: pd.Series, column: str):
    value = row.get(column)
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def map_paper(row: pd.Series) -> dict:
    link = _cell(row, "Link") or ""
    match = ARXIV_LINK.search(link)
    arxiv_id = match.group(1) if match else None
    return {
        "paper_id": f"arxiv_{slug(arxiv_id)}" if arxiv_id else f"epoch__{slug(row['Model'])}",
        "title": _cell(row, "Reference") or row["Model"], "published_date": row["Publication date"],
        "url": link.split(",")[0].strip() or None, "arxiv_id": arxiv_id, "doi": None,
        "note": f"from {SOURCE_NAME}, model {row['Model']!r}", "source": SOURCE,
        "source_record": f"{SOURCE}:{row['Model']}",
    }


def map_run(row: pd.Series, paper_id: str, models: set[str]) -> tuple[dict, list[tuple]]:
    """One training run and its facts from one Epoch row; unknown cells stay null."""
    model, run_id = row["Model"], run_id_for(row["Model"])
    domain = str(_cell(row, "Domain") or "other").split(",")[0].strip().lower()
    hardware = [h.strip() for h in str(_cell(row, "Training hardware") or "").split(",") if h.strip()]
    fmt = str(_cell(row, "Numerical format") or "").strip().lower()
    base = _cell(row, "Base model")
    run = {
        "run_id": run_id, "paper_id": paper_id, "system": model,
        "domain": domain if domain in DOMAINS else "other",
        "hardware_text": hardware[0] if len(hardware) == 1 else None,
        "precision": PRECISIONS.get(fmt), "reported_flop_source": "Epoch AI",
        "reported_flop_confidence": _cell(row, "Confidence"),
        "base_run_id": run_id_for(base) if base and base in models else None,
        "hardware_statement": " ".join(str(_cell(row, c)) for c in STATEMENT_COLUMNS if _cell(row, c)) or None,
        "hardware_statement_where": f"{SOURCE_NAME}: {', '.join(STATEMENT_COLUMNS)}",
        "source": SOURCE, "source_record": f"{SOURCE}:{model}",
    }
    facts = []
    for column, name in NUMBER_FACTS.items():
        value = pd.to_numeric(_cell(row, column), errors="coerce")
        run[name] = None if pd.isna(value) else float(value)
        if run[name] is not None and not name.endswith(("_low", "_high")):
            facts.append((run_id, name, json.dumps(run[name]), None, None, f"{SOURCE_NAME}, column {column!r}",
                          _cell(row, NOTES.get(name, "")), SOURCE))
    if run["utilization"] is not None and run["utilization"] > 1:  # a percentage written as a number
        run["utilization"] /= 100.0
    if len(hardware) > 1:
        facts.append((run_id, "hardware_text", json.dumps(", ".join(hardware)), None, None,
                      f"{SOURCE_NAME}, column 'Training hardware'", "several chips listed: no single hardware_text", SOURCE))
    return run, facts


def map_epoch_models(ok: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(papers, runs, facts) from the usable rows of split_epoch_models."""
    models = set(ok["Model"])
    papers, runs, facts = [], [], []
    for _, row in ok.iterrows():
        papers.append(map_paper(row))
        run, run_facts = map_run(row, papers[-1]["paper_id"], models)
        runs.append(run)
        facts.extend(run_facts)
    papers = pd.DataFrame(papers)
    papers = papers.drop_duplicates("paper_id") if not papers.empty else papers
    return papers, pd.DataFrame(runs), pd.DataFrame(facts, columns=FACT_COLUMNS)


def raw_records(ok: pd.DataFrame, location: str, file_sha256: str) -> pd.DataFrame:
    """raw_epoch__models rows: Epoch's columns untouched, as one JSON object per record."""
    columns = [c for c in ok.columns if c != "source_row"]
    records = [json.dumps({c: row[c] for c in columns if isinstance(row[c], str)}, ensure_ascii=False)
               for _, row in ok.iterrows()]
    return pd.DataFrame({"record_key": ok["Model"].to_numpy(), "source_row": ok["source_row"].to_numpy(),
                         "record": records, "source_location": location, "file_sha256": file_sha256})
