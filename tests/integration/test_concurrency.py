"""Global concurrency limits on the session's Prefect server, and the scheduled flow end to end."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from flows.concurrency import (SOURCE_PACE, WRITER_LIMIT, ensure_limits, rate_limit_name, source_limit_name,
                               source_slot, throttle, wanted_limits)

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(prefect_api_url):
    from prefect import get_client

    with get_client(sync_client=True) as c:
        yield c


def _read_limits(client) -> dict:
    return {name: client.read_global_concurrency_limit_by_name(name) for name in wanted_limits()}


def _delete_limits(client) -> None:
    from prefect.exceptions import ObjectNotFound

    for name in wanted_limits():
        try:
            client.delete_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            pass


def test_limit_table_matches_sources_md():
    # arXiv: 1 request / 3 s; Semantic Scholar: 1/s with a key; OpenAlex: 10/s (SOURCES.md 1a, 1c, 1d)
    assert wanted_limits() == {
        WRITER_LIMIT: (1, 0.0),
        "flopledger-source-arxiv": (1, 0.0), "flopledger-rate-arxiv": (1, 1 / 3),
        "flopledger-source-epoch": (1, 0.0),
        "flopledger-source-openalex": (1, 0.0), "flopledger-rate-openalex": (10, 10.0),
        "flopledger-source-semantic-scholar": (1, 0.0), "flopledger-rate-semantic-scholar": (1, 1.0),
    }


def test_ensure_limits_creates_them_once(client):
    _delete_limits(client)
    first = ensure_limits(client)
    assert first == {name: "created" for name in wanted_limits()}
    created = _read_limits(client)
    for name, (limit, decay) in wanted_limits().items():
        assert (created[name].limit, created[name].active, created[name].active_slots) == (limit, True, 0)
        assert created[name].slot_decay_per_second == pytest.approx(decay)

    second = ensure_limits()  # its own client this time
    assert second == {name: "exists" for name in wanted_limits()}
    again = _read_limits(client)
    assert {n: (l.id, l.updated, l.limit, l.slot_decay_per_second) for n, l in again.items()} == \
           {n: (l.id, l.updated, l.limit, l.slot_decay_per_second) for n, l in created.items()}


def test_a_limit_an_operator_tuned_is_kept(client):
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

    ensure_limits(client)
    name = rate_limit_name("openalex")
    client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=4, slot_decay_per_second=4.0))
    try:
        status = ensure_limits(client)
        assert status[name] == "differs"
        assert {n for n, s in status.items() if s != "exists"} == {name}
        kept = client.read_global_concurrency_limit_by_name(name)
        assert (kept.limit, kept.slot_decay_per_second) == (4, 4.0)
    finally:
        client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=10, slot_decay_per_second=10.0))


def test_source_slot_holds_the_source_limit_inside_a_flow(client):
    from prefect import flow

    ensure_limits(client)

    @flow
    def fetch_arxiv_like():
        with source_slot("arxiv"):
            inside = client.read_global_concurrency_limit_by_name(source_limit_name("arxiv")).active_slots
            rate = client.read_global_concurrency_limit_by_name(rate_limit_name("arxiv")).active_slots
        with source_slot("curated"):  # no limits for the bundled files: nothing to take
            pass
        with source_slot("semantic_scholar", "openalex", "curated"):  # both services of one task, in one call
            both = [client.read_global_concurrency_limit_by_name(source_limit_name(s)).active_slots
                    for s in ("semantic_scholar", "openalex", "epoch")]
        return inside, rate, both

    assert fetch_arxiv_like() == (1, 1, [1, 1, 0])
    for source in ("arxiv", "semantic_scholar", "openalex"):
        assert client.read_global_concurrency_limit_by_name(source_limit_name(source)).active_slots == 0


def test_throttle_paces_requests_at_the_source_rate(client):
    from prefect import flow

    ensure_limits(client)

    @flow
    def two_requests():
        times = []
        for _ in range(2):
            throttle("semantic_scholar")  # 1 request/s
            times.append(time.monotonic())
        return times[1] - times[0]

    time.sleep(1.1)  # let earlier slots decay
    assert two_requests() >= 0.9
    assert SOURCE_PACE["semantic_scholar"].slot_decay_per_second == 1.0


def test_helpers_do_nothing_outside_a_run(monkeypatch):
    import prefect.concurrency.sync as sync

    def refuse(*args, **kwargs):
        raise AssertionError("no Prefect call outside a run")

    monkeypatch.setattr(sync, "concurrency", refuse)
    monkeypatch.setattr(sync, "rate_limit", refuse)
    ran = []
    with source_slot("arxiv"):
        throttle("arxiv")
        ran.append(True)
    assert ran == [True]


def test_scheduled_flow_lands_rows_into_a_fresh_warehouse(prefect_api_url, tmp_path):
    from flows.scheduled import scheduled_build

    path = tmp_path / "scheduled.duckdb"
    summary = scheduled_build(sources=["curated"], warehouse=str(path), assumptions="openai-2018", limit=3)
    assert summary["warehouse"] == str(path.resolve()) and summary["assumptions"] == "openai-2018"
    assert _count(path, "SELECT count(*) FROM papers") == 3
    assert _count(path, "SELECT count(*) FROM compute_estimates WHERE assumption_set = 'openai-2018'") > 0
    assert (tmp_path / "scheduled.duckdb.lock").read_text() == ""  # released, no pid left behind


def test_scheduled_flow_runs_the_way_serve_starts_it(prefect_api_url, tmp_path):
    """`flow.serve` cloudpickles the flow into a spawned process (Prefect 3.8.8 Runner); a subflow
    imported at module level once broke there (its `Settings` annotation could not be resolved)."""
    from prefect.flow_engine import run_flow_in_subprocess

    from flows.scheduled import scheduled_build

    path = tmp_path / "served.duckdb"
    process = run_flow_in_subprocess(scheduled_build, parameters={"sources": ["curated"], "warehouse": str(path),
                                                                  "limit": 2})
    process.join(timeout=180)
    assert process.exitcode == 0
    assert _count(path, "SELECT count(*) FROM papers") == 2


def _count(path: Path, query: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


def test_scheduled_flow_refuses_a_warehouse_another_run_holds(prefect_api_url, tmp_path):
    from flows.scheduled import scheduled_build
    from warehouse.connection import WarehouseError

    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys
        from warehouse.lock import warehouse_lock
        with warehouse_lock(sys.argv[1], wait_seconds=0):
            print("locked", flush=True)
            sys.stdin.read()
    """), str(path)], cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseError, match=rf"is being updated by another flopledger run \(pid {holder.pid}, "):
            scheduled_build(sources=["curated"], warehouse=str(path), limit=3, lock_wait_seconds=0)
        assert not path.exists()  # refused before DuckDB was opened
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_each_source_has_its_own_flow_and_the_curated_one_lands(prefect_api_url, tmp_path):
    import duckdb

    from flows.settings import KNOWN_SOURCES
    from flows.source_flows import SOURCE_FLOWS, curated_flow

    assert sorted(SOURCE_FLOWS) == sorted(KNOWN_SOURCES)
    assert {f.name for f in SOURCE_FLOWS.values()} == {f"flopledger-{s.replace('_', '-')}" for s in KNOWN_SOURCES}
    path = tmp_path / "w.duckdb"
    summary = curated_flow(warehouse=str(path), limit=2)
    con = duckdb.connect(str(path), read_only=True)
    try:
        sources = con.execute("SELECT DISTINCT source FROM training_runs").fetchall()
    finally:
        con.close()
    assert sources == [("curated",)] and summary["totals"]["papers"] == 2
