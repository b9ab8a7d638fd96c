"""Method 1 from the architecture for runs whose model has a config (issue 16, item 3).

Pure: the configs come in as parsed dicts keyed by name; the pipeline reads them (bundled files
for curated runs, Hugging Face downloads for Epoch rows) and wires the three frames this returns:
operations estimates with formula `architecture`, parameter checks (computed vs stated), and the
runs whose config could not be counted, each with its reason (never a guessed estimate).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from flows.transform.compute.architecture_count import count_architecture
from flows.transform.compute.conventions import Convention, get_convention
from flows.transform.compute.shape import ArchitectureError

FORMULA = "architecture"
# issue 16: a parameter count computed from the config more than 5% from the stated one goes to review
PARAMETER_GAP_LIMIT = 0.05
CHECK_COLUMNS = ["run_id", "model_config", "computed_parameter_count", "stated_parameter_count",
                 "computed_active_parameter_count", "stated_active_parameter_count", "parameter_gap",
                 "is_flagged", "flag_reason"]


def _number(row: dict, column: str) -> float | None:
    value = pd.to_numeric(row.get(column), errors="coerce")
    return None if pd.isna(value) or value <= 0 else float(value)


def _gap(computed: int, stated: float | None) -> float:
    return np.nan if stated is None else abs(computed - stated) / stated


def _check(row: dict, count: dict) -> dict:
    stated, stated_active = _number(row, "parameter_count"), _number(row, "active_parameter_count")
    gaps = {"parameters": _gap(count["parameter_count"], stated),
            "active parameters": _gap(count["active_parameter_count"], stated_active)}
    reasons = [f"{name}: computed {computed:,} vs stated {given:,.0f} ({gap:.1%} apart, limit {PARAMETER_GAP_LIMIT:.0%})"
               for (name, gap), computed, given in zip(gaps.items(), (count["parameter_count"], count["active_parameter_count"]),
                                                       (stated, stated_active))
               if given is not None and gap > PARAMETER_GAP_LIMIT]
    return {"run_id": row["run_id"], "model_config": row["model_config"],
            "computed_parameter_count": count["parameter_count"], "stated_parameter_count": stated,
            "computed_active_parameter_count": count["active_parameter_count"],
            "stated_active_parameter_count": stated_active,
            "parameter_gap": np.nanmax(list(gaps.values())) if any(pd.notna(g) for g in gaps.values()) else np.nan,
            "is_flagged": bool(reasons), "flag_reason": "; ".join(reasons) or None}


def _estimate(row: dict, count: dict, assumption_set: str) -> dict | None:
    tokens = _number(row, "training_tokens")
    if tokens is None:
        return None
    per_token = count["training_flop_per_token"]
    low, high = (_number(row, f"training_tokens_{end}") or tokens for end in ("low", "high"))
    inputs = {"model_config": row["model_config"], "seq_len": count["seq_len"], "convention": count["convention"],
              "forward_flop_per_token": count["forward_flop_per_token"], "training_flop_per_token": per_token,
              "training_tokens": tokens, "parameter_count": count["parameter_count"],
              "active_parameter_count": count["active_parameter_count"]}
    return {"run_id": row["run_id"], "method": "operations", "assumption_set": assumption_set,
            "flop": per_token * tokens, "flop_low": per_token * low, "flop_high": per_token * high,
            "formula": FORMULA, "inputs": json.dumps(inputs),
            "uncertainty": f"training_tokens {low:.3g}-{high:.3g}" if low < high else None,
            "hardware_burden_flop": np.nan}


def estimate_from_architecture(runs: pd.DataFrame, configs: Mapping[str, dict], assumption_set: str,
                               convention: Convention | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(estimates, parameter checks, problems) for the runs with a `model_config` in `configs`.

    runs: run_id, model_config, training_tokens(_low/_high), parameter_count, active_parameter_count,
    seq_len (optional; default the config's context). A run with a config but no training tokens
    gets a parameter check and no estimate; a config that cannot be counted is a problem row.
    """
    convention = convention or get_convention()
    estimates, checks, problems = [], [], []
    named = runs["model_config"].map(lambda v: isinstance(v, str) and bool(v)).to_numpy(dtype=bool) \
        if "model_config" in runs else np.zeros(len(runs), dtype=bool)
    for row in runs[named].to_dict("records"):  # only runs naming a config: a 10x Epoch table boxed 33k rows for ~0
        name = row["model_config"]
        if name not in configs:
            problems.append({"run_id": row["run_id"], "model_config": name, "reason": f"no config named {name!r}"})
            continue
        seq_len = _number(row, "seq_len")
        try:
            count = count_architecture(configs[name], int(seq_len) if seq_len else None, convention=convention)
        except ArchitectureError as err:
            problems.append({"run_id": row["run_id"], "model_config": name, "reason": str(err)})
            continue
        checks.append(_check(row, count))
        estimate = _estimate(row, count, assumption_set)
        if estimate is not None:
            estimates.append(estimate)
    return (pd.DataFrame(estimates), pd.DataFrame(checks, columns=CHECK_COLUMNS),
            pd.DataFrame(problems, columns=["run_id", "model_config", "reason"]))
