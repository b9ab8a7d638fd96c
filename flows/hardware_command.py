"""`flopledger hardware resolve|show`: the spec table and alias resolution, no Prefect."""

from __future__ import annotations

import json
import math
import sys


def _spec_rows():
    from warehouse.seeds import read_hardware_specs

    return read_hardware_specs().set_index("hardware_id", drop=False)


def resolve_names(names: list[str], as_json: bool) -> int:
    import pandas as pd

    from flows.transform.resolution import resolve_hardware
    from warehouse.seeds import read_hardware_aliases

    specs = _spec_rows()
    resolved = resolve_hardware(pd.Series(names, dtype=object), read_hardware_aliases())
    for query, hardware_id, confidence in zip(names, resolved["hardware_id"], resolved["confidence"]):
        name = specs.at[hardware_id, "name"] if hardware_id else None
        row = {"query": query, "hardware_id": hardware_id, "name": name, "confidence": float(confidence)}
        print(json.dumps(row) if as_json else f"{query}\t{hardware_id or '-'}\t{name or '-'}\t{confidence:.2f}")
    return 0


def show_hardware(hardware_id: str) -> int:
    specs = _spec_rows()
    if hardware_id not in specs.index:
        raise ValueError(f"unknown hardware_id {hardware_id!r}; try `flopledger hardware resolve NAME`")
    row = specs.loc[hardware_id]
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        sys.stdout.write(f"{key}: {value if value is not None else '-'}\n")
    return 0
