"""The `trends` result as one plain object (JSON-ready) and as text for a terminal."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from flows.transform.trends.breaks import CRITERION, SegmentedFit, fit_segments
from flows.transform.trends.fit import DEFAULT_RESAMPLES, DEFAULT_SEED, INTERVAL, TrendFit, fit_trend, year_to_date
from flows.transform.trends.selection import UNRESOLVED_STATUSES, select_runs
from flows.transform.trends.thresholds import threshold_counts

SIGNIFICANT = 6   # digits kept in the report: enough for any chart, stable to read


def _round(value):
    if value is None or isinstance(value, (int, str)):
        return value
    if value != value:  # NaN
        return None
    return float(f"{value:.{SIGNIFICANT}g}")


def _fit_fields(fit: TrendFit) -> dict:
    summary = fit.summary()
    keys = ("growth_per_year", "growth_per_year_low", "growth_per_year_high", "doubling_months",
            "doubling_months_low", "doubling_months_high", "r2", "slope_log10_per_year",
            "slope_log10_per_year_low", "slope_log10_per_year_high")
    return {key: _round(summary[key]) for key in keys}


@dataclass(frozen=True, eq=False)
class TrendFits:
    overall: TrendFit
    segmented: SegmentedFit


def build_report(chosen: pd.DataFrame, excluded: dict[str, int], estimate: str, assumption_set: str,
                 breaks: int | str, runs_total: int, since: str | None = None, until: str | None = None,
                 resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 flagged: str = "stated") -> tuple[dict, TrendFits]:
    """(report, fits) for the chosen runs (output of select_runs)."""
    overall = fit_trend(chosen["year"], chosen["log10_flop"], resamples, seed)
    segmented = fit_segments(chosen["year"], chosen["log10_flop"], breaks, resamples, seed)
    dates = chosen["published_date"]
    report = {
        "n": int(len(chosen)),
        "since": dates.min().date().isoformat(), "until": dates.max().date().isoformat(),
        "since_requested": since, "until_requested": until,
        "estimate": estimate, "assumption_set": assumption_set,
        **_fit_fields(overall),
        "segments": [{"start": year_to_date(s.start_year), "end": year_to_date(s.end_year), "n": s.fit.line.n,
                      **_fit_fields(s.fit)} for s in segmented.segments],
        "breaks": segmented.breaks, "break_dates": [year_to_date(y) for y in segmented.break_years],
        "break_dates_low": [year_to_date(y) for y in segmented.break_low],
        "break_dates_high": [year_to_date(y) for y in segmented.break_high],
        "breaks_requested": str(breaks), "breaks_criterion": CRITERION,
        "bic": {str(k): _round(v) for k, v in sorted(segmented.bic.items())},
        "excluded": dict(excluded), "runs_in_warehouse": int(runs_total),
        "flagged": flagged,
        "flagged_in_fit": int(chosen["review_status"].isin(UNRESOLVED_STATUSES).sum()),
        "methods": {str(k): int(v) for k, v in sorted(chosen["method"].fillna("unknown").value_counts().items())},
        "bootstrap": {"resamples": resamples, "seed": seed, "interval": INTERVAL},
        "thresholds": threshold_counts(chosen),
    }
    return report, TrendFits(overall, segmented)


def _interval(value, low, high, unit: str, digits: int = 1) -> str:
    text = lambda v: "unbounded" if v is None else f"{v:.{digits}f}"  # noqa: E731
    return f"{text(value)}{unit} (90% interval {text(low)}-{text(high)}{unit})"


def format_table(report: dict) -> str:
    """The report as a few aligned lines."""
    r = report
    lines = [
        f"training compute trend: {r['estimate']} estimate, assumption set {r['assumption_set']}",
        f"  runs fitted  {r['n']} published {r['since']} to {r['until']}",
        f"  growth       {_interval(r['growth_per_year'], r['growth_per_year_low'], r['growth_per_year_high'], 'x/year')}",
        f"  doubling     {_interval(r['doubling_months'], r['doubling_months_low'], r['doubling_months_high'], ' months')}",
        f"  R2           {r['r2']:.2f}",
        f"  eras         {r['breaks']} break(s)"
        + "".join(f"{' at' if i == 0 else ','} {d} (90% interval {lo} to {hi})"
                  for i, (d, lo, hi) in enumerate(zip(r['break_dates'], r['break_dates_low'], r['break_dates_high'])))
        + " "
        f"(asked {r['breaks_requested']}; BIC by breaks: "
        + ", ".join(f"{k}: {v:.1f}" for k, v in r["bic"].items()) + ")",
    ]
    for s in r["segments"]:
        lines.append(f"    {s['start']} to {s['end']}  n={s['n']:<5} "
                     f"{_interval(s['growth_per_year'], s['growth_per_year_low'], s['growth_per_year_high'], 'x/year')}"
                     f"  doubling {_interval(s['doubling_months'], s['doubling_months_low'], s['doubling_months_high'], ' mo')}")
    left_out = ", ".join(f"{k} {v}" for k, v in r["excluded"].items() if v) or "none"
    lines.append(f"  excluded     {left_out} (of {r['runs_in_warehouse']} runs in the warehouse)")
    if r["flagged_in_fit"]:
        lines.append(f"  flagged      {r['flagged_in_fit']} fitted run(s) are flagged and undecided in review; "
                     "each is fitted at the figure its source states (--flagged exclude leaves them out)")
    lines.append("  runs at or above a threshold per year (central / surely above / possibly above):")
    thresholds = sorted({row["threshold_flop"] for row in r["thresholds"]})
    lines.append("    year   runs  " + "  ".join(f"{t:>12.0e}" for t in thresholds))
    for year in sorted({row["year"] for row in r["thresholds"]}):
        rows = {row["threshold_flop"]: row for row in r["thresholds"] if row["year"] == year}
        cells = [f"{rows[t]['at_or_above']}/{rows[t]['surely_above']}/{rows[t]['possibly_above']}" for t in thresholds]
        runs = next(iter(rows.values()))["runs"]
        lines.append(f"    {year}  {runs:>5}  " + "  ".join(f"{c:>12}" for c in cells))
    return "\n".join(lines)


MIN_RUNS = 3  # a line through fewer runs says nothing


def headline_report(runs: pd.DataFrame, assumption_set: str, estimate: str = "best"):
    """The fit each `flopledger run` publishes: every dated run with the chosen estimate, eras by BIC;
    None when fewer than MIN_RUNS runs on two dates are left (the run goes on without a trend)."""
    chosen, excluded = select_runs(runs)
    if len(chosen) < MIN_RUNS or chosen["year"].nunique() < 2:
        return None
    report, fits = build_report(chosen, excluded, estimate, assumption_set, "auto", len(runs))
    return report, fits, chosen


def trend_row(report: dict, fitted_at, pipeline_run_id: str | None, chart_path: str | None) -> dict:
    """The out__trends row for a report (schemas/trend_fit.py)."""
    keys = ("growth_per_year", "growth_per_year_low", "growth_per_year_high", "doubling_months",
            "doubling_months_low", "doubling_months_high", "r2")
    return {"assumption_set": report["assumption_set"], "estimate": report["estimate"], "fitted_at": fitted_at,
            "pipeline_run_id": pipeline_run_id, "n": report["n"], "since": report["since"], "until": report["until"],
            **{k: report[k] for k in keys}, "segments": json.dumps(report["segments"]),
            "excluded_runs": json.dumps(report["excluded"]), "chart_path": chart_path}
