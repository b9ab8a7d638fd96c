"""A large table's hardware statements read on a second core while this process maps its rows.

Reading hardware statements (flows/transform/mentions) is the largest single cost of Epoch's table:
about a third of a 10x table's run. It is pure Python, so a thread would only wait for the GIL. A helper
process (`python -m flows.statement_pool`, started afresh: no fork of a process that runs Prefect's
threads, and no re-import of the caller's main module) reads batches of statements while the chunks are
still being mapped. When the mapping is done, this process reads the batches still queued, taking them
from the back while the helper takes from the front, so both cores read until the end.

Only plain values cross the pipe, as length-prefixed pickles between this process and its own child:
the alias table once, then (text, publication date) batches out and mention dicts back. Results are
keyed by (run id, text, date); fill_from_statements uses one only when its run still has that text and
date, and reads any other statement itself. A helper that fails or dies costs time, never a result: its
batch goes back to the queue and is read here. The result equals reading every statement in this
process (tests/unit/test_statement_pool.py).

The helper dies with its parent (PR_SET_PDEATHSIG on Linux; elsewhere it leaves when its stdin
closes); Ctrl-C reaches it through the process group and is ignored there: the parent stops it.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from typing import BinaryIO

import pandas as pd

MIN_STATEMENTS = 3000  # below this many rows, starting a helper (~1 s of imports) costs more than it saves
BATCH_STATEMENTS = 200  # statements per batch: ~0.1 s of reading, small enough to share out at the end
STOP_SECONDS = 5.0  # a helper asked to stop (stdin closed) that is still there after this is killed
_HEADER = struct.Struct("<Q")

Key = tuple[str, str, "str | None"]


def helper_processes(requested: int | None, rows: int) -> int:
    """How many helpers to start for a table of `rows` rows: `requested` when given (0: none), else one
    when the machine has a second core and the table is large enough to repay the start."""
    if requested is not None:
        return max(requested, 0)
    return 1 if (os.cpu_count() or 1) >= 2 and rows >= MIN_STATEMENTS else 0


def _send(stream: BinaryIO, value) -> None:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _receive(stream: BinaryIO):
    """The next value, or raises EOFError when the other side is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("pipe closed")
    size = _HEADER.unpack(header)[0]
    body = stream.read(size)
    if len(body) < size:
        raise EOFError("pipe closed mid-message")
    return pickle.loads(body)  # noqa: S301 - written by our own parent or child over a private pipe


class StatementPool:
    """Statements submitted as the table is mapped (`submit`, `mapped`), read by `processes` helpers;
    `mentions()` collects them. Use as a context manager: the helpers stop on leaving it."""

    def __init__(self, aliases: pd.DataFrame, matcher, processes: int = 1, batch: int | None = None):
        from flows.transform.ingest.core import publication_days

        self._matcher, self._batch, self._date_of = matcher, batch or BATCH_STATEMENTS, publication_days()
        self._waiting: list[Key] = []  # submitted, not yet a batch
        self._queue: collections.deque[list[Key]] = collections.deque()  # batches no one has started
        self._found: dict[Key, dict | None] = {}
        self._lock = threading.Condition()
        self._closed = False
        self._out = 0  # batches with a helper now
        self.helper_batches = 0  # batches the helpers read (the rest were read here)
        self._helpers = [subprocess.Popen([sys.executable, "-m", "flows.statement_pool"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                         for _ in range(processes)]
        self._threads = [threading.Thread(target=self._feed, args=(helper, aliases), daemon=True,
                                          name="statement-helper") for helper in self._helpers]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> StatementPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
            self._lock.notify_all()
        for helper in self._helpers:
            with contextlib.suppress(OSError):
                helper.stdin.close()
        for helper in self._helpers:
            try:
                helper.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()
            with contextlib.suppress(OSError):
                helper.stdout.close()
        for thread in self._threads:
            thread.join(STOP_SECONDS)

    def _feed(self, helper: subprocess.Popen, aliases: pd.DataFrame) -> None:
        """One helper's loop: the next batch from the front of the queue out, its mentions back. On any
        failure the batch goes back to the front and this helper is done (the rest is read elsewhere)."""
        items = None
        try:
            _send(helper.stdin, aliases)
            while True:
                with self._lock:
                    while not self._queue and not self._closed:
                        self._lock.wait()
                    if not self._queue:
                        return
                    items = self._queue.popleft()
                    self._out += 1
                _send(helper.stdin, [(text, day) for _, text, day in items])
                mentions = _receive(helper.stdout)
                with self._lock:
                    self._found.update(zip(items, mentions))
                    self.helper_batches += 1
                    self._out -= 1
                    items = None
                    self._lock.notify_all()
        except Exception:  # noqa: BLE001 - the helper died, was stopped or answered nonsense: time lost, not results
            with self._lock:
                if items is not None:
                    self._out -= 1
                    if not self._closed:
                        self._queue.appendleft(items)
                self._lock.notify_all()

    def submit(self, run_ids, texts, published) -> None:
        """Statements of some runs (equal-length sequences); empty or missing texts are skipped."""
        self._waiting.extend((r, t, p) for r, t, p in zip(run_ids, texts, published)
                             if isinstance(t, str) and t.strip())
        while len(self._waiting) >= self._batch:
            self._enqueue(self._waiting[:self._batch])
            del self._waiting[:self._batch]

    def mapped(self, runs: pd.DataFrame, papers: pd.DataFrame) -> None:
        """Send the statements of a mapped chunk (its runs, and the papers giving their dates), each date
        in the form build_core looks it up by."""
        if runs.empty or "hardware_statement" not in runs:
            return
        published = papers.drop_duplicates("paper_id").set_index("paper_id")["published_date"] \
            if "published_date" in papers else pd.Series(dtype=object)
        self.submit(runs["run_id"], runs["hardware_statement"], runs["paper_id"].map(published).map(self._date_of))

    def _enqueue(self, items: list[Key]) -> None:
        with self._lock:
            self._queue.append(items)
            self._lock.notify()

    def mentions(self) -> dict[Key, dict | None]:
        """Every submitted statement's mention, keyed (run id, text, date): what the helpers read, and
        here whatever they had not started, taken from the back while they work from the front."""
        from flows.transform.mentions.statements import training_mention

        if self._waiting:
            self._enqueue(self._waiting)
            self._waiting = []
        while True:
            with self._lock:
                if not self._queue:
                    if not self._out or not any(thread.is_alive() for thread in self._threads):
                        break  # (a batch lost with its thread is read again by fill_from_statements)
                    self._lock.wait(1.0)  # a helper's last batch: it comes back read, or unread to be read here
                    continue
                items = self._queue.pop()
            found = [training_mention(text, self._matcher, day) for _, text, day in items]
            with self._lock:
                self._found.update(zip(items, found))
        with self._lock:
            found, self._found = self._found, {}
        return found


def _die_with_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    with contextlib.suppress(OSError, AttributeError):  # not Linux: a closed stdin still ends us
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """The helper: the alias table, then batches of (text, date) until stdin closes."""
    from flows.transform.mentions.extract import build_matcher
    from flows.transform.mentions.statements import training_mention

    try:
        matcher = build_matcher(_receive(stdin))
        while True:
            batch = _receive(stdin)
            _send(stdout, [training_mention(text, matcher, day) for text, day in batch])
    except (EOFError, BrokenPipeError):
        return 0


if __name__ == "__main__":
    _die_with_parent()
    sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer))
