"""`flopledger trends`: how fast training compute grows, with 90% bootstrap intervals (no Prefect)."""

from __future__ import annotations

import json
from pathlib import Path

from flows.cli.base import CliError, file_with_suffix, iso_date, positive_int, positive_number

ESTIMATES = ("best", "operations", "hardware", "reported")
CHART_SUFFIXES = (".png", ".svg", ".html")


def add_trends_parser(sub, parser_class) -> None:
    trends = sub.add_parser(
        "trends", help="growth of training compute over time, with 90%% bootstrap intervals",
        description="Fit log10(training FLOP) against publication date by least squares over the warehouse's "
                    "runs: growth per year, doubling time and R2, each interval from 1,000 seeded bootstrap "
                    "resamples of the runs. Runs with no estimate, or with an undecided flag on a figure that is "
                    "our own estimate, are counted under `excluded`, not fitted.")
    trends.add_argument("--warehouse", type=Path, help="DuckDB file (default: $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb)")
    trends.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="first publication date (default: all)")
    trends.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="last publication date (default: all)")
    trends.add_argument("--domain", action="append", dest="domains", metavar="D", help="only this domain (repeatable)")
    trends.add_argument("--source", action="append", dest="sources", metavar="S", help="only runs from this source (repeatable)")
    trends.add_argument("--estimate", choices=ESTIMATES, default="best",
                        help="the figure per run (default best: a review decision, else the comparison's choice)")
    trends.add_argument("--assumptions", metavar="SET", help="assumption set (default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022)")
    trends.add_argument("--min-flop", type=positive_number, metavar="X", help="only runs of at least X FLOP")
    trends.add_argument("--top-per-year", type=positive_int, metavar="N", help="only the N largest runs of each year")
    trends.add_argument("--flagged", choices=["stated", "exclude"], default="stated",
                        help="runs flagged for review and not yet decided: fit them only at a figure their source "
                             "states (stated, default) or leave them all out (exclude); counted either way")
    trends.add_argument("--breaks", choices=["auto", "0", "1", "2"], default="0",
                        help="breakpoints in the trend: 0 (one line, default), 1, 2, or auto (0-2 by BIC)")
    trends.add_argument("--format", choices=["table", "json"], default="table", help="output format (json: one object)")
    trends.add_argument("--chart", type=file_with_suffix(*CHART_SUFFIXES), metavar="FILE", help="also draw the chart: .png, .svg or .html")
    trends.set_defaults(handler=run_trends)


def _load(args, assumption_set: str):
    from warehouse.connection import connect_read_only
    from warehouse.trends_queries import assumption_sets, trend_runs, warehouse_sources

    con = connect_read_only(args.warehouse)
    try:
        return trend_runs(con, args.estimate, assumption_set), assumption_sets(con), warehouse_sources(con)
    finally:
        con.close()


def _check_choices(values, known, what: str) -> None:
    """A --domain or --source that no run has is a mistake, not an empty trend."""
    present = sorted({str(v) for v in known if isinstance(v, str) and v.strip()})
    lowered = {v.lower() for v in present}
    for value in values or []:
        if value.strip().lower() not in lowered:
            raise CliError(f"no run has {what} {value!r}; the warehouse has: {', '.join(present) or 'none'}")


def run_trends(args) -> int:
    from flows.settings import default_assumptions
    from flows.transform.trends.selection import select_runs
    from flows.transform.trends.report import MIN_RUNS, build_report, format_table

    if args.chart and not args.chart.parent.is_dir():  # before any work: fail fast
        raise CliError(f"cannot write chart {args.chart}: no directory {args.chart.parent}")
    assumption_set = default_assumptions(args.assumptions)
    runs, sets, footer_sources = _load(args, assumption_set)
    if runs.empty:
        raise CliError("the warehouse has no training runs; build it with `flopledger run`")
    if assumption_set not in sets:
        raise CliError(f"no estimates under assumption set {assumption_set!r}; the warehouse has: {', '.join(sets) or 'none'}")
    _check_choices(args.domains, runs["domain"], "domain")
    _check_choices(args.sources, runs["source"], "source")
    chosen, excluded = select_runs(runs, args.since, args.until, args.domains, args.sources,
                                   args.min_flop, args.top_per_year, args.flagged)
    if len(chosen) < MIN_RUNS or chosen["year"].nunique() < 2:
        left = ", ".join(f"{k} {v}" for k, v in excluded.items() if v) or "none"
        raise CliError(f"only {len(chosen)} run(s) on {chosen['year'].nunique()} date(s) left to fit (excluded: {left}); "
                       f"a trend needs at least {MIN_RUNS} runs on 2 dates")
    breaks = "auto" if args.breaks == "auto" else int(args.breaks)
    try:
        report, fits = build_report(chosen, excluded, args.estimate, assumption_set, breaks, len(runs),
                                     args.since, args.until, flagged=args.flagged)
    except ValueError as err:
        raise CliError(str(err)) from None
    if args.chart:
        _draw(args.chart, chosen, fits, report, footer_sources)
    print(json.dumps(report, indent=2) if args.format == "json" else format_table(report))
    return 0


def _draw(path: Path, chosen, fits, report, footer_sources: str) -> None:
    from flows.charts import draw_trend_chart

    try:
        draw_trend_chart(path, chosen, fits, report, footer_sources)
    except OSError as err:
        raise CliError(f"cannot write chart {path}: {err.strerror or err}") from None
