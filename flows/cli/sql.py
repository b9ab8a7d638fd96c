"""`flopledger sql`: one read-only query, printed as a table, CSV or a JSON array."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import sys


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def run_sql(query: str, warehouse, fmt: str) -> int:
    import duckdb

    from warehouse.connection import connect_read_only

    con = connect_read_only(warehouse)
    try:
        try:
            result = con.execute(query)
        except duckdb.Error as err:
            raise ValueError(f"query failed: {str(err).splitlines()[0]}") from None
        if result.description is None:
            return 0
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        con.close()
    print_rows(columns, rows, fmt)
    return 0


def print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    """Rows as an aligned table, CSV, or one JSON array of row objects."""
    if fmt == "json":
        json.dump([{c: _jsonable(v) for c, v in zip(columns, row)} for row in rows], sys.stdout, default=str)
        sys.stdout.write("\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        print(_format_table(columns, rows))


def _cell(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).replace("\n", " ")


def _format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain aligned text table; cheap to import, unlike pandas or rich."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda parts: "  ".join(p.ljust(w) for p, w in zip(parts, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
