"""Stop a process when the process that started it is gone: `python -m flows.orphan_guard PARENT CHILD`.

Prefect's temporary server is a child of flopledger. A SIGKILL of flopledger gives it no chance to stop
the server, which then lives on under init. This guard, started beside the server, polls: when its own
parent (flopledger) has died it stops the server (SIGTERM, then SIGKILL after a grace period) and exits;
when the server is gone it exits at once. Standard library only: it starts in milliseconds."""

from __future__ import annotations

import os
import signal
import sys
import time

POLL_SECONDS = 0.5
GRACE_SECONDS = 5.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def guard(parent: int, child: int) -> None:
    while _alive(child):
        if os.getppid() != parent:  # re-parented: flopledger is gone without stopping its server
            _stop(child)
            return
        time.sleep(POLL_SECONDS)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: flopledger handles it
    try:
        parent, child = (int(value) for value in argv)
    except ValueError:
        print("usage: python -m flows.orphan_guard PARENT_PID CHILD_PID", file=sys.stderr)
        return 2
    guard(parent, child)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
