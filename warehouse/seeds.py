"""The curated reference tables under warehouse/seeds/ (sorted CSVs under git)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"


def read_hardware_specs(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(path or SEEDS_DIR / "hardware_specs.csv", dtype={"hardware_id": str}, keep_default_na=True)


ALIASES_ENV = "FLOPLEDGER_ALIASES_FILE"


def aliases_path(path: Path | None = None) -> Path:
    """--aliases-file, else $FLOPLEDGER_ALIASES_FILE, else the bundled warehouse/seeds/hardware_aliases.csv."""
    return Path(path or os.environ.get(ALIASES_ENV) or SEEDS_DIR / "hardware_aliases.csv")


def read_hardware_aliases(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(aliases_path(path), dtype=str, keep_default_na=False, na_values=[""])


def read_hardware_units(path: Path | None = None) -> pd.DataFrame:
    """Counting rules: what '<chip> <unit>' (board, GCD, core, pod, slice...) is worth in spec-row units."""
    return pd.read_csv(path or SEEDS_DIR / "hardware_units.csv", dtype={"hardware_id": str, "unit": str})


def with_alias_key(aliases: pd.DataFrame) -> pd.DataFrame:
    """The alias rows with their warehouse key: alias|valid_from ('' when open-start)."""
    start = aliases["valid_from"].fillna("") if "valid_from" in aliases else ""
    return aliases.assign(alias_key=aliases["alias"] + "|" + start)
