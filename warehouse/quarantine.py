"""Quarantine: rejected records with their payload, the failed check and a readable reason."""

from __future__ import annotations

import contextlib
import hashlib

import duckdb
import pandas as pd

from schemas.validation import QUARANTINE_COLUMNS


def _quarantine_id(row) -> str:
    text = "\x1f".join(str(row[c]) for c in ("source", "table_name", "check_name", "payload"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def record_quarantine(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, pipeline_run_id: str,
                      sources_seen: list[str] | None) -> int:
    """Land quarantine rows; a row seen again keeps its first run. For each source in
    `sources_seen` (a complete pass over it), open rows not seen this time become `gone`."""
    rows = rows.drop_duplicates(["source", "table_name", "check_name", "payload"]).reset_index(drop=True)
    ids = pd.Series([_quarantine_id(r) for _, r in rows.iterrows()], index=rows.index, dtype=object)
    rows = rows.assign(quarantine_id=ids, run_id=pipeline_run_id).astype({c: object for c in QUARANTINE_COLUMNS})
    con.register("incoming_quarantine", rows[["quarantine_id", "run_id", *QUARANTINE_COLUMNS]])
    try:
        con.execute(
            "INSERT INTO meta__quarantine_records (quarantine_id, source, table_name, check_name, reason, payload, record_key, "
            "run_id, first_seen_at, last_seen_run_id, last_seen_at, status) "
            "SELECT quarantine_id, source, table_name, check_name, reason, payload, record_key, run_id, now(), run_id, now(), 'open' "
            "FROM incoming_quarantine ON CONFLICT (quarantine_id) DO UPDATE SET "
            "last_seen_run_id = excluded.last_seen_run_id, last_seen_at = excluded.last_seen_at, status = 'open', "
            "reason = excluded.reason")
        for source in sources_seen or []:
            con.execute(
                "UPDATE meta__quarantine_records SET status = 'gone' WHERE source = ? AND status = 'open' AND "
                "NOT EXISTS (SELECT 1 FROM incoming_quarantine i WHERE i.quarantine_id = meta__quarantine_records.quarantine_id)",
                [source])
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses even this
            con.unregister("incoming_quarantine")
    return len(rows)
