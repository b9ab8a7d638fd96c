"""What every subcommand shares: the one error type, the one-line parser, argument types, and
the one line a failure prints."""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.errors import UsageError

PROG = "flopledger"
CliError = UsageError  # a problem with what the user asked for: printed as one line, exit code 2


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + message; we print one clear line
        raise CliError(f"{message} (see `{self.prog} --help`)")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def positive_number(text: str) -> float:
    """A count above 0 such as 2e12 or 1,000,000 (underscores and commas allowed)."""
    import math

    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 2e12, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def file_with_suffix(*suffixes: str):
    """An argument type: a path ending in one of `suffixes` (case-insensitive)."""
    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"expected a file ending in {', '.join(suffixes)}, got {text!r}")
        return path
    return check


def iso_date(text: str) -> str:
    """--date: YYYY-MM-DD only, checked without importing pandas."""
    import datetime as dt

    try:
        if len(text) != 10:
            raise ValueError
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown date format {text!r}; expected YYYY-MM-DD") from None
    return text


def add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    """The options `run` and `serve` share: what to read, where to land it, under which assumptions."""
    parser.add_argument("--source", action="append", dest="sources", metavar="NAME",
                        help="source to ingest (repeatable); known: curated, epoch, arxiv, arxiv_snapshot, "
                             "semantic_scholar, openalex, fulltext")
    parser.add_argument("--warehouse", type=Path, help="DuckDB file (default: $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb)")
    parser.add_argument("--assumptions", metavar="SET",
                        help="assumption set: openai-2018 or epoch-2022 (default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022)")
    parser.add_argument("--assumptions-file", type=Path, metavar="FILE", help="YAML file of assumption sets (default: bundled)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="only the first N records per source (a fast path)")
    parser.add_argument("--curated-dir", type=Path, metavar="DIR",
                        help="directory of curated YAML records (default: bundled; $FLOPLEDGER_CURATED_DIR)")
    parser.add_argument("--wait", type=float, metavar="SECONDS", help="wait up to SECONDS for another run on the same "
                        "warehouse to finish (default: $FLOPLEDGER_LOCK_WAIT_SECONDS or 0)")
