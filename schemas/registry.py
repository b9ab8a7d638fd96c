"""Every warehouse table, said once: its layer, the Pandera model its rows pass at the door, its
keys and what one row is. warehouse/ lands frames through this registry, and a test checks that the
DDL (warehouse/migrations/) and each model agree column for column.

Names follow `<layer>[_<source>]__<entity>`: raw (a source's own field names), core (cleaned, one
row per entity), out (estimates and comparisons), ref (curated tables under git) and meta (the
pipeline's own bookkeeping). Meta tables and the bulk-loaded arXiv snapshot are written by SQL in
warehouse/ and have no model; their rows never come from a frame (meta__fulltext_reads is the exception:
its rows come from the full-text flow's frames and land, validated, with the facts they produced).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from schemas.compute_estimate import ComputeComparison, ComputeEstimate
from schemas.enrichment import PaperMetric, RawApiRecord
from schemas.fulltext_read import FulltextRead
from schemas.hardware_spec import HardwareAlias, HardwareSpec, HardwareUnit
from schemas.paper import Paper
from schemas.raw_curated import RawCuratedRecord
from schemas.raw_epoch_models import RawEpochRecord
from schemas.review_decision import ReviewDecision
from schemas.run_extraction import RunExtraction
from schemas.run_fact import RunFact
from schemas.trend_fit import TrendFitRow
from schemas.training_run import DOOR_ONLY as RUN_DOOR_ONLY, TrainingRun

LAYERS = ("raw", "core", "out", "ref", "meta")
AUDIT_COLUMNS = ("row_hash", "first_landed_at", "updated_at")  # added by warehouse/writes.py upsert_rows


@dataclass(frozen=True)
class Table:
    name: str
    layer: str
    model: type[pa.DataFrameModel] | None
    keys: tuple[str, ...]
    row: str  # what one row is
    door_only: tuple[str, ...] = ()  # model columns checked at the door, never stored

    @property
    def stored_columns(self) -> list[str]:
        """The model's columns that the table stores."""
        if self.model is None:
            return []
        return [c for c in self.model.to_schema().columns if c not in self.door_only]


_TABLES = [
    Table("raw_curated__records", "raw", RawCuratedRecord, ("source_file",), "a curated YAML file, parsed"),
    Table("raw_epoch__models", "raw", RawEpochRecord, ("record_key",), "a row of Epoch AI's models CSV"),
    Table("raw_arxiv__entries", "raw", RawApiRecord, ("record_key",), "an arXiv API entry"),
    Table("raw_semantic_scholar__papers", "raw", RawApiRecord, ("record_key",), "a Semantic Scholar paper record"),
    Table("raw_openalex__works", "raw", RawApiRecord, ("record_key",), "an OpenAlex work record"),
    Table("raw_arxiv_snapshot__records", "raw", None, ("id",), "a line of the arXiv bulk snapshot (bulk SQL load)"),
    Table("raw_arxiv_snapshot__rejects", "raw", None, ("file_sha256", "line_number"), "a snapshot line that did not parse"),
    Table("raw_http__responses", "raw", None, ("response_sha256", "url"), "an HTTP answer a source used"),
    Table("core__papers", "core", Paper, ("paper_id",), "a paper, deduplicated across sources"),
    Table("core__training_runs", "core", TrainingRun, ("run_id",), "a training run with the facts both methods use",
          RUN_DOOR_ONLY),
    Table("core__run_facts", "core", RunFact, ("run_id", "fact", "source"),
          "a fact one source states for a run, with its place in the paper"),
    Table("core__run_extractions", "core", RunExtraction, ("run_id", "field"), "a value read from a hardware statement"),
    Table("core__paper_metrics", "core", PaperMetric, ("paper_id", "source"), "a paper as one enrichment source sees it"),
    Table("out__compute_estimates", "out", ComputeEstimate, ("run_id", "method", "assumption_set"),
          "one method's estimate for a run under an assumption set"),
    Table("out__compute_comparison", "out", ComputeComparison, ("run_id", "assumption_set"),
          "both methods compared for a run under an assumption set"),
    Table("out__trends", "out", TrendFitRow, ("assumption_set",), "the latest headline trend fit under a set"),
    Table("out__hardware_unresolved", "out", None, ("name_key",), "a hardware name no alias resolves (the queue)"),
    Table("ref__hardware_specs", "ref", HardwareSpec, ("hardware_id",), "a chip's spec row"),
    Table("ref__hardware_aliases", "ref", HardwareAlias, ("alias_key",), "a name for a chip in a date window"),
    Table("ref__hardware_units", "ref", HardwareUnit, ("hardware_id", "unit"), "what a counting unit of a chip is worth"),
    Table("ref__review_decisions", "ref", ReviewDecision, ("decision_id",), "an analyst's decision on a run"),
    Table("meta__run_log", "meta", None, ("pipeline_run_id",), "a pipeline run"),
    Table("meta__source_cursors", "meta", None, ("source", "cursor_key"), "where a source's next run resumes"),
    Table("meta__quarantine_records", "meta", None, ("quarantine_id",), "a rejected record and the check it failed"),
    Table("meta__fulltext_reads", "meta", FulltextRead, ("paper_key",), "a paper's full text read at one version"),
    Table("meta__schema_version", "meta", None, ("version",), "an applied migration"),
]
TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
assert all(t.layer in LAYERS and t.name.startswith(t.layer + "_") and "__" in t.name for t in _TABLES)


def table(name: str) -> Table:
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; schemas/registry.py lists every table")
    return TABLES[name]
