"""Reconcile the two methods: ratio, flag, and the best estimate with its reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.frames import ensure_columns
from flows.transform.units import flop_to_pfs_days

# Epoch AI's preference when several figures exist: a reported figure, then counted
# operations, then the hardware estimate.
BEST_ORDER = ("reported", "operations", "hardware")


def estimate_reported(runs: pd.DataFrame, assumption_set: str) -> pd.DataFrame:
    """A compute figure the paper states itself, kept as method `reported`."""
    runs = ensure_columns(runs, ["run_id", "reported_flop"])
    flop = pd.to_numeric(runs["reported_flop"], errors="coerce")
    out = runs.loc[flop.notna() & (flop > 0)]
    value = flop[out.index].astype(float).to_numpy()
    return pd.DataFrame({
        "run_id": out["run_id"].astype(str).to_numpy(), "method": "reported",
        "assumption_set": assumption_set, "flop": value, "flop_low": value, "flop_high": value,
        "formula": "stated by the paper", "inputs": [f'{{"reported_flop": {v!r}}}' for v in value],
    })


def add_pfs_days(estimates: pd.DataFrame) -> pd.DataFrame:
    return estimates.assign(pfs_days=flop_to_pfs_days(estimates["flop"]))


def compare_estimates(estimates: pd.DataFrame, run_ids: pd.Series, assumption_set: str, flag_ratio: float) -> pd.DataFrame:
    """One comparison row per run: both methods side by side, the flag and the best figure."""
    wide = (estimates.pivot_table(index="run_id", columns="method", values="flop", aggfunc="first")
            .reindex(pd.Index(run_ids.astype(str).unique(), name="run_id")))
    wide = ensure_columns(wide, list(BEST_ORDER))
    ops, hw, rep = (wide[m].astype(float) for m in ("operations", "hardware", "reported"))
    ratio = ops / hw
    outside = (ratio > flag_ratio) | (ratio < 1.0 / flag_ratio)
    reason = np.where(
        outside,
        [f"operations/hardware = {r:.3g}, outside [1/{flag_ratio:g}, {flag_ratio:g}]" for r in ratio.fillna(1.0)],
        None,
    )
    best_method = pd.Series(None, index=wide.index, dtype=object)
    best_flop = pd.Series(np.nan, index=wide.index, dtype=float)
    for method in BEST_ORDER:
        take = best_flop.isna() & wide[method].notna()
        best_method[take] = method
        best_flop[take] = wide.loc[take, method].astype(float)
    best_reason = best_method.map({
        "reported": "the paper states its own figure",
        "operations": "operations counted from architecture and data",
        "hardware": "only hardware and time are known",
    })
    return pd.DataFrame({
        "run_id": wide.index.to_numpy(),
        "assumption_set": assumption_set,
        "operations_flop": ops.to_numpy(),
        "hardware_flop": hw.to_numpy(),
        "reported_flop": rep.to_numpy(),
        "ratio": ratio.to_numpy(),
        "is_flagged": outside.to_numpy(dtype=bool),
        "flag_reason": reason,
        "review_status": np.where(outside, "open", "not_flagged"),
        "best_flop": best_flop.to_numpy(),
        "best_method": best_method.to_numpy(),
        "best_reason": best_reason.to_numpy(),
        "best_pfs_days": flop_to_pfs_days(best_flop).to_numpy(),
    })
