"""Hardware name resolution against the curated alias table (data, not code).

Tiers, first hit wins; `basis` and `confidence` say which one matched:

    exact        lower case, white space folded                      1.0
    separators   spaces, dashes, underscores, slashes, dots removed  0.95
    noise-words  vendor/series words, 'GPU(s)', parentheses dropped  0.9
    memory-size  a memory size the table does not know dropped       0.85
    fuzzy        rapidfuzz on the compact name, same digits only     <= 0.85

A trailing counting unit ('pod', 'cores', 'superchip', a TPU slice '-512') is read with the
counting rules (hardware_units.csv) and sets chips_per_unit without lowering confidence.
Date-dependent names (see flows/transform/aliases.py) take the meaning for the date given;
without a date they take their first meaning and confidence drops by 0.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from rapidfuzz import fuzz, process

from flows.transform.aliases import Meaning, alias_meanings, parse_date, pick_meaning

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s_\-/.·]+")
_NOISE = re.compile(
    r"\b(?:nvidia|nvida|nvdia|amd|google|intel|huawei|habana|cerebras|graphcore|amazon|aws|"
    r"tesla|geforce|quadro|radeon|instinct|cloud|data\s*center|datacenter|gpus?|graphics\s+cards?|cards?|"
    r"accelerators?|chips?|processors?|devices?|with|the)\b|[®™]|\([^)]*\)", re.I)
_MEMORY = re.compile(r"[\s\-_]*\d+(?:\.\d+)?\s*(?:gb|gib|g)\b(?:\s*(?:hbm\d?e?|gddr\d\w?))?", re.I)
_UNIT_WORDS = {"pod": "pod", "pods": "pod", "core": "core", "cores": "core", "tensorcore": "core",
               "tensorcores": "core", "superchip": "superchip", "superchips": "superchip", "board": "board",
               "boards": "board", "gcd": "gcd", "gcds": "gcd", "module": "module", "modules": "module",
               "gpu": "gpu", "gpus": "gpu", "card": "card", "cards": "card", "chip": "chip", "chips": "chip"}
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)[\s\-]+(?:tensor\s+)?(?P<unit>" + "|".join(_UNIT_WORDS) + r")$", re.I)
_SLICE_SUFFIX = re.compile(r"^(?P<name>.*?\bv\d[a-z]*)-(?P<n>\d+)$", re.I)
_DIGITS = re.compile(r"\d+")
FUZZY_CUTOFF = 85.0
COLUMNS = ["hardware_id", "confidence", "chips_per_unit", "basis"]


def normalize_hardware_name(name: object) -> str:
    """Lower case, trimmed, inner white space folded to one space."""
    if not isinstance(name, str):
        return ""
    return _SPACES.sub(" ", name.strip().lower())


def compact(name: str) -> str:
    """Separators (space, dash, underscore, slash, dot) removed: 'A100-80GB' ~ 'a10080gb'."""
    return _SEPARATORS.sub("", name.lower())


def strip_noise(name: str) -> str:
    return _SPACES.sub(" ", _NOISE.sub(" ", name)).strip(" -_")


@dataclass
class Resolver:
    """The alias table indexed for each tier, plus the counting rules."""

    exact: dict[str, list[Meaning]]
    compact: dict[str, list[Meaning]]
    fuzzy_keys: list[str]
    units: dict[tuple[str, str], float]
    default_units: dict[str, float]

    @classmethod
    def build(cls, aliases: pd.DataFrame, units: pd.DataFrame | None = None) -> Resolver:
        exact = alias_meanings(aliases, normalize_hardware_name)
        by_compact: dict[str, list[Meaning]] = {}
        clashes = set()
        for alias, meanings in exact.items():
            key = compact(alias)
            if key in by_compact and by_compact[key] != meanings:
                clashes.add(key)
            by_compact.setdefault(key, meanings)
        for key in clashes:  # two aliases that differ only by separators but mean different rows
            del by_compact[key]
        if units is None:
            from warehouse.seeds import read_hardware_units
            units = read_hardware_units()
        unit_map = {(h, u): float(s) for h, u, s in zip(units["hardware_id"], units["unit"], units["spec_units"])}
        defaults = {h: float(s) for h, s, d in zip(units["hardware_id"], units["spec_units"], units["is_default"])
                    if str(d).lower() == "true"}
        return cls(exact, by_compact, sorted(by_compact), unit_map, defaults)

    def _lookup(self, name: str) -> tuple[list[Meaning] | None, str, float]:
        """Meanings for a name by the first tier that knows it."""
        if hit := self.exact.get(name):
            return hit, "exact", 1.0
        if hit := self.compact.get(compact(name)):
            return hit, "separators", 0.95
        stripped = strip_noise(name)
        if stripped and (hit := self.compact.get(compact(stripped))):
            return hit, "noise-words", 0.9
        no_memory = _MEMORY.sub("", stripped).strip()
        if no_memory and no_memory != stripped and (hit := self.compact.get(compact(no_memory))):
            return hit, "memory-size", 0.85
        return self._fuzzy(stripped or name)

    def _fuzzy(self, name: str) -> tuple[list[Meaning] | None, str, float]:
        key = compact(name)
        if len(key) < 4:
            return None, "unresolved", 0.0
        digits = _DIGITS.findall(key)
        candidates = [k for k in self.fuzzy_keys if _DIGITS.findall(k) == digits]
        best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None, "unresolved", 0.0
        return self.compact[best[0]], "fuzzy", round(0.85 * best[1] / 100.0, 3)

    def _unit_factor(self, hardware_id: str, unit: str | None) -> float | None:
        if unit is None:
            return self.default_units.get(hardware_id, 1.0)
        if unit in ("gpu", "chip", "card") and (hardware_id, unit) not in self.units:
            return 1.0
        return self.units.get((hardware_id, unit))

    def _with_unit(self, name: str):
        """(meanings, basis, confidence, unit, multiple): the whole name first, then a trailing
        counting unit or TPU slice size read off ('tpu v3 pod', 'k80 boards', 'v4-128')."""
        if hit := self.exact.get(name):
            return hit, "exact", 1.0, None, 1.0
        if m := _SLICE_SUFFIX.match(name):
            base = m.group("name") if "tpu" in m.group("name") else f"tpu {m.group('name')}"
            meanings, basis, confidence = self._lookup(base)
            if meanings:
                return meanings, basis, confidence, "slice", float(m.group("n"))
        if m := _UNIT_SUFFIX.match(name):
            meanings, basis, confidence = self._lookup(m.group("name"))
            if meanings:
                return meanings, basis, confidence, _UNIT_WORDS[m.group("unit").lower()], 1.0
        return (*self._lookup(name), None, 1.0)

    def resolve_one(self, query: object, when: date | None = None) -> dict:
        name = normalize_hardware_name(query)
        if not name:
            return dict(zip(COLUMNS, (None, 0.0, None, "empty")))
        meanings, basis, confidence, unit, multiple = self._with_unit(name)
        meaning, undated_default = pick_meaning(meanings or [], when)
        factor = self._unit_factor(meaning.hardware_id, unit) if meaning else None
        if meaning is None or factor is None:
            return dict(zip(COLUMNS, (None, 0.0, None, "unresolved" if meaning is None else "unknown-unit")))
        if undated_default:
            confidence, basis = round(confidence - 0.1, 3), f"{basis}+undated-default"
        return dict(zip(COLUMNS, (meaning.hardware_id, confidence, meaning.chips_per_unit * factor * multiple, basis)))


_CACHE: dict[tuple[int, int], tuple[object, object, Resolver]] = {}


def get_resolver(aliases: pd.DataFrame, units: pd.DataFrame | None = None) -> Resolver:
    """One Resolver per alias (and units) frame, built once."""
    key = (id(aliases), id(units))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not aliases or hit[1] is not units:
        hit = (aliases, units, Resolver.build(aliases, units))
        _CACHE[key] = hit
    return hit[2]


def resolve_hardware(names: pd.Series, aliases: pd.DataFrame, dates: pd.Series | None = None,
                     units: pd.DataFrame | None = None) -> pd.DataFrame:
    """hardware_id, confidence, chips_per_unit and basis per name; null id (confidence 0) when unknown.

    `dates` (aligned with `names`) picks the meaning of date-dependent names; an unreadable
    date raises ValueError naming it.
    """
    resolver = get_resolver(aliases, units)
    when = [parse_date(d) for d in dates] if dates is not None else [None] * len(names)
    memo: dict[tuple[str, date | None], dict] = {}
    rows = []
    for name, day in zip(names, when):
        key = (normalize_hardware_name(name), day)
        if key not in memo:
            memo[key] = resolver.resolve_one(name, day)
        rows.append(memo[key])
    out = pd.DataFrame(rows, columns=COLUMNS, index=names.index)
    out["confidence"] = out["confidence"].astype(float)
    out["hardware_id"] = out["hardware_id"].astype(object).where(out["hardware_id"].notna(), None)
    return out


def suggest_hardware(name: object, aliases: pd.DataFrame, cutoff: float = 60.0) -> tuple[str | None, float | None]:
    """The closest alias for a name nothing resolves (any digits): a hint for a reviewer, never applied."""
    resolver = get_resolver(aliases)
    key = compact(strip_noise(normalize_hardware_name(name)) or normalize_hardware_name(name))
    if not key:
        return None, None
    best = process.extractOne(key, resolver.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None, None
    return resolver.compact[best[0]][0].hardware_id, round(float(best[1]), 1)
