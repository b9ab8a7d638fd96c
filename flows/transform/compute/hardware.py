"""Method 2, hardware: count the machine time (OpenAI 2018, method 2).

flop = chips x peak FLOP/s at the precision used x seconds x utilization.
Chip-hours stated by a paper are already chips x time and are never multiplied again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.compute.assumptions import AssumptionSet
from schemas.frames import ensure_columns, records_to_json
from flows.transform.compute.intervals import Bounds, bounds_of, describe_ranges
from flows.transform.compute.units import SECONDS_PER_HOUR

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
RANGED_INPUTS = ["chip_count", "training_hours", "chip_hours", "peak_flop_per_second", "utilization"]
RUN_COLUMNS = [
    "run_id", "domain", "hardware_id", "chip_count", "chip_count_low", "chip_count_high", "training_hours",
    "training_hours_low", "training_hours_high", "chip_hours", "chip_hours_low", "chip_hours_high", "precision",
    "utilization", "peak_flop_per_second_override", "utilization_override", "hardware_multiplier", "ensemble_members",
]
# Peaks a run may have used when the paper does not say its precision (fp16: TPUs only).
UNSTATED_PRECISION_COLUMNS = ("fp32", "tf32", "fp16_tensor", "bf16", "fp16")
FORMULA = "chips x peak_flop_per_second x hours x 3600 x utilization"
FORMULA_CHIP_HOURS = "chip_hours x 3600 x peak_flop_per_second x utilization"
INPUT_KEYS = [
    *(f"{c}{end}" for c in RANGED_INPUTS for end in ("", "_low", "_high")),
    "peak_source", "utilization_source", "hardware_multiplier", "ensemble_members",
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
    lacking = precision.notna() & peak.isna()  # a stated precision the chip has no peak for: say so
    for rule in rules.peak_order:
        value = pd.to_numeric(specs[f"{rule.column}_flop_per_second"], errors="coerce")
        take = peak.isna() & value.notna() & kind.map(rule.applies_to).astype(bool)
        peak[take] = value[take]
        source[take] = f"{rule.column} ({rules.name} order)"
    source[lacking & peak.notna()] = source[lacking & peak.notna()] + ", as the chip has no peak for the stated " + \
        precision[lacking & peak.notna()].astype(str)
    return peak, source


def plausible_peaks(specs: pd.DataFrame, point: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(lowest, highest) peak a run of unstated precision may have used: FP32 and the 16-bit
    tensor, TF32 and (TPU) FP16 rates the chip has, never beyond the chosen point value."""
    kind = specs["kind"].fillna("gpu")
    columns = []
    for column in UNSTATED_PRECISION_COLUMNS:
        value = pd.to_numeric(specs[f"{column}_flop_per_second"], errors="coerce")
        columns.append(value.where(kind == "tpu") if column == "fp16" else value)
    table = pd.concat([*columns, point], axis=1)
    return table.min(axis=1), table.max(axis=1)


def _peak_bounds(merged: pd.DataFrame, rules: AssumptionSet) -> tuple[Bounds, pd.Series]:
    """Peak FLOP/s with its range: exact when an analysis fixed it or the paper states the
    precision; else the assumption set's choice within the chip's plausible peaks."""
    spec_peak, spec_source = choose_peak(merged, merged["precision"], rules)
    override = pd.to_numeric(merged["peak_flop_per_second_override"], errors="coerce")
    point = override.fillna(spec_peak)
    low, high = plausible_peaks(merged, spec_peak)
    fixed = override.notna() | merged["precision"].notna()
    source = pd.Series(np.where(override.notna(), "override", spec_source), index=merged.index)
    return Bounds(point, low.where(~fixed, point), high.where(~fixed, point)), source


def _utilization_bounds(merged: pd.DataFrame, rules: AssumptionSet) -> tuple[Bounds, np.ndarray]:
    """A stated MFU (or a cited override) is exact; a default carries the set's range."""
    default = pd.Series([rules.default_utilization(k, d) for k, d in zip(merged["kind"], merged["domain"])],
                        index=merged.index, dtype=float)
    ranges = [rules.utilization_bounds(k) or (np.nan, np.nan) for k in merged["kind"]]
    low = pd.Series([r[0] for r in ranges], index=merged.index, dtype=float).fillna(default)
    high = pd.Series([r[1] for r in ranges], index=merged.index, dtype=float).fillna(default)
    override = pd.to_numeric(merged["utilization_override"], errors="coerce")
    stated = pd.to_numeric(merged["utilization"], errors="coerce")
    given = override.fillna(stated)
    source = np.select([override.notna(), stated.notna()], ["override", "stated by paper"], f"{rules.name} default")
    return Bounds(given.fillna(default), given.fillna(low), given.fillna(high)), source


def estimate_hardware(runs: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet) -> pd.DataFrame:
    """One hardware estimate per run with chips x time (or chip-hours) and a known peak.

    flop_low/flop_high multiply the ends of every input's range: stated time or chip ranges,
    the set's utilization range (unless the paper states its MFU), and FP32 vs tensor peak
    when the precision is not stated. hardware_burden_flop leaves utilization out.
    """
    runs = ensure_columns(runs, RUN_COLUMNS).reset_index(drop=True)
    spec_cols = ["hardware_id", "kind", *[f"{c}_flop_per_second" for c in PEAK_COLUMNS]]
    merged = runs.merge(specs[spec_cols], on="hardware_id", how="left")
    device_hours = bounds_of(merged, "chip_hours").fillna(bounds_of(merged, "chip_count") * bounds_of(merged, "training_hours"))
    peak, merged["peak_source"] = _peak_bounds(merged, rules)
    utilization, merged["utilization_source"] = _utilization_bounds(merged, rules)
    members = pd.to_numeric(merged["ensemble_members"], errors="coerce").fillna(1.0)
    multiplier = pd.to_numeric(merged["hardware_multiplier"], errors="coerce").fillna(1.0) * members
    burden = device_hours * peak * (SECONDS_PER_HOUR * multiplier)
    flop = burden * utilization
    merged["peak_flop_per_second"], merged["utilization"] = peak.point, utilization.point
    for name, b in (("peak_flop_per_second", peak), ("utilization", utilization)):
        merged[f"{name}_low"], merged[f"{name}_high"] = b.low.where(b.low != b.point), b.high.where(b.high != b.point)
    has = (flop.point.notna() & (flop.point > 0)).to_numpy()
    out = merged.loc[has]
    formula = np.where(out["chip_hours"].notna(), FORMULA_CHIP_HOURS, FORMULA)
    formula = np.where(members[has] != 1, np.char.add(formula.astype(str), " x ensemble_members"), formula)
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(),
        "method": "hardware",
        "assumption_set": rules.name,
        "flop": flop.point[has].astype(float).to_numpy(),
        "flop_low": flop.low[has].astype(float).to_numpy(),
        "flop_high": flop.high[has].astype(float).to_numpy(),
        "formula": formula.astype(object),
        "inputs": records_to_json(out, INPUT_KEYS),
        "uncertainty": describe_ranges(out, RANGED_INPUTS),
        "hardware_burden_flop": burden.point[has].astype(float).to_numpy(),
    })
