"""DuckDB layer: migrations, idempotent upserts, quarantine bookkeeping (a real file each)."""

import time

import duckdb
import pandas as pd
import pytest

from warehouse.connection import WarehouseError, connect_for_write, connect_read_only, migrate
from warehouse.quarantine import record_quarantine
from warehouse.writes import upsert_rows


@pytest.fixture
def con(tmp_path):
    c = connect_for_write(tmp_path / "w.duckdb")
    yield c
    c.close()


def aliases(*rows):
    frame = pd.DataFrame(rows, columns=["alias", "hardware_id", "note"])
    return frame.assign(alias_key=frame["alias"] + "|")


def test_migrations_are_versioned_and_rerunnable(con):
    first = con.execute("SELECT max(version) FROM meta__schema_version").fetchone()[0]
    assert migrate(con) == first
    assert con.execute("SELECT count(*) FROM meta__schema_version").fetchone()[0] == first


def test_upsert_keeps_first_landed_and_moves_updated_only_on_change(con):
    upsert_rows(con, "ref__hardware_aliases", aliases(("k40", "nvidia_tesla_k40", None)), ["alias_key"])
    first = con.execute("SELECT first_landed_at, updated_at FROM ref__hardware_aliases").fetchone()
    time.sleep(0.01)
    upsert_rows(con, "ref__hardware_aliases", aliases(("k40", "nvidia_tesla_k40", None)), ["alias_key"])
    assert con.execute("SELECT first_landed_at, updated_at FROM ref__hardware_aliases").fetchone() == first
    upsert_rows(con, "ref__hardware_aliases", aliases(("k40", "nvidia_tesla_k40", "now with a note")), ["alias_key"])
    landed, updated, note = con.execute("SELECT first_landed_at, updated_at, note FROM ref__hardware_aliases").fetchone()
    assert landed == first[0] and updated > first[1] and note == "now with a note"


def test_prune_removes_rows_the_source_stopped_sending(con):
    upsert_rows(con, "ref__hardware_aliases", aliases(("a", "x", None), ("b", "y", None)), ["alias_key"], "TRUE")
    upsert_rows(con, "ref__hardware_aliases", aliases(("a", "x", None)), ["alias_key"], "TRUE")
    assert con.execute("SELECT alias FROM ref__hardware_aliases").fetchall() == [("a",)]


def test_duplicate_keys_in_one_batch_are_refused(con):
    with pytest.raises(AssertionError, match="duplicate keys"):
        upsert_rows(con, "ref__hardware_aliases", aliases(("a", "x", None), ("a", "y", None)), ["alias_key"])


def test_quarantine_keeps_first_run_and_marks_vanished_rows_gone(con):
    row = {"source": "curated", "table_name": "papers", "check_name": "not_nullable",
           "reason": "title is required but missing", "payload": '{"paper_id": "p"}', "record_key": "p"}
    record_quarantine(con, pd.DataFrame([row]), "run-1", ["curated"])
    record_quarantine(con, pd.DataFrame([row]), "run-2", ["curated"])
    assert con.execute("SELECT run_id, status FROM quarantine").fetchall() == [("run-1", "open")]
    record_quarantine(con, pd.DataFrame(columns=list(row)), "run-3", ["curated"])
    assert con.execute("SELECT status FROM quarantine").fetchall() == [("gone",)]


def test_read_only_open_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse at"):
        connect_read_only(tmp_path / "missing.duckdb")




def test_an_upsert_larger_than_one_slice_lands_every_row_and_prunes_by_the_whole_batch(con, monkeypatch):
    import warehouse.writes as writes

    monkeypatch.setattr(writes, "SLICE_ROWS", 2)  # 5 rows: three INSERT statements
    five = aliases(*[(f"chip{i}", f"hw{i}", None) for i in range(5)])
    upsert_rows(con, "ref__hardware_aliases", five, ["alias_key"], "TRUE")
    upsert_rows(con, "ref__hardware_aliases", five.iloc[1:], ["alias_key"], "TRUE")
    assert [r[0] for r in con.execute("SELECT alias FROM ref__hardware_aliases ORDER BY 1").fetchall()] == \
        ["chip1", "chip2", "chip3", "chip4"]


def test_landing_runs_again_without_the_memory_cap_when_duckdb_cannot_spill_under_it(con, monkeypatch):
    import warehouse.land as land

    monkeypatch.setattr(land, "landing_memory_limit", lambda rows: "8MB")  # too little for what cannot spill
    rows = aliases(*[(f"chip{i}", "nvidia_a100_sxm4_40gb", "x" * 200) for i in range(30000)]).assign(
        chips_per_unit=None, valid_from=None, valid_to=None)
    capped = connect_for_write(con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()[0] + "-b")
    with pytest.raises(duckdb.OutOfMemoryException):  # the case the fallback is for
        capped.execute("SET memory_limit = '8MB'")
        upsert_rows(capped, "ref__hardware_aliases", rows, ["alias_key"])
    capped.close()
    result = land.land_tables(con, [land.table_write("ref__hardware_aliases", rows, "seeds", "TRUE")],
                              pd.DataFrame(columns=["source", "table_name", "check_name", "reason", "payload", "record_key"]),
                              "run-1", [])
    assert result.counts[0]["landed"] == 30000
    assert con.execute("SELECT count(*) FROM ref__hardware_aliases").fetchone()[0] == 30000
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] != "7.6 MiB"  # reset after landing


def test_landing_lets_each_frame_go_once_written_and_an_error_after_that_rolls_everything_back(con, monkeypatch):
    import warehouse.land as land

    no_quarantine = pd.DataFrame(columns=["source", "table_name", "check_name", "reason", "payload", "record_key"])
    small = aliases(("chipa", "nvidia_a100_sxm4_40gb", "a")).assign(chips_per_unit=None, valid_from=None, valid_to=None)
    writes = [land.table_write("ref__hardware_aliases", small, "seeds", "TRUE")]
    land.land_tables(con, writes, no_quarantine, "run-1", [])
    assert writes == []  # the caller's list is emptied: no frame outlives its INSERT
    before = con.execute("SELECT * EXCLUDE (first_landed_at, updated_at) FROM ref__hardware_aliases ORDER BY ALL").fetchall()
    assert len(before) == 1

    monkeypatch.setattr(land, "landing_memory_limit", lambda rows: "8MB")
    big = aliases(*[(f"chip{i}", "nvidia_a100_sxm4_40gb", "x" * 200) for i in range(30000)]).assign(
        chips_per_unit=None, valid_from=None, valid_to=None)
    specs = con.execute("SELECT * EXCLUDE (row_hash, first_landed_at, updated_at) FROM ref__hardware_specs").df()
    writes = [land.table_write("ref__hardware_specs", specs, "seeds"), land.table_write("ref__hardware_aliases", big, "seeds")]
    with pytest.raises(duckdb.OutOfMemoryException):  # the first frame is gone: no second try, the error stands
        land.land_tables(con, writes, no_quarantine, "run-2", [])
    assert len(writes) == 1
    after = con.execute("SELECT * EXCLUDE (first_landed_at, updated_at) FROM ref__hardware_aliases ORDER BY ALL").fetchall()
    assert after == before  # rolled back whole


def test_the_landing_cap_grows_with_the_rows():
    import warehouse.land as land

    assert land.landing_memory_limit(0) == f"{land.LANDING_MEMORY_BASE_MB}MB"
    assert land.landing_memory_limit(265_502) == f"{land.LANDING_MEMORY_BASE_MB + 32}MB"  # 128 bytes a row
