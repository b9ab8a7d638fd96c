-- Epoch's models table mapped in full (issue 11): the fine-tune's total kept apart from its own
-- compute, how Epoch estimated its figure, the dataset size's unit, HFU, the frontier flag, and
-- cost and power as reported values.
ALTER TABLE core__training_runs ADD COLUMN reported_flop_method VARCHAR;
ALTER TABLE core__training_runs ADD COLUMN reported_total_flop DOUBLE;
ALTER TABLE core__training_runs ADD COLUMN base_model VARCHAR;
ALTER TABLE core__training_runs ADD COLUMN dataset_size_unit VARCHAR;
ALTER TABLE core__training_runs ADD COLUMN hardware_utilization_hfu DOUBLE;
ALTER TABLE core__training_runs ADD COLUMN is_frontier BOOLEAN;
ALTER TABLE core__training_runs ADD COLUMN reported_cost_2023_usd DOUBLE;
ALTER TABLE core__training_runs ADD COLUMN training_power_draw_watts DOUBLE;
