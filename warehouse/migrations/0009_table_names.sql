-- One naming convention for every table: <layer>[_<source>]__<entity>, layers raw, core, out, ref
-- and meta (the pipeline's own bookkeeping). The public views keep their names and columns.
-- Views are recreated after every migration (warehouse/views.sql); drop them first so no view
-- holds on to an old name.
DROP VIEW IF EXISTS papers;
DROP VIEW IF EXISTS training_runs;
DROP VIEW IF EXISTS run_extractions;
DROP VIEW IF EXISTS run_facts;
DROP VIEW IF EXISTS hardware_specs;
DROP VIEW IF EXISTS hardware_aliases;
DROP VIEW IF EXISTS hardware_units;
DROP VIEW IF EXISTS hardware_unresolved;
DROP VIEW IF EXISTS compute_estimates;
DROP VIEW IF EXISTS review_decisions;
DROP VIEW IF EXISTS compute_comparison;
DROP VIEW IF EXISTS quarantine;
ALTER TABLE core_papers RENAME TO core__papers;
ALTER TABLE core_training_runs RENAME TO core__training_runs;
ALTER TABLE core_run_facts RENAME TO core__run_facts;
ALTER TABLE core_run_extractions RENAME TO core__run_extractions;
ALTER TABLE core_paper_metrics RENAME TO core__paper_metrics;
ALTER TABLE out_compute_estimates RENAME TO out__compute_estimates;
ALTER TABLE out_compute_comparison RENAME TO out__compute_comparison;
ALTER TABLE out_hardware_unresolved RENAME TO out__hardware_unresolved;
ALTER TABLE ref_hardware_aliases RENAME TO ref__hardware_aliases;
ALTER TABLE ref_hardware_specs RENAME TO ref__hardware_specs;
ALTER TABLE ref_hardware_units RENAME TO ref__hardware_units;
ALTER TABLE ref_review_decisions RENAME TO ref__review_decisions;
ALTER TABLE raw_http_responses RENAME TO raw_http__responses;
ALTER TABLE run_log RENAME TO meta__run_log;
ALTER TABLE source_cursors RENAME TO meta__source_cursors;
ALTER TABLE quarantine_records RENAME TO meta__quarantine_records;
