"""`flopledger sql` runs exactly one read-only statement on a locked connection: every escape the
adversarial pass found (issue 12) is refused with one line and a non-zero exit, and the warehouse file
is byte for byte what it was."""

import json

import duckdb
import pytest

from tests.cli_runner import run_cli
from tests.reliability.conftest import digest

ESCAPES = [
    ("COPY (SELECT * FROM ref__hardware_aliases) TO '{tmp}/out.csv'", "COPY"),
    ("EXPORT DATABASE '{tmp}/dump'", "EXPORT"),
    ("ATTACH '{tmp}/other.duckdb' AS other (READ_WRITE)", "ATTACH"),
    ("DETACH w", "DETACH"),
    ("USE memory", "SET"),
    ("INSTALL httpfs FROM 'http://127.0.0.1:9/'", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("DELETE FROM ref__hardware_aliases", "DELETE"),
    ("CREATE TEMP TABLE scratch AS SELECT 1", "CREATE"),
    ("CALL pragma_version()", "CALL"),
]


@pytest.mark.parametrize("query,kind", ESCAPES, ids=[k + ":" + q.split()[0] for q, k in ESCAPES])
def test_each_escape_is_refused_in_one_line_and_the_warehouse_is_unchanged(small_warehouse, tmp_path, query, kind):
    before = digest(small_warehouse)
    result = run_cli("sql", query.format(tmp=tmp_path), "--warehouse", small_warehouse)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flopledger: error: sql is read-only")
    assert f"{kind} statements are refused" in result.stderr
    assert digest(small_warehouse) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]  # no file written, no database created


def test_several_statements_are_refused_before_any_runs(small_warehouse):
    before = digest(small_warehouse)
    result = run_cli("sql", "SELECT 1; DELETE FROM ref__hardware_aliases; SELECT 2", "--warehouse", small_warehouse)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "flopledger: error: sql runs exactly one statement; got 3 (separated by ';')\n"
    assert digest(small_warehouse) == before


def test_the_escape_from_the_issue_detach_and_reattach_read_write_fails_at_the_first_step(small_warehouse, tmp_path):
    """Attach a scratch database, USE it, DETACH the warehouse, re-ATTACH it READ_WRITE, DELETE: the first
    statement is already refused, and even sent alone each later one is."""
    steps = [f"ATTACH '{tmp_path}/scratch.duckdb' AS scratch", "USE scratch", "DETACH w",
             f"ATTACH '{small_warehouse}' AS w2 (READ_WRITE)", "DELETE FROM w2.ref__hardware_aliases"]
    for step in steps:
        assert run_cli("sql", step, "--warehouse", small_warehouse).returncode == 2
    count = run_cli("sql", "SELECT count(*) AS n FROM ref__hardware_aliases", "--warehouse", small_warehouse,
                    "--format", "json")
    assert json.loads(count.stdout) == [{"n": 2}]


def test_the_connection_itself_is_locked_even_for_statements_the_check_lets_through(small_warehouse, tmp_path):
    """Defence in depth: a SELECT that reads a file or asks for a setting meets the locked configuration."""
    (tmp_path / "local.csv").write_text("a\n1\n")
    result = run_cli("sql", f"SELECT * FROM read_csv('{tmp_path}/local.csv')", "--warehouse", small_warehouse)
    assert result.returncode == 1 and "file system operations are disabled" in result.stderr
    settings = run_cli("sql", "SELECT current_setting('enable_external_access') AS ext, "
                       "current_setting('lock_configuration') AS locked, "
                       "current_setting('autoinstall_known_extensions') AS autoinstall, "
                       "current_setting('autoload_known_extensions') AS autoload", "--warehouse", small_warehouse,
                       "--format", "json")
    assert json.loads(settings.stdout) == [{"ext": False, "locked": True, "autoinstall": False, "autoload": False}]


def test_queries_still_work_describe_show_summarize_and_a_trailing_semicolon(small_warehouse):
    for query in ("SELECT alias FROM ref__hardware_aliases ORDER BY alias;", "DESCRIBE ref__hardware_aliases",
                  "SHOW TABLES", "SUMMARIZE ref__hardware_aliases", "WITH x AS (SELECT 1 AS one) SELECT * FROM x",
                  "EXPLAIN SELECT 1"):
        result = run_cli("sql", query, "--warehouse", small_warehouse)
        assert result.returncode == 0, (query, result.stderr)
    rows = run_cli("sql", "SELECT alias FROM ref__hardware_aliases ORDER BY alias;", "--warehouse", small_warehouse,
                   "--format", "csv")
    assert rows.stdout == "alias\na100\nv100\n"


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_output_files_are_written_by_flopledger(small_warehouse, tmp_path, suffix):
    target = tmp_path / f"rows{suffix}"
    result = run_cli("sql", "SELECT alias, note, -2.5 AS delta FROM ref__hardware_aliases ORDER BY alias",
                     "--warehouse", small_warehouse, "--output", target)
    assert result.returncode == 0 and result.stdout == "" and "wrote 2 rows" in result.stderr
    back = duckdb.connect().execute(f"SELECT alias, note, delta FROM '{target}' ORDER BY alias").fetchall()
    # CSV: the formula-like note is neutralized, the negative number is still a number
    note = "'=1+1" if suffix == ".csv" else "=1+1"
    assert back == [("a100", "test row", -2.5), ("v100", note, -2.5)]
    assert not list(tmp_path.glob("*.partial"))


def test_output_with_another_suffix_is_a_usage_error(small_warehouse, tmp_path):
    result = run_cli("sql", "SELECT 1", "--warehouse", small_warehouse, "--output", tmp_path / "rows.xlsx")
    assert result.returncode == 2 and "expected a file ending in .csv, .parquet, .json" in result.stderr
