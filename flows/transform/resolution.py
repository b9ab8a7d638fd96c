"""Hardware name resolution against the curated alias table (data, not code)."""

from __future__ import annotations

import re

import pandas as pd

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s_\-/]+")


def normalize_hardware_name(name: object) -> str:
    """Lower case, trimmed, inner white space folded to one space."""
    if not isinstance(name, str):
        return ""
    return _SPACES.sub(" ", name.strip().lower())


def _loose(name: str) -> str:
    """Separators (space, dash, underscore, slash) folded to one space: 'A100-80GB' ~ 'a100 80gb'."""
    return _SEPARATORS.sub(" ", name).strip()


def resolve_hardware(names: pd.Series, aliases: pd.DataFrame) -> pd.DataFrame:
    """hardware_id and confidence per name; null id (confidence 0) when nothing matches.

    An exact alias match after normalization has confidence 1.0; a match once separators
    are folded has 0.95. Fuzzy matching belongs to the hardware issue and is not done here.
    """
    exact = dict(zip(aliases["alias"].map(normalize_hardware_name), aliases["hardware_id"]))
    loose = {}
    for alias, hardware_id in exact.items():
        loose.setdefault(_loose(alias), set()).add(hardware_id)
    loose_unique = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}
    normalized = names.map(normalize_hardware_name)
    by_exact = normalized.map(exact)
    by_loose = normalized.map(_loose).map(loose_unique)
    hardware_id = by_exact.fillna(by_loose)
    confidence = pd.Series(0.0, index=names.index)
    confidence[by_loose.notna()] = 0.95
    confidence[by_exact.notna()] = 1.0
    return pd.DataFrame({"hardware_id": hardware_id.astype(object).where(hardware_id.notna(), None),
                         "confidence": confidence}, index=names.index)
