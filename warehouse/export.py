"""Query results written to a file by flopledger itself (`sql --output`), never by user SQL: the user's
query runs on the locked read-only connection, and its rows are written here through a separate
in-memory DuckDB that never sees the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """frame as one Parquet file at path (replaced atomically: a failed write leaves no half file)."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    con = duckdb.connect()
    try:
        con.from_df(frame).write_parquet(str(partial))
    finally:
        con.close()
    partial.replace(target)
