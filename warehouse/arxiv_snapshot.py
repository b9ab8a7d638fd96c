"""arXiv bulk metadata snapshot (Kaggle arxiv-metadata-oai-snapshot.json, JSON lines, CC0), raw layer.

DuckDB's own JSON reader streams the file (plain or .gz) straight into
raw_arxiv_snapshot__records in one INSERT ... SELECT; nothing passes through Python or pandas.
Only records with at least one wanted category land, under the snapshot's own field names.

Two scans of the file, both through the same read_json call (so they agree on every line):
1. an audit, one aggregate over id and categories only, counts records read, kept, filtered
   out, malformed and duplicate ids; the file's sha256 is computed meanwhile in a thread;
2. the load, one INSERT. Each kept record gets a row_hash (md5 of its fields). Into an empty
   table it is a plain insert; otherwise only records whose (id, row_hash) the table lacks pass,
   and ON CONFLICT rewrites the changed ones, so a second load of the same file lands nothing.
   Both are kept off a first load because they cost memory (see build_load_sql). DuckDB
   silently keeps the first of two rows with one key in one statement, so when the audit finds
   duplicate ids the load picks one per id itself: latest update_date, then the later line.
Malformed lines (read_json with ignore_errors gives them as all-null rows) are located by
record number and re-read in Python, only when there are any, and land with their text and a
reason in raw_arxiv_snapshot__rejects, in the same transaction as the records.
Counts always add up: rows_read == rows_kept + rows_filtered_out + malformed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from sources.errors import SourceError
from warehouse.writes import transaction

SOURCE = "arXiv snapshot"
DEFAULT_CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML")
# The snapshot's fields in its own order and names. Text stays text (update_date too: raw keeps
# what was sent) and lists stay JSON, so no value can fail a cast and turn a record into a reject.
FIELDS = {"id": "VARCHAR", "submitter": "VARCHAR", "authors": "VARCHAR", "title": "VARCHAR",
          "comments": "VARCHAR", "journal-ref": "VARCHAR", "doi": "VARCHAR", "report-no": "VARCHAR",
          "categories": "VARCHAR", "license": "VARCHAR", "abstract": "VARCHAR", "versions": "JSON",
          "update_date": "VARCHAR", "authors_parsed": "JSON"}
JSON_WHITESPACE = b" \t\r\n"  # the only whitespace JSON allows; read_json skips lines of nothing else
PROGRESS_SETTINGS = ("enable_progress_bar", "enable_progress_bar_print")
Progress = Callable[[str, float], None]


def load_arxiv_snapshot(con: duckdb.DuckDBPyConnection, path, categories: Iterable[str] | None = DEFAULT_CATEGORIES,
                        limit: int | None = None, progress: Progress | None = None) -> dict:
    """Land the records of snapshot file `path` with any of `categories` (None: every record).
    `limit` reads only the first N records of the file. `progress(stage, percent)` is called about
    twice a second; without it DuckDB's own progress bar shows when stderr is a terminal."""
    source = Path(path)
    if not source.is_file():
        raise SourceError(f"{SOURCE}: no file at {source}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if isinstance(categories, str):
        categories = categories.split()
    params = {"path": str(source)} | ({} if categories is None else {"categories": list(categories)})
    with ThreadPoolExecutor(1) as pool:
        digest = pool.submit(hash_file, source)
        counts = audit_snapshot(con, source, params, limit, progress)
        file_sha256 = digest.result()
    with transaction(con):
        if counts["malformed"]:
            land_rejects(con, source, file_sha256, find_malformed_records(con, source, params, limit))
        has_rows = con.execute("SELECT EXISTS (SELECT 1 FROM raw_arxiv_snapshot__records)").fetchone()[0]
        sql = build_load_sql(source, categories is not None, limit, counts["duplicate_ids"] > 0, has_rows)
        with report_progress(con, "landing", progress):
            landed = con.execute(sql, params | {"source_file": str(source), "file_sha256": file_sha256}).fetchone()[0]
    distinct_kept = counts["rows_kept"] - counts["duplicate_ids"]
    assert 0 <= landed <= distinct_kept, (landed, counts)
    return counts | {"rows_landed": landed, "rows_unchanged": distinct_kept - landed, "file_sha256": file_sha256}


def build_scan_sql(source: Path, limit: int | None, numbered: bool = False) -> str:
    """The one read_json call every scan uses: every field typed, bad lines as all-null rows;
    `numbered` adds record numbers (1-based, blank lines not counted) as `ordinality`. `limit`
    keeps records 1..N by number (a bare LIMIT may take any N when insertion order is not kept)."""
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in FIELDS.items())
    compression = "gzip" if source.suffix.lower() == ".gz" else "none"
    scan = (f"SELECT * FROM read_json($path, format = 'newline_delimited', columns = {{{columns}}}, "
            f"compression = '{compression}', ignore_errors = true)")
    if limit is not None:
        return f"{scan} WITH ORDINALITY WHERE ordinality <= {int(limit)} LIMIT {int(limit)}"
    return f"{scan} WITH ORDINALITY" if numbered else scan


def build_keep_sql(filtered: bool) -> str:
    """True when a record has any wanted category (categories are space-separated)."""
    return "coalesce(list_has_any(string_split(categories, ' '), $categories), false)" if filtered else "true"


def audit_snapshot(con, source: Path, params: dict, limit: int | None, progress: Progress | None = None) -> dict:
    """Counts from one scan of id and categories."""
    keep = build_keep_sql("categories" in params)
    sql = (f"SELECT count(*), count(*) FILTER (id IS NOT NULL AND {keep}), count(*) FILTER (id IS NOT NULL AND NOT {keep}), "
           f"count(*) FILTER (id IS NULL), count(*) FILTER (id IS NOT NULL AND {keep}) - count(DISTINCT id) FILTER ({keep}) "
           f"FROM ({build_scan_sql(source, limit)})")
    try:
        with report_progress(con, "auditing", progress):
            row = con.execute(sql, params).fetchone()
    except duckdb.Error as err:
        raise SourceError(f"{SOURCE}: cannot read {source} ({str(err).strip().splitlines()[0]})") from None
    counts = dict(zip(["rows_read", "rows_kept", "rows_filtered_out", "malformed", "duplicate_ids"], row))
    assert counts["rows_read"] == counts["rows_kept"] + counts["rows_filtered_out"] + counts["malformed"], counts
    return counts


def find_malformed_records(con, source: Path, params: dict, limit: int | None) -> list[int]:
    """Record numbers of the lines read_json could not read (a third scan, only when there are any)."""
    sql = f"SELECT ordinality FROM ({build_scan_sql(source, limit, numbered=True)}) WHERE id IS NULL ORDER BY 1"
    return [number for (number,) in con.execute(sql, {"path": params["path"]}).fetchall()]


def build_load_sql(source: Path, filtered: bool, limit: int | None, dedupe: bool, has_rows: bool) -> str:
    """One INSERT of the kept records; into a table that `has_rows`, only those whose (id, row_hash)
    it lacks, with ON CONFLICT to rewrite changed ones. Into an empty table a plain INSERT, because
    DuckDB's memory grows with the rows that pass a join or ON CONFLICT (700k records: 0.9 GB
    plain, 1.6 GB behind a join, 2.2 GB through ON CONFLICT, 3.1 GB both, which is what a full
    file costs after a --limit load; a monthly refresh passes only its new and changed records)."""
    names = [f'"{name}"' for name in FIELDS]
    row_hash = f"md5(json_array({', '.join(names[1:])}))"
    # Duplicate ids (never seen in a real snapshot): the latest update_date wins, then the later line.
    pick = "QUALIFY row_number() OVER (PARTITION BY id ORDER BY update_date DESC NULLS LAST, ordinality DESC) = 1" if dedupe else ""
    incoming = (f"SELECT {', '.join(names)}, {row_hash} AS row_hash FROM ({build_scan_sql(source, limit, numbered=dedupe)}) "
                f"WHERE id IS NOT NULL AND {build_keep_sql(filtered)} {pick}")
    written = names + ["row_hash", "source_file", "file_sha256", "loaded_at"]
    sql = (f"INSERT INTO raw_arxiv_snapshot__records ({', '.join(written)}) "
           f"SELECT {', '.join('s.' + name for name in names)}, s.row_hash, $source_file, $file_sha256, now() "
           f"FROM ({incoming}) AS s")
    if not has_rows:
        return sql
    # NOT EXISTS plans as a mark join, which always hashes the table's (id, row_hash); a LEFT JOIN
    # let DuckDB hash the incoming records instead (read_json's row estimate is tiny).
    return (f"{sql} WHERE NOT EXISTS (SELECT 1 FROM raw_arxiv_snapshot__records AS r WHERE r.id = s.id AND "
            f"r.row_hash = s.row_hash) ON CONFLICT (id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in written[1:])}")


def land_rejects(con, source: Path, file_sha256: str, records: list[int]) -> None:
    """Land the malformed lines (by record number) with their text and a reason; idempotent per file."""
    found = find_rejected_lines(source, records)
    if len(found) != len(records):
        raise SourceError(f"{SOURCE}: {source} changed while it was being read; load it again")
    numbers, lines, reasons = (list(column) for column in zip(*found))
    con.execute("INSERT INTO raw_arxiv_snapshot__rejects (file_sha256, line_number, line, reason, source_file, loaded_at) "
                "SELECT $sha, unnest($numbers), unnest($lines), unnest($reasons), $file, now() ON CONFLICT DO NOTHING",
                {"sha": file_sha256, "numbers": numbers, "lines": lines, "reasons": reasons, "file": str(source)})


def find_rejected_lines(source: Path, records: list[int]) -> list[tuple[int, str, str]]:
    """(line number, text, reason) of the given records, counting records as read_json does:
    lines of JSON whitespace only are not records."""
    wanted, found, record = set(records), [], 0
    with (gzip.open(source, "rb") if source.suffix.lower() == ".gz" else source.open("rb")) as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip(JSON_WHITESPACE):
                continue
            record += 1
            if record in wanted:
                found.append((number, raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace"), classify_line(raw)))
                if len(found) == len(wanted):
                    break
    return found


def classify_line(raw: bytes) -> str:
    """Why a line is not a snapshot record, in words."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        return f"not UTF-8 (byte {err.start + 1})"
    except ValueError as err:
        return f"not valid JSON ({err.msg} at column {err.colno})"
    if not isinstance(value, dict):
        return f"not a JSON object (a JSON {type(value).__name__})"
    if value.get("id") is None:
        return "no id"
    return "DuckDB's JSON reader could not read it"


def hash_file(source: Path) -> str:
    """sha256 of the file's bytes as stored: about 1 GB/s here, and beside the audit scan it added
    about 2 s to a 4.6 GiB load (size and mtime would be free, but would not name the content)."""
    with source.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@contextmanager
def report_progress(con, stage: str, progress: Progress | None):
    """Progress while one statement runs: polled into `progress`, else DuckDB's bar on a terminal."""
    if progress is None and not sys.stderr.isatty():
        yield
        return
    saved = {name: con.execute("SELECT current_setting($name)", {"name": name}).fetchone()[0] for name in PROGRESS_SETTINGS}
    con.execute(f"SET enable_progress_bar = true; SET enable_progress_bar_print = {progress is None}")
    stop = threading.Event()
    watcher = threading.Thread(target=poll_progress, args=(con, stage, progress, stop), daemon=True)
    if progress is not None:
        watcher.start()
    try:
        yield
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
        for name, value in saved.items():
            con.execute(f"SET {name} = {bool(value)}")


def poll_progress(con, stage: str, progress: Progress, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        percent = con.query_progress()
        if percent >= 0:
            progress(stage, percent)
