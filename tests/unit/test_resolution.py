import pandas as pd

from flows.transform.resolution import normalize_hardware_name, resolve_hardware
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
