"""Trend fitting: known growth is recovered within its interval, eras are found, nothing is dropped silently."""

import math

import numpy as np
import pandas as pd
import pytest

from flows.transform.trends.breaks import fit_segments
from flows.transform.trends.fit import (
    bootstrap_lines, decimal_year, doubling_months, fit_line, fit_trend, year_to_date,
)
from flows.transform.trends.report import build_report
from flows.transform.trends.selection import EXCLUSION_REASONS, select_runs
from flows.transform.trends.thresholds import threshold_counts


def synthetic(slope=0.6, n=200, noise=0.5, start=2010.0, end=2024.0, seed=7):
    """Runs spread over [start, end] whose log10 FLOP grows by `slope` a year plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    years = np.sort(rng.uniform(start, end, n))
    return years, 15.0 + slope * (years - start) + rng.normal(0.0, noise, n)


def test_exact_line_is_recovered_exactly():
    years = np.array([2012.0, 2014.0, 2016.0, 2018.0])
    line = fit_line(years, 17.0 + 0.5 * (years - 2012.0))  # 10**0.5 = 3.16x a year
    assert line.slope == pytest.approx(0.5)
    assert line.r2 == pytest.approx(1.0)
    assert line.predict([2020.0])[0] == pytest.approx(21.0)


def test_known_growth_lies_within_its_interval():
    years, log_flop = synthetic(slope=0.6)
    summary = fit_trend(years, log_flop).summary()
    true_growth, true_doubling = 10 ** 0.6, 12 * math.log10(2) / 0.6  # 3.98x a year, 6.02 months
    assert summary["growth_per_year_low"] < true_growth < summary["growth_per_year_high"]
    assert summary["doubling_months_low"] < true_doubling < summary["doubling_months_high"]
    assert summary["growth_per_year_low"] < summary["growth_per_year"] < summary["growth_per_year_high"]
    assert summary["n"] == 200


def test_ninety_percent_interval_covers_the_truth_about_ninety_percent_of_the_time():
    covered = 0
    for trial in range(100):
        years, log_flop = synthetic(slope=0.6, n=60, noise=0.6, seed=1000 + trial)
        fit = fit_trend(years, log_flop, resamples=400, seed=trial)
        covered += fit.slope_low < 0.6 < fit.slope_high
    assert 78 <= covered <= 98  # a binomial(100, 0.9) lands here with probability > 0.999


def test_vectorised_bootstrap_equals_one_fit_per_resample():
    years, log_flop = synthetic(n=50)
    slopes, levels = bootstrap_lines(years, log_flop, resamples=30, seed=3)
    index = np.random.default_rng(3).integers(0, 50, size=(30, 50))  # the same draws, one chunk
    for row, slope, level in zip(index, slopes, levels):
        line = fit_line(years[row], log_flop[row])
        assert slope == pytest.approx(line.slope, rel=1e-9)
        assert level == pytest.approx(line.predict([years.mean()])[0], rel=1e-9)


def test_same_runs_give_the_same_interval_and_another_seed_another():
    years, log_flop = synthetic()
    first, second = fit_trend(years, log_flop), fit_trend(years, log_flop)
    assert (first.slope_low, first.slope_high) == (second.slope_low, second.slope_high)
    assert fit_trend(years, log_flop, seed=1).slope_low != first.slope_low


def test_shrinking_compute_has_no_doubling_time():
    assert doubling_months(-0.1) is None
    assert doubling_months(math.log10(2)) == pytest.approx(12.0)  # doubling every year


def test_two_eras_are_found_with_their_own_growth():
    # 2000-2012 grows 0.1 log10 a year (1.26x), then 0.6 (4x), joined at 2012: Epoch-like eras
    rng = np.random.default_rng(11)
    years = np.sort(rng.uniform(2000, 2024, 300))
    log_flop = np.where(years < 2012, 15 + 0.1 * (years - 2000), 16.2 + 0.6 * (years - 2012)) + rng.normal(0, 0.3, 300)
    fit = fit_segments(years, log_flop, "auto")
    assert fit.breaks == 1
    assert abs(fit.break_years[0] - 2012) < 1.0
    early, late = fit.segments
    assert early.fit.slope_low < 0.1 < early.fit.slope_high
    assert late.fit.slope_low < 0.6 < late.fit.slope_high
    assert fit.bic[1] < fit.bic[0] and fit.bic[1] < fit.bic[2]


def test_one_straight_trend_keeps_one_segment_under_auto():
    years, log_flop = synthetic(slope=0.5, n=150, noise=0.4)
    fit = fit_segments(years, log_flop, "auto")
    assert fit.breaks == 0 and len(fit.segments) == 1
    assert fit.segments[0].fit.line.slope == pytest.approx(fit_line(years, log_flop).slope)


def test_forced_breaks_give_that_many_eras_each_with_enough_runs():
    years, log_flop = synthetic(n=100)
    fit = fit_segments(years, log_flop, 2)
    assert fit.breaks == 2 and len(fit.segments) == 3
    assert all(s.fit.line.n >= 5 for s in fit.segments)  # at least 5% of 100 runs (and 5) per era
    assert sum(s.fit.line.n for s in fit.segments) == 100


def test_too_few_runs_for_a_break_is_a_named_error():
    years, log_flop = synthetic(n=8)
    with pytest.raises(ValueError, match="at least 5 runs"):
        fit_segments(years, log_flop, 1)


def test_fewer_than_three_runs_cannot_be_fitted():
    with pytest.raises(ValueError, match="at least 3 runs"):
        fit_line([2020.0, 2021.0], [20.0, 21.0])


def test_decimal_years_and_back():
    years = decimal_year(["2020-01-01", "2020-07-02", "2021-12-31"])
    assert years[0] == 2020.0
    assert years[1] == pytest.approx(2020 + 183 / 366)  # 2020 is a leap year
    assert [year_to_date(y) for y in years] == ["2020-01-01", "2020-07-02", "2021-12-31"]


def runs_frame():
    rows = [  # run_id, domain, source, date, flop, low, high, status
        ("a", "language", "epoch", "2019-03-01", 1e22, 5e21, 2e22, "not_flagged"),
        ("b", "language", "epoch", "2020-05-01", 3e23, 8e22, 9e23, "not_flagged"),
        ("c", "vision", "curated", "2020-09-01", 2e25, 1.5e25, 3e25, "resolved"),
        ("d", "language", "curated", "2021-01-10", 5e25, 2e25, 2e26, "not_flagged"),
        ("e", "language", "epoch", "2021-06-01", None, None, None, None),
        ("f", "language", "epoch", "2021-07-01", 4e24, 1e24, 9e24, "open"),
        ("g", "language", "epoch", None, 1e20, 1e20, 1e20, "not_flagged"),
        ("h", "language", "epoch", "2009-01-01", 1e18, 1e18, 1e18, "not_flagged"),
        ("i", "language", "epoch", "2021-11-01", 1e23, 1e23, 1e23, "stale"),
    ]
    frame = pd.DataFrame(rows, columns=["run_id", "domain", "source", "published_date", "flop", "flop_low",
                                        "flop_high", "review_status"])
    return frame.assign(system=frame["run_id"].str.upper(), method="operations")


def test_every_left_out_run_is_counted_under_one_reason():
    chosen, excluded = select_runs(runs_frame(), since="2010-01-01")
    assert list(chosen["run_id"]) == ["a", "b", "c", "d"]
    assert excluded == {**dict.fromkeys(EXCLUSION_REASONS, 0), "missing_estimate": 1, "flagged_unresolved": 2,
                        "missing_published_date": 1, "outside_date_range": 1}
    assert len(chosen) + sum(excluded.values()) == len(runs_frame())


def test_filters_count_what_they_leave_out():
    chosen, excluded = select_runs(runs_frame(), since="2010-01-01", domains=["Language"], min_flop=1e23)
    assert list(chosen["run_id"]) == ["b", "d"]
    assert excluded["other_domain"] == 1 and excluded["below_min_flop"] == 1
    chosen, excluded = select_runs(runs_frame(), since="2010-01-01", top_per_year=1)
    assert list(chosen["run_id"]) == ["a", "c", "d"]  # 2020: c (2e25) beats b (3e23)
    assert excluded["below_top_per_year"] == 1


def test_threshold_counts_use_the_interval():
    chosen, _ = select_runs(runs_frame(), since="2010-01-01")
    rows = {(r["year"], r["threshold_flop"]): r for r in threshold_counts(chosen)}
    # 2021: d at 5e25 in [2e25, 2e26]: above 1e25 surely, 1e26 only possibly
    assert rows[(2021, 1e25)] | {} == {"year": 2021, "threshold_flop": 1e25, "runs": 1, "at_or_above": 1,
                                       "surely_above": 1, "possibly_above": 1}
    assert (rows[(2021, 1e26)]["at_or_above"], rows[(2021, 1e26)]["surely_above"],
            rows[(2021, 1e26)]["possibly_above"]) == (0, 0, 1)
    # 2020: b at 3e23 [8e22, 9e23] is possibly but not surely above 1e23; c surely is
    assert (rows[(2020, 1e23)]["surely_above"], rows[(2020, 1e23)]["possibly_above"]) == (1, 2)


def test_report_does_not_depend_on_row_order():
    years, log_flop = synthetic(n=40)
    frame = pd.DataFrame({
        "run_id": [f"r{i:02d}" for i in range(40)], "system": "s", "domain": "language", "source": "epoch",
        "published_date": [pd.Timestamp(year_to_date(y)) for y in years], "flop": 10 ** log_flop,
        "flop_low": 10 ** log_flop / 2, "flop_high": 10 ** log_flop * 2, "method": "reported",
        "review_status": "not_flagged"})
    reports = []
    for order in (frame, frame.sample(frac=1.0, random_state=5)):
        chosen, excluded = select_runs(order)
        reports.append(build_report(chosen, excluded, "best", "epoch-2022", "auto", len(order))[0])
    assert reports[0] == reports[1]


def _runs(rows):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["run_id", "published_date", "flop", "method", "review_status"])
    return frame.assign(system=frame["run_id"], domain="language", source="epoch",
                        flop_low=frame["flop"] / 2, flop_high=frame["flop"] * 2)


def test_an_undecided_flag_keeps_a_stated_figure_and_drops_our_own_unless_told():
    from flows.transform.trends.selection import select_runs

    runs = _runs([("a", "2019-01-01", 1e20, "reported", "not_flagged"),
                  ("b", "2020-01-01", 1e21, "reported", "open"),      # the paper's figure, our estimate disagrees
                  ("c", "2021-01-01", 1e22, "hardware", "stale"),     # our own figure, disputed
                  ("d", "2022-01-01", 1e23, "operations", "decided")])
    chosen, excluded = select_runs(runs)
    assert list(chosen["run_id"]) == ["a", "b", "d"] and excluded["flagged_unresolved"] == 1
    chosen, excluded = select_runs(runs, flagged="exclude")
    assert list(chosen["run_id"]) == ["a", "d"] and excluded["flagged_unresolved"] == 2
    with pytest.raises(ValueError, match="flagged must be one of"):
        select_runs(runs, flagged="keep")


def test_a_break_date_has_an_interval_around_it():
    rng = np.random.default_rng(5)
    years = np.sort(rng.uniform(1990, 2024, 400))
    log_flop = np.where(years < 2010, 14 + 0.15 * (years - 1990), 17 + 0.55 * (years - 2010)) + rng.normal(0, 0.4, 400)
    fit = fit_segments(years, log_flop, "auto", resamples=50)
    assert fit.breaks == 1
    assert fit.break_low[0] <= fit.break_years[0] <= fit.break_high[0]
    assert 2007 < fit.break_low[0] and fit.break_high[0] < 2013  # the true break, 2010, pinned to a few years
    early, late = fit.segments
    # the lines meet: each era's line gives the same figure at the break
    assert early.fit.line.predict([fit.break_years[0]])[0] == pytest.approx(late.fit.line.predict([fit.break_years[0]])[0])


def test_a_finetune_is_plotted_with_its_base_models_training_or_left_out_with_a_reason():
    from flows.transform.trends.selection import select_runs

    runs = _runs([("base", "2019-01-01", 1e23, "reported", "not_flagged"),
                  ("tuned", "2020-01-01", 1e19, "reported", "not_flagged"),    # base run known: 1e19 + 1e23
                  ("epoch_total", "2021-01-01", 2e19, "reported", "not_flagged"),  # Epoch's total says 5e22
                  ("orphan", "2022-01-01", 3e19, "operations", "not_flagged")])  # no base figure at all
    runs = runs.assign(is_finetune=[False, True, True, True], base_flop=[None, 1e23, None, None],
                       own_reported_flop=[1e23, 1e19, 2e19, None], reported_total_flop=[None, None, 5e22, None])
    chosen, excluded = select_runs(runs)
    flop = dict(zip(chosen["run_id"], chosen["flop"]))
    assert flop == {"base": 1e23, "tuned": pytest.approx(1e23 + 1e19), "epoch_total": pytest.approx(5e22)}
    assert excluded["finetune_without_base"] == 1
    assert chosen.set_index("run_id").loc["tuned", "flop_low"] == pytest.approx(1e23 + 0.5e19)
