"""The table registry (schemas/registry.py) and the DDL (warehouse/migrations/) agree: every table
is in both, each model's stored columns are the table's columns, and the keys are its primary key."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.registry import AUDIT_COLUMNS, TABLES
from warehouse.connection import connect_for_write
from warehouse.writes import upsert_rows


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect_for_write(tmp_path_factory.mktemp("ddl") / "w.duckdb")
    yield connection
    connection.close()


def ddl_columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "ORDER BY ordinal_position", [table]).fetchall()]


def test_every_table_is_registered_and_every_registered_table_exists(con):
    in_ddl = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert in_ddl == set(TABLES)


@pytest.mark.parametrize("name", sorted(n for n, t in TABLES.items() if t.model is not None))
def test_ddl_and_model_agree_column_for_column(con, name):
    table = TABLES[name]
    stored = [c for c in ddl_columns(con, name) if c not in AUDIT_COLUMNS]
    assert sorted(stored) == sorted(table.stored_columns), (
        f"{name}: only in the DDL {sorted(set(stored) - set(table.stored_columns))}, "
        f"only in {table.model.__name__} {sorted(set(table.stored_columns) - set(stored))}")


@pytest.mark.parametrize("name", sorted(TABLES))
def test_keys_are_the_primary_key(con, name):
    rows = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
                       "AND constraint_type = 'PRIMARY KEY'", [name]).fetchall()
    assert rows and sorted(rows[0][0]) == sorted(TABLES[name].keys)


def test_a_frame_with_a_column_the_table_lacks_is_refused(con):
    frame = pd.DataFrame({"source_file": ["a.yaml"], "sha256": ["0" * 64], "record": ["{}"], "colour": ["red"]})
    with pytest.raises(ValueError, match=r"raw_curated__records has no column\(s\) colour"):
        upsert_rows(con, "raw_curated__records", frame, ["source_file"])
