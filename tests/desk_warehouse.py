"""A small real warehouse for the review desk's tests, built from the bundled curated records
without Prefect: the same domain functions and landing the pipeline uses, both assumption sets.

One change to the bundled data, on purpose: the spec row of the chip Llama 3.1 405B trained on (H100, no other run uses it) loses
its peaks, so that run has no hardware estimate and its page must say why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flows.settings import get_assumption_set
from flows.transform.compute.estimates import estimate_compute
from flows.transform.ingest.core import build_curated_core
from sources.curated import read_curated_records
from warehouse.connection import connect_for_write, connect_read_only
from warehouse.land import finish_run_log, land_tables, start_run_log, table_write
from warehouse.reviews import mark_stale_decisions
from warehouse.seeds import CURATED_DIR, read_hardware_aliases, read_hardware_specs

SETS = ("epoch-2022", "openai-2018")
PEAKLESS_RUN = "llama31_405b"
PEAK_COLUMNS = ["fp64", "fp32", "tf32", "fp16", "fp16_tensor", "bf16", "fp8"]


def curated_frames(change=None):
    """(core batch, specs) from the bundled records; `change(runs) -> runs` edits the runs first."""
    raw, rejects = read_curated_records(CURATED_DIR)
    core = build_curated_core(raw, rejects, read_hardware_aliases())
    if change is not None:
        core.runs = change(core.runs.copy())
    specs = read_hardware_specs()
    chip = core.runs.loc[core.runs["run_id"] == PEAKLESS_RUN, "hardware_id"].iloc[0]
    specs.loc[specs["hardware_id"] == chip, [f"{c}_flop_per_second" for c in PEAK_COLUMNS]] = np.nan
    return core, specs


def land_curated(path: Path, run_name: str, change=None, sets=SETS) -> Path:
    """Land the curated records and both methods under each set into `path` (created if new)."""
    core, specs = curated_frames(change)
    estimates, comparisons = [], []
    for name in sets:
        e, c = estimate_compute(core.runs, specs, get_assumption_set(name))
        estimates.append(e)
        comparisons.append(c)
    writes = [
        table_write("ref__hardware_specs", specs, "seeds", "TRUE"),
        table_write("core__papers", core.papers, "curated"),
        table_write("core__training_runs", core.runs, "curated"),
        table_write("core__run_facts", core.facts, "curated"),
        table_write("core__run_extractions", core.extractions, "curated"),
        table_write("out__compute_estimates", pd.concat(estimates, ignore_index=True), "estimates"),
        table_write("out__compute_comparison", pd.concat(comparisons, ignore_index=True), "estimates"),
    ]
    con = connect_for_write(path)
    try:
        start_run_log(con, run_name, None, sets[0], ["curated"])
        land_tables(con, writes, core.quarantine, run_name, ["curated"], after=lambda: mark_stale_decisions(con, run_name))
        finish_run_log(con, run_name, "succeeded", [])
    finally:
        con.close()
    return path


def comparison(wh, run_id: str, aset: str = "epoch-2022"):
    """(review_status, best_flop, best_method, reviewer, review_note) of one run's comparison row."""
    con = connect_read_only(wh)
    try:
        return con.execute("SELECT review_status, best_flop, best_method, reviewer, review_note FROM compute_comparison "
                           "WHERE run_id = ? AND assumption_set = ?", [run_id, aset]).fetchone()
    finally:
        con.close()
