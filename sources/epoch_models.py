"""Epoch AI's model database CSV (notable_ai_models.csv and its siblings, CC BY 4.0), raw layer.

Every column keeps Epoch's own name and text (empty cells become null) plus `source_row`,
the 1-based record number after the header (a record can span several lines: notes are
quoted multi-line text). split_epoch_models then sets apart the rows
without a Model, each with a readable reason; nothing is dropped.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from sources.errors import SourceError
from sources.http import HttpClient

SOURCE = "Epoch AI models"
EPOCH_MODELS_URL = "https://epoch.ai/data/epochdb/notable_ai_models.csv"
DATE_COLUMN = "Publication date"
# Columns the pipeline reads; a CSV without any of them is not one we understand.
KEY_COLUMNS = ["Model", DATE_COLUMN, "Parameters", "Training compute (FLOP)", "Training time (hours)",
               "Training hardware", "Hardware quantity"]
REJECT_COLUMNS = ["source_row", "Model", "check_name", "reason", "payload"]


def read_epoch_models(location: str = EPOCH_MODELS_URL, client=None) -> pd.DataFrame:
    """Epoch's models CSV from a local path or an http(s) URL (fetched with `client`), one row per record."""
    if location.startswith(("http://", "https://")):
        data = _fetch(location, client)
    else:
        data = _read_file(location)
    return parse_epoch_models(data, location)


def _fetch(url: str, client) -> bytes:
    if client is not None:
        return client.get(url).body
    with HttpClient(SOURCE) as own_client:
        return own_client.get(url).body


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise SourceError(f"{SOURCE}: cannot read {path} ({err.strerror or type(err).__name__})") from None


def parse_epoch_models(data: bytes, location: str) -> pd.DataFrame:
    """The CSV bytes as a frame of strings (nulls for empty cells) with Epoch's headers and source_row
    (the chunks of iter_epoch_models, joined)."""
    return pd.concat(list(iter_epoch_models(data, location)), ignore_index=True)


def iter_epoch_models(data: bytes, location: str, chunk_rows: int | None = None, limit: int | None = None):
    """The CSV bytes as frames of at most `chunk_rows` records (one frame when None), the first `limit`
    records only when given: strings (nulls for empty cells), Epoch's headers, source_row counted over
    the whole file. The first frame comes even when the file has a header and no rows.

    Epoch's file ends with a line break; one that does not was cut short (a half-written cell such
    as '3.14e+2' would otherwise parse), so it is refused rather than landed."""
    reader = _reader(data, location, chunk_rows)
    seen = 0
    try:
        for chunk in (reader if chunk_rows else [reader]):
            if limit is not None:
                chunk = chunk.head(max(limit - seen, 0))
            if seen == 0:
                _check_whole(chunk, data, location)
            chunk = _clean(chunk)
            chunk.insert(0, "source_row", range(seen + 1, seen + len(chunk) + 1))
            seen += len(chunk)
            yield chunk.reset_index(drop=True)
            if limit is not None and seen >= limit:
                return
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise _unreadable(location, err) from None


def read_epoch_keys(data: bytes, location: str, limit: int | None = None) -> pd.DataFrame:
    """source_row, Model and Publication date of every record (what the whole table is needed for:
    merges, ids, record keys), cleaned as iter_epoch_models cleans them; no other column is held."""
    try:
        keys = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig",
                           usecols=lambda c: c in ("Model", DATE_COLUMN), nrows=limit)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise _unreadable(location, err) from None
    keys = _clean(keys)
    keys.insert(0, "source_row", range(1, len(keys) + 1))
    return keys


def _reader(data: bytes, location: str, chunk_rows: int | None):
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig",
                           chunksize=chunk_rows)
    except pd.errors.EmptyDataError:
        raise SourceError(f"{SOURCE}: {location} is empty (not even a header line)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise _unreadable(location, err) from None


def _unreadable(location: str, err: Exception) -> SourceError:
    first = str(err).strip().splitlines()[0]
    return SourceError(f"{SOURCE}: {location} is not a readable CSV ({first})")


def _check_whole(first: pd.DataFrame, data: bytes, location: str) -> None:
    """What the first chunk tells of the whole file: cut short, or lacking columns the pipeline reads."""
    if len(first) and not data.endswith((b"\n", b"\r")):
        raise SourceError(f"{SOURCE}: {location} ends in the middle of a line; the file looks truncated")
    missing = [column for column in KEY_COLUMNS if column not in first.columns]
    if missing:
        raise SourceError(f"{SOURCE}: {location} lacks column(s) {', '.join(repr(c) for c in missing)}")


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells stripped, empty ones null, every column of plain Python objects."""
    frame = frame.apply(lambda column: column.str.strip()).astype(object)
    return frame.where(frame != "", None)


def split_epoch_models(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(usable rows, rejects): only a row without a Model (no identity) is rejected whole. A bad cell
    elsewhere costs that cell only, when the row is mapped into core (flows/transform/ingest/epoch.py).
    Usable rows keep the raw text; len(raw) == len(ok) + len(rejects)."""
    bad = raw["Model"].isna() if "Model" in raw else pd.Series(False, index=raw.index)
    ok = raw[~bad].reset_index(drop=True)
    rejects = pd.DataFrame([_reject_row(row, [("model_present", "Model is empty")]) for _, row in raw[bad].iterrows()],
                           columns=REJECT_COLUMNS)
    assert len(ok) + len(rejects) == len(raw), "every Epoch row is either usable or rejected"
    return ok, rejects


def _reject_row(row: pd.Series, problems: list[tuple[str, str]]) -> dict:
    payload = {k: v for k, v in row.items() if k != "source_row" and v is not None}
    return {
        "source_row": row["source_row"],
        "Model": row["Model"],
        "check_name": ",".join(dict.fromkeys(check for check, _ in problems)),
        "reason": "; ".join(reason for _, reason in problems),
        "payload": json.dumps(payload, ensure_ascii=False),
    }
