"""Opening the DuckDB warehouse: where it lives, migrations and views."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = Path("flopledger.duckdb")
PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
VIEWS_FILE = PACKAGE_DIR / "views.sql"


class WarehouseError(RuntimeError):
    """A warehouse problem a user can act on (missing file, locked file)."""


def resolve_warehouse_path(path: str | os.PathLike | None = None) -> Path:
    """The path given (flows/settings.py resolves --warehouse and $FLOPLEDGER_WAREHOUSE), else ./flopledger.duckdb."""
    return Path(path or DEFAULT_WAREHOUSE)


def _migrations() -> list[tuple[int, Path]]:
    found = sorted((int(p.name.split("_", 1)[0]), p) for p in MIGRATIONS_DIR.glob("[0-9]*_*.sql"))
    versions = [v for v, _ in found]
    assert versions == list(range(1, len(found) + 1)), f"migrations must be numbered 1..n, found {versions}"
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations in order, each in its own transaction; then (re)create views."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_version" in tables and "meta__schema_version" not in tables:  # the name before migration 9
        con.execute("ALTER TABLE schema_version RENAME TO meta__schema_version")
    con.execute("CREATE TABLE IF NOT EXISTS meta__schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    current = con.execute("SELECT coalesce(max(version), 0) FROM meta__schema_version").fetchone()[0]
    for version, path in _migrations():
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO meta__schema_version VALUES (?, ?, now())", [version, path.name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = version
    con.execute(VIEWS_FILE.read_text(encoding="utf-8"))
    return current


def is_corruption(err: BaseException) -> bool:
    """DuckDB's words for a block whose checksum fails or a file it cannot make sense of."""
    text = str(err)
    return isinstance(err, duckdb.Error) and ("Corrupt database file" in text or "checksum" in text
                                              or "not a valid DuckDB database file" in text)


def damaged(path, err: BaseException) -> WarehouseError:
    """The one line for a damaged warehouse file: what happened, and how to rebuild."""
    detail = str(err).splitlines()[0].split(":")[0] if str(err) else type(err).__name__
    return WarehouseError(f"warehouse {path} is damaged ({detail}); move it aside and rebuild it with "
                          "`flopledger run` (curated records and review decisions come back from the repository)")


def check_integrity(con: duckdb.DuckDBPyConnection, path) -> None:
    """Read every block of every table, so DuckDB verifies each block's checksum (a count(*) alone reads
    metadata only); a damaged file is a WarehouseError saying how to rebuild."""
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
        for schema, table in tables:
            con.execute(f'SELECT count(*), sum(hash(t)) FROM "{schema}"."{table}" AS t').fetchall()
    except duckdb.Error as err:
        if is_corruption(err):
            raise damaged(path, err) from None
        raise


def _open(path: Path, read_only: bool, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config=dict(config or {}))
    except duckdb.Error as err:
        if is_corruption(err):
            raise damaged(path, err) from None
        if not isinstance(err, duckdb.IOException):
            raise
        message = str(err).splitlines()[0]
        if "lock" in message.lower():
            raise WarehouseError(f"warehouse {path} is in use by another process; wait for it to finish") from err
        raise WarehouseError(f"cannot open warehouse {path}: {message}") from err


def connect_for_write(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection with the schema brought up to date (creates the file)."""
    target = resolve_warehouse_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = _open(target, read_only=False)
    try:
        migrate(con)
    except duckdb.Error as err:
        con.close()
        if is_corruption(err):
            raise damaged(target, err) from None
        raise
    return con


QUERY_MEMORY_LIMIT = "96MB"  # the run's own reads of what it landed (see memory_capped)


def memory_capped(con: duckdb.DuckDBPyConnection, work, limit: str = QUERY_MEMORY_LIMIT, again=lambda: True):
    """work() with DuckDB's memory capped at `limit`, its default again after (by default DuckDB keeps what
    it reads cached up to 80% of RAM: the headline trend's read of a 10x Epoch warehouse held ~145 MB more
    for the rest of the run; under 96 MB, ~65). Should DuckDB run out of memory under the cap (what cannot
    spill), work() runs once more under the default if again() says it may (a read always may; a landing
    only while it has let nothing go), else the error stands. A cap DuckDB refuses (it already holds more)
    means the default from the start."""
    try:
        con.execute(f"SET memory_limit = '{limit}'")
        return work()
    except duckdb.OutOfMemoryException:
        if not again():
            raise
        con.execute("RESET memory_limit")
        return work()
    finally:
        with contextlib.suppress(duckdb.Error):  # a connection a kill left mid-statement refuses even this
            con.execute("RESET memory_limit")


# The configuration every user-facing read runs under, fixed when the connection opens (before any
# user SQL) and then locked: no file reads or writes outside the warehouse, no ATTACH, no extension
# install or load (DuckDB "Securing DuckDB" guide). Reading local CSV/Parquet files is refused too.
LOCKED_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


def connect_read_only(path: str | os.PathLike | None = None, locked: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection; the warehouse must already exist. `locked` (the default, for `sql`, `review`,
    `trends` and the desk) opens it under LOCKED_CONFIG; the pipeline's own reads pass locked=False, since
    DuckDB refuses two configurations of one file in a process while the run holds its write connection."""
    target = resolve_warehouse_path(path)
    if not target.exists():
        raise WarehouseError(f"no warehouse at {target}; build one with `flopledger run`")
    return _open(target, read_only=True, config=LOCKED_CONFIG if locked else None)
