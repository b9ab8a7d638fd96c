"""What a run needs to know about the warehouse before and after landing: other sources' rows,
per-source cursors, and the totals it reports."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.connection import connect_read_only, resolve_warehouse_path


def read_query(warehouse, query: str, params=None) -> pd.DataFrame | None:
    if not resolve_warehouse_path(warehouse).exists():
        return None
    con = connect_read_only(warehouse, locked=False)  # the run may hold its write connection
    try:
        return con.execute(query, params or []).df()
    except duckdb.CatalogException:  # an older file without the table: nothing landed there yet
        return None
    finally:
        con.close()


def read_other_sources(warehouse, sources: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training runs of the sources not read this time, papers of those sources), so estimates
    cover every run in the warehouse and papers deduplicate against what is already there."""
    names = list(sources)
    runs = read_query(warehouse, "SELECT * EXCLUDE (row_hash, first_landed_at, updated_at) FROM core__training_runs "
                            "WHERE NOT list_contains($1, source)", [names])
    papers = read_query(warehouse, "SELECT paper_id, title, arxiv_id, doi, categories, sources, source FROM core__papers "
                              "WHERE NOT list_contains($1, source)", [names])
    empty = pd.DataFrame(columns=["paper_id", "title", "arxiv_id", "doi", "source"])
    return (runs if runs is not None else pd.DataFrame(columns=["run_id"])), (papers if papers is not None else empty)


def read_table(warehouse, table: str) -> pd.DataFrame:
    """A whole warehouse table (e.g. the raw rows a source committed page by page)."""
    found = read_query(warehouse, f"SELECT * FROM {table}")
    return found if found is not None else pd.DataFrame()


def papers_due(warehouse, papers: pd.DataFrame, service: str, refresh_days: float) -> pd.DataFrame:
    """The papers `service` has not described within `refresh_days` (all of them on a new warehouse)."""
    fresh = read_query(warehouse, "SELECT paper_id FROM core__paper_metrics WHERE source = ? "
                             "AND checked_at >= now() - to_days(CAST(? AS INTEGER))", [service, int(refresh_days)])
    if fresh is None or fresh.empty:
        return papers
    return papers[~papers["paper_id"].isin(set(fresh["paper_id"]))].reset_index(drop=True)


def sources_landed_before(warehouse) -> list[str]:
    found = read_query(warehouse, "SELECT DISTINCT source FROM core__training_runs")
    return [] if found is None else found["source"].tolist()


def save_cursors(con: duckdb.DuckDBPyConnection, cursors: list[tuple[str, str, str]], pipeline_run_id: str) -> None:
    """Record where each source stopped; inside the landing transaction, so a cursor moves only
    with the rows it covers."""
    for source, key, value in cursors:
        con.execute("INSERT INTO meta__source_cursors VALUES (?, ?, ?, ?, now()) ON CONFLICT (source, cursor_key) "
                    "DO UPDATE SET cursor_value = excluded.cursor_value, pipeline_run_id = excluded.pipeline_run_id, "
                    "updated_at = excluded.updated_at", [source, key, value, pipeline_run_id])


TOTALS_SQL = """
SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM training_runs),
       (SELECT count(*) FILTER (WHERE method = 'operations') FROM compute_estimates WHERE assumption_set = $1),
       (SELECT count(*) FILTER (WHERE method = 'hardware') FROM compute_estimates WHERE assumption_set = $1),
       (SELECT count(*) FILTER (WHERE method = 'reported') FROM compute_estimates WHERE assumption_set = $1),
       (SELECT count(*) FILTER (WHERE is_flagged) FROM compute_comparison WHERE assumption_set = $1),
       (SELECT count(*) FROM quarantine WHERE status = 'open'),
       (SELECT count(*) FROM hardware_unresolved WHERE status = 'open'),
       (SELECT count(*) FILTER (WHERE review_status IN ('open', 'stale')) FROM compute_comparison WHERE assumption_set = $1)
"""
TOTAL_KEYS = ["papers", "training_runs", "operations_estimates", "hardware_estimates", "reported_estimates",
              "flagged", "quarantined_open", "unresolved_hardware_names", "open_reviews"]


def run_totals(con: duckdb.DuckDBPyConnection, assumption_set: str) -> dict:
    return dict(zip(TOTAL_KEYS, con.execute(TOTALS_SQL, [assumption_set]).fetchone()))


def open_quarantine(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The open rows of the `quarantine` view by source and table, as a run's summary shows them."""
    rows = con.execute("SELECT source, table_name, count(*) FROM quarantine WHERE status = 'open' "
                       "GROUP BY source, table_name ORDER BY source, table_name").fetchall()
    return [{"source": s, "table": t, "rows": int(n)} for s, t, n in rows]


def save_responses(con: duckdb.DuckDBPyConnection, responses: list, pipeline_run_id: str) -> int:
    """Every HTTP answer a source used, with its provenance, so re-parsing never needs a re-fetch;
    the same body from the same URL is kept once."""
    for r in responses:
        con.execute("INSERT INTO raw_http__responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [r.sha256, r.url, r.source, r.params, r.fetched_at, r.status, r.content_type, r.body, pipeline_run_id])
    return len(responses)


def save_notability(con: duckdb.DuckDBPyConnection, judged: pd.DataFrame) -> None:
    """Each paper's notability verdict and its reason, whichever source sent the paper."""
    if judged.empty:
        return
    con.register("judged_papers", judged[["paper_id", "is_notable", "notability_reason"]])
    try:
        con.execute("UPDATE core__papers p SET is_notable = j.is_notable, notability_reason = j.notability_reason "
                    "FROM judged_papers j WHERE p.paper_id = j.paper_id AND (p.is_notable IS DISTINCT FROM j.is_notable "
                    "OR p.notability_reason IS DISTINCT FROM j.notability_reason)")
    finally:
        con.unregister("judged_papers")


def mark_checked(con: duckdb.DuckDBPyConnection, metrics: pd.DataFrame) -> None:
    """Stamp the papers each service described in this run (content changed or not)."""
    if metrics.empty:
        return
    con.register("checked_metrics", metrics[["paper_id", "source"]])
    try:
        con.execute("UPDATE core__paper_metrics m SET checked_at = now() FROM checked_metrics c "
                    "WHERE m.paper_id = c.paper_id AND m.source = c.source")
    finally:
        con.unregister("checked_metrics")
