-- 0005: live sources. Raw records keep each service's own field names (as JSON), every HTTP
-- answer is kept with its provenance, and each source has cursors so a run resumes where the
-- last committed batch ended.

CREATE TABLE raw_http_responses (
    response_sha256 VARCHAR NOT NULL,    -- of the body
    url VARCHAR NOT NULL,                -- credentials redacted
    source VARCHAR NOT NULL,
    params VARCHAR NOT NULL,             -- JSON, sorted keys
    fetched_at VARCHAR NOT NULL,         -- UTC ISO-8601
    status INTEGER NOT NULL,
    content_type VARCHAR,
    body BLOB NOT NULL,
    pipeline_run_id VARCHAR NOT NULL,
    PRIMARY KEY (response_sha256, url)
);

CREATE TABLE source_cursors (
    source VARCHAR NOT NULL,
    cursor_key VARCHAR NOT NULL,         -- e.g. a query, or 'models_csv'
    cursor_value VARCHAR NOT NULL,       -- e.g. the next start offset, the last updated date, a file sha256
    pipeline_run_id VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, cursor_key)
);

-- Epoch AI's models CSV: one row per record, every one of Epoch's columns under its own name.
CREATE TABLE raw_epoch__models (
    record_key VARCHAR PRIMARY KEY,      -- Epoch's Model name
    source_row INTEGER NOT NULL,         -- record number after the header in the file that sent it
    record VARCHAR NOT NULL,             -- JSON object: Epoch column name -> cell text
    source_location VARCHAR NOT NULL,    -- URL or path read
    file_sha256 VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE core_training_runs ADD COLUMN reported_flop_source VARCHAR;   -- who states reported_flop: the paper, or Epoch AI
ALTER TABLE core_training_runs ADD COLUMN reported_flop_confidence VARCHAR; -- Epoch's Confidence for its figure
ALTER TABLE core_papers ADD COLUMN sources VARCHAR;                     -- JSON list of every source that sent this paper
