"""The error a user's request can cause, and the one line any failure prints (credentials redacted by
sources/responses.py, the one redaction function). Imports nothing else from the project, so every
layer of flows/ may use it."""

from __future__ import annotations

import errno


class UsageError(Exception):
    """A problem with what the user asked for (a bad option, a missing file): one line, exit 2."""


KNOWN_ERRORS = {"WarehouseError", "UnknownAssumptionSet", "InvalidAssumptionSet", "CliError", "UsageError",
                "FileNotFoundError", "ValueError", "SourceError", "FetchError"}


def disk_full(err: BaseException) -> bool:
    """A write that failed for want of space: ENOSPC from Python, or DuckDB's wording of it."""
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return True
    text = str(err).lower()
    return "no space left on device" in text or "disk full" in text


def describe_error(err: BaseException) -> str:
    """The first line of the message, secrets redacted; the type name only where the message alone is unclear."""
    from sources.responses import redact_text

    if disk_full(err):
        return "disk full: free some space and run again (the warehouse keeps its last complete run)"
    text = redact_text(str(err).strip().splitlines()[0]) if str(err).strip() else ""
    if type(err).__name__ in KNOWN_ERRORS and text:
        return text
    module = type(err).__module__
    if module.startswith("duckdb") or module.startswith("_duckdb"):
        return text or type(err).__name__
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
