"""How many chips a mention names, in spec-row units (what the spec row's peak FLOP/s applies to).

A count is read before the chip name ('8', 'eight', '8x', '4 x 8', '32 nodes with 8', 'a single',
'16-GPU', '8 GPUs (V100)') or after it ('x 8', ', 8 in total', 'with 128 cores', 'per node across
64 nodes'), then scaled by what its unit word is worth for that chip (hardware_units.csv: a K80
GPU is half a board, a TPU v3 core half a chip, a v3 pod 1024 chips) or, for a system name, by
chips_per_unit (hardware_aliases.csv: a DGX-2 is 16 V100s). No count in the text gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.transform.hardware.aliases import Meaning
from flows.transform.mentions.matcher import Matcher, unit_worth
from flows.transform.mentions.numbers import parse_count
from flows.transform.mentions.patterns import (POD_SLICE, POST_EACH, POST_GROUP, POST_GROUP_TOTAL, POST_MULT, POST_NVL,
                                              POST_PER_NODE, POST_SLICE, POST_SYSTEMS, POST_TOTAL, POST_TOTALING,
                                              POST_UNITS, POST_WITH, PRE_ACROSS, PRE_COUNT, PRE_NODES, PRE_TOPOLOGY)

_BARE = ("a", "an", "one", "single", "a single")
_YEAR_BEFORE = re.compile(r"(?:\b(?:in|since|by|from|until|till|of|during|before|after|early|late|mid)\s+|-)$", re.I)


@dataclass(frozen=True)
class Pre:
    """A count written before the chip name."""

    n: int | None = None
    start: int | None = None
    end: int | None = None
    unit: str | None = None
    bare: bool = False  # 'a', 'an', 'one', 'single': a later explicit count wins
    multiplied: bool = False  # '8x', '4 x 8', '16-GPU': a following 'node'/'server' does not hide it


@dataclass(frozen=True)
class Where:
    """The chip name in its sentence: sentence bounds, name start, name end (with any plural 's')."""

    s0: int
    s1: int
    c0: int
    c1: int


def pre_count(text: str, s0: int, c0: int) -> Pre:
    """Count before the chip name, with any 'N nodes with' in front of it."""
    m = PRE_COUNT.search(text, max(s0, c0 - 80), c0)
    # '2000 H100s' counts chips; 'In 2019 V100 GPUs ...' is a year
    year_ok = m is not None and not _YEAR_BEFORE.search(text, max(s0, m.start() - 12), m.start())
    n = parse_count(m.group("n"), allow_year=year_ok) if m else None
    if n is None:
        return Pre()
    start, unit = m.start(), m.group("pu") or m.group("pu2")
    end = m.end("pu") if m.group("pu") else m.end("pu2") if m.group("pu2") else m.end("n")
    multiplied = bool(m.group("a") or m.group("pu") or m.group("dash")) or re.search(r"[x×]", text[m.end("n"):c0], re.I) is not None
    if m.group("a") and parse_count(m.group("a")):
        n *= parse_count(m.group("a"))
    nodes = PRE_NODES.search(text, max(s0, start - 60), start)
    if nodes and parse_count(nodes.group("m")):
        n, start = n * parse_count(nodes.group("m")), nodes.start()
    bare = re.sub(r"\s+", " ", m.group("n").lower()) in _BARE
    return Pre(n, start, end, unit, bare, multiplied)


def _scaled(n: float | None, worth: float | None) -> float | None:
    return n * worth if n and worth else None


def _after_name(text: str, at: Where, pre: Pre, hw: str, matcher: Matcher, lim: int):
    """(count, span end) from what follows the name, or None to fall through to the plain rules."""
    c1 = at.c1
    if (m := POST_SLICE.match(text, c1, lim)) and "slice" in matcher.units.get(hw, {}):
        return _scaled((pre.n or 1) * int(m.group("n")), unit_worth(matcher, hw, "slice")), m.end()
    if pre.n is None or pre.bare:
        if m := POST_MULT.match(text, c1, lim):
            return _scaled(parse_count(m.group("n")), unit_worth(matcher, hw, m.group("u"))), m.end()
        if m := POST_NVL.match(text, c1, lim):  # 'GB200 NVL36': the number counts GPUs
            return _scaled(parse_count(m.group("n")), unit_worth(matcher, hw, "gpu")), m.end()
    return None


def _later_count(text: str, pos: int, unit: str | None, hw: str, matcher: Matcher, lim: int):
    """'..., 8 in total', '... hardware with 8 GPUs', '... with 128 cores' when no count came before."""
    for regex in (POST_TOTAL, POST_WITH):
        m = regex.match(text, pos, lim)
        if m and parse_count(m.group("n")):
            worth = unit_worth(matcher, hw, m.group("u") or unit)
            if worth:
                return parse_count(m.group("n")) * worth, m.end()
    return None


def _stated_total(text: str, at: Where, hw: str, matcher: Matcher, lim: int):
    """(count, span) when the sentence states the chips outright around the name: 'N chips across two
    <chip> pods', 'an AxBxC configuration of <chip>' (chips), '<chip>, totaling N chips'."""
    if m := POST_TOTALING.match(text, at.c1, min(at.s1, at.c1 + 120)):
        return _scaled(parse_count(m.group("n"), allow_year=True), unit_worth(matcher, hw, m.group("u"))), \
            (at.c0, m.end())
    if m := PRE_ACROSS.search(text, max(at.s0, at.c0 - 80), at.c0):
        return _scaled(parse_count(m.group("n"), allow_year=True), unit_worth(matcher, hw, m.group("u"))), \
            (m.start(), at.c1)
    if (m := PRE_TOPOLOGY.search(text, max(at.s0, at.c0 - 60), at.c0)) and "tpu" in hw:
        factors = [int(f) for f in m.group("a", "b", "c") if f]
        return _scaled(factors[0] * factors[1] * (factors[2] if len(factors) > 2 else 1),
                       unit_worth(matcher, hw, "chip")), (m.start(), at.c1)
    return None


def chip_count(text: str, at: Where, meaning: Meaning, matcher: Matcher, slice_size: int | None):
    """(count in spec-row units or None, (start, end) of the words that gave it or None)."""
    hw, lim = meaning.hardware_id, min(at.s1, at.c1 + 80)
    if (stated := _stated_total(text, at, hw, matcher, lim)) and stated[0]:
        return stated
    pre = pre_count(text, at.s0, at.c0)
    start = pre.start if pre.n else None
    if pre.unit:
        return _scaled(pre.n, unit_worth(matcher, hw, pre.unit)), (start, pre.end)
    if slice_size:
        return _scaled((pre.n or 1) * slice_size, unit_worth(matcher, hw, "slice")), (start or at.c0, at.c1)
    if found := _after_name(text, at, pre, hw, matcher, lim):
        return found[0], ((start if pre.n and not pre.bare else at.c0), found[1])
    if pre.n and not pre.bare and (m := POST_EACH.match(text, at.c1, lim)):  # '2 A100 instances with 8 GPUs each'
        per = parse_count(m.group("m"))
        return _scaled(pre.n * per if per else None, unit_worth(matcher, hw, m.group("u"))), (start, m.end())
    units = POST_UNITS.match(text, at.c1, lim)
    unit = units.group("u") if units else None
    pos = units.end() if units else at.c1
    if unit and unit.lower() == "pod":
        if POD_SLICE.match(text, pos, lim) or (pre.n is None and units.group("pl")):
            later = _later_count(text, pos, None, hw, matcher, lim)  # 'TPU v3 Pods with 256 chips'
            return (later[0], (at.c0, later[1])) if later else (None, None)
        return _scaled(pre.n or 1, unit_worth(matcher, hw, "pod")), (start or at.c0, pos)
    if pre.n is None or pre.bare:
        if later := _later_count(text, pos, unit, hw, matcher, lim):
            return later[0], (at.c0, later[1])
    if pre.n is None:
        return None, None
    if m := POST_EACH.match(text, pos, lim):
        per = parse_count(m.group("m"))
        return _scaled(pre.n * per if per else None, unit_worth(matcher, hw, m.group("u"))), (start, m.end())
    if m := POST_PER_NODE.match(text, pos, lim):
        nodes = parse_count(m.group("m"))
        return _scaled(pre.n * nodes if nodes else None, unit_worth(matcher, hw, unit)), (start, m.end())
    system = unit is None or unit.lower() not in ("gpu", "chip") or (not units.group("pl")
                                                                     and POST_SYSTEMS.match(text, pos, lim))
    if meaning.chips_per_unit != 1 and system:
        return pre.n * meaning.chips_per_unit, (start, pos)  # '4 DGX-2 systems', '96 DGX-A100 GPU (8x40G) servers'
    if not pre.multiplied and not (units and units.group("pl")) and (group := POST_GROUP.match(text, pos, lim)):
        if m := POST_GROUP_TOTAL.match(text, pos, lim):  # 'two A100 nodes (16 GPUs)'
            return _scaled(parse_count(m.group("n")), unit_worth(matcher, hw, m.group("u"))), (start, m.end())
        worth = matcher.units.get(hw, {}).get(group.group("g").lower())
        return (pre.n * worth, (start, group.end())) if worth else (None, None)  # '16 CS-2 nodes': a unit row says
    return _scaled(pre.n, unit_worth(matcher, hw, unit)), (start, pos if unit else pre.end)
