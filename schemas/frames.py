"""Small DataFrame helpers shared by the transforms."""

from __future__ import annotations

import hashlib
import json
import math

import pandas as pd


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records_to_json(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """One compact JSON object per row over `columns`, nulls dropped, keys sorted."""
    present = [c for c in columns if c in frame.columns]
    rows = frame[present].to_dict(orient="records")
    return [
        json.dumps({k: _clean(v) for k, v in row.items() if _clean(v) is not None}, sort_keys=True, default=str)
        for row in rows
    ]


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """A content hash per row, used to update a warehouse row only when it really changed."""
    step = 5000  # the JSON of a slice at a time, not of a whole 10^5-row frame
    return [hashlib.sha256(text.encode()).hexdigest()[:16] for start in range(0, len(frame), step)
            for text in records_to_json(frame.iloc[start:start + step], columns)]


def ensure_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Add any missing columns as nulls so optional inputs can be absent."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: None for c in missing})
