"""Hardware-name variants (tests/fixtures/resolution/variants.csv) and Epoch's own names.

One row per variant: query, the spec row it must resolve to, an optional date (for
date-dependent names such as 'Titan X' and 'DGX-1'), chips_per_unit (blank = 1) and one line
of why. A blank hardware_id is a negative: the name must not resolve. Where two spec rows are
the same chip with the same figures (Epoch's generic 'NVIDIA V100' row and the alias default
V100 SXM2 16 GB), hardware_id lists both as 'a|b' and either passes.
"""

import csv
import math
from pathlib import Path

import pandas as pd

from flows.transform.hardware.resolution import resolve_hardware
from warehouse.seeds import read_hardware_aliases, read_hardware_specs

VARIANTS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "resolution" / "variants.csv"
# a copy of ../shared/reference/epoch_ml_hardware.csv (Epoch AI, CC BY 4.0), so the test never skips
EPOCH_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "ml_hardware_snapshot.csv"


def _variants() -> list[dict]:
    with VARIANTS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _mismatch(row: dict, got: pd.Series) -> str | None:
    """Why a resolved row disagrees with the fixture row, or None when it agrees."""
    if not row["hardware_id"]:
        return None if got["hardware_id"] is None else "resolved but should not"
    if got["hardware_id"] not in row["hardware_id"].split("|") or not got["confidence"] > 0:
        return "wrong row"
    expected_units = float(row["chips_per_unit"]) if row["chips_per_unit"] else 1.0
    if got["chips_per_unit"] is None or not math.isclose(float(got["chips_per_unit"]), expected_units):
        return f"chips_per_unit {got['chips_per_unit']} != {expected_units:g}"
    return None


def test_variant_table_is_well_formed():
    rows = _variants()
    spec_ids = set(read_hardware_specs()["hardware_id"])
    positives = [r for r in rows if r["hardware_id"]]
    assert len(positives) >= 450 and len(rows) - len(positives) >= 40
    assert len({(r["query"], r["date"]) for r in rows}) == len(rows)
    assert {h for r in positives for h in r["hardware_id"].split("|")} <= spec_ids
    assert all(r["why"] for r in rows)


def test_every_variant_resolves_to_its_row():
    rows = _variants()
    names = pd.Series([r["query"] for r in rows], dtype=object)
    dates = pd.Series([r["date"] or None for r in rows], dtype=object)
    out = resolve_hardware(names, read_hardware_aliases(), dates=dates)
    failures = []
    for row, (_, got) in zip(rows, out.iterrows()):
        if problem := _mismatch(row, got):
            failures.append(f"{row['query']!r} [{row['date'] or 'undated'}]: {problem}; expected "
                            f"{row['hardware_id'] or None} x{row['chips_per_unit'] or 1}, got {got['hardware_id']} "
                            f"x{got['chips_per_unit']} ({got['basis']}, {got['confidence']}) -- {row['why']}")
    assert not failures, f"{len(failures)} of {len(rows)} variants fail:\n" + "\n".join(failures)


def test_every_epoch_hardware_name_resolves_exactly_to_its_row():
    """Epoch's names resolve to their own rows at confidence 1, except family names ('NVIDIA A100'),
    which resolve to the family's documented default, a row with the same figures, at its confidence."""
    names = pd.read_csv(EPOCH_CSV)["Hardware name"].dropna().drop_duplicates().reset_index(drop=True)
    specs = read_hardware_specs().dropna(subset=["epoch_name"])
    expected = names.map(dict(zip(specs["epoch_name"], specs["hardware_id"])))
    out = resolve_hardware(names, read_hardware_aliases())
    family = out["basis"].str.endswith("+family-default")
    own_row = (out["hardware_id"] == expected) & ((out["confidence"] == 1.0) | family)
    merged = ~own_row & out["basis"].isin(["exact", "exact+family-default"])  # the name's alias row chose one meaning
    wrong = out[~own_row & ~merged]
    assert not len(wrong), pd.concat([names[wrong.index], expected[wrong.index], wrong], axis=1).to_string()
    assert merged.sum() <= 6, out[merged]  # Epoch's generic A100/V100/P100 rows and duplicate rows
