"""The real `flopledger` main() called in this process, with its standard streams captured:
what a subprocess would show (exit code, stdout, stderr) without the cost of a new interpreter.
The few checks that need a fresh interpreter (what a command imports) live in tests/slow/."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import contextmanager


@contextmanager
def _swapped(name: str, stream):
    saved = getattr(sys, name)
    setattr(sys, name, stream)
    try:
        yield stream
    finally:
        setattr(sys, name, saved)


def _text_stream(data: bytes = b"") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None, write_through=True)


def run_cli(*args, stdin: bytes | str | None = None, text: bool = True) -> subprocess.CompletedProcess:
    from flows.cli.main import main

    raw_in = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    with _swapped("stdin", _text_stream(raw_in)), _swapped("stdout", _text_stream()) as out, \
            _swapped("stderr", _text_stream()) as err:
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:  # argparse --help exits 0
            code = stop.code if isinstance(stop.code, int) else 0
        out.flush()
        err.flush()
        stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue()
    if text:
        stdout, stderr = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
    return subprocess.CompletedProcess(["flopledger", *map(str, args)], code, stdout, stderr)
