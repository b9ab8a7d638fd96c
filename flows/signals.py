"""SIGTERM stops a run the way Ctrl-C (SIGINT) does: as a KeyboardInterrupt in the main thread, so the
flow marks its run `interrupted`, `finally` blocks close the warehouse, and the interpreter's exit hooks
stop Prefect's temporary server (a process killed by the default SIGTERM action would leave it running)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


_received: list[int] = []  # signals received in this process (Prefect may wrap the KeyboardInterrupt)


def _interrupt(signum, frame):  # noqa: ARG001 - the signal handler signature
    _received.append(signum)
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def termination_requested() -> bool:
    """Whether SIGTERM or SIGINT arrived inside stop_on_termination (however the exception was wrapped since)."""
    return bool(_received)


@contextmanager
def stop_on_termination() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise KeyboardInterrupt and are remembered (main thread only;
    elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
