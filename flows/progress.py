"""Progress bars for long fetches, shown only when a person is watching a terminal."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def terminal_progress(description: str, stream=None):
    """Yields update(done, total): a rich progress bar on a terminal, nothing otherwise (logs, CI)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
