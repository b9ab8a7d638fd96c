"""Every CSV flopledger writes is safe to open in a spreadsheet (OWASP CSV injection): text cells that
start with =, +, -, @, a tab or a carriage return get a leading quote, numbers stay numbers, and
flopledger's own readers (review import, the alias table) take the quote off again."""

import csv
import io

import pytest

from tests.cli_runner import run_cli
from tests.slow.test_review import EPOCH, insert_comparisons
from warehouse.connection import connect_for_write
from warehouse.csv_cells import neutralize_cell, restore_cell
from warehouse.reviews import export_decisions, import_decisions, record_decision

HOSTILE = ["=cmd|' /C calc'!A0", "+evil", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_is_quoted_and_restored(text):
    assert neutralize_cell(text) == "'" + text and restore_cell(neutralize_cell(text)) == text


@pytest.mark.parametrize("value", ["-5", "+1e3", "-2.5e-07", -3, 4.5, None, "plain text", "'quoted already"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralize_cell(value) == value and restore_cell(value) == value


def test_review_export_neutralizes_and_import_round_trips(tmp_path):
    source = connect_for_write(tmp_path / "a.duckdb")
    insert_comparisons(source)
    record_decision(source, "gpt3_175b", EPOCH, "hardware", HOSTILE[0], reviewer="+evil")
    export_decisions(source, tmp_path / "d.csv")
    source.close()
    rows = list(csv.DictReader((tmp_path / "d.csv").open(newline="", encoding="utf-8")))
    assert rows[0]["note"] == "'" + HOSTILE[0] and rows[0]["reviewer"] == "'+evil"
    float(rows[0]["accepted_flop"])  # a number, not quoted
    target = connect_for_write(tmp_path / "b.duckdb")
    insert_comparisons(target)
    assert import_decisions(target, tmp_path / "d.csv") == (1, 0)
    assert target.execute("SELECT note, reviewer FROM ref__review_decisions").fetchall() == [(HOSTILE[0], "+evil")]
    assert import_decisions(target, tmp_path / "d.csv") == (0, 1)  # the same decision, read back equal
    target.close()


def test_sql_csv_quotes_text_but_not_negative_numbers(small_warehouse):
    result = run_cli("sql", "SELECT note, -7 AS n, -0.5 AS x, '-12' AS numeric_text FROM ref__hardware_aliases "
                     "WHERE alias = 'v100'", "--warehouse", small_warehouse, "--format", "csv")
    assert list(csv.reader(io.StringIO(result.stdout))) == [["note", "n", "x", "numeric_text"], ["'=1+1", "-7", "-0.5", "-12"]]


def test_estimate_output_quotes_pass_through_text(tmp_path):
    (tmp_path / "in.csv").write_text("run_id,hardware,chip_count,training_hours,comment\n"
                                     "=HYPERLINK(\"http://x\"),V100,8,-24,@me\n", encoding="utf-8")
    result = run_cli("estimate", "--input", tmp_path / "in.csv")
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["run_id"] == '\'=HYPERLINK("http://x")' and row["comment"] == "'@me"
    assert row["training_hours"] == "-24.0" or row["training_hours"] == "-24"  # a number stays a number


def test_hardware_alias_note_is_quoted_in_the_file_and_read_back_plain(tmp_path):
    from warehouse.seeds import ALIASES_FILE, read_hardware_aliases

    path = tmp_path / "aliases.csv"
    path.write_bytes(ALIASES_FILE.read_bytes())
    result = run_cli("hardware", "alias", "my lab gpu", "nvidia_v100", "--note", "+cmd|calc",
                     "--aliases-file", path)
    assert result.returncode == 0, result.stderr
    assert ",'+cmd|calc" in path.read_text(encoding="utf-8")
    table = read_hardware_aliases(path)
    assert table.loc[table["alias"] == "my lab gpu", "note"].tolist() == ["+cmd|calc"]
