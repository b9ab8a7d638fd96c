"""Method 1, operations: count the arithmetic of training (OpenAI 2018, method 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.frames import ensure_columns, records_to_json

# OpenAI 2018 appendix: the backward pass costs about twice the forward, so training = 3 x forward
TRAINING_PASSES_PER_FORWARD = 3.0
# Kaplan et al. 2020 ("Scaling Laws for Neural Language Models"): C ~ 6 N D for dense transformers
FLOP_PER_PARAMETER_PER_TOKEN = 6.0

INPUT_COLUMNS = [
    "forward_flop_per_example", "training_examples", "epochs",
    "parameter_count", "active_parameter_count", "training_tokens", "operations_multiplier",
]
FORMULA_ARCHITECTURE = "forward_flop_per_example x 3 x training_examples x epochs"
FORMULA_TOKENS = "6 x parameters x training_tokens"


def estimate_operations(runs: pd.DataFrame, assumption_set: str) -> pd.DataFrame:
    """One operations estimate per run that has the inputs for it; others get no row.

    The architecture count (forward FLOP per example) wins over 6ND when both are known,
    because it counts this model's arithmetic rather than a transformer rule of thumb.
    """
    runs = ensure_columns(runs, ["run_id", *INPUT_COLUMNS]).copy()
    num = {c: pd.to_numeric(runs[c], errors="coerce") for c in INPUT_COLUMNS}
    by_architecture = num["forward_flop_per_example"] * TRAINING_PASSES_PER_FORWARD * num["training_examples"] * num["epochs"]
    parameters = num["active_parameter_count"].fillna(num["parameter_count"])
    by_tokens = FLOP_PER_PARAMETER_PER_TOKEN * parameters * num["training_tokens"]
    flop = by_architecture.fillna(by_tokens) * num["operations_multiplier"].fillna(1.0)
    formula = np.where(by_architecture.notna(), FORMULA_ARCHITECTURE, FORMULA_TOKENS)
    runs["flop"] = flop
    runs["formula"] = formula
    runs["parameters_used"] = parameters
    has = runs["flop"].notna() & (runs["flop"] > 0)
    out = runs.loc[has]
    inputs = _inputs_json(out)
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(),
        "method": "operations",
        "assumption_set": assumption_set,
        "flop": out["flop"].astype(float).to_numpy(),
        "flop_low": out["flop"].astype(float).to_numpy(),
        "flop_high": out["flop"].astype(float).to_numpy(),
        "formula": out["formula"].to_numpy(),
        "inputs": inputs,
    })


def _inputs_json(out: pd.DataFrame) -> list[str]:
    arch = records_to_json(out, ["forward_flop_per_example", "training_examples", "epochs", "operations_multiplier"])
    tokens = records_to_json(out.rename(columns={"parameters_used": "parameters"}),
                             ["parameters", "training_tokens", "operations_multiplier"])
    return [a if f == FORMULA_ARCHITECTURE else t for a, t, f in zip(arch, tokens, out["formula"])]
