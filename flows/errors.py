"""Turning exceptions into the one line a user sees."""

from __future__ import annotations


def describe_error(err: BaseException) -> str:
    """The first line of the message; the type name only where the message alone is unclear."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    known = {"WarehouseError", "UnknownAssumptionSet", "InvalidAssumptionSet", "CliError", "FileNotFoundError", "ValueError", "SourceError", "FetchError"}
    if type(err).__name__ in known and text:
        return text
    module = type(err).__module__
    if module.startswith("duckdb") or module.startswith("_duckdb"):
        return text or type(err).__name__
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
