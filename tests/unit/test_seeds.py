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


def test_alias_file_is_sorted_and_family_defaults_say_so():
    aliases = read_hardware_aliases()
    keys = list(zip(aliases["alias"], aliases["valid_from"].fillna("")))
    assert keys == sorted(keys)
    confidence = pd.to_numeric(aliases["confidence"], errors="raise")
    assert confidence.dropna().between(0, 1, inclusive="right").all()
    family = aliases[confidence < 1]
    assert len(family) >= 10
    assert family["note"].str.contains("family name").all(), family[~family["note"].str.contains("family name")]


def test_one_spelling_never_means_two_rows():
    """Aliases that differ only by vendor/series words or separators ('A100' and 'NVIDIA A100') mean
    the same row with the same count; date-dependent rows and hardware_id aliases aside."""
    from flows.transform.hardware.name_keys import compact, strip_noise

    aliases = read_hardware_aliases()
    ids = set(read_hardware_specs()["hardware_id"])
    plain = aliases[~aliases["alias"].isin(ids) & aliases["valid_from"].isna() & aliases["valid_to"].isna()]
    plain = plain.assign(key=[compact(strip_noise(a)) for a in plain["alias"]],
                         units=plain["chips_per_unit"].fillna("1"))
    meanings = plain.groupby("key")[["hardware_id", "units"]].nunique()
    clashing = meanings[(meanings > 1).any(axis=1)].index
    assert clashing.empty, plain[plain["key"].isin(clashing)][["alias", "hardware_id"]].to_string()


def test_accelerators_have_an_fp32_peak_or_say_why():
    """'Every spec row has the peaks its chip has': an empty FP32 cell on an accelerator is a
    looked-for gap the note names, never an oversight."""
    specs = read_hardware_specs()
    gaps = specs[specs["fp32_flop_per_second"].isna()]
    assert gaps["note"].str.contains("no FP32 peak|no peak FLOP/s").all(), gaps["hardware_id"].tolist()


def test_tpu_v3_has_its_fp32_peak_and_tpus_their_matrix_peaks():
    specs = read_hardware_specs().set_index("hardware_id")
    assert specs.loc["google_tpu_v3", "fp32_flop_per_second"] == 4e12  # Jouppi et al. 2020, peak TFLOPS table
    assert specs.loc["google_tpu_v2", "fp32_flop_per_second"] == 3e12
    tpus = specs[specs["kind"] == "tpu"].drop(index="google_tpu_v1")  # v1 is integer-only
    assert tpus["bf16_flop_per_second"].notna().all()


def test_cpu_rows_state_how_their_peak_was_derived():
    """A CPU peak is cores x clock x FLOP/cycle; the note says each factor and the product matches it."""
    import re

    cpus = read_hardware_specs().query("kind == 'cpu' and epoch_name.isna()", engine="python")
    assert len(cpus) >= 15
    for row in cpus.itertuples():
        found = re.search(r"(\d+) cores? x ([\d.]+) GHz base clock x (\d+) FP32 FLOP/cycle", row.note)
        assert found, row.hardware_id
        cores, ghz, per_cycle = int(found[1]), float(found[2]), int(found[3])
        assert abs(cores * ghz * 1e9 * per_cycle - row.fp32_flop_per_second) <= 1e-6 * row.fp32_flop_per_second
        assert row.fp64_flop_per_second == row.fp32_flop_per_second / 2, row.hardware_id


def test_rows_not_taken_from_epoch_cite_a_source_and_explain_themselves():
    specs = read_hardware_specs()
    ours = specs[specs["epoch_name"].isna()]
    assert ours["note"].notna().all() and ours["source_url"].str.startswith("http").all()


def test_every_spec_row_has_a_family_and_variants_of_a_chip_share_one():
    specs = read_hardware_specs().set_index("hardware_id")
    assert specs["family"].notna().all() and (specs["family"].str.strip() == specs["family"]).all()
    same = {"A100": ["nvidia_a100", "nvidia_a100_pcie", "nvidia_a100_sxm4_40gb", "nvidia_a100_sxm4_80gb"],
            "H100": ["nvidia_h100_nvl", "nvidia_h100_pcie", "nvidia_h100_sxm5_80gb"],
            "V100": ["nvidia_v100", "nvidia_tesla_v100_sxm2_16gb", "nvidia_tesla_v100_pcie_32gb"],
            "TPU v4": ["google_tpu_v4"], "TPU v3": ["google_tpu_v3"], "GTX 580": ["nvidia_geforce_gtx_580"]}
    for family, ids in same.items():
        assert set(specs.loc[ids, "family"]) == {family}, family
    assert specs.loc["google_tpu_v4i", "family"] != "TPU v4"  # the inference chip is a family of its own
