"""The review desk over a decision's life (slow: each lands the curated records again): a stale
decision says what changed, and a desk decision survives export, a rebuild from empty and import."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from flows.settings import assumption_sets
from flows.web.app import create_app
from flows.web.guard import DeskConfig
from tests.cli_runner import run_cli
from tests.desk_warehouse import comparison, land_curated

pytestmark = pytest.mark.slow
BASE = "http://127.0.0.1:8765"
EPOCH = "epoch-2022"


@pytest.fixture
def wh(tmp_path):
    return land_curated(tmp_path / "w.duckdb", "run-1")


@pytest.fixture
def client(wh):
    config = DeskConfig(warehouse=wh, reviewer="ana", assumption_set=EPOCH, known_sets=assumption_sets())
    return TestClient(create_app(config), base_url=BASE)


def test_a_stale_decision_says_what_changed(client, wh):
    assert client.post("/api/runs/megatron_lm_8_3b/decision", json={"accept": "hardware", "note": "fine"}).status_code == 201

    def longer(runs):  # a corrected training time: 220.7 h -> 300 h
        runs.loc[runs["run_id"] == "megatron_lm_8_3b", "training_hours"] = 300.0
        return runs
    land_curated(wh, "run-2", change=longer)
    assert comparison(wh, "megatron_lm_8_3b")[0] == "stale"
    page = client.get("/runs/megatron_lm_8_3b", params={"set": EPOCH}).text
    # hardware: 512 x 125e12 x 220.7 h x 3600 x 0.3 = 1.53e22 when decided, x 300/220.7 = 2.07e22 now
    assert re.search(r"hardware: 1\.53e22 when decided → 2\.07e22 now", page)
    assert "inputs changed in run run-2" in page


def test_a_desk_decision_survives_export_rebuild_and_import(client, wh, tmp_path):
    decided = client.post("/api/runs/transformer_big/decision", json={"accept": "reported", "note": "own figure"})
    assert decided.status_code == 201
    exported = tmp_path / "decisions.csv"
    assert run_cli("review", "export", exported, "--warehouse", wh).returncode == 0
    fresh = land_curated(tmp_path / "fresh.duckdb", "rebuild")  # a rebuild from empty
    assert comparison(fresh, "transformer_big")[0] == "open"
    assert run_cli("review", "import", exported, "--warehouse", fresh).returncode == 0
    assert comparison(fresh, "transformer_big")[:3] == ("resolved", pytest.approx(2.3e19), "reported")
