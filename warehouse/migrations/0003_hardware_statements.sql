-- 0003: hardware statements read by mention extraction, with the provenance of every value.

ALTER TABLE core_training_runs ADD COLUMN hardware_statement VARCHAR;
ALTER TABLE core_training_runs ADD COLUMN extracted_fields VARCHAR;     -- columns filled from the statement
ALTER TABLE core_training_runs ADD COLUMN extraction_conflicts VARCHAR; -- statement vs stated value, stated kept

CREATE TABLE core_run_extractions (
    run_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,              -- training_runs column: hardware_text, chip_count, training_hours, ...
    extracted_value VARCHAR,
    stated_value VARCHAR,
    outcome VARCHAR NOT NULL,            -- filled | agrees | conflict: stated value kept | nothing found
    span_start DOUBLE,                   -- character offsets into hardware_statement
    span_end DOUBLE,
    span_text VARCHAR,
    sentence VARCHAR,
    where_in_source VARCHAR,
    source VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, field)
);
