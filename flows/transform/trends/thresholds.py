"""Runs per year at or above compute thresholds, using each run's interval."""

from __future__ import annotations

import pandas as pd

# 1e23: European Commission GPAI guidelines (July 2025), indicative floor of a general-purpose model;
# 1e25: EU AI Act Article 51(2), systemic-risk presumption; 1e26: US Executive Order 14110 section 4.2(b)
THRESHOLDS_FLOP = (1e23, 1e25, 1e26)


def threshold_counts(runs: pd.DataFrame, thresholds=THRESHOLDS_FLOP) -> list[dict]:
    """One row per year and threshold: runs whose central figure is at or above it, runs surely
    above (flop_low >= threshold) and runs possibly above (flop_high >= threshold)."""
    if runs.empty:
        return []
    years = runs["published_date"].dt.year
    rows = []
    for year in sorted(years.unique()):
        in_year = runs[years == year]
        for threshold in thresholds:
            rows.append({
                "year": int(year), "threshold_flop": float(threshold), "runs": int(len(in_year)),
                "at_or_above": int((in_year["flop"] >= threshold).sum()),
                "surely_above": int((in_year["flop_low"] >= threshold).sum()),
                "possibly_above": int((in_year["flop_high"] >= threshold).sum()),
            })
    return rows
