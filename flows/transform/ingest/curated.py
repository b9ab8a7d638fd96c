"""Curated raw records (one JSON per paper file) -> core papers, runs and facts."""

from __future__ import annotations

import json

import pandas as pd

SOURCE = "curated"
PAPER_FIELDS = ["paper_id", "title", "published_date", "url", "arxiv_id", "doi", "note"]
RUN_FIELDS = ["run_id", "system", "domain", "hardware_text", "base_run_id", "model_config"]
FACTS = [
    "parameter_count", "active_parameter_count", "training_tokens", "dataset_tokens", "training_examples",
    "epochs", "batch_size", "batch_tokens", "forward_multiply_adds_per_example", "chip_count", "training_hours",
    "chip_hours", "precision", "utilization", "reported_flop", "ensemble_members",
]
# Facts a paper may hedge ("5-6 days", "about 2-3 epochs"): their low/high land as <fact>_low/_high.
HEDGED_FACTS = [
    "parameter_count", "active_parameter_count", "training_tokens", "dataset_tokens", "training_examples",
    "epochs", "forward_multiply_adds_per_example", "chip_count", "training_hours", "chip_hours", "reported_flop",
]
OVERRIDES = {"peak_flop_per_second": "peak_flop_per_second_override", "utilization": "utilization_override",
             "hardware_multiplier": "hardware_multiplier", "operations_multiplier": "operations_multiplier"}
FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]


def _fact_parts(raw) -> dict:
    """A fact is {value, where, low, high, note}; a bare scalar is a value with no place."""
    return raw if isinstance(raw, dict) else {"value": raw}


def _midpoint(low, high):
    try:
        return (float(low) + float(high)) / 2
    except (TypeError, ValueError):
        return None


def _flatten_run(run: dict, paper_id: str, source_file: str) -> tuple[dict, list[tuple]]:
    facts = run.get("facts") or {}
    row = {f: run.get(f) for f in RUN_FIELDS}
    row.update(paper_id=paper_id, source=SOURCE, source_record=source_file)
    statement = _fact_parts(run.get("hardware_statement"))
    row["hardware_statement"] = statement.get("value", statement.get("text"))
    row["hardware_statement_where"] = statement.get("where")
    fact_rows, unknown, uncited = [], [], []
    for name, raw in sorted(facts.items()):
        parts = _fact_parts(raw)
        if name not in FACTS:
            unknown.append(name)
            continue
        value = parts.get("value")
        if value is None and name in HEDGED_FACTS:
            value = _midpoint(parts.get("low"), parts.get("high"))
        row[name] = value
        if name in HEDGED_FACTS:
            row[f"{name}_low"], row[f"{name}_high"] = parts.get("low"), parts.get("high")
        if not parts.get("where"):
            uncited.append(name)
        fact_rows.append((run.get("run_id"), name, json.dumps(value), parts.get("low"), parts.get("high"),
                          parts.get("where"), parts.get("note"), SOURCE))
    sources, reasons = [], []
    for name, column in OVERRIDES.items():
        parts = _fact_parts((run.get("overrides") or {}).get(name))
        row[column] = parts.get("value")
        if parts.get("value") is not None:
            sources.append(f"{name}: {parts.get('source') or 'no source given'}")
            if parts.get("reason"):
                reasons.append(f"{name}: {parts['reason']}")
    row["override_source"] = "; ".join(sources) or None
    row["multiplier_reason"] = "; ".join(reasons) or None
    row["unknown_facts"] = ", ".join(unknown) or None
    row["facts_missing_where"] = ", ".join(uncited) or None
    return row, fact_rows


def flatten_curated(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(papers, runs, facts) from raw curated records; values are left as written for validation."""
    papers, runs, facts = [], [], []
    for source_file, text in zip(raw["source_file"], raw["record"]):
        record = json.loads(text)
        paper = {f: record.get(f) for f in PAPER_FIELDS}
        paper.update(source=SOURCE, source_record=source_file)
        papers.append(paper)
        for run in record.get("runs") or []:
            row, fact_rows = _flatten_run(run if isinstance(run, dict) else {}, record.get("paper_id"), source_file)
            runs.append(row)
            facts.extend(fact_rows)
    return pd.DataFrame(papers), pd.DataFrame(runs), pd.DataFrame(facts, columns=FACT_COLUMNS)


def derive_run_columns(runs: pd.DataFrame) -> pd.DataFrame:
    """Columns computed from stated facts: forward FLOP = 2 x multiply-adds (1 MAC = 2 FLOP)."""
    def flop(suffix: str) -> pd.Series:
        return 2.0 * pd.to_numeric(runs.get(f"forward_multiply_adds_per_example{suffix}"), errors="coerce")

    runs = runs.assign(forward_flop_per_example=flop(""), forward_flop_per_example_low=flop("_low"),
                       forward_flop_per_example_high=flop("_high"))
    return runs.assign(range_problems=find_range_problems(runs))


def find_range_problems(runs: pd.DataFrame) -> pd.Series:
    """'epochs 95 outside its range [80, 90]' per run where a stated value leaves its own range."""
    problems = pd.Series("", index=runs.index, dtype=object)
    for name in HEDGED_FACTS:
        if f"{name}_low" not in runs:
            continue
        value = pd.to_numeric(runs.get(name), errors="coerce")
        low = pd.to_numeric(runs[f"{name}_low"], errors="coerce")
        high = pd.to_numeric(runs[f"{name}_high"], errors="coerce")
        bad = (low > high) | (value < low) | (value > high) | (value.isna() & (low.notna() | high.notna()))
        for i in runs.index[bad.fillna(False).to_numpy(dtype=bool)]:
            text = (f"{name} {value[i]:g} outside its range [{low[i]:g}, {high[i]:g}]" if pd.notna(value[i])
                    else f"{name} gives a low or high but no value")
            problems[i] = f"{problems[i]}; {text}" if problems[i] else text
    return problems.where(problems != "", None)
