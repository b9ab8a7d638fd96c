"""Growth of training compute on Epoch AI's models CSV, through the warehouse and straight from the CSV.

    .venv/bin/python benchmarks/trends_epoch.py [--csv ../shared/reference/epoch_models_dev.csv]
        [--warehouse /tmp/trends_epoch.duckdb] [--chart docs/trends.png] [--keep]

Builds a warehouse with `flopledger run --source epoch` (unless --keep and it exists), runs
`flopledger trends --since 2010-01-01 --until 2024-05-31` with one line and with --breaks auto, then
the whole history to 2024-05-31 with --breaks auto (the eras; it draws that chart), and fits Epoch's own
`Training compute (FLOP)` column the same ways as a cross-check of the warehouse path. Prints the
figures docs/trends.md quotes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.transform.trends.breaks import fit_segments  # noqa: E402
from flows.transform.trends.fit import decimal_year, fit_trend  # noqa: E402

SINCE, UNTIL = "2010-01-01", "2024-05-31"  # the window of Epoch AI's "4-5x per year since 2010" (2024)


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flows.cli.main", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"flopledger {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def line(label: str, r: dict) -> str:
    return (f"{label}: n={r['n']} growth {r['growth_per_year']:.2f}x/year [{r['growth_per_year_low']:.2f}-"
            f"{r['growth_per_year_high']:.2f}], doubling {r['doubling_months']:.1f} months "
            f"[{r['doubling_months_low']:.1f}-{r['doubling_months_high']:.1f}], R2 {r['r2']:.2f}")


def from_csv(path: Path, since: str | None = SINCE) -> dict:
    """Epoch's own figures: every row with a publication date in the window and a training compute."""
    raw = pd.read_csv(path, usecols=["Model", "Publication date", "Training compute (FLOP)"])
    raw["date"] = pd.to_datetime(raw["Publication date"], errors="coerce")
    raw["flop"] = pd.to_numeric(raw["Training compute (FLOP)"], errors="coerce")
    rows = raw[(raw["date"] >= (since or "1900-01-01")) & (raw["date"] <= UNTIL) & (raw["flop"] > 0)]
    rows = rows.sort_values(["date", "Model"])
    years, log_flop = decimal_year(rows["date"]), np.log10(rows["flop"].to_numpy(float))
    summary = fit_trend(years, log_flop).summary()
    eras = fit_segments(years, log_flop, "auto")
    summary["eras"] = [(round(s.start_year, 2), round(s.end_year, 2), s.fit.line.n, round(10 ** s.fit.line.slope, 2))
                       for s in eras.segments]
    summary["break_years"] = [(round(b, 2), round(lo, 2), round(hi, 2))
                              for b, lo, hi in zip(eras.break_years, eras.break_low, eras.break_high)]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT.parent / "shared/reference/epoch_models_dev.csv")
    parser.add_argument("--warehouse", type=Path, default=Path("/tmp/trends_epoch.duckdb"))
    parser.add_argument("--chart", type=Path, default=ROOT / "docs/trends.png")
    parser.add_argument("--keep", action="store_true", help="reuse an existing warehouse")
    args = parser.parse_args()
    if not (args.keep and args.warehouse.exists()):
        args.warehouse.unlink(missing_ok=True)
        cli("run", "--source", "epoch", "--epoch-models-url", str(args.csv), "--warehouse", str(args.warehouse))
    window = ["--warehouse", str(args.warehouse), "--since", SINCE, "--until", UNTIL, "--format", "json"]
    for estimate, extra in (("best", []), ("reported", []), ("best", ["--flagged", "exclude"])):
        one = json.loads(cli("trends", *window, "--estimate", estimate, *extra))
        print(line(f"warehouse, {estimate} {' '.join(extra)}", one))
        print(f"  excluded: {one['excluded']}; flagged in fit: {one['flagged_in_fit']}; methods: {one['methods']}")
    whole = window[:2] + window[4:]
    eras_chart = args.chart.with_name(args.chart.stem + "_eras" + args.chart.suffix)
    for label, dates, extra in (("2010-2024", window, ["--chart", str(args.chart)]),
                                ("whole history", whole, []),
                                ("whole history, --flagged exclude", whole, ["--flagged", "exclude"]),
                                ("whole history, --estimate reported", whole, ["--estimate", "reported",
                                                                               "--chart", str(eras_chart)])):
        eras = json.loads(cli("trends", *dates, "--breaks", "auto", *extra))
        print(f"warehouse, {label}, --breaks auto: n={eras['n']}, {eras['breaks']} break(s) at {eras['break_dates']} "
              f"[{eras['break_dates_low']} to {eras['break_dates_high']}]; BIC {eras['bic']}; "
              f"flagged in fit {eras['flagged_in_fit']}")
        for segment in eras["segments"]:
            print("  " + line(f"{segment['start']} to {segment['end']}", segment))
    frontier = json.loads(cli("trends", *window, "--top-per-year", "10"))
    print(line("warehouse, best, 10 largest per year", frontier))
    direct = from_csv(args.csv)
    print(line("Epoch CSV directly (Training compute column)", direct))
    print(f"  eras by BIC (start, end, n, growth/year): {direct['eras']}")
    whole = from_csv(args.csv, since=None)
    print(line("Epoch CSV directly, whole history to 2024-05-31", whole))
    print(f"  eras by BIC (start, end, n, growth/year): {whole['eras']}; breaks (date, low, high): {whole['break_years']}")
    print(f"charts: {args.chart}, {eras_chart}")


if __name__ == "__main__":
    main()
