"""Small DataFrame helpers shared by the transforms."""

from __future__ import annotations

import json
import math
import os
import tempfile

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


def frame_rows(frame: pd.DataFrame, columns: list[str] | None = None):
    """The rows as dicts of Python objects, as to_dict(orient="records") gives them, column by column
    (to_dict boxes value by value: ~3x slower over 10^5 rows)."""
    columns = list(frame.columns) if columns is None else list(columns)
    arrays = [frame[c].astype(object).to_numpy() for c in columns]
    return (dict(zip(columns, values)) for values in zip(*arrays))


_NULL = object()  # a cell _clean turns into None: left out of the JSON


def _clean_column(column: pd.Series) -> list:
    """A column's cells as _clean gives them (_NULL for None), column-wise: a numeric column's cells are
    already Python numbers once boxed, and the empty cells of a wide, sparse frame cost no call."""
    values = column.astype(object).to_numpy()
    missing = pd.isna(values)
    if column.dtype.kind in "fiub":  # float, int, unsigned, bool: boxed as Python numbers
        return [_NULL if m else v for v, m in zip(values.tolist(), missing.tolist())]
    cleaned = [_NULL if m else _clean(v) for v, m in zip(values.tolist(), missing.tolist())]
    return [_NULL if v is None else v for v in cleaned]


def records_to_json(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """One compact JSON object per row over `columns`, nulls dropped, keys sorted."""
    names, cells = [], []
    for name in [c for c in columns if c in frame.columns]:
        column = _clean_column(frame[name])
        if any(v is not _NULL for v in column):  # a column empty throughout adds nothing to any row
            names.append(name)
            cells.append(column)
    if not names:
        return ["{}"] * len(frame)
    return [json.dumps({k: v for k, v in zip(names, row) if v is not _NULL}, sort_keys=True, default=str)
            for row in zip(*cells)]


def ensure_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Add any missing columns as nulls so optional inputs can be absent."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: None for c in missing})


class TextSpool:
    """Large texts kept out of memory until they land: written to an anonymous temporary file (unlinked at
    once: closed when the last cell holding the spool is let go, gone when the process ends, a kill
    included) and read back by offset.
    A 10x Epoch table's raw records are ~80 MB of JSON; held as text they were the largest thing in the
    run (zlib-packing them instead cost ~1.3 s of CPU). Bounded by what was read: the source file."""

    def __init__(self, directory: str | None = None):
        self._file = tempfile.TemporaryFile(prefix="flopledger-spool-", dir=directory)
        self._end = 0

    def put(self, texts) -> list[SpooledText]:
        """Each text written once, in one write; a cell per text to read it back."""
        data = [text.encode("utf-8") for text in texts]
        cells = []
        for item in data:
            cells.append(SpooledText(self, self._end, len(item)))
            self._end += len(item)
        self._file.write(b"".join(data))
        self._file.flush()
        return cells

    def read(self, offset: int, length: int) -> str:
        return os.pread(self._file.fileno(), length, offset).decode("utf-8")


class SpooledText:
    """One text in a TextSpool: equal to another with the same text, read on demand (`text()`)."""

    __slots__ = ("spool", "offset", "length")
    __hash__ = None

    def __init__(self, spool: TextSpool, offset: int, length: int):
        self.spool, self.offset, self.length = spool, offset, length

    def text(self) -> str:
        return self.spool.read(self.offset, self.length)

    def __eq__(self, other) -> bool:
        return isinstance(other, SpooledText) and self.text() == other.text()

    def __repr__(self) -> str:
        return f"SpooledText({self.length} bytes at {self.offset})"


def unpack_columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """The frame with its spooled `columns` as text again (SpooledText cells read back); other cells as they are."""
    return frame.assign(**{c: [v.text() if isinstance(v, SpooledText) else v for v in frame[c]]
                           for c in columns if c in frame.columns})
