"""The Prefect flow: a few coarse tasks (one batch per stage), thin over plain functions."""

from __future__ import annotations

import uuid

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.settings import Settings
from flows.transform.assumptions import get_assumption_set
from flows.transform.core import CoreBatch, build_curated_core
from flows.transform.estimates import estimate_compute
from sources.curated import read_curated_records
from warehouse.connection import connect_for_write, resolve_warehouse_path
from warehouse.land import finish_run_log, land_tables, start_run_log, table_write
from warehouse.review_queries import review_queue
from warehouse.reviews import load_decisions_file, mark_stale_decisions
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

        def bookkeeping():  # inside the landing transaction: the name queue, then review decisions
            record_unresolved(con, core.hardware_names, pipeline_run_id, complete)
            load_decisions_file(con, settings.reviews_file)
            mark_stale_decisions(con, pipeline_run_id)

        result = land_tables(con, writes, core.quarantine, pipeline_run_id, ["curated"] if complete else [],
                             after=bookkeeping)
        counts = core.counts + [c for c in result.counts if c["source"] != "curated"]
        finish_run_log(con, pipeline_run_id, "succeeded", counts)
        summary = con.execute("""
            SELECT (SELECT count(*) FROM papers), (SELECT count(*) FROM training_runs),
                   (SELECT count(*) FILTER (WHERE method = 'operations') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE method = 'hardware') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE method = 'reported') FROM compute_estimates WHERE assumption_set = $1),
                   (SELECT count(*) FILTER (WHERE is_flagged) FROM compute_comparison WHERE assumption_set = $1),
                   (SELECT count(*) FROM quarantine WHERE status = 'open'),
                   (SELECT count(*) FROM hardware_unresolved WHERE status = 'open'),
                   (SELECT count(*) FILTER (WHERE review_status IN ('open', 'stale')) FROM compute_comparison
                    WHERE assumption_set = $1)""", [settings.assumptions]).fetchone()
        queue = review_queue(con, settings.assumptions)
    finally:
        con.close()
    keys = ["papers", "training_runs", "operations_estimates", "hardware_estimates", "reported_estimates",
            "flagged", "quarantined_open", "unresolved_hardware_names", "open_reviews"]
    return {"pipeline_run_id": pipeline_run_id, "counts": counts, "totals": dict(zip(keys, summary)),
            "warehouse": str(resolve_warehouse_path(settings.warehouse).resolve()), "assumptions": settings.assumptions,
            "review_queue": queue}


REVIEW_ARTIFACT_KEY = "flopledger-open-disagreements"
ARTIFACT_COLUMNS = ["run_id", "review_status", "severity", "ratio", "operations_flop", "hardware_flop", "reported_flop",
                    "flag_reason", "operations_inputs", "hardware_inputs"]


@task(name="publish-review-queue", cache_policy=NO_CACHE)
def publish_review_queue(queue: pd.DataFrame, assumptions: str) -> str:
    """The open disagreements as a Prefect table artifact, so the UI shows the review queue."""
    rows = queue[ARTIFACT_COLUMNS].astype(object).where(queue[ARTIFACT_COLUMNS].notna(), None).to_dict(orient="records")
    for row in rows:  # short figures read better in the UI table
        for column in ("ratio", "operations_flop", "hardware_flop", "reported_flop"):
            row[column] = None if row[column] is None else f"{row[column]:.3g}"
    description = (f"{len(rows)} open or stale disagreement(s) under {assumptions}; "
                   "work through them with `flopledger review list` and `review resolve`.")
    return str(create_table_artifact(key=REVIEW_ARTIFACT_KEY, table=rows, description=description))


@flow(name="flopledger-build", log_prints=True)
def build_warehouse(settings: Settings) -> dict:
    """Build or refresh the warehouse from the selected sources (default: bundled curated records)."""
    pipeline_run_id = str(flow_run.get_id() or uuid.uuid4())
    specs, aliases = read_reference(settings)
    raw, raw_rejects = extract_curated(settings)
    core = build_core(raw, raw_rejects, aliases)
    estimates, comparison = estimate(core.runs, specs, settings)
    summary = land(settings, pipeline_run_id, specs, aliases, raw, core, estimates, comparison)
    publish_review_queue(summary.pop("review_queue"), settings.assumptions)
    get_run_logger().info("landed %s", summary["totals"])
    return summary
