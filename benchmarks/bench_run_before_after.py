"""`flopledger run` on the bundled records: this checkout against another checkout of the code
(e.g. the commit before a refactor), run alternately in fresh processes, as a ratio.

    git worktree add ../base <commit>
    python benchmarks/bench_run_before_after.py ../base [--rounds 5]

Both sides use this virtual environment's packages and one shared PREFECT_HOME; each side runs
`python -m flows.cli run` with its own checkout first on sys.path, into a fresh warehouse each round
(the first run builds from empty; `--again` times a second, idempotent run instead).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
       "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


def run_once(checkout: Path, warehouse: Path, env: dict) -> float:
    command = [sys.executable, "-m", "flows.cli", "run", "--warehouse", str(warehouse)]
    start = time.perf_counter()
    subprocess.run(command, cwd=checkout, env={**env, "PYTHONPATH": str(checkout)}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="checkout of the code to compare against")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--again", action="store_true", help="time a second run into the same warehouse")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-prefect-home-")
    env = {**os.environ, **ENV, "PREFECT_HOME": home}
    times = {"this": [], "baseline": []}
    for round_ in range(args.rounds):
        order = [("this", REPO), ("baseline", args.baseline.resolve())]
        for name, checkout in (order if round_ % 2 == 0 else order[::-1]):
            warehouse = Path(tempfile.mkdtemp()) / "w.duckdb"
            if args.again:
                run_once(checkout, warehouse, env)
            times[name].append(run_once(checkout, warehouse, env))
    this, base = statistics.median(times["this"]), statistics.median(times["baseline"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"rounds: {args.rounds}; {'second (idempotent) run' if args.again else 'run from empty'}")
    for name in times:
        print(f"{name:9s} median {statistics.median(times[name]):6.2f} s  runs {', '.join(f'{t:.2f}' for t in times[name])}")
    print(f"ratio this/baseline: {this / base:.3f}")


if __name__ == "__main__":
    main()
