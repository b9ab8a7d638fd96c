-- A curated run may name a bundled architecture config; its operations are counted from it (issue 16)
ALTER TABLE core__training_runs ADD COLUMN model_config VARCHAR;
