import numpy as np
import pandas as pd
import pytest

from flows.transform.comparison import compare_estimates
from flows.transform.units import FLOP_PER_PFS_DAY, flop_to_pfs_days, pfs_days_to_flop


def estimates(rows):
    return pd.DataFrame(rows, columns=["run_id", "method", "flop"])


def compare(rows, runs):
    return compare_estimates(estimates(rows), pd.Series(runs), "s", 3.0).set_index("run_id")


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
    out = compare([("a", "operations", 2e20), ("a", "hardware", 1e20), ("a", "reported", 3e20),
                   ("b", "operations", 2e20), ("b", "hardware", 1e20), ("c", "hardware", 1e20)], ["a", "b", "c", "d"])
    assert list(out.loc[["a", "b", "c"], "best_method"]) == ["reported", "operations", "hardware"]
    assert out.loc["a", "best_flop"] == 3e20
    assert pd.isna(out.loc["d", "best_method"]) and not out.loc["d", "is_flagged"]


def test_one_method_alone_is_not_flagged():
    out = compare([("a", "operations", 1e20)], ["a"])
    assert not out.loc["a", "is_flagged"] and np.isnan(out.loc["a", "ratio"])
