"""Read-only queries behind `flopledger review list` and `review show`."""

from __future__ import annotations

import json

import pandas as pd


QUEUE_COLUMNS = [
    "run_id", "assumption_set", "review_status", "severity", "ratio", "log10_ratio", "flag_reason",
    "operations_flop", "hardware_flop", "reported_flop", "operations_formula", "operations_inputs",
    "hardware_formula", "hardware_inputs", "hardware_id", "chip_count", "source", "worst_log10_ratio",
]
QUEUE_SQL = """
SELECT c.run_id, c.assumption_set, c.review_status, c.severity, c.ratio, c.log10_ratio, c.flag_reason,
       c.operations_flop, c.hardware_flop, c.reported_flop, o.formula AS operations_formula, o.inputs AS operations_inputs,
       h.formula AS hardware_formula, h.inputs AS hardware_inputs, t.hardware_id, t.chip_count, t.source,
       greatest(abs(c.log10_ratio), abs(log10(c.reported_operations_ratio)),
                abs(log10(c.reported_hardware_ratio))) AS worst_log10_ratio
FROM compute_comparison c
LEFT JOIN compute_estimates o ON o.run_id = c.run_id AND o.assumption_set = c.assumption_set AND o.method = 'operations'
LEFT JOIN compute_estimates h ON h.run_id = c.run_id AND h.assumption_set = c.assumption_set AND h.method = 'hardware'
LEFT JOIN training_runs t ON t.run_id = c.run_id
WHERE list_contains($statuses, c.review_status) AND ($set IS NULL OR c.assumption_set = $set)
  AND ($source IS NULL OR t.source = $source)
ORDER BY CASE c.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
         worst_log10_ratio DESC NULLS LAST, c.run_id, c.assumption_set
"""


def describe_inputs(inputs: str | None) -> str | None:
    """An estimate's inputs JSON as short text: 'parameters=1.75e+11 training_tokens=3e+11'."""
    if inputs is None:
        return None
    try:
        values = json.loads(inputs)
    except ValueError:
        return inputs
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    return " ".join(f"{k}={v:g}" if number(v) else f"{k}={v}" for k, v in values.items())


def review_queue(con, assumption_set: str | None = None, include_all: bool = False,
                 source: str | None = None) -> pd.DataFrame:
    """Open and stale reviews (plus resolved ones with include_all), worst disagreement first (the
    largest |log10| over the three compared pairs, a reported figure against both methods included);
    `source` keeps the runs of one source (epoch: Epoch's figures that miss their own inputs)."""
    statuses = ["open", "stale", "resolved"] if include_all else ["open", "stale"]
    queue = con.execute(QUEUE_SQL, {"statuses": statuses, "set": assumption_set, "source": source}).df()
    for method in ("operations", "hardware"):
        queue[f"{method}_inputs"] = [describe_inputs(v if isinstance(v, str) else None) for v in queue[f"{method}_inputs"]]
    return queue[QUEUE_COLUMNS]


DETAIL_QUERIES = {  # section -> (query, whether it has an assumption_set column to filter on)
    "facts": ("SELECT fact, value, low, high, where_in_source, note, source FROM run_facts WHERE run_id = $run ORDER BY fact", False),
    "extractions": ("SELECT field, outcome, extracted_value, stated_value, span_start, span_end, span_text, sentence, "
                    "where_in_source, source FROM run_extractions WHERE run_id = $run ORDER BY span_start NULLS LAST, field", False),
    "estimates": ("SELECT assumption_set, method, formula, inputs, flop, flop_low, flop_high, pfs_days, uncertainty, "
                  "hardware_burden_flop FROM compute_estimates WHERE run_id = $run {set} ORDER BY assumption_set, method", True),
    "comparison": ("SELECT * FROM compute_comparison WHERE run_id = $run {set} ORDER BY assumption_set", True),
    "decisions": ("SELECT * FROM review_decisions WHERE run_id = $run {set} ORDER BY decided_at, decision_id", True),
}


def _first_row(con, query: str, params) -> dict | None:
    frame = con.execute(query, params).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def describe_assumption_sets(names, known: dict) -> dict[str, dict | None]:
    """What each named assumption set assumes (`known`: name -> parsed set; None for a set it lacks)."""
    return {name: None if name not in known else {
        "description": known[name].description, "source_url": known[name].source_url,
        "utilization_by_kind": known[name].utilization_by_kind, "utilization_by_domain": known[name].utilization_by_domain,
        "peak_order": [r.column + (f" ({', '.join(r.kinds)} only)" if r.kinds else "") for r in known[name].peak_order],
        "flag_ratio": known[name].flag_ratio,
    } for name in sorted(names)}


def run_details(con, run_id: str, assumption_set: str | None = None, known_sets: dict | None = None) -> dict:
    """Everything behind one run's estimates, for `review show`: sections of dicts and DataFrames."""
    sets = [r[0] for r in con.execute("SELECT DISTINCT assumption_set FROM out__compute_comparison WHERE run_id = ? "
                                      "ORDER BY 1", [run_id]).fetchall()]
    run = _first_row(con, "SELECT * FROM training_runs WHERE run_id = ?", [run_id])
    if run is None and not sets:
        raise ValueError(f"unknown run_id {run_id!r}; see `flopledger review list --all` or the training_runs view")
    if assumption_set is not None and sets and assumption_set not in sets:
        raise ValueError(f"run {run_id!r} has no comparison under assumption set {assumption_set!r}; it has: {', '.join(sets)}")
    details = {"run": run, "hardware": None}
    if run is not None and isinstance(run.get("hardware_id"), str):
        details["hardware"] = _first_row(con, "SELECT * FROM hardware_specs WHERE hardware_id = ?", [run["hardware_id"]])
    for section, (query, by_set) in DETAIL_QUERIES.items():
        params = {"run": run_id} | ({"set": assumption_set} if by_set and assumption_set else {})
        details[section] = con.execute(query.format(set="AND assumption_set = $set" if "set" in params else ""), params).df()
    used = set(details["estimates"]["assumption_set"]) | set(details["comparison"]["assumption_set"])
    details["assumption_sets"] = describe_assumption_sets(used | {assumption_set} - {None}, known_sets or {})
    return details
