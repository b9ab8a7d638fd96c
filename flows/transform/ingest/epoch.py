"""Epoch AI's models CSV (raw, Epoch's own column names) -> core papers, runs and facts.

Every input column lands where the methods can use it. Epoch's compute figure is Epoch's estimate,
not the paper's: `reported_flop_source` 'Epoch AI', its Confidence and estimation method kept with
it. For a fine-tune ("Base model" set) Epoch's `Training compute (FLOP)` includes the base model's
pretraining, so it lands as `reported_total_flop` and the fine-tune's own `reported_flop` is
`Finetune compute (FLOP)`: hardware, quantity and time describe the fine-tune, and no total counts
the base twice. A bad cell costs that cell: it is left empty and quarantined with its reason.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd

from flows.transform.ingest.epoch_cells import read_date, read_link, read_number, read_text, read_utilization
from schemas.frames import TextSpool, frame_rows
from schemas.training_run import DOMAINS

SOURCE = "epoch"
SOURCE_NAME = "Epoch AI notable_ai_models.csv"
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})")
# Epoch column -> training_runs column, for cells that are plain positive numbers.
NUMBER_FACTS = {
    "Parameters": "parameter_count", "Training time (hours)": "training_hours", "Hardware quantity": "chip_count",
    "Training chip-hours": "chip_hours", "Epochs": "epochs", "Batch size": "batch_size",
    "Training compute cost (2023 USD)": "reported_cost_2023_usd", "Training power draw (W)": "training_power_draw_watts",
}
# Numbers that feed the reported figure (placed by _reported) or the dataset size (by _dataset).
FLOP_COLUMNS = {"Training compute (FLOP)": "training", "Finetune compute (FLOP)": "finetune",
                "Training compute lower bound": "low", "Training compute upper bound": "high",
                "Post-training compute (FLOP)": "post_training"}
DATASET = "Training dataset size (total)"
TOKENS = re.compile(r"\btokens?\b", re.IGNORECASE)
UTILIZATION = {"Hardware utilization (MFU)": "utilization", "Hardware utilization (HFU)": "hardware_utilization_hfu"}
NOTES = {"reported_flop": "Training compute notes", "training_hours": "Training time notes",
         "parameter_count": "Parameters notes", "batch_size": "Batch size notes", "utilization": "Utilization notes",
         "dataset_tokens": "Dataset size notes", "training_examples": "Dataset size notes",
         "training_tokens": "Dataset size notes", "reported_finetune_flop": "Finetune compute notes"}
STATEMENT_COLUMNS = ["Training compute notes", "Training time notes"]
# Epoch's Numerical format -> our precision names; other values stay unknown.
PRECISIONS = {"fp32": "fp32", "tf32": "tf32", "fp16": "mixed_fp16", "bf16": "mixed_bf16", "fp8": "fp8"}
FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]
PROBLEM_COLUMNS = ["Model", "run_id", "table", "column", "check_name", "reason"]


def slug(text: str) -> str:
    """An identifier as a slug (arXiv ids: 2005.14165 -> 2005_14165)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "unnamed"


def run_id_for(model_id: str) -> str:
    return f"epoch__{model_id}"


class RowReader:
    """One Epoch row's cells, collecting the problems of the cells it could not read."""

    def __init__(self, row: dict, run_id: str):
        self.row, self.run_id, self.problems = row, run_id, []

    def _keep(self, value, problem, column: str, table: str = "core__training_runs"):
        if problem:
            self.problems.append((self.row["Model"], self.run_id, table, column, *problem))
        return value

    def number(self, column: str) -> float | None:
        return self._keep(*read_number(self.row.get(column), column), column)

    def utilization(self, column: str) -> float | None:
        return self._keep(*read_utilization(self.row.get(column), column), column)

    def date(self, column: str) -> str | None:
        return self._keep(*read_date(self.row.get(column), column), column, "core__papers")

    def link(self, column: str) -> str | None:
        return self._keep(*read_link(self.row.get(column), column), column, "core__papers")

    def text(self, column: str) -> str | None:
        return read_text(self.row.get(column))


def domains_of(text: str | None) -> list[str]:
    """Epoch's Domain list ('Multimodal,Language,Vision') as our domain names, in Epoch's order."""
    names = [d.strip().lower() for d in (text or "").split(",") if d.strip()]
    return [d for d in names if d in DOMAINS]


def map_paper(reader: RowReader, model_id: str) -> dict:
    link = reader.link("Link")
    match = ARXIV_LINK.search(reader.text("Link") or "")
    arxiv_id = match.group(1) if match else None
    model = reader.row["Model"]
    return {
        "paper_id": f"arxiv_{slug(arxiv_id)}" if arxiv_id else run_id_for(model_id),
        "title": reader.text("Reference") or model, "published_date": reader.date("Publication date"),
        "url": link, "arxiv_id": arxiv_id, "doi": None,
        "note": f"from {SOURCE_NAME}, model {model!r}", "source": SOURCE, "source_record": f"{SOURCE}:{model}",
    }


def _fact(run_id: str, name: str, value, column: str, note) -> tuple:
    return (run_id, name, json.dumps(value), None, None, f"{SOURCE_NAME}, column {column!r}", note, SOURCE)


def _reported(reader: RowReader, run: dict, is_finetune: bool) -> list[tuple]:
    """Epoch's figure: the fine-tune's own compute for a fine-tune (its total kept apart), else the
    training compute with its bounds; bounds alone give their geometric mean as the point."""
    flop = {kind: reader.number(column) for column, kind in FLOP_COLUMNS.items()}
    low, high, facts = flop["low"], flop["high"], []
    note = reader.text("Training compute notes")
    point = flop["training"]
    if point is None and low and high and low <= high:
        point = math.sqrt(low * high)
        facts.append(_fact(run["run_id"], "reported_flop_from_bounds", point, "Training compute lower bound",
                           "Epoch gives bounds but no point value: the point is their geometric mean"))
    if point is not None and ((low and low > point) or (high and high < point)):
        reader.problems.append((reader.row["Model"], run["run_id"], "core__training_runs", "Training compute lower bound",
                                "bounds_hold_value", f"Training compute lower bound {low:g} and upper bound {high:g} "
                                f"do not hold the figure {point:g}" if low and high else
                                f"Training compute {'lower' if low else 'upper'} bound {low or high:g} is on the wrong "
                                f"side of the figure {point:g}"))
        low = high = None
    both = low is not None and high is not None and low <= high
    if is_finetune:
        run.update(reported_flop=flop["finetune"], reported_total_flop=point)
    else:
        run.update(reported_flop=point, reported_flop_low=low if both else None, reported_flop_high=high if both else None)
    for name, value, column in (("reported_flop", run.get("reported_flop"), "Finetune compute (FLOP)" if is_finetune
                                 else "Training compute (FLOP)"),
                                ("reported_total_flop", run.get("reported_total_flop"), "Training compute (FLOP)"),
                                ("reported_post_training_flop", flop["post_training"], "Post-training compute (FLOP)")):
        if value is not None:
            facts.append(_fact(run["run_id"], name, value, column, note if name != "reported_post_training_flop" else None))
    return facts


def _dataset(reader: RowReader, run: dict, domains: list[str]) -> list[tuple]:
    """Epoch's dataset size is one epoch's datapoints: tokens for language models (the domain is
    Language alone, or the dataset note counts tokens), examples (images, pairs, clips, ...) otherwise,
    never mixed: a multimodal model's 400M image-text pairs are not tokens. A token count without
    Epochs is read as one pass, as Epoch's own operation counts read it (6 x parameters x size)."""
    size = reader.number(DATASET)
    if size is None:
        return []
    notes = reader.text("Dataset size notes") or ""
    if domains == ["language"] or TOKENS.search(notes):
        name = "dataset_tokens" if run.get("epochs") else "training_tokens"
        note = None if run.get("epochs") else "Epochs is empty: the dataset size is read as tokens seen (one pass)"
    else:
        name, note = "training_examples", "datapoints per epoch (not tokens): domain " + (", ".join(domains) or "unknown")
    run[name] = size
    run["dataset_size_unit"] = "tokens" if name != "training_examples" else "datapoints"
    return [_fact(run["run_id"], name, size, DATASET, note or notes or None)]


def map_run(reader: RowReader, paper_id: str, base_ids: dict[str, str]) -> tuple[dict, list[tuple]]:
    """One training run and its facts from one Epoch row; unknown or bad cells stay null."""
    row, run_id = reader.row, reader.run_id
    domains = domains_of(reader.text("Domain"))
    hardware = [h.strip() for h in (reader.text("Training hardware") or "").split(",") if h.strip()]
    base = reader.text("Base model")
    method = reader.text("Training compute estimation method")
    run = {
        "run_id": run_id, "paper_id": paper_id, "system": row["Model"], "domain": (domains or ["other"])[0],
        "hardware_text": hardware[0] if len(hardware) == 1 else None,
        "precision": PRECISIONS.get((reader.text("Numerical format") or "").lower()),
        "reported_flop_source": "Epoch AI", "reported_flop_confidence": reader.text("Confidence"),
        "reported_flop_method": method, "base_model": base, "base_run_id": base_ids.get(base) if base else None,
        "is_frontier": {"true": True, "false": False}.get((reader.text("Frontier model") or "").lower()),
        "hardware_statement": " ".join(t for t in (reader.text(c) for c in STATEMENT_COLUMNS) if t) or None,
        "hardware_statement_where": f"{SOURCE_NAME}: {', '.join(STATEMENT_COLUMNS)}",
        "source": SOURCE, "source_record": f"{SOURCE}:{row['Model']}",
    }
    facts = []
    for column, name in NUMBER_FACTS.items():
        run[name] = reader.number(column)
        if run[name] is not None:
            facts.append(_fact(run_id, name, run[name], column, reader.text(NOTES.get(name, ""))))
    for column, name in UTILIZATION.items():
        run[name] = reader.utilization(column)
        if run[name] is not None:
            facts.append(_fact(run_id, name, run[name], column, reader.text("Utilization notes")))
    if run["utilization"] is None and run["hardware_utilization_hfu"] is not None:
        run["utilization"] = run["hardware_utilization_hfu"]
        facts.append(_fact(run_id, "utilization", run["utilization"], "Hardware utilization (HFU)",
                           "no MFU given: the hardware FLOP utilization stands in for it"))
    facts += _dataset(reader, run, domains) + _reported(reader, run, base is not None)
    if len(hardware) > 1:
        facts.append(_fact(run_id, "hardware_text", ", ".join(hardware), "Training hardware",
                           "several chips listed: no single hardware_text"))
    return run, facts


def map_epoch_models(ok: pd.DataFrame, ids: pd.Series, base_ids: dict[str, str]) -> tuple[pd.DataFrame, ...]:
    """(papers, runs, facts, cell problems) from Epoch rows that have a Model (merged by epoch_ids);
    `ids`: each row's model id (ok's index), `base_ids`: base model name -> run id over the whole table.
    Papers and runs carry their row's source_row; papers are one per row (the caller keeps the first)."""
    papers, runs, facts, problems = [], [], [], []
    for index, row in zip(ok.index, frame_rows(ok)):  # plain dicts: a Series per row cost more than the row
        reader = RowReader(row, run_id_for(ids[index]))
        papers.append(map_paper(reader, ids[index]) | {"source_row": row["source_row"]})
        run, run_facts = map_run(reader, papers[-1]["paper_id"], base_ids)
        runs.append(run | {"source_row": row["source_row"]})
        facts.extend(run_facts)
        problems.extend(reader.problems)
    return (pd.DataFrame(papers), pd.DataFrame(runs), pd.DataFrame(facts, columns=FACT_COLUMNS),
            pd.DataFrame(problems, columns=PROBLEM_COLUMNS))


RAW_PACKED = ("record",)  # raw_epoch__models columns held in a spool until landing (SourceBatch.packed)


def raw_records(ok: pd.DataFrame, keys: pd.Series, location: str, file_sha256: str,
                spool: TextSpool | None = None) -> pd.DataFrame:
    """raw_epoch__models rows: Epoch's columns untouched, as one JSON object per record; with a `spool`, the
    records wait there (SpooledText cells) until landing reads them back slice by slice."""
    records = [json.dumps({c: v for c, v in row.items() if c != "source_row" and isinstance(v, str)},
                          ensure_ascii=False) for row in frame_rows(ok)]
    records = spool.put(records) if spool is not None else records
    return pd.DataFrame({"record_key": keys.to_numpy(), "source_row": ok["source_row"].to_numpy(),
                         "record": records, "source_location": location, "file_sha256": file_sha256})
