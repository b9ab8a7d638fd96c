"""Epoch's models table into one source batch, chunk by chunk (issue 12 item 8: linear and lean).

What needs the whole table (merges, ids, record keys, base-model links) is planned from its key
columns alone (epoch_ids.plan_rows); then each chunk of full rows is mapped to small frames (papers,
runs, facts, cell problems, raw records) and let go. Rows of a model listed more than once wait
until the table is read, are merged, and are mapped last; the frames are put back in file order,
so a chunked read lands exactly what one pass over the whole table landed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd

from flows.transform.ingest.core import build_core, count_rows
from flows.transform.ingest.epoch import RAW_PACKED, SOURCE as EPOCH, map_epoch_models, raw_records, run_id_for
from flows.transform.ingest.epoch_ids import base_ids_of, merge_same_models, plan_rows
from flows.transform.ingest.sources import SourceBatch
from schemas.frames import TextSpool, frame_rows
from schemas.validation import QUARANTINE_COLUMNS

def _cell_payloads(problems: pd.DataFrame, ok: pd.DataFrame, run_ids: pd.Series) -> list[str]:
    """Each bad cell's payload: its row's cells (enough to fix and replay) plus `bad_cell`, the column at fault."""
    bad = run_ids.isin(set(problems["run_id"]))
    cells = {run_id: {k: v for k, v in row.items() if k != "source_row" and isinstance(v, str)}
             for run_id, row in zip(run_ids[bad], frame_rows(ok[bad]))}
    return [json.dumps(cells.get(r, {}) | {"bad_cell": c}, ensure_ascii=False)
            for r, c in zip(problems["run_id"], problems["column"])]


def _cell_quarantine(problems: pd.DataFrame) -> pd.DataFrame:
    """One quarantine row per bad cell (two bad cells of one row are two entries); the row itself
    landed without that cell."""
    return pd.DataFrame({
        "source": EPOCH, "table_name": problems["table"], "check_name": problems["check_name"],
        "reason": problems["reason"] + "; the cell is left empty and the row lands",
        "payload": problems["payload"] if "payload" in problems else None,
        "record_key": problems["Model"].astype(object),
    }, columns=QUARANTINE_COLUMNS)


def _map_rows(ok: pd.DataFrame, plan: pd.DataFrame, base_ids: dict, location: str, sha: str, spool: TextSpool) -> dict:
    """The small frames of some merged rows: everything the batch keeps of them."""
    ids = ok["source_row"].map(plan["model_id"])
    papers, runs, facts, problems = map_epoch_models(ok, ids, base_ids)
    problems = problems.assign(payload=_cell_payloads(problems, ok, ids.map(run_id_for)))
    return {"papers": papers, "runs": runs, "facts": facts, "problems": problems,
            "raw": raw_records(ok, ok["source_row"].map(plan["record_key"]), location, sha, spool)}


def _in_file_order(parts: list[dict], name: str, order: dict | None = None) -> pd.DataFrame:
    """One frame from the parts, sorted by source row (stable: a row's facts keep their order); the parts
    let go of theirs."""
    frames = [p[name] for p in parts if not p[name].empty] or [parts[-1][name]]
    for p in parts:
        p[name] = p[name].iloc[0:0]
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        return frame
    rows = frame["source_row"] if order is None else frame["run_id"].map(order)
    return frame.iloc[rows.argsort(kind="stable")].reset_index(drop=True)


def build_epoch_batch(keys: pd.DataFrame, chunks: Iterable[tuple[pd.DataFrame, pd.DataFrame]], location: str,
                      sha: str, aliases: pd.DataFrame, responses: list, statements=None, matcher=None) -> SourceBatch:
    """Epoch's models CSV as `keys` (source_row, Model, Publication date of every row) and `chunks`
    of (usable rows, rejects), split by sources/epoch_models.py: a row without a Model is quarantined
    whole; rows of the same model are merged (counted); a bad cell is quarantined alone.
    `statements`: a reader given each mapped chunk's runs and papers (`mapped`) that hands back their
    statements' mentions (`mentions`) when the table is mapped: flows/statement_pool.py reads them on
    another core. `matcher`: the aliases' mention matcher, when the caller has built it."""
    plan, merges = plan_rows(keys)
    spool = TextSpool()  # the raw records wait here until landing: closed when the last cell is let go
    base_ids = base_ids_of(plan, run_id_for)
    parts, waiting, rejects = [], [], []
    for ok, chunk_rejects in chunks:
        rejects.append(chunk_rejects)
        alone = (ok["source_row"].map(plan["group_size"]) == 1).to_numpy(dtype=bool)
        waiting.append(ok[~alone])
        parts.append(_map_rows(ok[alone], plan, base_ids, location, sha, spool))
        if statements is not None:
            statements.mapped(parts[-1]["runs"], parts[-1]["papers"])
    grouped, _ = merge_same_models(pd.concat(waiting, ignore_index=True))
    parts.append(_map_rows(grouped, plan, base_ids, location, sha, spool))
    if statements is not None:
        statements.mapped(parts[-1]["runs"], parts[-1]["papers"])
    papers, runs, raw = (_in_file_order(parts, name) for name in ("papers", "runs", "raw"))
    order = dict(zip(runs["run_id"], runs["source_row"])) if not runs.empty else {}
    facts, problems = _in_file_order(parts, "facts", order), _in_file_order(parts, "problems", order)
    del parts
    papers = papers.drop_duplicates("paper_id").drop(columns="source_row") if not papers.empty else papers
    runs = runs.drop(columns="source_row") if not runs.empty else runs
    rejects = pd.concat(rejects, ignore_index=True)
    raw_q = pd.concat([pd.DataFrame({
        "source": EPOCH, "table_name": "raw_epoch__models", "check_name": rejects["check_name"],
        "reason": rejects["reason"], "payload": rejects["payload"], "record_key": rejects["Model"].astype(object),
    }, columns=QUARANTINE_COLUMNS), _cell_quarantine(problems)], ignore_index=True)
    raw_count = count_rows(EPOCH, "raw_epoch__models", len(keys) - len(merges), len(raw)) | {"merged": len(merges)}
    raw_count["rows_in"] = len(keys)
    known = statements.mentions() if statements is not None else None
    core = build_core(papers, runs, facts, raw_q, raw_count, EPOCH, aliases, keep_whole=True, matcher=matcher,
                      known=known)
    del known
    core.counts.append({"source": EPOCH, "table": "cells", "rows_in": len(problems), "landed": 0,
                        "quarantined": len(problems)})
    return SourceBatch(EPOCH, "raw_epoch__models", raw, core, "models_csv", sha, responses, packed=RAW_PACKED)
