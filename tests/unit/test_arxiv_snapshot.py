"""arXiv bulk snapshot loader: a hand-written excerpt in the snapshot's format into a real DuckDB file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from warehouse.arxiv_snapshot import classify_line, load_arxiv_snapshot
from sources.errors import SourceError
from warehouse.connection import connect_for_write

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_snapshot" / "sample.jsonl"
# Records of sample.jsonl with a category in cs.LG/cs.CL/cs.CV/cs.AI/stat.ML, primary or not.
KEPT = {"2301.00012", "2301.00047", "2301.00150", "2302.00410", "2302.00555", "2302.00777"}
SNAPSHOT_FIELDS = ["id", "submitter", "authors", "title", "comments", "journal-ref", "doi", "report-no",
                   "categories", "license", "abstract", "versions", "update_date", "authors_parsed"]


@pytest.fixture
def con(tmp_path):
    connection = connect_for_write(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


def landed(con) -> dict:
    rows = con.execute("SELECT * FROM raw_arxiv_snapshot__records ORDER BY id").fetchall()
    names = [column[0] for column in con.description]
    return {row[0]: dict(zip(names, row)) for row in rows}


def test_lands_records_in_the_wanted_categories_under_the_snapshots_field_names(con):
    counts = load_arxiv_snapshot(con, SAMPLE)
    rows = landed(con)
    assert set(rows) == KEPT  # stat.ME, cs.CY, hep-th and friends stay out
    assert list(next(iter(rows.values())))[:14] == SNAPSHOT_FIELDS
    both = rows["2301.00047"]
    assert both["categories"] == "cs.LG stat.ML"
    assert json.loads(both["versions"])[1] == {"version": "v2", "created": "Fri, 17 Feb 2023 11:40:31 GMT"}
    assert json.loads(both["authors_parsed"]) == [["Brandt", "Jonas", ""], ["Haddad", "Leila", ""]]
    assert both["journal-ref"] is None and both["update_date"] == "2023-02-20"
    assert both["source_file"] == str(SAMPLE) and both["file_sha256"] == counts["file_sha256"]
    assert rows["2301.00012"]["title"] == "Sparse warm-up schedules for\n  small transformer language models"


def test_counts_account_for_every_line(con):
    counts = load_arxiv_snapshot(con, SAMPLE)
    lines = len(SAMPLE.read_text(encoding="utf-8").splitlines())
    assert counts["rows_read"] == lines == 13
    assert (counts["rows_kept"], counts["rows_filtered_out"], counts["malformed"]) == (6, 6, 1)
    assert counts["rows_read"] == counts["rows_kept"] + counts["rows_filtered_out"] + counts["malformed"]
    assert (counts["rows_landed"], counts["rows_unchanged"], counts["duplicate_ids"]) == (6, 0, 0)


def test_malformed_line_lands_in_rejects_with_its_text_and_reason(con):
    load_arxiv_snapshot(con, SAMPLE)
    rejects = con.execute("SELECT line_number, line, reason FROM raw_arxiv_snapshot__rejects").fetchall()
    assert len(rejects) == 1
    number, line, reason = rejects[0]
    assert number == 6 and line.startswith('{"id":"2301.00250"') and line.endswith('"abstr')
    assert reason.startswith("not valid JSON")


def test_second_load_of_the_same_file_changes_nothing(con):
    load_arxiv_snapshot(con, SAMPLE)
    before = landed(con)
    again = load_arxiv_snapshot(con, SAMPLE)
    assert (again["rows_landed"], again["rows_unchanged"]) == (0, 6)
    assert landed(con) == before  # loaded_at included: nothing was rewritten
    assert con.execute("SELECT count(*) FROM raw_arxiv_snapshot__rejects").fetchone()[0] == 1


def test_later_file_with_an_updated_record_updates_only_that_record(con, tmp_path):
    load_arxiv_snapshot(con, SAMPLE)
    before = landed(con)
    records = SAMPLE.read_text(encoding="utf-8").splitlines()
    updated = json.loads(records[0])
    updated["versions"].append({"version": "v2", "created": "Mon, 6 Mar 2023 10:00:00 GMT"})
    updated |= {"update_date": "2023-03-07", "journal-ref": "Toy Journal of Learning 3 (2023) 1-14"}
    later = tmp_path / "later.jsonl"
    later.write_text("\n".join([json.dumps(updated, separators=(",", ":"))] + records[1:]) + "\n", encoding="utf-8")
    counts = load_arxiv_snapshot(con, later)
    after = landed(con)
    assert (counts["rows_landed"], counts["rows_unchanged"]) == (1, 5)
    assert after["2301.00012"]["update_date"] == "2023-03-07"
    assert len(json.loads(after["2301.00012"]["versions"])) == 2
    assert after["2301.00012"]["source_file"] == str(later)
    assert {key: row for key, row in after.items() if key != "2301.00012"} == \
        {key: row for key, row in before.items() if key != "2301.00012"}


def test_missing_file_is_one_line_source_error(con, tmp_path):
    with pytest.raises(SourceError) as caught:
        load_arxiv_snapshot(con, tmp_path / "arxiv-metadata-oai-snapshot.json")
    assert "no file at" in str(caught.value) and "\n" not in str(caught.value)


def test_limit_reads_only_the_first_records(con):
    counts = load_arxiv_snapshot(con, SAMPLE, limit=4)
    assert (counts["rows_read"], counts["rows_kept"], counts["rows_filtered_out"], counts["malformed"]) == (4, 3, 1, 0)
    assert set(landed(con)) == {"2301.00012", "2301.00047", "2301.00150"}
    assert load_arxiv_snapshot(con, SAMPLE, limit=0)["rows_read"] == 0
    rest = load_arxiv_snapshot(con, SAMPLE)  # into a table with rows: only the new ones land
    assert (rest["rows_landed"], rest["rows_unchanged"]) == (3, 3) and set(landed(con)) == KEPT


def test_gzip_file_is_read_natively(con, tmp_path):
    packed = tmp_path / "snapshot.json.gz"
    packed.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    counts = load_arxiv_snapshot(con, packed)
    assert (counts["rows_read"], counts["rows_landed"], counts["malformed"]) == (13, 6, 1)
    assert con.execute("SELECT line_number FROM raw_arxiv_snapshot__rejects").fetchall() == [(6,)]


def test_duplicate_ids_in_one_file_keep_the_latest_update(con, tmp_path):
    first = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    newer = first | {"update_date": "2024-01-01", "title": "Renamed"}
    twice = tmp_path / "twice.jsonl"
    twice.write_text("\n\n".join(json.dumps(r) for r in [newer, first]) + "\n", encoding="utf-8")
    counts = load_arxiv_snapshot(con, twice)
    assert (counts["rows_read"], counts["rows_kept"], counts["duplicate_ids"], counts["rows_landed"]) == (2, 2, 1, 1)
    assert landed(con)["2301.00012"]["title"] == "Renamed"


def test_every_kind_of_bad_line_is_counted_and_kept(con, tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = SAMPLE.read_bytes().splitlines()[0]
    bad.write_bytes(b"\n".join([good, b"[1, 2]", b"   ", b'{"title": "no id"}', b'{"id": "x\xe9"}', b"not json"]) + b"\n")
    counts = load_arxiv_snapshot(con, bad, categories=None)
    assert (counts["rows_read"], counts["rows_kept"], counts["malformed"]) == (5, 1, 4)  # the blank line is no record
    rejects = con.execute("SELECT line_number, reason FROM raw_arxiv_snapshot__rejects ORDER BY 1").fetchall()
    assert [number for number, _ in rejects] == [2, 4, 5, 6]
    assert [reason.split(" (")[0] for _, reason in rejects] == \
        ["not a JSON object", "no id", "not UTF-8", "not valid JSON"]


def test_progress_callback_leaves_duckdbs_settings_as_they_were(con):
    setting = "SELECT current_setting('enable_progress_bar'), current_setting('enable_progress_bar_print')"
    before = con.execute(setting).fetchone()
    counts = load_arxiv_snapshot(con, SAMPLE, progress=lambda stage, percent: None)
    assert counts["rows_landed"] == 6 and con.execute(setting).fetchone() == before


def test_classify_line_names_the_problem():
    assert classify_line(b'{"id": "1"}') == "DuckDB's JSON reader could not read it"
    assert classify_line(b'"just a string"') == "not a JSON object (a JSON str)"
