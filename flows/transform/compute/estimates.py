"""Both methods plus reported figures for a batch of runs, and their comparison."""

from __future__ import annotations

import pandas as pd

from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.comparison import add_pfs_days, compare_estimates, estimate_reported
from flows.transform.compute.hardware import estimate_hardware
from flows.transform.compute.operations import estimate_operations


def estimate_compute(runs: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(estimates: one row per run and method, comparison: one row per run)."""
    parts = [estimate_operations(runs, rules.name), estimate_hardware(runs, specs, rules), estimate_reported(runs, rules.name)]
    estimates = add_pfs_days(pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True))
    comparison = compare_estimates(estimates, runs, rules)
    return estimates, comparison
