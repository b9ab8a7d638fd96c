"""Both methods plus reported figures for a batch of runs, and their comparison."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from flows.transform.compute.architecture_estimates import estimate_from_architecture
from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.comparison import add_pfs_days, compare_estimates, estimate_reported
from flows.transform.compute.hardware import estimate_hardware
from flows.transform.compute.operations import FORMULA_ARCHITECTURE, estimate_operations
from flows.transform.compute.plausible import split_implausible


def estimate_compute(runs: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet,
                     configs: Mapping[str, dict] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(estimates: one row per run and method, comparison: one row per run); see estimate_checked."""
    estimates, comparison, _ = estimate_checked(runs, specs, rules, configs)
    return estimates, comparison


def estimate_checked(runs: pd.DataFrame, specs: pd.DataFrame, rules: AssumptionSet,
                     configs: Mapping[str, dict] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(estimates, comparison, quarantine rows). A run naming one of `configs` (model_config) has its
    operations counted from the architecture instead of 6ND. An estimate no run can have (above 1e32 FLOP,
    infinite, NaN) is quarantined, not compared (compute/plausible.py)."""
    operations = estimate_operations(runs, rules.name)
    checks = problems = None
    if configs and "model_config" in runs:
        counted, checks, problems = estimate_from_architecture(runs, configs, rules.name)
        operations = _prefer_architecture(operations, counted)
    parts = [operations, estimate_hardware(runs, specs, rules), estimate_reported(runs, rules.name)]
    estimates = add_pfs_days(pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True))
    estimates, quarantine = split_implausible(estimates, runs)
    comparison = compare_estimates(estimates, runs, rules)
    return estimates, flag_architecture_checks(comparison, checks, problems), quarantine


def _prefer_architecture(operations: pd.DataFrame, counted: pd.DataFrame) -> pd.DataFrame:
    """The architecture count replaces a 6ND row of the same run; a stated forward FLOP per example
    (the paper's own count) is kept over it."""
    if counted.empty:
        return operations
    stated = operations["formula"].astype(str).str.startswith(FORMULA_ARCHITECTURE)
    keep_stated = set(operations.loc[stated, "run_id"])
    counted = counted[~counted["run_id"].isin(keep_stated)]
    kept = operations[~operations["run_id"].isin(set(counted["run_id"]))]
    return pd.concat([kept, counted.reindex(columns=operations.columns)], ignore_index=True)


def flag_architecture_checks(comparison: pd.DataFrame, checks: pd.DataFrame | None,
                             problems: pd.DataFrame | None) -> pd.DataFrame:
    """A computed parameter count more than 5% from the stated one, or a config that cannot be
    counted, flags the run for review with both numbers (issue 16)."""
    reasons = {}
    for frame, column in ((checks, "flag_reason"), (problems, "reason")):
        if frame is not None and not frame.empty:
            for run_id, reason in zip(frame["run_id"], frame[column]):
                if isinstance(reason, str) and reason:
                    reasons.setdefault(run_id, []).append(f"architecture config: {reason}")
    return _flag_for_review(comparison, reasons)


def _flag_for_review(comparison: pd.DataFrame, reasons: dict[str, list[str]]) -> pd.DataFrame:
    """Each run in `reasons` flagged for review with those reasons added to its flag_reason; a run not
    flagged before gets severity low and an open review (the methods' own disagreement keeps its severity)."""
    hit = comparison["run_id"].isin(reasons)
    if not hit.any():
        return comparison
    added = comparison.loc[hit, "run_id"].map(lambda r: "; ".join(reasons[r]))
    old = comparison.loc[hit, "flag_reason"]
    comparison.loc[hit, "flag_reason"] = np.where(old.notna() & (old != ""), old.astype(str) + "; " + added, added)
    newly = hit & ~comparison["is_flagged"].astype(bool)
    comparison.loc[hit, "is_flagged"] = True
    comparison.loc[newly, "severity"] = "low"
    comparison.loc[newly, "review_status"] = "open"
    return comparison


def flag_source_conflicts(comparison: pd.DataFrame, conflicts: pd.DataFrame | None) -> pd.DataFrame:
    """A run whose full text states a value other than its curated or stated one goes to review, with both
    values in the reason (the run keeps its own value; run_facts keeps both rows). Severity low, as for an
    architecture check, unless the methods' disagreement already set one."""
    if conflicts is None or conflicts.empty:
        return comparison
    reasons: dict[str, list[str]] = {}
    for c in conflicts.itertuples(index=False):
        reasons.setdefault(c.run_id, []).append(
            f"source conflict: fulltext states {c.column} {c.fulltext_value} ({c.where_in_source}), "
            f"{c.stated_source} states {c.stated_value}")
    return _flag_for_review(comparison, reasons)
