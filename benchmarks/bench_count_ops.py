"""`flopledger count-ops` on a batch of configs, as a ratio to reading and parsing the same files alone.

    python benchmarks/bench_count_ops.py [--configs 10000] [--rounds 5] [--keep DIR]

Writes N config.json files (the bundled test fixtures, each re-sized at random: layers, widths,
heads, experts, context), then times, in alternating rounds after one warm-up pair:
  subject:  read + json-parse + count (`count_config`, what `count-ops --json` does per file,
            plus json.dumps of the result) for every file;
  baseline: read + json-parse of every file.
Prints the medians and their ratio. Run by hand; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.cli.count_ops import count_config  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "configs"
WIDTH_KEYS = ("n_embd", "hidden_size", "d_model")
LAYER_KEYS = ("n_layer", "num_hidden_layers", "num_layers", "num_decoder_layers")


def resized(config: dict, rng: random.Random) -> dict:
    """A plausible variant: same family, another size (head_dim 64 or 128 kept whole)."""
    config = dict(config)
    head_dim = rng.choice((64, 128))
    heads = rng.choice((8, 16, 32, 64))
    for key in WIDTH_KEYS:
        if key in config:
            config[key] = head_dim * heads
    for key in ("n_head", "num_attention_heads", "num_heads"):
        if key in config:
            config[key] = heads
    if "d_kv" in config:
        config["d_kv"] = head_dim
    if "num_key_value_heads" in config:
        config["num_key_value_heads"] = rng.choice([k for k in (1, 2, 4, 8, heads) if heads % k == 0])
    for key in LAYER_KEYS:
        if key in config:
            config[key] = rng.randint(2, 96)
    for key in ("intermediate_size", "d_ff", "n_inner"):
        if key in config:
            config[key] = head_dim * heads * rng.choice((2, 3, 4))
    for key in ("max_position_embeddings", "n_positions", "n_ctx"):
        if key in config:
            config[key] = rng.choice((1024, 2048, 4096, 8192, 32768))
    return config


def write_configs(directory: Path, n: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    bases = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json")) if "layers" not in p.read_text()]
    paths = []
    for i in range(n):
        path = directory / f"config_{i:05d}.json"
        path.write_text(json.dumps(resized(rng.choice(bases), rng), indent=2))
        paths.append(path)
    return paths


def parse_only(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        json.loads(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def count_all(paths: list[Path]) -> float:
    args = argparse.Namespace(seq_len=None, tokens=1e12, examples=None, convention="kaplan-2020",
                              no_attention=False, causal_halving=None)
    start = time.perf_counter()
    for path in paths:
        config = json.loads(path.read_text(encoding="utf-8"))
        args.seq_len = 512 if config.get("model_type") == "t5" else None
        json.dumps(count_config(config, args))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the configs here and keep them")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = options.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        paths = write_configs(directory, options.configs)
        count_all(paths), parse_only(paths)  # warm-up pair: page cache, imports
        subject, baseline = [], []
        for _ in range(options.rounds):
            subject.append(count_all(paths))
            baseline.append(parse_only(paths))
    s, b = statistics.median(subject), statistics.median(baseline)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{options.configs:,} configs, {options.rounds} rounds")
    print(f"count-ops (read + parse + count): median {s:.3f} s ({min(subject):.3f}-{max(subject):.3f}), "
          f"{options.configs / s:,.0f} configs/s")
    print(f"read + parse alone:               median {b:.3f} s ({min(baseline):.3f}-{max(baseline):.3f}), "
          f"{options.configs / b:,.0f} configs/s")
    print(f"ratio: {s / b:.2f}")


if __name__ == "__main__":
    main()
