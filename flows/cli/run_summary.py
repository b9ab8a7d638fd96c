"""The summary `flopledger run` prints when it ends: rows per source and table, the quarantine as the
`quarantine` view shows it, and the warehouse totals. It fits 80 columns: the source is a heading over
its tables rather than a column, and the table column is as wide as its longest name (never cut)."""

from __future__ import annotations

ALWAYS_SHOWN = ("seeds", "estimates")  # what every run writes, whatever its sources
ENRICHMENT = {"enrichment": ("semantic_scholar", "openalex")}  # a summary row that belongs to these sources


def shown_counts(counts: list[dict], sources) -> list[dict]:
    """The rows of the sources that ran (plus seeds and estimates): no rows of 0 for sources not asked for."""
    ran = set(sources)
    keep = lambda c: (c["source"] in ran or c["source"] in ALWAYS_SHOWN  # noqa: E731
                      or bool(ran & set(ENRICHMENT.get(c["source"], ()))))
    return [c for c in counts if keep(c)]


def not_landed(c: dict) -> int:
    return int(c["rows_in"]) - int(c["landed"])


def build_tables(summary: dict, sources) -> list:
    from rich import box
    from rich.table import Table

    counts = shown_counts(summary["counts"], sources)
    names = [f"  {c['table']}" for c in counts] + [s for s in {c["source"] for c in counts}]
    rows = Table(title="flopledger run: rows per source and table", box=box.SIMPLE_HEAD, title_justify="left")
    rows.add_column("source / table", min_width=max(map(len, names), default=10), no_wrap=True, overflow="fold")
    for column in ("rows in", "landed", "not landed"):
        rows.add_column(column, justify="right", no_wrap=True)
    source = None
    for c in counts:
        if c["source"] != source:
            source = c["source"]
            rows.add_row(f"[bold]{source}[/bold]")
        rows.add_row(f"  {c['table']}", f"{int(c['rows_in']):,}", f"{int(c['landed']):,}", f"{not_landed(c):,}")
    tables = [rows]
    quarantine = summary.get("quarantine") or []
    if quarantine:
        held = Table(title="quarantine: open rows (the `quarantine` view)", box=box.SIMPLE_HEAD, title_justify="left")
        held.add_column("source / table", no_wrap=True, overflow="fold",
                        min_width=max(len(f"{q['source']} / {q['table']}") for q in quarantine))
        held.add_column("rows", justify="right")
        for q in quarantine:
            held.add_row(f"{q['source']} / {q['table']}", f"{q['rows']:,}")
        tables.append(held)
    totals = Table(title=f"warehouse totals ({summary['assumptions']})", box=box.SIMPLE_HEAD, show_header=False,
                   title_justify="left")
    totals.add_column("what", no_wrap=True)
    totals.add_column("value", justify="right")
    for key, value in summary["totals"].items():
        totals.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    tables.append(totals)
    return tables


def print_summary(summary: dict, sources, console=None) -> None:
    """The tables on standard output, then two plain lines that scripts can read."""
    import sys

    from rich.console import Console

    console = console or Console(file=sys.stdout)
    for table in build_tables(summary, sources):
        console.print(table)
    chart = f"trend chart: {summary['trends_chart']}\n" if summary.get("trends_chart") else ""
    console.file.write(f"warehouse: {summary['warehouse']}\n{chart}pipeline run: {summary['pipeline_run_id']}\n")
    console.file.flush()
