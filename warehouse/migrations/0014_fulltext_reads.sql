-- Issue 15 (into the warehouse): `run --source fulltext` keeps the record of the papers it read, and a
-- run's facts are kept per source, so a fact read from the full text stands next to the curated or
-- stated one for the same run instead of replacing it (both rows visible, the conflict goes to review).
-- Views are recreated after every migration (warehouse/views.sql); drop the one on the rebuilt table.
DROP VIEW IF EXISTS run_facts;
CREATE TABLE core__run_facts_by_source (
    run_id VARCHAR NOT NULL,
    fact VARCHAR NOT NULL,
    value VARCHAR,
    low DOUBLE,
    high DOUBLE,
    where_in_source VARCHAR,
    note VARCHAR,
    source VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, fact, source)
);
INSERT INTO core__run_facts_by_source SELECT run_id, fact, value, low, high, where_in_source, note, source, row_hash,
    first_landed_at, updated_at FROM core__run_facts;
DROP TABLE core__run_facts;
ALTER TABLE core__run_facts_by_source RENAME TO core__run_facts;

CREATE TABLE meta__fulltext_reads (
    paper_key VARCHAR NOT NULL,          -- arxiv:<id><vN>: a new version is a new key
    paper_id VARCHAR NOT NULL,
    arxiv_id VARCHAR NOT NULL,
    content_sha256 VARCHAR,              -- the raw file read (the cache keeps it under this name)
    kind VARCHAR,                        -- latex or pdf; null when refused before it could tell
    fact_count BIGINT NOT NULL,
    run_count BIGINT NOT NULL,
    refused_reason VARCHAR,              -- check_name: reason, when the file was refused (quarantined)
    read_at TIMESTAMP NOT NULL,
    pipeline_run_id VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (paper_key)
);
