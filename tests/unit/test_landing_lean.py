"""Landing a large table lean (issue 12 item 8): packed raw columns written slice by slice, frames let go
as soon as DuckDB has their rows, a plain INSERT into an empty table, the run's reads under a memory cap.
Real DuckDB files throughout."""

import gc
import json
import time
import weakref

import duckdb
import pandas as pd
import pytest

import warehouse.land as land
import warehouse.writes as writes
from schemas.frames import SpooledText, TextSpool, unpack_columns
from warehouse.connection import memory_capped, connect_for_write
from warehouse.writes import transaction, upsert_rows

NO_QUARANTINE = pd.DataFrame(columns=["source", "table_name", "check_name", "reason", "payload", "record_key"])
SHA = "ab" * 32


@pytest.fixture
def con(tmp_path):
    c = connect_for_write(tmp_path / "w.duckdb")
    yield c
    c.close()


def epoch_raw(names, packed=True):
    """raw_epoch__models rows for the given Model names (a name twice: two rows sharing a key)."""
    records = [json.dumps({"Model": name, "Notes": f"trained {name} on a pod of accelerators é"}, ensure_ascii=False)
               for name in names]
    return pd.DataFrame({"record_key": names, "source_row": range(1, len(names) + 1),
                         "record": TextSpool().put(records) if packed else records,
                         "source_location": "epoch.csv", "file_sha256": SHA})


def landed(con, table="raw_epoch__models"):
    return con.execute(f"SELECT * EXCLUDE (first_landed_at, updated_at) FROM {table} ORDER BY ALL").fetchall()


def test_spooled_text_comes_back_exactly_and_leaves_no_file(tmp_path):
    texts = ['{"Model": "A"}', "é ✓ 中文 " * 50, ""]
    spool = TextSpool(str(tmp_path))
    frame = pd.DataFrame({"record": spool.put(texts[:2]) + spool.put(texts[2:]), "other": [1, 2, 3]})
    assert all(isinstance(cell, SpooledText) for cell in frame["record"])
    assert list(tmp_path.iterdir()) == []  # unlinked at once: nothing to clean up after a kill
    assert unpack_columns(frame, ["record"])["record"].tolist() == texts
    assert unpack_columns(frame, ["record"])["other"].tolist() == [1, 2, 3]
    assert frame["record"][1] == TextSpool().put([texts[1]])[0]  # equal by text, whatever spool holds it


def test_a_packed_write_lands_the_same_rows_as_the_text_and_quarantines_shared_keys_across_slices(
        tmp_path, monkeypatch):
    monkeypatch.setattr(land, "SLICE_ROWS", 3)  # 8 rows: slices of 3, the two rows sharing a key in one of their own
    names = ["a", "b", "dup", "c", "d", "e", "dup", "f"]
    results = {}
    for packed in (True, False):
        c = connect_for_write(tmp_path / f"{packed}.duckdb")
        frame = epoch_raw(names, packed)
        write = land.table_write("raw_epoch__models", frame, "epoch", "TRUE", ("record",) if packed else ())
        result = land.land_tables(c, [write], NO_QUARANTINE, "run-1", ["epoch"])
        results[packed] = (landed(c), result.counts, result.quarantined,
                           c.execute("SELECT record_key, check_name, payload FROM quarantine ORDER BY ALL").fetchall())
        c.close()
    assert results[True] == results[False]
    rows, counts, quarantined, held = results[True]
    assert [r[0] for r in rows] == ["a", "b", "c", "d", "e", "f"]
    assert json.loads(rows[0][2])["Notes"].endswith("é")  # stored as the text, not as a spool reference
    assert counts == [{"source": "epoch", "table": "raw_epoch__models", "rows_in": 8, "landed": 6, "quarantined": 2}]
    assert quarantined == 2 and {(k, check) for k, check, _ in held} == {("dup", "field_uniqueness")}
    assert sorted(json.loads(json.loads(payload)["record"])["Model"] for _, _, payload in held) == ["dup", "dup"]
    # ^ the payload holds the record as text (readable), not a spool reference


def test_a_packed_write_prunes_by_the_keys_of_every_slice(con, monkeypatch):
    monkeypatch.setattr(land, "SLICE_ROWS", 2)
    land.land_tables(con, [land.table_write("raw_epoch__models", epoch_raw(["a", "b", "c", "d", "e"]), "epoch", "TRUE",
                                            ("record",))], NO_QUARANTINE, "run-1", ["epoch"])
    land.land_tables(con, [land.table_write("raw_epoch__models", epoch_raw(["b", "c", "e"]), "epoch", "TRUE",
                                            ("record",))], NO_QUARANTINE, "run-2", ["epoch"])
    assert [r[0] for r in landed(con)] == ["b", "c", "e"]


def test_a_frame_is_let_go_when_its_insert_ends_not_at_commit(con):
    """con.register kept every registered frame alive until the transaction ended; a 10x Epoch landing
    held all its slices (~150 MB) that way."""
    frame = epoch_raw([f"m{i}" for i in range(50)], packed=False)
    alive = weakref.ref(frame)
    with transaction(con):
        upsert_rows(con, "raw_epoch__models", frame, ["record_key"])
        del frame
        gc.collect()
        assert alive() is None
    assert len(landed(con)) == 50


def test_an_empty_table_takes_a_plain_insert_and_a_filled_one_an_upsert(con, monkeypatch):
    conflicts = []
    insert = writes._insert_slice

    def noting(con, table, rows, names, row_hash, conflict):
        conflicts.append(conflict)
        insert(con, table, rows, names, row_hash, conflict)

    monkeypatch.setattr(writes, "_insert_slice", noting)
    upsert_rows(con, "raw_epoch__models", epoch_raw(["a", "b"], packed=False), ["record_key"])
    first = con.execute("SELECT record_key, first_landed_at, updated_at FROM raw_epoch__models ORDER BY 1").fetchall()
    time.sleep(0.01)
    changed = epoch_raw(["a", "b", "c"], packed=False)
    changed.loc[1, "record"] = '{"Model": "b", "Notes": "restated"}'
    upsert_rows(con, "raw_epoch__models", changed, ["record_key"])
    assert conflicts[0] == "" and conflicts[1].startswith("ON CONFLICT (record_key) DO UPDATE")
    now = {k: (f, u) for k, f, u in
           con.execute("SELECT record_key, first_landed_at, updated_at FROM raw_epoch__models").fetchall()}
    assert now["a"] == first[0][1:]  # unchanged: not rewritten
    assert now["b"][0] == first[1][1] and now["b"][1] > first[1][2]  # rewritten: first landing kept
    assert set(now) == {"a", "b", "c"}


def test_memory_capped_caps_the_work_falls_back_when_it_may_and_resets(con):
    default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen = memory_capped(con, lambda: con.execute("SELECT current_setting('memory_limit')").fetchone()[0], "50MB")
    assert seen != default and seen.startswith(("47", "50"))  # DuckDB shows 50 MB as 47.6 MiB
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
    tries = []

    def needs_more():
        tries.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        if len(tries) == 1:
            raise duckdb.OutOfMemoryException("could not allocate block")
        return "answered"

    assert memory_capped(con, needs_more, "50MB") == "answered"
    assert tries[1] == default  # the second try runs under DuckDB's default
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default


def test_memory_capped_work_that_may_not_run_twice_keeps_its_error(con):
    default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    tries = []

    def fails():
        tries.append(1)
        raise duckdb.OutOfMemoryException("could not allocate block")

    with pytest.raises(duckdb.OutOfMemoryException):
        memory_capped(con, fails, "50MB", again=lambda: False)
    assert len(tries) == 1
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
