"""arXiv ingestion against a local server whose data grows: incremental, resumable, polite."""

import os
import signal
import subprocess
import sys
import threading
from urllib.parse import parse_qs

import duckdb
import pytest
from werkzeug import Response

pytestmark = pytest.mark.integration
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/test</id>
  <updated>2026-11-20T00:00:00-05:00</updated>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>
{entries}
</feed>"""
ENTRY = """  <entry>
    <id>http://arxiv.org/abs/2611.{n:05d}v1</id>
    <updated>2026-11-{day:02d}T10:00:00Z</updated>
    <published>2026-11-{day:02d}T10:00:00Z</published>
    <title>A Test Model Number {n} Trained on Many Accelerators</title>
    <summary>We train test model {n} on 64 invented accelerators for two weeks.</summary>
    <author><name>A. Tester</name></author>
    <link href="http://arxiv.org/abs/2611.{n:05d}v1" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""


class GrowingArxiv:
    """Serves the first `visible` of its entries, in submission order, like the arXiv API."""

    def __init__(self, visible: int):
        self.visible, self.starts, self.hold_at = visible, [], None
        self.held, self.release = threading.Event(), threading.Event()

    def __call__(self, request):
        params = parse_qs(request.query_string.decode())
        start, size = int(params["start"][0]), int(params["max_results"][0])
        assert "(cat:cs.LG) AND submittedDate:[202611010000 TO 2026112" in params["search_query"][0]
        assert params["sortBy"] == ["submittedDate"] and params["sortOrder"] == ["ascending"]
        self.starts.append(start)
        if self.hold_at is not None and start == self.hold_at:
            self.held.set()
            self.release.wait(120)  # the test kills the run while this request hangs
        shown = range(start, min(start + size, self.visible))
        body = FEED.format(total=self.visible, start=start, size=size,
                           entries="\n".join(ENTRY.format(n=n + 1, day=1 + n % 20) for n in shown))
        return Response(body, content_type="application/atom+xml")


def run_cli(url, path, env, popen=False, until="2026-11-21"):
    args = [sys.executable, "-m", "flows.cli", "run", "--source", "arxiv", "--arxiv-url", url, "--warehouse", str(path),
            "--category", "cs.LG", "--since", "2026-11-01", "--until", until]
    if popen:
        return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)


def landed(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT record_key FROM raw_arxiv__entries ORDER BY 1").fetchall(), \
            con.execute("SELECT count(*) FROM papers WHERE source = 'arxiv'").fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def env(prefect_api_url, tmp_path):
    # page size 2 keeps the page sequence short; no wait between requests in tests
    return {**os.environ, "PREFECT_API_URL": prefect_api_url, "FLOPLEDGER_ARXIV_PAGE_SIZE": "2",
            "FLOPLEDGER_ARXIV_MIN_INTERVAL_SECONDS": "0", "FLOPLEDGER_REVIEWS_FILE": str(tmp_path / "none.csv")}


def test_second_run_asks_only_for_new_pages_and_adds_only_new_rows(httpserver, env, tmp_path):
    server = GrowingArxiv(visible=5)
    httpserver.expect_request("/api/query").respond_with_handler(server)
    url, path = httpserver.url_for("/api/query"), tmp_path / "w.duckdb"

    first = run_cli(url, path, env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert server.starts == [0, 2, 4]
    rows, papers = landed(path)
    assert len(rows) == 5 and papers == 5

    server.visible, server.starts = 8, []
    second = run_cli(url, path, env, until="2026-11-24")  # a later scheduled run: the window reaches further
    assert second.returncode == 0, second.stderr[-2000:]
    assert server.starts == [5, 7]  # only the pages after the cursor
    rows, papers = landed(path)
    assert [r[0] for r in rows] == [f"2611.{n:05d}" for n in range(1, 9)] and papers == 8


def test_a_run_killed_mid_way_resumes_without_losing_or_duplicating(httpserver, env, tmp_path):
    server = GrowingArxiv(visible=7)
    server.hold_at = 4  # pages 0 and 2 commit, then the run hangs on the third page
    httpserver.expect_request("/api/query").respond_with_handler(server)
    url, path = httpserver.url_for("/api/query"), tmp_path / "w.duckdb"

    process = run_cli(url, path, env, popen=True)
    assert server.held.wait(timeout=240), "the run never reached the third page"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    server.release.set()
    rows, _ = landed(path)
    assert len(rows) == 4  # two committed pages survive the kill; nothing half-written

    server.hold_at, server.starts = None, []
    again = run_cli(url, path, env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert server.starts == [4, 6]  # resumed at the first page that was not committed
    rows, papers = landed(path)
    assert [r[0] for r in rows] == [f"2611.{n:05d}" for n in range(1, 8)] and papers == 7
