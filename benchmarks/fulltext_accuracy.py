"""Recall and precision of full-text facts on the fixture papers (tests/fixtures/fulltext/*/expected.yaml).

    .venv/bin/python benchmarks/fulltext_accuracy.py

Run facts: each (run, fact, value) a candidate run states vs. the expected ones (a value within 1%
counts; text values must match). Roles: each expected (fact, value, role) statement found with that role.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.fulltext_flow import _matcher  # noqa: E402
from flows.fulltext_read import read_paper_source  # noqa: E402
from tests.fulltext_fixtures import FIXTURES, eprint, expected, plain_pdf  # noqa: E402

COLUMNS = {"hardware": "hardware_text"}


def _same(got, want) -> bool:
    if isinstance(want, str) and want[:1].isalpha():
        return got == want
    try:
        return abs(float(got) - float(want)) <= 0.01 * abs(float(want))
    except (TypeError, ValueError):
        return False


def found_facts(reading) -> set[tuple[str, str, str]]:
    out = set()
    for _, fact in reading.run_facts.iterrows():
        key = reading.runs.set_index("run_id").at[fact["run_id"], "run_key"]
        out.add((key, fact["fact"], str(fact["value"])))
    return out


def score(name: str) -> dict:
    content = plain_pdf() if (FIXTURES / name / "paper.txt").exists() else eprint(name)
    reading = read_paper_source(name, content, _matcher(None))
    want = expected(name)
    wanted = {(run, fact, str(value)) for run, facts in want["runs"].items() for fact, value in facts.items()}
    found = found_facts(reading)
    hits = {w for w in wanted if any(f[:2] == w[:2] and _same(f[2], w[2]) for f in found)}
    correct = {f for f in found if any(w[:2] == f[:2] and _same(f[2], w[2]) for w in wanted)}
    roles = want.get("roles", [])
    role_hits = sum(any(row["fact"] == r["fact"] and _same(row["value"], r["value"]) and row["role"] == r["role"]
                        for _, row in reading.facts.iterrows()) for r in roles)
    return {"paper": name, "expected": len(wanted), "found": len(found), "recall_hits": len(hits),
            "precision_hits": len(correct), "roles": len(roles), "role_hits": role_hits,
            "missed": sorted(wanted - hits), "wrong": sorted(found - correct)}


def main() -> None:
    totals = {"expected": 0, "found": 0, "recall_hits": 0, "precision_hits": 0, "roles": 0, "role_hits": 0}
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "expected.yaml").exists()):
        result = score(folder.name)
        for k in totals:
            totals[k] += result[k]
        print(f"{result['paper']:<10} facts: recall {result['recall_hits']}/{result['expected']}, precision "
              f"{result['precision_hits']}/{result['found']}; roles {result['role_hits']}/{result['roles']}")
        for label in ("missed", "wrong"):
            if result[label]:
                print(f"    {label}: {result[label]}")
    recall = totals["recall_hits"] / totals["expected"]
    precision = totals["precision_hits"] / totals["found"] if totals["found"] else 0.0
    print(f"all       facts: recall {recall:.3f} ({totals['recall_hits']}/{totals['expected']}), precision "
          f"{precision:.3f} ({totals['precision_hits']}/{totals['found']}); roles {totals['role_hits']}/{totals['roles']}")


if __name__ == "__main__":
    main()
