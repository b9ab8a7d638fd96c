"""Eras: a continuous piecewise-linear trend with up to two breakpoints in publication date, the
number chosen by BIC, each breakpoint's date with its own bootstrap interval.

The lines meet at each breakpoint (segmented regression, a "broken stick"): an era is a change in
the *growth rate*, which is what Epoch AI's "Compute Trends Across Three Eras of Machine Learning"
(Sevilla et al. 2022) reports (a doubling time of about 20 months before ~2010, about 6 after).
Separate lines that need not meet were tried first and fail on real data: when most runs are
recent (Epoch's table has 18 runs from 2010-2014 and 300 from 2020-2024), a free jump lets the
break land wherever the recent cloud is densest (2018-2021 on the dev CSV), while the continuous
fit puts it near 2010. A jump in level with unchanged growth (Epoch's parallel "large-scale"
cluster of 2015-) is not an era in this sense and is not looked for.

Fitting with the breakpoints known is ordinary least squares on the columns 1, x, (x - b1)+,
(x - b2)+. The search tries every cut between runs on distinct dates (at most MAX_CANDIDATES, spread
evenly by rank) that leaves each era at least MIN_SEGMENT_RUNS runs, from prefix sums, so one
candidate costs O(1) and all pairs are solved as one batch of 4x4 systems."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flows.transform.trends.fit import (CHUNK_CELLS, DEFAULT_RESAMPLES, DEFAULT_SEED, INTERVAL, LineFit, TrendFit,
                                        fit_trend, percentile_interval)

MAX_BREAKS = 2
MIN_SEGMENT_SHARE = 0.05   # each era holds at least 5% of the runs ...
MIN_SEGMENT_RUNS = 5       # ... and at least 5, so no era is fitted to a handful of points
MAX_CANDIDATES = 300       # cut positions searched (evenly spaced among the allowed ones)
BREAK_RESAMPLES = 200      # resamples for the breakpoint dates' interval (each one re-searches the dates)
BREAK_CANDIDATES_RESAMPLED = 60  # coarser grid for the two-break search inside each of those resamples

# A breakpoint counts as 2 parameters because its date is searched for, plus 1 for the change of slope
# it allows: p = 2 + 3k. At that price, straight synthetic trends (0.5 log10/year, noise 0.5) kept one
# line in all of 60 trials at each of n = 40, 100, 150 and 600, and a change from 0.1 to 0.6 log10/year
# in 2012 was found in all of them (measured 2026-12-06; tests/unit/test_trends.py keeps both checks).
BREAK_PARAMETERS = 2
CRITERION = "BIC: n ln(RSS/n) + (3k + 2) ln(n) for k breakpoints (continuous piecewise-linear fit)"


@dataclass(frozen=True, eq=False)
class Segment:
    start_year: float   # first run's decimal year
    end_year: float     # last run's decimal year
    fit: TrendFit       # this era's piece of the joint fit: its slope, interval and band


@dataclass(frozen=True, eq=False)
class SegmentedFit:
    breaks: int                      # number of breakpoints used
    break_years: tuple[float, ...]   # where the lines meet: midway between two runs' dates
    bic: dict[int, float]            # BIC of the best fit with k breaks, for each k tried
    segments: tuple[Segment, ...]
    break_low: tuple[float, ...] = ()    # 90% bootstrap interval of each break's date (re-searched per resample)
    break_high: tuple[float, ...] = ()


def bic_score(rss: float, n: int, breaks: int) -> float:
    """Gaussian BIC up to a constant: n ln(RSS/n) + p ln(n), p = 2 + (1 + BREAK_PARAMETERS) per break."""
    parameters = 2 + (1 + BREAK_PARAMETERS) * breaks
    return n * math.log(max(rss, 1e-300) / n) + parameters * math.log(n)


class _Sums:
    """Weighted prefix sums of 1, x, x², y, xy, y² over runs sorted by date (x and y centred), so that the
    normal equations of the broken-stick fit for any breakpoints come from a few look-ups.
    `weights` has one row per resample (bootstrap counts) or is a single row of ones."""

    def __init__(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray):
        zero = np.zeros((weights.shape[0], 1))
        cum = lambda v: np.concatenate([zero, np.cumsum(weights * v, axis=1)], axis=1)  # noqa: E731
        self.w, self.x, self.xx = cum(1.0), cum(x), cum(x * x)
        self.y, self.xy, self.yy = cum(y), cum(x * y), cum(y * y)

    def tail(self, name: str, cut: np.ndarray) -> np.ndarray:
        """Sum of `name` over runs from position `cut` on, shape (resamples, cuts)."""
        prefix = getattr(self, name)
        return prefix[:, -1:] - np.take(prefix, cut, axis=1)

    def rss(self, cuts: list[np.ndarray], points: list[np.ndarray]) -> np.ndarray:
        """RSS of the broken-stick fit for each candidate: cuts[k] (run positions) and points[k] (dates) of the
        k-th breakpoint, same shape; result (resamples, candidates). NaN where the system is singular."""
        n, sx, sxx = self.w[:, -1:], self.x[:, -1:], self.xx[:, -1:]
        sy, sxy, syy = self.y[:, -1:], self.xy[:, -1:], self.yy[:, -1:]
        shape = (self.w.shape[0], cuts[0].size) if cuts else (self.w.shape[0], 1)
        full = lambda v: np.broadcast_to(v, shape)  # noqa: E731
        rows = [[full(n), full(sx)], [full(sx), full(sxx)]]
        rhs = [full(sy), full(sxy)]
        hinges = []
        for cut, b in zip(cuts, points):
            t0, t1, t2 = self.tail("w", cut), self.tail("x", cut), self.tail("xx", cut)
            ty, txy = self.tail("y", cut), self.tail("xy", cut)
            hinges.append((cut, b))
            h, xh, hy = t1 - b * t0, t2 - b * t1, txy - b * ty
            rows[0].append(h)
            rows[1].append(xh)
            rhs.append(hy)
        for i, (cut_i, b_i) in enumerate(hinges):
            row = [rows[0][2 + i], rows[1][2 + i]]
            for j, (cut_j, b_j) in enumerate(hinges):
                later = np.maximum(cut_i, cut_j)  # both hinges are non-zero only after the later break
                t0, t1, t2 = self.tail("w", later), self.tail("x", later), self.tail("xx", later)
                row.append(t2 - (b_i + b_j) * t1 + b_i * b_j * t0)
            rows.append(row)
        a = np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)   # (..., p, p)
        c = np.stack(rhs, axis=-1)                                    # (..., p)
        with np.errstate(all="ignore"):
            ok = np.abs(np.linalg.det(a)) > 1e-9 * np.abs(a).max(axis=(-1, -2)) ** a.shape[-1]
            a = np.where(ok[..., None, None], a, np.eye(a.shape[-1]))
            beta = np.linalg.solve(a, c[..., None])[..., 0]
            rss = syy - np.einsum("...p,...p->...", beta, c)
        return np.where(ok, np.maximum(rss, 0.0), np.nan)


def _candidates(x: np.ndarray, min_run: int, limit: int = MAX_CANDIDATES, keep: tuple[int, ...] = ()) -> np.ndarray:
    """Cut positions i (era ends before run i) between distinct dates leaving min_run runs each side;
    `keep` (the fitted cuts) stays among them when the grid is thinned."""
    cuts = np.flatnonzero(x[1:] > x[:-1]) + 1
    cuts = cuts[(cuts >= min_run) & (cuts <= x.size - min_run)]
    if cuts.size > limit:
        cuts = np.union1d(cuts[np.linspace(0, cuts.size - 1, limit).round().astype(int)], np.asarray(keep, dtype=int))
    return cuts


def _search(sums: _Sums, x: np.ndarray, breaks: int, min_run: int, limit: int = MAX_CANDIDATES,
            keep: tuple[int, ...] = ()):
    """For each row of `sums`: (RSS, cut positions) of the best fit with exactly `breaks` breakpoints.
    Returns (rss array (rows,), cuts array (rows, breaks)); rss is inf where nothing fits."""
    rows = sums.w.shape[0]
    if breaks == 0:
        return sums.rss([], [])[:, 0], np.zeros((rows, 0), dtype=int)
    cuts = _candidates(x, min_run, limit, keep)
    if cuts.size == 0:
        return np.full(rows, np.inf), np.zeros((rows, breaks), dtype=int)
    points = (x[cuts - 1] + x[cuts]) / 2.0
    if breaks == 1:
        pairs = [cuts], [points]
    else:
        i, j = np.triu_indices(cuts.size, k=1)
        keep = cuts[j] - cuts[i] >= min_run
        i, j = i[keep], j[keep]
        if i.size == 0:
            return np.full(rows, np.inf), np.zeros((rows, breaks), dtype=int)
        pairs = [cuts[i], cuts[j]], [points[i], points[j]]
    rss = sums.rss(*pairs)
    # each era must hold min_run runs in this (re)sample too: counts come from the weights
    bounds = [np.zeros_like(pairs[0][0]), *pairs[0], np.full_like(pairs[0][0], x.size)]
    for a, b in zip(bounds[:-1], bounds[1:]):
        held = np.take(sums.w, b, axis=1) - np.take(sums.w, a, axis=1)
        rss = np.where(held >= min_run, rss, np.nan)
    rss = np.where(np.isfinite(rss), rss, np.inf)
    best = np.argmin(rss, axis=1)
    chosen = np.stack([c[best] for c in pairs[0]], axis=1)
    return rss[np.arange(rows), best], chosen


def _design(x: np.ndarray, break_years) -> np.ndarray:
    return np.column_stack([np.ones_like(x), x, *(np.maximum(x - b, 0.0) for b in break_years)])


def _piece_slopes(beta: np.ndarray) -> np.ndarray:
    """Slope of each era from the coefficients (..., 2 + k): slope, slope + change 1, ..."""
    return np.cumsum(beta[..., 1:], axis=-1)


def _bootstrap_coefficients(x, y, break_years, resamples: int, seed: int) -> np.ndarray:
    """Coefficients of the broken-stick fit (breaks held fixed) on each resample of the runs, (resamples, 2 + k)."""
    design = _design(x, break_years)
    width = design.shape[1]
    outer = (design[:, :, None] * design[:, None, :]).reshape(x.size, width * width)
    weighted_y = design * y[:, None]
    rng = np.random.default_rng(seed)
    out = np.full((resamples, width), np.nan)
    per_chunk = max(1, CHUNK_CELLS // max(x.size, 1))
    for start in range(0, resamples, per_chunk):
        stop = min(resamples, start + per_chunk)
        index = rng.integers(0, x.size, size=(stop - start, x.size))
        counts = np.stack([np.bincount(row, minlength=x.size) for row in index]).astype(float)
        xtx = (counts @ outer).reshape(-1, width, width)
        xty = counts @ weighted_y
        with np.errstate(all="ignore"):
            ok = np.linalg.matrix_rank(xtx) == width
            solved = np.linalg.solve(np.where(ok[:, None, None], xtx, np.eye(width)), xty[..., None])[..., 0]
        out[start:stop] = np.where(ok[:, None], solved, np.nan)
    return out


def _segment_fits(x, y, break_years, cuts, resamples: int, seed: int, x_mean: float, y_mean: float):
    design = _design(x, break_years)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    boot = _bootstrap_coefficients(x, y, break_years, resamples, seed)
    slopes, boot_slopes = _piece_slopes(beta), _piece_slopes(boot)
    bounds = [0, *cuts, x.size]
    segments = []
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        xs, ys = x[a:b], y[a:b]
        mean = float(xs.mean())
        level = float(_design(np.array([mean]), break_years)[0] @ beta)
        boot_levels = _design(np.array([mean]), break_years)[0] @ boot.T
        fitted = design[a:b] @ beta
        residual, spread = ys - fitted, ys - ys.mean()
        r2 = 1.0 - float(residual @ residual) / float(spread @ spread) if float(spread @ spread) > 0 else 1.0
        slope = float(slopes[k])
        line = LineFit(int(b - a), slope, level + y_mean - slope * (mean + x_mean), r2,
                       float(xs.min() + x_mean), float(xs.max() + x_mean))
        low, high = percentile_interval(boot_slopes[:, k])
        segments.append(Segment(float(xs[0] + x_mean), float(xs[-1] + x_mean),
                                TrendFit(line, low, high, resamples, seed + k, boot_slopes[:, k].copy(),
                                         boot_levels + y_mean, mean + x_mean)))
    return tuple(segments)


def _break_intervals(x, y, cuts: tuple[int, ...], min_run: int, seed: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each break's date re-searched on BREAK_RESAMPLES resamples of the runs: the 5th-95th percentile."""
    breaks = len(cuts)
    if breaks == 0:
        return (), ()
    rng = np.random.default_rng(seed + 7919)
    found = []
    per_chunk = max(1, CHUNK_CELLS // (4 * max(x.size, 1) * (1 if breaks == 1 else 8)))
    limit = MAX_CANDIDATES if breaks == 1 else BREAK_CANDIDATES_RESAMPLED
    for start in range(0, BREAK_RESAMPLES, per_chunk):
        stop = min(BREAK_RESAMPLES, start + per_chunk)
        index = rng.integers(0, x.size, size=(stop - start, x.size))
        counts = np.stack([np.bincount(row, minlength=x.size) for row in index]).astype(float)
        rss, found_cuts = _search(_Sums(x, y, counts), x, breaks, min_run, limit, keep=cuts)
        years = (x[found_cuts - 1] + x[found_cuts]) / 2.0
        found.append(np.where(np.isfinite(rss)[:, None], years, np.nan))
    years = np.concatenate(found)
    intervals = [percentile_interval(years[:, k], INTERVAL) for k in range(breaks)]
    return tuple(low for low, _ in intervals), tuple(high for _, high in intervals)


def fit_segments(years, log_flop, breaks: int | str = "auto", resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED) -> SegmentedFit:
    """Broken-stick fit with `breaks` breakpoints (0, 1, 2) or, with "auto", the count of lowest BIC."""
    order = np.lexsort((np.asarray(log_flop, dtype=float), np.asarray(years, dtype=float)))
    x_raw, y_raw = np.asarray(years, dtype=float)[order], np.asarray(log_flop, dtype=float)[order]
    if x_raw.size < 3 or x_raw[0] == x_raw[-1]:
        raise ValueError(f"a trend needs at least 3 runs on 2 dates, got {x_raw.size}")
    x_mean, y_mean = float(x_raw.mean()), float(y_raw.mean())
    x, y = x_raw - x_mean, y_raw - y_mean   # centred: the sums stay well conditioned
    min_run = max(MIN_SEGMENT_RUNS, math.ceil(MIN_SEGMENT_SHARE * x.size))
    wanted = range(MAX_BREAKS + 1) if breaks == "auto" else [int(breaks)]
    sums = _Sums(x, y, np.ones((1, x.size)))
    found = {}
    for k in wanted:
        rss, cuts = _search(sums, x, k, min_run)
        if np.isfinite(rss[0]):
            found[k] = (float(rss[0]), tuple(int(c) for c in cuts[0]))
    if not found:
        raise ValueError(f"{breaks} breakpoint(s) need at least {min_run} runs on distinct dates in each era; "
                         f"there are {x.size} runs")
    bic = {k: bic_score(rss, x.size, k) for k, (rss, _) in found.items()}
    chosen = min(bic, key=lambda k: (bic[k], k))  # a tie goes to fewer breaks
    cuts = found[chosen][1]
    break_years = tuple(float((x[c - 1] + x[c]) / 2.0) for c in cuts)
    if chosen == 0:  # one line: the plain least-squares fit and its bootstrap, the same numbers as fit_trend's
        segments = (Segment(float(x_raw[0]), float(x_raw[-1]), fit_trend(x_raw, y_raw, resamples, seed)),)
    else:
        segments = _segment_fits(x, y, break_years, cuts, resamples, seed, x_mean, y_mean)
    low, high = _break_intervals(x, y, cuts, min_run, seed)
    return SegmentedFit(chosen, tuple(b + x_mean for b in break_years), bic, segments,
                        tuple(v + x_mean for v in low), tuple(v + x_mean for v in high))
