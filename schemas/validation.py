"""Lazy Pandera validation that splits a frame into valid rows and readable rejections."""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from schemas.frames import records_to_json

REJECTION_COLUMNS = ["row", "check_name", "reason"]
_BOUND_CHECKS = {
    "greater_than": "greater than", "greater_than_or_equal_to": "at least",
    "less_than": "less than", "less_than_or_equal_to": "at most",
}
_DTYPE_WORDS = {"float": "a number", "int": "a whole number", "datetime": "a date (YYYY-MM-DD)", "bool": "true or false"}


def _dtype_word(check: str) -> str:
    return next((word for key, word in _DTYPE_WORDS.items() if key in check), "of the declared type")


def describe_failure(column: str | None, check: str, case: object) -> str:
    """One readable sentence for one Pandera failure case."""
    name = column or "record"
    if check.startswith("coerce_dtype") or check.startswith("dtype("):
        return f"{name}: {case!r} is not {_dtype_word(check)}"
    if check == "not_nullable":
        return f"{name} is required but missing"
    if check == "field_uniqueness" or check.startswith("unique"):
        return f"{name} {case!r} appears more than once"
    match = re.fullmatch(r"(\w+)\((.*)\)", check)
    if match and match.group(1) in _BOUND_CHECKS:
        return f"{name} must be {_BOUND_CHECKS[match.group(1)]} {match.group(2)}, got {case!r}"
    if match and match.group(1) == "in_range":
        return f"{name} must be within [{match.group(2)}], got {case!r}"
    if match and match.group(1) == "isin":
        return f"{name} must be one of {match.group(2)}, got {case!r}"
    if match and match.group(1) == "str_matches":
        return f"{name} {case!r} does not match the pattern {match.group(2)}"
    if "{value" in check:
        return check.format(value=case)
    return f"{name}: {check} (got {case!r})"


def check_names(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Pandera reports a custom check by its error text; map that text back to its name."""
    schema = model.to_schema()
    checks = list(schema.checks) + [c for col in schema.columns.values() for c in col.checks]
    return {c.error: c.name for c in checks if c.error and c.name}


def _rejections_from(failures: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    rows = []
    seen = set()
    for f in failures.itertuples(index=False):
        is_frame_check = f.schema_context == "DataFrameSchema"
        key = (f.index, f.check) if is_frame_check else (f.index, f.column, f.check)
        if key in seen or str(f.check).startswith("dtype(") and (f.index, f.column) in seen:
            continue
        seen.add(key)
        if str(f.check).startswith("coerce_dtype"):
            seen.add((f.index, f.column))
        column = None if is_frame_check else f.column
        check = str(f.check)
        rows.append((f.index, names.get(check, check), describe_failure(column, check, f.failure_case)))
    return pd.DataFrame(rows, columns=REJECTION_COLUMNS)


def validate_frame(frame: pd.DataFrame, model: type[pa.DataFrameModel], max_passes: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate lazily; return (valid rows coerced by the model, rejections).

    Rejections have one row per failed check: `row` is the index label in `frame`.
    Row-level failures remove their rows and the rest is validated again (a failed
    coercion hides the other checks on that column until the bad row is gone). A failure
    that names no row (a missing column) rejects every remaining row.
    """
    remaining = frame
    rejected = []
    names = check_names(model)
    for _ in range(max_passes):
        try:
            valid = model.validate(remaining, lazy=True)
            return valid, pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=REJECTION_COLUMNS)
        except SchemaErrors as err:
            failures = err.failure_cases
            by_row = failures[failures["index"].notna()]
            if by_row.empty:
                reasons = "; ".join(sorted({describe_failure(c, str(k), v) for c, k, v in
                                           failures[["column", "check", "failure_case"]].itertuples(index=False)}))
                batch = pd.DataFrame({"row": remaining.index, "check_name": "schema", "reason": reasons})
                rejected.append(batch)
                return remaining.iloc[0:0], pd.concat(rejected, ignore_index=True)
            found = _rejections_from(by_row, names)
            rejected.append(found)
            remaining = remaining.drop(index=found["row"].unique())
    raise AssertionError(f"{model.__name__}: validation did not settle after {max_passes} passes")


QUARANTINE_COLUMNS = ["source", "table_name", "check_name", "reason", "payload", "record_key"]


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(columns=QUARANTINE_COLUMNS)


def split_valid(frame: pd.DataFrame, model: type[pa.DataFrameModel], source: str, table_name: str,
                key_column: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass `model`, quarantine rows for the rest: one per failed check)."""
    frame = frame.reset_index(drop=True)
    valid, rejected = validate_frame(frame, model)
    if rejected.empty:
        return valid, empty_quarantine()
    rows = frame.loc[rejected["row"].to_numpy()]
    payloads = records_to_json(rows, list(frame.columns))
    keys = rows[key_column].astype(str).where(rows[key_column].notna(), None) if key_column in frame else None
    return valid, pd.DataFrame({
        "source": source, "table_name": table_name,
        "check_name": rejected["check_name"].to_numpy(), "reason": rejected["reason"].to_numpy(),
        "payload": payloads, "record_key": None if keys is None else keys.to_numpy(),
    })


def quarantine_dependents(frame: pd.DataFrame, parent_column: str, bad_parents: set, source: str,
                          table_name: str, key_column: str, parent_table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows whose parent was quarantined follow it there (nothing lands orphaned)."""
    frame = frame.reset_index(drop=True)
    orphan = frame[parent_column].isin(bad_parents)
    rows = frame.loc[orphan]
    quarantined = pd.DataFrame({
        "source": source, "table_name": table_name, "check_name": "parent_landed",
        "reason": [f"its {parent_table} record {p!r} was quarantined" for p in rows[parent_column]],
        "payload": records_to_json(rows, list(frame.columns)),
        "record_key": rows[key_column].astype(str).to_numpy(),
    })
    return frame.loc[~orphan], quarantined
