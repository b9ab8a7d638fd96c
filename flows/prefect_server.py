"""Prefect's temporary server, tied to flopledger's life.

With no PREFECT_API_URL, Prefect starts a temporary API server (uvicorn) as a child process on its
first client call and stops it at interpreter exit. SIGTERM and Ctrl-C reach that exit (flows/signals.py);
SIGKILL does not, and the server lived on under init. `tie_temporary_server()` registers, under the
key Prefect looks its temporary server up by, a server that starts a small guard (flows/orphan_guard.py)
beside each server process it launches: the guard stops the server once flopledger is gone."""

from __future__ import annotations

import os
import subprocess
import sys

from prefect.server.api.server import SubprocessASGIServer


class TiedServer(SubprocessASGIServer):
    """Prefect's temporary server plus a guard process per launched server process."""

    def _run_uvicorn_command(self) -> subprocess.Popen:
        server = super()._run_uvicorn_command()
        guard = subprocess.Popen([sys.executable, "-m", "flows.orphan_guard", str(os.getpid()), str(server.pid)],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._guards = [*getattr(self, "_guards", []), guard]
        return server

    def stop(self) -> None:
        super().stop()
        for guard in getattr(self, "_guards", []):  # each exits by itself once its server is gone; do not wait
            if guard.poll() is None:
                guard.terminate()
            try:
                guard.wait(timeout=5)
            except subprocess.TimeoutExpired:
                guard.kill()
        self._guards = []


def tie_temporary_server() -> SubprocessASGIServer:
    """The temporary server Prefect will use in this process: ours, unless one is registered already (a
    test harness's, or an earlier call's). Not started here: Prefect starts it when first needed."""
    existing = SubprocessASGIServer._instances.get(None)
    return existing if existing is not None else TiedServer()
