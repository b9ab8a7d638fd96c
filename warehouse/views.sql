-- Public views: the SQL users' contract (../shared/DESIGN.md). Tables behind them may change.
CREATE OR REPLACE VIEW papers AS
SELECT paper_id, title, published_date, arxiv_id, doi, url, note, source, source_record,
       first_landed_at, updated_at
FROM core_papers;

CREATE OR REPLACE VIEW training_runs AS
SELECT run_id, paper_id, system, domain, parameter_count, active_parameter_count, training_tokens,
       training_examples, epochs, batch_size, batch_tokens, forward_flop_per_example,
       hardware_text, hardware_id, hardware_confidence, chip_count, training_hours,
       training_hours_low, training_hours_high, chip_hours, precision, utilization, reported_flop,
       peak_flop_per_second_override, utilization_override, hardware_multiplier,
       operations_multiplier, multiplier_reason, override_source, hardware_statement,
       extracted_fields, extraction_conflicts, source, source_record,
       first_landed_at, updated_at
FROM core_training_runs;

CREATE OR REPLACE VIEW run_extractions AS
SELECT run_id, field, extracted_value, stated_value, outcome, span_start, span_end, span_text, sentence,
       where_in_source, source
FROM core_run_extractions;

CREATE OR REPLACE VIEW run_facts AS
SELECT run_id, fact, value, low, high, where_in_source, note, source FROM core_run_facts;

CREATE OR REPLACE VIEW hardware_specs AS
SELECT hardware_id, name, vendor, kind, release_date, fp64_flop_per_second, fp32_flop_per_second,
       tf32_flop_per_second, fp16_flop_per_second, fp16_tensor_flop_per_second,
       bf16_flop_per_second, fp8_flop_per_second, int8_op_per_second, memory_bytes,
       devices_per_board, epoch_name, source_url, note
FROM ref_hardware_specs;

CREATE OR REPLACE VIEW hardware_aliases AS
SELECT alias, hardware_id, chips_per_unit, valid_from, valid_to, note FROM ref_hardware_aliases;

CREATE OR REPLACE VIEW hardware_units AS
SELECT hardware_id, unit, spec_units, is_default, note, source_url FROM ref_hardware_units;

CREATE OR REPLACE VIEW hardware_unresolved AS
SELECT name_key, hardware_text, occurrences, record_keys, suggested_hardware_id, suggested_score, status,
       resolved_hardware_id, first_seen_run_id, first_seen_at
FROM out_hardware_unresolved;

CREATE OR REPLACE VIEW compute_estimates AS
SELECT run_id, method, flop, flop_low, flop_high, pfs_days, assumption_set, formula, inputs,
       first_landed_at, updated_at
FROM out_compute_estimates;

CREATE OR REPLACE VIEW compute_comparison AS
SELECT run_id, assumption_set, operations_flop, hardware_flop, reported_flop, ratio, is_flagged,
       flag_reason, review_status, best_flop, best_method, best_reason, best_pfs_days,
       first_landed_at, updated_at
FROM out_compute_comparison;

CREATE OR REPLACE VIEW quarantine AS
SELECT source, table_name, check_name, reason, payload, run_id, record_key, status,
       first_seen_at, quarantine_id
FROM quarantine_records;
