"""The whole pipeline: real Prefect flow, real DuckDB file, the public views."""

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from warehouse.seeds import CURATED_DIR
from warehouse.seeds import ALIASES_FILE
from tests.conftest import APPENDIX_FIGURES, APPENDIX_TOLERANCE

pytestmark = pytest.mark.integration
PUBLIC_VIEWS = ["papers", "training_runs", "hardware_specs", "compute_estimates", "compute_comparison", "quarantine",
                "run_extractions", "hardware_unresolved", "hardware_aliases", "hardware_units"]
FLOPLEDGER = [sys.executable, "-m", "flows.cli"]


def cli(*args, env=None):
    return subprocess.run([*FLOPLEDGER, *args], capture_output=True, text=True, env=env, timeout=300)


def query(path, sql, params=None):
    """Rows of a read-only query against a warehouse file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def view_contents(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in PUBLIC_VIEWS}
    finally:
        con.close()


def test_appendix_figures_through_flopledger_sql(openai_warehouse):
    path, _ = openai_warehouse
    result = cli("sql", "SELECT run_id, method, pfs_days FROM compute_estimates WHERE assumption_set = 'openai-2018'",
                 "--warehouse", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    got = {(r["run_id"], r["method"]): r["pfs_days"] for r in json.loads(result.stdout)}
    for run_id, method, published in APPENDIX_FIGURES:
        assert got[(run_id, method)] == pytest.approx(published, rel=APPENDIX_TOLERANCE), (run_id, method)


def test_summary_accounts_for_every_row(openai_warehouse):
    _, summary = openai_warehouse
    for c in summary["counts"]:
        assert c["rows_in"] == c["landed"] + c["quarantined"], c
    assert summary["totals"]["papers"] == len(list(CURATED_DIR.glob("*.yaml")))
    assert summary["totals"]["quarantined_open"] == 0


def test_run_log_records_the_flow_run(openai_warehouse):
    path, summary = openai_warehouse
    con = duckdb.connect(str(path), read_only=True)
    row = con.execute("SELECT flow_run_id, status, ended_at >= started_at, counts FROM meta__run_log "
                      "WHERE pipeline_run_id = ?", [summary["pipeline_run_id"]]).fetchone()
    con.close()
    assert row[0] and row[1] == "succeeded" and row[2]
    assert {c["table"] for c in json.loads(row[3])} >= {"papers", "training_runs", "out__compute_estimates"}


def test_second_identical_run_changes_no_public_view(run_flow, tmp_path):
    path = tmp_path / "w.duckdb"
    run_flow(warehouse=path)
    before = view_contents(path)
    run_flow(warehouse=path)
    after = view_contents(path)
    assert all(before[v] for v in PUBLIC_VIEWS if v not in ("quarantine", "hardware_unresolved"))
    for view in PUBLIC_VIEWS:
        assert after[view] == before[view], view


BAD_RECORDS = {
    "bad_negative_chips.yaml": ("bad_negative_chips", "chip_count must be greater than 0, got -8.0"),
    "bad_unknown_hardware.yaml": ("bad_unknown_hardware", "hardware 'Quantum Abacus 9000' is not in the spec table or its aliases"),
    "bad_text_number.yaml": ("bad_text_number", "parameter_count: 'about a billion' is not a number"),
    "bad_missing_title.yaml": ("bad_missing_title", "title is required but missing"),
}


def _bad_record(name: str, facts: str, title: str = "A bad record", hardware: str = "V100") -> str:
    return (f"paper_id: {name}\n{title}published_date: 2021-03-04\nurl: https://example.org/{name}\n"
            f"runs:\n  - run_id: {name}\n    system: Bad\n    domain: language\n    hardware_text: {hardware}\n"
            f"    facts:\n{facts}")


def test_bad_records_are_quarantined_and_the_rest_lands(run_flow, tmp_path):
    curated = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, curated)
    good = len(list(curated.glob("*.yaml")))
    fact = '      {0}: {{value: {1}, where: "Section 1"}}\n'
    (curated / "bad_negative_chips.yaml").write_text(
        _bad_record("bad_negative_chips", fact.format("chip_count", -8) + fact.format("training_hours", 10), "title: T\n"))
    (curated / "bad_unknown_hardware.yaml").write_text(
        _bad_record("bad_unknown_hardware", fact.format("chip_count", 8), "title: T\n", hardware="Quantum Abacus 9000"))
    (curated / "bad_text_number.yaml").write_text(
        _bad_record("bad_text_number", fact.format("parameter_count", '"about a billion"'), "title: T\n"))
    (curated / "bad_missing_title.yaml").write_text(_bad_record("bad_missing_title", fact.format("chip_count", 8), ""))
    path = tmp_path / "w.duckdb"
    summary = run_flow(warehouse=path, curated_dir=curated)

    con = duckdb.connect(str(path), read_only=True)
    quarantined = con.execute("SELECT record_key, table_name, reason, payload, run_id FROM quarantine "
                              "WHERE table_name IN ('core__papers', 'core__training_runs')").fetchall()
    papers = {r[0] for r in con.execute("SELECT paper_id FROM papers").fetchall()}
    con.close()
    reasons = {(key, reason) for key, _, reason, _, _ in quarantined}
    for key, reason in BAD_RECORDS.values():
        assert (key, reason) in reasons
    assert all(json.loads(payload) and run_id == summary["pipeline_run_id"] for *_, payload, run_id in quarantined)
    assert len(papers) == good + 3  # three bad files have good papers; their runs are what failed
    assert "bad_missing_title" not in papers
    runs = {c["table"]: c for c in summary["counts"] if c["source"] == "curated"}["training_runs"]
    assert runs["quarantined"] == 4 and runs["rows_in"] == runs["landed"] + 4


def test_cli_run_against_a_named_prefect_server(prefect_api_url, tmp_path):
    import os

    path = tmp_path / "cli.duckdb"
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url}
    result = cli("run", "--limit", "3", "--warehouse", str(path), "--assumptions", "openai-2018", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rows in" in result.stdout and "quarantined" in result.stdout and str(path) in result.stdout
    count = cli("sql", "SELECT count(*) AS n FROM papers", "--warehouse", str(path), "--format", "csv")
    assert count.stdout.splitlines() == ["n", "3"]


def test_sql_is_read_only_and_errors_in_one_line(openai_warehouse):
    path, _ = openai_warehouse
    result = cli("sql", "CREATE TABLE sneaky (a INTEGER)", "--warehouse", str(path))
    assert result.returncode == 2  # refused before it runs: a usage error (issue 12, tests/reliability/test_sql_door.py)
    assert result.stderr.count("\n") == 1 and "read-only" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_unresolved_name_is_queued_then_an_alias_decision_resolves_it(run_flow, tmp_path):
    curated = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, curated)
    fact = '      {0}: {{value: {1}, where: "Section 1"}}\n'
    facts = fact.format("chip_count", 8) + fact.format("training_hours", 24)
    (curated / "odd_name.yaml").write_text(_bad_record("odd_name", facts, "title: T\n", hardware="Voltaic V100X-42 board"))
    aliases = tmp_path / "aliases.csv"
    shutil.copy(ALIASES_FILE, aliases)
    path = tmp_path / "w.duckdb"
    env = {**os.environ, "FLOPLEDGER_WAREHOUSE": str(path)}

    first = run_flow(warehouse=path, curated_dir=curated, aliases_file=aliases)
    assert first["totals"]["unresolved_hardware_names"] == 1
    queue = json.loads(cli("hardware", "unresolved", "--format", "json", env=env).stdout)
    assert [(q["hardware_text"], q["occurrences"], q["status"]) for q in queue] == [("Voltaic V100X-42 board", 1, "open")]
    assert json.loads(queue[0]["record_keys"]) == ["curated:odd_name"]

    decided = cli("hardware", "alias", "Voltaic V100X-42 board", "nvidia_tesla_v100_sxm2_16gb",
                  "--note", "test decision", "--aliases-file", str(aliases), env=env)
    assert decided.returncode == 0, decided.stderr
    again = cli("hardware", "alias", "voltaic v100x-42 BOARD", "nvidia_a100_pcie", "--note", "x",
                "--aliases-file", str(aliases), env=env)
    assert again.returncode == 1 and "already means nvidia_tesla_v100_sxm2_16gb" in again.stderr

    second = run_flow(warehouse=path, curated_dir=curated, aliases_file=aliases)
    assert second["totals"]["unresolved_hardware_names"] == 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        status = con.execute("SELECT status, resolved_hardware_id FROM hardware_unresolved").fetchall()
        run = con.execute("SELECT hardware_id, chip_count FROM training_runs WHERE run_id = 'odd_name'").fetchall()
        hardware = con.execute("SELECT count(*) FROM compute_estimates WHERE run_id = 'odd_name' "
                               "AND method = 'hardware'").fetchone()[0]
        gone = con.execute("SELECT status FROM quarantine WHERE record_key = 'odd_name'").fetchall()
    finally:
        con.close()
    assert status == [("resolved", "nvidia_tesla_v100_sxm2_16gb")]
    assert run == [("nvidia_tesla_v100_sxm2_16gb", 8.0)] and hardware == 1
    assert gone and set(gone) == {("gone",)}  # the first run's quarantined run and facts are kept, marked gone


def test_hardware_statements_land_with_spans_and_visible_conflicts(openai_warehouse):
    path, _ = openai_warehouse
    result = cli("sql", "SELECT run_id, field, outcome, span_text FROM run_extractions ORDER BY run_id, field",
                 "--warehouse", str(path), "--format", "json")
    rows = json.loads(result.stdout)
    assert {r["run_id"] for r in rows} >= {"alexnet", "transformer_big", "gnmt", "bert_large", "vit_h14"}
    by_key = {(r["run_id"], r["field"]): r for r in rows}
    assert by_key[("alexnet", "training_hours")]["span_text"] == "between five and six days"
    assert by_key[("bert_large", "chip_count")]["outcome"] == "agrees"  # 16 Cloud TPUs = 64 chips
    # GNMT: 96 K80 'GPUs' are 48 boards by our counting rule, while OpenAI counted 96 boards; kept visible
    assert by_key[("gnmt", "chip_count")]["outcome"] == "conflict: stated value kept"
    conflicts = json.loads(cli("sql", "SELECT extraction_conflicts FROM training_runs WHERE run_id = 'gnmt'",
                               "--warehouse", str(path), "--format", "json").stdout)
    assert "chip_count: stated 96.0, text says 48" in conflicts[0]["extraction_conflicts"]
