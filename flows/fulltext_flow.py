"""The full-text flow: papers' raw files in, candidate runs and their facts out, in batches.

Parsing and extraction are CPU-bound, so they run as Prefect tasks, one task per batch of papers
(never one per paper): in process by default, on a local Dask cluster with `workers` processes
(threads_per_worker=1: pylatexenc and the regexes hold the GIL), or on an existing cluster at
`dask_address`, through prefect-dask's DaskTaskRunner. A task reads its papers from disk (the cache
or a mirror folder: only paths travel to a worker) and sends back small frames; the caller lands
them in one place. Memory per worker is bounded by one batch and the unpack limit.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from dataclasses import dataclass, field

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.fulltext_read import matcher_for as _matcher, read_paper_source
from schemas.validation import QUARANTINE_COLUMNS

SOURCE = "fulltext"
RUN_FACT_COLUMNS = ["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"]
READ_COLUMNS = ["paper_id", "key", "kind", "pieces", "facts", "runs", "refused", "seconds"]
DEFAULT_BATCH_SIZE = 50
# A batch is CPU-bound Python in one thread; the process's other threads (a Dask worker's event loop, Prefect's
# clients) wake often and ask for the GIL. At Python's default 5 ms, when every core is busy, the reader hands
# the GIL over and then waits for a thread the OS has not scheduled yet. 50 ms slices: 2 workers read 2,000
# papers 1.79-2.14x as fast as 1 (1.63-1.85x at 5 ms; docs/benchmarks.md); heartbeats still answer in time.
BATCH_SWITCH_INTERVAL = 0.05


@dataclass
class FulltextResult:
    runs: pd.DataFrame
    run_facts: pd.DataFrame
    evidence: pd.DataFrame          # every fact found, every role, with its sentence
    quarantine: pd.DataFrame
    reads: pd.DataFrame             # one row per paper read
    workers: list[dict] = field(default_factory=list)  # pid and peak resident memory of each process used
    reading_seconds: float = 0.0    # first batch's start to last batch's end, on the workers' clocks (no start-up)


def _where(fact: pd.Series) -> str:
    place = fact["file"] if isinstance(fact["file"], str) else f"page {fact['page']}"
    at = fact["start"] - fact["sentence_start"]  # offsets within the sentence: the same in sparse and full reading
    return f"{fact['section'] or '-'}; {place}; chars {at}-{at + fact['end'] - fact['start']} of: {fact['sentence']}"


def to_run_facts(used: pd.DataFrame) -> pd.DataFrame:
    """Facts a run used, in the core__run_facts shape (value as JSON, evidence in where_in_source)."""
    rows = [{"run_id": f["run_id"], "fact": f["fact"], "value": json.dumps(f["value"], default=str),
             "low": f["low"], "high": f["high"], "where_in_source": _where(f),
             "note": f"role {f['role']}: {f['role_reason']}", "source": SOURCE} for _, f in used.iterrows()]
    return pd.DataFrame(rows, columns=RUN_FACT_COLUMNS)


def read_papers_batch(items: list[dict], aliases_file: str | None = None, sparse: bool = True) -> dict:
    """Read each item ({paper_id, path, key?, published_date?, system?}); refusals become quarantine rows."""
    started = time.time()  # wall clock: comparable across the processes of one machine
    matcher = _matcher(aliases_file)
    runs, facts, evidence, quarantine, reads = [], [], [], [], []
    for item in items:
        began = time.perf_counter()
        with open(item["path"], "rb") as handle:
            content = handle.read()
        reading = read_paper_source(item["paper_id"], content, matcher, item.get("published_date"), item.get("system"),
                                    sparse=sparse)
        if reading.refused is not None:
            quarantine.append({"source": SOURCE, "table_name": "fulltext", "check_name": reading.refused.check_name,
                               "reason": reading.refused.reason, "record_key": item["paper_id"],
                               "payload": json.dumps({k: item.get(k) for k in ("paper_id", "key", "path")})})
        else:
            runs.append(reading.runs)
            facts.append(to_run_facts(reading.run_facts))
            evidence.append(reading.facts)
        reads.append({"paper_id": item["paper_id"], "key": item.get("key"), "kind": reading.kind,
                      "pieces": len(reading.pieces), "facts": len(reading.facts), "runs": len(reading.runs),
                      "refused": reading.refused.check_name if reading.refused else None,
                      "seconds": time.perf_counter() - began})
    peak = peak_rss_bytes()
    return {"runs": _concat(runs), "run_facts": _concat(facts, RUN_FACT_COLUMNS), "evidence": _concat(evidence),
            "quarantine": pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS),
            "reads": pd.DataFrame(reads, columns=READ_COLUMNS),
            "worker": {"pid": os.getpid(), "peak_rss_bytes": peak, "started": started, "ended": time.time()}}


def peak_rss_bytes() -> int:
    """This process's peak resident memory. Linux's VmHWM counts this program's memory only; getrusage's
    ru_maxrss of a process started by fork + exec (a Dask worker) also carries its parent's peak at the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux, bytes on macOS: an upper bound


def _concat(frames: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


@task(name="read-fulltext-batch", cache_policy=NO_CACHE)
def read_batch(items: list[dict], aliases_file: str | None) -> dict:
    """One batch, holding the GIL in slices of BATCH_SWITCH_INTERVAL while it reads (restored after)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(BATCH_SWITCH_INTERVAL)
    try:
        return read_papers_batch(items, aliases_file)
    finally:
        sys.setswitchinterval(before)


def batches(items: list[dict], size: int) -> list[list[dict]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@flow(name="flopledger-fulltext", log_prints=True)
def read_fulltext(items: list[dict], aliases_file: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> FulltextResult:
    """Every item read, one task per batch; results gathered here and returned as one set of frames."""
    futures = [read_batch.submit(batch, aliases_file) for batch in batches(items, batch_size)]
    parts = [future.result() for future in futures]
    workers = {}
    for part in parts:  # a process's peak only grows: keep the last (largest) figure per pid
        workers[part["worker"]["pid"]] = max(workers.get(part["worker"]["pid"], 0), part["worker"]["peak_rss_bytes"])
    return FulltextResult(*(_concat([p[name] for p in parts], QUARANTINE_COLUMNS if name == "quarantine" else None)
                            for name in ("runs", "run_facts", "evidence", "quarantine", "reads")),
                          workers=[{"pid": pid, "peak_rss_bytes": peak} for pid, peak in sorted(workers.items())],
                          reading_seconds=(max(p["worker"]["ended"] for p in parts) - min(p["worker"]["started"] for p in parts))
                          if parts else 0.0)


def _batch_runner_class():
    """prefect-dask's DaskTaskRunner, submitting each task as impure.

    Dask names a pure task by hashing its arguments: here a batch's items and Prefect's serialized run
    context, about 0.25 s per submit on this machine (16 s for 40 batches, on the flow's own core while
    the workers read). A batch is submitted once and runs once, so a fresh key is right and costs nothing.
    """
    from prefect_dask import DaskTaskRunner
    from prefect_dask.task_runners import PrefectDaskFuture

    class BatchDaskTaskRunner(DaskTaskRunner):
        def submit(self, task, parameters, wait_for=None, dependencies=None):
            if not self._started:
                raise RuntimeError("The task runner must be started before submitting work.")
            future = self.client.submit(task, parameters=self._optimize_futures(parameters),
                                        wait_for=self._optimize_futures(wait_for) if wait_for else None,
                                        dependencies=dependencies, return_type="state", pure=False)
            return PrefectDaskFuture(wrapped_future=future, task_run_id=future.task_run_id)

    return BatchDaskTaskRunner


def task_runner(workers: int | None = None, dask_address: str | None = None):
    """In process (one thread) by default; a local Dask cluster of `workers` processes; or a cluster's address."""
    if dask_address or workers:
        runner = _batch_runner_class()
        if dask_address:
            return runner(address=dask_address)
        return runner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              # None still serves the scheduler's HTTP routes on :8787 (a clash
                                              # warning when taken); any free port on this machine only instead
                                              "dashboard_address": "127.0.0.1:0"})
    return ThreadPoolTaskRunner(max_workers=1)


def shared_prefect_api() -> None:
    """Dask worker processes report task runs to Prefect too: with no server configured, each would start
    its own temporary one (slow, and racing for one port). Start one here and let the workers inherit it."""
    from flows.settings import apply_prefect_defaults, prefect_api_url, set_prefect_api_url

    apply_prefect_defaults()
    if prefect_api_url() is None:
        from flows.prefect_server import tie_temporary_server

        server = tie_temporary_server()
        server.start()  # stopped at interpreter exit by Prefect, by its guard if this process is killed
        set_prefect_api_url(server.api_url)


def run_fulltext(items: list[dict], workers: int | None = None, dask_address: str | None = None,
                 aliases_file: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> FulltextResult:
    """read_fulltext on the chosen task runner."""
    if workers or dask_address:
        shared_prefect_api()
    runner = task_runner(workers, dask_address)
    return read_fulltext.with_options(task_runner=runner)(items, aliases_file, batch_size)
