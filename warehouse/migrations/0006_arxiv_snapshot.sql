-- 0006: the arXiv bulk metadata snapshot (Kaggle arxiv-metadata-oai-snapshot.json, JSON lines).
-- Records keep the snapshot's own field names and text; only records in the wanted categories
-- land (sources/arxiv_snapshot.py). A record is rewritten only when its row_hash changes, so
-- loading the same file twice changes nothing; provenance names the file that last changed it.

CREATE TABLE raw_arxiv_snapshot__records (
    id VARCHAR PRIMARY KEY,              -- arXiv id without version: 2106.15928, hep-th/9901001
    submitter VARCHAR,
    authors VARCHAR,                     -- one LaTeX-ish string, as sent
    title VARCHAR,
    comments VARCHAR,
    "journal-ref" VARCHAR,
    doi VARCHAR,
    "report-no" VARCHAR,
    categories VARCHAR,                  -- space-separated, primary first
    license VARCHAR,
    abstract VARCHAR,
    versions JSON,                       -- [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...]
    update_date VARCHAR,                 -- as sent, e.g. 2008-11-26
    authors_parsed JSON,                 -- [[last, first, suffix], ...]
    row_hash VARCHAR NOT NULL,           -- md5 of the fields above but id, as one JSON array
    source_file VARCHAR NOT NULL,        -- path the record was read from
    file_sha256 VARCHAR NOT NULL,        -- of that file's bytes as stored (compressed if .gz)
    loaded_at TIMESTAMP NOT NULL         -- when this content landed
);

-- Lines DuckDB's JSON reader could not turn into a record with an id (broken JSON, not an
-- object, no id, invalid UTF-8), kept with their text so they can be fixed and replayed.
CREATE TABLE raw_arxiv_snapshot__rejects (
    file_sha256 VARCHAR NOT NULL,
    line_number BIGINT NOT NULL,         -- 1-based line in the (decompressed) file, blank lines counted
    line VARCHAR NOT NULL,               -- the line; bytes that are not UTF-8 written as \xNN
    reason VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (file_sha256, line_number)
);
