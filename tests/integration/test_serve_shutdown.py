"""`flopledger serve` stops cleanly on SIGTERM (issue 17, item 6): exit 0, deployments paused, and no
"RuntimeWarning: coroutine 'Runner.astop' was never awaited" (Prefect 3.8.8's own SIGTERM handler)."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.integration


def test_sigterm_stops_serve_without_a_warning(prefect_api_url, tmp_path):
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "PYTHONWARNINGS": "default", "PREFECT_LOGGING_LEVEL": "INFO"}
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--cron", "0 6 * * *", "--name",
                                "shutdown-test", "--warehouse", str(tmp_path / "w.duckdb")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        seen = []
        while not seen or not seen[-1].startswith("serving "):  # wait until it serves (readline alone could block)
            seen.append(lines.get(timeout=120))
        time.sleep(2)  # the runner's loop is up
        process.send_signal(signal.SIGTERM)
        stderr = process.stderr.read() if process.wait(timeout=60) is not None else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "never awaited" not in stderr and "RuntimeWarning" not in stderr and "Traceback" not in stderr
    assert "SIGTERM received" in stderr and "All deployments have been paused" in stderr
