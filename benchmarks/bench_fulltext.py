"""Full-text throughput: generated papers parsed and extracted in process, on 1 and on 2 Dask workers.

    .venv/bin/python benchmarks/bench_fulltext.py [--papers 2000] [--batch-size 50] [--modes inprocess,1,2] [--rounds 1]

Each paper is a gzipped tar e-print of ~5,000 words of generated LaTeX (sections, paragraphs with
citations, inline math, comments, an \\input'ed file, a table and a figure), most with no training facts;
one in eight has a training paragraph. Papers are written once to a temporary folder; every mode reads the
same files. Prints papers/s per mode, the 2-worker/1-worker ratio and peak resident memory per worker.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from tests.fulltext_fixtures import tar_gz  # noqa: E402  (the e-print writer the tests use)

WORDS = ("model data method results network layer learning training approach performance task representation "
         "attention signal structure analysis distribution objective function sample estimate variance bias "
         "feature encoder decoder benchmark dataset metric robust efficient sparse dense graph node edge policy "
         "reward agent environment state action value gradient loss optimization regularization").split()
TRAINING = [
    "We train a {p}B-parameter model on {c} {chip} GPUs for {d} days, processing {t}B tokens with a batch size of {b}.",
    "Our {p}B model was pre-trained for {t}B tokens on {c} TPU v4 chips in bfloat16; training took {d} days.",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 28))]
    words[0] = words[0].capitalize()
    extra = rng.random()
    if extra < 0.2:
        words.insert(rng.randint(1, len(words) - 1), r"\cite{ref%d}" % rng.randint(1, 80))
    elif extra < 0.35:
        words.insert(rng.randint(1, len(words) - 1), r"$x_{%d} = \sum_i w_i h_i$" % rng.randint(1, 9))
    elif extra < 0.45:
        words.insert(rng.randint(1, len(words) - 1), r"\textbf{%s}" % rng.choice(WORDS))
    return " ".join(words) + "."


def _paragraph(rng: random.Random) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(4, 8)))
    return text + ("  % a note to the co-authors\n" if rng.random() < 0.2 else "\n") + "\n"


def generate_paper(index: int) -> dict[str, bytes]:
    """One paper as {archive path: bytes}: main.tex plus sections/method.tex (~5,000 words)."""
    rng = random.Random(index)
    def section(title: str, n: int) -> str:
        return f"\\section{{{title}}}\n" + "\n".join(_paragraph(rng) for _ in range(n)) + "\n"
    method = section("Method", 9)
    if index % 8 == 0:
        fact = rng.choice(TRAINING).format(p=rng.choice([1.3, 2.7, 6.7]), c=rng.choice([64, 128, 256]),
                                           chip=rng.choice(["A100", "H100", "V100"]), d=rng.randint(2, 30),
                                           t=rng.choice([100, 300, 400]), b=rng.choice([256, 512]))
        method += f"\n\\section{{Training details}}\n{fact}\n\n"
    table = ("\\begin{table}\\caption{Results on the benchmark.}\\begin{tabular}{lrr}\nMethod & Score & Time \\\\\n"
             + "".join(f"{rng.choice(WORDS)} & {rng.randint(10, 99)}.{rng.randint(0, 9)} & {rng.randint(1, 9)} \\\\\n"
                       for _ in range(8)) + "\\end{tabular}\\end{table}\n")
    main = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\newcommand{\\R}{\\mathbb{R}}\n\\begin{document}\n"
            + section("Introduction", 7) + section("Related Work", 7) + "\\input{sections/method}\n"
            + section("Experiments", 9) + table
            + "\\begin{figure}\\caption{" + _sentence(rng) + "}\\end{figure}\n"
            + section("Conclusion", 3) + "\\end{document}\n")
    return {"main.tex": main.encode(), "sections/method.tex": method.encode()}


def write_papers(folder: Path, count: int) -> list[dict]:
    items = []
    for i in range(count):
        path = folder / f"paper{i:05d}.tar.gz"
        path.write_bytes(tar_gz(generate_paper(i)))
        items.append({"paper_id": f"bench{i:05d}", "path": str(path), "key": f"bench:{i}"})
    return items


def measure(items: list[dict], mode: str, batch_size: int) -> dict:
    from flows.fulltext_flow import run_fulltext

    workers = None if mode == "inprocess" else int(mode)
    began = time.perf_counter()
    result = run_fulltext(items, workers=workers, batch_size=batch_size)
    seconds = time.perf_counter() - began
    return {"mode": mode, "papers": len(result.reads), "seconds": round(seconds, 1),
            "papers_per_second": len(result.reads) / seconds,
            # the same papers over the reading alone: first batch's start to last batch's end (no cluster start-up)
            "reading_seconds": round(result.reading_seconds, 1),
            "reading_papers_per_second": len(result.reads) / result.reading_seconds if result.reading_seconds else None,
            "runs": len(result.runs), "facts": len(result.evidence),
            "peak_rss_mib": [round(w["peak_rss_bytes"] / 2**20) for w in result.workers]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--modes", default="inprocess,1,2")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the modes this many times over, alternating, and print the median 2/1-worker ratio "
                             "(this VM's speed drifts between minutes: a ratio of neighbouring runs is steadier)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        items = write_papers(Path(folder), args.papers)
        size = sum(os.path.getsize(i["path"]) for i in items)
        words = len(" ".join(c.decode() for c in generate_paper(1).values()).split())
        print(f"{len(items)} papers, {size / 2**20:.1f} MiB gzipped, ~{words} words each, batch size {args.batch_size}")
        ratios = []
        for round_ in range(args.rounds):
            results = {}
            for mode in args.modes.split(","):
                results[mode] = measure(items, mode, args.batch_size)
                print({"round": round_ + 1, **results[mode]}, flush=True)
            if "1" in results and "2" in results:
                ratios.append((results["2"]["papers_per_second"] / results["1"]["papers_per_second"],
                               results["2"]["reading_papers_per_second"] / results["1"]["reading_papers_per_second"]))
                print(f"ratio 2 workers / 1 worker, wall clock with start-up: {ratios[-1][0]:.2f}; "
                      f"reading alone: {ratios[-1][1]:.2f}", flush=True)
        if len(ratios) > 1:
            print(f"median over {len(ratios)} rounds: wall clock {statistics.median(r[0] for r in ratios):.2f} "
                  f"(min {min(r[0] for r in ratios):.2f}); reading alone {statistics.median(r[1] for r in ratios):.2f} "
                  f"(min {min(r[1] for r in ratios):.2f})")


if __name__ == "__main__":
    main()
