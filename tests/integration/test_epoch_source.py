"""Epoch AI's models CSV through the whole pipeline, served over a real local HTTP server."""

import json
import os
import re
from pathlib import Path

import pytest

from tests.integration.test_pipeline import cli, query

pytestmark = pytest.mark.integration
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "notable_ai_models_sample.csv"




@pytest.fixture()
def epoch_url(httpserver):
    httpserver.expect_request("/data/epochdb/notable_ai_models.csv").respond_with_data(
        FIXTURE.read_bytes(), content_type="text/csv")
    return httpserver.url_for("/data/epochdb/notable_ai_models.csv")


def test_cli_run_on_epochs_csv_accounts_for_every_row(prefect_api_url, epoch_url, httpserver, tmp_path):
    # the sample has all 57 of Epoch's columns, a quoted multi-line note, empty cells, numbers in
    # scientific notation, a row with no Model (quarantined whole) and three bad cells ('September 2014';
    # '96 (K80)' and 'about 6 days'), each quarantined alone while its row lands (issue 11)
    path = tmp_path / "w.duckdb"
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "FLOPLEDGER_REVIEWS_FILE": str(tmp_path / "none.csv")}
    result = cli("run", "--source", "epoch", "--epoch-models-url", epoch_url, "--warehouse", str(path), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(httpserver.log) == 1 and "flopledger" in httpserver.log[0][0].headers["User-Agent"]
    counts = json.loads(query(path, "SELECT counts FROM meta__run_log")[0][0])
    raw = next(c for c in counts if c["table"] == "raw_epoch__models")
    assert (raw["rows_in"], raw["landed"], raw["quarantined"]) == (12, 11, 1)
    assert query(path, "SELECT count(*) FROM raw_epoch__models")[0][0] == 11
    bad = dict(query(path, "SELECT record_key, string_agg(reason, ' | ' ORDER BY reason) FROM quarantine "
                           "WHERE source = 'epoch' AND record_key IS NOT NULL GROUP BY record_key"))
    assert "'96 (K80)' is not a number" in bad["GNMT"] and "'September 2014'" in bad["Seq2seq LSTM"]
    payload = json.loads(query(path, "SELECT payload FROM quarantine WHERE record_key = 'GNMT' LIMIT 1")[0][0])
    assert payload["Hardware quantity"] == "96 (K80)"  # enough to fix and replay the row
    # Epoch's figure is kept as reported, with who states it and how sure
    gpt3 = query(path, "SELECT hardware_id, chip_count, training_hours, reported_flop, reported_flop_source, "
                       "reported_flop_confidence FROM core__training_runs WHERE run_id = 'epoch__gpt_3_175b_davinci'")[0]
    assert gpt3 == ("nvidia_tesla_v100_dgxs_32gb", 10000.0, 355.2, 3.14e23, "Epoch AI", "Confident")
    kept = query(path, "SELECT url, status, response_sha256, sha256(body) FROM raw_http__responses WHERE source = 'epoch'")
    assert len(kept) == 1 and kept[0][0] == epoch_url and kept[0][1] == 200 and kept[0][2] == kept[0][3]
    record = json.loads(query(path, "SELECT record FROM raw_epoch__models WHERE record_key = 'AlexNet'")[0][0])
    assert record["Model"] == "AlexNet" and "Training compute (FLOP)" in record  # Epoch's own column names


def test_epoch_notes_go_through_extraction_and_papers_merge_with_curated(run_flow, epoch_url, tmp_path):
    path, reviews = tmp_path / "w.duckdb", tmp_path / "none.csv"
    run_flow(warehouse=path, reviews_file=reviews)  # the curated papers first
    papers_before = query(path, "SELECT count(*) FROM papers")[0][0]
    summary = run_flow(warehouse=path, sources=("epoch",), epoch_models_url=epoch_url, reviews_file=reviews)
    papers = next(c for c in summary["counts"] if c["source"] == "epoch" and c["table"] == "papers")
    assert papers["rows_in"] == papers["landed"] + papers["quarantined"] + papers["merged"]
    # every Epoch paper in the sample is a curated paper too (same arXiv id or title): merged, not duplicated
    assert query(path, "SELECT count(*) FROM papers")[0][0] == papers_before + papers["landed"]
    assert query(path, "SELECT paper_id FROM training_runs WHERE run_id = 'epoch__gpt_3_175b_davinci'") == [("brown2020_gpt3",)]
    # the curated runs are still estimated after a run that read only Epoch
    assert query(path, "SELECT count(*) FROM compute_comparison WHERE run_id = 'gpt3_175b'")[0][0] == 1
    extracted = query(path, "SELECT field, span_text FROM run_extractions WHERE run_id = 'epoch__alexnet' ORDER BY field")
    assert ("hardware_text", "GTX 580") in extracted or any(f == "hardware_text" for f, _ in extracted)
    # the same file again: nothing new lands, the cursor keeps the file's sha256
    before = query(path, "SELECT record_key, first_landed_at, updated_at FROM raw_epoch__models ORDER BY ALL")
    run_flow(warehouse=path, sources=("epoch",), epoch_models_url=epoch_url, reviews_file=reviews)
    assert query(path, "SELECT record_key, first_landed_at, updated_at FROM raw_epoch__models ORDER BY ALL") == before
    cursor = query(path, "SELECT cursor_value FROM meta__source_cursors WHERE source = 'epoch'")[0][0]
    assert len(cursor) == 64


def test_an_unreachable_epoch_url_is_one_clear_line(prefect_api_url, httpserver, tmp_path):
    httpserver.expect_request("/missing.csv").respond_with_data("no", status=404)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_LEVEL"}  # as in a user's shell
    env["PREFECT_API_URL"] = prefect_api_url
    result = cli("run", "--source", "epoch", "--epoch-models-url", httpserver.url_for("/missing.csv"),
                 "--warehouse", str(tmp_path / "w.duckdb"), env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()  # the stage lines (issue 17), then one error line, no traceback
    assert lines[-1] == f"flopledger: error: epoch: {httpserver.url_for('/missing.csv')} answered HTTP 404 Not Found"
    assert re.fullmatch(r"\[ *\d+\.\d s\] failed read epoch \(\d+\.\d s\)", lines[-2]), lines[-2]
    assert "Traceback" not in result.stderr and sum(line.startswith("flopledger: error") for line in lines) == 1
    assert len(httpserver.log) == 1  # a 404 is not retried, by the client or by Prefect


def test_the_arxiv_snapshot_source_accounts_for_every_line(run_flow, tmp_path):
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_snapshot" / "sample.jsonl"
    path = tmp_path / "w.duckdb"
    summary = run_flow(warehouse=path, sources=("arxiv_snapshot",), arxiv_snapshot=sample, reviews_file=tmp_path / "x.csv")
    count = next(c for c in summary["counts"] if c["source"] == "arxiv_snapshot")
    lines = [line for line in sample.read_text().splitlines() if line.strip()]
    assert count["rows_in"] == len(lines) == count["landed"] + count["quarantined"] + count["filtered"]
    assert count["quarantined"] == 1 and count["landed"] == query(path, "SELECT count(*) FROM raw_arxiv_snapshot__records")[0][0]
    assert query(path, "SELECT count(*) FROM raw_arxiv_snapshot__rejects")[0][0] == 1
    # every kept record becomes a paper (or a quarantined row), with its first-version date and categories
    papers = next(c for c in summary["counts"] if c["source"] == "arxiv_snapshot" and c["table"] == "papers")
    assert papers["rows_in"] == count["landed"] == papers["landed"] + papers["quarantined"]
    assert query(path, "SELECT count(*) FROM papers WHERE source = 'arxiv_snapshot'")[0][0] == papers["landed"]
    dated = query(path, "SELECT count(*) FROM papers WHERE source = 'arxiv_snapshot' AND published_date IS NOT NULL")
    assert dated[0][0] == papers["landed"] > 0
