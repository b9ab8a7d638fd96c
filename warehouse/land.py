"""Landing a pipeline run: every table validated, then written in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas.frames import unpack_columns
from schemas.registry import table as registered
from schemas.validation import split_valid
from warehouse.connection import check_integrity, connect_for_write, memory_capped
from warehouse.quarantine import record_quarantine
from warehouse.writes import SLICE_ROWS, is_empty, prune_missing, transaction, upsert_rows


# DuckDB's own default is 80% of RAM, and a transaction's new rows stay in memory until COMMIT: a 10x Epoch
# table (33k rows, 265k rows over all tables) held ~400 MB there; capped, DuckDB spills them (issue 12 item 8).
# What cannot spill grows with the rows (the keys' ART indexes: 27 MB for those 265k rows, ~100 bytes a row),
# so the cap is a base plus a share per row landed.
LANDING_MEMORY_BASE_MB = 64
LANDING_MEMORY_BYTES_PER_ROW = 128


def landing_memory_limit(rows: int) -> str:
    return f"{LANDING_MEMORY_BASE_MB + rows * LANDING_MEMORY_BYTES_PER_ROW // 2**20}MB"


@dataclass(frozen=True)
class TableWrite:
    """One frame bound for one table, with what makes it idempotent."""

    table: str
    frame: pd.DataFrame
    model: type[pa.DataFrameModel]
    keys: list[str]
    source: str
    prune_where: str | None = None  # rows the source no longer sends are deleted (full runs only)
    stored_columns: tuple[str, ...] = ()  # what the table keeps (schemas/registry.py)
    packed: tuple[str, ...] = ()  # columns held in a TextSpool (schemas/frames.py): read back, validated and
                                  # written slice by slice


@dataclass
class LandingResult:
    counts: list[dict] = field(default_factory=list)
    quarantined: int = 0


def land_tables(con: duckdb.DuckDBPyConnection, writes: list[TableWrite], quarantine: pd.DataFrame,
                pipeline_run_id: str, complete_sources: list[str], after=None) -> LandingResult:
    """Validate each frame against its model at the door and write it, all in one transaction (one table's
    validated copy at a time); `after()` runs inside the same transaction (e.g. the unresolved-name queue).

    Memory: `writes` is emptied as it goes, so a frame is let go once its rows are in DuckDB (the caller
    keeps no other reference: a 10x Epoch table's raw records alone are ~116 MB). DuckDB works under
    landing_memory_limit(); should that be too little for what cannot spill, and no frame has been let go
    yet, the rolled-back transaction runs again under DuckDB's default; later, the error stands (rolled back,
    nothing half-landed: the run fails and says so)."""
    count = len(writes)  # DuckDB spills the run's rows to <warehouse>.tmp
    return memory_capped(con, lambda: _land(con, writes, quarantine, pipeline_run_id, complete_sources, after),
                         landing_memory_limit(sum(len(w.frame) for w in writes)), again=lambda: len(writes) == count)


def _land(con, writes: list[TableWrite], quarantine: pd.DataFrame, pipeline_run_id: str, complete_sources: list[str],
          after) -> LandingResult:
    result = LandingResult()
    rejected = [quarantine]
    with transaction(con):
        while writes:
            w = writes[0]
            landed = _write_packed(con, w, rejected) if w.packed else _write(con, w, rejected)
            result.counts.append({"source": w.source, "table": w.table, "rows_in": len(w.frame),
                                  "landed": landed, "quarantined": len(w.frame) - landed})
            del w
            writes.pop(0)  # written: the frame goes (on an error it stays, for the retry above)
        all_rejected = pd.concat([r for r in rejected if not r.empty] or [quarantine], ignore_index=True)
        result.quarantined = record_quarantine(con, all_rejected, pipeline_run_id, complete_sources)
        if after is not None:  # more bookkeeping inside the same transaction
            after()
    return result


def _stored(w: TableWrite, valid: pd.DataFrame) -> pd.DataFrame:
    """The model's stored columns only: working columns of the transform (and door-only checks) stay behind,
    and upsert_rows refuses any column the table lacks, so the registry and the DDL cannot drift apart."""
    return valid[[c for c in w.stored_columns if c in valid.columns]]


def _write(con, w: TableWrite, rejected: list) -> int:
    """Validate the whole frame at the door, write what passes; returns the rows landed."""
    valid, q = split_valid(w.frame, w.model, w.source, w.table, w.keys[0])
    rejected.append(q)
    upsert_rows(con, w.table, _stored(w, valid), w.keys, w.prune_where)
    return len(valid)


def _write_packed(con, w: TableWrite, rejected: list) -> int:
    """A frame with spooled columns, read back, validated and written SLICE_ROWS rows at a time (so its text is
    never whole in memory); rows sharing a key go in one slice of their own, for the model's uniqueness check
    to see them together. Pruning, by the keys of every row landed, comes last."""
    duplicated = w.frame.duplicated(w.keys, keep=False).to_numpy()
    single = np.flatnonzero(~duplicated)
    slices = [single[i:i + SLICE_ROWS] for i in range(0, len(single), SLICE_ROWS)]
    slices += [np.flatnonzero(duplicated)] if duplicated.any() else []
    kept, landed, empty = [], 0, is_empty(con, w.table)  # keys shared across slices never pass the model
    for rows in slices:
        valid, q = split_valid(unpack_columns(w.frame.iloc[rows], w.packed), w.model, w.source, w.table, w.keys[0])
        rejected.append(q)
        upsert_rows(con, w.table, _stored(w, valid), w.keys, empty=empty)
        kept.append(valid[w.keys])
        landed += len(valid)
    if w.prune_where:
        prune_missing(con, w.table, pd.concat(kept, ignore_index=True) if kept else w.frame[w.keys].iloc[0:0],
                      w.keys, w.prune_where)
    return landed


def table_write(table: str, frame: pd.DataFrame, source: str, prune_where: str | None = None,
                packed: tuple[str, ...] = ()) -> TableWrite:
    entry = registered(table)
    return TableWrite(table, frame, entry.model, list(entry.keys), source, prune_where, tuple(entry.stored_columns),
                      tuple(packed))


def start_run_log(con, pipeline_run_id: str, flow_run_id: str | None, assumption_set: str, sources: list[str]) -> None:
    """The run's `running` row (kept if begin_run_log already wrote it)."""
    con.execute("INSERT OR IGNORE INTO meta__run_log (pipeline_run_id, flow_run_id, started_at, ended_at, status, "
                "assumption_set, sources, counts) VALUES (?, ?, now(), NULL, 'running', ?, ?, NULL)",
                [pipeline_run_id, flow_run_id, assumption_set, ",".join(sources)])


def begin_run_log(warehouse, pipeline_run_id: str, flow_run_id: str | None, assumption_set: str,
                  sources: list[str]) -> int:
    """At the start of a run, which holds the warehouse lock, after checking every block of the file (warehouse/lock.py): any row still `running`
    belongs to a process that died (the kernel released its lock), so it becomes `abandoned`; then this
    run's `running` row. Returns how many were abandoned."""
    con = connect_for_write(warehouse)
    try:
        check_integrity(con, warehouse)  # never build on a file that cannot be fully read
        abandoned = con.execute("UPDATE meta__run_log SET status = 'abandoned', ended_at = now() "
                                "WHERE status = 'running'").fetchone()[0]
        start_run_log(con, pipeline_run_id, flow_run_id, assumption_set, sources)
    finally:
        con.close()
    return int(abandoned)


def end_run_log(warehouse, pipeline_run_id: str, status: str) -> None:
    """Mark a run that stopped before landing (`interrupted`, `failed`); best effort, since the reason it
    stopped (a full disk, a damaged file) may stop this write too."""
    try:
        con = connect_for_write(warehouse)
    except Exception:  # noqa: BLE001 - nothing more to do for a warehouse that cannot be opened
        return
    try:
        con.execute("UPDATE meta__run_log SET status = ?, ended_at = now() WHERE pipeline_run_id = ? "
                    "AND status = 'running'", [status, pipeline_run_id])
    except duckdb.Error:
        pass
    finally:
        con.close()


def finish_run_log(con, pipeline_run_id: str, status: str, counts: list[dict]) -> None:
    con.execute("UPDATE meta__run_log SET ended_at = now(), status = ?, counts = ? WHERE pipeline_run_id = ?",
                [status, json.dumps(counts), pipeline_run_id])
