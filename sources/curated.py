"""The curated source: hand-written YAML records bundled in the repo (works offline).

Reading keeps each file whole (raw layer); flows/transform/ingest/curated.py maps it into core.
A file that is not valid YAML, or not a mapping, is returned as a rejection, never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import yaml

SOURCE = "curated"
RAW_COLUMNS = ["source_file", "sha256", "record"]
REJECT_COLUMNS = ["source_file", "check_name", "reason", "payload"]


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def read_curated_records(directory: Path | str, limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw records, rejected files) from every *.yaml under `directory`, sorted by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"curated directory not found: {folder}")
    files = sorted(folder.glob("*.yaml"))[: limit if limit else None]
    rows, rejects = [], []
    for path in files:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8", errors="replace")
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as err:
            rejects.append((path.name, "yaml_parses", f"{path.name} is not valid YAML: {str(err).splitlines()[0]}", json.dumps({"text": text})))
            continue
        if not isinstance(parsed, dict):
            rejects.append((path.name, "record_is_mapping", f"{path.name} must hold one mapping (a paper), not {type(parsed).__name__}", json.dumps({"text": text})))
            continue
        rows.append((path.name, digest, json.dumps(parsed, default=_json_default, sort_keys=True)))
    return pd.DataFrame(rows, columns=RAW_COLUMNS), pd.DataFrame(rejects, columns=REJECT_COLUMNS)
