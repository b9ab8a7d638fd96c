-- 0004: hedged inputs, method variants, uncertainty on every estimate, reconciliation columns,
-- and the review decisions analysts make on flagged runs.

-- Hedged facts ("about 1.2M images", "2-3 epochs"): the stated range next to the point value.
ALTER TABLE core_training_runs ADD COLUMN parameter_count_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN parameter_count_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN active_parameter_count_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN active_parameter_count_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN training_tokens_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN training_tokens_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN dataset_tokens DOUBLE;        -- tokens in the dataset (one epoch)
ALTER TABLE core_training_runs ADD COLUMN dataset_tokens_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN dataset_tokens_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN training_examples_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN training_examples_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN epochs_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN epochs_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN forward_flop_per_example_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN forward_flop_per_example_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN chip_count_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN chip_count_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN chip_hours_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN chip_hours_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN reported_flop_low DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN reported_flop_high DOUBLE;
ALTER TABLE core_training_runs ADD COLUMN ensemble_members DOUBLE;      -- identical members trained; facts describe one
ALTER TABLE core_training_runs ADD COLUMN base_run_id VARCHAR;          -- this run fine-tunes that one; facts cover the fine-tuning only

-- Estimates and comparisons are derived on every run: recreate them with the new columns.
DROP TABLE out_compute_estimates;
CREATE TABLE out_compute_estimates (
    run_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    assumption_set VARCHAR NOT NULL,
    flop DOUBLE NOT NULL,
    flop_low DOUBLE NOT NULL,
    flop_high DOUBLE NOT NULL,
    pfs_days DOUBLE NOT NULL,
    formula VARCHAR NOT NULL,
    inputs VARCHAR NOT NULL,             -- JSON: every input, with its low/high where hedged
    uncertainty VARCHAR,                 -- what widens [flop_low, flop_high], e.g. 'utilization 0.2-0.5'
    hardware_burden_flop DOUBLE,         -- hardware rows: chips x peak x time, no utilization
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, method, assumption_set)
);

DROP TABLE out_compute_comparison;
CREATE TABLE out_compute_comparison (
    run_id VARCHAR NOT NULL,
    assumption_set VARCHAR NOT NULL,
    operations_flop DOUBLE,
    operations_flop_low DOUBLE,
    operations_flop_high DOUBLE,
    hardware_flop DOUBLE,
    hardware_flop_low DOUBLE,
    hardware_flop_high DOUBLE,
    reported_flop DOUBLE,
    reported_flop_low DOUBLE,
    reported_flop_high DOUBLE,
    ratio DOUBLE,                        -- operations / hardware
    log10_ratio DOUBLE,
    reported_operations_ratio DOUBLE,
    reported_hardware_ratio DOUBLE,
    is_flagged BOOLEAN NOT NULL,
    flag_reason VARCHAR,
    severity VARCHAR,                    -- high | medium | low for flagged runs
    review_status VARCHAR NOT NULL,      -- as computed by the run; the view applies review decisions
    best_flop DOUBLE,
    best_flop_low DOUBLE,
    best_flop_high DOUBLE,
    best_method VARCHAR,
    best_reason VARCHAR,
    best_pfs_days DOUBLE,
    chip_hours DOUBLE,
    hardware_burden_flop DOUBLE,
    serial_steps DOUBLE,
    threshold_1e25 VARCHAR,              -- above | possibly above | below, from [best_flop_low, best_flop_high]
    threshold_1e26 VARCHAR,
    base_run_id VARCHAR,
    with_base_flop DOUBLE,               -- best_flop + the base run's best_flop, for fine-tuning runs
    inputs_fingerprint VARCHAR NOT NULL, -- hash of both methods' formulas and inputs; a review decision is kept while it matches
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, assumption_set)
);

-- An analyst's decision on a run under one assumption set. Append-only history: a new decision
-- supersedes the previous one; a run whose inputs change marks the active decision stale.
CREATE TABLE ref_review_decisions (
    decision_id VARCHAR PRIMARY KEY,     -- hash of run_id, assumption_set, decided_at, accepted, accepted_flop
    run_id VARCHAR NOT NULL,
    assumption_set VARCHAR NOT NULL,
    accepted VARCHAR NOT NULL CHECK (accepted IN ('operations', 'hardware', 'reported', 'value')),
    accepted_flop DOUBLE NOT NULL CHECK (accepted_flop > 0),
    note VARCHAR NOT NULL,
    reviewer VARCHAR,
    decided_at TIMESTAMP NOT NULL,
    inputs_fingerprint VARCHAR NOT NULL, -- out_compute_comparison.inputs_fingerprint when decided
    operations_flop DOUBLE,              -- what the reviewer saw
    hardware_flop DOUBLE,
    reported_flop DOUBLE,
    status VARCHAR NOT NULL CHECK (status IN ('active', 'stale', 'superseded')),
    status_changed_at TIMESTAMP,
    status_reason VARCHAR
);
