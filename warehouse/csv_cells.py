"""Spreadsheet-safe CSV cells (OWASP "CSV Injection"): a text cell that starts with =, +, -, @, a tab or
a carriage return is written with a leading single quote, so a spreadsheet shows it as text instead of
running it as a formula; readers of flopledger's own CSVs take the quote off again. Numbers are never
touched, and neither is text that is a plain number ("-5", "+1e3"): a spreadsheet reads it as that number."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


def neutralize_cell(value):
    """value, or "'" + value when it is text a spreadsheet would run as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if value[0] in "+-" and _is_plain_number(value):
        return value
    return "'" + value


def restore_cell(value):
    """The reverse of neutralize_cell for a cell read back from a CSV flopledger wrote."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
