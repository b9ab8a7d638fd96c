"""Integrity on open (issue 12): a warehouse whose blocks fail DuckDB's checksums is refused by `run`
(which reads every block before building on it) and by `sql`, in one line that says how to rebuild."""

import os
import shutil

import duckdb
import pytest

from tests.cli_runner import run_cli
from warehouse.connection import WarehouseError
from warehouse.land import begin_run_log

HEADER_BYTES, BLOCK_BYTES = 3 * 4096, 262144  # DuckDB's file layout: three 4 KB headers, then 256 KB blocks


def _damage_table(path, table: str) -> None:
    con = duckdb.connect(str(path), read_only=True)
    blocks = sorted({r[0] for r in con.execute(f"SELECT block_id FROM pragma_storage_info('{table}') "
                                               "WHERE block_id >= 0").fetchall()})
    con.close()
    assert blocks, "the table should own at least one block"
    with open(path, "r+b") as handle:
        handle.seek(HEADER_BYTES + blocks[0] * BLOCK_BYTES + 64)
        handle.write(os.urandom(256))


def test_run_refuses_a_warehouse_with_a_damaged_block(small_warehouse):
    _damage_table(small_warehouse, "ref__hardware_aliases")
    with pytest.raises(WarehouseError, match="is damaged .*rebuild it with `flopledger run`"):
        begin_run_log(small_warehouse, "r1", None, "epoch-2022", ["curated"])


def test_a_healthy_warehouse_passes_the_check(small_warehouse):
    assert begin_run_log(small_warehouse, "r1", None, "epoch-2022", ["curated"]) == 0


def test_sql_refuses_a_damaged_table_in_one_line(small_warehouse):
    _damage_table(small_warehouse, "ref__hardware_aliases")
    result = run_cli("sql", "SELECT * FROM ref__hardware_aliases", "--warehouse", small_warehouse)
    assert result.returncode == 1 and result.stdout == "" and result.stderr.count("\n") == 1
    assert "is damaged (Corrupt database file)" in result.stderr and "rebuild it with `flopledger run`" in result.stderr


def test_a_damaged_header_is_refused_at_open(small_warehouse, tmp_path):
    with open(small_warehouse, "r+b") as handle:
        handle.seek(4096 + 16)
        handle.write(os.urandom(64))
        handle.seek(2 * 4096 + 16)
        handle.write(os.urandom(64))
    result = run_cli("sql", "SELECT 1", "--warehouse", small_warehouse)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "is damaged (Corrupt database file)" in result.stderr
