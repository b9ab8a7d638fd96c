"""A decision from the desk: the same warehouse/reviews.py record_decision `review resolve` calls,
in one transaction, under the warehouse lock, so a browser decision and a CLI one are the same row."""

from __future__ import annotations

import math

from warehouse.connection import connect_for_write
from warehouse.lock import warehouse_lock
from warehouse.reviews import record_decision
from warehouse.writes import transaction

ACCEPTS = ("operations", "hardware", "reported", "value")
ALL_SETS = "all"


class DecisionError(ValueError):
    """What the reviewer asked for cannot be recorded; the message says why (shown as is)."""


def parse_value(accept: str, value) -> float | None:
    """The reviewer's own FLOP for accept='value' (a number > 0), else None; DecisionError if wrong."""
    if accept not in ACCEPTS:
        raise DecisionError(f"accept must be one of {', '.join(ACCEPTS)}, got {accept!r}")
    if accept != "value":
        if value not in (None, ""):
            raise DecisionError(f"a value is only given with accept=value; {accept} takes its FLOP from the estimate")
        return None
    try:
        flop = float(value)
    except (TypeError, ValueError):
        raise DecisionError(f"value must be a FLOP count such as 3.1e23, got {value!r}") from None
    if not math.isfinite(flop) or flop <= 0:
        raise DecisionError("value must be a FLOP count greater than 0")
    return flop


def record_desk_decision(warehouse, run_id: str, accept: str, value, note: str, reviewer: str | None,
                         assumption_set: str, lock_wait_seconds: float = 0.0) -> list[dict]:
    """Record the decision under one assumption set, or under every set the run has (`ALL_SETS`);
    all or nothing. Returns the stored decisions."""
    flop = parse_value(accept, value)
    if not (note or "").strip():
        raise DecisionError("a note must say why; it is kept with the decision")
    with warehouse_lock(warehouse, lock_wait_seconds):
        con = connect_for_write(warehouse)
        try:
            sets = [assumption_set]
            if assumption_set == ALL_SETS:
                sets = [r[0] for r in con.execute("SELECT DISTINCT assumption_set FROM compute_comparison "
                                                  "WHERE run_id = ? ORDER BY 1", [run_id]).fetchall()]
                if not sets:
                    raise DecisionError(f"run {run_id!r} has no comparison in the warehouse")
            with transaction(con):
                return [record_decision(con, run_id, s, accept, note, reviewer=reviewer or None, accepted_flop=flop)
                        for s in sets]
        except DecisionError:
            raise
        except ValueError as err:  # record_decision's own checks (unknown run, method without an estimate)
            raise DecisionError(str(err)) from None
        finally:
            con.close()
