import json
import math

import pandas as pd
import pytest

from flows.transform.compute.operations import FORMULA_ARCHITECTURE, FORMULA_TOKENS, estimate_operations


def one(**row):
    return pd.DataFrame([{"run_id": "r", **row}])


def ops(**row):
    return estimate_operations(one(**row), "s")


def test_alexnet_worked_example():
    # 0.75 G multiply-adds = 1.5 GFLOP forward; x 3 (fwd + bwd) x 1.2M images x 90 epochs
    # = 1.5e9 * 3 * 1.2e6 * 90 = 4.86e17 FLOP
    out = estimate_operations(one(forward_flop_per_example=1.5e9, training_examples=1.2e6, epochs=90), "s")
    assert out.loc[0, "flop"] == pytest.approx(4.86e17)
    assert out.loc[0, "formula"] == FORMULA_ARCHITECTURE


def test_dense_transformer_uses_six_n_d():
    # GPT-3: 6 * 175e9 * 300e9 = 3.15e23 FLOP
    out = estimate_operations(one(parameter_count=175e9, training_tokens=300e9), "s")
    assert out.loc[0, "flop"] == pytest.approx(3.15e23)
    assert out.loc[0, "formula"] == FORMULA_TOKENS


def test_mixture_of_experts_uses_active_parameters():
    # DeepSeek-V3: 6 * 37e9 active * 14.8e12 tokens = 3.2856e24, not 6 * 671e9 * ...
    out = estimate_operations(one(parameter_count=671e9, active_parameter_count=37e9, training_tokens=14.8e12), "s")
    assert out.loc[0, "flop"] == pytest.approx(3.2856e24)


def test_architecture_count_wins_over_six_n_d():
    out = estimate_operations(one(forward_flop_per_example=2e9, training_examples=1e6, epochs=1,
                                  parameter_count=1e9, training_tokens=1e12), "s")
    assert out.loc[0, "flop"] == pytest.approx(6e15)


def test_missing_inputs_give_no_estimate_rather_than_a_guess():
    out = estimate_operations(one(forward_flop_per_example=2e9, training_examples=1e6), "s")  # no epochs
    assert out.empty


def test_operations_multiplier_scales_and_is_recorded():
    out = estimate_operations(one(parameter_count=1e9, training_tokens=1e9, operations_multiplier=0.5), "s")
    assert out.loc[0, "flop"] == pytest.approx(3e18)
    assert '"operations_multiplier": 0.5' in out.loc[0, "inputs"]


@pytest.mark.parametrize("factor", [2, 3, 10])
def test_doubling_tokens_scales_linearly(factor):
    base = estimate_operations(one(parameter_count=7e9, training_tokens=1e12), "s").loc[0, "flop"]
    more = estimate_operations(one(parameter_count=7e9, training_tokens=factor * 1e12), "s").loc[0, "flop"]
    assert math.isclose(more, factor * base)


def test_tokens_seen_are_dataset_tokens_times_epochs_when_only_those_are_given():
    # 6 x 1e9 parameters x (2e10 dataset tokens x 3 epochs) = 3.6e20
    out = ops(parameter_count=1e9, dataset_tokens=2e10, epochs=3)
    assert out.loc[0, "flop"] == pytest.approx(3.6e20)
    assert out.loc[0, "formula"] == "6 x parameters x dataset_tokens x epochs"


def test_ensembles_are_summed_over_members():
    # 5 members x (1.5e9 x 3 x 1e6 x 10) = 2.25e17
    out = ops(forward_flop_per_example=1.5e9, training_examples=1e6, epochs=10, ensemble_members=5)
    assert out.loc[0, "flop"] == pytest.approx(5 * 1.5e9 * 3 * 1e6 * 10)
    assert out.loc[0, "formula"].endswith("x ensemble_members")
    assert json.loads(out.loc[0, "inputs"])["ensemble_members"] == 5


def test_hedged_inputs_widen_the_interval_by_the_products_of_their_ends():
    # "about 2-3 trillion tokens", 7e9 parameters stated exactly: 6 x 7e9 x [2e12, 3e12]
    out = ops(parameter_count=7e9, training_tokens=2.5e12, training_tokens_low=2e12, training_tokens_high=3e12)
    row = out.iloc[0]
    assert (row["flop_low"], row["flop"], row["flop_high"]) == pytest.approx((6 * 7e9 * 2e12, 6 * 7e9 * 2.5e12, 6 * 7e9 * 3e12))
    assert row["uncertainty"] == "training_tokens 2e+12-3e+12"
    assert json.loads(row["inputs"])["training_tokens_low"] == 2e12


def test_exact_inputs_give_a_point_interval():
    row = ops(parameter_count=1e9, training_tokens=2e10).iloc[0]
    assert row["flop_low"] == row["flop"] == row["flop_high"] and row["uncertainty"] is None
