"""`flopledger run --source fulltext --workers 2`: the papers are read on a local Dask cluster of two
processes inside the pipeline flow, and land as an in-process run lands them (slow: the cluster starts
two interpreters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.fulltext_fixtures import eprint
from tests.integration.test_pipeline import query

pytestmark = pytest.mark.slow
CURATED = Path(__file__).resolve().parents[1] / "fixtures" / "fulltext_run"


def test_workers_read_the_papers_on_a_dask_cluster_and_the_facts_land(prefect_api_url, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for arxiv_id, name in (("2503.00001", "heldout"), ("2503.00002", "heldout"), ("2503.00004", "vision")):
        (mirror / f"{arxiv_id}.tar.gz").write_bytes(eprint(name))
    path = tmp_path / "w.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_API_URL", prefect_api_url)
        assert run_cli("run", "--curated-dir", CURATED, "--warehouse", path).returncode == 0
        result = run_cli("run", "--source", "fulltext", "--workers", "2", "--fulltext-dir", mirror,
                         "--curated-dir", CURATED, "--warehouse", path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert query(path, "SELECT hardware_id, chip_count FROM training_runs WHERE run_id = 'echo_600m'")[0] == ("google_tpu_v3", 64.0)
    assert query(path, "SELECT count(*) FROM meta__fulltext_reads")[0][0] == 3
    assert query(path, "SELECT review_status FROM compute_comparison WHERE run_id = 'wren_main'")[0][0] == "open"
