"""Which runs a trend is fitted to, and why each other run is left out (counted, never dropped silently)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.trends.fit import decimal_year

# Columns the warehouse query hands over, one row per training run.
RUN_COLUMNS = ["run_id", "system", "domain", "source", "published_date", "flop", "flop_low", "flop_high",
               "method", "review_status"]
# Exclusion reasons in the order they are checked: a run is counted under the first that applies.
EXCLUSION_REASONS = ("other_domain", "other_source", "missing_published_date", "outside_date_range",
                     "missing_estimate", "flagged_unresolved", "below_min_flop", "below_top_per_year")
UNRESOLVED_STATUSES = ("open", "stale")   # compute_comparison.review_status of a flag nobody has decided


def _lower(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.lower()


def select_runs(runs: pd.DataFrame, since: str | None = None, until: str | None = None,
                domains: list[str] | None = None, sources: list[str] | None = None,
                min_flop: float | None = None, top_per_year: int | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """(runs to fit, sorted by date then run_id, with `year` and `log10_flop`; counts of the rest by reason)."""
    frame = runs[RUN_COLUMNS].copy()
    frame["published_date"] = pd.to_datetime(frame["published_date"])
    reason = pd.Series(pd.NA, index=frame.index, dtype="object")

    def exclude(mask, name):
        reason[mask & reason.isna()] = name

    if domains:
        exclude(~_lower(frame["domain"]).isin([d.strip().lower() for d in domains]), "other_domain")
    if sources:
        exclude(~_lower(frame["source"]).isin([s.strip().lower() for s in sources]), "other_source")
    exclude(frame["published_date"].isna(), "missing_published_date")
    if since:
        exclude(frame["published_date"] < pd.Timestamp(since), "outside_date_range")
    if until:
        exclude(frame["published_date"] > pd.Timestamp(until), "outside_date_range")
    flop = pd.to_numeric(frame["flop"], errors="coerce")
    exclude(~(flop > 0), "missing_estimate")
    exclude(frame["review_status"].isin(UNRESOLVED_STATUSES), "flagged_unresolved")
    if min_flop is not None:
        exclude(flop < min_flop, "below_min_flop")
    if top_per_year is not None:
        kept = frame[reason.isna()].assign(year_=lambda f: f["published_date"].dt.year, flop_=flop)
        rank = kept.sort_values(["flop_", "run_id"], ascending=[False, True]).groupby("year_").cumcount()
        exclude(frame.index.isin(rank.index[rank >= top_per_year]), "below_top_per_year")
    counts = {name: int((reason == name).sum()) for name in EXCLUSION_REASONS}
    chosen = frame[reason.isna()].copy()
    chosen["flop_low"] = chosen["flop_low"].where(chosen["flop_low"] > 0, chosen["flop"])
    chosen["flop_high"] = chosen["flop_high"].where(chosen["flop_high"] > 0, chosen["flop"])
    chosen["year"] = decimal_year(chosen["published_date"]) if len(chosen) else np.array([], dtype=float)
    chosen["log10_flop"] = np.log10(chosen["flop"].astype(float))
    return chosen.sort_values(["year", "run_id"], kind="mergesort").reset_index(drop=True), counts
