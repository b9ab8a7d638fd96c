"""What a run says while it works: one line as each stage starts and one as it ends, with its counts
and how long it took. Plain lines when output goes to a log or CI; at a terminal a rich spinner
shows the stage under way and a line stays for each stage done. The CLI installs a reporter around
a run (`reporting`); the flow marks its stages (`stage`); with no reporter (scheduled runs, tests
of the flow) nothing is printed."""

from __future__ import annotations

import contextlib
import sys
import time

_reporter: "StageReporter | None" = None


def describe(detail: dict) -> str:
    """{"rows in": 37, "quarantined": 0} -> '37 rows in, 0 quarantined' (numbers with thousands separators)."""
    def show(value):
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    return ", ".join(f"{show(v)} {k}" for k, v in detail.items() if v is not None)


class StageReporter:
    def __init__(self, stream=None, live: bool | None = None, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)()) if live is None else live
        self.clock = clock
        self.started = clock()
        self._open: tuple[str, float] | None = None
        self._status = None
        if self.live:
            from rich.console import Console

            self.console = Console(file=self.stream, highlight=False)

    def elapsed(self) -> float:
        return self.clock() - self.started

    def say(self, text: str) -> None:
        """A line of its own (the first line, the last line)."""
        if self.live:
            self.console.print(text, markup=False)
        else:
            self._write(text)

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def begin(self, name: str, note: str = "") -> None:
        """A stage starts; `note` says more on its first line only (what it is waiting for)."""
        if self._open is not None:  # e.g. Prefect's start-up ends when the flow's first stage begins
            self.end()
        self._open = (name, self.clock())
        said = f"{name} ({note})" if note else name
        if self.live:
            self._status = self.console.status(f"{said} ...")
            self._status.start()
        else:
            self._write(f"[{self.elapsed():6.1f} s] start {said}")

    def end(self, detail: dict | None = None, failed: bool = False) -> None:
        if self._open is None:
            return
        name, began = self._open
        self._open = None
        took = self.clock() - began
        text = f"{name}{': ' + describe(detail) if detail else ''} ({took:.1f} s)"
        if self.live:
            self._status.stop()
            self._status = None
            self.console.print(f"{'x' if failed else '✓'} {text}", markup=False)
        else:
            self._write(f"[{self.elapsed():6.1f} s] {'failed' if failed else 'done '} {text}")

    def close(self) -> None:
        if self._open is not None:
            self.end(failed=True)


@contextlib.contextmanager
def reporting(reporter: StageReporter):
    """Stages marked inside the block report to `reporter`."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield reporter
    finally:
        reporter.close()
        _reporter = previous


@contextlib.contextmanager
def stage(name: str):
    """Mark a stage; fill the yielded dict with its counts ({"rows in": 37}) for the closing line."""
    detail: dict = {}
    reporter = _reporter
    if reporter is None:
        yield detail
        return
    reporter.begin(name)
    try:
        yield detail
    except BaseException:
        reporter.end(detail, failed=True)
        raise
    reporter.end(detail)
