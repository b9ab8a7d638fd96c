"""Why a run has no estimate by a method under an assumption set, in words, for `review show`
(issue 17): the same rules the two methods apply, read backwards from the run and its spec row."""

from __future__ import annotations

import math

from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.hardware import PRECISION_COLUMNS


def _known(record: dict | None, key: str) -> bool:
    value = (record or {}).get(key)
    if value is None or isinstance(value, str) and not value.strip():
        return False
    return not (isinstance(value, float) and math.isnan(value))


def why_no_operations(run: dict) -> str:
    """Operations needs parameters x tokens (6ND), forward FLOP x examples, or a reported figure."""
    have = [k for k in ("parameter_count", "training_tokens", "dataset_tokens", "forward_flop_per_example",
                        "training_examples", "epochs") if _known(run, k)]
    said = f"it states only {', '.join(have)}" if have else "it states none of them"
    return ("neither parameter_count with training_tokens (or dataset_tokens x epochs) nor "
            f"forward_flop_per_example with training_examples is known; {said}")


def _peak_columns(run: dict, spec: dict, rules: AssumptionSet) -> list[str]:
    precision = run.get("precision") if _known(run, "precision") else None
    if precision in PRECISION_COLUMNS:
        return list(PRECISION_COLUMNS[precision])
    return [r.column for r in rules.peak_order if r.applies_to(spec.get("kind") or "gpu")]


def why_no_hardware(run: dict, spec: dict | None, rules: AssumptionSet) -> str:
    """Hardware needs a resolved chip, chips x hours (or chip-hours) and a peak the set can read."""
    if not _known(run, "hardware_id"):
        text = run.get("hardware_text") if _known(run, "hardware_text") else None
        return f"the hardware {text!r} resolves to no chip in the spec table" if text else "the run names no hardware"
    if not (_known(run, "chip_hours") or (_known(run, "chip_count") and _known(run, "training_hours"))):
        lacking = [k for k in ("chip_count", "training_hours") if not _known(run, k)]
        return f"no chip-hours and no {' or '.join(lacking)}"
    if spec is None:
        return f"{run['hardware_id']} is not in the spec table"
    columns = _peak_columns(run, spec, rules)
    if not any(_known(spec, f"{c}_flop_per_second") for c in columns):
        wanted = " or ".join(c.upper().replace("_TENSOR", " tensor") for c in columns)
        stated = f" (stated precision {run['precision']})" if _known(run, "precision") else ""
        chip = spec.get("hardware_family") or spec.get("family") or spec.get("name")  # the view's name, the seed's
        return f"{chip} has no {wanted} peak under {rules.name}{stated}"
    return "the inputs multiply to no positive figure"


def why_missing(method: str, run: dict | None, spec: dict | None, rules: AssumptionSet | None) -> str:
    if run is None:
        return "the run is not in training_runs"
    if method == "operations":
        return why_no_operations(run)
    if rules is None:
        return "its assumption set is not in the assumptions file"
    return why_no_hardware(run, spec, rules)
