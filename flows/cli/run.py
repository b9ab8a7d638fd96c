"""`flopledger run`: check the arguments, run the flow, print the summary."""

from __future__ import annotations

def settings_from_args(args):
    """The run settings from parsed `run`/`serve` arguments, checked (flows/settings.py)."""
    from flows.settings import checked_settings

    return checked_settings(
        sources=args.sources, warehouse=args.warehouse, assumptions=args.assumptions,
        assumptions_file=args.assumptions_file, limit=args.limit, curated_dir=args.curated_dir,
        lock_wait_seconds=getattr(args, "wait", None), aliases_file=getattr(args, "aliases_file", None),
        epoch_models_url=getattr(args, "epoch_models_url", None), contact=getattr(args, "contact", None),
        arxiv_url=getattr(args, "arxiv_url", None),
        arxiv_categories=tuple(args.arxiv_categories) if getattr(args, "arxiv_categories", None) else None,
        since=getattr(args, "since", None), until=getattr(args, "until", None), s2_url=getattr(args, "s2_url", None),
        openalex_url=getattr(args, "openalex_url", None), arxiv_snapshot=getattr(args, "arxiv_snapshot", None))


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
    if summary.get("trends_chart"):
        print(f"trend chart: {summary['trends_chart']}")
    print(f"pipeline run: {summary['pipeline_run_id']}")


def run_pipeline(args) -> int:
    from flows.settings import apply_prefect_defaults
    from warehouse.lock import warehouse_lock

    from flows.signals import stop_on_termination

    settings = settings_from_args(args)
    apply_prefect_defaults()
    # before Prefect starts its temporary server (10-20 s): a busy warehouse fails at once
    with stop_on_termination(), warehouse_lock(settings.warehouse, wait_seconds=settings.lock_wait_seconds):
        from flows.pipeline import build_warehouse

        summary = build_warehouse(settings)
    print_summary(summary)
    return 0
