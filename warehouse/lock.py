"""One pipeline run per warehouse at a time: an exclusive advisory lock on `<warehouse>.lock`.

DuckDB lets one process write a file and then refuses every other open, even read-only
(TOOLCHAIN.md section 6), so a second run would fail half-way with DuckDB's own message. The lock
turns that into one clear line at the start, or a wait. `fcntl.flock` belongs to the open file:
the kernel drops it when the holder exits or dies, so a lock file left behind is harmless and is
never deleted (deleting it would let two runs lock two different files). The holder writes its
pid and start time into the file for the message a second run prints. Same host only: flock is
unreliable on network file systems. Re-entrant within one process (a flow that locks, called by
a command that already locked, must not wait for itself).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from warehouse.connection import WarehouseError

POLL_SECONDS = 0.2  # flock has no timeout; a waiter retries this often

_held: dict[str, list[int]] = {}  # resolved lock path -> [fd, depth], this process's locks
_held_guard = threading.Lock()


def lock_path_for(warehouse: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(warehouse)}.lock")


@contextmanager
def warehouse_lock(warehouse: str | os.PathLike, wait_seconds: float | None = None) -> Iterator[Path]:
    """Hold the warehouse's lock for the block; wait up to wait_seconds (flows/settings.py resolves
    --wait and $FLOPLEDGER_LOCK_WAIT_SECONDS; None is 0) for another run to finish, then raise WarehouseError naming that run. Yields the lock file."""
    warehouse = Path(warehouse).resolve()  # one lock per real file, however it is named
    lock_file = lock_path_for(warehouse)
    key = str(lock_file)
    with _held_guard:
        if key in _held:  # this process already holds it: nest
            _held[key][1] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield lock_file
        finally:
            with _held_guard:
                _held[key][1] -= 1
        return
    fd = _acquire(warehouse, lock_file, wait_seconds or 0.0)
    with _held_guard:
        _held[key] = [fd, 1]
    try:
        yield lock_file
    finally:
        with _held_guard:
            del _held[key]
        _release(fd)


def _acquire(warehouse: Path, lock_file: Path, wait_seconds: float) -> int:
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise WarehouseError(f"cannot create lock file {lock_file}: {err.strerror or err}") from err
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                os.close(fd)
                raise WarehouseError(_busy_message(warehouse, holder, wait_seconds)) from None
            time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
        except OSError as err:
            os.close(fd)
            raise WarehouseError(f"cannot lock {lock_file}: {err.strerror or err}") from err
    started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}\nstarted {started}\n".encode(), 0)
    return fd


def _release(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)  # still ours here: nobody reads a finished run's pid
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> dict[str, str]:
    """{"pid": ..., "started": ...} as the holder wrote them; empty if it has not yet written."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return {}
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def _busy_message(warehouse: Path, holder: dict[str, str], wait_seconds: float) -> str:
    who = f"pid {holder.get('pid', 'unknown')}, started {holder.get('started', 'unknown')}"
    waited = f"waited {wait_seconds:g} s; " if wait_seconds > 0 else ""
    return (f"warehouse {warehouse} is being updated by another flopledger run ({who}); {waited}"
            "wait for it or pass --wait SECONDS (or set FLOPLEDGER_LOCK_WAIT_SECONDS)")
