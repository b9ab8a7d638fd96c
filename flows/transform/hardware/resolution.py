"""Hardware name resolution against the curated alias table (data, not code).

Tiers, first hit wins; `basis` and `confidence` say which one matched:

    exact        lower case, white space folded                            1.0
    separators   spaces, dashes, underscores, slashes, dots, brackets gone  0.95
    noise-words  vendor/series words, 'GPU(s)', 'HBM3' dropped (both sides) 0.9
    parentheses, form-factor, memory-size: that part dropped from the query 0.85
    fuzzy        a typo in a run of 4+ letters; digits and lengths exact    <= 0.85

A trailing counting unit ('pod', 'cores', 'superchip', a TPU slice '-512') is read with the
counting rules (hardware_units.csv) and sets chips_per_unit without lowering confidence.
Date-dependent names (see flows/transform/hardware/aliases.py) take the meaning for the date given;
without a date they take their first meaning and confidence drops by 0.1. A family name that stands
for several chips ('NVIDIA A100', 'Huawei Ascend') resolves to the default its alias row documents,
at most at that row's `confidence` (basis '+family-default').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from rapidfuzz import fuzz

from flows.transform.hardware.aliases import LastBuilt, Meaning, alias_meanings, parse_date, pick_meaning, unit_table, units_of
from flows.transform.hardware.name_keys import (compact, has_digit, normalize_hardware_name, runs, shape, strip_form_factor,
                                       strip_memory, strip_noise, strip_parentheses)

_UNIT_WORDS = {"pod": "pod", "pods": "pod", "core": "core", "cores": "core", "tensorcore": "core",
               "tensorcores": "core", "superchip": "superchip", "superchips": "superchip", "board": "board",
               "boards": "board", "gcd": "gcd", "gcds": "gcd", "module": "module", "modules": "module",
               "gpu": "gpu", "gpus": "gpu", "card": "card", "cards": "card", "chip": "chip", "chips": "chip"}
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)[\s\-]+(?:tensor\s*)?(?P<unit>" + "|".join(_UNIT_WORDS) + r")$", re.I)
_SLICE_SUFFIX = re.compile(r"^(?P<name>.*?v\d[a-z]*)-(?P<n>\d+)$", re.I)
FUZZY_WORD_SCORE = 80.0  # a misspelt word of 4+ letters, same first letter
FUZZY_RUN_SCORE = 75.0  # a letter run of 4+ letters may hold a typo (same length: swaps and substitutions)
COLUMNS = ["hardware_id", "confidence", "chips_per_unit", "basis"]
__all__ = ["normalize_hardware_name", "resolve_hardware", "suggest_hardware", "get_resolver", "Resolver"]


def _index(pairs) -> dict[str, list[Meaning]]:
    """key -> meanings, dropping keys that two different meanings share."""
    out: dict[str, list[Meaning]] = {}
    clashes = set()
    for key, meanings in pairs:
        if not key:
            continue
        if key in out and out[key] != meanings:
            clashes.add(key)
        out.setdefault(key, meanings)
    for key in clashes:
        del out[key]
    return out


def _typo_only(query: str, candidate: str) -> bool:
    """Same digits and run lengths; letter runs equal, or 4+ letters long, close, and with the same
    first and last letter (a last letter often names a variant: Titan X vs Titan Z)."""
    return all(a == b or (not a.isdigit() and len(a) >= 4 and a[0] == b[0] and a[-1] == b[-1]
                          and fuzz.ratio(a, b) >= FUZZY_RUN_SCORE)
               for a, b in zip(runs(query), runs(candidate)))


def _undouble(key: str) -> str:
    """Repeated letters folded to one: 'rtxx' -> 'rtx' (digits keep their repeats)."""
    return re.sub(r"([a-z])\1+", r"\1", key)


def _distinctive(key: str) -> bool:
    """A key worth indexing without its noise words: a digit, or 5+ characters ('tpu' is not)."""
    return has_digit(key) or len(key) >= 5


@dataclass
class Resolver:
    """The alias table indexed for each tier, plus the counting rules."""

    exact: dict[str, list[Meaning]]
    compact: dict[str, list[Meaning]]
    loose: dict[str, list[Meaning]]
    shapes: dict[tuple, list[str]]
    units: dict[str, dict[str, float]]  # hardware_id -> {unit: spec units, '': default}
    vocabulary: list[str]
    undoubled: dict[str, list[Meaning]]

    @classmethod
    def build(cls, aliases: pd.DataFrame, units: pd.DataFrame | None = None) -> Resolver:
        exact = alias_meanings(aliases, normalize_hardware_name)
        by_compact = _index((compact(a), m) for a, m in exact.items())
        # without noise words, only for plain single-chip names that keep a digit ('tpu' must not mean 'cloud tpu')
        plain = [(a, m) for a, m in exact.items() if len(m) == 1 and m[0].chips_per_unit == 1]
        by_noise = _index((k, m) for a, m in plain for k in [compact(strip_noise(a))] if _distinctive(k))
        by_parens = _index((k, m) for a, m in plain for k in [compact(strip_parentheses(strip_noise(a)))]
                           if _distinctive(k))
        loose = {**by_parens, **by_noise, **by_compact}
        vocabulary = sorted({t for a in exact for t in re.findall(r"[a-z]{4,}", a)})
        doubled = _index((_undouble(k), m) for k, m in loose.items())
        shapes: dict[tuple, list[str]] = {}
        for key in sorted(loose):
            shapes.setdefault(shape(key), []).append(key)
        return cls(exact, by_compact, loose, shapes, unit_table(units_of(aliases, units)), vocabulary, doubled)

    def _lookup(self, name: str) -> tuple[list[Meaning] | None, str, float]:
        """Meanings for a name by the first tier that knows it."""
        if hit := self.exact.get(name):
            return hit, "exact", 1.0
        if hit := self.compact.get(compact(name)):
            return hit, "separators", 0.95
        stripped = strip_noise(name)
        if hit := self.loose.get(compact(stripped)):
            return hit, "noise-words", 0.9
        for basis, reduce in (("parentheses", strip_parentheses), ("memory-size", strip_memory),
                              ("form-factor", strip_form_factor)):
            reduced = reduce(stripped)
            if reduced != stripped and (hit := self.loose.get(compact(reduced))):
                return hit, basis, 0.85
        return self._fuzzy(name)

    def _spell(self, name: str) -> str:
        """Misspelt words (4+ letters) replaced by the closest word of the alias table."""
        from rapidfuzz import process

        def fix(m: re.Match) -> str:
            word = m.group(0)
            if word in self.vocabulary:
                return word
            best = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD_SCORE)
            return best[0] if best and best[0][0] == word[0] else word
        return re.sub(r"[a-z]{4,}", fix, name)

    def _fuzzy(self, name: str) -> tuple[list[Meaning] | None, str, float]:
        """Typos: misspelt words corrected, then a typo inside a letter run of the compact name."""
        spelled = self._spell(name)
        if spelled != name:
            hit, basis, confidence = self._lookup(spelled)
            if hit:
                score = fuzz.ratio(compact(name), compact(spelled))
                return hit, "fuzzy", round(min(confidence, 0.85) * score / 100.0, 3)
        key = compact(strip_noise(name))
        if key != _undouble(key) and (hit := self.undoubled.get(_undouble(key))):  # 'Titan RTXX', 'GTX 1080 Tii'
            return hit, "fuzzy", round(0.85 * fuzz.ratio(key, _undouble(key)) / 100.0, 3)
        candidates = [k for k in self.shapes.get(shape(key), []) if _typo_only(key, k)]
        if not candidates:
            return None, "unresolved", 0.0
        best = max(candidates, key=lambda k: (fuzz.ratio(key, k), k))
        return self.loose[best], "fuzzy", round(0.85 * fuzz.ratio(key, best) / 100.0, 3)

    def _unit_factor(self, meaning: Meaning, unit: str | None) -> float | None:
        hardware_id = meaning.hardware_id
        if unit is None:  # a name that already counts chips (DGX-1, NVL72) takes no default unit
            return self.units.get(hardware_id, {}).get("", 1.0) if meaning.chips_per_unit == 1 else 1.0
        rows = self.units.get(hardware_id, {})
        if unit in ("gpu", "chip", "card") and unit not in rows:
            return 1.0
        return rows.get(unit)

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
        if re.search(r"\ds$", name) and compact(strip_noise(name)) not in self.loose \
                and (hit := self.exact.get(name[:-1]) or self.compact.get(compact(name[:-1]))):
            return hit, "plural", 1.0, None, 1.0  # 'K80s'
        return (*self._lookup(name), None, 1.0)

    def resolve_one(self, query: object, when: date | None = None) -> dict:
        name = normalize_hardware_name(query)
        if not name:
            return dict(zip(COLUMNS, (None, 0.0, None, "empty")))
        meanings, basis, confidence, unit, multiple = self._with_unit(name)
        meaning, undated_default = pick_meaning(meanings or [], when)
        factor = self._unit_factor(meaning, unit) if meaning else None
        if meaning is None or factor is None:
            return dict(zip(COLUMNS, (None, 0.0, None, "unresolved" if meaning is None else "unknown-unit")))
        if undated_default:
            confidence, basis = round(confidence - 0.1, 3), f"{basis}+undated-default"
        if meaning.confidence < 1.0:  # a family name ('NVIDIA A100', 'Huawei Ascend'): its documented default
            confidence, basis = min(confidence, meaning.confidence), f"{basis}+family-default"
        return dict(zip(COLUMNS, (meaning.hardware_id, confidence, meaning.chips_per_unit * factor * multiple, basis)))


_LAST = LastBuilt(Resolver.build)


def get_resolver(aliases: pd.DataFrame, units: pd.DataFrame | None = None) -> Resolver:
    """The Resolver for these frames, reused while the same frames are passed."""
    return _LAST(aliases, units)


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
    from rapidfuzz import process

    best = process.extractOne(key, list(resolver.loose), scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None, None
    return resolver.loose[best[0]][0].hardware_id, round(float(best[1]), 1)
