"""Deterministic records in the arXiv bulk metadata snapshot format (Kaggle arxiv-metadata-oai-snapshot.json).

    python benchmarks/gen_arxiv_snapshot.py OUT.jsonl [--records 1000000] [--seed 11]

One JSON object a line with the snapshot's own fields, in its order: id, submitter, authors,
title, comments, journal-ref, doi, report-no, categories (space-separated, primary first),
license, abstract (hard-wrapped, about 1 KB), versions [{version, created}], update_date,
authors_parsed [[last, first, suffix]]. About 25% of records carry at least one of cs.LG,
cs.CL, cs.CV, cs.AI, stat.ML; the rest draw 1-4 categories from other archives. All text is
made up here from a syllable vocabulary: no real abstracts or titles. Ids are unique
(new-style YYMM.NNNNN, about 8% old-style archive/YYMMNNN). The same seed and count give the
same bytes; records are written as they are made, so memory stays flat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path

TARGET_SHARE = 0.25  # the benchmark: ~25% of records in the target categories
TARGET = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML"]
OTHER = ["hep-ph", "hep-th", "hep-ex", "gr-qc", "quant-ph", "astro-ph.GA", "astro-ph.CO", "astro-ph.SR",
         "cond-mat.mtrl-sci", "cond-mat.str-el", "cond-mat.stat-mech", "math.CO", "math.PR", "math.AP",
         "math.NT", "math.OC", "math.AG", "physics.optics", "physics.flu-dyn", "nucl-th", "cs.CR", "cs.DS",
         "cs.NI", "cs.IT", "math.IT", "cs.RO", "cs.SE", "cs.DC", "cs.CY", "stat.ME", "stat.AP", "eess.SP",
         "eess.IV", "eess.AS", "q-bio.NC", "q-bio.QM", "econ.EM", "q-fin.ST", "nlin.CD", "math-ph"]
OLD_ARCHIVES = ["hep-th", "hep-ph", "math", "cond-mat", "astro-ph", "quant-ph", "gr-qc", "nucl-th"]
LICENSES = [None, None, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
            "http://arxiv.org/licenses/nonexclusive-distrib/1.0/", "http://creativecommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by-nc-sa/4.0/", "http://creativecommons.org/publicdomain/zero/1.0/"]
SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "va", "sel", "quin", "dra", "pel", "zu", "ost", "mar", "fi", "gel",
             "bru", "nax", "tem", "ori", "sca", "lum", "pra", "dis", "vel", "cor", "nes", "tri", "hal", "ume", "zo"]
GLUE = ["the", "of", "a", "we", "and", "to", "in", "for", "with", "on", "that", "is", "by", "this", "an", "our"]
GIVEN = ["Ana", "Bo", "Chidi", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lea", "Mateo",
         "Nia", "Oskar", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Ulla", "Vikram", "Wen", "Xenia", "Yusuf"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
START = dt.datetime(2007, 4, 2, 12, 0, 0)
SPAN_SECONDS = 19 * 365 * 86400  # ids and dates run from April 2007 to early 2026


def build_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Made-up words of 2-4 syllables, plus common glue words so the prose has English-like rhythm."""
    words = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size)}
    return sorted(words) + GLUE * 150


def wrap_text(words: list[str], width: int = 80, indent: str = "") -> str:
    """Words hard-wrapped at `width` as the snapshot's abstracts are (newline, no trailing space)."""
    lines, line = [], indent
    for word in words:
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = ""
        line += word + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def make_categories(rng: random.Random) -> str:
    """1-4 distinct categories, primary first; about TARGET_SHARE of records include a target one."""
    count = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    if rng.random() < TARGET_SHARE:
        chosen = [rng.choice(TARGET)] + rng.sample(TARGET + OTHER[:12], count - 1)
    else:
        chosen = rng.sample(OTHER, count)
    return " ".join(dict.fromkeys(chosen))


def make_versions(rng: random.Random, created: dt.datetime) -> tuple[list[dict], dt.date]:
    versions = []
    for number in range(1, rng.choice([1, 1, 1, 2, 2, 3, 4, 5]) + 1):
        stamp = f"{DAYS[created.weekday()]}, {created.day} {MONTHS[created.month - 1]} {created.year} {created:%H:%M:%S} GMT"
        versions.append({"version": f"v{number}", "created": stamp})
        created += dt.timedelta(seconds=rng.randint(3600, 200 * 86400))
    return versions, (created + dt.timedelta(days=rng.randint(0, 900))).date()


def make_authors(rng: random.Random, vocab: list[str]) -> tuple[str, list[list[str]]]:
    parsed = []
    for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 8, 12])):
        parsed.append([rng.choice(vocab).capitalize(), f"{rng.choice(GIVEN)[0]}. {rng.choice(GIVEN)}"
                       if rng.random() < 0.2 else rng.choice(GIVEN), ""])
    names = [f"{first} {last}" for last, first, _ in parsed]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return authors, parsed


def make_id(index: int, total: int, rng: random.Random, created: dt.datetime) -> str:
    if rng.random() < 0.08:
        return f"{rng.choice(OLD_ARCHIVES)}/{created:%y%m}{index % 1000:03d}{index // 1000:04d}"
    return f"{created:%y%m}.{index:07d}" if total > 99999 else f"{created:%y%m}.{index:05d}"


def make_record(index: int, total: int, rng: random.Random, vocab: list[str]) -> dict:
    """One snapshot record; every field present (nulls where arXiv has none), in the snapshot's order."""
    created = START + dt.timedelta(seconds=SPAN_SECONDS * index // max(total, 1) + rng.randint(0, 86400))
    authors, parsed = make_authors(rng, vocab)
    versions, update_date = make_versions(rng, created)
    abstract_words = rng.choices(vocab, k=max(20, int(rng.gauss(125, 40))))
    title = wrap_text(rng.choices(vocab, k=rng.randint(5, 16)), width=72).replace("\n", "\n  ")
    return {
        "id": make_id(index, total, rng, created),
        "submitter": f"{parsed[0][1]} {parsed[0][0]}",
        "authors": authors,
        "title": title.capitalize(),
        "comments": None if rng.random() < 0.25 else f"{rng.randint(4, 60)} pages, {rng.randint(1, 20)} figures",
        "journal-ref": f"J. {rng.choice(vocab).capitalize()} {rng.randint(1, 90)} ({created.year}) {rng.randint(1, 999)}"
        if rng.random() < 0.2 else None,
        "doi": f"10.{rng.randint(1000, 9999)}/{rng.choice(vocab)}.{index}" if rng.random() < 0.3 else None,
        "report-no": f"PREPRINT-{created.year}-{rng.randint(1, 999)}" if rng.random() < 0.05 else None,
        "categories": make_categories(rng),
        "license": rng.choice(LICENSES),
        "abstract": "  " + wrap_text(abstract_words).capitalize() + ".\n",
        "versions": versions,
        "update_date": update_date.isoformat(),
        "authors_parsed": parsed,
    }


def generate(path: Path, records: int = 1_000_000, seed: int = 11) -> dict:
    """Write `records` lines to `path`; returns counts (records, target records, bytes)."""
    rng = random.Random(seed)
    vocab = build_vocabulary(rng)
    target, targets = 0, set(TARGET)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for index in range(records):
            record = make_record(index, records, rng, vocab)
            target += not targets.isdisjoint(record["categories"].split())
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return {"records": records, "target_records": target, "bytes": path.stat().st_size, "seed": seed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    start = time.perf_counter()
    stats = generate(args.out, args.records, args.seed)
    print(json.dumps({**stats, "seconds": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
