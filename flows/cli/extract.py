"""`flopledger extract`: JSON lines {"id", "text"[, "published_date"]} in, {"id", "mentions": [...]} out.

`published_date` (YYYY-MM-DD, optional) picks the meaning of names that changed over time
(Titan X, DGX-1); a bad date is reported on the line and the text is read without one. No Prefect.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _lines(source: str):
    """Byte lines from a file or stdin, decoded leniently (invalid UTF-8 becomes U+FFFD)."""
    if source == "-":
        stream = sys.stdin.buffer
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"cannot read {source}: no such file")
        stream = path.open("rb")
    try:
        for raw in stream:
            yield raw.decode("utf-8", errors="replace")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _published(record: dict, number: int) -> tuple[str | None, str | None]:
    """(published_date or None, error or None) of one record."""
    from flows.transform.hardware.aliases import parse_date

    value = record.get("published_date")
    if value in (None, ""):
        return None, None
    try:
        parse_date(value)
    except ValueError as err:
        return None, f"line {number}: published_date ignored ({err})"
    return value, None


def _parse(line: str, number: int) -> tuple[object, str | None, str | None, str | None]:
    """(id, text, published_date, error) for one input line; a bad line is reported, not fatal."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return None, None, None, f"line {number}: not valid JSON ({err.msg})"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        record_id = record.get("id") if isinstance(record, dict) else None
        return record_id, None, None, f"line {number}: needs a string field 'text'"
    return (record.get("id"), record["text"], *_published(record, number))


def run_extract(source: str) -> int:
    from flows.transform.mentions.extract import build_matcher, extract_mentions
    from flows.settings import aliases_file
    from warehouse.seeds import read_hardware_aliases

    matcher = build_matcher(read_hardware_aliases(aliases_file()))
    out = sys.stdout
    for number, line in enumerate(_lines(source), start=1):
        if not line.strip():
            continue
        record_id, text, when, error = _parse(line, number)
        row = {"id": record_id, "mentions": extract_mentions(text, matcher, when) if text is not None else []}
        if error:
            row["error"] = error
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0
