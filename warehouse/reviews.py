"""Analysts' decisions on runs whose two estimates disagree: record, mark stale, CSV in and out.

Decisions live in ref__review_decisions, never overwritten: a new decision supersedes the
previous one, and a decision whose comparison inputs change is marked stale (re-opened). The
`compute_comparison` view applies them. Timestamps are naive UTC. No function here opens a
transaction: callers (the CLI, the pipeline's landing transaction) own it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
from pathlib import Path

import pandas as pd

from schemas.review_decision import ACCEPTED, CONTENT_COLUMNS, DECISION_COLUMNS, ReviewDecision, make_decision_id
from schemas.validation import validate_frame

from warehouse.csv_cells import neutralize_cell, restore_cell
from warehouse.seeds import DECISIONS_FILE as DECISIONS_SEED
COLUMN_LIST = ", ".join(DECISION_COLUMNS)


def utc_now(moment=None) -> dt.datetime:
    """`moment` (default: now) as a naive UTC datetime, the form DuckDB TIMESTAMP columns hold."""
    moment = pd.Timestamp(moment or dt.datetime.now(dt.timezone.utc))
    if moment.tzinfo is not None:
        moment = moment.tz_convert("UTC").tz_localize(None)
    return moment.to_pydatetime()


def read_comparison_row(con, run_id: str, assumption_set: str) -> dict:
    """The run's row in out__compute_comparison; an error lists the assumption sets it does have."""
    result = con.execute("SELECT * FROM out__compute_comparison WHERE run_id = ? AND assumption_set = ?",
                         [run_id, assumption_set])
    columns, row = [d[0] for d in result.description], result.fetchone()
    if row is not None:
        return dict(zip(columns, row))
    sets = [r[0] for r in con.execute("SELECT assumption_set FROM out__compute_comparison WHERE run_id = ? "
                                      "ORDER BY assumption_set", [run_id]).fetchall()]
    if not sets:
        raise ValueError(f"run {run_id!r} has no comparison in the warehouse (unknown run, or nothing to estimate); "
                         "see `flopledger review list --all`")
    raise ValueError(f"run {run_id!r} has no comparison under assumption set {assumption_set!r}; it has: {', '.join(sets)}")


def comparison_sets(con, run_id: str) -> list[str]:
    """The assumption sets the run has a comparison under, in order."""
    return [r[0] for r in con.execute("SELECT assumption_set FROM out__compute_comparison WHERE run_id = ? "
                                      "ORDER BY assumption_set", [run_id]).fetchall()]


def choose_accepted_flop(row: dict, accepted: str, accepted_flop: float | None) -> float:
    """A method's own estimate from the comparison row, or the reviewer's value (> 0)."""
    if accepted not in ACCEPTED:
        raise ValueError(f"accepted must be one of {', '.join(ACCEPTED)}, got {accepted!r}")
    if accepted == "value":
        if accepted_flop is None or not (math.isfinite(float(accepted_flop)) and float(accepted_flop) > 0):
            raise ValueError(f"an accepted value must be a FLOP count greater than 0, got {accepted_flop!r}")
        return float(accepted_flop)
    if accepted_flop is not None:
        raise ValueError(f"accepted_flop is only given with accepted='value'; {accepted} takes its FLOP from the estimate")
    if row.get(f"{accepted}_flop") is None:
        raise ValueError(f"run {row['run_id']!r} has no {accepted} estimate under {row['assumption_set']}, "
                         "so it cannot be accepted; accept another method or a value")
    return float(row[f"{accepted}_flop"])


def check_decisions(frame: pd.DataFrame, where: str, lines: list[int] | None = None) -> pd.DataFrame:
    """The frame validated against ReviewDecision, or a ValueError naming the first problem in one line."""
    valid, rejected = validate_frame(frame, ReviewDecision)
    if rejected.empty:
        return valid
    # the first line with a problem; a wrong decision_id is often a consequence of another, so it comes last
    is_id = rejected["check_name"] == "decision_id_matches_content"
    first = rejected.assign(is_id=is_id).sort_values(["row", "is_id"], kind="stable").iloc[0]
    place = f"{where} line {lines[first['row']]}" if lines else where
    more = f" (and {len(rejected) - 1} more problem{'s' if len(rejected) > 2 else ''})" if len(rejected) > 1 else ""
    raise ValueError(f"{place}: {first['reason']}{more}")


def record_decision(con, run_id: str, assumption_set: str, accepted: str, note: str, reviewer: str | None = None,
                    accepted_flop: float | None = None, decided_at=None) -> dict:
    """Store a decision against the run's current comparison; earlier live ones become superseded."""
    if not (note or "").strip():
        raise ValueError("a decision needs a note saying why")
    row = read_comparison_row(con, run_id, assumption_set)
    flop = choose_accepted_flop(row, accepted, accepted_flop)
    decided = utc_now(decided_at)
    decision = {
        "decision_id": make_decision_id(run_id, assumption_set, decided, accepted, flop),
        "run_id": run_id, "assumption_set": assumption_set, "accepted": accepted, "accepted_flop": flop,
        "note": note.strip(), "reviewer": reviewer or None, "decided_at": decided,
        "inputs_fingerprint": row["inputs_fingerprint"], "operations_flop": row["operations_flop"],
        "hardware_flop": row["hardware_flop"], "reported_flop": row["reported_flop"],
        "status": "active", "status_changed_at": None, "status_reason": None,
    }
    check_decisions(pd.DataFrame([decision], columns=DECISION_COLUMNS), f"decision on {run_id}")
    if con.execute("SELECT count(*) FROM ref__review_decisions WHERE decision_id = ?", [decision["decision_id"]]).fetchone()[0]:
        raise ValueError(f"decision {decision['decision_id']} is already recorded")
    con.execute("UPDATE ref__review_decisions SET status = 'superseded', status_changed_at = ?, status_reason = ? "
                "WHERE run_id = ? AND assumption_set = ? AND status IN ('active', 'stale')",
                [decided, f"superseded by {decision['decision_id']}", run_id, assumption_set])
    con.execute(f"INSERT INTO ref__review_decisions ({COLUMN_LIST}) VALUES ({', '.join(['?'] * len(DECISION_COLUMNS))})",
                [decision[c] for c in DECISION_COLUMNS])
    return decision


def read_decided_inputs(con) -> dict[tuple[str, str], dict[str, dict]]:
    """The estimates behind every active decision as they stand before a run lands its own:
    {(run_id, assumption_set): {method: {"formula", "inputs", "flop"}}}, for saying what changed."""
    rows = con.execute("SELECT e.run_id, e.assumption_set, e.method, e.formula, e.inputs, e.flop FROM out__compute_estimates e "
                       "JOIN ref__review_decisions d ON d.run_id = e.run_id AND d.assumption_set = e.assumption_set "
                       "WHERE d.status = 'active'").fetchall()
    found: dict[tuple[str, str], dict[str, dict]] = {}
    for run_id, assumption_set, method, formula, inputs, flop in rows:
        found.setdefault((run_id, assumption_set), {})[method] = {"formula": formula, "inputs": inputs, "flop": flop}
    return found


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def describe_changes(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """What differs between two runs' estimates of one run: 'hardware chip_count 1024 -> 2048', ..."""
    changes = []
    for method in sorted(set(before) | set(after)):
        old, new = before.get(method), after.get(method)
        if old is None or new is None:
            changes.append(f"{method} estimate {'added' if old is None else 'gone'}")
            continue
        old_in, new_in = (json.loads(x["inputs"]) if x["inputs"] else {} for x in (old, new))
        changed = [f"{method} {k} {_short(old_in.get(k))} -> {_short(new_in.get(k))}"
                   for k in sorted(set(old_in) | set(new_in)) if old_in.get(k) != new_in.get(k)]
        if old["formula"] != new["formula"]:
            changed.append(f"{method} formula '{old['formula']}' -> '{new['formula']}'")
        if not changed and old["flop"] != new["flop"]:
            changed.append(f"{method} flop {_short(old['flop'])} -> {_short(new['flop'])}")
        changes.extend(changed)
    return changes


def _figure_changes(decision: dict, row: dict) -> list[str]:
    """With no earlier estimates to compare (a warehouse rebuilt from empty): the figures the decision saw."""
    return [f"{m} {_short(decision[m])} -> {_short(row[m])}" for m in ("operations_flop", "hardware_flop", "reported_flop")
            if decision[m] != row[m] and not (decision[m] is None and row[m] is None)]


def mark_stale_decisions(con, pipeline_run_id: str, before: dict | None = None) -> int:
    """Active decisions whose run's comparison inputs changed become stale, with a reason naming what
    changed, old and new (`before`: read_decided_inputs from before the run landed); runs now absent
    are left alone."""
    stale = con.execute(
        "SELECT d.decision_id, d.run_id, d.assumption_set, d.operations_flop, d.hardware_flop, d.reported_flop, "
        "c.operations_flop, c.hardware_flop, c.reported_flop FROM ref__review_decisions d JOIN out__compute_comparison c "
        "ON c.run_id = d.run_id AND c.assumption_set = d.assumption_set "
        "WHERE d.status = 'active' AND c.inputs_fingerprint <> d.inputs_fingerprint").fetchall()
    now = utc_now()
    for decision_id, run_id, assumption_set, *figures in stale:
        names = ("operations", "hardware", "reported")
        seen, current = dict(zip(names, figures[:3])), dict(zip(names, figures[3:]))
        changes = []
        if before and (run_id, assumption_set) in before:
            after = read_estimates(con, run_id, assumption_set)
            changes = describe_changes(before[(run_id, assumption_set)], after)
        changes = changes or _figure_changes({f"{k}_flop": v for k, v in seen.items()},
                                             {f"{k}_flop": v for k, v in current.items()})
        reason = f"inputs changed in run {pipeline_run_id}" + (f": {'; '.join(changes)}" if changes else "")
        con.execute("UPDATE ref__review_decisions SET status = 'stale', status_changed_at = ?, status_reason = ? "
                    "WHERE decision_id = ?", [now, reason, decision_id])
    return len(stale)


def read_estimates(con, run_id: str, assumption_set: str) -> dict[str, dict]:
    rows = con.execute("SELECT method, formula, inputs, flop FROM out__compute_estimates WHERE run_id = ? AND "
                       "assumption_set = ?", [run_id, assumption_set]).fetchall()
    return {m: {"formula": f, "inputs": i, "flop": x} for m, f, i, x in rows}


def format_cell(value) -> str:
    """The CSV text of one value: '' for null, ISO-8601 for timestamps, repr for floats (exact round trip)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, float):
        return repr(float(value))
    return str(value)


def export_decisions(con, path) -> int:
    """Every decision, history included, as CSV in the table's column order; returns the count."""
    rows = con.execute(f"SELECT {COLUMN_LIST} FROM ref__review_decisions "
                       "ORDER BY run_id, assumption_set, decided_at, decision_id").fetchall()
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DECISION_COLUMNS)
        writer.writerows([neutralize_cell(format_cell(v)) for v in row] for row in rows)  # no formulas
    os.replace(partial, target)
    return len(rows)


def _read_records(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """(header, records, the line each record starts on); blank lines skipped."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header, records, lines, start = next(reader, None), [], [], 2
            for record in reader:
                if record:
                    records.append(record)
                    lines.append(start)
                start = reader.line_num + 1
    except FileNotFoundError:
        raise ValueError(f"no decisions file at {path}") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise ValueError(f"{path} is not a readable CSV file: {err}") from None
    return header or [], records, lines


def read_decisions_file(path) -> pd.DataFrame:
    """A decisions CSV (as `export_decisions` writes it), validated; ValueError in one line if not."""
    path = Path(path)
    header, records, lines = _read_records(path)
    missing = [c for c in DECISION_COLUMNS if c not in header]
    unknown = [c for c in header if c not in DECISION_COLUMNS]
    if missing or unknown:
        problems = "; ".join([f"missing columns {', '.join(missing)}"] * bool(missing)
                             + [f"unknown columns {', '.join(unknown)}"] * bool(unknown))
        raise ValueError(f"{path}: {problems} (expected the header `flopledger review export` writes)")
    short = next((i for i, r in enumerate(records) if len(r) != len(header)), None)
    if short is not None:
        raise ValueError(f"{path} line {lines[short]}: {len(records[short])} fields, expected {len(header)}")
    frame = pd.DataFrame([[restore_cell(v) if v != "" else None for v in r] for r in records], columns=header,
                         dtype=object)  # a cell export_decisions neutralized ("'=...") reads back as written
    return check_decisions(frame[DECISION_COLUMNS], str(path), lines)


def _stored_content(con, decision_ids: list[str]) -> dict[str, tuple]:
    rows = con.execute(f"SELECT {', '.join(CONTENT_COLUMNS)} FROM ref__review_decisions WHERE list_contains(?, decision_id)",
                       [decision_ids]).fetchall()
    return {row[0]: tuple(format_cell(v) for v in row) for row in rows}


def import_decisions(con, path, notices: list[str] | None = None) -> tuple[int, int]:
    """Insert the file's decisions the warehouse lacks; returns (inserted, already_present).

    A decision already stored must say the same thing (its status may have moved on): a
    different content is an error naming it, never an overwrite. Where a run would be left with two
    active decisions, the older ones are superseded explicitly; a decision for a run or assumption set
    the warehouse has no comparison for is kept (it applies once the run is estimated) and reported
    in `notices`, one line each.
    """
    frame, lines = _read_with_lines(path)
    if notices is not None:
        notices.extend(_unknown_targets(con, frame, lines, path))
    inserted, present = _insert_new(con, frame, path)
    superseded = supersede_older_active(con)
    if notices is not None and superseded:
        notices.append(f"{path}: {superseded} older active decision(s) superseded by newer ones for the same run and set")
    return inserted, present


def _read_with_lines(path) -> tuple[pd.DataFrame, list[int]]:
    frame = read_decisions_file(path)
    return frame, _read_records(Path(path))[2]


def _unknown_targets(con, frame: pd.DataFrame, lines: list[int], path) -> list[str]:
    known = set(con.execute("SELECT run_id, assumption_set FROM out__compute_comparison").fetchall())
    runs = {run for run, _ in known}
    out = []
    for line, run, aset in zip(lines, frame["run_id"], frame["assumption_set"]):
        if (run, aset) in known:
            continue
        what = f"unknown run {run!r}" if run not in runs else f"run {run!r} has no comparison under set {aset!r}"
        out.append(f"{path} line {line}: {what}; kept, it applies once the run is estimated")
    return out


def supersede_older_active(con) -> int:
    """Leave at most one active decision per run and set: the newest (decided_at, then decision_id)."""
    result = con.execute(
        "UPDATE ref__review_decisions AS d SET status = 'superseded', status_changed_at = ?, "
        "status_reason = 'superseded by ' || n.decision_id || ' (import)' "
        "FROM (SELECT run_id, assumption_set, arg_max(decision_id, (decided_at, decision_id)) AS decision_id "
        "      FROM ref__review_decisions WHERE status = 'active' GROUP BY ALL HAVING count(*) > 1) AS n "
        "WHERE d.status = 'active' AND d.run_id = n.run_id AND d.assumption_set = n.assumption_set "
        "AND d.decision_id <> n.decision_id", [utc_now()])
    return int(result.fetchone()[0])


def _insert_new(con, frame: pd.DataFrame, path) -> tuple[int, int]:
    stored = _stored_content(con, frame["decision_id"].tolist())
    is_new = []
    for record in frame[CONTENT_COLUMNS].itertuples(index=False):
        content = tuple(format_cell(v) for v in record)
        have = stored.get(content[0])
        if have is not None and have != content:
            differing = [c for c, a, b in zip(CONTENT_COLUMNS, have, content) if a != b]
            raise ValueError(f"decision {content[0]} in {path} differs from the one in the warehouse "
                             f"({', '.join(differing)}); decisions are never overwritten, record a new one instead")
        is_new.append(have is None)
    fresh = frame.loc[is_new, DECISION_COLUMNS]
    if not fresh.empty:
        con.register("review_decisions_incoming", fresh)
        try:
            con.execute(f"INSERT INTO ref__review_decisions ({COLUMN_LIST}) SELECT {COLUMN_LIST} FROM review_decisions_incoming")
        finally:
            con.unregister("review_decisions_incoming")
    return len(fresh), len(frame) - len(fresh)


def load_decisions_file(con, path=None) -> int:
    """The curated decisions under git (warehouse/seeds/review_decisions.csv) into the warehouse; a missing file is 0."""
    target = Path(path or DECISIONS_SEED)
    if not target.exists():
        return 0
    return import_decisions(con, target)[0]
