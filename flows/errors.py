"""The error a user's request can cause, and the one line any failure prints. No imports from
the rest of the project, so every layer of flows/ may use it."""

from __future__ import annotations


class UsageError(Exception):
    """A problem with what the user asked for (a bad option, a missing file): one line, exit 2."""


KNOWN_ERRORS = {"WarehouseError", "UnknownAssumptionSet", "InvalidAssumptionSet", "CliError", "UsageError",
                "FileNotFoundError", "ValueError", "SourceError", "FetchError"}


def describe_error(err: BaseException) -> str:
    """The first line of the message; the type name only where the message alone is unclear."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if type(err).__name__ in KNOWN_ERRORS and text:
        return text
    module = type(err).__module__
    if module.startswith("duckdb") or module.startswith("_duckdb"):
        return text or type(err).__name__
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
