-- The latest headline trend fit per assumption set, written by each `flopledger run`
-- (flows/pipeline.py publish-trends), for SQL users: the `trends` view.
CREATE TABLE out__trends (
    assumption_set VARCHAR PRIMARY KEY,
    estimate VARCHAR NOT NULL,
    fitted_at TIMESTAMP NOT NULL,
    pipeline_run_id VARCHAR,
    n INTEGER NOT NULL,
    since DATE NOT NULL,
    until DATE NOT NULL,
    growth_per_year DOUBLE,
    growth_per_year_low DOUBLE,
    growth_per_year_high DOUBLE,
    doubling_months DOUBLE,
    doubling_months_low DOUBLE,
    doubling_months_high DOUBLE,
    r2 DOUBLE,
    segments VARCHAR,
    excluded_runs VARCHAR,  -- not `excluded`: ON CONFLICT's pseudo-table has that name
    chart_path VARCHAR,
    row_hash VARCHAR NOT NULL,
    first_landed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
