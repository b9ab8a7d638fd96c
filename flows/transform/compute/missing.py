"""Why a run has no estimate for a method: the inputs it lacks, in one sentence a reviewer can act on.

Pure: a run's facts and its spec row as plain dicts in, text out. The rules mirror the methods
(operations.py, hardware.py, comparison.estimate_reported); `review serve` shows the text on a
run's page, and `review show` can too.
"""

from __future__ import annotations

import math

from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.hardware import PRECISION_COLUMNS


def _has(record: dict | None, key: str) -> bool:
    """A positive number (or non-empty text) under `key`."""
    value = (record or {}).get(key)
    if isinstance(value, str):
        return bool(value.strip())
    try:
        return value is not None and math.isfinite(float(value)) and float(value) > 0
    except (TypeError, ValueError):
        return False


def _missing_operations(run: dict) -> str | None:
    has = lambda key: _has(run, key)  # noqa: E731
    architecture = [k for k in ("forward_flop_per_example", "training_examples", "epochs") if not has(k)]
    tokens = has("training_tokens") or (has("dataset_tokens") and has("epochs"))
    six_nd = ([] if has("parameter_count") or has("active_parameter_count") else ["parameter_count"]) + \
        ([] if tokens else ["training_tokens (or dataset_tokens x epochs)"])
    if not architecture or not six_nd:
        return None
    return (f"no operations estimate: the architecture count lacks {', '.join(architecture)} and "
            f"6 x parameters x tokens lacks {' and '.join(six_nd)}")


def _peak_columns(run: dict, spec: dict, rules: AssumptionSet) -> list[str]:
    """The spec columns the hardware method would try for this run, in order."""
    stated = run.get("precision")
    columns = list(PRECISION_COLUMNS.get(stated, ())) if isinstance(stated, str) else []
    kind = spec.get("kind") if isinstance(spec.get("kind"), str) else "gpu"
    return columns + [r.column for r in rules.peak_order if r.applies_to(kind)]


def _missing_hardware(run: dict, spec: dict | None, rules: AssumptionSet) -> str | None:
    text = run.get("hardware_text")
    if not _has(run, "hardware_id"):
        if _has(run, "hardware_text"):
            return (f"no hardware estimate: the hardware {text!r} matches no chip in the spec table "
                    "(see `flopledger hardware unresolved`)")
        return "no hardware estimate: the source names no training hardware"
    if not _has(run, "chip_hours"):
        lacking = [label for key, label in (("chip_count", "chip count"), ("training_hours", "training time"))
                   if not _has(run, key)]
        if lacking:
            return f"no hardware estimate: no chip-hours and no {' and no '.join(lacking)}"
    if _has(run, "peak_flop_per_second_override"):
        return None
    if spec is None:
        return f"no hardware estimate: {run['hardware_id']} has no row in the spec table"
    columns = _peak_columns(run, spec, rules)
    if any(_has(spec, f"{c}_flop_per_second") for c in columns):
        return None
    precision = run.get("precision") if isinstance(run.get("precision"), str) else "unstated"
    name = spec.get("name") or run["hardware_id"]
    return (f"no hardware estimate: {name} has no peak FLOP/s for the {precision} precision nor any in "
            f"{rules.name}'s order (looked for {', '.join(dict.fromkeys(columns))})")


def explain_missing(method: str, run: dict | None, spec: dict | None, rules: AssumptionSet) -> str | None:
    """Why `method` ('operations', 'hardware' or 'reported') has no estimate for the run, or None
    when its inputs are all there (then any missing row is a zero or a pipeline not yet re-run)."""
    if run is None:
        return f"no {method} estimate: the run is not in training_runs"
    if method == "operations":
        return _missing_operations(run)
    if method == "hardware":
        return _missing_hardware(run, spec, rules)
    if method == "reported":
        return None if _has(run, "reported_flop") else "no reported figure: the source states no training compute"
    raise ValueError(f"method must be operations, hardware or reported, got {method!r}")
