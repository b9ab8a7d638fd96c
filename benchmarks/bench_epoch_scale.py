"""Epoch's models table at 10x: `flopledger run --source epoch` against `flopledger extract` over its notes.

    .venv/bin/python benchmarks/bench_epoch_scale.py [--csv ../shared/reference/epoch_models_dev.csv]
                                                     [--copies 20] [--keep DIR] [--src DIR] [--rounds N]

--src runs the commands from another checkout of the code (say `git archive <commit> | tar -x -C DIR`),
with this virtual environment's packages, to measure a version before a change.

Input: the dev file (about half of Epoch's table) repeated `--copies` times, each copy after the first
with its Model and Base model names suffixed ' [copy k]' so copies do not merge (20 copies: about
33,000 rows, 64 MB, Epoch's table at 10x). Generation is not timed.

Measured, each command in a fresh process: wall time; CPU time of the process and the children it waited
for (resource.getrusage(RUSAGE_CHILDREN)); peak RSS of the largest single process (/usr/bin/time -v, or
getrusage without it); and, with psutil installed, the peak of the whole process tree's summed RSS
(sampled every 0.1 s: the run's statement helper and Prefect's temporary server included):

  start-up  `flopledger run --source epoch` on a header-only copy (median of 3): the fixed cost
  run       `flopledger run --source epoch` on the 10x file, into a fresh warehouse
  extract   `flopledger extract` over the same notes the run reads for hardware (one JSON line per row
            with a note: Training compute notes + Training time notes, with the publication date)

Prints the marginal run time (run minus start-up), its ratio to extract's time, the same for CPU time
(a large table's hardware statements are read on a second core: wall and CPU differ), and peak RSS.
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


def _tree_rss_sampler(pid: int, peak: list, done):
    """Polls the sum of RSS over `pid` and its descendants every 0.1 s into peak[0] (needs psutil)."""
    try:
        import psutil
    except ImportError:
        peak[0] = None
        return
    while not done.is_set():
        try:
            root = psutil.Process(pid)
            total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak[0] = max(peak[0], total)
        except psutil.Error:
            pass
        done.wait(0.1)


def measured(command: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """One command in a fresh process: wall seconds, peak RSS of the largest process (MB), CPU seconds of
    the process and the children it waited for (its helper, Prefect's temporary server), and the peak of
    the whole process tree's summed RSS (MB; sampled every 0.1 s, None without psutil)."""
    import threading

    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        wrapped = [gnu_time, "-v", "-o", report.name, *command] if gnu_time else command
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tree, done = [0], threading.Event()
        sampler = threading.Thread(target=_tree_rss_sampler, args=(process.pid, tree, done), daemon=True)
        sampler.start()
        _, stderr = process.communicate()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, command, stderr=stderr)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss = max(after.ru_maxrss, before.ru_maxrss) / 1024  # a running maximum: run the big command last
        if gnu_time:
            text = report.read()
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    tree_mb = tree[0] / 2**20 if tree[0] is not None else None
    return {"wall": wall, "rss": rss, "cpu": cpu, "tree": tree_mb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    parser.add_argument("--src", type=Path, help="checkout whose code runs (default: this one)")
    parser.add_argument("--rounds", type=int, default=1, help="measure this many times over; prints the median ratio")
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
    tree = lambda m: f", whole process tree {m['tree']:.0f} MB" if m["tree"] is not None else ""  # noqa: E731
    print(f"code: {src}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"input: {len(scaled):,} rows ({args.copies} copies of {args.csv.name}), "
          f"{big.stat().st_size / 1e6:.1f} MB; notes: {note_lines:,} lines, {notes.stat().st_size / 1e6:.1f} MB")
    ratios, peaks = [], []
    for round_ in range(1, args.rounds + 1):  # each round: its own start-ups, extract and 10x run, side by side
        starts = [measured(run(header, f"start{round_}_{i}.duckdb"), env, src) for i in range(3)]
        extract = measured([*flopledger, "extract", str(notes)], env, src)
        full = measured(run(big, f"full{round_}.duckdb"), env, src)
        start_s = statistics.median(m["wall"] for m in starts)
        start_cpu = statistics.median(m["cpu"] for m in starts)
        marginal, marginal_cpu = full["wall"] - start_s, full["cpu"] - start_cpu
        ratios.append(marginal / extract["wall"])
        peaks.append(full["rss"])
        walls = ", ".join(f"{m['wall']:.2f}" for m in starts)
        print(f"round {round_}, {time.strftime('%H:%M:%S')}:")
        print(f"  start-up (header-only run): {start_s:.2f} s (runs {walls}), "
              f"CPU {start_cpu:.1f} s, peak RSS {max(m['rss'] for m in starts):.0f} MB")
        print(f"  run 10x: {full['wall']:.2f} s, CPU {full['cpu']:.1f} s, peak RSS {full['rss']:.0f} MB{tree(full)}; "
              f"marginal {marginal:.2f} s, CPU {marginal_cpu:.1f} s")
        print(f"  extract over its notes: {extract['wall']:.2f} s, CPU {extract['cpu']:.1f} s, "
              f"peak RSS {extract['rss']:.0f} MB")
        print(f"  marginal / extract: {ratios[-1]:.2f}; marginal CPU / extract CPU: {marginal_cpu / extract['cpu']:.2f} "
              f"(CPU of both cores: the statement helper and Prefect's server count here)")
    ratio, peak = statistics.median(ratios), max(peaks)
    print(f"marginal / extract, median of {len(ratios)}: {ratio:.2f} (target <= {TARGET_RATIO:g}) -> "
          f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'}; peak RSS, highest: {peak:.0f} MB "
          f"(target <= {TARGET_RSS_MB}) -> {'PASS' if peak <= TARGET_RSS_MB else 'MISS'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
