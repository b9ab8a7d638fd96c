"""Statement-level reading (`summarize_mentions` with the statement's text): which of several mentions a run
takes. One table, one line of why per case; sentences written for this table."""

import csv
from pathlib import Path

import pytest

from flows.transform.mentions.extract import build_matcher, extract_mentions
from flows.transform.mentions.statements import largest_model_first, summarize_mentions
from warehouse.seeds import read_hardware_aliases

MATCHER = build_matcher(read_hardware_aliases())
TABLE = Path(__file__).resolve().parents[1] / "fixtures" / "mentions" / "statements.csv"
with TABLE.open(newline="", encoding="utf-8") as handle:
    ROWS = list(csv.DictReader(handle))


def _number(cell: str) -> float | None:
    return float(cell) if cell else None


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_statement_reading(row):
    text = row["text"]
    got = summarize_mentions(extract_mentions(text, MATCHER), text)
    assert got.get("hardware_id") == (row["hardware_id"] or None), row["why"]
    for key, column in (("chip_count", "chip_count"), ("duration_hours", "duration_hours")):
        want = _number(row[column])
        assert got.get(key) == (pytest.approx(want) if want is not None else None), f"{key}: {row['why']}"


def test_without_text_the_first_count_wins():
    """The size rule needs the statement's text; without it the reading is the first mention's, as before."""
    text = ROWS[0]["text"]
    mentions = extract_mentions(text, MATCHER)
    assert [m["chip_count"] for m in mentions] == [32, 128]
    assert summarize_mentions(mentions)["chip_count"] == 32
    assert [m["chip_count"] for m in largest_model_first(mentions, text)] == [128, 32]
    assert largest_model_first(mentions, None) == mentions
