"""Method 1, operations: count the arithmetic of training (OpenAI 2018, method 1).

Every input may carry a stated range (<input>_low/_high). The estimate is a product of
positive inputs, so its interval is the product of the lows and the product of the highs
(interval arithmetic; see the README's "Uncertainty" section).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.frames import ensure_columns, records_to_json
from flows.transform.compute.intervals import Bounds, bounds_of, describe_ranges

# OpenAI 2018 appendix: the backward pass costs about twice the forward, so training = 3 x forward
TRAINING_PASSES_PER_FORWARD = 3.0
# Kaplan et al. 2020 ("Scaling Laws for Neural Language Models"): C ~ 6 N D for dense transformers
FLOP_PER_PARAMETER_PER_TOKEN = 6.0

HEDGED_INPUTS = ["forward_flop_per_example", "training_examples", "epochs", "parameter_count",
                 "active_parameter_count", "training_tokens", "dataset_tokens"]
INPUT_COLUMNS = [*HEDGED_INPUTS, *(f"{c}_{end}" for c in HEDGED_INPUTS for end in ("low", "high")),
                 "operations_multiplier", "ensemble_members"]
FORMULA_ARCHITECTURE = "forward_flop_per_example x 3 x training_examples x epochs"
FORMULA_TOKENS = "6 x parameters x training_tokens"
FORMULA_ACTIVE = "6 x active_parameters x training_tokens"
FORMULA_DATASET = "6 x parameters x dataset_tokens x epochs"
FORMULA_DATASET_ACTIVE = "6 x active_parameters x dataset_tokens x epochs"


def _formulas(b: dict[str, Bounds]) -> tuple[Bounds, np.ndarray]:
    """The FLOP bounds and the formula used per row: architecture, else 6ND (active parameters
    for mixture-of-experts; tokens seen = dataset tokens x epochs when only those are given)."""
    arch = b["forward_flop_per_example"] * TRAINING_PASSES_PER_FORWARD * b["training_examples"] * b["epochs"]
    active = b["active_parameter_count"].point.notna()
    parameters = b["active_parameter_count"].fillna(b["parameter_count"])
    stated_tokens = b["training_tokens"].point.notna()
    tokens = b["training_tokens"].fillna(b["dataset_tokens"] * b["epochs"])
    by_tokens = parameters * tokens * FLOP_PER_PARAMETER_PER_TOKEN
    formula = np.select(
        [arch.point.notna(), stated_tokens & active, stated_tokens, active],
        [FORMULA_ARCHITECTURE, FORMULA_ACTIVE, FORMULA_TOKENS, FORMULA_DATASET_ACTIVE], FORMULA_DATASET)
    return arch.fillna(by_tokens), formula


def estimate_operations(runs: pd.DataFrame, assumption_set: str) -> pd.DataFrame:
    """One operations estimate per run that has the inputs for it; others get no row.

    The architecture count (forward FLOP per example) wins over 6ND when both are known,
    because it counts this model's arithmetic rather than a transformer rule of thumb.
    Ensembles are summed over their members; a cited multiplier is applied last.
    """
    runs = ensure_columns(runs, ["run_id", *INPUT_COLUMNS]).reset_index(drop=True)
    b = {c: bounds_of(runs, c) for c in HEDGED_INPUTS}
    flop, formula = _formulas(b)
    members = pd.to_numeric(runs["ensemble_members"], errors="coerce").fillna(1.0)
    multiplier = pd.to_numeric(runs["operations_multiplier"], errors="coerce").fillna(1.0)
    flop = flop * (members * multiplier)
    formula = _suffix(_suffix(formula, members != 1, " x ensemble_members"),
                      runs["operations_multiplier"].notna(), " x operations_multiplier")
    has = (flop.point.notna() & (flop.point > 0)).to_numpy()
    out = runs.loc[has].assign(parameters=b["active_parameter_count"].fillna(b["parameter_count"]).point[has])
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(),
        "method": "operations",
        "assumption_set": assumption_set,
        "flop": flop.point[has].astype(float).to_numpy(),
        "flop_low": flop.low[has].astype(float).to_numpy(),
        "flop_high": flop.high[has].astype(float).to_numpy(),
        "formula": formula[has],
        "inputs": _inputs_json(out, formula[has]),
        "uncertainty": describe_ranges(out, HEDGED_INPUTS),
        "hardware_burden_flop": np.nan,
    })


def _suffix(formula: np.ndarray, where, text: str) -> np.ndarray:
    where = np.asarray(where, dtype=bool)
    return np.where(where, np.char.add(formula.astype(str), text), formula).astype(object)


def _inputs_json(out: pd.DataFrame, formula: np.ndarray) -> list[str]:
    """The inputs each row's formula used, with their stated ranges."""
    ranged = lambda names: [f"{n}{e}" for n in names for e in ("", "_low", "_high")]  # noqa: E731
    extra = ["ensemble_members", "operations_multiplier"]
    by_formula = {
        "architecture": ranged(["forward_flop_per_example", "training_examples", "epochs"]),
        "active": ["parameters", *ranged(["active_parameter_count", "parameter_count", "training_tokens"])],
        "tokens": ["parameters", *ranged(["parameter_count", "training_tokens"])],
        "dataset": ["parameters", *ranged(["active_parameter_count", "parameter_count", "dataset_tokens", "epochs"])],
    }
    texts = {k: records_to_json(out, cols + extra) for k, cols in by_formula.items()}

    def kind(f: str) -> str:
        if f.startswith(FORMULA_ARCHITECTURE):
            return "architecture"
        if "dataset_tokens" in f:
            return "dataset"
        return "active" if "active_parameters" in f else "tokens"
    return [texts[kind(f)][i] for i, f in enumerate(formula)]
