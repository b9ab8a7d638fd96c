"""Full-text facts grouped into candidate runs: one per model size the paper trains.

Only facts whose role is 'training' (the paper's own model) feed a run. Each distinct parameter
count is a size; a fact whose sentence names a size ('the 6.7B model was trained for 300B tokens')
goes to that size, a fact naming none is shared by every size (a paper's one hardware set-up). A
paper with training facts but no parameter count gives one run ('main'). Within a run the first
stated value (in document order) of each fact is used; a size-specific value beats a shared one.
"""

from __future__ import annotations

import re

import pandas as pd

from flows.transform.papers.fulltext_facts import scaled
from flows.transform.papers.fulltext_patterns import SIZE
from schemas.frames import ensure_columns
from schemas.training_run import TrainingRun

_EMPTY_RUNS = ensure_columns(pd.DataFrame(), list(TrainingRun.to_schema().columns) + ["run_key"])
RUN_FACTS = ["parameter_count", "training_tokens", "dataset_tokens", "training_examples", "epochs", "batch_size",
             "batch_tokens", "sequence_length", "training_steps", "hardware", "chip_count", "training_hours",
             "chip_hours", "precision", "utilization"]
RUN_COLUMNS = {"parameter_count": "parameter_count", "training_tokens": "training_tokens",
               "dataset_tokens": "dataset_tokens", "training_examples": "training_examples", "epochs": "epochs",
               "batch_size": "batch_size", "batch_tokens": "batch_tokens", "hardware": "hardware_text",
               "chip_count": "chip_count", "training_hours": "training_hours", "chip_hours": "chip_hours",
               "precision": "precision", "utilization": "utilization"}


def size_key(parameters: float) -> str:
    """1.3e9 -> '1.3b', 350e6 -> '350m'."""
    for scale, letter in ((1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k")):
        if parameters >= scale:
            return f"{parameters / scale:.4g}{letter}"
    return f"{parameters:.4g}"


def _size_named(sentence: str, at: int, sizes: dict[str, float]) -> str:
    """The size a sentence names for the fact at offset `at`: the nearest one before it, else the first
    after it; '*' (shared) when the sentence names none of the paper's sizes."""
    named = []
    for m in SIZE.finditer(sentence):
        value = scaled(m["num"], m["scale"])
        named += [(m.start(), k) for k, v in sizes.items() if abs(v - value) <= 0.01 * v]
    before = [key for position, key in named if position < at]
    after = [key for position, key in named if position >= at]
    return before[-1] if before else (after[0] if after else "*")


def assign_runs(facts: pd.DataFrame) -> pd.DataFrame:
    """The training facts with `run_key` (a size key, or '*' for shared); other roles are left out."""
    own = facts[facts["role"] == "training"].copy()
    params = own[own["fact"] == "parameter_count"]
    sizes = {size_key(v): float(v) for v in params["value"]}
    if not sizes:
        return own.assign(run_key="main" if not own.empty else None)
    keys = []
    for fact, value, sentence, start, s0 in zip(own["fact"], own["value"], own["sentence"], own["start"],
                                                 own["sentence_start"]):
        keys.append(size_key(float(value)) if fact == "parameter_count" else _size_named(sentence, start - s0, sizes))
    return own.assign(run_key=keys)


def _pick(run_facts: pd.DataFrame, fact: str) -> pd.Series | None:
    rows = run_facts[run_facts["fact"] == fact]
    if rows.empty:
        return None
    specific = rows[rows["run_key"] != "*"]
    return (specific if not specific.empty else rows).iloc[0]


def candidate_runs(facts: pd.DataFrame, paper_id: str, system: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs in the TrainingRun shape plus `run_key`, the facts used with their run_id)."""
    assigned = assign_runs(facts)
    if assigned.empty:  # most papers: no training fact (skip building frames, the per-paper cost)
        return _EMPTY_RUNS.copy(), pd.DataFrame(columns=list(facts.columns) + ["run_key", "run_id"])
    keys = [k for k in dict.fromkeys(assigned["run_key"]) if k not in ("*", None)] or (["main"] if not assigned.empty else [])
    slug = re.sub(r"[^a-z0-9_\-.]+", "_", paper_id.lower()).strip("_") or "paper"
    runs, used = [], []
    for key in keys:
        mine = assigned[assigned["run_key"].isin([key, "*"])]
        run_id = f"{slug}__fulltext__{key}"
        row = {"run_id": run_id, "paper_id": paper_id, "run_key": key, "source": "fulltext",
               "system": f"{system or paper_id} ({key})" if key != "main" else (system or paper_id),
               "source_record": paper_id}
        for fact in RUN_FACTS:
            picked = _pick(mine, fact)
            if picked is None:
                continue
            used.append(picked.to_dict() | {"run_id": run_id})
            if fact in RUN_COLUMNS:
                row[RUN_COLUMNS[fact]] = picked["value"]
            if fact == "hardware":
                row["hardware_id"] = picked["hardware_id"]
            if fact == "training_hours":
                row["training_hours_low"], row["training_hours_high"] = picked["low"], picked["high"]
        row["domain"] = "language" if any(c in row for c in ("training_tokens", "dataset_tokens")) else "other"
        runs.append(row)
    frame = ensure_columns(pd.DataFrame(runs), list(TrainingRun.to_schema().columns) + ["run_key"])
    return frame, pd.DataFrame(used, columns=list(facts.columns) + ["run_key", "run_id"])
