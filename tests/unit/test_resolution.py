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


PEAKS = ["fp32_flop_per_second", "fp16_tensor_flop_per_second", "bf16_flop_per_second"]


def same_figures(specs: pd.DataFrame, a: str, b: str) -> bool:
    """Two spec rows with the same peaks (within 2%: Epoch's generic rows round differently)."""
    pa, pb = specs.loc[a, PEAKS].astype(float), specs.loc[b, PEAKS].astype(float)
    return bool(((pa.isna() & pb.isna()) | ((pa - pb).abs() <= 0.02 * pb)).all())


def test_every_spec_row_resolves_to_itself_by_its_name_or_its_one_meaning():
    """A spec row's name resolves to the row, unless the name is a spelling another row already
    answers to ('NVIDIA A100' = 'A100'): then it goes there, the two rows have the same figures,
    and the row is still reachable by its hardware_id."""
    specs = read_hardware_specs().set_index("hardware_id", drop=False)
    out = resolve(*specs["name"]).set_axis(specs.index)
    elsewhere = out[out["hardware_id"] != specs["hardware_id"]]
    assert len(elsewhere) <= 6, elsewhere  # Epoch's generic A100/V100/P100 rows and duplicates, no more
    for own, row in elsewhere.iterrows():
        assert same_figures(specs, own, row["hardware_id"]), (own, row["hardware_id"])
        assert resolve(own)["hardware_id"][0] == own


def test_one_spelling_gives_one_row():
    """With and without the vendor, the same name means the same row (issue 11)."""
    for short, vendor in [("A100", "NVIDIA A100"), ("V100", "NVIDIA V100"), ("P100", "NVIDIA P100"),
                          ("V100 SXM2", "NVIDIA Tesla V100 SXM2"), ("Ascend 910", "Huawei Ascend 910"),
                          ("MI250", "AMD Instinct MI250"), ("A30", "NVIDIA A30")]:
        out = resolve(short, vendor)
        assert out["hardware_id"][0] == out["hardware_id"][1] is not None, (short, vendor)


def test_family_names_resolve_to_their_documented_default_at_reduced_confidence():
    out = resolve("Huawei Ascend", "A100", "NVIDIA A100", "NVIDIA H100", "Ascend NPU")
    assert list(out["hardware_id"]) == ["huawei_ascend_910", "nvidia_a100_sxm4_40gb", "nvidia_a100_sxm4_40gb",
                                        "nvidia_h100_sxm5_80gb", "huawei_ascend_910"]
    assert list(out["confidence"]) == [0.5, 0.9, 0.9, 0.9, 0.5]
    assert out["basis"].str.endswith("+family-default").all()
    # a family default never raises the tier's own confidence ('Ascend NPU' drops noise words: 0.9 > 0.5)
    assert resolve("NVIDIA A100 GPU card")["confidence"][0] <= 0.9


def resolve_dated(pairs):
    names, dates = zip(*pairs)
    return resolve_hardware(pd.Series(names, dtype=object), ALIASES, dates=pd.Series(dates, dtype=object))


def test_tiers_report_their_basis_and_confidence():
    out = resolve("RTX 3090", "rtx_3090", "NVIDIA RTX 3090 graphics card", "GTX 580 1.5GB", "Gefroce RTX 3090")
    assert list(out["basis"]) == ["exact", "separators", "noise-words", "memory-size", "fuzzy"]
    assert list(out["confidence"][:4]) == [1.0, 0.95, 0.9, 0.85]
    assert 0.7 < out["confidence"][4] < 0.85
    assert set(out["hardware_id"]) == {"nvidia_geforce_rtx_3090", "nvidia_geforce_gtx_580"}


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
