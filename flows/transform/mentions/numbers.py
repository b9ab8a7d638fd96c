"""Reading numbers, counts and time units as papers write them."""

from __future__ import annotations

import re

from flows.transform.mentions.patterns import SCALE, WORD_NUMBERS
from flows.transform.mentions.phrases import UNIT_HOURS


def parse_number(raw: str | None) -> float | None:
    """'2,048' -> 2048, 'eight' -> 8, 'twenty-four' -> 24, 'a single' -> 1; None when unreadable."""
    if raw is None:
        return None
    s = re.sub(r"\s+", " ", raw.strip().lower())
    if s in ("a", "an", "single", "a single"):
        return 1.0
    if s in WORD_NUMBERS:
        return float(WORD_NUMBERS[s])
    parts = re.split(r"[\s-]", s)
    if len(parts) == 2 and parts[0] in WORD_NUMBERS and parts[1] in WORD_NUMBERS:
        return float(WORD_NUMBERS[parts[0]] + WORD_NUMBERS[parts[1]])
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def parse_scaled(raw: str | None, scale: str | None) -> float | None:
    """'1.7' with 'M' -> 1.7e6; '300' with 'k' -> 3e5."""
    value = parse_number(raw)
    return None if value is None else value * SCALE.get((scale or "").lower(), 1.0)


def parse_count(raw: str | None, allow_year: bool = False) -> int | None:
    """A whole positive number of things; years (1950-2039 written as digits) are not counts unless
    `allow_year` (the number is known to count something: '2000 H100s', '2048 GPUs')."""
    value = parse_number(raw)
    if value is None or value <= 0 or value != int(value):
        return None
    if not allow_year and 1950 <= value <= 2039 and raw.strip().isdigit():
        return None
    return int(value)


def unit_hours(unit: str) -> float:
    """Hours in one time unit ('days' -> 24, 'min' -> 1/60, 's' -> 1/3600)."""
    u = unit.lower()
    if u in UNIT_HOURS:
        return UNIT_HOURS[u]
    return UNIT_HOURS.get(u.rstrip("s"), 1.0)


def tidy(value: float | None) -> float | int | None:
    """Positive values only; whole numbers as int so JSON shows 8, not 8.0."""
    if value is None or value <= 0:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
