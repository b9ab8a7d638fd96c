"""Read-only queries behind the review desk (`flopledger review serve`): the filtered queue, its
counts, the filter choices, a run's paper and the warehouse's last run. Writes go through
warehouse/reviews.py record_decision, like `review resolve`."""

from __future__ import annotations

import pandas as pd

STATUSES = ("open", "stale", "resolved")
SEVERITIES = ("high", "medium", "low")
DESK_COLUMNS = [
    "run_id", "assumption_set", "review_status", "severity", "ratio", "log10_ratio", "flag_reason",
    "operations_flop", "hardware_flop", "reported_flop", "best_flop", "best_method", "system", "domain", "source",
    "paper_id", "hardware_id", "worst_log10_ratio",
]
DESK_SQL = """
SELECT c.run_id, c.assumption_set, c.review_status, c.severity, c.ratio, c.log10_ratio, c.flag_reason,
       c.operations_flop, c.hardware_flop, c.reported_flop, c.best_flop, c.best_method,
       t.system, t.domain, t.source, t.paper_id, t.hardware_id,
       greatest(abs(c.log10_ratio), abs(log10(c.reported_operations_ratio)),
                abs(log10(c.reported_hardware_ratio))) AS worst_log10_ratio
FROM compute_comparison c
LEFT JOIN training_runs t ON t.run_id = c.run_id
WHERE c.is_flagged AND list_contains($statuses, c.review_status)
  AND ($set IS NULL OR c.assumption_set = $set) AND ($source IS NULL OR t.source = $source)
  AND ($domain IS NULL OR t.domain = $domain) AND ($severity IS NULL OR c.severity = $severity)
ORDER BY CASE c.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
         worst_log10_ratio DESC NULLS LAST, c.run_id, c.assumption_set
"""


def desk_queue(con, status: str | None = None, source: str | None = None, domain: str | None = None,
               severity: str | None = None, assumption_set: str | None = None) -> pd.DataFrame:
    """Flagged runs worst first (as `review list` orders them); status None means open and stale,
    'all' every flagged run; the other filters are exact matches, None for any."""
    statuses = list(STATUSES) if status == "all" else [status] if status else ["open", "stale"]
    params = {"statuses": statuses, "set": assumption_set, "source": source, "domain": domain, "severity": severity}
    return con.execute(DESK_SQL, params).df()[DESK_COLUMNS]


def queue_counts(con, assumption_set: str | None = None) -> dict[str, int]:
    """Flagged comparisons by review status (open, stale, resolved), zero included."""
    rows = con.execute("SELECT review_status, count(*) FROM compute_comparison WHERE is_flagged "
                       "AND ($set IS NULL OR assumption_set = $set) GROUP BY 1", {"set": assumption_set}).fetchall()
    counts = dict.fromkeys(STATUSES, 0) | {status: int(n) for status, n in rows}
    return counts


def filter_choices(con) -> dict[str, list[str]]:
    """The values each queue filter can take in this warehouse (flagged runs only), sorted."""
    def distinct(sql: str) -> list[str]:
        return sorted(str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None)
    flagged = "FROM compute_comparison c LEFT JOIN training_runs t USING (run_id) WHERE c.is_flagged"
    return {
        "source": distinct(f"SELECT DISTINCT t.source {flagged}"),
        "domain": distinct(f"SELECT DISTINCT t.domain {flagged}"),
        "severity": [s for s in SEVERITIES if s in distinct(f"SELECT DISTINCT c.severity {flagged}")],
        "assumption_set": distinct(f"SELECT DISTINCT c.assumption_set {flagged}"),
        "status": [*STATUSES, "all"],
    }


def last_run(con) -> dict | None:
    """The newest pipeline run: {pipeline_run_id, started_at, ended_at, status, assumption_set, sources}."""
    result = con.execute("SELECT pipeline_run_id, started_at, ended_at, status, assumption_set, sources "
                         "FROM meta__run_log ORDER BY started_at DESC LIMIT 1")
    row = result.fetchone()
    return None if row is None else dict(zip([d[0] for d in result.description], row))


def paper_of(con, paper_id: str | None) -> dict | None:
    """The paper a run came from (title, link, date), or None."""
    if not paper_id:
        return None
    result = con.execute("SELECT paper_id, title, published_date, arxiv_id, doi, url FROM papers WHERE paper_id = ?",
                         [paper_id])
    row = result.fetchone()
    return None if row is None else dict(zip([d[0] for d in result.description], row))
