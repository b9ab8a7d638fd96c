"""Clean exits (issue 12): SIGTERM during `run` marks the run `interrupted` and leaves no child process
(Prefect's temporary server included), and so does SIGKILL, through the server's guard; a `running` row left by a dead process becomes `abandoned` at the
next run; output to a closed pipe ends quietly; a full disk says so in one line."""

import errno
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from flows.errors import describe_error
from tests.cli_runner import run_cli

REPO = Path(__file__).resolve().parents[2]


def _children(pid: int) -> set[int]:
    """Every descendant of pid (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class _Silent(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.asked.set()
        self.request.recv(65536)
        time.sleep(60)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_during_run_marks_it_interrupted_and_leaves_no_child(tmp_path):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads, server.asked = True, threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = tmp_path / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FLOPLEDGER_REVIEWS_FILE=str(tmp_path / "none.csv"))
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--source", "epoch", "--warehouse", str(path),
                                "--epoch-models-url", f"http://127.0.0.1:{server.server_address[1]}/notable.csv"],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.asked.wait(180), "the run never asked for Epoch's file"
        children = _children(process.pid)
        assert children, "Prefect's temporary server should be running as a child"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        server.shutdown()
        server.server_close()
    assert process.returncode == 130 and stderr.strip().splitlines()[-1] == "flopledger: interrupted", stderr
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [c for c in children if _alive(c)]
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT status, ended_at IS NOT NULL FROM meta__run_log").fetchall() == [("interrupted", True)]
    con.close()


def _wait_gone(pids, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigkill_during_run_leaves_no_prefect_server_behind(tmp_path):
    """SIGKILL gives flopledger no chance to stop Prefect's temporary server: its guard process does."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads, server.asked = True, threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FLOPLEDGER_REVIEWS_FILE=str(tmp_path / "none.csv"))
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--source", "epoch",
                                "--warehouse", str(tmp_path / "w.duckdb"),
                                "--epoch-models-url", f"http://127.0.0.1:{server.server_address[1]}/notable.csv"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert server.asked.wait(180), "the run never asked for Epoch's file"
        children = _children(process.pid)
        commands = {c: (Path("/proc") / str(c) / "cmdline").read_bytes().replace(b"\0", b" ") for c in children}
        assert any(b"uvicorn" in c for c in commands.values()), commands  # Prefect's temporary server
        assert any(b"flows.orphan_guard" in c for c in commands.values()), commands
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        server.shutdown()
        server.server_close()
    assert not _wait_gone(children, 15), {c: commands[c] for c in children if _alive(c)}


def test_the_guard_stops_its_process_once_the_parent_is_killed_and_not_before(tmp_path):
    # a parent that starts a long sleep and a guard for it, then waits; killed, its sleep must go too
    script = ("import subprocess, sys, time\n"
              "child = subprocess.Popen(['sleep', '120'])\n"
              "subprocess.Popen([sys.executable, '-m', 'flows.orphan_guard', str(__import__('os').getpid()), "
              "str(child.pid)])\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        time.sleep(1.5)  # three polls with the parent alive: the guard leaves the child alone
        assert _alive(child)
        parent.kill()
        parent.wait(timeout=10)
        assert not _wait_gone([child], 10)
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_running_row_left_by_a_dead_process_is_abandoned_at_the_next_run(tmp_path):
    from warehouse.land import begin_run_log

    path = tmp_path / "w.duckdb"
    assert begin_run_log(path, "killed-run", None, "epoch-2022", ["curated"]) == 0  # then the process "died"
    assert begin_run_log(path, "next-run", None, "epoch-2022", ["curated"]) == 1
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT pipeline_run_id, status FROM meta__run_log ORDER BY started_at").fetchall()
    con.close()
    assert rows == [("killed-run", "abandoned"), ("next-run", "running")]


def test_output_to_a_closed_pipe_ends_quietly(small_warehouse):
    query = "SELECT range AS n, 'row ' || range AS label FROM range(200000)"
    shell = (f"{sys.executable} -m flows.cli sql \"{query}\" --warehouse {small_warehouse} --format csv | head -2; "
             "echo \"status=${PIPESTATUS[0]}\"")
    result = subprocess.run(["bash", "-c", shell], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[:2] == ["n,label", "0,row 0"]
    assert result.stdout.splitlines()[-1] in ("status=0", "status=141") and result.stderr == ""


def test_a_full_disk_is_one_line_saying_so():
    full = OSError(errno.ENOSPC, "No space left on device", "/data/flopledger.duckdb")
    assert describe_error(full).startswith("disk full")
    duck = duckdb.IOException('Could not write file "/data/w.duckdb.wal": No space left on device')
    assert describe_error(duck).startswith("disk full")


def _noted_epoch_table(path: Path, rows: int) -> None:
    """An Epoch-format table of `rows` distinct models, each with a hardware statement (our own phrasing)."""
    import pandas as pd

    fixture = pd.read_csv(REPO / "tests" / "fixtures" / "epoch" / "epoch_quirks.csv", dtype=str, keep_default_na=False)
    table = pd.concat([fixture.iloc[[0]]] * rows, ignore_index=True)
    table["Model"] = [f"Model {i}" for i in range(rows)]
    table["Training compute notes"] = [f"Trained on {8 + i % 64} V100 GPUs for {1 + i % 9} days." for i in range(rows)]
    table.to_csv(path, index=False)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_the_statement_helper_does_not_outlive_the_run(tmp_path, stop):
    """A large table's statements are read by a helper process (flows/statement_pool.py); killed or
    stopped mid-read, the run takes its helper with it."""
    table = tmp_path / "models.csv"
    _noted_epoch_table(table, 6000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FLOPLEDGER_REVIEWS_FILE=str(tmp_path / "none.csv"),
               FLOPLEDGER_STATEMENT_HELPERS="1")
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--source", "epoch",
                                "--warehouse", str(tmp_path / "w.duckdb"), "--epoch-models-url", str(table)],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers, deadline = [], time.monotonic() + 180
    try:
        while not helpers and process.poll() is None and time.monotonic() < deadline:
            helpers = [c for c in _children(process.pid) if _alive(c) and
                       b"flows.statement_pool" in (Path("/proc") / str(c) / "cmdline").read_bytes()]
            time.sleep(0.02)
        assert helpers, "the run finished or failed before its statement helper was seen"
        process.send_signal(stop)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert not _wait_gone(helpers, 15)
