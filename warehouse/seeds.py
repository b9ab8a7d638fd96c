"""The curated reference files under warehouse/seeds/ (sorted CSVs and YAML under git): where they
are, and reading them. The only module that locates the seeds folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from warehouse.csv_cells import restore_cell

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
ALIASES_FILE = SEEDS_DIR / "hardware_aliases.csv"
SPECS_FILE = SEEDS_DIR / "hardware_specs.csv"
UNITS_FILE = SEEDS_DIR / "hardware_units.csv"
ASSUMPTIONS_FILE = SEEDS_DIR / "assumption_sets.yaml"
NOTABILITY_FILE = SEEDS_DIR / "notability.yaml"
DECISIONS_FILE = SEEDS_DIR / "review_decisions.csv"
DOMAIN_CLASSES_FILE = SEEDS_DIR / "domain_classes.csv"
CURATED_DIR = SEEDS_DIR / "curated"
MODEL_CONFIGS_DIR = SEEDS_DIR / "model_configs"


def read_yaml(path: Path, what: str):
    """A YAML file parsed; an unreadable or invalid one is one ValueError naming the file."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"{what} {path}: cannot read ({err.strerror or type(err).__name__})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ValueError(f"{what} {path}: not valid YAML" + (f" (line {mark.line + 1})" if mark else "")) from None


def read_model_configs(directory: Path | None = None) -> dict[str, dict]:
    """The bundled architecture configs (config.json form) by file stem."""
    import json

    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(Path(directory or MODEL_CONFIGS_DIR).glob("*.json"))}


def read_hardware_specs(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(path or SPECS_FILE, dtype={"hardware_id": str}, keep_default_na=True)


def read_hardware_aliases(path: Path | None = None, units_path: Path | None = None) -> pd.DataFrame:
    """The alias table, carrying its counting rules (hardware_units.csv) in `attrs["units"]`."""
    aliases = pd.read_csv(path or ALIASES_FILE, dtype=str, keep_default_na=False, na_values=[""])
    aliases = aliases.map(restore_cell)  # `hardware alias` writes formula-like cells as "'=..." (csv_cells.py)
    aliases.attrs["units"] = read_hardware_units(units_path)
    return aliases


def read_hardware_units(path: Path | None = None) -> pd.DataFrame:
    """Counting rules: what '<chip> <unit>' (board, GCD, core, pod, slice...) is worth in spec-row units."""
    return pd.read_csv(path or UNITS_FILE, dtype={"hardware_id": str, "unit": str})


def with_alias_key(aliases: pd.DataFrame) -> pd.DataFrame:
    """The alias rows with their warehouse key: alias|valid_from ('' when open-start)."""
    start = aliases["valid_from"].fillna("") if "valid_from" in aliases else ""
    return aliases.assign(alias_key=aliases["alias"] + "|" + start)


def read_domain_classes(path: Path | None = None) -> pd.DataFrame:
    """Domain as written (Epoch's vocabulary, lower case) -> the assumption sets' utilization class."""
    return pd.read_csv(path or DOMAIN_CLASSES_FILE, dtype=str, keep_default_na=False)
