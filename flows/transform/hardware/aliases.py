"""Alias rows as meanings: which spec row a name means, how many spec-row units it holds, and when.

Some names changed meaning over time ("Titan X" was Maxwell until the Pascal TITAN X of
2016-08-02; a DGX-1 held P100s until the V100 DGX-1 of 2017-05-10). Such aliases have one
row per date window. A dated query takes the window that holds its date; an undated query
takes the open-start window (the name's first meaning) and is reported as date-ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Meaning:
    hardware_id: str
    chips_per_unit: float = 1.0
    valid_from: date | None = None
    valid_to: date | None = None
    confidence: float = 1.0  # at most this sure: a family name standing for several chips says less

    def holds(self, when: date) -> bool:
        return (self.valid_from is None or when >= self.valid_from) and (self.valid_to is None or when < self.valid_to)


def parse_date(value: object) -> date | None:
    """None/NaN/'' -> None; a date, Timestamp or 'YYYY-MM-DD' -> date; anything else raises ValueError."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value) or value == "":
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"unknown date format {text!r}; expected YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a calendar date: {text!r}; expected YYYY-MM-DD") from None


def _units(value: object) -> float:
    number = pd.to_numeric(value, errors="coerce")
    return float(number) if pd.notna(number) and number > 0 else 1.0


def _confidence(value: object) -> float:
    """An alias's confidence cell: blank = 1 (the name says which chip); a family default says less."""
    number = pd.to_numeric(value, errors="coerce")
    return float(number) if pd.notna(number) and 0 < number <= 1 else 1.0


def alias_meanings(aliases: pd.DataFrame, key=lambda alias: alias) -> dict[str, list[Meaning]]:
    """key(alias) -> its meanings, ordered by window start (open start first)."""
    out: dict[str, list[Meaning]] = {}
    cols = {c: aliases[c] if c in aliases else pd.Series(None, index=aliases.index, dtype=object)
            for c in ("chips_per_unit", "valid_from", "valid_to", "confidence")}
    for alias, hardware_id, units, start, end, sure in zip(aliases["alias"], aliases["hardware_id"],
                                                           cols["chips_per_unit"], cols["valid_from"],
                                                           cols["valid_to"], cols["confidence"]):
        if not isinstance(alias, str) or not isinstance(hardware_id, str):
            continue
        meaning = Meaning(hardware_id, _units(units), parse_date(start), parse_date(end), _confidence(sure))
        out.setdefault(key(alias), []).append(meaning)
    for meanings in out.values():
        meanings.sort(key=lambda m: m.valid_from or date.min)
    return out


def pick_meaning(meanings: list[Meaning], when: date | None) -> tuple[Meaning | None, bool]:
    """The meaning for a date, and whether the choice was a default for a date-dependent name."""
    if not meanings:
        return None, False
    if len(meanings) == 1:
        return meanings[0], False
    if when is None:
        return meanings[0], True
    for meaning in meanings:
        if meaning.holds(when):
            return meaning, False
    return None, False


def unit_table(units: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """Counting rules (hardware_units.csv) as hardware_id -> {unit: spec units, '': the default unit's};
    none given, no rules."""
    if units is None:
        return {}
    out: dict[str, dict[str, float]] = {}
    for hardware_id, unit, worth, default in zip(units["hardware_id"], units["unit"], units["spec_units"],
                                                 units["is_default"]):
        rows = out.setdefault(str(hardware_id), {})
        rows[str(unit).strip().lower()] = float(worth)
        if str(default).strip().lower() in ("true", "1", "yes"):
            rows[""] = float(worth)
    return out


def units_of(aliases: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame | None:
    """The counting rules given, else the ones the alias table was read with (warehouse.seeds attaches them)."""
    return units if units is not None else aliases.attrs.get("units")


class LastBuilt:
    """Remembers the object built from the last frame(s) given, so repeated calls reuse it
    without holding on to every frame a long-running process ever passed."""

    def __init__(self, build):
        self._build, self._inputs, self._built = build, None, None

    def __call__(self, *frames):
        if self._inputs is None or len(frames) != len(self._inputs) or \
                any(a is not b for a, b in zip(frames, self._inputs)):
            self._inputs, self._built = frames, self._build(*frames)
        return self._built
