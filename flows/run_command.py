"""`flopledger run`: check the arguments, run the flow, print the summary."""

from __future__ import annotations

import os

# Prefect defaults for a command-line run with no server configured (TOOLCHAIN.md): a slow
# first start of the temporary server must not time out, and no telemetry leaves this machine.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # a failed task's log carries a traceback; the CLI prints the error as one line instead
    # (set PREFECT_LOGGING_LEVEL=INFO to see Prefect's own logs)
    "PREFECT_LOGGING_LEVEL": "CRITICAL",
}


def _checked_settings(args):
    from flows.cli import CliError
    from flows.settings import KNOWN_SOURCES, settings_from_env
    from flows.transform.assumptions import get_assumption_set

    sources = tuple(dict.fromkeys(args.sources or ["curated"]))
    unknown = [s for s in sources if s not in KNOWN_SOURCES]
    if unknown:
        raise CliError(f"unknown source {unknown[0]!r}; known: {', '.join(KNOWN_SOURCES)}")
    settings = settings_from_env(warehouse=args.warehouse, assumptions=args.assumptions,
                                 assumptions_file=args.assumptions_file, sources=sources,
                                 limit=args.limit, curated_dir=args.curated_dir,
                                 aliases_file=getattr(args, "aliases_file", None),
                                 epoch_models_url=getattr(args, "epoch_models_url", None),
                                 contact=getattr(args, "contact", None), arxiv_url=getattr(args, "arxiv_url", None),
                                 arxiv_categories=tuple(args.arxiv_categories) if getattr(args, "arxiv_categories", None) else None,
                                 since=getattr(args, "since", None), until=getattr(args, "until", None),
                                 s2_url=getattr(args, "s2_url", None), openalex_url=getattr(args, "openalex_url", None),
                                 arxiv_snapshot=getattr(args, "arxiv_snapshot", None))
    if settings.assumptions_file and not settings.assumptions_file.is_file():
        raise CliError(f"assumptions file not found: {settings.assumptions_file}")
    get_assumption_set(settings.assumptions, settings.assumptions_file)
    if settings.aliases_file and not settings.aliases_file.is_file():
        raise CliError(f"aliases file not found: {settings.aliases_file}")
    if "arxiv_snapshot" in settings.sources and not (settings.arxiv_snapshot and settings.arxiv_snapshot.is_file()):
        raise CliError(f"--source arxiv_snapshot needs --arxiv-snapshot FILE (no file at {settings.arxiv_snapshot})")
    if settings.curated_dir and not settings.curated_dir.is_dir():
        raise CliError(f"curated directory not found: {settings.curated_dir}")
    return settings


def print_summary(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="flopledger run: rows per source and table")
    for column in ("source", "table", "rows in", "landed", "quarantined", "merged/filtered"):
        table.add_column(column, justify="left" if column in ("source", "table") else "right")
    for c in summary["counts"]:
        table.add_row(c["source"], c["table"], str(c["rows_in"]), str(c["landed"]), str(c["quarantined"]),
                      str(c.get("merged", c.get("filtered", c.get("skipped", "")))))
    console.print(table)
    totals = Table(title=f"warehouse totals (assumption set {summary['assumptions']})", show_header=False)
    totals.add_column("what")
    totals.add_column("value", justify="right")
    for key, value in summary["totals"].items():
        totals.add_row(key.replace("_", " "), str(value))
    console.print(totals)
    # plain lines, never wrapped, so scripts can read them
    print(f"warehouse: {summary['warehouse']}")
    print(f"pipeline run: {summary['pipeline_run_id']}")


def run_pipeline(args) -> int:
    from warehouse.connection import resolve_warehouse_path
    from warehouse.lock import warehouse_lock

    settings = _checked_settings(args)
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # before Prefect starts its temporary server (10-20 s): a busy warehouse fails at once
    with warehouse_lock(resolve_warehouse_path(settings.warehouse), wait_seconds=getattr(args, "wait", None)):
        from flows.pipeline import build_warehouse

        summary = build_warehouse(settings)
    print_summary(summary)
    return 0
