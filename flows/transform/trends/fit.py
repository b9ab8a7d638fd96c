"""Least squares of log10(FLOP) on decimal year, with a seeded bootstrap interval (pure numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOG10_2 = math.log10(2.0)
DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20180516     # any fixed seed: the same runs give the same interval on every call
INTERVAL = 0.90             # the issue asks for 90% intervals (5th to 95th percentile of the resamples)
CHUNK_CELLS = 1_000_000     # resampled indices held at once (~8 MB of int64, ~24 MB with the values they pick),
                            # whatever n and B are; the draws are the same stream whatever the chunking


def decimal_year(dates) -> np.ndarray:
    """Dates (anything pandas reads) as decimal years: 2020-07-02 -> 2020.5 (day of year / days in year)."""
    import pandas as pd

    stamps = pd.to_datetime(pd.Series(dates))
    days = np.where(stamps.dt.is_leap_year, 366.0, 365.0)
    return (stamps.dt.year + (stamps.dt.day_of_year - 1) / days).to_numpy(dtype=float)


def growth_per_year(slope: float) -> float:
    """A slope in log10(FLOP) per year as the factor compute grows by each year."""
    return float(10.0 ** slope)


def doubling_months(slope: float) -> float | None:
    """Months for compute to double; None when it does not grow (slope <= 0: no doubling time)."""
    return 12.0 * LOG10_2 / slope if slope > 0 else None


@dataclass(frozen=True)
class LineFit:
    n: int
    slope: float        # log10(FLOP) per year
    intercept: float    # log10(FLOP) at year 0 (use predict rather than reading it)
    r2: float
    start_year: float
    end_year: float

    def predict(self, years) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(years, dtype=float)


def fit_line(years, log_flop) -> LineFit:
    """Ordinary least squares; needs at least 3 points spread over more than one date."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(log_flop, dtype=float)
    if x.size < 3:
        raise ValueError(f"a trend needs at least 3 runs, got {x.size}")
    dx = x - x.mean()
    sxx = float(dx @ dx)
    if sxx == 0.0:
        raise ValueError("every run has the same publication date; no trend can be fitted")
    dy = y - y.mean()
    slope = float(dx @ dy) / sxx
    residual = dy - slope * dx
    syy = float(dy @ dy)
    r2 = 1.0 - float(residual @ residual) / syy if syy > 0 else 1.0
    return LineFit(int(x.size), slope, float(y.mean() - slope * x.mean()), r2, float(x.min()), float(x.max()))


def bootstrap_lines(years, log_flop, resamples: int = DEFAULT_RESAMPLES,
                    seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(slopes, levels): the least-squares line of each of `resamples` resamples of the runs (with
    replacement); a level is the line's value at the mean year of the original runs.

    Vectorised: each chunk of resamples is one index matrix and four row sums, so B resamples
    cost about B single fits. A resample whose dates are all equal has no line (NaN)."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(log_flop, dtype=float)
    n = x.size
    x = x - x.mean()  # centred: the sums below stay well conditioned for years near 2020
    rng = np.random.default_rng(seed)
    slopes, levels = np.empty(resamples), np.empty(resamples)
    per_chunk = max(1, CHUNK_CELLS // max(n, 1))
    for start in range(0, resamples, per_chunk):
        stop = min(resamples, start + per_chunk)
        index = rng.integers(0, n, size=(stop - start, n))
        xs, ys = x[index], y[index]
        sx, sy = xs.sum(axis=1), ys.sum(axis=1)
        sxx = np.einsum("ij,ij->i", xs, xs) - sx * sx / n
        sxy = np.einsum("ij,ij->i", xs, ys) - sx * sy / n
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(sxx > 1e-12, sxy / sxx, np.nan)
        slopes[start:stop] = slope
        levels[start:stop] = (sy - slope * sx) / n
    return slopes, levels


def percentile_interval(values: np.ndarray, level: float = INTERVAL) -> tuple[float, float]:
    """The central `level` share of the finite values (5th-95th percentile for 0.90)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


@dataclass(frozen=True, eq=False)
class TrendFit:
    line: LineFit
    slope_low: float
    slope_high: float
    resamples: int
    seed: int
    boot_slopes: np.ndarray   # one per resample, for bands
    boot_levels: np.ndarray   # each resample's line at mean_year
    mean_year: float

    def band(self, years, level: float = INTERVAL) -> tuple[np.ndarray, np.ndarray]:
        """The bootstrap band of the fitted line (log10 FLOP) at each of `years`."""
        grid = np.asarray(years, dtype=float)
        keep = np.isfinite(self.boot_slopes)
        lines = self.boot_levels[keep, None] + self.boot_slopes[keep, None] * (grid[None, :] - self.mean_year)
        tail = (1.0 - level) / 2.0 * 100.0
        return np.percentile(lines, tail, axis=0), np.percentile(lines, 100.0 - tail, axis=0)

    def summary(self) -> dict:
        """Growth per year and doubling months with their 90% intervals, as plain numbers."""
        slope = self.line.slope
        return {
            "n": self.line.n, "slope_log10_per_year": slope,
            "slope_log10_per_year_low": self.slope_low, "slope_log10_per_year_high": self.slope_high,
            "growth_per_year": growth_per_year(slope),
            "growth_per_year_low": growth_per_year(self.slope_low),
            "growth_per_year_high": growth_per_year(self.slope_high),
            "doubling_months": doubling_months(slope),
            # a steeper slope doubles sooner: the low doubling time comes from the high slope
            "doubling_months_low": doubling_months(self.slope_high),
            "doubling_months_high": doubling_months(self.slope_low),  # None: the interval reaches no growth
            "r2": self.line.r2,
        }


def fit_trend(years, log_flop, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> TrendFit:
    """The least-squares line and a percentile bootstrap interval on its slope."""
    line = fit_line(years, log_flop)
    slopes, levels = bootstrap_lines(years, log_flop, resamples, seed)
    low, high = percentile_interval(slopes)
    mean_year = float(np.mean(np.asarray(years, dtype=float)))
    return TrendFit(line, low, high, resamples, seed, slopes, levels, mean_year)


def year_to_date(year: float) -> str:
    """A decimal year as an ISO date (the inverse of decimal_year, to the day)."""
    import datetime as dt

    whole = int(math.floor(year))
    days = 366 if whole % 4 == 0 and (whole % 100 != 0 or whole % 400 == 0) else 365
    return (dt.date(whole, 1, 1) + dt.timedelta(days=round((year - whole) * days))).isoformat()
