import pandas as pd

from flows.transform.hardware.resolution import normalize_hardware_name, resolve_hardware
from warehouse.seeds import read_hardware_aliases, read_hardware_specs

ALIASES = read_hardware_aliases()


def resolve(*names):
    return resolve_hardware(pd.Series(names, dtype=object), ALIASES)


def test_normalization_folds_case_and_space():
    assert normalize_hardware_name("  NVIDIA   Tesla K40 ") == "nvidia tesla k40"
    assert normalize_hardware_name(None) == ""


def test_exact_and_separator_folded_matches():
    out = resolve("GTX 580", "A100-80GB", "GeForce_GTX-580", "Quantum Abacus 9000", None)
    assert list(out["hardware_id"][:3]) == ["nvidia_geforce_gtx_580", "nvidia_a100_sxm4_80gb", "nvidia_geforce_gtx_580"]
    assert out["hardware_id"][3] is None and out["hardware_id"][4] is None
    assert list(out["confidence"]) == [1.0, 1.0, 0.95, 0.0, 0.0]


def test_every_spec_row_resolves_to_itself_by_its_name():
    specs = read_hardware_specs()
    out = resolve(*specs["name"])
    assert list(out["hardware_id"]) == list(specs["hardware_id"])


def resolve_dated(pairs):
    names, dates = zip(*pairs)
    return resolve_hardware(pd.Series(names, dtype=object), ALIASES, dates=pd.Series(dates, dtype=object))


def test_tiers_report_their_basis_and_confidence():
    out = resolve("V100", "v100_sxm2", "NVIDIA Tesla V100 GPU", "GTX 580 1.5GB", "Telsa V100")
    assert list(out["basis"]) == ["exact", "separators", "noise-words", "memory-size", "fuzzy"]
    assert list(out["confidence"][:4]) == [1.0, 0.95, 0.9, 0.85]
    assert 0.7 < out["confidence"][4] < 0.85
    assert set(out["hardware_id"]) == {"nvidia_tesla_v100_sxm2_16gb", "nvidia_geforce_gtx_580"}


def test_fuzzy_never_changes_a_digit():
    out = resolve("RTX 3070 Tii", "V110", "A1000", "H1000", "Telsa V101")
    assert out["hardware_id"].isna().sum() >= 4  # only letters may be misspelt
    assert all(h is None or "3070" in h for h in out["hardware_id"])


def test_date_dependent_names_follow_the_paper_date():
    out = resolve_dated([("Titan X", "2015-12-01"), ("Titan X", "2016-08-02"), ("Titan X", None),
                         ("DGX-1", "2016-09-01"), ("DGX-1", "2018-01-15")])
    assert list(out["hardware_id"]) == ["nvidia_geforce_gtx_titan_x", "nvidia_geforce_gtx_titan_x_pascal",
                                        "nvidia_geforce_gtx_titan_x", "nvidia_tesla_p100_sxm2",
                                        "nvidia_tesla_v100_sxm2_16gb"]
    assert list(out["confidence"]) == [1.0, 1.0, 0.9, 1.0, 1.0]
    assert out["basis"][2] == "exact+undated-default"


def test_unreadable_dates_are_refused_by_name():
    import pytest

    with pytest.raises(ValueError, match="unknown date format '12/01/2015'"):
        resolve_dated([("Titan X", "12/01/2015")])


def test_counting_rules_come_from_the_units_table():
    out = resolve("K80", "K80 board", "K80 GPUs", "MI250X", "MI250X GCD", "GB200", "GB200 GPUs", "TPU v3 cores",
                  "TPU v3 pod", "TPU v4 pod", "TPU v2 pod", "v3-512", "v4-128", "v5e-256", "DGX-2", "DGX H100",
                  "Cloud TPU", "V100 GPUs")
    assert list(out["chips_per_unit"]) == [0.5, 1, 0.5, 1, 0.5, 2, 1, 0.5, 1024, 4096, 256, 256, 64, 256, 16, 8, 4, 1]


def test_a_unit_the_chip_does_not_have_is_not_guessed():
    out = resolve("V100 pod", "A100 GCDs")
    assert out["hardware_id"].isna().all()


def test_suggestion_for_an_unknown_name_is_a_hint_only():
    from flows.transform.hardware.resolution import suggest_hardware

    assert resolve("Tesla V1000")["hardware_id"][0] is None
    hint, score = suggest_hardware("Tesla V1000", ALIASES)
    assert hint == "nvidia_tesla_v100_sxm2_16gb" and 60 <= score < 100
    assert suggest_hardware("", ALIASES) == (None, None)
