import json

import pandas as pd
import pytest

from flows.settings import get_assumption_set
from flows.transform.compute.hardware import estimate_hardware

OPENAI = get_assumption_set("openai-2018")
EPOCH = get_assumption_set("epoch-2022")

SPECS = pd.DataFrame([
    {"hardware_id": "gtx580", "kind": "gpu", "fp32_flop_per_second": 1.581e12},
    {"hardware_id": "a100", "kind": "gpu", "fp32_flop_per_second": 19.5e12, "tf32_flop_per_second": 156e12,
     "fp16_tensor_flop_per_second": 312e12, "bf16_flop_per_second": 312e12},
    {"hardware_id": "tpu_v3", "kind": "tpu", "bf16_flop_per_second": 123e12},
    {"hardware_id": "xeon", "kind": "cpu", "fp32_flop_per_second": 1e12},
])
SPECS = SPECS.reindex(columns=["hardware_id", "kind", *[f"{c}_flop_per_second" for c in
                                                      ("fp64", "fp32", "tf32", "fp16", "fp16_tensor", "bf16", "fp8")]])


def hw(rules=OPENAI, **row):
    return estimate_hardware(pd.DataFrame([{"run_id": "r", "domain": "vision", **row}]), SPECS, rules)


def test_alexnet_worked_example_with_appendix_overrides():
    # 2 GPUs x 1.58e12 FLOP/s x 132 h x 3600 s/h x 0.33 = 4.9550e17 FLOP (OpenAI: ~500 PF)
    out = hw(hardware_id="gtx580", chip_count=2, training_hours=132, training_hours_low=120, training_hours_high=144,
             peak_flop_per_second_override=1.58e12, utilization_override=0.33)
    assert out.loc[0, "flop"] == pytest.approx(2 * 1.58e12 * 132 * 3600 * 0.33)
    assert out.loc[0, "flop_low"] == pytest.approx(2 * 1.58e12 * 120 * 3600 * 0.33)
    assert out.loc[0, "flop_high"] == pytest.approx(2 * 1.58e12 * 144 * 3600 * 0.33)


def test_openai_set_uses_fp32_peak_and_a_third_utilization():
    # 8 A100 x 19.5e12 (FP32) x 10 h x 3600 x 0.33
    out = hw(hardware_id="a100", chip_count=8, training_hours=10)
    assert out.loc[0, "flop"] == pytest.approx(8 * 19.5e12 * 10 * 3600 * 0.33)


def test_epoch_set_uses_tensor_peak_and_domain_utilization():
    # language model on A100: 312e12 (BF16 tensor) x 0.30; vision: x 0.40
    lang = hw(EPOCH, hardware_id="a100", chip_count=8, training_hours=10, domain="language")
    vision = hw(EPOCH, hardware_id="a100", chip_count=8, training_hours=10, domain="vision")
    assert lang.loc[0, "flop"] == pytest.approx(8 * 312e12 * 10 * 3600 * 0.30)
    assert vision.loc[0, "flop"] == pytest.approx(8 * 312e12 * 10 * 3600 * 0.40)


def test_stated_precision_beats_the_assumption_rule():
    out = hw(EPOCH, hardware_id="a100", chip_count=1, training_hours=1, precision="tf32")
    assert out.loc[0, "flop"] == pytest.approx(156e12 * 3600 * 0.40)


def test_chip_hours_are_not_multiplied_by_the_chip_count_again():
    # "1.7M A100 hours": already chips x time
    with_count = hw(EPOCH, hardware_id="a100", chip_hours=1.7e6, chip_count=2048, domain="language")
    assert with_count.loc[0, "flop"] == pytest.approx(1.7e6 * 3600 * 312e12 * 0.30)


def test_stated_mfu_overrides_the_default():
    out = hw(EPOCH, hardware_id="tpu_v3", chip_count=1, training_hours=1, utilization=0.46, domain="language")
    assert out.loc[0, "flop"] == pytest.approx(123e12 * 3600 * 0.46)


def test_cpu_gets_openai_cpu_utilization():
    out = hw(hardware_id="xeon", chip_count=1, training_hours=1)
    assert out.loc[0, "flop"] == pytest.approx(1e12 * 3600 * 0.17)


@pytest.mark.parametrize("field", ["chip_count", "training_hours"])
def test_twice_the_chips_or_time_twice_the_flop(field):
    base = {"hardware_id": "a100", "chip_count": 4, "training_hours": 5}
    doubled = {**base, field: base[field] * 2}
    assert hw(EPOCH, **doubled).loc[0, "flop"] == pytest.approx(2 * hw(EPOCH, **base).loc[0, "flop"])


def test_unknown_chip_or_missing_time_gives_no_estimate():
    assert hw(hardware_id=None, chip_count=2, training_hours=5).empty
    assert hw(hardware_id="a100", chip_count=2).empty


def test_inputs_record_peak_and_utilization_provenance():
    out = hw(EPOCH, hardware_id="a100", chip_count=1, training_hours=1, domain="language")
    assert '"peak_source": "bf16 (epoch-2022 order)"' in out.loc[0, "inputs"]
    assert '"utilization_source": "epoch-2022 default"' in out.loc[0, "inputs"]


def test_default_utilization_carries_the_sets_range():
    # epoch-2022, vision: 0.40 default, range 0.2-0.5; A100 with bf16 stated (exact peak 312e12)
    row = hw(EPOCH, hardware_id="a100", chip_count=8, training_hours=10, precision="bf16").iloc[0]
    base = 8 * 312e12 * 10 * 3600
    assert (row["flop_low"], row["flop"], row["flop_high"]) == pytest.approx((base * 0.2, base * 0.4, base * 0.5))
    assert row["hardware_burden_flop"] == pytest.approx(base)
    assert row["uncertainty"] == "utilization 0.2-0.5"


def test_unknown_precision_spans_the_fp32_and_tensor_peaks():
    # no precision stated: epoch-2022 picks the 312e12 tensor peak; the run may have used FP32 (19.5e12)
    row = hw(EPOCH, hardware_id="a100", chip_count=1, training_hours=1).iloc[0]
    assert row["flop"] == pytest.approx(312e12 * 3600 * 0.4)
    assert row["flop_low"] == pytest.approx(19.5e12 * 3600 * 0.2)
    assert row["flop_high"] == pytest.approx(312e12 * 3600 * 0.5)
    assert "peak_flop_per_second 1.95e+13-3.12e+14" in row["uncertainty"]


def test_stated_mfu_and_precision_make_a_point_estimate():
    row = hw(EPOCH, hardware_id="a100", chip_count=4, training_hours=2, precision="bf16", utilization=0.45).iloc[0]
    assert row["flop_low"] == row["flop"] == row["flop_high"] == pytest.approx(4 * 312e12 * 2 * 3600 * 0.45)
    assert row["uncertainty"] is None


def test_hedged_chip_count_and_time_multiply_their_ends():
    # "about 500-600 GPUs for 5-6 days", FP32-only chip, OpenAI utilization 0.33 (range 0.2-0.5)
    row = hw(hardware_id="gtx580", chip_count=550, chip_count_low=500, chip_count_high=600,
             training_hours=132, training_hours_low=120, training_hours_high=144).iloc[0]
    assert row["flop_low"] == pytest.approx(500 * 1.581e12 * 120 * 3600 * 0.2)
    assert row["flop_high"] == pytest.approx(600 * 1.581e12 * 144 * 3600 * 0.5)
    assert row["uncertainty"] == "chip_count 500-600; training_hours 120-144; utilization 0.2-0.5"


def test_a_stated_precision_the_chip_lacks_is_said_in_the_peak_source():
    # FP8 stated on an A100 (no FP8 peak in the spec row): the set's order supplies the peak, and says why
    out = hw(EPOCH, hardware_id="a100", chip_count=1, training_hours=1, precision="fp8")
    inputs = json.loads(out.loc[0, "inputs"])
    assert inputs["peak_flop_per_second"] == 312e12
    assert inputs["peak_source"] == "bf16 (epoch-2022 order), as the chip has no peak for the stated fp8"
