"""Epoch's models table at 10x: `flopledger run --source epoch` against `flopledger extract` over its notes.

    .venv/bin/python benchmarks/bench_epoch_scale.py [--csv ../shared/reference/epoch_models_dev.csv]
                                                     [--copies 20] [--keep DIR] [--src DIR]

--src runs the commands from another checkout of the code (say `git archive <commit> | tar -x -C DIR`),
with this virtual environment's packages, to measure a version before a change.

Input: the dev file (about half of Epoch's table) repeated `--copies` times, each copy after the first
with its Model and Base model names suffixed ' [copy k]' so copies do not merge (20 copies: about
33,000 rows, 64 MB, Epoch's table at 10x). Generation is not timed.

Measured, each command in a fresh process under /usr/bin/time -v (wall time, peak RSS of the process
and the children it waited for) or, without it, resource.getrusage(RUSAGE_CHILDREN):

  start-up  `flopledger run --source epoch` on a header-only copy (median of 3): the fixed cost
  run       `flopledger run --source epoch` on the 10x file, into a fresh warehouse
  extract   `flopledger extract` over the same notes the run reads for hardware (one JSON line per row
            with a note: Training compute notes + Training time notes, with the publication date)

Prints the marginal run time (run minus start-up), its ratio to extract's time, and peak RSS.
Targets (issue 12 item 8): marginal <= 2x extract; peak RSS <= 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "reference" / "epoch_models_dev.csv"
ENV = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
       "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
NOTE_COLUMNS = ["Training compute notes", "Training time notes"]  # the run's hardware statement (ingest/epoch.py)
TARGET_RATIO, TARGET_RSS_MB = 2.0, 600


def make_scaled(dev: Path, copies: int, out: Path) -> pd.DataFrame:
    """The dev file `copies` times over, names made distinct per copy; returns the frame written."""
    table = pd.read_csv(dev, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    parts = []
    table["Model"], table["Base model"] = table["Model"].str.strip(), table["Base model"].str.strip()
    for k in range(copies):
        part = table.copy()
        if k:
            suffix = f" [copy {k}]"
            part["Model"] = part["Model"].where(part["Model"] == "", part["Model"] + suffix)
            part["Base model"] = part["Base model"].where(part["Base model"] == "", part["Base model"] + suffix)
        parts.append(part)
    scaled = pd.concat(parts, ignore_index=True)
    scaled.to_csv(out, index=False, lineterminator="\n")
    return scaled


def write_notes(scaled: pd.DataFrame, out: Path) -> int:
    """The notes the run reads, as `flopledger extract` input; returns the number of lines."""
    lines = 0
    with out.open("w", encoding="utf-8") as f:
        for i, row in enumerate(scaled[["Model", "Publication date", *NOTE_COLUMNS]].itertuples(index=False)):
            text = " ".join(t.strip() for t in row[2:] if t.strip())
            if text:
                date = row[1] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]) else None
                f.write(json.dumps({"id": f"{i}:{row[0]}", "text": text, "published_date": date}) + "\n")
                lines += 1
    return lines


def measured(command: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one command in a fresh process."""
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        wrapped = [gnu_time, "-v", "-o", report.name, *command] if gnu_time else command
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(wrapped, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        if gnu_time:
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read())
            return wall, int(found.group(1)) / 1024
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(after, before) / 1024  # a running maximum over children: run the big command last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    parser.add_argument("--src", type=Path, help="checkout whose code runs (default: this one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-epoch-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    big, header, notes = work / "epoch_10x.csv", work / "epoch_header_only.csv", work / "epoch_10x_notes.jsonl"
    scaled = make_scaled(args.csv, args.copies, big)
    header.write_text(big.open(encoding="utf-8").readline(), encoding="utf-8")
    note_lines = write_notes(scaled, notes)
    env = {**os.environ, **ENV, "PREFECT_HOME": str(work / "prefect-home")}
    src = (args.src or ROOT).resolve()
    if args.src:
        env["PYTHONPATH"] = str(src)
    flopledger = [sys.executable, "-m", "flows.cli.main"]
    run = lambda csv, name: [*flopledger, "run", "--source", "epoch", "--epoch-models-url", str(csv),  # noqa: E731
                             "--warehouse", str(work / name)]
    measured(run(header, "warm.duckdb"), env, src)  # warm-up: Prefect's database, caches
    starts = [measured(run(header, f"start{i}.duckdb"), env, src) for i in range(3)]
    extract = measured([*flopledger, "extract", str(notes)], env, src)
    full = measured(run(big, "full.duckdb"), env, src)
    start_s = statistics.median(t for t, _ in starts)
    marginal = full[0] - start_s
    ratio = marginal / extract[0]
    print(f"code: {src}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"input: {len(scaled):,} rows ({args.copies} copies of {args.csv.name}), "
          f"{big.stat().st_size / 1e6:.1f} MB; notes: {note_lines:,} lines, {notes.stat().st_size / 1e6:.1f} MB")
    print(f"start-up (header-only run): {start_s:.2f} s (runs {', '.join(f'{t:.2f}' for t, _ in starts)}), "
          f"peak RSS {max(r for _, r in starts):.0f} MB")
    print(f"run 10x: {full[0]:.2f} s, peak RSS {full[1]:.0f} MB; marginal {marginal:.2f} s")
    print(f"extract over its notes: {extract[0]:.2f} s, peak RSS {extract[1]:.0f} MB")
    print(f"marginal / extract: {ratio:.2f} (target <= {TARGET_RATIO:g}) -> {'PASS' if ratio <= TARGET_RATIO else 'MISS'}; "
          f"peak RSS {full[1]:.0f} MB (target <= {TARGET_RSS_MB}) -> {'PASS' if full[1] <= TARGET_RSS_MB else 'MISS'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
