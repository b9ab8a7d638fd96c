"""The curated reference tables under warehouse/seeds/ (sorted CSVs under git)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"


def read_hardware_specs(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(path or SEEDS_DIR / "hardware_specs.csv", dtype={"hardware_id": str}, keep_default_na=True)


def read_hardware_aliases(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(path or SEEDS_DIR / "hardware_aliases.csv", dtype=str, keep_default_na=False, na_values=[""])
