"""`flopledger review list|show|resolve|export|import`: decisions on runs whose estimates disagree, no Prefect."""

from __future__ import annotations

import json
import math
import sys

from flows.cli.base import CliError

METHODS = ("operations", "hardware", "reported")


def run_review(args) -> int:
    actions = {"list": list_reviews, "show": show_review, "resolve": resolve_review,
               "export": export_reviews, "import": import_reviews}
    return actions[args.review_command](args)


def parse_accept(text: str) -> tuple[str, float | None]:
    """--accept operations|hardware|reported|value:<FLOP> as (accepted, FLOP or None); CliError if malformed."""
    method, colon, number = text.strip().partition(":")
    if method in METHODS and not colon:
        return method, None
    if method == "value" and colon:
        try:
            flop = float(number)
        except ValueError:
            raise CliError(f"--accept value:{number}: {number!r} is not a number; write e.g. value:3.1e23") from None
        if not math.isfinite(flop) or flop <= 0:
            raise CliError(f"--accept value:{number}: the accepted FLOP must be a number greater than 0")
        return "value", flop
    raise CliError(f"--accept must be operations, hardware, reported or value:<FLOP>, got {text!r}")


def _plain(value):
    """A value as plain JSON-able Python: None for NaN/NaT, ISO text for timestamps, floats for numpy numbers."""
    from flows.cli.sql import _jsonable

    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is not None and not isinstance(value, (str, list, dict, tuple)):
        import pandas as pd

        if pd.isna(value):
            return None
    return _jsonable(value)


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _connect_existing(warehouse):
    """A writable connection to a warehouse that must exist (a mistyped path creates nothing)."""
    from warehouse.connection import WarehouseError, connect_for_write

    path = warehouse
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; build one with `flopledger run`")
    return connect_for_write(path)


def list_reviews(args) -> int:
    from flows.cli.sql import print_rows
    from warehouse.connection import connect_read_only
    from warehouse.review_queries import review_queue

    con = connect_read_only(args.warehouse)
    try:
        queue = review_queue(con, args.assumptions, args.all, getattr(args, "source", None))
    finally:
        con.close()
    records = _records(queue)
    rows = [tuple(record.values()) for record in records]
    if args.format == "table" and not getattr(args, "wide", False):
        from flows.cli.review_table import format_queue

        print(format_queue(records))
    else:
        print_rows(list(queue.columns), rows, args.format)
    if args.format == "table" and rows:
        print("decide one with: flopledger review resolve RUN_ID --accept operations|hardware|reported|value:FLOP "
              "--note WHY", file=sys.stderr)
    return 0


def resolve_review(args) -> int:
    from flows.settings import default_assumptions, default_reviewer
    from warehouse.reviews import comparison_sets, read_comparison_row, record_decision
    from warehouse.writes import transaction

    accepted, flop = parse_accept(args.accept)
    if not (args.note or "").strip():
        raise CliError("--note must say why; it is kept with the decision")
    every = args.assumptions == "all"
    reviewer = default_reviewer(args.reviewer)
    con = _connect_existing(args.warehouse)
    try:
        sets = comparison_sets(con, args.run_id) if every else [default_assumptions(args.assumptions)]
        if not sets:
            raise ValueError(f"run {args.run_id!r} has no comparison in the warehouse; see `flopledger review list --all`")
        note = args.note.strip() + (f" [one decision for every assumption set: {', '.join(sets)}]" if every else "")
        rows = [read_comparison_row(con, args.run_id, s) for s in sets]
        unflagged = [r["assumption_set"] for r in rows if not r["is_flagged"]]
        if unflagged and not getattr(args, "force", False):
            raise CliError(f"run {args.run_id} is not flagged under {', '.join(unflagged)} (its two methods agree); "
                           "pass --force to record a decision anyway")
        with transaction(con):  # all sets or none
            decisions = [record_decision(con, args.run_id, s, accepted, note, reviewer=reviewer, accepted_flop=flop)
                         for s in sets]
    finally:
        con.close()
    for d in decisions:
        print(f"resolved {d['run_id']} ({d['assumption_set']}): accepted {accepted} "
              f"{d['accepted_flop']:.3g} FLOP [decision {d['decision_id']}]")
    return 0


def export_reviews(args) -> int:
    from warehouse.connection import connect_read_only
    from warehouse.reviews import export_decisions

    con = connect_read_only(args.warehouse)
    try:
        count = export_decisions(con, args.file)
    finally:
        con.close()
    print(f"exported {count} decision{'s' if count != 1 else ''} to {args.file}")
    return 0


def import_reviews(args) -> int:
    from warehouse.reviews import import_decisions

    con = _connect_existing(args.warehouse)
    notices: list[str] = []  # unknown runs or sets, superseded decisions: one line each (issue 12)
    try:
        inserted, present = import_decisions(con, args.file, notices)
    finally:
        con.close()
    for notice in notices:
        print(notice, file=sys.stderr)
    print(f"imported {inserted} decision{'s' if inserted != 1 else ''} from {args.file} ({present} already present)")
    return 0


def show_review(args) -> int:
    from warehouse.connection import connect_read_only
    from flows.settings import assumption_sets
    from warehouse.review_queries import run_details

    known = assumption_sets()
    con = connect_read_only(args.warehouse)
    try:
        details = run_details(con, args.run_id, args.assumptions, known)
    finally:
        con.close()
    details["missing"] = missing_estimates(details, known)
    if args.format == "json":
        json.dump(details_as_json(args.run_id, details), sys.stdout, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(details_as_text(args.run_id, details))
    return 0


def details_as_json(run_id: str, details: dict) -> dict:
    """One object: dict sections as objects, frame sections as arrays of rows; estimate inputs parsed."""
    out = {"run_id": run_id}
    for section, value in details.items():
        if hasattr(value, "to_dict"):
            out[section] = _records(value)
        elif section in ("run", "hardware"):
            out[section] = None if value is None else {k: _plain(v) for k, v in value.items()}
        else:
            out[section] = value
    for estimate in out["estimates"]:
        estimate["inputs"] = json.loads(estimate["inputs"]) if estimate["inputs"] else None
    return out


def _show(value) -> str:
    value = _plain(value)
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _fields(record: dict | None) -> list[str]:
    if not record:
        return ["(none)"]
    return [f"  {k}: {_show(v)}" for k, v in record.items() if _plain(v) is not None]


def _table(frame, columns: list[str]) -> list[str]:
    from flows.cli.sql import _format_table

    if frame.empty:
        return ["(none)"]
    return _format_table(columns, [tuple(r[c] for c in columns) for r in _records(frame)]).splitlines()


def _estimate_lines(details: dict) -> list[str]:
    from warehouse.review_queries import describe_inputs

    lines = []
    for e in _records(details["estimates"]):
        lines.append(f"  {e['method']} ({e['assumption_set']}): {_show(e['flop'])} FLOP "
                     f"[{_show(e['flop_low'])}, {_show(e['flop_high'])}] = {e['formula']}")
        lines.append(f"    inputs: {describe_inputs(e['inputs'])}")
        if e["uncertainty"]:
            lines.append(f"    uncertainty: {e['uncertainty']}")
    return lines or ["(none)"]


def _decision_lines(details: dict) -> list[str]:
    lines = []
    for d in _records(details["decisions"]):
        lines.append(f"  {d['decided_at']} [{d['decision_id']}] {d['status']}: accepted {d['accepted']} "
                     f"{_show(d['accepted_flop'])} FLOP ({d['assumption_set']}) by {d['reviewer'] or 'unknown'}: {d['note']}")
        if d["status_reason"]:
            lines.append(f"    {d['status_reason']} at {d['status_changed_at']}")
    return lines or ["(none)"]


def missing_estimates(details: dict, known_sets: dict) -> dict[str, dict[str, str]]:
    """{assumption set: {method: why it has no estimate}} (e.g. the chip has no FP32 peak under openai-2018)."""
    from flows.transform.compute.missing import explain_missing

    def why(method: str, set_name: str) -> str:
        rules = known_sets.get(set_name)
        if rules is None:
            return f"no {method} estimate: assumption set {set_name!r} is not in the assumptions file"
        return explain_missing(method, details["run"], details["hardware"], rules) or (
            f"no {method} estimate although its inputs are there: re-run `flopledger run` to refresh the warehouse")

    found = {c["assumption_set"]: {m: why(m, c["assumption_set"])
                                   for m in ("operations", "hardware") if _plain(c.get(f"{m}_flop")) is None}
             for c in _records(details["comparison"])}
    return {name: reasons for name, reasons in found.items() if reasons}


def _missing_lines(comparison: dict, details: dict) -> list[str]:
    reasons = details.get("missing", {}).get(comparison["assumption_set"], {})
    return [f"  {why}" for why in reasons.values()]


COMPARISON_FIELDS = ["assumption_set", "review_status", "is_flagged", "severity", "flag_reason", "ratio", "log10_ratio",
                     "operations_flop", "hardware_flop", "reported_flop", "best_flop", "best_flop_low", "best_flop_high",
                     "best_method", "best_reason", "threshold_1e25", "threshold_1e26", "decision_id", "inputs_fingerprint"]


def details_as_text(run_id: str, details: dict) -> str:
    """Readable sections with headings, for `review show`."""
    sections = [
        (f"run {run_id}", _fields(details["run"])),
        ("hardware", _fields(details["hardware"])),
        ("facts (each number and where it was stated)",
         _table(details["facts"], ["fact", "value", "low", "high", "where_in_source", "note"])),
        ("extractions (text spans read from the hardware statement)",
         _table(details["extractions"], ["field", "outcome", "extracted_value", "span_start", "span_end", "span_text", "sentence"])),
        ("estimates", _estimate_lines(details)),
    ]
    sections += [(f"assumption set {name}", _fields(rules)) for name, rules in details["assumption_sets"].items()]
    sections += [(f"comparison ({c['assumption_set']})", _fields({k: c[k] for k in COMPARISON_FIELDS})
                  + _missing_lines(c, details)) for c in _records(details["comparison"])]
    sections.append(("decisions (oldest first)", _decision_lines(details)))
    return "".join(f"== {title} ==\n" + "\n".join(lines) + "\n\n" for title, lines in sections)
