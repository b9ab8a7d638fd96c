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
                     "missing_estimate", "finetune_without_base", "flagged_unresolved", "below_min_flop",
                     "below_top_per_year")
# A fine-tune's own estimate is the fine-tuning alone (hardware, time and tokens in a fine-tuning paper describe
# only it); the model it yields took its base model's training too, which is what a trend of training compute
# plots (Epoch AI's `Training compute` of a fine-tune includes the base). Optional columns: without them no
# run is a fine-tune.
FINETUNE_COLUMNS = ["is_finetune", "base_flop", "own_reported_flop", "reported_total_flop"]
UNRESOLVED_STATUSES = ("open", "stale")   # compute_comparison.review_status of a flag nobody has decided
# What to do with a run whose flag nobody has decided yet:
#   stated  - fit it only when its figure is one its source states (method `reported`): the flag says our own
#             re-derivation disagrees, and until a reviewer decides, the paper's (or Epoch's) figure stands, as it
#             does for `best`. A flagged run whose figure is one of our own estimates is left out.
#   exclude - leave every undecided flagged run out.
FLAGGED_POLICIES = ("stated", "exclude")
STATED_METHOD = "reported"


def _lower(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.lower()


def _base_flop(frame: pd.DataFrame) -> pd.Series:
    """What a run's base model took: 0 for a run that is not a fine-tune; for a fine-tune the base run's
    best figure, else Epoch's total less the fine-tune's own reported figure; NaN when neither is known."""
    if "is_finetune" not in frame.columns:
        return pd.Series(0.0, index=frame.index)
    number = lambda name: pd.to_numeric(frame.get(name), errors="coerce")  # noqa: E731
    from_total = number("reported_total_flop") - number("own_reported_flop")
    base = number("base_flop").where(number("base_flop") > 0, from_total.where(from_total > 0))
    return base.where(frame["is_finetune"].fillna(False).astype(bool), 0.0)


def select_runs(runs: pd.DataFrame, since: str | None = None, until: str | None = None,
                domains: list[str] | None = None, sources: list[str] | None = None,
                min_flop: float | None = None, top_per_year: int | None = None,
                flagged: str = "stated") -> tuple[pd.DataFrame, dict[str, int]]:
    """(runs to fit, sorted by date then run_id, with `year` and `log10_flop`; counts of the rest by reason).
    `flagged` is one of FLAGGED_POLICIES; flagged runs that are fitted keep their review_status."""
    if flagged not in FLAGGED_POLICIES:
        raise ValueError(f"flagged must be one of {', '.join(FLAGGED_POLICIES)}, got {flagged!r}")
    frame = runs[RUN_COLUMNS + [c for c in FINETUNE_COLUMNS if c in runs.columns]].copy()
    frame["published_date"] = pd.to_datetime(frame["published_date"])
    base = _base_flop(frame)
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
    exclude(base.isna(), "finetune_without_base")
    flop = flop + base.fillna(0.0)
    for column in ("flop", "flop_low", "flop_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce") + base.fillna(0.0)
    undecided = frame["review_status"].isin(UNRESOLVED_STATUSES)
    if flagged == "stated":
        undecided &= frame["method"].ne(STATED_METHOD)
    exclude(undecided, "flagged_unresolved")
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
