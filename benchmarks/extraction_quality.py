"""Precision and recall of hardware-mention extraction on a labelled sentence table.

    python benchmarks/extraction_quality.py [--cases tests/fixtures/mentions/cases.csv]

Each row of the table is one sentence labelled with its FIRST hardware mention. Blank hardware_id
and blank role: the sentence states no hardware at all (a negative). Blank hardware_id with a role:
a mention without a chip name ('8 GPUs for 3 days': count and time known, chip null). The extractor runs on every sentence; we score
the first mention it returns against the label, and every mention it returns on a negative:

  chip      TP: first mention's hardware_id equals the label.
            FP: a wrong hardware_id on a labelled sentence, or any mention on a negative one.
            FN: a labelled sentence with no mention or a wrong hardware_id.
  count, duration, chip_hours, precision, role (support = rows whose label states the value)
            TP: label and first mention agree (numbers within 1%) and the chip is right.
            FP: a value where the label has none or a different one (or the chip is wrong);
                any value on a negative (every mention has a role, so role FP = mentions).
            FN: a labelled value missed, wrong, or on the wrong chip.

--misses prints each sentence where the first mention disagrees with its label.

The fixture table (cases.csv) is also the unit-test table, so on it these figures are ~1 by
construction; tests/fixtures/mentions/heldout.csv holds sentences written after tuning stopped.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CASES = REPO / "tests" / "fixtures" / "mentions" / "cases.csv"
FIELDS = {"chip": "hardware_id", "count": "chip_count", "duration": "duration_hours", "chip_hours": "chip_hours",
          "precision": "precision", "role": "role"}
TOLERANCE = 0.01  # relative, for numbers


@dataclass
class Tally:
    support: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def row(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan
        f1 = 2 * p * r / (p + r) if p + r else math.nan
        return f"| {name:10s} | {self.support:7d} | {self.tp:4d} | {self.fp:4d} | {self.fn:4d} | {p:9.3f} | {r:6.3f} | {f1:5.3f} |"


def _same(label: str, got) -> bool:
    if got is None:
        return False
    try:
        want = float(label)
    except ValueError:
        return str(got) == label
    return math.isclose(float(got), want, rel_tol=TOLERANCE)


def is_negative(row: dict) -> bool:
    """A sentence labelled as stating no hardware at all (no chip, no role)."""
    return not row["hardware_id"] and not row["role"]


def score_case(tallies: dict[str, Tally], row: dict, mentions: list[dict]) -> None:
    """Add one labelled sentence to the tallies (see the module docstring for the rules)."""
    if is_negative(row):
        for m in mentions:
            for name, key in FIELDS.items():
                tallies[name].fp += m[key] is not None
        return
    first = mentions[0] if mentions else None
    chip_ok = first is not None and (first["hardware_id"] or "") == row["hardware_id"]
    for name, key in FIELDS.items():
        label, got = row.get(key, ""), (first[key] if first else None)
        tally = tallies[name]
        tally.support += label != ""
        if label and chip_ok and _same(label, got):
            tally.tp += 1
            continue
        tally.fn += label != ""
        tally.fp += got is not None and (name == "chip" or not chip_ok or not label or not _same(label, got))


def _misses(row: dict, mentions: list[dict]) -> list[str]:
    """'field: label -> got' for each field where the first mention disagrees with the label."""
    first = mentions[0] if mentions else {}
    out = []
    for name, key in FIELDS.items():
        label, got = row.get(key, "") if not is_negative(row) else "", first.get(key)
        if (label != "" or got is not None) and not (label and _same(label, got)):
            out.append(f"{name}: {label or None} -> {got}")
    return out


def score(rows: list[dict], matcher, show_misses: bool = False) -> dict[str, Tally]:
    from flows.transform.mentions.extract import extract_mentions

    tallies = {name: Tally() for name in FIELDS}
    for row in rows:
        mentions = extract_mentions(row["text"], matcher, published_date=row.get("published_date") or None)
        score_case(tallies, row, mentions)
        if show_misses and (misses := _misses(row, mentions)):
            print(f"{row['id']}: {row['text']}\n    " + "; ".join(misses))
    return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="labelled CSV (default: cases.csv)")
    parser.add_argument("--misses", action="store_true", help="print each sentence the extractor gets wrong")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from flows.transform.mentions.extract import build_matcher
    from warehouse.seeds import read_hardware_aliases

    with args.cases.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tallies = score(rows, build_matcher(read_hardware_aliases()), show_misses=args.misses)
    negatives = sum(1 for r in rows if is_negative(r))
    print(f"{args.cases.name}: {len(rows)} sentences, {len(rows) - negatives} labelled, {negatives} negatives")
    print("| field      | support |   TP |   FP |   FN | precision | recall |    F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, tally in tallies.items():
        print(tally.row(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
