"""Wall time of whole commands, run alternately in fresh processes, reported as ratios.

    python benchmarks/bench_startup.py run  [--rounds 5]   # flopledger run vs a one-task flow
    python benchmarks/bench_startup.py sql  [--rounds 20]  # flopledger sql "SELECT 1" vs import duckdb, pandas

Both sides of a pair share the environment (same PREFECT_HOME, same settings); each round
runs them back to back, alternating which goes first, so drift on a noisy machine hits both.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV_DEFAULTS = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def pairs(subject: list[str], baseline: list[str], rounds: int, env: dict, warmup: int = 1) -> tuple[list, list]:
    for _ in range(warmup):
        timed(subject, env), timed(baseline, env)
    a, b = [], []
    for i in range(rounds):
        order = [(subject, a), (baseline, b)] if i % 2 == 0 else [(baseline, b), (subject, a)]
        for cmd, out in order:
            out.append(timed(cmd, env))
    return a, b


def report(name: str, a: list, b: list, target: float) -> None:
    ratio = statistics.median(a) / statistics.median(b)
    print(f"{name}: subject median {statistics.median(a):.3f} s {sorted(round(x, 3) for x in a)}")
    print(f"{name}: baseline median {statistics.median(b):.3f} s {sorted(round(x, 3) for x in b)}")
    print(f"{name}: ratio {ratio:.2f} (target <= {target}) -> {'PASS' if ratio <= target else 'MISS'}")
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["run", "sql"])
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flopledger-bench-"))
    env = {**os.environ, **ENV_DEFAULTS, "PREFECT_HOME": str(work / "prefect-home")}
    flopledger = str(BIN / "flopledger")
    warehouse = str(work / "bench.duckdb")
    try:
        if args.which == "run":
            subject = [flopledger, "run", "--warehouse", warehouse]
            baseline = [sys.executable, str(Path(__file__).with_name("trivial_flow.py"))]
            report("flopledger run vs one-task flow", *pairs(subject, baseline, args.rounds or 5, env), 1.3)
        else:
            subprocess.run([flopledger, "run", "--warehouse", warehouse, "--limit", "1"], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subject = [flopledger, "sql", "SELECT 1", "--warehouse", warehouse]
            baseline = [sys.executable, "-c", "import duckdb, pandas"]
            report("flopledger sql start-up vs import duckdb, pandas", *pairs(subject, baseline, args.rounds or 20, env), 1.5)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
