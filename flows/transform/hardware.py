"""Method 2, hardware: count the machine time (OpenAI 2018, method 2).

flop = chips x peak FLOP/s at the precision used x seconds x utilization.
Chip-hours stated by a paper are already chips x time and are never multiplied again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.assumptions import AssumptionSet
from flows.transform.frames import ensure_columns, records_to_json
from flows.transform.units import SECONDS_PER_HOUR

# A stated training precision -> the spec columns that hold its dense peak, best first.
PRECISION_COLUMNS = {
    "fp32": ("fp32",),
    "tf32": ("tf32",),
    "fp16": ("fp16_tensor", "fp16"),
    "mixed_fp16": ("fp16_tensor", "fp16"),
    "bf16": ("bf16", "fp16_tensor"),
    "mixed_bf16": ("bf16", "fp16_tensor"),
    "fp8": ("fp8",),
}
PEAK_COLUMNS = ("fp64", "fp32", "tf32", "fp16", "fp16_tensor", "bf16", "fp8")
RUN_COLUMNS = [
    "run_id", "domain", "hardware_id", "chip_count", "training_hours", "training_hours_low",
    "training_hours_high", "chip_hours", "precision", "utilization",
    "peak_flop_per_second_override", "utilization_override", "hardware_multiplier",
]
FORMULA = "chips x peak_flop_per_second x hours x 3600 x utilization"
FORMULA_CHIP_HOURS = "chip_hours x 3600 x peak_flop_per_second x utilization"
INPUT_KEYS = [
    "chip_count", "training_hours", "chip_hours", "peak_flop_per_second", "peak_source",
    "utilization", "utilization_source", "hardware_multiplier",
]


def choose_peak(specs: pd.DataFrame, precision: pd.Series, rules: AssumptionSet) -> tuple[pd.Series, pd.Series]:
    """Peak FLOP/s per row and the spec column it came from.

    A stated precision wins; otherwise the assumption set's order (the first column the
    chip has). `specs` holds <column>_flop_per_second and `kind`, aligned with `precision`.
    """
    peak = pd.Series(np.nan, index=specs.index, dtype=float)
    source = pd.Series(None, index=specs.index, dtype=object)
    for name, columns in PRECISION_COLUMNS.items():
        stated = precision == name
        for column in columns:
            value = pd.to_numeric(specs[f"{column}_flop_per_second"], errors="coerce")
            take = stated & peak.isna() & value.notna()
            peak[take] = value[take]
            source[take] = f"{column} (stated {name})"
    kind = specs["kind"].fillna("gpu")
    for rule in rules.peak_order:
        value = pd.to_numeric(specs[f"{rule.column}_flop_per_second"], errors="coerce")
        take = peak.isna() & value.notna() & kind.map(rule.applies_to).astype(bool)
        peak[take] = value[take]
        source[take] = f"{rule.column} ({rules.name} order)"
    return peak, source


def estimate_hardware(runs: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet) -> pd.DataFrame:
    """One hardware estimate per run with chips x time (or chip-hours) and a known peak."""
    runs = ensure_columns(runs, RUN_COLUMNS).reset_index(drop=True)
    spec_cols = ["hardware_id", "kind", *[f"{c}_flop_per_second" for c in PEAK_COLUMNS]]
    merged = runs.merge(specs[spec_cols], on="hardware_id", how="left")
    num = lambda c: pd.to_numeric(merged[c], errors="coerce")  # noqa: E731
    hours_point = num("chip_hours").fillna(num("chip_count") * num("training_hours"))
    hours_low = num("chip_hours").fillna(num("chip_count") * num("training_hours_low").fillna(num("training_hours")))
    hours_high = num("chip_hours").fillna(num("chip_count") * num("training_hours_high").fillna(num("training_hours")))

    spec_peak, spec_source = choose_peak(merged, merged["precision"], rules)
    override = num("peak_flop_per_second_override")
    merged["peak_flop_per_second"] = override.fillna(spec_peak)
    merged["peak_source"] = np.where(override.notna(), "override", spec_source)

    default_util = [rules.default_utilization(k, d) for k, d in zip(merged["kind"], merged["domain"])]
    util_override, util_stated = num("utilization_override"), num("utilization")
    merged["utilization"] = util_override.fillna(util_stated).fillna(pd.Series(default_util, index=merged.index))
    merged["utilization_source"] = np.select(
        [util_override.notna(), util_stated.notna()], ["override", "stated by paper"], f"{rules.name} default")
    multiplier = num("hardware_multiplier").fillna(1.0)

    scale = merged["peak_flop_per_second"] * merged["utilization"] * multiplier * SECONDS_PER_HOUR
    merged["flop"], merged["flop_low"], merged["flop_high"] = hours_point * scale, hours_low * scale, hours_high * scale
    has = merged["flop"].notna() & (merged["flop"] > 0)
    out = merged.loc[has]
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(),
        "method": "hardware",
        "assumption_set": rules.name,
        "flop": out["flop"].astype(float).to_numpy(),
        "flop_low": out["flop_low"].astype(float).to_numpy(),
        "flop_high": out["flop_high"].astype(float).to_numpy(),
        "formula": np.where(out["chip_hours"].notna(), FORMULA_CHIP_HOURS, FORMULA),
        "inputs": records_to_json(out, INPUT_KEYS),
    })
