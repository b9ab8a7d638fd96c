"""The Prefect flow: a few coarse tasks (one batch per stage), thin over plain functions."""

from __future__ import annotations

import uuid

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.settings import Settings
from flows.transform.assumptions import get_assumption_set
from flows.transform.core import CoreBatch, build_curated_core
from flows.transform.estimates import estimate_compute
from sources.curated import read_curated_records
from warehouse.connection import connect_for_write, resolve_warehouse_path
from warehouse.land import finish_run_log, land_tables, start_run_log, table_write
from warehouse.seeds import read_hardware_aliases, read_hardware_specs, read_hardware_units, with_alias_key
from warehouse.unresolved import record_unresolved


@task(name="read-reference", cache_policy=NO_CACHE)
def read_reference(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_hardware_specs(), read_hardware_aliases(settings.aliases_file)


@task(name="extract-curated", cache_policy=NO_CACHE)
def extract_curated(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_curated_records(settings.curated_dir, settings.limit)


@task(name="build-core", cache_policy=NO_CACHE)
def build_core(raw: pd.DataFrame, raw_rejects: pd.DataFrame, aliases: pd.DataFrame) -> CoreBatch:
    return build_curated_core(raw, raw_rejects, aliases)


@task(name="estimate-compute", cache_policy=NO_CACHE)
def estimate(runs: pd.DataFrame, specs: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return estimate_compute(runs, specs, get_assumption_set(settings.assumptions, settings.assumptions_file))


@task(name="land-warehouse", cache_policy=NO_CACHE)
def land(settings: Settings, pipeline_run_id: str, specs, aliases, raw, core: CoreBatch, estimates, comparison) -> dict:
    complete = settings.is_complete_pass
    src = "source = 'curated'" if complete else None
    quoted = settings.assumptions.replace("'", "''")
    own_set = f"assumption_set = '{quoted}'" if complete else None
    writes = [
        table_write("ref_hardware_specs", specs, "seeds", "TRUE"),
        table_write("ref_hardware_aliases", with_alias_key(aliases), "seeds", "TRUE"),
        table_write("ref_hardware_units", read_hardware_units(), "seeds", "TRUE"),
        table_write("raw_curated__records", raw, "curated", "TRUE" if complete else None),
        table_write("core_papers", core.papers, "curated", src),
        table_write("core_training_runs", core.runs, "curated", src),
        table_write("core_run_facts", core.facts, "curated", src),
        table_write("core_run_extractions", core.extractions, "curated", src),
        table_write("out_compute_estimates", estimates, "estimates", own_set),
        table_write("out_compute_comparison", comparison, "estimates", own_set),
    ]
    con = connect_for_write(settings.warehouse)
    try:
        start_run_log(con, pipeline_run_id, str(flow_run.get_id() or ""), settings.assumptions, list(settings.sources))
        result = land_tables(con, writes, core.quarantine, pipeline_run_id, ["curated"] if complete else [],
                             after=lambda: record_unresolved(con, core.hardware_names, pipeline_run_id, complete))
        counts = core.counts + [c for c in result.counts if c["source"] != "curated"]
        finish_run_log(con, pipeline_run_id, "succeeded", counts)
        summary = con.execute("""
            SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM training_runs),
                   (SELECT count(*) FILTER (WHERE method = 'operations') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE method = 'hardware') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE method = 'reported') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE is_flagged) FROM compute_comparison WHERE assumption_set = $1),
                   (SELECT count(*) FROM quarantine WHERE status = 'open'),
                   (SELECT count(*) FROM hardware_unresolved WHERE status = 'open')""", [settings.assumptions]).fetchone()
    finally:
        con.close()
    keys = ["papers", "training_runs", "operations_estimates", "hardware_estimates", "reported_estimates",
            "flagged", "quarantined_open", "unresolved_hardware_names"]
    return {"pipeline_run_id": pipeline_run_id, "counts": counts, "totals": dict(zip(keys, summary)),
            "warehouse": str(resolve_warehouse_path(settings.warehouse).resolve()), "assumptions": settings.assumptions}


@flow(name="flopledger-build", log_prints=True)
def build_warehouse(settings: Settings) -> dict:
    """Build or refresh the warehouse from the selected sources (default: bundled curated records)."""
    pipeline_run_id = str(flow_run.get_id() or uuid.uuid4())
    specs, aliases = read_reference(settings)
    raw, raw_rejects = extract_curated(settings)
    core = build_core(raw, raw_rejects, aliases)
    estimates, comparison = estimate(core.runs, specs, settings)
    summary = land(settings, pipeline_run_id, specs, aliases, raw, core, estimates, comparison)
    get_run_logger().info("landed %s", summary["totals"])
    return summary
