"""The curated reference data under git is itself tested (STYLE.md rule 4)."""

from pathlib import Path

import pandas as pd

from schemas.hardware_spec import HardwareAlias, HardwareSpec, HardwareUnit
from schemas.validation import validate_frame
from warehouse.seeds import read_hardware_aliases, read_hardware_specs, read_hardware_units

# a copy of ../shared/reference/epoch_ml_hardware.csv (Epoch AI, CC BY 4.0), so the test never skips
EPOCH_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "ml_hardware_snapshot.csv"


def test_spec_table_validates_and_is_sorted():
    specs = read_hardware_specs()
    valid, rejected = validate_frame(specs, HardwareSpec)
    assert rejected.empty, rejected.to_dict("records")[:3]
    assert list(specs["hardware_id"]) == sorted(specs["hardware_id"])


def test_every_spec_row_cites_a_source_and_has_a_peak_or_says_why():
    specs = read_hardware_specs()
    assert specs["source_url"].str.startswith("http").all()
    peaks = specs[[c for c in specs.columns if c.endswith("_per_second")]]
    no_peak = specs[peaks.isna().all(axis=1)]
    assert no_peak["note"].notna().all()


def test_aliases_validate_and_point_at_real_rows():
    aliases = read_hardware_aliases()
    valid, rejected = validate_frame(aliases, HardwareAlias)
    assert rejected.empty
    assert set(aliases["hardware_id"]) <= set(read_hardware_specs()["hardware_id"])
    assert (aliases["alias"] == aliases["alias"].str.lower()).all()


def test_appendix_chips_carry_their_datasheet_fp32_peaks():
    specs = read_hardware_specs().set_index("hardware_id")
    assert specs.loc["nvidia_geforce_gtx_580", "fp32_flop_per_second"] == 1.581e12
    assert specs.loc["nvidia_tesla_k40", "fp32_flop_per_second"] == 4.29e12
    assert specs.loc["google_tpu_v3", "bf16_flop_per_second"] == 123e12


def test_every_epoch_hardware_name_is_in_the_table():
    epoch = pd.read_csv(EPOCH_CSV)
    assert set(epoch["Hardware name"]) <= set(read_hardware_specs()["epoch_name"].dropna())


def test_counting_units_validate_and_each_chip_has_one_default():
    units = read_hardware_units()
    valid, rejected = validate_frame(units, HardwareUnit)
    assert rejected.empty, rejected.to_dict("records")[:3]
    assert set(units["hardware_id"]) <= set(read_hardware_specs()["hardware_id"])
    assert (units.groupby("hardware_id")["is_default"].sum() == 1).all()


def test_alias_date_windows_may_not_overlap():
    overlapping = pd.DataFrame({"alias": ["titan x", "titan x"], "hardware_id": ["a", "b"],
                                "chips_per_unit": [None, None], "valid_from": [None, "2016-01-01"],
                                "valid_to": ["2016-08-02", None], "note": [None, None]})
    valid, rejected = validate_frame(overlapping, HardwareAlias)
    assert set(rejected["check_name"]) == {"one_meaning_per_date"}
    assert not validate_frame(overlapping.assign(valid_to=["2016-01-01", None]), HardwareAlias)[0].empty
