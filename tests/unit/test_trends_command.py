"""`flopledger trends` over a small real DuckDB warehouse: JSON, determinism, eras, charts and bad input."""

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from flows.cli.main import main
from flows.transform.trends.fit import year_to_date
from warehouse.connection import connect_for_write

SET = "epoch-2022"
TRUE_SLOPE = 0.6  # log10 FLOP a year: 10**0.6 = 3.98x a year, doubling 6.02 months


def build(path: Path, years, log_flop, extra=()) -> Path:
    """A migrated warehouse holding one paper, run and comparison per synthetic run (one INSERT per table).

    extra: (run_id, date, flop or None for no estimate, review_status[, best_method]) rows added as they are."""
    import pandas as pd

    runs = [(f"run{i:03d}", year_to_date(y), 10 ** v, "vision" if i % 4 == 0 else "language", "not_flagged", "reported")
            for i, (y, v) in enumerate(zip(years, log_flop))]
    runs += [(row[0], row[1], row[2], "language", row[3], row[4] if len(row) > 4 else "reported") for row in extra]
    frame = pd.DataFrame(runs, columns=["run_id", "published_date", "flop", "domain", "status", "method"])
    frame["published_date"] = pd.to_datetime(frame["published_date"]).dt.date
    con = connect_for_write(path)
    con.register("synthetic", frame)
    con.execute("INSERT INTO core__papers (paper_id, title, published_date, source, row_hash, first_landed_at, "
                "updated_at) SELECT 'p_' || run_id, 'Paper ' || run_id, published_date, 'epoch', 'h', now(), now() "
                "FROM synthetic")
    con.execute("INSERT INTO core__training_runs (run_id, paper_id, system, domain, source, row_hash, first_landed_at, "
                "updated_at) SELECT run_id, 'p_' || run_id, 'System ' || run_id, domain, 'epoch', 'h', now(), now() "
                "FROM synthetic")
    con.execute("INSERT INTO out__compute_comparison (run_id, assumption_set, reported_flop, reported_flop_low, "
                "reported_flop_high, is_flagged, review_status, best_flop, best_flop_low, best_flop_high, best_method, "
                "inputs_fingerprint, row_hash, first_landed_at, updated_at) SELECT run_id, ?, flop, flop / 2, flop * 2, "
                "status <> 'not_flagged', status, flop, flop / 2, flop * 2, method, 'fp', 'h', now(), now() "
                "FROM synthetic WHERE flop IS NOT NULL", [SET])
    con.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    rng = np.random.default_rng(21)
    years = np.sort(rng.uniform(2012, 2024, 80))
    extra = [("nodata", "2020-03-01", None, "not_flagged"), ("flagged", "2021-03-01", 1e30, "open", "hardware"),
             ("old", "2005-06-01", 1e15, "not_flagged")]
    return build(tmp_path_factory.mktemp("trends") / "w.duckdb", years,
                 16 + TRUE_SLOPE * (years - 2012) + rng.normal(0, 0.4, 80), extra)


@pytest.fixture(scope="module")
def two_era_warehouse(tmp_path_factory):
    rng = np.random.default_rng(4)
    years = np.sort(rng.uniform(2002, 2024, 160))
    log_flop = np.where(years < 2012, 15 + 0.1 * (years - 2002), 16 + 0.6 * (years - 2012)) + rng.normal(0, 0.3, 160)
    return build(tmp_path_factory.mktemp("eras") / "w.duckdb", years, log_flop)


def trends_json(capsys, *args):
    assert main(["trends", "--format", "json", *map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def error_line(capsys, *args):
    code = main(["trends", *map(str, args)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("flopledger: error: ") and "Traceback" not in err
    return err


def test_json_has_the_promised_keys_and_recovers_the_growth(warehouse, capsys):
    report = trends_json(capsys, "--warehouse", warehouse, "--since", "2010-01-01")
    for key in ("n", "since", "until", "estimate", "growth_per_year", "growth_per_year_low", "growth_per_year_high",
                "doubling_months", "doubling_months_low", "doubling_months_high", "r2", "segments", "excluded",
                "thresholds"):
        assert key in report
    assert report["n"] == 80 and report["estimate"] == "best"
    assert report["growth_per_year_low"] < 10 ** TRUE_SLOPE < report["growth_per_year_high"]
    assert report["doubling_months_low"] < 12 * math.log10(2) / TRUE_SLOPE < report["doubling_months_high"]
    assert report["excluded"]["missing_estimate"] == 1 and report["excluded"]["flagged_unresolved"] == 1
    assert report["excluded"]["outside_date_range"] == 1
    assert report["n"] + sum(report["excluded"].values()) == report["runs_in_warehouse"] == 83
    assert len(report["segments"]) == 1 and report["segments"][0]["n"] == 80


def test_two_calls_print_identical_json(warehouse, capsys):
    args = ["trends", "--warehouse", str(warehouse), "--format", "json", "--breaks", "auto"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first


def test_breaks_auto_finds_the_two_eras(two_era_warehouse, capsys):
    report = trends_json(capsys, "--warehouse", two_era_warehouse, "--breaks", "auto")
    assert report["breaks"] == 1 and len(report["segments"]) == 2
    assert "2011-01-01" < report["break_dates"][0] < "2013-01-01"
    early, late = report["segments"]
    assert early["growth_per_year_low"] < 10 ** 0.1 < early["growth_per_year_high"]
    assert late["growth_per_year_low"] < 10 ** 0.6 < late["growth_per_year_high"]
    assert report["bic"]["1"] < report["bic"]["0"]


def test_domain_filter_and_min_flop(warehouse, capsys):
    report = trends_json(capsys, "--warehouse", warehouse, "--domain", "Vision", "--since", "2010-01-01")
    assert report["n"] == 20 and report["excluded"]["other_domain"] == 63
    report = trends_json(capsys, "--warehouse", warehouse, "--min-flop", "1e20", "--since", "2010-01-01")
    assert report["excluded"]["below_min_flop"] > 0


def test_table_format_states_growth_and_exclusions(warehouse, capsys):
    assert main(["trends", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "x/year (90% interval" in out and "flagged_unresolved 1" in out and "missing_estimate 1" in out


def test_empty_warehouse_is_one_line(tmp_path, capsys):
    connect_for_write(tmp_path / "empty.duckdb").close()
    assert "no training runs" in error_line(capsys, "--warehouse", tmp_path / "empty.duckdb")


def test_missing_warehouse_is_one_line(tmp_path, capsys):
    assert "no warehouse at" in error_line(capsys, "--warehouse", tmp_path / "nope.duckdb")


def test_fewer_than_three_runs_in_range_is_one_line(warehouse, capsys):
    err = error_line(capsys, "--warehouse", warehouse, "--since", "2005-01-01", "--until", "2012-01-01")
    assert "only 1 run(s)" in err and "at least 3" in err


def test_domain_matching_nothing_is_one_line(warehouse, capsys):
    err = error_line(capsys, "--warehouse", warehouse, "--domain", "robotics")
    assert "no run has domain 'robotics'" in err and "language, vision" in err


def test_unknown_assumption_set_is_one_line(warehouse, capsys):
    assert "openai-2018" in error_line(capsys, "--warehouse", warehouse, "--assumptions", "openai-2018")


def test_unwritable_chart_path_is_one_line(warehouse, tmp_path, capsys):
    err = error_line(capsys, "--warehouse", warehouse, "--chart", tmp_path / "no" / "such" / "dir" / "c.png")
    assert "cannot write chart" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot write chart" in error_line(capsys, "--warehouse", warehouse, "--chart", blocker / "c.html")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_chart_is_one_line(warehouse, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "cannot write chart" in error_line(capsys, "--warehouse", warehouse, "--chart", locked / "c.svg")


def test_bad_arguments_are_one_line(warehouse, capsys):
    assert "ending in .png, .svg, .html" in error_line(capsys, "--warehouse", warehouse, "--chart", "c.pdf")
    assert "expected YYYY-MM-DD" in error_line(capsys, "--warehouse", warehouse, "--since", "2020")
    assert "expected a number above 0" in error_line(capsys, "--warehouse", warehouse, "--min-flop", "-1")


