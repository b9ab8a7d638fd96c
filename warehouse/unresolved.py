"""Landing the unresolved-hardware queue: open names stay until an alias resolves them."""

from __future__ import annotations

import contextlib

import duckdb
import pandas as pd


def record_unresolved(con: duckdb.DuckDBPyConnection, seen: pd.DataFrame, pipeline_run_id: str,
                      complete: bool) -> int:
    """Open a row for each name nothing resolves; a queued name that now resolves becomes
    'resolved' (with its hardware_id); on a complete pass, open names not seen become 'gone'.
    Returns the number of open names after this run."""
    if seen.empty:  # nothing named this run: only the 'gone' rule can apply
        seen = pd.DataFrame({"name_key": pd.Series([], dtype=str), "resolved_hardware_id": pd.Series([], dtype=str),
                             "hardware_text": pd.Series([], dtype=str), "record_keys": pd.Series([], dtype=str),
                             "occurrences": pd.Series([], dtype="int64"),
                             "suggested_hardware_id": pd.Series([], dtype=str),
                             "suggested_score": pd.Series([], dtype=float)})
    con.register("seen_names", seen)
    try:
        con.execute("""
            INSERT INTO out__hardware_unresolved
            SELECT name_key, hardware_text, record_keys, occurrences, suggested_hardware_id, suggested_score,
                   'open', NULL, $run, now(), $run, now()
            FROM seen_names WHERE resolved_hardware_id IS NULL
            ON CONFLICT (name_key) DO UPDATE SET record_keys = excluded.record_keys,
                occurrences = excluded.occurrences, suggested_hardware_id = excluded.suggested_hardware_id,
                suggested_score = excluded.suggested_score, status = 'open', resolved_hardware_id = NULL,
                last_seen_run_id = excluded.last_seen_run_id, last_seen_at = excluded.last_seen_at""",
                    {"run": pipeline_run_id})
        con.execute("""
            UPDATE out__hardware_unresolved q SET status = 'resolved', resolved_hardware_id = s.resolved_hardware_id,
                   last_seen_run_id = $run, last_seen_at = now()
            FROM seen_names s
            WHERE s.name_key = q.name_key AND s.resolved_hardware_id IS NOT NULL
              AND (q.status <> 'resolved' OR q.resolved_hardware_id IS DISTINCT FROM s.resolved_hardware_id)""",
                    {"run": pipeline_run_id})
        if complete:
            con.execute("""
                UPDATE out__hardware_unresolved SET status = 'gone'
                WHERE status = 'open' AND name_key NOT IN (SELECT name_key FROM seen_names)""")
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister("seen_names")
    return con.execute("SELECT count(*) FROM out__hardware_unresolved WHERE status = 'open'").fetchone()[0]
