"""Hardware-mention extraction: fixture sentences (first mention per sentence) and properties."""

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.transform.mentions import KEYS, build_matcher, extract_mentions, parse_number
from warehouse.seeds import read_hardware_aliases

ALIASES = read_hardware_aliases()
MATCHER = build_matcher(ALIASES)
CASES_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "mentions" / "cases.csv"
NUMERIC = ("chip_count", "duration_hours", "duration_hours_low", "duration_hours_high", "chip_hours")
# Phrasings the extractor does not handle yet; strict so a fix shows up as XPASS -> failure.
KNOWN_GAPS = {
    "p063": "'a week and a half' (fractions in words) is not read",
    "p064": "a count after the chip name ('... V100 hardware with 8 GPUs') is not linked",
    "p157": "a bare slice name without 'TPU' ('v3-8 TPUs') is not matched",
    "p158": "cores given after the chip name ('TPU v3 with 128 cores') are not linked",
    "p159": "a count after the chip name ('V100 GPUs, 8 in total') is not linked",
    "p161": "per-epoch time times the number of epochs is not multiplied out",
    "p162": "DGX system names (DGX-1, DGX-2, DGX A100/H100) are not expanded to GPU counts",
    "n052": "a chip name of four or more characters (H100) needs no hardware context, so biology look-alikes match",
}


def _cases():
    with CASES_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        marks = [pytest.mark.xfail(reason=KNOWN_GAPS[row["id"]], strict=True)] if row["id"] in KNOWN_GAPS else []
        out.append(pytest.param(row, id=row["id"], marks=marks))
    return out


CASES = _cases()


def test_fixture_is_well_formed():
    rows = [c.values[0] for c in CASES]
    ids = set(ALIASES["hardware_id"])
    assert len(rows) >= 150
    assert sum(1 for r in rows if not r["hardware_id"]) >= 40
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["hardware_id"] for r in rows if r["hardware_id"]} <= ids
    assert {r["role"] for r in rows if r["hardware_id"]} <= {"training", "fine-tuning", "inference", "data-generation"}


@pytest.mark.parametrize("row", CASES)
def test_first_mention_matches_fixture(row):
    mentions = extract_mentions(row["text"], MATCHER)
    if not row["hardware_id"]:
        assert mentions == [], row["why"]
        return
    assert mentions, row["why"]
    got = mentions[0]
    assert got["hardware_id"] == row["hardware_id"], row["why"]
    for key in NUMERIC:
        expected = float(row[key]) if row[key] else None
        if expected is None:
            assert got[key] is None, f"{key}: {row['why']}"
        else:
            assert got[key] == pytest.approx(expected, rel=1e-6), f"{key}: {row['why']}"
    assert got["role"] == row["role"], row["why"]


def test_mention_has_exact_keys_and_span():
    text = "Baseline first. We trained on 8 V100 GPUs for 5 days."
    [m] = extract_mentions(text, MATCHER)
    assert tuple(m) == KEYS
    span = text[m["start"]:m["end"]]
    assert "8 V100" in span and "5 days" in span


def test_dataframe_and_matcher_give_the_same_answer():
    text = "Fine-tuning took 3 hours on 4 A100 GPUs; inference ran on a T4 GPU."
    by_frame = extract_mentions(text, ALIASES)
    assert by_frame == extract_mentions(text, MATCHER) == extract_mentions(text, ALIASES)
    assert [m["role"] for m in by_frame] == ["fine-tuning", "inference"]


def test_every_mention_in_order():
    text = "We pre-train on 64 TPU v3 chips. Then we fine-tune on 8 V100 GPUs and serve on a T4 GPU."
    got = [(m["hardware_id"], m["chip_count"], m["role"]) for m in extract_mentions(text, MATCHER)]
    assert got == [("google_tpu_v3", 64, "training"), ("nvidia_tesla_v100_sxm2_16gb", 8, "fine-tuning"),
                   ("nvidia_tesla_t4", 1, "inference")]


@pytest.mark.parametrize("raw,value", [("2,048", 2048), ("eight", 8), ("twenty-four", 24), ("a single", 1),
                                       ("3.5", 3.5), ("nonsense", None), (None, None)])
def test_parse_number(raw, value):
    assert parse_number(raw) == value


def test_non_text_and_empty():
    assert extract_mentions("", MATCHER) == []
    assert extract_mentions(None, MATCHER) == []


def _check_invariants(text, mentions):
    for m in mentions:
        assert tuple(m) == KEYS
        assert 0 <= m["start"] < m["end"] <= len(text)
        assert m["hardware_text"] in text[m["start"]:m["end"]]
        for key in NUMERIC:
            assert m[key] is None or m[key] > 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    _check_invariants(text, extract_mentions(text, MATCHER))


_PIECES = st.sampled_from(["8", "eight", "a", "x", "×", " ", "-", "–", "V100", "A100-80GB", "TPU v3", "TPUv2",
                           "pod", "cores", "-8", "GPUs", "GPU-hours", "1.7M", "days", "hours", "between", "and",
                           "less than", "per GPU", "nodes with", "each", "fine-tuned", "inference", ".", ",", "0",
                           "0 GPU hours", "2,048", "T4", "trained"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map(" ".join))
def test_invariants_on_hardware_like_text(text):
    _check_invariants(text, extract_mentions(text, MATCHER))


def test_ten_megabyte_line_without_chips():
    text = "lorem ipsum dolor sit amet 42 tokens per GPU " * (10_000_000 // 45)
    assert len(text) >= 9_900_000
    assert extract_mentions(text, MATCHER) == []


def test_binary_junk_decoded_with_replacement():
    junk = (bytes(range(256)) * 4000 + b"\xff\xfe 8 V100 GPUs for 2 days \x00").decode("utf-8", errors="replace")
    mentions = extract_mentions(junk, MATCHER)
    _check_invariants(junk, mentions)
    assert [m["hardware_id"] for m in mentions][-1:] == ["nvidia_tesla_v100_sxm2_16gb"]
