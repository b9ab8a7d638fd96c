"""warehouse_lock: one pipeline run per warehouse; a second run fails fast (or waits) with one clear line."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from warehouse.connection import WarehouseError
from warehouse.lock import lock_path_for, warehouse_lock

REPO = Path(__file__).resolve().parents[2]
# A second process that takes the lock, says so, and holds it until its stdin closes (or it is killed).
HOLDER = textwrap.dedent("""
    import sys
    from warehouse.lock import warehouse_lock
    with warehouse_lock(sys.argv[1], wait_seconds=0):
        print("locked", flush=True)
        sys.stdin.read()
    print("released", flush=True)
""")


@pytest.fixture
def holder(tmp_path):
    """Start a process holding the lock on tmp_path/w.duckdb; yields (process, warehouse path)."""
    warehouse = tmp_path / "w.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    yield proc, warehouse
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_second_run_fails_fast_naming_the_first(holder):
    proc, warehouse = holder
    started = time.monotonic()
    with pytest.raises(WarehouseError) as err:
        with warehouse_lock(warehouse, wait_seconds=0):
            pytest.fail("took a lock another process holds")
    assert time.monotonic() - started < 1.0
    message = str(err.value)
    assert "\n" not in message
    assert f"warehouse {warehouse.resolve()} is being updated by another flopledger run (pid {proc.pid}, started " in message
    assert re.search(r"started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", message)
    assert "--wait SECONDS" in message and "FLOPLEDGER_LOCK_WAIT_SECONDS" in message
    lines = lock_path_for(warehouse.resolve()).read_text().splitlines()
    assert lines[0] == f"pid {proc.pid}" and lines[1].startswith("started ")


def test_waiting_run_gets_the_lock_once_the_first_releases(holder):
    proc, warehouse = holder
    started = time.monotonic()
    proc.stdin.close()  # the holder leaves its block now; we wait for it
    with warehouse_lock(warehouse, wait_seconds=20) as lock_file:
        assert lock_file.read_text().splitlines()[0] == f"pid {os.getpid()}"
    assert time.monotonic() - started < 10
    assert proc.stdout.readline().strip() == "released"


def test_wait_that_runs_out_says_how_long_it_waited(holder):
    _, warehouse = holder
    started = time.monotonic()
    with pytest.raises(WarehouseError, match=r"; waited 0\.5 s; wait for it"):
        with warehouse_lock(warehouse, wait_seconds=0.5):
            pass
    assert 0.5 <= time.monotonic() - started < 2.0


def test_wait_defaults_to_the_environment(holder, monkeypatch):
    _, warehouse = holder
    from flows.errors import UsageError
    from flows.settings import lock_wait_seconds

    monkeypatch.setenv("FLOPLEDGER_LOCK_WAIT_SECONDS", "0.3")
    with pytest.raises(WarehouseError, match=r"waited 0\.3 s"):
        with warehouse_lock(warehouse, lock_wait_seconds()):
            pass
    monkeypatch.setenv("FLOPLEDGER_LOCK_WAIT_SECONDS", "soon")
    with pytest.raises(UsageError, match="FLOPLEDGER_LOCK_WAIT_SECONDS must be a number of seconds, got 'soon'"):
        lock_wait_seconds()


def test_killed_holder_leaves_a_harmless_lock_file(holder):
    proc, warehouse = holder
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert lock_path_for(warehouse.resolve()).exists()  # stale file, but the kernel dropped the flock
    with warehouse_lock(warehouse, wait_seconds=0) as lock_file:
        assert lock_file.read_text().startswith(f"pid {os.getpid()}\n")


def test_lock_is_released_after_an_exception(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match="boom"):
        with warehouse_lock(warehouse, wait_seconds=0):
            raise ValueError("boom")
    other = subprocess.run([sys.executable, "-c", HOLDER, str(warehouse)], cwd=REPO, input="", text=True,
                           capture_output=True, timeout=60)
    assert other.returncode == 0, other.stderr
    assert other.stdout.split() == ["locked", "released"]
    assert lock_path_for(warehouse.resolve()).read_text() == ""  # a finished run leaves no pid behind


def test_nested_lock_in_one_process_does_not_wait_for_itself(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with warehouse_lock(warehouse, wait_seconds=0):
        with warehouse_lock(tmp_path / "." / "w.duckdb", wait_seconds=0):  # same file, another spelling
            pass
        busy = subprocess.run([sys.executable, "-c", HOLDER, str(warehouse)], cwd=REPO, input="", text=True,
                              capture_output=True, timeout=60)
        assert busy.returncode == 1 and f"(pid {os.getpid()}, started " in busy.stderr  # still held after the inner block
    free = subprocess.run([sys.executable, "-c", HOLDER, str(warehouse)], cwd=REPO, input="", text=True,
                          capture_output=True, timeout=60)
    assert free.returncode == 0, free.stderr


def test_unwritable_place_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(WarehouseError, match=r"^cannot create lock file .*file/w\.duckdb\.lock: "):
        with warehouse_lock(blocker / "w.duckdb", wait_seconds=0):
            pass


def test_flopledger_run_on_a_busy_warehouse_is_one_line_before_prefect_starts(holder):
    proc, warehouse = holder
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--warehouse", str(warehouse)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and time.monotonic() - started < 30  # no temporary Prefect server was started
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flopledger: error: warehouse ")
    assert f"pid {proc.pid}" in lines[0] and "Traceback" not in result.stderr
