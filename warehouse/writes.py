"""Validated, idempotent writes: every frame passes its Pandera model before it lands."""

from __future__ import annotations

import contextlib

import duckdb
import pandas as pd
from schemas.registry import AUDIT_COLUMNS


SLICE_ROWS = 5000  # rows per INSERT statement


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """BEGIN ... COMMIT around the block; ROLLBACK and re-raise on any exception (a kill included)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """{column: DuckDB type} in the table's order."""
    return dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                            "ORDER BY ordinal_position", [table]).fetchall())


def row_hash_sql(columns: list[str], types: dict[str, str]) -> str:
    """SQL for a row's content hash: md5 of the JSON array of its cells, each cast to the column's type (so
    the hash is of what the table stores: 5 from an int column and 5.0 from a float one hash alike); 16 hex
    digits. Computed by DuckDB as the rows go in (in Python it cost ~3.4 s for a 10x Epoch table's 265k rows)."""
    cells = ", ".join(f"CAST({c} AS {types[c]})" for c in columns)
    return f"left(md5(CAST(json_array({cells}) AS VARCHAR)), 16)"


def _insert_slice(con: duckdb.DuckDBPyConnection, table: str, incoming_rows: pd.DataFrame, names: str, row_hash: str,
                  conflict: str) -> None:
    """One INSERT over the frame, which DuckDB finds by its local name (a replacement scan). Not
    con.register: a registered frame stays referenced until the transaction ends, unregistered or not, so
    every slice of every table stayed in memory until COMMIT (a 10x Epoch table: ~150 MB of raw records)."""
    con.execute(f"INSERT INTO {table} ({names}, row_hash, first_landed_at, updated_at) "
                f"SELECT {names}, {row_hash}, now(), now() FROM incoming_rows {conflict}")


def is_empty(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return not con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]


def upsert_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, keys: list[str],
                prune_where: str | None = None, empty: bool | None = None) -> int:
    """Insert new rows, rewrite rows whose content changed, leave identical rows alone.

    first_landed_at never changes after the first landing; updated_at moves only when the
    row's content hash does. With `prune_where` (SQL over the table), rows matching it whose
    keys are not in `frame` are deleted: the source no longer sends them.

    Into an empty table (`empty`: the caller knows; None: looked up) the rows, whose keys are distinct,
    go in with a plain INSERT: no row to conflict with, and ON CONFLICT's probe of each key doubled the
    cost of a first landing.
    """
    types = column_types(con, table)
    extra = [c for c in frame.columns if c not in types]
    if extra:  # a column the table lacks would be dropped silently: the model and the DDL have drifted
        raise ValueError(f"{table} has no column(s) {', '.join(map(str, extra))}; see schemas/registry.py")
    columns = [c for c in types if c not in AUDIT_COLUMNS and c in frame.columns]
    incoming = frame[columns]
    assert not incoming.duplicated(keys).any(), f"{table}: duplicate keys in one batch"
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns + ["row_hash"] if c not in keys)
    conflict = "" if (is_empty(con, table) if empty is None else empty) else (
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}, updated_at = now() "
        f"WHERE {table}.row_hash IS DISTINCT FROM excluded.row_hash")
    for start in range(0, max(len(incoming), 1), SLICE_ROWS):  # slices: DuckDB's scan of one big frame held ~5x its text
        _insert_slice(con, table, incoming.iloc[start:start + SLICE_ROWS], names, row_hash_sql(columns, types), conflict)
    if prune_where:
        prune_missing(con, table, incoming[keys], keys, prune_where)
    return len(incoming)


def prune_missing(con: duckdb.DuckDBPyConnection, table: str, kept: pd.DataFrame, keys: list[str],
                  prune_where: str) -> None:
    """Delete the rows matching `prune_where` whose keys are not among `kept` (the keys alone): the source
    no longer sends them."""
    incoming_keys = kept  # noqa: F841 - read by DuckDB by name (a replacement scan: see _insert_slice)
    match = " AND ".join(f"i.{k} = t.{k}" for k in keys)
    con.execute(f"DELETE FROM {table} t WHERE ({prune_where}) AND NOT EXISTS "
                f"(SELECT 1 FROM incoming_keys i WHERE {match})")
