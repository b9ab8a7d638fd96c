"""`flopledger run` as a new user sees it (issue 17, item 1), called in process: a first line naming the
warehouse before Prefect starts, one line per stage as it starts and ends, and a summary that fits 80
columns, shows only the sources that ran and counts the quarantine exactly as the view does (the
arXiv snapshot's malformed line included)."""

import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.integration.test_pipeline import query

pytestmark = pytest.mark.integration
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_snapshot" / "sample.jsonl"
QUARANTINE_LINE = re.compile(r"^\s+(\S+) / (\S+)\s+([\d,]+)\s*$")


@pytest.fixture(scope="module")
def talking_run(prefect_api_url, tmp_path_factory):
    path = tmp_path_factory.mktemp("talks") / "w.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_API_URL", prefect_api_url)
        patch.setenv("COLUMNS", "80")
        result = run_cli("run", "--source", "curated", "--source", "arxiv_snapshot", "--arxiv-snapshot", SAMPLE,
                         "--warehouse", path)
    assert result.returncode == 0, result.stderr[-2000:]
    return path, result


def test_the_first_line_names_the_warehouse_and_prefect_then_each_stage_starts_and_ends(talking_run):
    path, result = talking_run
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"flopledger: warehouse {path.resolve()}; sources curated, arxiv_snapshot")
    assert "start Prefect start-up (reporting to http://127.0.0.1" in lines[1]
    stages = ["read the reference tables", "load the arxiv_snapshot file", "read curated",
              "estimate compute (epoch-2022)", "land in the warehouse", "publish the review queue"]
    starts = [next(i for i, line in enumerate(lines) if line.endswith(f"start {name}")) for name in stages]
    ends = [next(i for i, line in enumerate(lines) if f"done  {name}" in line) for name in stages]
    assert starts == sorted(starts) and all(s < e for s, e in zip(starts, ends))
    curated = lines[ends[2]]
    assert re.search(r"read curated: 37 rows in, 37 papers, 41 runs validated, 0 quarantined \(\d+\.\d s\)$", curated)
    assert "13 lines read, 6 kept, 1 quarantined" in lines[ends[1]]
    assert re.fullmatch(r"flopledger: run finished in \d+\.\d s", lines[-1])


def test_the_summary_counts_the_quarantine_as_the_view_does(talking_run):
    path, result = talking_run
    shown = {(m[1], m[2]): int(m[3].replace(",", "")) for m in map(QUARANTINE_LINE.match, result.stdout.splitlines()) if m}
    in_view = {(s, t): n for s, t, n in query(path, "SELECT source, table_name, count(*) FROM quarantine "
                                                    "WHERE status = 'open' GROUP BY ALL")}
    assert shown == in_view
    assert in_view[("arxiv_snapshot", "raw_arxiv_snapshot__records")] == 1  # the snapshot's malformed line
    payload = query(path, "SELECT payload FROM quarantine WHERE source = 'arxiv_snapshot'")[0][0]
    assert '"line_number"' in payload and '"line"' in payload  # enough to find, fix and replay the line


def test_the_summary_fits_80_columns_and_shows_only_sources_that_ran(talking_run):
    _, result = talking_run
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for name in ("raw_arxiv_snapshot__records", "out__compute_comparison", "ref__hardware_aliases"):
        assert re.search(rf"\b{name}\b", result.stdout), name  # whole, never cut
    for absent in ("semantic_scholar", "openalex", "enrichment"):
        assert absent not in result.stdout
