"""One compiled regex of every chip alias, and what a matched name means.

The alias table gives each name its spec row, how many spec-row units one of that name holds
(chips_per_unit: a DGX-2 is 16 V100s) and a date window for names that changed meaning
(Titan X, DGX-1). The units table gives what one board, GPU, GCD, core, pod or slice of a chip
is worth in spec-row units. Besides aliases the regex knows one naming convention: Google's
TPU slice names ('v3-8', 'v4-128', 'v5litepod-16'; https://cloud.google.com/tpu/docs/system-architecture-tpu-vm),
which resolve through the alias 'tpu v3' etc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from flows.transform.hardware.aliases import LastBuilt, Meaning, alias_meanings, pick_meaning, unit_table, units_of

# Unit words as written -> the unit names of hardware_units.csv.
UNIT_NAMES = {"gpu": "gpu", "gcd": "gcd", "superchip": "superchip", "chip": "chip", "card": "card",
              "board": "board", "module": "module", "core": "core", "tensorcore": "core", "pod": "pod",
              "slice": "slice", "instance": "instance", "system": "system", "node": "node"}
# On a chip without unit rows, one of these is one spec row. Not 'instance': a GPU cloud instance holds 1 to 16
# GPUs ('8 A100 instances' gives no count), unless the chip has an instance row or the text says how many each holds.
GPU_LIKE = ("gpu", "chip", "card", "board", "module")
_SLICE = r"(?P<slice>v(?P<ver>\d(?:[ep]|lite)?)(?:pod)?-(?P<size>\d{1,5}))"


@dataclass(frozen=True)
class Matcher:
    """The alias regex, alias key -> meanings, and hardware_id -> {unit: spec units} (+ '' -> default)."""

    regex: re.Pattern
    meanings: dict
    units: dict


def alias_key(name: str) -> str:
    return re.sub(r"[\s\-]", "", name.lower())


def _regex_units(alias: str) -> list[str]:
    """Alias as regex units; separators (and letter->digit joins after 2+ letters) may be ' ', '-' or ''."""
    sep = r"[\s\-]?"
    out: list[str] = []
    for i, token in enumerate(re.split(r"[\s\-]+", alias.strip().lower())):
        if i:
            out.append(sep)
        run = 0
        for ch in token:
            if ch.isdigit() and run >= 2:
                out.append(sep)
            run = run + 1 if ch.isalpha() else 0
            out.append(re.escape(ch))
    return out


def _trie_regex(node: dict) -> str:
    """Regex for a trie: children first (longest match), empty alternative last when terminal."""
    parts = [unit + _trie_regex(child) for unit, child in node.items() if unit != ""]
    if not parts:
        return ""
    body = "(?:" + "|".join(parts) + ")"
    return body + "?" if "" in node else body


def build_matcher(aliases: pd.DataFrame, units: pd.DataFrame | None = None) -> Matcher:
    """Compile the alias table once (ids with underscores are not text and are skipped)."""
    usable = aliases[[isinstance(a, str) and a.strip() != "" and "_" not in a and isinstance(h, str)
                      for a, h in zip(aliases["alias"], aliases["hardware_id"])]]
    trie: dict = {}
    for alias in usable["alias"]:
        node = trie
        for unit in _regex_units(alias):
            node = node.setdefault(unit, {})
        node[""] = {}
    body = _trie_regex(trie)
    pattern = rf"(?:(?<![A-Za-z0-9])|(?<=\dx)|(?<=\dX))(?:(?P<chip>{body})s?|{_SLICE})(?![A-Za-z0-9])"
    return Matcher(re.compile(pattern, re.I), alias_meanings(usable, key=alias_key), unit_table(units_of(aliases, units)))


_LAST = LastBuilt(build_matcher)


def matcher_for(aliases_or_matcher) -> Matcher:
    """A Matcher as given, or the one built from an alias DataFrame (reused for the same frame)."""
    if isinstance(aliases_or_matcher, Matcher):
        return aliases_or_matcher
    return _LAST(aliases_or_matcher)


def resolve_name(matcher: Matcher, m: re.Match, when: date | None) -> tuple[str, Meaning | None, int | None]:
    """Matched text -> (name, meaning, slice size); a lower-case trailing 's' is a plural."""
    if m.group("slice"):
        meanings = matcher.meanings.get("tpuv" + m.group("ver").lower(), [])
        return m.group("slice"), pick_meaning(meanings, when)[0], int(m.group("size"))
    raw = m.group(0)
    for name in ((raw[:-1], raw) if raw.endswith("s") else (raw,)):
        meanings = matcher.meanings.get(alias_key(name))
        if meanings:
            return name, pick_meaning(meanings, when)[0], None
    return raw, None, None


def unit_worth(matcher: Matcher, hardware_id: str, unit: str | None) -> float | None:
    """Spec-row units in one `unit` of this chip (None: the chip's default unit); None when unknown."""
    rows = matcher.units.get(hardware_id, {})
    name = UNIT_NAMES.get(re.sub(r"\s+|s$", "", unit.lower()), "") if unit else ""  # 'accelerators': default
    if name in rows:
        return rows[name]
    if name == "":
        return 1.0
    if name in GPU_LIKE:
        return rows.get("", 1.0)
    return None
