"""Identity of Epoch's rows: one id per distinct model, readable, and stable across files.

A model's id is its name as a slug that keeps what tells models apart: `+` is spelled `plus`
(PointNet++ -> pointnet_plus_plus), a Greek letter by its name (PanGu-Σ -> pangu_sigma), accents
are dropped (Tülu -> tulu). When two different rows still share a slug (CALM / CaLM differ only in
case; a name with characters no slug can spell; one name at two dates) each gets a short hash of
its exact name and date, so neither takes the other's id. Two rows with the same name and the same
date are the same model: they are merged (the first row's cells win, its empty cells are filled
from the later row) and the merge is reported.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

DATE = "Publication date"


def _spell(ch: str) -> tuple[str, bool]:
    """(ASCII spelling of one character, whether a letter or digit was lost)."""
    if ch == "+":
        return " plus ", False
    if ch.isascii():
        return ch, False
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK") and "LETTER" in name:
        return f" {name.split('LETTER ')[-1].split()[0].lower()} ", False
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return plain, bool(ch.isalnum() and not plain)


def readable_slug(name: str) -> tuple[str, bool]:
    """(slug, lossy): lossy when the slug cannot spell some letter or digit of the name."""
    parts = [_spell(ch) for ch in name]
    text = "".join(p for p, _ in parts).lower()
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return slug or "unnamed", any(lost for _, lost in parts) or not slug


def _short_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:6]


def merge_same_models(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Rows with the same Model and Publication date become one (first wins, gaps filled from the rest).
    Returns the rows and one record per merged-away row: {Model, source_row, merged_into_row}."""
    if rows.empty:
        return rows, []
    key = rows["Model"].astype(str) + "\x1f" + rows[DATE].fillna("").astype(str)
    merges, kept = [], []
    for _, group in rows.groupby(key, sort=False):
        first = group.iloc[0].copy()
        for _, later in group.iloc[1:].iterrows():
            first = first.where(first.notna(), later)
            merges.append({"Model": later["Model"], "source_row": int(later["source_row"]),
                           "merged_into_row": int(group.iloc[0]["source_row"])})
        kept.append(first)
    out = pd.DataFrame(kept).sort_values("source_row").reset_index(drop=True)
    return out.astype(object).where(out.notna(), None), merges


def model_ids(rows: pd.DataFrame) -> pd.Series:
    """One id per row (rows already merged): the readable slug, plus a hash of the exact name and
    date when the slug is shared with a different row or cannot spell the name."""
    slugs = [readable_slug(str(m)) for m in rows["Model"]]
    counts = pd.Series([s for s, _ in slugs]).value_counts()
    ids = []
    for (slug, lossy), model, date in zip(slugs, rows["Model"], rows[DATE]):
        needs_hash = lossy or counts[slug] > 1
        ids.append(f"{slug}_{_short_hash(str(model), date)}" if needs_hash else slug)
    return pd.Series(ids, index=rows.index, dtype=object)


def record_keys(rows: pd.DataFrame) -> pd.Series:
    """raw_epoch__models.record_key: the Model name, with its date when the name is used twice."""
    repeated = rows["Model"].duplicated(keep=False)
    dated = rows["Model"].astype(str) + " (" + rows[DATE].fillna("no date").astype(str) + ")"
    return rows["Model"].where(~repeated, dated)


def plan_rows(keys: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """What needs the whole table, from its key columns only (source_row, Model, Publication date):
    for each row with a Model, the row it merges into (`into`, itself when first or alone), the merged
    model's id and raw record key. Rows then map chunk by chunk; only rows of a group of more than one
    wait for the rest of their group. Returns (plan indexed by source_row, merges as merge_same_models)."""
    ok = keys[keys["Model"].notna()]
    key = ok["Model"].astype(str) + "\x1f" + ok[DATE].fillna("").astype(str)
    into = ok["source_row"].groupby(key.to_numpy(), sort=False).transform("first")
    plan = ok.assign(into=into.to_numpy(), group_size=key.map(key.value_counts()).to_numpy()).set_index("source_row")
    later = plan[plan.index != plan["into"]]
    merges = [{"Model": m, "source_row": int(r), "merged_into_row": int(i)}
              for r, m, i in sorted(zip(later.index, later["Model"], later["into"]), key=lambda x: (x[2], x[0]))]
    kept = plan[plan.index == plan["into"]]
    plan["model_id"] = plan["into"].map(model_ids(kept) if not kept.empty else pd.Series(dtype=object))
    plan["record_key"] = plan["into"].map(record_keys(kept) if not kept.empty else pd.Series(dtype=object))
    return plan, merges


def base_ids_of(plan: pd.DataFrame, run_id_for) -> dict[str, str]:
    """Base model name -> run id, for the names only one merged row carries (a name at two dates is
    ambiguous: no base link)."""
    kept = plan[plan.index == plan["into"]]
    unique = kept[~kept["Model"].duplicated(keep=False)]
    return {m: run_id_for(i) for m, i in zip(unique["Model"], unique["model_id"])}
