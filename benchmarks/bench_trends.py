"""Cost of the 1,000-resample bootstrap against one least-squares fit, on 100k generated runs.

    .venv/bin/python benchmarks/bench_trends.py [--runs 100000] [--resamples 1000]

The bootstrap is vectorised (one index matrix per chunk, four row sums), so B resamples should
cost about B single fits or less; the ratio printed is bootstrap time / one fit's time."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.transform.trends.fit import fit_line, fit_trend  # noqa: E402


def best_of(repeats: int, call) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    years = np.sort(rng.uniform(2010, 2024, args.runs))
    log_flop = 15 + 0.6 * (years - 2010) + rng.normal(0, 0.8, args.runs)  # 4x a year with wide scatter
    single = best_of(50, lambda: fit_line(years, log_flop))
    boot = best_of(3, lambda: fit_trend(years, log_flop, resamples=args.resamples))
    summary = fit_trend(years, log_flop, resamples=args.resamples).summary()
    print(f"runs {args.runs:,}, resamples {args.resamples:,}")
    print(f"one least-squares fit: {single * 1e3:.2f} ms (best of 50)")
    print(f"fit + bootstrap:       {boot:.2f} s (best of 3)")
    print(f"ratio: {boot / single:.0f} single fits for {args.resamples} resamples "
          f"({boot / single / args.resamples:.2f} fits per resample)")
    print(f"growth {summary['growth_per_year']:.3f}x/year [{summary['growth_per_year_low']:.3f}-"
          f"{summary['growth_per_year_high']:.3f}] (generated at {10 ** 0.6:.3f})")


if __name__ == "__main__":
    main()
