"""`flopledger estimate` throughput: a 100k-row batch CSV, end to end, in process.

    python benchmarks/bench_estimate.py [--rows 100000] [--rounds 5] [--keep DIR]

Generates a mixed CSV (good rows for each method and for both, about 5% bad rows of
every kind the command reports, ~50 distinct hardware spellings including date-dependent
and unknown ones), then times `run_estimate` (read, validate, resolve, estimate, write)
over several rounds after one warm-up round, and prints the median rows per second.
Run by hand; results go to docs/benchmarks.md. The target is >= 50,000 rows/s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.cli.estimate import run_estimate  # noqa: E402

TARGET_ROWS_PER_SECOND = 50_000
# Spellings as papers write them: exact aliases, spacing/case variants, multi-chip systems,
# TPUs, date-dependent names (Titan X, DGX-1) and names nothing resolves, each with the
# precisions a paper might state for it (blank = none stated).
PRECISIONS_BY_GENERATION = {
    "fp32": ["", "", "fp32"],
    "fp16": ["", "", "fp32", "fp16", "mixed_fp16"],
    "bf16": ["", "", "fp32", "tf32", "fp16", "mixed_fp16", "bf16", "mixed_bf16"],
    "tpu": ["", "", "bf16", "mixed_bf16"],
}
HARDWARE_NAMES = {
    "fp32": ["GTX 580", "gtx580", "NVIDIA GeForce GTX 580", "Titan X", "Tesla K40", "K40", "K80", "Tesla K80",
             "Tesla M40", "Xeon E5-2680 v4", "Quantum Abacus 9000", "GPU"],
    "fp16": ["GTX 1080 Ti", "1080 ti", "TITAN Xp", "DGX-1", "P100", "Tesla P100", "V100", "Tesla V100", "V100 SXM2",
             "V100-SXM2-32GB", "RTX 2080 Ti", "2080 ti", "T4", "Titan RTX", "Tesla P40", "A6000"],
    "bf16": ["A100", "A100 80GB", "A100-SXM4-40GB", "NVIDIA A100", "RTX 3090", "H100", "H100 SXM5", "H800", "H200",
             "B200", "DGX A100", "MI250X", "MI300X", "Trainium1"],
    "tpu": ["TPU v2", "TPU v3", "TPUv3", "TPU v4", "TPU v5e", "TPU v5p", "Cloud TPU", "Gaudi2"],
}
DOMAINS = ["language", "vision", "speech", "games", "", "multimodal"]
UTILIZATIONS = ["", "", "", "", "0.3", "0.4", "0.45", "0.5"]
BAD_CELLS = [  # column, value: one kind of bad row each
    ("training_hours", "five days"), ("chip_count", "-8"), ("chip_count", "0"), ("hardware", "Abacus 9000 Pro"),
    ("publication_date", "21/11/2026"), ("precision", "fp64x"), ("domain", "poetry"), ("utilization", "33"),
    ("parameter_count", "1.3B"),
]


def _sig3(values: np.ndarray) -> np.ndarray:
    """Numbers as people write them: three significant digits."""
    return np.array([f"{v:.3g}" for v in values], dtype=object)


def generate_batch(rows: int, seed: int = 0) -> pd.DataFrame:
    """A mixed batch: ~35% hardware only, ~25% operations only, ~35% both, ~5% bad."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["hardware", "operations", "both", "bad"], rows, p=[0.35, 0.25, 0.35, 0.05])
    has_hw, has_ops = np.isin(kind, ["hardware", "both", "bad"]), np.isin(kind, ["operations", "both", "bad"])
    by_tokens = rng.random(rows) < 0.6
    stated_chip_hours = rng.random(rows) < 0.15
    blank = np.full(rows, "", dtype=object)
    generation = rng.choice(list(HARDWARE_NAMES), rows, p=[0.2, 0.3, 0.35, 0.15])
    hardware, precision = np.empty(rows, dtype=object), np.empty(rows, dtype=object)
    for name, group in HARDWARE_NAMES.items():
        rows_of = generation == name
        hardware[rows_of] = rng.choice(group, rows_of.sum())
        precision[rows_of] = rng.choice(PRECISIONS_BY_GENERATION[name], rows_of.sum())
    frame = pd.DataFrame({
        "run_id": [f"run-{i}" for i in range(rows)],
        "hardware": np.where(has_hw, hardware, blank),
        "chip_count": np.where(has_hw & ~stated_chip_hours, rng.integers(1, 4097, rows).astype(str), blank),
        "training_hours": np.where(has_hw & ~stated_chip_hours, _sig3(rng.uniform(1, 2000, rows)), blank),
        "chip_hours": np.where(has_hw & stated_chip_hours, _sig3(10 ** rng.uniform(2, 7, rows)), blank),
        "precision": np.where(has_hw, precision, blank),
        "utilization": np.where(has_hw, rng.choice(UTILIZATIONS, rows), blank),
        "parameter_count": np.where(has_ops & by_tokens, _sig3(10 ** rng.uniform(6, 12, rows)), blank),
        "training_tokens": np.where(has_ops & by_tokens, _sig3(10 ** rng.uniform(9, 13, rows)), blank),
        "training_examples": np.where(has_ops & ~by_tokens, _sig3(10 ** rng.uniform(4, 8, rows)), blank),
        "epochs": np.where(has_ops & ~by_tokens, rng.integers(1, 200, rows).astype(str), blank),
        "forward_flop_per_example": np.where(has_ops & ~by_tokens, _sig3(10 ** rng.uniform(6, 11, rows)), blank),
        "publication_date": pd.to_datetime(rng.integers(13_000, 20_000, rows), unit="D").strftime("%Y-%m-%d"),
        "domain": rng.choice(DOMAINS, rows),
        "notes": "generated",
    })
    bad = np.flatnonzero(kind == "bad")
    which = rng.integers(0, len(BAD_CELLS), len(bad))
    for number, (column, value) in enumerate(BAD_CELLS):
        frame.loc[bad[which == number], column] = value
    return frame


def time_rounds(source: Path, target: Path, assumptions: str, rounds: int) -> list[float]:
    """Seconds per round of run_estimate (stderr summary swallowed); one warm-up round first."""
    seconds = []
    for number in range(rounds + 1):
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            code = run_estimate(str(source), str(target), assumptions)
        elapsed = time.perf_counter() - start
        assert code == 0, f"run_estimate exited {code}"
        if number:
            seconds.append(elapsed)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--assumptions", default="epoch-2022")
    parser.add_argument("--keep", type=Path, help="write the input and output CSVs here instead of a temp dir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, target = folder / "batch.csv", folder / "estimated.csv"
        generate_batch(args.rows).to_csv(source, index=False)
        seconds = time_rounds(source, target, args.assumptions, args.rounds)
        out = pd.read_csv(target, usecols=["error", "best_method"], dtype=str)
    median = statistics.median(seconds)
    print(f"CPython {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"rows: {args.rows:,}  rounds: {args.rounds}  assumption set: {args.assumptions}")
    methods = out["best_method"].value_counts().to_dict()
    print(f"rows with errors: {out['error'].notna().sum():,}  best_method: {methods}")
    print(f"seconds per round: {' '.join(f'{s:.3f}' for s in seconds)}; median {median:.3f}")
    rate = args.rows / median
    print(f"median throughput: {rate:,.0f} rows/s (target >= {TARGET_ROWS_PER_SECOND:,}: "
          f"{'met' if rate >= TARGET_ROWS_PER_SECOND else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
