-- 0001: the first warehouse layout. Layers: raw_ (as the source sent it), core_ (clean,
-- one row per entity), out_ (estimates), ref_ (hand-curated), plus quarantine and run_log.
-- Every landed table carries row_hash (content hash), first_landed_at and updated_at; a
-- row is rewritten only when its content changes, so identical runs change nothing.

CREATE TABLE raw_curated__records (
    source_file VARCHAR PRIMARY KEY,
    sha256 VARCHAR NOT NULL,
    record VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE ref_hardware_specs (
    hardware_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    vendor VARCHAR,
    kind VARCHAR NOT NULL,
    release_date DATE,
    fp64_flop_per_second DOUBLE,
    fp32_flop_per_second DOUBLE,
    tf32_flop_per_second DOUBLE,
    fp16_flop_per_second DOUBLE,
    fp16_tensor_flop_per_second DOUBLE,
    bf16_flop_per_second DOUBLE,
    fp8_flop_per_second DOUBLE,
    int8_op_per_second DOUBLE,
    memory_bytes DOUBLE,
    devices_per_board DOUBLE,
    epoch_name VARCHAR,
    source_url VARCHAR NOT NULL,
    note VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE ref_hardware_aliases (
    alias VARCHAR PRIMARY KEY,
    hardware_id VARCHAR NOT NULL,
    note VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE core_papers (
    paper_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    published_date DATE,
    url VARCHAR,
    arxiv_id VARCHAR,
    doi VARCHAR,
    note VARCHAR,
    source VARCHAR NOT NULL,
    source_record VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE core_training_runs (
    run_id VARCHAR PRIMARY KEY,
    paper_id VARCHAR NOT NULL,
    system VARCHAR NOT NULL,
    domain VARCHAR,
    parameter_count DOUBLE,
    active_parameter_count DOUBLE,
    training_tokens DOUBLE,
    training_examples DOUBLE,
    epochs DOUBLE,
    batch_size DOUBLE,
    batch_tokens DOUBLE,
    forward_multiply_adds_per_example DOUBLE,
    forward_flop_per_example DOUBLE,
    hardware_text VARCHAR,
    hardware_id VARCHAR,
    hardware_confidence DOUBLE,
    chip_count DOUBLE,
    training_hours DOUBLE,
    training_hours_low DOUBLE,
    training_hours_high DOUBLE,
    chip_hours DOUBLE,
    precision VARCHAR,
    utilization DOUBLE,
    reported_flop DOUBLE,
    peak_flop_per_second_override DOUBLE,
    utilization_override DOUBLE,
    hardware_multiplier DOUBLE,
    operations_multiplier DOUBLE,
    multiplier_reason VARCHAR,
    override_source VARCHAR,
    source VARCHAR NOT NULL,
    source_record VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE core_run_facts (
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
    PRIMARY KEY (run_id, fact)
);

CREATE TABLE out_compute_estimates (
    run_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    assumption_set VARCHAR NOT NULL,
    flop DOUBLE NOT NULL,
    flop_low DOUBLE NOT NULL,
    flop_high DOUBLE NOT NULL,
    pfs_days DOUBLE NOT NULL,
    formula VARCHAR NOT NULL,
    inputs VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, method, assumption_set)
);

CREATE TABLE out_compute_comparison (
    run_id VARCHAR NOT NULL,
    assumption_set VARCHAR NOT NULL,
    operations_flop DOUBLE,
    hardware_flop DOUBLE,
    reported_flop DOUBLE,
    ratio DOUBLE,
    is_flagged BOOLEAN NOT NULL,
    flag_reason VARCHAR,
    review_status VARCHAR NOT NULL,
    best_flop DOUBLE,
    best_method VARCHAR,
    best_reason VARCHAR,
    best_pfs_days DOUBLE,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, assumption_set)
);

CREATE TABLE quarantine_records (
    quarantine_id VARCHAR PRIMARY KEY,   -- hash of source, table, check and payload
    source VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    payload VARCHAR NOT NULL,            -- the rejected record as JSON
    record_key VARCHAR,                  -- the record's own id where it has one
    run_id VARCHAR NOT NULL,             -- pipeline run that first saw it
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_run_id VARCHAR NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL              -- open: still seen; gone: its source no longer sends it
);

CREATE TABLE run_log (
    pipeline_run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    status VARCHAR NOT NULL,
    assumption_set VARCHAR,
    sources VARCHAR,
    counts VARCHAR                       -- JSON: per source and table, rows in / landed / quarantined
);
