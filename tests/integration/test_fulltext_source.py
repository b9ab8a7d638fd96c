"""`flopledger run --source fulltext` through the real Prefect flow: notable papers whose runs lack hardware
or size are fetched from a local HTTP server (e-prints built here from the fixture papers), read, and land
as run facts with evidence; a second run asks the server nothing; --paper-id forces a paper in; a curated
value that the full text contradicts is kept and the run goes to review; a hostile e-print is quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.fulltext_fixtures import eprint, tar_gz
from tests.integration.test_pipeline import query

pytestmark = pytest.mark.integration
CURATED = Path(__file__).resolve().parents[1] / "fixtures" / "fulltext_run"
BODIES = {"2503.00001": lambda: eprint("heldout"), "2503.00002": lambda: eprint("heldout"),
          "2503.00003": lambda: eprint("vision"),
          "2503.00004": lambda: tar_gz({"main.tex": b"\\section{Setup}\nWe trained on 8 V100 GPUs.", "../escape.tex": b"x"})}


def asked(server, arxiv_id: str) -> int:
    return sum(1 for request, _ in server.log if request.path == f"/e-print/{arxiv_id}")


@pytest.fixture(scope="module")
def server():
    from pytest_httpserver import HTTPServer

    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.start()
    for arxiv_id, body in BODIES.items():
        httpserver.expect_request(f"/e-print/{arxiv_id}").respond_with_data(body())
    yield httpserver
    httpserver.clear()
    httpserver.stop()


@pytest.fixture(scope="module")
def warehouse(run_flow, server, tmp_path_factory):
    """The four papers landed from curated records, then: a full-text run, the same again, one with --paper-id,
    and the curated records read again; what the server was asked is counted after each."""
    path = tmp_path_factory.mktemp("fulltext") / "w.duckdb"
    fulltext = {"warehouse": path, "curated_dir": CURATED, "sources": ("fulltext",),
                "fulltext_url": server.url_for("/"), "fulltext_min_interval_seconds": 0.0}
    run_flow(warehouse=path, curated_dir=CURATED)
    seen = {"first": run_flow(**fulltext)}
    seen["after first"] = {a: asked(server, a) for a in BODIES} | {"all": len(server.log)}
    seen["second"] = run_flow(**fulltext)
    seen["after second"] = len(server.log)
    seen["named"] = run_flow(**fulltext | {"paper_ids": ("lens2025_vision",)})
    seen["after named"] = {a: asked(server, a) for a in BODIES}
    run_flow(warehouse=path, curated_dir=CURATED)
    seen["after curated"] = len(server.log)
    return path, seen


def test_a_notable_paper_lacking_hardware_gets_its_run_facts_from_the_full_text_with_evidence(warehouse):
    path, seen = warehouse
    assert seen["after first"]["2503.00001"] == 1
    run = query(path, "SELECT hardware_id, chip_count, training_hours, source, extracted_fields FROM training_runs "
                      "WHERE run_id = 'echo_600m'")[0]
    assert run[:4] == ("google_tpu_v3", 64.0, 96.0, "curated")  # 128 TPU v3 cores are 64 chips; "under four days"
    assert "chip_count (fulltext)" in run[4]
    fact = query(path, "SELECT value, where_in_source FROM run_facts WHERE run_id = 'echo_600m' AND fact = 'chip_count' "
                       "AND source = 'fulltext'")[0]
    assert fact[0] == "64" and "main.tex" in fact[1] and "a pod of 128 TPU v3 cores" in fact[1]
    hardware = query(path, "SELECT flop FROM compute_estimates WHERE run_id = 'echo_600m' AND method = 'hardware'")
    assert len(hardware) == 1 and hardware[0][0] > 0
    read = query(path, "SELECT paper_key, kind, run_count, refused_reason, content_sha256 FROM meta__fulltext_reads "
                       "WHERE paper_id = 'echo2025_speech'")[0]
    assert read[:4] == ("arxiv:2503.00001", "latex", 1, None) and len(read[4]) == 64


def test_a_complete_paper_is_not_read_and_a_second_run_asks_the_server_nothing(warehouse):
    _, seen = warehouse
    assert seen["after first"]["2503.00003"] == 0  # Lens has hardware and size on record
    assert seen["after second"] == seen["after first"]["all"]
    assert next(c for c in seen["second"]["counts"] if c["table"] == "papers read")["rows_in"] == 0


def test_paper_id_forces_a_paper_in(warehouse):
    path, seen = warehouse
    assert seen["after named"]["2503.00003"] == 1
    assert seen["after named"]["2503.00001"] == 1  # the others were not read again
    facts = dict(query(path, "SELECT fact, value FROM run_facts WHERE run_id = 'lens_25m' AND source = 'fulltext'"))
    assert facts["hardware"] == '"V100"' and facts["precision"] == '"mixed_fp16"'
    assert query(path, "SELECT precision FROM training_runs WHERE run_id = 'lens_25m'")[0][0] == "mixed_fp16"


def test_a_conflict_with_a_curated_value_keeps_it_and_lands_a_review_item(warehouse):
    path, _ = warehouse
    assert query(path, "SELECT chip_count, parameter_count FROM training_runs WHERE run_id = 'wren_main'")[0] == (128.0, 6e8)
    both = query(path, "SELECT source, value FROM run_facts WHERE run_id = 'wren_main' AND fact = 'chip_count' ORDER BY source")
    assert both == [("curated", "128"), ("fulltext", "64")]
    review = query(path, "SELECT is_flagged, review_status, flag_reason FROM compute_comparison WHERE run_id = 'wren_main'")[0]
    assert review[0] is True and review[1] == "open"
    assert "source conflict: fulltext states chip_count 64" in review[2] and "curated states 128" in review[2]


def test_the_curated_source_read_again_keeps_the_filled_gaps_and_the_review(warehouse):
    path, seen = warehouse
    assert seen["after curated"] == sum(seen["after named"].values())
    assert query(path, "SELECT hardware_id, chip_count FROM training_runs WHERE run_id = 'echo_600m'")[0] == ("google_tpu_v3", 64.0)
    assert query(path, "SELECT review_status FROM compute_comparison WHERE run_id = 'wren_main'")[0][0] == "open"


def test_a_hostile_e_print_is_quarantined_and_recorded_as_read(warehouse):
    path, _ = warehouse
    rows = query(path, "SELECT check_name, reason FROM quarantine WHERE source = 'fulltext' AND record_key = 'tarpit2025_escape'")
    assert rows and rows[0][0] == "unsafe_tar_member" and "../escape.tex" in rows[0][1]
    assert query(path, "SELECT refused_reason FROM meta__fulltext_reads WHERE paper_id = 'tarpit2025_escape'")[0][0].startswith(
        "unsafe_tar_member")
    assert query(path, "SELECT hardware_id FROM training_runs WHERE run_id = 'tarpit_main'")[0][0] is None


def test_the_cli_reads_a_mirror_folder_with_no_server_and_exits_0(prefect_api_url, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "2503.00001.tar.gz").write_bytes(eprint("heldout"))
    (mirror / "2503.00004.tar.gz").write_bytes(BODIES["2503.00004"]())
    path = tmp_path / "w.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_API_URL", prefect_api_url)
        assert run_cli("run", "--curated-dir", CURATED, "--warehouse", path).returncode == 0
        result = run_cli("run", "--source", "fulltext", "--fulltext-dir", mirror, "--fulltext-url", "http://127.0.0.1:9/",
                         "--curated-dir", CURATED, "--warehouse", path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert query(path, "SELECT chip_count FROM training_runs WHERE run_id = 'echo_600m'")[0][0] == 64.0
    missing = query(path, "SELECT check_name, reason FROM quarantine WHERE record_key = 'wren2025_counted_cores'")
    assert missing[0][0] == "fetch_failed" and "neither the cache nor the mirror folder" in missing[0][1]
    assert query(path, "SELECT check_name FROM quarantine WHERE record_key = 'tarpit2025_escape'")[0][0] == "unsafe_tar_member"


def test_a_new_warehouse_built_with_curated_and_fulltext_together_reads_in_that_same_run(run_flow, server, tmp_path):
    before = asked(server, "2503.00001")
    summary = run_flow(warehouse=tmp_path / "w.duckdb", curated_dir=CURATED, sources=("curated", "fulltext"),
                       fulltext_url=server.url_for("/"), fulltext_min_interval_seconds=0.0)
    assert next(c for c in summary["counts"] if c["table"] == "papers read")["rows_in"] >= 1
    assert asked(server, "2503.00001") == before + 1
    run = query(tmp_path / "w.duckdb", "SELECT hardware_id, chip_count FROM training_runs WHERE run_id = 'echo_600m'")[0]
    assert run == ("google_tpu_v3", 64.0)
