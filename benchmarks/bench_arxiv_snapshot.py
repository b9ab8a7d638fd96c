"""arXiv snapshot load vs DuckDB's bare read_json-into-a-table of the same file, as a ratio, with peak memory.

    python benchmarks/bench_arxiv_snapshot.py [--records 1000000] [--rounds 3] [--seed 11]
        [--threads N] [--memory-limit 2GB]

Input: benchmarks/gen_arxiv_snapshot.py output (snapshot format, ~1.7 KB a record, ~25% in the
target categories), generated once and cached in $TMPDIR/flopledger-bench-arxiv/ by count, seed
and a hash of the generator; generation is not timed, and the file is read once beforehand so
both sides find it in the page cache. Each round runs both sides in fresh processes, each into
a fresh DuckDB file, alternating which goes first:

  baseline  CREATE TABLE t AS SELECT * FROM read_json(path, format='newline_delimited')
  subject   load_arxiv_snapshot(con, path) into a warehouse made by connect_for_write (migrations
            not timed): audit scan with sha256 beside it, then one INSERT of the records in
            cs.LG/cs.CL/cs.CV/cs.AI/stat.ML with their row_hash (warehouse/arxiv_snapshot.py)

Time = the statement(s) plus close() (the checkpoint that makes the data durable), per side.
Peak memory = the worker's own ru_maxrss (whole process: Python, DuckDB, buffers). Both sides
get the same DuckDB threads and memory_limit (DuckDB's defaults unless given).
Targets (issue): subject median <= 1.5x baseline median; peak RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_RATIO = 1.5  # from the issue: loading, filtering and landing at most 1.5x the bare read
TARGET_RSS_BYTES = 2 * 2**30  # from the issue: peak memory under 2 GB


def cached_snapshot(records: int, seed: int) -> Path:
    """Path of the generated file for (records, seed, generator source); generated if missing."""
    sys.path.insert(0, str(HERE))
    import gen_arxiv_snapshot

    digest = hashlib.sha256(Path(gen_arxiv_snapshot.__file__).read_bytes()).hexdigest()[:10]
    folder = Path(tempfile.gettempdir()) / "flopledger-bench-arxiv"
    folder.mkdir(exist_ok=True)
    path = folder / f"snapshot-{records}-seed{seed}-{digest}.jsonl"
    stats_path = path.with_suffix(".stats.json")
    if not (path.is_file() and stats_path.is_file()):
        start = time.perf_counter()
        partial = path.with_suffix(f".partial-{os.getpid()}")
        stats = gen_arxiv_snapshot.generate(partial, records, seed)
        partial.rename(path)
        stats_path.write_text(json.dumps(stats))
        print(f"generated {path} in {time.perf_counter() - start:.1f} s (not timed)")
    print(f"input: {path} {json.loads(stats_path.read_text())}")
    return path


def configure(con, threads: int | None, memory_limit: str | None) -> dict:
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    return {name: con.execute(f"SELECT current_setting('{name}')").fetchone()[0] for name in ("threads", "memory_limit")}


def work_baseline(path: Path, db: Path, threads: int | None, memory_limit: str | None) -> dict:
    import duckdb

    con = duckdb.connect(str(db))
    settings = configure(con, threads, memory_limit)
    start = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_json($path, format = 'newline_delimited')", {"path": str(path)})
    statement = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    start = time.perf_counter()
    con.close()
    return {"seconds": statement + time.perf_counter() - start, "statement_seconds": statement, "rows": rows,
            "settings": settings}


def work_subject(path: Path, db: Path, threads: int | None, memory_limit: str | None) -> dict:
    sys.path.insert(0, str(REPO))
    from warehouse.arxiv_snapshot import load_arxiv_snapshot
    from warehouse.connection import connect_for_write

    con = connect_for_write(db)
    settings = configure(con, threads, memory_limit)
    start = time.perf_counter()
    counts = load_arxiv_snapshot(con, path)
    statement = time.perf_counter() - start
    start = time.perf_counter()
    con.close()
    return {"seconds": statement + time.perf_counter() - start, "statement_seconds": statement, "counts": counts,
            "settings": settings}


def run_worker(side: str, path: Path, args) -> dict:
    """One side in a fresh interpreter and a fresh DuckDB file; the worker reports its own peak RSS."""
    with tempfile.TemporaryDirectory(prefix=f"bench-arxiv-{side}-") as folder:
        db = Path(folder) / "bench.duckdb"
        command = [sys.executable, __file__, "--worker", side, str(path), str(db)]
        command += [f"--threads={args.threads or 0}", f"--memory-limit={args.memory_limit or ''}"]
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO).stdout
        result = json.loads(out.strip().splitlines()[-1])
        result["db_bytes"] = db.stat().st_size
    print(f"  {side:8s} {result['seconds']:7.2f} s (statement {result['statement_seconds']:.2f} s)  "
          f"peak RSS {result['max_rss_bytes'] / 2**20:7.0f} MiB  db {result['db_bytes'] / 2**20:6.0f} MiB  "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    return result


def summarize(name: str, runs: list) -> float:
    seconds = [r["seconds"] for r in runs]
    peak = max(r["max_rss_bytes"] for r in runs)
    print(f"{name}: median {statistics.median(seconds):.2f} s ({min(seconds):.2f}-{max(seconds):.2f}), "
          f"peak RSS {peak / 2**20:.0f} MiB (max over rounds; target < {TARGET_RSS_BYTES / 2**20:.0f} MiB: "
          f"{'PASS' if peak < TARGET_RSS_BYTES else 'MISS'})")
    return statistics.median(seconds)


def describe_machine() -> str:
    import duckdb

    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?") if Path("/proc/meminfo").exists() else "?"
    return (f"machine: {platform.machine()} {os.cpu_count()} CPUs, MemTotal {memory} kB, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; Python {platform.python_version()}, duckdb {duckdb.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads for both sides (default: DuckDB's)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit for both sides, e.g. 2GB")
    parser.add_argument("--worker", nargs=3, metavar=("SIDE", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        side, path, db = args.worker[0], Path(args.worker[1]), Path(args.worker[2])
        work = work_subject if side == "subject" else work_baseline
        result = work(path, db, args.threads or None, args.memory_limit or None)
        result["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        print(json.dumps(result, default=str))
        return
    print(describe_machine())
    path = cached_snapshot(args.records, args.seed)
    with path.open("rb") as fh:  # warm the page cache so neither side pays the first disk read
        while fh.read(1 << 24):
            pass
    subject, baseline = [], []
    for i in range(args.rounds):
        print(f"round {i + 1}/{args.rounds}", flush=True)
        order = [("subject", subject), ("baseline", baseline)]
        for side, out in order if i % 2 == 0 else order[::-1]:
            out.append(run_worker(side, path, args))
    a = summarize("subject  (load_arxiv_snapshot)", subject)
    b = summarize("baseline (CREATE TABLE AS read_json)", baseline)
    print(f"ratio subject/baseline {a / b:.2f} (target <= {TARGET_RATIO:g}) -> {'PASS' if a / b <= TARGET_RATIO else 'MISS'}")
    print(f"subject counts: {subject[0]['counts']}; baseline rows: {baseline[0]['rows']}")
    print(f"settings: subject {subject[0]['settings']}, baseline {baseline[0]['settings']}")
    print(f"input {path.stat().st_size / 2**20:.0f} MiB; {describe_machine()}")


if __name__ == "__main__":
    main()
