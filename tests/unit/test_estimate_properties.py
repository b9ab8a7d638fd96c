"""Invariants of the estimators, checked on generated inputs (hypothesis)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.settings import get_assumption_set
from flows.transform.compute.comparison import compare_estimates
from flows.transform.compute.estimates import estimate_compute
from flows.transform.compute.hardware import estimate_hardware
from flows.transform.compute.operations import estimate_operations
from flows.transform.compute.units import flop_to_pfs_days, pfs_days_to_flop
from tests.unit.test_hardware import SPECS

SETS = [get_assumption_set("openai-2018"), get_assumption_set("epoch-2022")]
CHIPS = ["gtx580", "a100", "tpu_v3", "xeon"]
PRECISIONS = [None, "fp32", "bf16", "mixed_fp16", "tf32"]
# each example runs the real pandas estimators (~20-60 ms): the example budget comes from the
# hypothesis profile (tests/conftest.py: a small one in the unit tier, a large one in tests/slow)
ESTIMATOR = settings(deadline=None)

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
count = st.floats(min_value=1, max_value=1e5, allow_nan=False, allow_infinity=False)
spread = st.floats(min_value=1.0, max_value=3.0)  # a stated range: value / low and high / value


@st.composite
def hedged(draw, values=positive):
    """A value, optionally with a stated range around it: (value, low, high)."""
    value = draw(values)
    if draw(st.booleans()):
        return value, value, value
    return value, value / draw(spread), value * draw(spread)


@st.composite
def hardware_runs(draw):
    chips, hours = draw(hedged(count)), draw(hedged(positive))
    use_chip_hours = draw(st.booleans())
    row = {"run_id": "r", "domain": draw(st.sampled_from(["vision", "language"])),
           "hardware_id": draw(st.sampled_from(CHIPS)), "precision": draw(st.sampled_from(PRECISIONS)),
           "utilization": draw(st.one_of(st.none(), st.floats(min_value=0.05, max_value=1.0)))}
    if use_chip_hours:
        row.update(chip_hours=chips[0] * hours[0], chip_hours_low=chips[1] * hours[1], chip_hours_high=chips[2] * hours[2])
    else:
        row.update(chip_count=chips[0], chip_count_low=chips[1], chip_count_high=chips[2],
                   training_hours=hours[0], training_hours_low=hours[1], training_hours_high=hours[2])
    return row


def hardware_estimate(row, rules):
    out = estimate_hardware(pd.DataFrame([row]), SPECS, rules)
    return out.iloc[0] if len(out) else None


def doubled(row, field):
    return {**row, **{k: v * 2 for k, v in row.items() if k.startswith(field) and v is not None}}


@ESTIMATOR
@given(hardware_runs(), st.sampled_from(SETS), st.sampled_from(["chip_count", "training_hours", "chip_hours"]))
def test_twice_the_chips_or_time_gives_twice_the_hardware_flop(row, rules, field):
    base = hardware_estimate(row, rules)
    if base is None or field not in row:  # chip_hours rows have no chip_count, and the other way round
        return
    twice = hardware_estimate(doubled(row, field), rules)
    for column in ("flop", "flop_low", "flop_high", "hardware_burden_flop"):
        assert twice[column] == pytest.approx(2 * base[column], rel=1e-12), column


@ESTIMATOR
@given(hardware_runs(), st.sampled_from(SETS))
def test_hardware_interval_holds_the_estimate(row, rules):
    out = hardware_estimate(row, rules)
    if out is not None:
        assert out["flop_low"] <= out["flop"] * (1 + 1e-12) and out["flop"] <= out["flop_high"] * (1 + 1e-12)
        assert out["flop"] <= out["hardware_burden_flop"] * (1 + 1e-12)  # utilization is at most 1


@st.composite
def operations_runs(draw):
    row = {"run_id": "r"}
    names = draw(st.sampled_from([
        ["forward_flop_per_example", "training_examples", "epochs"],
        ["parameter_count", "training_tokens"],
        ["parameter_count", "active_parameter_count", "training_tokens"],
        ["parameter_count", "dataset_tokens", "epochs"],
    ]))
    for name in names:
        row[name], row[f"{name}_low"], row[f"{name}_high"] = draw(hedged())
    row["ensemble_members"] = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=10)))
    return row


@ESTIMATOR
@given(operations_runs())
def test_operations_interval_holds_the_estimate(row):
    out = estimate_operations(pd.DataFrame([row]), "s").iloc[0]
    assert out["flop_low"] <= out["flop"] * (1 + 1e-12) and out["flop"] <= out["flop_high"] * (1 + 1e-12)


@ESTIMATOR
@given(operations_runs(), hardware_runs(), st.one_of(st.none(), hedged()), st.sampled_from(SETS))
def test_every_estimate_and_the_best_lie_within_their_intervals(ops, hw, reported, rules):
    run = {**ops, **hw}
    if reported is not None:
        run.update(reported_flop=reported[0] * 1e15, reported_flop_low=reported[1] * 1e15,
                   reported_flop_high=reported[2] * 1e15)
    estimates, comparison = estimate_compute(pd.DataFrame([run]), SPECS, rules)
    assert (estimates["flop_low"] <= estimates["flop"] * (1 + 1e-12)).all()
    assert (estimates["flop"] <= estimates["flop_high"] * (1 + 1e-12)).all()
    best = comparison.iloc[0]
    if not math.isnan(best["best_flop"]):
        assert best["best_flop_low"] <= best["best_flop"] * (1 + 1e-12) <= best["best_flop_high"] * (1 + 2e-12)


interval = st.tuples(st.floats(min_value=1e10, max_value=1e26), st.floats(min_value=1.0, max_value=10.0),
                     st.floats(min_value=1.0, max_value=10.0))


@ESTIMATOR
@given(interval, interval, st.sampled_from(SETS))
def test_ratio_is_symmetric_in_log_space(a, b, rules):
    """Swapping the two methods' figures negates log10(ratio) and changes no flag or severity."""
    def compare(first, second):
        rows = [("r", "operations", first[0], first[0] / first[1], first[0] * first[2]),
                ("r", "hardware", second[0], second[0] / second[1], second[0] * second[2])]
        frame = pd.DataFrame(rows, columns=["run_id", "method", "flop", "flop_low", "flop_high"])
        return compare_estimates(frame, pd.DataFrame({"run_id": ["r"]}), rules).iloc[0]
    forward, backward = compare(a, b), compare(b, a)
    assert forward["log10_ratio"] == pytest.approx(-backward["log10_ratio"], abs=1e-9)
    assert math.log10(forward["ratio"]) == pytest.approx(-math.log10(backward["ratio"]), abs=1e-9)
    assert forward["is_flagged"] == backward["is_flagged"]
    assert forward["severity"] == backward["severity"]


@given(st.floats(min_value=1e-12, max_value=1e15))
def test_pfs_days_round_trip(pfs_days):
    assert flop_to_pfs_days(pfs_days_to_flop(pfs_days)) == pytest.approx(pfs_days, rel=1e-12)
    assert pfs_days_to_flop(flop_to_pfs_days(pfs_days * 1e20)) == pytest.approx(pfs_days * 1e20, rel=1e-12)


def test_pfs_days_round_trip_vectorized():
    flop = np.geomspace(1e12, 1e28, 50)
    np.testing.assert_allclose(pfs_days_to_flop(flop_to_pfs_days(pd.Series(flop))), flop, rtol=1e-12)
