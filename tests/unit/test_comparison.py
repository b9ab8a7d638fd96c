import numpy as np
import pandas as pd
import pytest

from flows.transform.compute.assumptions import AssumptionSet
from flows.transform.compute.comparison import compare_estimates
from flows.transform.compute.units import FLOP_PER_PFS_DAY, flop_to_pfs_days, pfs_days_to_flop


RULES = AssumptionSet(name="s", description="", source_url="", utilization_by_kind={"gpu": 0.33},
                      utilization_by_domain={}, peak_order=(), flag_ratio=3.0, trust_spread=3.0)


def estimates(rows):
    """(run_id, method, flop) or (run_id, method, flop, flop_low, flop_high) rows."""
    rows = [r if len(r) == 5 else (*r, r[2], r[2]) for r in rows]
    return pd.DataFrame(rows, columns=["run_id", "method", "flop", "flop_low", "flop_high"])


def compare(rows, runs, facts=None):
    frame = pd.DataFrame({"run_id": runs, **(facts or {})})
    return compare_estimates(estimates(rows), frame, RULES).set_index("run_id")


def test_pfs_day_is_1e15_flop_per_second_for_a_day():
    assert FLOP_PER_PFS_DAY == 8.64e19
    # OpenAI: AlexNet 470 PF = 0.0054 pfs-days
    assert flop_to_pfs_days(470e15) == pytest.approx(0.00544, rel=1e-3)


@pytest.mark.parametrize("pfs", [1e-6, 0.0054, 1.0, 3640.0, 4.4e5])
def test_pfs_days_round_trip(pfs):
    assert flop_to_pfs_days(pfs_days_to_flop(pfs)) == pytest.approx(pfs)


def test_flag_when_methods_differ_by_more_than_three():
    out = compare([("a", "operations", 4e20), ("a", "hardware", 1e20),
                   ("b", "operations", 2.9e20), ("b", "hardware", 1e20),
                   ("c", "operations", 1e20), ("c", "hardware", 3.5e20)], ["a", "b", "c"])
    assert out.loc["a", "is_flagged"] and out.loc["c", "is_flagged"]
    assert not out.loc["b", "is_flagged"]
    assert out.loc["a", "ratio"] == pytest.approx(4.0)
    assert "outside [1/3, 3]" in out.loc["a", "flag_reason"]
    assert out.loc["a", "review_status"] == "open" and out.loc["b", "review_status"] == "not_flagged"


def test_best_prefers_reported_then_operations_then_hardware():
    # b: the hardware interval spans 10x (unknown precision, say), so it is not trusted for a mean
    out = compare([("a", "operations", 2e20), ("a", "hardware", 1e20), ("a", "reported", 3e20),
                   ("b", "operations", 2e20), ("b", "hardware", 1e20, 0.5e20, 5e20), ("c", "hardware", 1e20)],
                  ["a", "b", "c", "d"])
    assert list(out.loc[["a", "b", "c"], "best_method"]) == ["reported", "operations", "hardware"]
    assert out.loc["a", "best_flop"] == 3e20
    assert pd.isna(out.loc["d", "best_method"]) and not out.loc["d", "is_flagged"]


def test_one_method_alone_is_not_flagged():
    out = compare([("a", "operations", 1e20)], ["a"])
    assert not out.loc["a", "is_flagged"] and np.isnan(out.loc["a", "ratio"])


def test_intervals_that_do_not_overlap_flag_even_inside_the_ratio():
    # ratio 2.5 is inside [1/3, 3], but the hardware range 1e20-2e20 (say, utilization) stays below 4e20
    out = compare([("a", "operations", 4e20), ("a", "hardware", 1.6e20, 1e20, 2e20)], ["a"])
    row = out.loc["a"]
    assert row["is_flagged"] and row["severity"] == "low"
    assert "intervals do not overlap" in row["flag_reason"] and "outside" not in row["flag_reason"]


def test_severity_follows_the_size_of_the_disagreement():
    out = compare([("a", "operations", 5e20), ("a", "hardware", 1e20), ("b", "operations", 2e21), ("b", "hardware", 1e20)],
                  ["a", "b"])
    assert out.loc["a", "severity"] == "medium" and out.loc["b", "severity"] == "high"  # 5x, then 20x


def test_reported_figure_is_compared_with_each_method():
    out = compare([("a", "reported", 1e21), ("a", "operations", 1e20), ("a", "hardware", 1.1e20)], ["a"])
    row = out.loc["a"]
    assert row["is_flagged"] and row["reported_operations_ratio"] == pytest.approx(10)
    assert "reported/operations = 10" in row["flag_reason"] and "reported/hardware" in row["flag_reason"]
    assert row["best_method"] == "reported"


def test_two_trusted_methods_that_agree_give_their_geometric_mean():
    # hardware 1.2e20 within 0.8e20-2.2e20 (2.75x <= trust_spread 3) holds the operations 2e20
    out = compare([("a", "operations", 2e20), ("a", "hardware", 1.2e20, 0.8e20, 2.2e20)], ["a"],
                  {"hardware_confidence": [1.0]})
    row = out.loc["a"]
    assert row["best_method"] == "geometric_mean" and not row["is_flagged"]
    assert row["best_flop"] == pytest.approx((2e20 * 1.2e20) ** 0.5)
    assert row["best_flop_low"] == pytest.approx((2e20 * 0.8e20) ** 0.5)
    # a fuzzy chip match is not trusted: operations wins
    fuzzy = compare([("a", "operations", 2e20), ("a", "hardware", 1e20)], ["a"], {"hardware_confidence": [0.8]})
    assert fuzzy.loc["a", "best_method"] == "operations"


@pytest.mark.parametrize("low, high, expected", [
    (2e25, 3e25, "above"), (5e24, 2e25, "possibly above"), (1e24, 9e24, "below"), (1e25, 1e25, "above")])
def test_threshold_flags_are_three_valued_from_the_interval(low, high, expected):
    point = (low * high) ** 0.5
    out = compare([("a", "operations", point, low, high)], ["a"])
    assert out.loc["a", "threshold_1e25"] == expected
    assert out.loc["a", "threshold_1e26"] == "below"


def test_derived_columns_chip_hours_serial_steps_and_fine_tuning_sum():
    facts = {"chip_count": [8, None], "training_hours": [10, None], "training_examples": [1.2e6, None],
             "epochs": [90, None], "batch_size": [128, None], "training_tokens": [None, 3e11],
             "batch_tokens": [None, 3.2e6], "base_run_id": [None, "a"]}
    out = compare([("a", "operations", 1e20), ("b", "operations", 1e18)], ["a", "b"], facts)
    assert out.loc["a", "chip_hours"] == 80
    assert out.loc["a", "serial_steps"] == pytest.approx(1.2e6 * 90 / 128)
    assert out.loc["b", "serial_steps"] == pytest.approx(3e11 / 3.2e6)
    # the fine-tune's own figure stays its own; the sum with its base is a separate column
    assert out.loc["b", "best_flop"] == 1e18 and out.loc["b", "with_base_flop"] == pytest.approx(1e20 + 1e18)
    assert np.isnan(out.loc["a", "with_base_flop"])


def test_fingerprint_changes_with_inputs_only():
    first = compare([("a", "operations", 1e20)], ["a"]).loc["a", "inputs_fingerprint"]
    again = compare([("a", "operations", 1e20)], ["a"]).loc["a", "inputs_fingerprint"]
    changed = compare([("a", "operations", 2e20)], ["a"]).loc["a", "inputs_fingerprint"]
    assert first == again != changed
