"""`flopledger hardware resolve|show|unresolved|alias`: the spec and alias tables, no Prefect."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path


def _spec_rows():
    from warehouse.seeds import read_hardware_specs

    return read_hardware_specs().set_index("hardware_id", drop=False)


def resolve_names(names: list[str], as_json: bool, when: str | None = None, aliases_file: Path | None = None) -> int:
    import pandas as pd

    from flows.transform.hardware.resolution import resolve_hardware
    from flows.settings import aliases_file as resolve_aliases_file
    from warehouse.seeds import read_hardware_aliases

    specs = _spec_rows()
    dates = pd.Series([when] * len(names), dtype=object) if when else None
    resolved = resolve_hardware(pd.Series(names, dtype=object), read_hardware_aliases(resolve_aliases_file(aliases_file)), dates=dates)
    for query, row in zip(names, resolved.to_dict("records")):
        hardware_id = row["hardware_id"]
        name = specs.at[hardware_id, "name"] if hardware_id else None
        units = row["chips_per_unit"] if hardware_id else None
        out = {"query": query, "hardware_id": hardware_id, "name": name, "confidence": float(row["confidence"]),
               "chips_per_unit": units, "basis": row["basis"]}
        print(json.dumps(out, ensure_ascii=False) if as_json
              else f"{query}\t{hardware_id or '-'}\t{name or '-'}\t{out['confidence']:.2f}\t{row['basis']}")
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


def list_unresolved(warehouse, fmt: str, show_all: bool) -> int:
    """The review queue of hardware names nothing resolves (open ones unless --all)."""
    from flows.cli.sql import print_rows
    from warehouse.connection import connect_read_only

    con = connect_read_only(warehouse)
    try:
        where = "" if show_all else "WHERE status = 'open'"
        result = con.execute(
            "SELECT hardware_text, occurrences, record_keys, suggested_hardware_id, suggested_score, status, "
            f"resolved_hardware_id, first_seen_at FROM hardware_unresolved {where} "
            "ORDER BY status, occurrences DESC, name_key")
        columns, rows = [d[0] for d in result.description], result.fetchall()
    finally:
        con.close()
    print_rows(columns, rows, fmt)
    if fmt == "table" and rows:
        print("decide one with: flopledger hardware alias NAME HARDWARE_ID --note WHY", file=sys.stderr)
    return 0


def add_alias(name: str, hardware_id: str, note: str, aliases_file: Path | None) -> int:
    """Append a decision as an alias row (the file stays sorted); the next run resolves the name."""
    from flows.transform.hardware.resolution import normalize_hardware_name
    from flows.settings import aliases_file as resolve_aliases_file
    from warehouse.seeds import read_hardware_aliases

    alias = normalize_hardware_name(name)
    if not alias:
        raise ValueError("the alias name is empty")
    if hardware_id not in _spec_rows().index:
        raise ValueError(f"unknown hardware_id {hardware_id!r}; see `flopledger sql \"SELECT hardware_id FROM hardware_specs\"`")
    path = resolve_aliases_file(aliases_file)
    table = read_hardware_aliases(path)
    taken = table[table["alias"] == alias]
    if not taken.empty:
        raise ValueError(f"alias {alias!r} already means {taken['hardware_id'].iloc[0]} in {path}")
    row = {c: "" for c in table.columns} | {"alias": alias, "hardware_id": hardware_id, "note": note}
    rows = table.fillna("").to_dict("records") + [row]
    rows.sort(key=lambda r: (r["alias"], r.get("valid_from", "")))
    with path.open("w", newline="", encoding="utf-8") as handle:
        from warehouse.csv_cells import neutralize_cell

        writer = csv.DictWriter(handle, fieldnames=list(table.columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralize_cell(v) for k, v in r.items()} for r in rows)  # no spreadsheet formulas
    print(f"alias {alias!r} -> {hardware_id} added to {path}; the next `flopledger run` resolves it")
    return 0
