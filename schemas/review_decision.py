"""ref__review_decisions: an analyst's decision on a run under one assumption set.

Append-only history: a decision is never edited; a newer one supersedes it, and a run whose
inputs change marks it stale. Only the status columns change over a decision's life.
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

ACCEPTED = ["operations", "hardware", "reported", "value"]
STATUSES = ["active", "stale", "superseded"]
DECISION_COLUMNS = [
    "decision_id", "run_id", "assumption_set", "accepted", "accepted_flop", "note", "reviewer", "decided_at",
    "inputs_fingerprint", "operations_flop", "hardware_flop", "reported_flop",
    "status", "status_changed_at", "status_reason",
]
# What the decision says; the three status columns after it follow its life (active -> stale/superseded).
CONTENT_COLUMNS = DECISION_COLUMNS[:DECISION_COLUMNS.index("status")]
# Timestamps are ISO-8601 text in files; each value may or may not carry fractional seconds.
ISO_8601 = {"to_datetime_kwargs": {"format": "ISO8601"}}


def make_decision_id(run_id: str, assumption_set: str, decided_at, accepted: str, accepted_flop: float) -> str:
    """First 16 hex of sha256 over run_id|assumption_set|decided_at ISO|accepted|accepted_flop (repr)."""
    parts = [run_id, assumption_set, pd.Timestamp(decided_at).isoformat(), accepted, repr(float(accepted_flop))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class ReviewDecision(pa.DataFrameModel):
    decision_id: Series[str] = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}$",
                                        description="sha256 of run_id|assumption_set|decided_at|accepted|accepted_flop, 16 hex")
    run_id: Series[str] = pa.Field(str_length={"min_value": 1})
    assumption_set: Series[str] = pa.Field(str_length={"min_value": 1})
    accepted: Series[str] = pa.Field(isin=ACCEPTED, description="which figure the reviewer accepted; value = their own")
    accepted_flop: Series[float] = pa.Field(gt=0, description="the training compute accepted, FLOP")
    note: Series[str] = pa.Field(description="why the reviewer decided so; never empty")
    reviewer: Series[str] = pa.Field(nullable=True)
    decided_at: Series[pandas_engine.DateTime] = pa.Field(dtype_kwargs=ISO_8601, description="when decided, UTC")
    inputs_fingerprint: Series[str] = pa.Field(str_length={"min_value": 1},
                                               description="out__compute_comparison.inputs_fingerprint when decided")
    operations_flop: Series[float] = pa.Field(nullable=True, gt=0, description="operations estimate the reviewer saw, FLOP")
    hardware_flop: Series[float] = pa.Field(nullable=True, gt=0, description="hardware estimate the reviewer saw, FLOP")
    reported_flop: Series[float] = pa.Field(nullable=True, gt=0, description="reported figure the reviewer saw, FLOP")
    status: Series[str] = pa.Field(isin=STATUSES)
    status_changed_at: Series[pandas_engine.DateTime] = pa.Field(nullable=True, dtype_kwargs=ISO_8601, description="UTC")
    status_reason: Series[str] = pa.Field(nullable=True)

    @pa.check("note", name="note_has_text", error="note must not be empty, got {value!r}")
    def note_has_text(cls, note):
        return note.str.strip().str.len() > 0

    @pa.check("accepted_flop", name="flop_is_finite", error="accepted_flop must be a finite FLOP count, got {value!r}")
    def flop_is_finite(cls, flop):
        return flop.map(math.isfinite)

    @pa.dataframe_check(name="decision_id_matches_content",
                        error="decision_id does not match its run_id, assumption_set, decided_at, accepted and accepted_flop")
    def decision_id_matches_content(cls, df):
        expected = [make_decision_id(*row) for row in
                    df[["run_id", "assumption_set", "decided_at", "accepted", "accepted_flop"]].itertuples(index=False)]
        return df["decision_id"] == pd.Series(expected, index=df.index, dtype=object)

    class Config:
        coerce = True
        strict = True
