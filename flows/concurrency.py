"""Prefect global concurrency limits: one task per live source at a time, paced requests, one writer.

The limits live on the Prefect server, so they hold across every process and machine that reports
to it (several `serve` processes, workers, a hand-started `flopledger run`). A limit that does not
exist does nothing: Prefect logs a WARNING ("... do not exist - skipping acquisition") and goes on
unthrottled (TOOLCHAIN.md section 4), and a fresh server has none, so `ensure_limits` creates them
at start-up. Per source there are two: `flopledger-source-<name>` (limit 1, held for the whole
task: arXiv allows "a single connection at a time") and `flopledger-rate-<name>` (slots that decay
at the service's request rate, taken with `rate_limit`). The in-process spacing of
`sources/http.py` still applies inside one task; these limits add the cross-process part.
Outside a Prefect run (unit tests calling `task.fn`) every helper here is a no-op.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

log = logging.getLogger(__name__)
PREFIX = "flopledger"
WRITER_LIMIT = f"{PREFIX}-warehouse-writer"


@dataclass(frozen=True)
class SourcePace:
    requests: int               # burst: slots of the rate limit
    per_seconds: float | None   # None: no published rate, one task at a time only

    @property
    def slot_decay_per_second(self) -> float | None:
        return None if self.per_seconds is None else self.requests / self.per_seconds


# Politeness per live source, from ../shared/reference/SOURCES.md (section in each comment).
SOURCE_PACE = {
    "arxiv": SourcePace(1, 3.0),             # 1a: Terms of Use, at most 1 request every 3 s, one connection
    "semantic_scholar": SourcePace(1, 1.0),  # 1c: 1 request/s with a free key (anonymous: ~1/min, spaced in-process)
    "openalex": SourcePace(10, 1.0),         # 1d: docs allow 100 req/s; a tenth of it, credits are the real budget
    "epoch": SourcePace(1, None),            # 1f: a daily-regenerated CSV download, no published rate
}


def source_limit_name(source: str) -> str:
    return f"{PREFIX}-source-{source.replace('_', '-')}"


def rate_limit_name(source: str) -> str:
    return f"{PREFIX}-rate-{source.replace('_', '-')}"


def wanted_limits() -> dict[str, tuple[int, float]]:
    """{limit name: (limit, slot_decay_per_second)} that flopledger's tasks use."""
    wanted = {WRITER_LIMIT: (1, 0.0)}
    for source, pace in sorted(SOURCE_PACE.items()):
        wanted[source_limit_name(source)] = (1, 0.0)
        if pace.slot_decay_per_second is not None:
            wanted[rate_limit_name(source)] = (pace.requests, pace.slot_decay_per_second)
    return wanted


def ensure_limits(client=None) -> dict[str, str]:
    """Create the limits that are missing; leave existing ones alone (an operator may have tuned
    them). Returns {name: "created" | "exists" | "differs"}; idempotent."""
    if client is None:
        from prefect import get_client

        with get_client(sync_client=True) as own_client:
            return ensure_limits(own_client)
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    status = {}
    for name, (limit, decay) in wanted_limits().items():
        try:
            found = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=decay))
                status[name] = "created"
            except ObjectAlreadyExists:  # another process created it in between
                status[name] = "exists"
            continue
        same = found.limit == limit and abs(found.slot_decay_per_second - decay) < 1e-9
        status[name] = "exists" if same else "differs"
        if not same:
            log.warning("concurrency limit %s is limit %s, decay %s/s (flopledger would create %s, %s/s); kept",
                        name, found.limit, found.slot_decay_per_second, limit, decay)
    return status


def in_prefect_run() -> bool:
    if "prefect" not in sys.modules:  # nothing imported Prefect: certainly no run
        return False
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


@contextmanager
def source_slot(*sources: str, timeout_seconds: float | None = None) -> Iterator[None]:
    """Hold the sources' slots for the block (one task per source across all runs; several sources
    are taken in one atomic call, so two runs never hold one each), then take one rate slot per
    source so a task starting right after another's still keeps the pace. Sources without limits
    (curated) are skipped; outside a Prefect run this is a no-op."""
    limited = sorted({source for source in sources if source in SOURCE_PACE})
    if not limited or not in_prefect_run():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency([source_limit_name(source) for source in limited], occupy=1, timeout_seconds=timeout_seconds):
        for source in limited:
            throttle(source, timeout_seconds)
        yield


def throttle(source: str, timeout_seconds: float | None = None) -> None:
    """Wait for one request slot of the source's rate limit (call before each request)."""
    pace = SOURCE_PACE.get(source)
    if pace is None or pace.per_seconds is None or not in_prefect_run():
        return
    from prefect.concurrency.sync import rate_limit

    rate_limit(rate_limit_name(source), occupy=1, timeout_seconds=timeout_seconds)


@contextmanager
def writer_slot(timeout_seconds: float | None = None) -> Iterator[None]:
    """The one warehouse writer across every process reporting to the server (the file lock in
    warehouse/lock.py covers one host without a server)."""
    if not in_prefect_run():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(WRITER_LIMIT, occupy=1, timeout_seconds=timeout_seconds):
        yield
