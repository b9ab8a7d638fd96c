"""A run's domain as written (Epoch's vocabulary, comma lists) -> the assumption set's utilization class.

The mapping is data (warehouse/seeds/domain_classes.csv: domain, utilization_class, a note per
row). Rules for what the table cannot say:
- a comma list ('Language,Vision') takes a class the assumption set has a rule for
  (`utilization_by_domain`, e.g. 'language') if any of its parts maps to one, the first such
  part deciding; otherwise 'other';
- a part the table does not know reads as 'other', and the note says so;
- without a table (None), a domain names its class itself.
Every mapped value gets a note naming the mapping; work is done once per distinct string.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

OTHER = "other"
BLANK_WORDS = {"", "na", "n/a", "nan", "null", "none", "-"}


def domain_table(classes: pd.DataFrame | None) -> dict[str, str] | None:
    """domain (lower case) -> utilization_class, from the seed frame."""
    if classes is None:
        return None
    return {str(d).strip().lower(): str(c).strip().lower()
            for d, c in zip(classes["domain"], classes["utilization_class"])}


def classify_domain(text: str, table: dict[str, str] | None, dedicated: Iterable[str]) -> tuple[str | None, str | None]:
    """(class, note) for one domain string; (None, None) when blank."""
    parts = [p.strip() for p in text.split(",") if p.strip().lower() not in BLANK_WORDS]
    if not parts:
        return None, None
    lower = [p.lower() for p in parts]
    if table is None:
        return (lower[0], None) if len(parts) == 1 else (OTHER, None)
    unknown = [p for p, key in zip(parts, lower) if key not in table]
    classes = [table.get(key, OTHER) for key in lower]
    special = [c for c in classes if c in set(dedicated)]
    chosen = special[0] if special else (classes[0] if len(set(classes)) == 1 else OTHER)
    if len(parts) == 1 and lower[0] == chosen:
        return chosen, None  # 'language' is its own class: nothing was mapped
    note = f"domain '{text.strip()}' read as {chosen} (domain_classes.csv)"
    if unknown:
        note += f"; {', '.join(repr(u) for u in unknown)} not in domain_classes.csv, read as {OTHER}"
    return chosen, note


def classify_domains(text: pd.Series, classes: pd.DataFrame | None,
                     dedicated: Iterable[str]) -> tuple[pd.Series, pd.Series]:
    """(class per row, note per row or None), each distinct string classified once."""
    table, dedicated = domain_table(classes), list(dedicated)
    codes, uniques = pd.factorize(text.fillna(""))
    pairs = [classify_domain(str(u), table, dedicated) for u in uniques]
    found = np.array([p[0] for p in pairs], dtype=object)
    notes = np.array([p[1] for p in pairs], dtype=object)
    return (pd.Series(found[codes] if len(pairs) else None, index=text.index, dtype=object),
            pd.Series(notes[codes] if len(pairs) else None, index=text.index, dtype=object))
