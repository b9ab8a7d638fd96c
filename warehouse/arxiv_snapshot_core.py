"""arXiv snapshot records -> core papers, mapped in DuckDB (the file holds up to ~10^6 papers in the
ML categories) and validated with the Paper model before they land. No Prefect here."""

from __future__ import annotations

from schemas.paper import Paper
from schemas.validation import split_valid
from warehouse.quarantine import record_quarantine
from warehouse.writes import transaction, upsert_rows

SOURCE = "arxiv_snapshot"
# Field names are the snapshot's own; a paper another source already sent (same arXiv id) is left to it.
PAPERS_SQL = r"""
SELECT 'arxiv_' || regexp_replace(lower(id), '[^a-z0-9]+', '_', 'g') AS paper_id,
       trim(regexp_replace(title, '\s+', ' ', 'g')) AS title,
       CAST(try_strptime(json_extract_string(versions, '$[0].created'), '%a, %d %b %Y %H:%M:%S GMT') AS DATE)
           AS published_date,
       'https://arxiv.org/abs/' || id AS url, id AS arxiv_id,
       nullif(split_part(trim(doi), ' ', 1), '') AS doi,
       trim(regexp_replace(abstract, '\s+', ' ', 'g')) AS abstract,
       to_json(string_split(trim(categories), ' '))::VARCHAR AS categories,
       NULL::VARCHAR AS note, 'arxiv_snapshot' AS source, 'arxiv_snapshot:' || id AS source_record,
       '["arxiv_snapshot"]' AS sources
FROM raw_arxiv_snapshot__records r
WHERE NOT EXISTS (SELECT 1 FROM core__papers p WHERE p.arxiv_id = r.id AND p.source <> 'arxiv_snapshot')
ORDER BY id
"""


CHUNK_ROWS = 50_000  # papers validated and landed at a time: memory stays flat as the file grows


def land_snapshot_papers(con, pipeline_run_id: str, complete: bool) -> dict:
    """Map the snapshot's papers in DuckDB, then validate and land them in chunks, all in one
    transaction; on a complete pass, snapshot papers no longer in the file are removed."""
    with transaction(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE snapshot_papers AS {PAPERS_SQL}")
        total = con.execute("SELECT count(*) FROM snapshot_papers").fetchone()[0]
        landed = 0
        for offset in range(0, total, CHUNK_ROWS):
            frame = con.execute(f"SELECT * FROM snapshot_papers LIMIT {CHUNK_ROWS} OFFSET {offset}").df()
            valid, rejected = split_valid(frame, Paper, SOURCE, "core__papers", "paper_id")
            upsert_rows(con, "core__papers", valid, ["paper_id"])
            record_quarantine(con, rejected, pipeline_run_id, None)
            landed += len(valid)
        if complete:
            con.execute(f"DELETE FROM core__papers WHERE source = '{SOURCE}' AND paper_id NOT IN "
                        "(SELECT paper_id FROM snapshot_papers)")
        con.execute("DROP TABLE snapshot_papers")
    return {"source": SOURCE, "table": "papers", "rows_in": total, "landed": landed, "quarantined": total - landed}


def quarantine_snapshot_rejects(con, file_sha256: str, pipeline_run_id: str, complete: bool) -> int:
    """The file's malformed lines (raw_arxiv_snapshot__rejects) as quarantine rows, so the `quarantine`
    view shows every rejected record; on a complete pass, rejects of other files are `gone`."""
    import pandas as pd

    rows = con.execute(
        "SELECT reason, json_object('source_file', source_file, 'file_sha256', file_sha256, 'line_number', line_number, "
        "'line', line)::VARCHAR AS payload, 'line ' || line_number AS record_key FROM raw_arxiv_snapshot__rejects "
        "WHERE file_sha256 = ? ORDER BY line_number", [file_sha256]).df()
    frame = pd.DataFrame({"source": SOURCE, "table_name": "raw_arxiv_snapshot__records", "check_name": "json_record",
                          "reason": rows["reason"], "payload": rows["payload"], "record_key": rows["record_key"]})
    with transaction(con):
        count = record_quarantine(con, frame, pipeline_run_id, None) if len(frame) else 0
        if complete:  # a line of an older file is not a problem any more; the papers' own rejects stay as they are
            con.execute("UPDATE meta__quarantine_records SET status = 'gone' WHERE source = ? AND status = 'open' "
                        "AND table_name = 'raw_arxiv_snapshot__records' "
                        "AND json_extract_string(payload, '$.file_sha256') <> ?", [SOURCE, file_sha256])
    return count
