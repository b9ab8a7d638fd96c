"""arXiv ingestion page by page into a real DuckDB file, against a real local HTTP server."""

import datetime as dt
import json
from pathlib import Path

from werkzeug import Response

from flows.arxiv_ingest import ingest_arxiv, month_windows
from sources.arxiv import arxiv_client
from warehouse.connection import connect_for_write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv"
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 21))


def serve(httpserver, bodies):
    """Answer successive requests with successive bodies; record the start offsets asked for."""
    starts = []

    def handler(request):
        starts.append(int(request.args["start"]))
        return Response(bodies[min(len(starts), len(bodies)) - 1], content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    return starts


def ingest(con, httpserver, sleeps):
    """One ingestion with a fake clock: time moves only when the client sleeps."""
    now = [1000.0]

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    client = arxiv_client(sleep=sleep, clock=lambda: now[0], backoff_jitter_seconds=0)
    with client:
        return ingest_arxiv(con, client, httpserver.url_for("/api/query"), ("cs.LG",), *NOV, 2, "run-1")


def test_month_windows_keep_whole_months_so_cursor_keys_stay_put():
    assert month_windows(dt.date(2026, 10, 15), dt.date(2026, 11, 3)) == [
        (dt.date(2026, 10, 15), dt.date(2026, 10, 31)), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))]


def test_a_malformed_page_is_quarantined_with_its_body_and_the_next_run_asks_again(httpserver, tmp_path):
    page1, page2 = (FIXTURES / "query_page1.xml").read_bytes(), (FIXTURES / "query_page2.xml").read_bytes()
    truncated = (FIXTURES / "query_truncated.xml").read_bytes()
    starts = serve(httpserver, [page1, truncated])
    con = connect_for_write(tmp_path / "w.duckdb")
    sleeps = []
    counts = ingest(con, httpserver, sleeps)
    assert starts == [0, 2] and counts["pages"] == 1 and counts["malformed_pages"] == 1
    assert counts["rows_in"] == counts["landed"] == 2
    assert sleeps == [3.0]  # arXiv's 3 s between the two requests, through the injected sleep
    payload, reason = con.execute("SELECT payload, reason FROM meta__quarantine_records WHERE source = 'arxiv'").fetchone()
    assert "malformed" in reason.lower() and json.loads(payload)["body"] == truncated.decode()
    cursor = json.loads(con.execute("SELECT cursor_value FROM meta__source_cursors WHERE source = 'arxiv'").fetchone()[0])
    assert cursor == {"complete": False, "start": 2, "total": 3}  # the bad page did not move it

    httpserver.clear()
    starts = serve(httpserver, [page2])
    counts = ingest(con, httpserver, sleeps)
    assert starts == [2] and counts["landed"] == 1  # resumed at the page that failed
    assert con.execute("SELECT count(*) FROM raw_arxiv__entries").fetchone()[0] == 3
    kept = con.execute("SELECT count(*) FROM raw_http__responses WHERE source = 'arXiv'").fetchone()[0]
    assert kept == 3  # page 1, the malformed page (kept as evidence), page 2
    con.close()
