"""Wall-clock duration and device-time near a chip name.

Duration: ranges ('5-6 days', 'between five and six days') give low, high and their midpoint;
bounds ('less than a day', 'at least 2 days') give only low or high; hedges ('about', '~') keep
the value. A time per epoch or per step counts only when the same sentence gives how many
('each epoch took 40 minutes ... 90 epochs' -> 60 h). Device-time ('1.7M GPU hours', '500
TPU-days', 'TPU v3 core-hours') is already chips x time: it becomes chip_hours, in spec-row units,
and is never multiplied by a count again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.transform.mentions.matcher import Matcher, unit_worth
from flows.transform.mentions.numbers import parse_number, parse_scaled, unit_hours
from flows.transform.mentions.phrases import (BOUND, COMPOUND, DATA_BEFORE, DEV_UNIT, DEVTIME, FROM_TO,
                                             HEDGED, HEDGED_UPPER, MULTIPLIER, PER_AFTER, PER_BEFORE, PER_DAY, RANGE,
                                             SINGLE, SUB_MINUTE, UPPER_BOUNDS, VAGUE, VAGUE_RANGE)

OF_NOT_TRAINING = re.compile(r"\s+of\s+(?!(?:continuous\s+|wall[\s-]?clock\s+|total\s+)?(?:pre-?|post-?)?"
                             r"(?:train|fine-?tun|comput|run|optimi|self-play|simulat|experiment))", re.I)
CUT = re.compile(r"[,;:()]|\b(?:while|whereas|but|then)\b", re.I)  # a clause boundary between name and time


@dataclass(frozen=True)
class Duration:
    start: int
    end: int
    value: float | None
    low: float | None = None
    high: float | None = None
    per: str | None = None  # 'epoch' or 'step' when the time is for one of them
    short: bool = False  # given in seconds: a latency or step time, never a run's total


def _small_unit_hours(unit: str) -> float:
    """'m' after an hour count means minutes ('27h 40m')."""
    return 1 / 60 if unit.lower() == "m" else unit_hours(unit)


def device_time(text: str, lo: int, hi: int, hardware_id: str, matcher: Matcher):
    """(chip_hours, (start, end)) for the first device-time in [lo, hi), else (None, None)."""
    for m in DEVTIME.finditer(text, lo, hi):
        value = parse_scaled(m.group("n"), m.group("s"))
        if not value:
            continue
        unit = "core" if m.group("core") else None
        if unit is None and (word := DEV_UNIT.search(m.group(0))):
            unit = word.group("u")
        worth = unit_worth(matcher, hardware_id, unit)
        return (value * unit_hours(m.group("u")) * worth if worth else None), (m.start(), m.end())
    return None, None


def _per_kind(text: str, lo: int, hi: int, start: int, end: int) -> str | None:
    """'epoch' or 'step' when the time at [start, end) is per epoch or per step."""
    m = PER_AFTER.match(text, end, min(hi, end + 30)) or PER_BEFORE.search(text, max(lo, start - 70), start)
    if m is None:
        return None
    return "epoch" if m.group("k").lower() == "epoch" else "step"


def _candidates(text: str, lo: int, hi: int):
    """Every wall-clock duration in [lo, hi)."""
    for m in RANGE.finditer(text, lo, hi):
        low, high = parse_number(m.group("lo1") or m.group("lo2")), parse_number(m.group("hi1") or m.group("hi2"))
        if low and high and high > low:
            f = unit_hours(m.group("u"))
            yield Duration(m.start(), m.end(), (low + high) / 2 * f, low * f, high * f)
    for m in BOUND.finditer(text, lo, hi):
        n = parse_number(m.group("n"))
        if n:
            value = n * unit_hours(m.group("u"))
            upper = m.group("k").lower() in UPPER_BOUNDS
            yield Duration(m.start(), m.end(), None, None if upper else value, value if upper else None)
    for m in HEDGED.finditer(text, lo, hi):
        n = parse_number(m.group("n"))
        if n:
            value = n * unit_hours(m.group("u"))
            upper = re.sub(r"\s+", " ", m.group("k").lower()) in HEDGED_UPPER
            yield Duration(m.start(), m.end(), value, None if upper else value, value if upper else None)
    for m in VAGUE.finditer(text, lo, hi):
        low, high = VAGUE_RANGE[re.sub(r"\s+", " ", m.group("k").lower())]
        f = unit_hours(m.group("u"))
        if f >= 1:  # 'several seconds' is a step time
            yield Duration(m.start(), m.end(), None, low * f, high * f)
    for m in COMPOUND.finditer(text, lo, hi):
        n1, n2 = parse_number(m.group("n1")), parse_number(m.group("n2"))
        f1, f2 = unit_hours(m.group("u1")), _small_unit_hours(m.group("u2"))
        if n1 and n2 and f2 < f1:
            yield Duration(m.start(), m.end(), n1 * f1 + n2 * f2)
    moved = []
    for m in FROM_TO.finditer(text, lo, hi):  # 'from 11 days to 5 days': the second
        n = parse_number(m.group("n"))
        if n:
            moved.append((m.start(), m.end()))
            yield Duration(m.start(), m.end(), n * unit_hours(m.group("u2")))
    for m in SINGLE.finditer(text, lo, hi):
        if OF_NOT_TRAINING.match(text, m.end(), min(hi, m.end() + 40)):
            continue  # '960 hours of speech', '5 years of news' size a dataset
        if PER_DAY.match(text, m.end(), min(hi, m.end() + 12)) or any(a <= m.start() < b for a, b in moved):
            continue  # '24 hours/day' is a rate; the two ends of 'from X to Y' are read above
        if DATA_BEFORE.search(text, max(lo, m.start() - 30), m.start()):
            continue  # 'a batch size of 2.3 hours' of audio is data
        n = 0.5 if m.group("half") else parse_number(m.group("n") or m.group("a"))
        if n:
            n += 0.5 if m.group("h1") or m.group("h2") else 0.0
            yield Duration(m.start(), m.end(), n * unit_hours(m.group("u")), short=m.group("u").lower() in SUB_MINUTE)


def _multiplied(text: str, lo: int, hi: int, per: Duration) -> Duration | None:
    """A per-epoch/per-step time times the largest 'N epochs' / 'N steps' (N >= 2) in [lo, hi)."""
    best = None
    for m in MULTIPLIER.finditer(text, lo, hi):
        kind = "epoch" if m.group("k").lower() == "epoch" else "step"
        n = parse_scaled(m.group("n"), m.group("s"))
        if kind == per.per and n and n >= 2 and (best is None or n > best[0]):
            best = (n, m.start(), m.end())
    if best is None or per.value is None:
        return None
    n, start, end = best
    return Duration(min(start, per.start), max(end, per.end), per.value * n)


def _closeness(text: str, cand: Duration, c0: int, c1: int) -> tuple:
    """Sort key: same clause first, then after the name, then nearest, then longest."""
    after = cand.start >= c1
    gap = text[c1:cand.start] if after else text[cand.end:c0]
    return (CUT.search(gap) is not None, not after, len(gap), cand.start - cand.end)


def duration(text: str, lo: int, hi: int, c0: int, c1: int, blocked: tuple | None) -> Duration | None:
    """The wall-clock duration for the chip name at [c0, c1): the stated total closest to it (same
    clause first, after the name before before it); else a per-epoch/per-step time times its count."""
    totals, per_unit = [], []
    for cand in _candidates(text, lo, hi):
        if blocked and cand.start < blocked[1] and cand.end > blocked[0]:
            continue
        kind = _per_kind(text, lo, hi, cand.start, cand.end)
        if kind is None and not cand.short:
            totals.append(cand)
        elif kind is None:
            continue
        else:
            per_unit.append(Duration(cand.start, cand.end, cand.value, per=kind))
    if totals:
        return min(totals, key=lambda c: _closeness(text, c, c0, c1))
    for per in sorted(per_unit, key=lambda c: c.start):
        if found := _multiplied(text, lo, hi, per):
            return found
    return None
