"""Read-only queries behind `flopledger trends`: one row per training run with the chosen estimate."""

from __future__ import annotations

import pandas as pd

from schemas.registry import table
from warehouse.writes import transaction, upsert_rows

# --estimate -> (figure, low, high, method) columns of compute_comparison; fixed text, never user input
ESTIMATE_COLUMNS = {
    "best": ("best_flop", "best_flop_low", "best_flop_high", "c.best_method"),
    "operations": ("operations_flop", "operations_flop_low", "operations_flop_high", "'operations'"),
    "hardware": ("hardware_flop", "hardware_flop_low", "hardware_flop_high", "'hardware'"),
    "reported": ("reported_flop", "reported_flop_low", "reported_flop_high", "'reported'"),
}

RUNS_SQL = """
SELECT t.run_id, t.system, t.domain, t.source, p.published_date,
       c.{flop} AS flop, c.{low} AS flop_low, c.{high} AS flop_high,
       CASE WHEN c.{flop} IS NULL THEN NULL ELSE {method} END AS method, c.review_status,
       (t.base_model IS NOT NULL OR t.base_run_id IS NOT NULL) AS is_finetune,
       b.best_flop AS base_flop, t.reported_flop AS own_reported_flop, t.reported_total_flop
FROM training_runs t
LEFT JOIN papers p ON p.paper_id = t.paper_id
LEFT JOIN compute_comparison c ON c.run_id = t.run_id AND c.assumption_set = $set
LEFT JOIN compute_comparison b ON b.run_id = t.base_run_id AND b.assumption_set = $set
ORDER BY t.run_id
"""


def trend_runs(con, estimate: str = "best", assumption_set: str = "epoch-2022") -> pd.DataFrame:
    """Every training run with its publication date, domain, source, review status and the chosen
    estimate (NULL where the run has none under `assumption_set`); for a fine-tune, what its base
    model's training took (the base run's best figure, Epoch's total) so the trend can count both."""
    if estimate not in ESTIMATE_COLUMNS:
        raise ValueError(f"unknown estimate {estimate!r}; expected one of {', '.join(ESTIMATE_COLUMNS)}")
    flop, low, high, method = ESTIMATE_COLUMNS[estimate]
    query = RUNS_SQL.format(flop=flop, low=low, high=high, method=method)
    return con.execute(query, {"set": assumption_set}).df()


def assumption_sets(con) -> list[str]:
    """The assumption sets the warehouse has comparisons under."""
    return [row[0] for row in con.execute("SELECT DISTINCT assumption_set FROM compute_comparison ORDER BY 1").fetchall()]


def warehouse_sources(con) -> str:
    """What the runs came from, for a chart footer: 'curated (20), epoch (812)'."""
    rows = con.execute("SELECT source, count(*) FROM training_runs GROUP BY source ORDER BY source").fetchall()
    return ", ".join(f"{source} ({count})" for source, count in rows)


def save_trend_fit(con, row: dict) -> None:
    """Replace the assumption set's headline fit in out__trends (validated against its model first)."""
    entry = table("out__trends")
    frame = entry.model.validate(pd.DataFrame([row]), lazy=True)
    with transaction(con):
        upsert_rows(con, entry.name, frame, list(entry.keys))
