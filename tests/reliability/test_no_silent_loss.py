"""No silent loss (issue 12): an impossible date, an absurd count or an MFU above 1 costs its cell (quarantined
with the reason), never the row or the run; a header-only Epoch file is "no rows", not a crash."""

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from flows.fetch import fetch_epoch_batch
from flows.transform.ingest.epoch_cells import read_date, read_number, read_utilization
from warehouse.seeds import read_hardware_aliases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "epoch"
TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize("text,value,check", [
    ("2017-06-12", "2017-06-12", None),
    ("1950-01-01", "1950-01-01", None),
    ("2027-12-06", "2027-12-06", None),            # within today plus a year
    ("2028-01-01", None, "date_in_range"),
    ("9999-12-31", None, "date_in_range"),          # pandas cannot even hold it
    ("1800-05-01", None, "date_in_range"),
    ("0000-01-01", None, "date_parses"),            # no year 0: crashed the run with NotImplementedError before
    ("September 2014", None, "date_parses"),
])
def test_dates_outside_the_sane_range_cost_the_cell(text, value, check):
    got, problem = read_date(text, "Publication date", today=TODAY)
    assert got == value and (problem[0] if problem else None) == check


@pytest.mark.parametrize("text,check", [("1e308", "physical_range"), ("3e33", "physical_range"), ("-5", "positive"),
                                        ("inf", "number_parses"), ("1.75e11", None)])
def test_counts_beyond_physical_sense_cost_the_cell(text, check):
    value, problem = read_number(text, "Parameters")
    assert (problem[0] if problem else None) == check
    assert (value is None) == (check is not None) and (value is None or math.isfinite(value))


@pytest.mark.parametrize("text,value,check", [("0.45", 0.45, None), ("45%", 0.45, None), ("2.5", None, "utilization_fraction"),
                                              ("-0.3", None, "positive")])
def test_mfu_above_one_is_read_only_when_it_says_percent(text, value, check):
    got, problem = read_utilization(text, "Hardware utilization (MFU)")
    assert got == (pytest.approx(value) if value is not None else None) and (problem[0] if problem else None) == check


def test_a_file_of_bad_cells_lands_every_row_with_the_cells_quarantined(tmp_path):
    frame = pd.read_csv(FIXTURES / "notable_ai_models_sample.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "Publication date"] = "9999-12-31"
    frame.loc[1, "Publication date"] = "0000-01-01"
    frame.loc[2, "Parameters"] = "1e308"
    frame.loc[3, "Hardware utilization (MFU)"] = "2.5"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    good = fetch_epoch_batch(str(FIXTURES / "notable_ai_models_sample.csv"), None, read_hardware_aliases(), None)
    bad = fetch_epoch_batch(str(tmp_path / "bad.csv"), None, read_hardware_aliases(), None)
    assert len(bad.core.papers) == len(good.core.papers) and len(bad.core.runs) == len(good.core.runs)
    reasons = bad.core.quarantine["reason"].tolist()
    for fragment in ("'9999-12-31' is outside 1950-01-01", "'0000-01-01' is not a date", "'1e308' is above 1e+32",
                     "'2.5' is above 1 and not written as a percentage"):
        assert any(fragment in r for r in reasons), (fragment, reasons)
    assert len(reasons) == len(good.core.quarantine) + 4


def test_a_header_only_file_is_no_rows_not_an_error():
    batch = fetch_epoch_batch(str(FIXTURES / "notable_ai_models_header_only.csv"), None, read_hardware_aliases(), None)
    assert batch.raw.empty and batch.core.papers.empty and batch.core.runs.empty and batch.core.quarantine.empty


def test_importing_a_newer_decision_supersedes_the_older_and_reports_unknown_runs(tmp_path):
    import csv

    from schemas.review_decision import make_decision_id
    from tests.slow.test_review import EPOCH, insert_comparisons
    from warehouse.connection import connect_for_write
    from warehouse.reviews import export_decisions, import_decisions, record_decision

    source = connect_for_write(tmp_path / "a.duckdb")
    insert_comparisons(source)
    record_decision(source, "gpt3_175b", EPOCH, "hardware", "newer view", decided_at=dt.datetime(2025, 3, 1))
    export_decisions(source, tmp_path / "d.csv")
    source.close()
    rows = list(csv.DictReader((tmp_path / "d.csv").open(encoding="utf-8")))
    stray = dict(rows[0], run_id="no_such_run")
    stray["decision_id"] = make_decision_id("no_such_run", EPOCH, stray["decided_at"], stray["accepted"], float(stray["accepted_flop"]))
    with (tmp_path / "d.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0])).writerow(stray)

    target = connect_for_write(tmp_path / "b.duckdb")
    insert_comparisons(target)
    older = record_decision(target, "gpt3_175b", EPOCH, "operations", "older view", decided_at=dt.datetime(2025, 1, 1))
    notices: list[str] = []
    assert import_decisions(target, tmp_path / "d.csv", notices) == (2, 0)
    states = dict(target.execute("SELECT note, status FROM ref__review_decisions WHERE run_id = 'gpt3_175b'").fetchall())
    reason = target.execute("SELECT status_reason FROM ref__review_decisions WHERE decision_id = ?",
                            [older["decision_id"]]).fetchone()[0]
    target.close()
    assert states == {"older view": "superseded", "newer view": "active"}
    assert reason.startswith("superseded by ") and reason.endswith("(import)")
    assert [n for n in notices if "line 3: unknown run 'no_such_run'" in n]
    assert [n for n in notices if "1 older active decision(s) superseded" in n]


def test_a_curated_file_with_an_impossible_date_loses_that_cell_only(tmp_path):
    import shutil

    from flows.transform.ingest.core import build_curated_core
    from sources.curated import read_curated_records
    from warehouse.seeds import CURATED_DIR

    good_dir, bad_dir = tmp_path / "good", tmp_path / "bad"
    shutil.copytree(CURATED_DIR, good_dir)
    shutil.copytree(CURATED_DIR, bad_dir)
    files = sorted(bad_dir.glob("*.yaml"))[:2]
    for path, date in zip(files, ("9999-12-31", "1800-01-01")):
        text = path.read_text(encoding="utf-8")
        start = text.index("published_date: ")
        path.write_text(text[:start] + f"published_date: {date}" + text[text.index("\n", start):], encoding="utf-8")
    aliases = read_hardware_aliases()
    good = build_curated_core(*read_curated_records(good_dir), aliases)
    bad = build_curated_core(*read_curated_records(bad_dir), aliases)
    assert len(bad.papers) == len(good.papers) and len(bad.runs) == len(good.runs)
    assert bad.papers["published_date"].isna().sum() == good.papers["published_date"].isna().sum() + 2
    dated = bad.quarantine[bad.quarantine["check_name"] == "date_in_range"]
    assert len(dated) == 2 and all("the cell is left empty and the row lands" in r for r in dated["reason"])
