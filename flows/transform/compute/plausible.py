"""An estimate no training run can have: above 1e32 FLOP, infinite or not a number.

Each input passes its own cell check (parameters up to 1e32, tokens up to 1e32), yet their product can
still be absurd: 1e15 parameters x 1e17 tokens x 6 = 6e32 FLOP. Such an estimate is a typo upstream,
not a figure: it is taken out before the comparison (so it never becomes a run's best estimate) and
quarantined with its row and a readable reason; the run's other estimates stand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flows.transform.ingest.epoch_cells import MAX_PLAUSIBLE
from schemas.frames import records_to_json
from schemas.validation import QUARANTINE_COLUMNS

TABLE = "out__compute_estimates"
CHECK = "physical_range"


def _reason(method: str, flop: float, low: float, high: float, formula: object) -> str:
    if not np.isfinite(flop):
        what = f"{flop} FLOP is not a finite number"
    elif flop > MAX_PLAUSIBLE:
        what = f"{flop:.3g} FLOP is above {MAX_PLAUSIBLE:.0e}, beyond any training run"
    else:
        what = f"{flop:.3g} FLOP has a range bound that is not a finite number ({low:.3g} .. {high:.3g})"
    return (f"{method} estimate {what} (formula {formula}); an input is likely wrong, so the estimate is not landed "
            "and the run's other estimates stand")


def split_implausible(estimates: pd.DataFrame, runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(estimates that can be true, quarantine rows for the rest): a point above MAX_PLAUSIBLE, or a point
    or bound that is infinite or NaN. A quarantine row names the run's own source and carries the
    estimate row (formula and inputs) as its payload."""
    if estimates.empty:
        return estimates, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    values = estimates[["flop", "flop_low", "flop_high"]].astype(float)
    bad = (~np.isfinite(values).all(axis=1) | (values["flop"] > MAX_PLAUSIBLE)).to_numpy()
    if not bad.any():
        return estimates, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    rows = estimates[bad]
    sources = dict(zip(runs["run_id"], runs["source"])) if "source" in runs else {}
    quarantine = pd.DataFrame({
        "source": [sources.get(r) or "estimates" for r in rows["run_id"]], "table_name": TABLE, "check_name": CHECK,
        "reason": [_reason(m, *v, formula) for m, v, formula in zip(rows["method"], values[bad].itertuples(index=False),
                                                                   rows["formula"])],
        "payload": records_to_json(rows, list(rows.columns)), "record_key": rows["run_id"].astype(object).to_numpy(),
    }, columns=QUARANTINE_COLUMNS)
    return estimates[~bad].reset_index(drop=True), quarantine
