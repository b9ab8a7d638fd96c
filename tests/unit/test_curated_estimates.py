"""The bundled curated records through both methods, without Prefect: the figures users quote."""

import shutil

import pytest

from flows.settings import assumption_sets as load_assumption_sets, get_assumption_set
from flows.transform.ingest.core import build_curated_core
from flows.transform.compute.estimates import estimate_compute
from warehouse.seeds import CURATED_DIR
from sources.curated import read_curated_records
from warehouse.seeds import read_hardware_aliases, read_hardware_specs


@pytest.fixture(scope="module")
def core_runs():
    raw, rejects = read_curated_records(CURATED_DIR)
    core = build_curated_core(raw, rejects, read_hardware_aliases())
    assert core.quarantine.empty, core.quarantine[["check_name", "reason"]].to_string()
    return core.runs


def estimate(runs, set_name, path=None):
    estimates, comparison = estimate_compute(runs, read_hardware_specs(), get_assumption_set(set_name, path))
    return estimates.set_index(["run_id", "method"]), comparison.set_index("run_id")


def test_gpt3_hardware_estimate_lands_within_2x_of_operations_under_epoch_2022(core_runs):
    # operations: 6 x 175e9 x 300e9 = 3.15e23 (the paper's Table D.1 reports 3.14e23)
    # hardware: 10,000 V100 (Patterson et al. 2021) x 125e12 FLOP/s tensor FP16 (Epoch's order; the paper states
    # no precision) x 355.2 h x 3600 x 0.30 (Epoch, language models) = 4.80e23; ratio 0.66
    estimates, comparison = estimate(core_runs, "epoch-2022")
    operations = estimates.loc[("gpt3_175b", "operations"), "flop"]
    hardware = estimates.loc[("gpt3_175b", "hardware"), "flop"]
    assert operations == pytest.approx(3.15e23)
    assert hardware == pytest.approx(10_000 * 125e12 * 355.2 * 3600 * 0.30)
    assert 0.5 <= operations / hardware <= 2.0
    row = comparison.loc["gpt3_175b"]
    assert row["best_method"] == "reported" and row["best_flop"] == 3.14e23
    # unknown precision: the interval reaches down to the FP32 peak at utilization 0.2
    assert estimates.loc[("gpt3_175b", "hardware"), "flop_low"] == pytest.approx(10_000 * 15.67e12 * 355.2 * 3600 * 0.2)


def test_every_curated_estimate_has_an_interval_and_provenance(core_runs):
    for set_name in ("openai-2018", "epoch-2022"):
        estimates, comparison = estimate(core_runs, set_name)
        assert (estimates["flop_low"] <= estimates["flop"]).all() and (estimates["flop"] <= estimates["flop_high"]).all()
        assert estimates["formula"].notna().all() and estimates["inputs"].str.startswith("{").all()
        assert comparison.loc[comparison["is_flagged"], "flag_reason"].notna().all()
        assert set(comparison["threshold_1e25"].dropna()) <= {"above", "possibly above", "below"}
    # Llama 3.1 405B reports 3.8e25 FLOP: above the EU AI Act's 1e25 presumption, below 1e26
    assert comparison.loc["llama31_405b", ["threshold_1e25", "threshold_1e26"]].tolist() == ["above", "below"]


def test_a_user_defined_assumption_set_from_a_file(core_runs, tmp_path):
    shutil.copy(CURATED_DIR.parent / "assumption_sets.yaml", tmp_path / "sets.yaml")
    with open(tmp_path / "sets.yaml", "a", encoding="utf-8") as f:
        f.write("mfu-0.5:\n  description: test set\n  utilization: {gpu: 0.5, tpu: 0.5, other: 0.5, cpu: 0.5}\n"
                "  utilization_range: {gpu: [0.4, 0.6]}\n  peak_order: [bf16, fp16_tensor, fp32]\n  flag_ratio: 2.0\n")
    estimates, _ = estimate(core_runs, "mfu-0.5", tmp_path / "sets.yaml")
    epoch, _ = estimate(core_runs, "epoch-2022")
    gpt3 = ("gpt3_175b", "hardware")
    assert estimates.loc[gpt3, "flop"] == pytest.approx(epoch.loc[gpt3, "flop"] * 0.5 / 0.3)
    assert (estimates.reset_index()["assumption_set"] == "mfu-0.5").all()
    assert set(load_assumption_sets(tmp_path / "sets.yaml")) == {"openai-2018", "epoch-2022", "mfu-0.5"}


def test_a_broken_assumption_set_is_one_clear_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("x:\n  utilization: {gpu: 0.3}\n  utilization_range: {gpu: [0.4, 0.6]}\n"
                                       "  peak_order: [fp32]\n")
    with pytest.raises(ValueError, match="default utilization 0.3 for gpu lies outside its range"):
        load_assumption_sets(tmp_path / "bad.yaml")



def test_runs_with_a_bundled_config_count_operations_from_the_architecture(core_runs):
    from warehouse.seeds import read_model_configs

    configs = read_model_configs()
    estimates, comparison = estimate_compute(core_runs, read_hardware_specs(), get_assumption_set("epoch-2022"), configs)
    gpt3 = estimates.set_index(["run_id", "method"]).loc[("gpt3_175b", "operations")]
    # GPT-3's shape (96 x 12288, context 2048) gives 174.6B parameters and, under Kaplan's convention,
    # 6 x 174.6e9 + 6 x 96 x 1024 x 12288 FLOP per token = 1.058e12; x 300e9 tokens = 3.17e23
    # (the paper's Table D.1: 3.14e23 without attention)
    assert gpt3["formula"] == "architecture" and gpt3["flop"] == pytest.approx(3.17e23, rel=0.01)
    assert not comparison.set_index("run_id").loc["gpt3_175b", "is_flagged"] or \
        "architecture" not in str(comparison.set_index("run_id").loc["gpt3_175b", "flag_reason"])
    # a run whose config does not match its stated size is flagged with both numbers
    wrong = core_runs.assign(model_config=core_runs["model_config"].where(core_runs["run_id"] != "llama2_70b", "gpt2-xl"))
    _, flagged = estimate_compute(wrong, read_hardware_specs(), get_assumption_set("epoch-2022"), configs)
    row = flagged.set_index("run_id").loc["llama2_70b"]
    assert row["is_flagged"] and "architecture config: parameters: computed 1,557,611,200 vs stated 70,000,000,000" in row["flag_reason"]
