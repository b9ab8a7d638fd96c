-- 0002: date-aware aliases with counting units, counting rules, and the unresolved-name queue.

-- Reference rows are reseeded on every run, so the alias table is rebuilt with its new key:
-- one row per (alias, date window); alias_key = alias || '|' || valid_from (or '').
DROP TABLE ref_hardware_aliases;
CREATE TABLE ref_hardware_aliases (
    alias_key VARCHAR PRIMARY KEY,
    alias VARCHAR NOT NULL,
    hardware_id VARCHAR NOT NULL,
    chips_per_unit DOUBLE,               -- spec-row units one of this name holds (DGX-1 = 8); NULL = 1
    valid_from DATE,                     -- the meaning applies to papers from this date ...
    valid_to DATE,                       -- ... and before this one
    note VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE ref_hardware_units (
    hardware_id VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,               -- gpu, board, card, module, gcd, superchip, chip, core, pod, slice
    spec_units DOUBLE NOT NULL,          -- spec-row units per one of this unit (a K80 GPU = 0.5 board)
    is_default BOOLEAN NOT NULL,         -- applies when the text names no unit
    note VARCHAR,
    source_url VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (hardware_id, unit)
);

-- Hardware names no alias resolves: never dropped; a decision on one becomes an alias row
-- (`flopledger hardware alias NAME HARDWARE_ID`), after which the next run marks it resolved.
CREATE TABLE out_hardware_unresolved (
    name_key VARCHAR PRIMARY KEY,        -- the name lower-cased, white space folded
    hardware_text VARCHAR NOT NULL,      -- as first written
    record_keys VARCHAR NOT NULL,        -- JSON list of 'source:record' that use the name
    occurrences INTEGER NOT NULL,
    suggested_hardware_id VARCHAR,       -- the closest alias (below the fuzzy cut-off), a hint only
    suggested_score DOUBLE,
    status VARCHAR NOT NULL,             -- open | resolved (an alias now covers it) | gone (no longer seen)
    resolved_hardware_id VARCHAR,
    first_seen_run_id VARCHAR NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_run_id VARCHAR NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
