"""The Prefect flow: a few coarse tasks (one batch per stage), thin over plain functions."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal  # Prefect's SIGTERM handler inside a flow raises it
from prefect.runtime import flow_run

from flows.concurrency import source_slot
from flows.progress import terminal_progress
from flows.signals import termination_requested
from flows.stages import stage
from flows.settings import Settings, api_keys, get_assumption_set, notability_rules
from warehouse.arxiv_snapshot_core import land_snapshot_papers, quarantine_snapshot_rejects
from flows.arxiv_ingest import ingest_arxiv
from flows.transform.ingest.arxiv import build_arxiv_core
from flows.transform.papers.candidate_runs import build_candidate_core, candidate_runs
from flows.transform.ingest.core import build_curated_core
from flows.transform.hardware.unresolved import QUEUE_COLUMNS
from flows.fetch import build_enrichment, fetch_epoch_batch, merge_enrichment
from flows.transform.papers.enrichment import EnrichmentBatch
from flows.transform.papers.notability import select_notable
from flows.transform.ingest.sources import SourceBatch, deduplicate_papers
from flows.transform.compute.estimates import estimate_checked, flag_source_conflicts
from sources.curated import read_curated_records
from warehouse.connection import connect_for_write, memory_capped
from sources.arxiv import arxiv_client
from warehouse.arxiv_snapshot import load_arxiv_snapshot
from sources.http import FetchError, HttpClient
from warehouse.lock import warehouse_lock
from warehouse.land import begin_run_log, end_run_log, finish_run_log, land_tables, start_run_log, table_write
from warehouse.state import (mark_checked, open_quarantine, papers_due, read_other_sources, read_table, run_totals,
                             save_cursors, save_notability, save_responses, sources_landed_before)
from warehouse.review_queries import review_queue
from warehouse.reviews import load_decisions_file, mark_stale_decisions, read_decided_inputs
from warehouse.seeds import (read_hardware_aliases, read_hardware_specs, read_hardware_units, read_model_configs,
                             with_alias_key)
from warehouse.unresolved import record_unresolved


@task(name="read-reference", cache_policy=NO_CACHE)
def read_reference(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_hardware_specs(), read_hardware_aliases(settings.aliases_file)


@task(name="extract-curated", cache_policy=NO_CACHE)
def extract_curated(settings: Settings, aliases: pd.DataFrame) -> SourceBatch:
    raw, raw_rejects = read_curated_records(settings.curated_dir, settings.limit)
    return SourceBatch("curated", "raw_curated__records", raw, build_curated_core(raw, raw_rejects, aliases), "", "")


def retry_when_transient(task, task_run, state) -> bool:
    """Prefect retry condition: retry a source task only when the server answered 429 or 5xx (an outage
    may pass), never for a 404 or a malformed file. No answer at all (refused, unreachable, silent) is not
    retried here: the HTTP client has already tried max_retries + 1 times, and a second layer of retries
    multiplied an offline run to minutes (issue 12: the offline case fails in under 30 s per source)."""
    error = state.result(raise_on_failure=False)
    response = getattr(error, "response", None)
    return isinstance(error, FetchError) and response is not None and (response.status == 429 or response.status >= 500)


@task(name="extract-epoch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10,
      retry_condition_fn=retry_when_transient)
def extract_epoch(settings: Settings, aliases: pd.DataFrame) -> SourceBatch:
    with source_slot("epoch"):
        return fetch_epoch_batch(settings.fetch_url("epoch_models_url"), settings.limit, aliases,
                                 lambda source: HttpClient(source, contact=settings.contact, **settings.http_limits()),
                                 helpers=settings.statement_helpers)


@task(name="ingest-arxiv", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30,
      retry_condition_fn=retry_when_transient)
def ingest_arxiv_pages(settings: Settings, pipeline_run_id: str) -> dict:
    """Pages commit one by one (with their cursor), so a retry or a later run resumes after the last one."""
    since, until = settings.arxiv_dates()
    with source_slot("arxiv"):
        con = connect_for_write(settings.warehouse)
        try:
            with arxiv_client(contact=settings.contact, min_interval_seconds=settings.arxiv_min_interval_seconds,
                              **settings.http_limits()) \
                    as client, terminal_progress("arXiv entries") as progress:
                return ingest_arxiv(con, client, settings.fetch_url("arxiv_url"), settings.arxiv_categories, since, until,
                                    settings.arxiv_page_size, pipeline_run_id, settings.limit, progress)
        finally:
            con.close()


@task(name="load-arxiv-snapshot", cache_policy=NO_CACHE)
def load_snapshot(settings: Settings) -> dict:
    """The bulk snapshot streams through DuckDB into raw_arxiv_snapshot__records in one transaction;
    every line is kept, filtered out by category, or landed as a reject with its text."""
    con = connect_for_write(settings.warehouse)
    try:
        counts = load_arxiv_snapshot(con, settings.arxiv_snapshot, settings.arxiv_categories, settings.limit)
        run_id = str(flow_run.get_id() or "")
        counts["quarantine_rows"] = quarantine_snapshot_rejects(con, counts["file_sha256"], run_id, settings.is_complete_pass)
        counts["papers"] = land_snapshot_papers(con, run_id, settings.is_complete_pass)
    finally:
        con.close()
    get_run_logger().info("arXiv snapshot: %s", counts)
    return counts


@task(name="build-arxiv-core", cache_policy=NO_CACHE)
def build_arxiv_batch(settings: Settings, aliases: pd.DataFrame, counts: dict) -> SourceBatch:
    raw = read_table(settings.warehouse, "raw_arxiv__entries")
    return SourceBatch("arxiv", None, raw, build_arxiv_core(raw, aliases, counts), "", "")


@task(name="enrich-papers", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30,
      retry_condition_fn=retry_when_transient)
def enrich_papers(settings: Settings, papers: pd.DataFrame) -> EnrichmentBatch:
    """Citations, venue, fields of study and open-access links from the selected services, for the
    papers each service has not described in the last `enrichment_refresh_days` (incremental)."""
    services = {"semantic_scholar": settings.fetch_url("s2_url"), "openalex": settings.fetch_url("openalex_url")}
    keys = api_keys()  # from the environment, here in the task: never a flow parameter
    parts = []
    with source_slot(*[s for s in services if s in settings.sources]):
        for service, url in services.items():
            if service not in settings.sources:
                continue
            due = papers_due(settings.warehouse, papers, service, settings.enrichment_refresh_days)
            parts.append(build_enrichment(
                due, lambda source: HttpClient(source, contact=settings.contact, **settings.http_limits()),
                url if service == "semantic_scholar" else None, url if service == "openalex" else None,
                keys["semantic_scholar"], keys["openalex"], settings.limit))
    return merge_enrichment(parts)


@task(name="judge-notability", cache_policy=NO_CACHE)
def judge_notability(settings: Settings, papers: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    known = read_table(settings.warehouse, "core__paper_metrics")
    every = pd.concat([known, metrics], ignore_index=True).drop_duplicates(["paper_id", "source"], keep="last") \
        if not known.empty else metrics
    judged = select_notable(papers, every, notability_rules(settings.notability_file))
    return judged[["paper_id", "is_notable", "notability_reason"]]


@task(name="process-notable-papers", cache_policy=NO_CACHE)
def process_notable_papers(batch: SourceBatch, notability: pd.DataFrame, runs: pd.DataFrame, aliases) -> SourceBatch:
    """Notable papers that came without runs get their abstract read for training hardware."""
    notable = set(notability.loc[notability["is_notable"].fillna(False).astype(bool), "paper_id"])
    with_runs = set(runs["paper_id"].dropna()) if "paper_id" in runs else set()
    candidates = candidate_runs(batch.core.papers, notable, with_runs, batch.source)
    found = build_candidate_core(batch.core.papers, candidates, batch.source, aliases)
    core = batch.core
    core.runs = pd.concat([core.runs, found.runs], ignore_index=True)
    core.extractions = pd.concat([core.extractions, found.extractions], ignore_index=True)
    core.quarantine = pd.concat([core.quarantine, found.quarantine], ignore_index=True)
    core.counts = core.counts + found.counts
    return batch


@task(name="read-warehouse-state", cache_policy=NO_CACHE)
def read_warehouse_state(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs of the sources not read this time (they are estimated too) and every known paper."""
    return read_other_sources(settings.warehouse, settings.sources)


@task(name="estimate-compute", cache_policy=NO_CACHE)
def estimate(runs: pd.DataFrame, specs: pd.DataFrame, settings: Settings,
             conflicts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(estimates, comparison with source conflicts flagged, quarantine rows for estimates no run can have)."""
    estimates, comparison, quarantine = estimate_checked(
        runs, specs, get_assumption_set(settings.assumptions, settings.assumptions_file), read_model_configs())
    return estimates, flag_source_conflicts(comparison, conflicts), quarantine


def _source_writes(batch: SourceBatch, complete: bool) -> list:
    complete = complete and batch.source not in INCREMENTAL_SOURCES
    own = f"source = '{batch.source}'" if complete else None
    raw = [table_write(batch.raw_table, batch.raw, batch.source, "TRUE" if complete else None, batch.packed)] \
        if batch.raw_table else []
    return [
        *raw,
        table_write("core__papers", batch.core.papers, batch.source, own),
        table_write("core__training_runs", batch.core.runs, batch.source, own),
        table_write("core__run_facts", batch.core.facts, batch.source, own),
        table_write("core__run_extractions", batch.core.extractions, batch.source, own),
    ]


# Sources that read only what is new each time: a complete pass never prunes their rows or closes their quarantine
INCREMENTAL_SOURCES = ("fulltext",)


@task(name="read-fulltext-source", cache_policy=NO_CACHE)
def gather_fulltext(settings: Settings, notability: pd.DataFrame, known_runs: pd.DataFrame, aliases,
                    pipeline_run_id: str, new_papers: pd.DataFrame):
    """Papers picked and their raw files fetched; the reading itself is the flopledger-fulltext subflow."""
    from flows.fulltext_source import read_fulltext_source

    return read_fulltext_source(settings, notability, known_runs, aliases, pipeline_run_id, new_papers)


@task(name="fill-from-fulltext", cache_policy=NO_CACHE)
def apply_fulltext_facts(settings: Settings, batches: list[SourceBatch], other_runs: pd.DataFrame, aliases):
    """Every run's gaps filled from the full-text facts landed before and read now (stated values win);
    returns (other sources' runs, filled; those that changed, to land again; conflicts for review)."""
    from flows.fulltext_source import fill_all_runs

    return fill_all_runs(settings.warehouse, batches, other_runs, aliases)


@task(name="land-warehouse", cache_policy=NO_CACHE)
def land(settings: Settings, pipeline_run_id: str, specs, aliases, batches: list[SourceBatch], estimates,
         comparison, enrichment: EnrichmentBatch, notability: pd.DataFrame, estimate_quarantine: pd.DataFrame,
         extra_writes: list | None = None) -> dict:
    complete = settings.is_complete_pass
    quoted = settings.assumptions.replace("'", "''")
    own_set = f"assumption_set = '{quoted}'" if complete else None
    writes = [
        table_write("ref__hardware_specs", specs, "seeds", "TRUE"),
        table_write("ref__hardware_aliases", with_alias_key(aliases), "seeds", "TRUE"),
        table_write("ref__hardware_units", read_hardware_units(), "seeds", "TRUE"),
        *[w for batch in batches for w in _source_writes(batch, complete)],
        table_write("raw_semantic_scholar__papers", enrichment.raw_s2, "semantic_scholar"),
        table_write("raw_openalex__works", enrichment.raw_openalex, "openalex"),
        table_write("core__paper_metrics", enrichment.metrics, "enrichment"),
        table_write("out__compute_estimates", estimates, "estimates", own_set),
        table_write("out__compute_comparison", comparison, "estimates", own_set),
        *(extra_writes or []),
    ]
    for batch in batches:  # the writes hold these frames now, and landing lets each go once written
        batch.raw = batch.core.papers = batch.core.runs = batch.core.facts = batch.core.extractions = None
    names = pd.concat([b.core.hardware_names for b in batches] or [pd.DataFrame(columns=QUEUE_COLUMNS)], ignore_index=True)
    # a name not seen is 'gone' only when this run read every source that can name hardware
    names_complete = complete and {b.source for b in batches} >= set(sources_landed_before(settings.warehouse))
    con = connect_for_write(settings.warehouse)
    try:
        start_run_log(con, pipeline_run_id, str(flow_run.get_id() or ""), settings.assumptions, list(settings.sources))
        decided = read_decided_inputs(con)  # before this run's estimates land: a stale decision says what changed

        def bookkeeping():  # inside the landing transaction: the name queue, review decisions, cursors
            record_unresolved(con, names, pipeline_run_id, names_complete)
            load_decisions_file(con, settings.reviews_file)
            mark_stale_decisions(con, pipeline_run_id, decided)
            save_cursors(con, [(b.source, b.cursor_key, b.cursor_value) for b in batches if b.cursor_key], pipeline_run_id)
            save_responses(con, [r for b in batches for r in b.responses] + enrichment.responses, pipeline_run_id)
            save_notability(con, notability)
            mark_checked(con, enrichment.metrics)

        quarantine = pd.concat([b.core.quarantine for b in batches] + [enrichment.quarantine, estimate_quarantine],
                               ignore_index=True)
        result = land_tables(con, writes, quarantine, pipeline_run_id,
                             [b.source for b in batches if b.source not in INCREMENTAL_SOURCES] if complete else [],
                             after=bookkeeping)
        landed_sources = {b.source for b in batches}
        counts = [c for b in batches for c in b.core.counts] + [c for c in result.counts if c["source"] not in landed_sources]
        finish_run_log(con, pipeline_run_id, "succeeded", counts)
        summary = run_totals(con, settings.assumptions)
        quarantined = open_quarantine(con)
        queue = review_queue(con, settings.assumptions)
    finally:
        con.close()
    return {"pipeline_run_id": pipeline_run_id, "counts": counts, "totals": summary, "quarantine": quarantined,
            "warehouse": str(settings.warehouse.resolve()), "assumptions": settings.assumptions,
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


TRENDS_ARTIFACT_KEY = "flopledger-trends"


def trends_chart_path(warehouse: Path) -> Path:
    """The chart each run writes next to the warehouse: flopledger.duckdb -> flopledger.trends.png."""
    return warehouse.with_name(warehouse.stem + ".trends.png")


@task(name="publish-trends", cache_policy=NO_CACHE)
def publish_trends(settings: Settings, pipeline_run_id: str) -> str | None:
    """The headline fit (flopledger trends with its defaults) as a Prefect markdown artifact, a chart
    next to the warehouse and a row of the `trends` view; skipped when fewer than 3 dated runs have
    an estimate. Returns the chart's path."""
    from flows.charts import draw_trend_chart
    from flows.transform.trends.report import format_table, headline_report, trend_row
    from warehouse.trends_queries import save_trend_fit, trend_runs, warehouse_sources

    con = connect_for_write(settings.warehouse)
    try:
        runs = memory_capped(con, lambda: trend_runs(con, "best", settings.assumptions))
        sources = warehouse_sources(con)
    finally:
        con.close()  # DuckDB lets go of what it read before the fit and the chart need memory of their own
    headline = headline_report(runs, settings.assumptions)
    if headline is None:
        get_run_logger().info("trends: fewer than 3 dated runs with an estimate; no fit published")
        return None
    report, fits, chosen = headline
    chart = trends_chart_path(settings.warehouse.resolve())
    draw_trend_chart(chart, chosen, fits, report, sources)
    con = connect_for_write(settings.warehouse)
    try:
        save_trend_fit(con, trend_row(report, pd.Timestamp.now("UTC").tz_localize(None), pipeline_run_id, str(chart)))
    finally:
        con.close()
    create_markdown_artifact(key=TRENDS_ARTIFACT_KEY, markdown=f"```\n{format_table(report)}\n```\n\nChart: `{chart}`",
                             description=f"training compute against publication date under {settings.assumptions}")
    return str(chart)


@flow(name="flopledger-build", log_prints=True)
def build_warehouse(settings: Settings) -> dict:
    """Build or refresh the warehouse from the selected sources (default: bundled curated records);
    one run per warehouse at a time (warehouse/lock.py)."""
    with warehouse_lock(settings.warehouse):
        return _build(settings)


def _build(settings: Settings) -> dict:
    pipeline_run_id = str(flow_run.get_id() or uuid.uuid4())
    abandoned = begin_run_log(settings.warehouse, pipeline_run_id, str(flow_run.get_id() or ""), settings.assumptions,
                              list(settings.sources))
    if abandoned:
        get_run_logger().warning("%d earlier run(s) left `running` by a process that is gone: marked abandoned", abandoned)
    try:
        return _build_stages(settings, pipeline_run_id)
    except BaseException as err:  # SIGINT, SIGTERM (ours in flows/signals.py, or Prefect's in the flow) or a failure
        stopped = isinstance(err, (KeyboardInterrupt, SystemExit, TerminationSignal)) or termination_requested()
        end_run_log(settings.warehouse, pipeline_run_id, "interrupted" if stopped else "failed")
        raise


def _build_stages(settings: Settings, pipeline_run_id: str) -> dict:
    with stage("read the reference tables") as said:
        specs, aliases = read_reference(settings)
        said.update({"chips": len(specs), "hardware aliases": len(aliases)})
    extractors = {"curated": extract_curated, "epoch": extract_epoch,
                  "arxiv": lambda s, a: build_arxiv_batch(s, a, ingest_arxiv_pages(s, pipeline_run_id))}
    snapshot = None
    if "arxiv_snapshot" in settings.sources:
        with stage("load the arxiv_snapshot file") as said:
            snapshot = load_snapshot(settings)
            said.update({"lines read": snapshot["rows_read"], "kept": snapshot["rows_kept"],
                         "quarantined": snapshot["malformed"]})
    batches = []
    for source in [s for s in settings.sources if s in extractors]:
        with stage(f"read {source}") as said:
            batches.append(extractors[source](settings, aliases))
            said.update(read_counts(batches[-1]))
    other_runs, known_papers = read_warehouse_state(settings)
    deduplicate_papers([b.core for b in batches], known_papers)
    papers = pd.concat([known_papers, *[b.core.papers for b in batches]], ignore_index=True)
    with stage("enrich papers") if {"semantic_scholar", "openalex"} & set(settings.sources) else nullcontext({}) as said:
        enrichment = enrich_papers(settings, papers)
        said.update({"papers described": len(enrichment.metrics), "quarantined": len(enrichment.quarantine)})
    notability = judge_notability(settings, papers, enrichment.metrics)
    known_runs = pd.concat([other_runs, *[b.core.runs for b in batches]], ignore_index=True)
    batches = [process_notable_papers(b, notability, known_runs, aliases) if b.source == "arxiv" else b for b in batches]
    extra_writes = []
    if "fulltext" in settings.sources:
        with stage("read fulltext") as said:
            known_runs = pd.concat([other_runs, *[b.core.runs for b in batches]], ignore_index=True)
            new_papers = pd.concat([b.core.papers for b in batches] or [pd.DataFrame(columns=["paper_id"])],
                                   ignore_index=True)
            fulltext, reads = gather_fulltext(settings, notability, known_runs, aliases, pipeline_run_id, new_papers)
            batches.append(fulltext)
            extra_writes.append(table_write("meta__fulltext_reads", reads, "fulltext"))
            said.update({"papers read": len(reads), "facts": len(fulltext.core.facts),
                         "runs of their own": len(fulltext.core.runs), "quarantined": len(fulltext.core.quarantine)})
    other_runs, changed, conflicts = apply_fulltext_facts(settings, batches, other_runs, aliases)
    if not changed.empty:  # other sources' runs whose gaps the full text filled: landed again, their source kept
        extra_writes.append(table_write("core__training_runs", changed, "fulltext"))
    for batch in batches:
        if batch.source == "fulltext":
            batch.core.counts.append({"source": "fulltext", "table": "other sources' runs filled", "rows_in": len(changed),
                                      "landed": len(changed), "quarantined": 0})
    del known_runs, papers  # a 10x Epoch table: each concatenation of its runs holds ~30 MB
    runs = pd.concat([other_runs, *[b.core.runs for b in batches]], ignore_index=True)
    with stage(f"estimate compute ({settings.assumptions})") as said:
        estimates, comparison, estimate_quarantine = estimate(runs, specs, settings, conflicts)
        flagged = int(comparison["is_flagged"].fillna(False).astype(bool).sum()) if "is_flagged" in comparison else None
        said.update({"runs": len(runs), "estimates": len(estimates), "flagged": flagged,
                     "quarantined (beyond any training run)": len(estimate_quarantine) or None})
    del runs, other_runs
    with stage("land in the warehouse") as said:
        summary = land(settings, pipeline_run_id, specs, aliases, batches, estimates, comparison, enrichment, notability,
                       estimate_quarantine, extra_writes)
        said.update({"rows landed": sum(int(c["landed"]) for c in summary["counts"]),
                     "open in quarantine": summary["totals"].get("quarantined_open")})
    if snapshot:  # rows in = kept + filtered out + malformed, landed in its own transaction above
        summary["counts"].append({"source": "arxiv_snapshot", "table": "raw_arxiv_snapshot__records",
                                  "rows_in": snapshot["rows_read"], "landed": snapshot["rows_kept"],
                                  "quarantined": snapshot["malformed"], "filtered": snapshot["rows_filtered_out"]})
        summary["counts"].append(snapshot["papers"])
    with stage("publish the review queue") as said:
        queue = summary.pop("review_queue")
        publish_review_queue(queue, settings.assumptions)
        said["open or stale disagreements"] = len(queue)
    with stage("publish the trend") as said:
        summary["trends_chart"] = publish_trends(settings, pipeline_run_id)
        if summary["trends_chart"]:
            said["chart written"] = summary["trends_chart"]
        else:  # headline_report's minimum: 3 dated runs with an estimate
            said["dated runs with an estimate, fit skipped"] = "fewer than 3"
    get_run_logger().info("landed %s", summary["totals"])
    return summary


def read_counts(batch: SourceBatch) -> dict:
    """A source batch in numbers: what came in, what passed the models, what went to quarantine; a file
    with a header line and no records says so, rather than a row of zeros."""
    rows_read = next((c["rows_in"] for c in batch.core.counts if c["table"] == batch.raw_table), None)
    if batch.source == "epoch" and rows_read == 0:
        return {"rows in the file (it has a header line and no records; nothing to land)": 0}
    return {"rows in": len(batch.raw), "papers": len(batch.core.papers), "runs validated": len(batch.core.runs),
            "quarantined": len(batch.core.quarantine)}
