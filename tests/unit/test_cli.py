"""The command line: one-line errors, and no Prefect import where no flow runs."""

import json

import pytest

from pathlib import Path

from tests.cli_runner import run_cli
from warehouse.connection import connect_for_write

PLANTED = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "ml_hardware_planted.csv"



def cli(*args):
    return run_cli(*args)


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    con = connect_for_write(path)
    con.execute("INSERT INTO core__papers (paper_id, title, published_date, url, arxiv_id, doi, note, source, "
                "source_record, row_hash, first_landed_at, updated_at) VALUES ('p1', 'A, \"quoted\" title', DATE '2012-12-03', 'https://e.org', "
                "NULL, NULL, NULL, 'curated', 'p1.yaml', 'h', now(), now())")
    con.close()
    return path


@pytest.mark.parametrize("args,fragment", [
    (["bogus"], "invalid choice: 'bogus'"),
    (["run", "--limit", "0"], "expected a number >= 1, got 0"),
    (["run", "--limit", "ten"], "expected a whole number, got 'ten'"),
    (["run", "--source", "nowhere"], "unknown source 'nowhere'"),
    (["run", "--assumptions", "vibes"], "unknown assumption set 'vibes'"),
    (["run", "--curated-dir", "/no/such/dir"], "curated directory not found"),
    (["sql", "SELECT 1", "--warehouse", "/no/such.duckdb"], "no warehouse at /no/such.duckdb"),
    (["sql", "SELECT 1", "--format", "xml"], "invalid choice: 'xml'"),
])
def test_bad_arguments_give_one_line_and_nonzero_exit(args, fragment):
    result = cli(*args)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flopledger: error: ")
    assert fragment in result.stderr


def test_every_subcommand_has_help():
    for args in (["--help"], ["run", "--help"], ["sql", "--help"]):
        result = cli(*args)
        assert result.returncode == 0 and "usage: flopledger" in result.stdout


def test_sql_formats(small_warehouse):
    query = "SELECT paper_id, title, published_date FROM papers"
    as_json = json.loads(cli("sql", query, "--warehouse", str(small_warehouse), "--format", "json").stdout)
    assert as_json == [{"paper_id": "p1", "title": 'A, "quoted" title', "published_date": "2012-12-03"}]
    as_csv = cli("sql", query, "--warehouse", str(small_warehouse), "--format", "csv").stdout
    assert as_csv.splitlines() == ["paper_id,title,published_date", 'p1,"A, ""quoted"" title",2012-12-03']
    table = cli("sql", query, "--warehouse", str(small_warehouse)).stdout
    assert "p1" in table and "(1 row)" in table


def test_bad_query_is_one_line(small_warehouse):
    result = cli("sql", "SELEKT nonsense", "--warehouse", str(small_warehouse))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "query failed" in result.stderr


def test_hardware_resolve_prints_one_json_object_per_name():
    result = cli("hardware", "resolve", "GTX 580", "A100-80GB", "Quantum Abacus 9000", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all({"query", "hardware_id", "name", "confidence"} <= set(r) for r in rows)  # DESIGN.md's keys, and more
    assert len(rows) == 3
    assert rows[0]["hardware_id"] == "nvidia_geforce_gtx_580" and rows[0]["confidence"] == 1.0
    assert rows[1]["name"] == "NVIDIA A100 SXM4 80 GB"
    assert rows[2]["hardware_id"] is None and rows[2]["confidence"] == 0.0


def test_hardware_resolve_date_picks_the_meaning_of_the_time():
    rows = [json.loads(line) for line in cli("hardware", "resolve", "Titan X", "DGX-1", "--json").stdout.splitlines()]
    assert [(r["hardware_id"], r["confidence"]) for r in rows] == [
        ("nvidia_geforce_gtx_titan_x", 0.9), ("nvidia_tesla_p100_sxm2", 0.9)]  # undated: first meaning, lower confidence
    dated = cli("hardware", "resolve", "Titan X", "DGX-1", "--date", "2017-11-01", "--json")
    rows = [json.loads(line) for line in dated.stdout.splitlines()]
    assert [(r["hardware_id"], r["confidence"], r["chips_per_unit"]) for r in rows] == [
        ("nvidia_geforce_gtx_titan_x_pascal", 1.0, 1.0), ("nvidia_tesla_v100_sxm2_16gb", 1.0, 8.0)]


@pytest.mark.parametrize("bad", ["21/11/2026", "2026-13-01", "2017-02-30", "yesterday", ""])
def test_hardware_resolve_unknown_date_format_is_one_line(bad):
    result = cli("hardware", "resolve", "V100", "--date", bad, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "YYYY-MM-DD" in result.stderr


def test_hardware_unresolved_without_a_warehouse_is_one_line(tmp_path):
    result = cli("hardware", "unresolved", "--warehouse", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "no warehouse" in result.stderr


def test_hardware_alias_refuses_unknown_ids_and_keeps_the_file_sorted(tmp_path):
    from warehouse.seeds import ALIASES_FILE, read_hardware_aliases

    target = tmp_path / "aliases.csv"
    target.write_bytes(ALIASES_FILE.read_bytes())
    bad = cli("hardware", "alias", "Some Chip", "no_such_chip", "--note", "x", "--aliases-file", str(target))
    assert bad.returncode == 1 and "unknown hardware_id" in bad.stderr and bad.stderr.count("\n") == 1
    good = cli("hardware", "alias", "Abacus 9000", "nvidia_tesla_k40", "--note", "a test", "--aliases-file", str(target))
    assert good.returncode == 0, good.stderr
    table = read_hardware_aliases(target)
    assert len(table) == len(read_hardware_aliases()) + 1
    assert list(table["alias"]) == sorted(table["alias"])
    assert table.loc[table["alias"] == "abacus 9000", "hardware_id"].item() == "nvidia_tesla_k40"


def test_hardware_show_and_unknown_id():
    shown = cli("hardware", "show", "nvidia_tesla_k40")
    assert "fp32_flop_per_second: 4290000000000.0" in shown.stdout
    missing = cli("hardware", "show", "no_such_chip")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1


def test_extract_reads_json_lines_and_reports_bad_lines(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "alexnet", "text": "We used two GTX 580 3GB GPUs for five to six days."}\n'
                       b"not json\n"
                       b'{"id": "junk", "text": "caf\xff\xfe no hardware here"}\n')
    result = cli("extract", str(source))
    assert result.returncode == 0, result.stderr
    first, bad, junk = [json.loads(line) for line in result.stdout.splitlines()]
    (mention,) = first["mentions"]
    assert (mention["hardware_id"], mention["chip_count"]) == ("nvidia_geforce_gtx_580", 2)
    assert (mention["duration_hours_low"], mention["duration_hours"], mention["duration_hours_high"]) == (120, 132, 144)
    assert bad["mentions"] == [] and "not valid JSON" in bad["error"]
    assert junk == {"id": "junk", "mentions": []}


def test_extract_of_a_missing_file_is_one_line():
    result = cli("extract", "/no/such/file.jsonl")
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "no such file" in result.stderr
