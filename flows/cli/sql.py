"""`flopledger sql`: one read-only query, printed as a table, CSV or a JSON array, or written to a file
by flopledger (--output). docs/security.md says what is allowed and refused."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import sys
from pathlib import Path

from flows.cli.base import CliError, file_with_suffix


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


# What `sql` runs: queries only. DESCRIBE, SHOW and SUMMARIZE parse as SELECT. Everything else (file writes,
# ATTACH/DETACH/USE, INSTALL/LOAD, SET/RESET, PRAGMA, CALL, DDL, DML) is refused before it reaches DuckDB;
# the connection's locked configuration (warehouse/connection.py) would refuse most of it again.
ALLOWED_STATEMENTS = ("SELECT", "EXPLAIN")
OUTPUT_SUFFIXES = (".csv", ".parquet", ".json")


def check_query(query: str) -> str:
    """The one read-only statement in query; a UsageError (one line) for none, several, or any other kind."""
    import duckdb

    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as err:
        raise ValueError(f"query failed: {str(err).splitlines()[0]}") from None
    if len(statements) != 1:
        raise CliError(f"sql runs exactly one statement; got {len(statements)}" +
                       (" (separated by ';')" if statements else ""))
    kind = statements[0].type.name
    if kind not in ALLOWED_STATEMENTS:
        raise CliError(f"sql is read-only: {kind} statements are refused (queries only: SELECT, WITH, FROM, "
                       "DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); to save results use --output FILE.csv|.parquet|.json")
    return query


output_path = file_with_suffix(*OUTPUT_SUFFIXES)  # --output: flopledger writes it, never user SQL


def run_sql(query: str, warehouse, fmt: str, output: Path | None = None) -> int:
    import duckdb

    from warehouse.connection import connect_read_only, damaged, is_corruption

    check_query(query)
    con = connect_read_only(warehouse)
    try:
        try:
            result = con.execute(query)
            if result.description is None:
                return 0
            columns = [d[0] for d in result.description]
            parquet = output is not None and output.suffix.lower() == ".parquet"
            rows = result.df() if parquet else result.fetchall()
        except duckdb.Error as err:
            if is_corruption(err):
                raise damaged(warehouse, err) from None
            raise ValueError(f"query failed: {str(err).splitlines()[0]}") from None
    finally:
        con.close()
    if output is None:
        print_rows(columns, rows, fmt)
        return 0
    _write_output(columns, rows, output)
    count = len(rows)
    print(f"wrote {count} row{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    return 0


def _write_output(columns: list[str], rows, output: Path) -> None:
    suffix = output.suffix.lower()
    try:
        if suffix == ".parquet":
            from warehouse.export import write_parquet

            write_parquet(rows, output)
            return
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            print_rows(columns, rows, suffix.lstrip("."), handle)
        partial.replace(output)
    except OSError as err:
        raise ValueError(f"cannot write {output}: {err.strerror or err}") from None


def print_rows(columns: list[str], rows: list[tuple], fmt: str, out=None) -> None:
    """Rows as an aligned table, CSV (formula-like text cells neutralized), or one JSON array of row objects."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump([{c: _jsonable(v) for c, v in zip(columns, row)} for row in rows], out, default=str)
        out.write("\n")
    elif fmt == "csv":
        import csv

        from warehouse.csv_cells import neutralize_cell

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([neutralize_cell(c) for c in columns])
        writer.writerows([["" if v is None else neutralize_cell(v) for v in row] for row in rows])
    else:
        print(_format_table(columns, rows), file=out)


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
