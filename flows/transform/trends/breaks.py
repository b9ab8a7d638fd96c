"""Piecewise trends: up to two breakpoints in publication date, the number chosen by BIC.

Each segment is its own least-squares line (the lines need not meet: Epoch AI's "Compute
Trends Across Three Eras", Sevilla et al. 2022, fits its eras separately), with its own
bootstrap interval computed with the breakpoints held fixed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flows.transform.trends.fit import DEFAULT_RESAMPLES, DEFAULT_SEED, TrendFit, fit_trend

MAX_BREAKS = 2
MIN_SEGMENT_SHARE = 0.05   # each era holds at least 5% of the runs ...
MIN_SEGMENT_RUNS = 5       # ... and at least 5, so no era is fitted to a handful of points
MAX_CANDIDATES = 300       # cut positions searched (evenly spaced among the allowed ones)


@dataclass(frozen=True, eq=False)
class Segment:
    start_year: float   # first run's decimal year
    end_year: float     # last run's decimal year
    fit: TrendFit


@dataclass(frozen=True, eq=False)
class SegmentedFit:
    breaks: int                      # number of breakpoints used
    break_years: tuple[float, ...]   # midway between the last run of one era and the first of the next
    bic: dict[int, float]            # BIC of the best fit with k breaks, for each k tried
    segments: tuple[Segment, ...]


# A breakpoint counts as 2 parameters because its date is searched for: at 1, straight synthetic trends
# got a spurious era in 8% of 60 trials at n=40 (2% at n=150); at 2, 3% and 0%, while a 0.2 -> 0.6
# log10/year change was still found in 95% (n=40) and 100% (n>=150) of trials (measured 2026-12-06).
BREAK_PARAMETERS = 2


def bic_score(rss: float, n: int, breaks: int) -> float:
    """Gaussian BIC up to a constant: n ln(RSS/n) + p ln(n), p = 2 per line + BREAK_PARAMETERS per break."""
    parameters = 2 * (breaks + 1) + BREAK_PARAMETERS * breaks
    return n * math.log(max(rss, 1e-300) / n) + parameters * math.log(n)


class _Prefix:
    """Residual sum of squares of the least-squares line on any slice [a, b) in O(1)."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        x = x - x.mean()
        zero = np.zeros(1)
        self.c = np.concatenate([zero, np.arange(1, x.size + 1, dtype=float)])
        self.sx, self.sy = (np.concatenate([zero, np.cumsum(v)]) for v in (x, y))
        self.sxx, self.sxy, self.syy = (np.concatenate([zero, np.cumsum(v)]) for v in (x * x, x * y, y * y))

    def rss(self, a, b) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):  # empty slices (unused pairs) give NaN, masked later
            n = self.c[b] - self.c[a]
            sx, sy = self.sx[b] - self.sx[a], self.sy[b] - self.sy[a]
            sxx = self.sxx[b] - self.sxx[a] - sx * sx / n
            sxy = self.sxy[b] - self.sxy[a] - sx * sy / n
            syy = self.syy[b] - self.syy[a] - sy * sy / n
            rss = np.where(sxx > 1e-9, syy - sxy * sxy / sxx, np.inf)  # one date only: no line
        return np.maximum(rss, 0.0)


def _candidates(x: np.ndarray, min_run: int) -> np.ndarray:
    """Cut positions i (era ends before run i) between distinct dates leaving min_run runs each side."""
    cuts = np.flatnonzero(x[1:] > x[:-1]) + 1
    cuts = cuts[(cuts >= min_run) & (cuts <= x.size - min_run)]
    if cuts.size > MAX_CANDIDATES:
        cuts = cuts[np.linspace(0, cuts.size - 1, MAX_CANDIDATES).round().astype(int)]
    return cuts


def best_cuts(x: np.ndarray, y: np.ndarray, breaks: int, min_run: int) -> tuple[float, tuple[int, ...]] | None:
    """(RSS, cut positions) of the best fit with exactly `breaks` breakpoints; None if none fits."""
    prefix, n = _Prefix(x, y), x.size
    if breaks == 0:
        return float(prefix.rss(0, n)), ()
    cuts = _candidates(x, min_run)
    if breaks == 1:
        if cuts.size == 0:
            return None
        total = prefix.rss(0, cuts) + prefix.rss(cuts, n)
        best = int(np.argmin(total))
        return (float(total[best]), (int(cuts[best]),)) if np.isfinite(total[best]) else None
    first, second = np.meshgrid(cuts, cuts, indexing="ij")
    total = prefix.rss(0, first) + prefix.rss(first, second) + prefix.rss(second, n)
    total = np.where(second - first >= min_run, total, np.inf)
    if total.size == 0 or not np.isfinite(total).any():
        return None
    i, j = np.unravel_index(int(np.argmin(total)), total.shape)
    return float(total[i, j]), (int(first[i, j]), int(second[i, j]))


def fit_segments(years, log_flop, breaks: int | str = "auto", resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED) -> SegmentedFit:
    """Piecewise fit with `breaks` breakpoints (0, 1, 2) or, with "auto", the count of lowest BIC."""
    order = np.lexsort((np.asarray(log_flop, dtype=float), np.asarray(years, dtype=float)))
    x, y = np.asarray(years, dtype=float)[order], np.asarray(log_flop, dtype=float)[order]
    min_run = max(MIN_SEGMENT_RUNS, math.ceil(MIN_SEGMENT_SHARE * x.size))
    wanted = range(MAX_BREAKS + 1) if breaks == "auto" else [int(breaks)]
    tried = {k: best_cuts(x, y, k, min_run) for k in wanted}
    found = {k: v for k, v in tried.items() if v is not None}
    if not found:
        raise ValueError(f"{breaks} breakpoint(s) need at least {min_run} runs on distinct dates in each era; "
                         f"there are {x.size} runs")
    bic = {k: bic_score(rss, x.size, k) for k, (rss, _) in found.items()}
    chosen = min(bic, key=lambda k: (bic[k], k))  # a tie goes to fewer breaks
    cuts = found[chosen][1]
    bounds = [0, *cuts, x.size]
    segments = tuple(
        Segment(float(x[a]), float(x[b - 1]), fit_trend(x[a:b], y[a:b], resamples, seed + index))
        for index, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))
    )
    break_years = tuple(float((x[c - 1] + x[c]) / 2.0) for c in cuts)
    return SegmentedFit(chosen, break_years, bic, segments)
