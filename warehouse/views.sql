-- Public views: the SQL users' contract (../shared/DESIGN.md). Tables behind them may change.
CREATE OR REPLACE VIEW papers AS
SELECT paper_id, title, published_date, arxiv_id, doi, url, note, source, source_record,
       first_landed_at, updated_at
FROM core__papers;

-- published_date (the paper's) and hardware_family (the spec row's) spare analysts two joins (issue 17)
CREATE OR REPLACE VIEW training_runs AS
SELECT r.run_id, r.paper_id, system, domain, parameter_count, active_parameter_count, training_tokens,
       training_examples, epochs, batch_size, batch_tokens, forward_flop_per_example,
       hardware_text, r.hardware_id, hardware_confidence, chip_count, training_hours,
       training_hours_low, training_hours_high, chip_hours, precision, utilization, reported_flop,
       peak_flop_per_second_override, utilization_override, hardware_multiplier,
       operations_multiplier, multiplier_reason, override_source, hardware_statement,
       extracted_fields, extraction_conflicts, r.source, r.source_record,
       r.first_landed_at, r.updated_at,
       dataset_tokens, dataset_size_unit, reported_flop_low, reported_flop_high, reported_flop_source,
       reported_flop_confidence, reported_flop_method, reported_total_flop, base_model, base_run_id,
       hardware_utilization_hfu, is_frontier, reported_cost_2023_usd, training_power_draw_watts, model_config,
       p.published_date, h.family AS hardware_family
FROM core__training_runs r
LEFT JOIN core__papers p ON p.paper_id = r.paper_id
LEFT JOIN ref__hardware_specs h ON h.hardware_id = r.hardware_id;

CREATE OR REPLACE VIEW run_extractions AS
SELECT run_id, field, extracted_value, stated_value, outcome, span_start, span_end, span_text, sentence,
       where_in_source, source
FROM core__run_extractions;

CREATE OR REPLACE VIEW run_facts AS
SELECT run_id, fact, value, low, high, where_in_source, note, source FROM core__run_facts;

CREATE OR REPLACE VIEW hardware_specs AS
SELECT hardware_id, name, vendor, kind, release_date, fp64_flop_per_second, fp32_flop_per_second,
       tf32_flop_per_second, fp16_flop_per_second, fp16_tensor_flop_per_second,
       bf16_flop_per_second, fp8_flop_per_second, int8_op_per_second, memory_bytes,
       devices_per_board, epoch_name, source_url, note, family AS hardware_family
FROM ref__hardware_specs;

CREATE OR REPLACE VIEW hardware_aliases AS
SELECT alias, hardware_id, chips_per_unit, valid_from, valid_to, note FROM ref__hardware_aliases;

CREATE OR REPLACE VIEW hardware_units AS
SELECT hardware_id, unit, spec_units, is_default, note, source_url FROM ref__hardware_units;

CREATE OR REPLACE VIEW hardware_unresolved AS
SELECT name_key, hardware_text, occurrences, record_keys, suggested_hardware_id, suggested_score, status,
       resolved_hardware_id, first_seen_run_id, first_seen_at
FROM out__hardware_unresolved;

CREATE OR REPLACE VIEW compute_estimates AS
SELECT run_id, method, flop, flop_low, flop_high, pfs_days, assumption_set, formula, inputs,
       uncertainty, hardware_burden_flop, first_landed_at, updated_at
FROM out__compute_estimates;

CREATE OR REPLACE VIEW review_decisions AS
SELECT decision_id, run_id, assumption_set, accepted, accepted_flop, note, reviewer, decided_at,
       inputs_fingerprint, operations_flop, hardware_flop, reported_flop, status, status_changed_at,
       status_reason
FROM ref__review_decisions;

-- The run's comparison with the analysts' decisions applied: the newest live decision per run
-- and assumption set resolves the run while the inputs it saw are unchanged, else it is stale
-- (re-opened; the decision stays in review_decisions as history).
CREATE OR REPLACE VIEW compute_comparison AS
WITH live AS (
    SELECT * FROM ref__review_decisions WHERE status IN ('active', 'stale')
    QUALIFY row_number() OVER (PARTITION BY run_id, assumption_set ORDER BY decided_at DESC, decision_id) = 1
), joined AS (
    SELECT c.*, d.decision_id, d.accepted, d.accepted_flop, d.reviewer, d.note AS review_note,
           coalesce(d.status = 'active' AND d.inputs_fingerprint = c.inputs_fingerprint, FALSE) AS is_resolved,
           CASE d.accepted WHEN 'operations' THEN c.operations_flop_low WHEN 'hardware' THEN c.hardware_flop_low
                           WHEN 'reported' THEN c.reported_flop_low ELSE d.accepted_flop END AS accepted_low,
           CASE d.accepted WHEN 'operations' THEN c.operations_flop_high WHEN 'hardware' THEN c.hardware_flop_high
                           WHEN 'reported' THEN c.reported_flop_high ELSE d.accepted_flop END AS accepted_high
    FROM out__compute_comparison c LEFT JOIN live d USING (run_id, assumption_set)
), final AS (
    SELECT *,
           CASE WHEN is_resolved THEN 'resolved' WHEN decision_id IS NOT NULL THEN 'stale'
                ELSE review_status END AS final_status,
           CASE WHEN is_resolved THEN accepted_flop ELSE best_flop END AS final_flop,
           CASE WHEN is_resolved THEN accepted_low ELSE best_flop_low END AS final_low,
           CASE WHEN is_resolved THEN accepted_high ELSE best_flop_high END AS final_high
    FROM joined
)
SELECT run_id, assumption_set, operations_flop, operations_flop_low, operations_flop_high,
       hardware_flop, hardware_flop_low, hardware_flop_high, reported_flop, reported_flop_low,
       reported_flop_high, ratio, log10_ratio,
       reported_operations_ratio, reported_hardware_ratio, is_flagged, flag_reason, severity,
       final_status AS review_status,
       final_flop AS best_flop, final_low AS best_flop_low, final_high AS best_flop_high,
       CASE WHEN NOT is_resolved THEN best_method WHEN accepted = 'value' THEN 'review' ELSE accepted END AS best_method,
       CASE WHEN is_resolved THEN 'review decision' || coalesce(' by ' || reviewer, '') || ': ' || review_note
            ELSE best_reason END AS best_reason,
       final_flop / 8.64e19 AS best_pfs_days,  -- 1 pfs-day = 1e15 FLOP/s x 86,400 s (OpenAI 2018)
       chip_hours, hardware_burden_flop, serial_steps,
       CASE WHEN NOT is_resolved THEN threshold_1e25 WHEN final_low >= 1e25 THEN 'above'
            WHEN final_high >= 1e25 THEN 'possibly above' ELSE 'below' END AS threshold_1e25,
       CASE WHEN NOT is_resolved THEN threshold_1e26 WHEN final_low >= 1e26 THEN 'above'
            WHEN final_high >= 1e26 THEN 'possibly above' ELSE 'below' END AS threshold_1e26,
       base_run_id,
       final_flop + (SELECT b.final_flop FROM final b
                     WHERE b.run_id = final.base_run_id AND b.assumption_set = final.assumption_set) AS with_base_flop,
       inputs_fingerprint, decision_id, reviewer, review_note, first_landed_at, updated_at,
       (SELECT p.published_date FROM core__training_runs r JOIN core__papers p ON p.paper_id = r.paper_id
        WHERE r.run_id = final.run_id) AS published_date
FROM final;

CREATE OR REPLACE VIEW quarantine AS
SELECT source, table_name, check_name, reason, payload, run_id, record_key, status,
       first_seen_at, quarantine_id
FROM meta__quarantine_records;

-- The latest headline fit of training compute against publication date, per assumption set
CREATE OR REPLACE VIEW trends AS
SELECT assumption_set, estimate, n, since, until, growth_per_year, growth_per_year_low, growth_per_year_high,
       doubling_months, doubling_months_low, doubling_months_high, r2, segments, excluded_runs AS excluded, chart_path,
       fitted_at, pipeline_run_id
FROM out__trends;
