"""The unresolved-name queue: hardware names no alias resolves, grouped by name, with a hint."""

from __future__ import annotations

import json

import pandas as pd

from flows.transform.hardware.resolution import normalize_hardware_name, suggest_hardware

QUEUE_COLUMNS = ["name_key", "hardware_text", "record_keys", "occurrences", "suggested_hardware_id",
                 "suggested_score", "resolved_hardware_id"]


def hardware_names_seen(runs: pd.DataFrame, source: str, aliases: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct hardware name in `runs` (hardware_text, hardware_id, run_id).

    resolved_hardware_id is null for names nothing resolves; those get the closest alias as
    a suggestion. Names that do resolve are kept so the queue can mark them resolved.
    """
    named = runs[runs["hardware_text"].map(lambda t: isinstance(t, str) and bool(t.strip()))]
    if named.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    named = named.assign(name_key=named["hardware_text"].map(normalize_hardware_name))
    rows = []
    for key, group in named.groupby("name_key", sort=True):
        resolved = group["hardware_id"].dropna()
        hint, score = (None, None) if not resolved.empty else suggest_hardware(key, aliases)
        rows.append({
            "name_key": key, "hardware_text": group["hardware_text"].iloc[0],
            "record_keys": json.dumps(sorted(f"{source}:{r}" for r in group["run_id"].astype(str))),
            "occurrences": len(group), "suggested_hardware_id": hint, "suggested_score": score,
            "resolved_hardware_id": resolved.iloc[0] if not resolved.empty else None,
        })
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)
