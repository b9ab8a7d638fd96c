"""The spec-table refresh diff: where Epoch AI's hardware table and ours differ, cell by cell.

Plain pandas, no Prefect. It reports and never edits: a person reviews each row and, where
Epoch is right, edits warehouse/seeds/hardware_specs.csv with a source and a note.
"""

from __future__ import annotations

import pandas as pd

DIFF_COLUMNS = ["epoch_name", "hardware_id", "change", "column", "ours_value", "epoch_value", "our_note"]
CHANGE_ORDER = {"added": 0, "removed": 1, "changed": 2}


def diff_specs(ours: pd.DataFrame, theirs: pd.DataFrame, rel_tol: float = 0.005) -> pd.DataFrame:
    """One row per difference between our spec rows that carry an epoch_name and Epoch's rows.

    'added': Epoch lists a chip no row of ours names; 'removed': our epoch_name is gone from
    Epoch; 'changed': one cell of a column both tables have differs (numbers by relative
    tolerance, dates as dates, empty equals empty). Every column of `theirs` but epoch_name
    is compared.
    """
    mine = ours[ours["epoch_name"].notna()]
    for frame, label in ((mine, "our spec table"), (theirs, "Epoch's table")):
        repeated = frame["epoch_name"][frame["epoch_name"].duplicated()]
        if len(repeated):
            raise ValueError(f"{label} names epoch_name {repeated.iloc[0]!r} more than once")
    columns = [c for c in theirs.columns if c != "epoch_name"]
    absent = [c for c in columns if c not in ours.columns]
    if absent:
        raise ValueError(f"our spec table lacks column(s) {', '.join(absent)}")
    rows = _membership_rows(mine, theirs) + _changed_rows(mine, theirs, columns, rel_tol)
    diff = pd.DataFrame(rows, columns=DIFF_COLUMNS).astype(object)
    return _sorted(diff.where(diff.notna(), None), columns)


def summarize_diff(diff: pd.DataFrame) -> dict[str, int]:
    """Chips added, chips removed, cells changed."""
    return {change: int((diff["change"] == change).sum()) for change in CHANGE_ORDER}


def _membership_rows(mine: pd.DataFrame, theirs: pd.DataFrame) -> list[tuple]:
    theirs_names, our_names = set(theirs["epoch_name"]), set(mine["epoch_name"])
    rows = [(name, None, "added", None, None, None, None) for name in theirs_names - our_names]
    gone = mine[~mine["epoch_name"].isin(theirs_names)]
    rows += [(r.epoch_name, r.hardware_id, "removed", None, None, None, r.note) for r in gone.itertuples()]
    return rows


def _changed_rows(mine: pd.DataFrame, theirs: pd.DataFrame, columns: list[str], rel_tol: float) -> list[tuple]:
    both = mine.merge(theirs, on="epoch_name", suffixes=("", "__epoch"), validate="one_to_one")
    rows = []
    for column in columns:
        ours_values, epoch_values = both[column], both[f"{column}__epoch"]
        differs = ~_same(ours_values, epoch_values, column, rel_tol)
        for i in both.index[differs]:
            rows.append((both.at[i, "epoch_name"], both.at[i, "hardware_id"], "changed", column,
                         ours_values[i], epoch_values[i], both.at[i, "note"]))
    return rows


def _same(a: pd.Series, b: pd.Series, column: str, rel_tol: float) -> pd.Series:
    """Cell-wise equality: dates as dates, numbers within rel_tol of the larger, text exactly."""
    if column.endswith("_date"):
        a, b = pd.to_datetime(a, format="ISO8601"), pd.to_datetime(b, format="ISO8601")
        equal = a == b
    elif pd.api.types.is_numeric_dtype(b):
        a, b = pd.to_numeric(a).astype("float64"), b.astype("float64")
        equal = (a - b).abs() <= rel_tol * pd.concat([a.abs(), b.abs()], axis=1).max(axis=1)
    else:
        equal = a.astype(str) == b.astype(str)
    return (a.isna() & b.isna()) | (equal & a.notna() & b.notna())


def _sorted(diff: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """added, removed, changed; then by Epoch name; cells in the order of Epoch's columns."""
    position = {c: i for i, c in enumerate(columns)}

    def key(values: pd.Series) -> pd.Series:
        return values.map({"change": CHANGE_ORDER, "column": position}.get(values.name, lambda v: v))

    return diff.sort_values(["change", "epoch_name", "column"], key=key, kind="stable", na_position="first").reset_index(drop=True)
