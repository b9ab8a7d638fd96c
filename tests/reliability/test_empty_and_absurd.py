"""Issue 12's last two cases: an Epoch file with a header and no rows is a clean run that says so, and an
estimate no training run can have (above 1e32 FLOP, infinite, NaN), computed from inputs that each pass their
own cell check, is quarantined with its reason instead of landing as a run's best estimate."""

import json
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from flows.fetch import fetch_epoch_batch
from flows.settings import get_assumption_set
from flows.transform.compute.estimates import estimate_checked
from flows.transform.compute.plausible import split_implausible
from tests.cli_runner import run_cli
from warehouse.seeds import read_hardware_aliases, read_hardware_specs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "epoch"
HEADER_ONLY = FIXTURES / "notable_ai_models_header_only.csv"
NO_ROWS_LINE = "read epoch: 0 rows in the file (it has a header line and no records; nothing to land)"


def absurd_epoch_file(tmp_path) -> Path:
    """The sample table with Chinchilla's parameters at 1e15 and its dataset at 1e17 tokens: each cell is
    below the 1e32 cell bound, their 6ND product (6e32 FLOP) is not."""
    frame = pd.read_csv(FIXTURES / "notable_ai_models_sample.csv", dtype=str, keep_default_na=False)
    row = frame.index[frame["Model"] == "Chinchilla"][0]
    frame.loc[row, ["Parameters", "Training dataset size (total)", "Epochs"]] = ["1e15", "1e17", ""]
    path = tmp_path / "absurd.csv"
    frame.to_csv(path, index=False)
    return path


def test_an_estimate_from_passing_cells_above_1e32_is_quarantined_with_its_reason(tmp_path):
    batch = fetch_epoch_batch(str(absurd_epoch_file(tmp_path)), None, read_hardware_aliases(), None)
    runs = batch.core.runs
    assert runs.set_index("system").loc["Chinchilla", "parameter_count"] == 1e15  # the cells passed their checks
    assert not batch.core.quarantine["reason"].str.contains("Chinchilla|1e15|1e17").any()
    estimates, comparison, quarantine = estimate_checked(runs, read_hardware_specs(), get_assumption_set("epoch-2022"))
    run_id = runs.set_index("system").loc["Chinchilla", "run_id"]
    assert estimates["flop"].max() <= 1e32 and not ((estimates["run_id"] == run_id) & (estimates["method"] == "operations")).any()
    best = comparison.set_index("run_id").loc[run_id]
    assert best["best_method"] != "operations" and best["best_flop"] == pytest.approx(5.76e23)  # Epoch's own figure stands
    assert quarantine["record_key"].tolist() == [run_id]
    held = quarantine.iloc[0]
    assert (held["source"], held["table_name"], held["check_name"]) == ("epoch", "out__compute_estimates", "physical_range")
    assert held["reason"].startswith("operations estimate 6e+32 FLOP is above 1e+32, beyond any training run")
    payload = json.loads(held["payload"])
    assert payload["run_id"] == run_id and payload["flop"] == pytest.approx(6e32) and "inputs" in payload


@pytest.mark.parametrize("flop,low,high,words", [(math.inf, 1e20, math.inf, "inf FLOP is not a finite number"),
                                                 (math.nan, 1e20, 1e21, "nan FLOP is not a finite number"),
                                                 (5e31, 1e31, math.inf, "5e+31 FLOP has a range bound that is not a finite number")])
def test_an_infinite_or_nan_estimate_is_quarantined(flop, low, high, words):
    estimates = pd.DataFrame([
        {"run_id": "bad", "method": "hardware", "flop": flop, "flop_low": low, "flop_high": high, "formula": "f"},
        {"run_id": "good", "method": "hardware", "flop": 1e21, "flop_low": 5e20, "flop_high": 2e21, "formula": "f"}])
    kept, quarantine = split_implausible(estimates, pd.DataFrame({"run_id": ["bad", "good"], "source": ["curated"] * 2}))
    assert kept["run_id"].tolist() == ["good"]
    assert quarantine["record_key"].tolist() == ["bad"] and quarantine.iloc[0]["source"] == "curated"
    assert f"hardware estimate {words}" in quarantine.iloc[0]["reason"]


def test_plausible_estimates_pass_untouched():
    estimates = pd.DataFrame([{"run_id": "r", "method": "operations", "flop": 1e32, "flop_low": 5e31, "flop_high": 2e32,
                               "formula": "6ND"}])  # the bound itself is allowed, and a wide high end with it
    kept, quarantine = split_implausible(estimates, pd.DataFrame({"run_id": ["r"], "source": ["epoch"]}))
    assert kept.equals(estimates) and quarantine.empty


def _run(prefect_api_url, *args):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_API_URL", prefect_api_url)
        patch.delenv("FLOPLEDGER_EPOCH_MODELS_URL", raising=False)
        return run_cli("run", "--source", "epoch", *args)


def test_a_header_only_epoch_file_is_a_clean_run_that_says_it_has_no_rows(prefect_api_url, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    result = _run(prefect_api_url, "--epoch-models-url", HEADER_ONLY, "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr[-2000:]
    assert NO_ROWS_LINE in result.stderr
    assert "Traceback" not in result.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM training_runs").fetchone()[0] == 0
        assert con.execute("SELECT status FROM meta__run_log").fetchall() == [("succeeded",)]
    finally:
        con.close()


def test_a_run_lands_the_absurd_estimate_in_the_quarantine_view_not_in_the_estimates(prefect_api_url, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    result = _run(prefect_api_url, "--epoch-models-url", absurd_epoch_file(tmp_path), "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 quarantined (beyond any training run)" in result.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT max(flop) FROM compute_estimates").fetchone()[0] <= 1e32
        assert con.execute("SELECT max(best_flop) FROM compute_comparison").fetchone()[0] <= 1e32
        held = con.execute("SELECT source, table_name, check_name, reason FROM quarantine "
                           "WHERE table_name = 'out__compute_estimates'").fetchall()
    finally:
        con.close()
    assert len(held) == 1 and held[0][:3] == ("epoch", "out__compute_estimates", "physical_range")
    assert "6e+32 FLOP is above 1e+32" in held[0][3]
