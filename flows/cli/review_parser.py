"""The `flopledger review` subcommands' arguments (the work is in flows/cli/review.py)."""

from __future__ import annotations

from pathlib import Path

def add_review_parser(sub, parser_class) -> None:
    warehouse_help = "DuckDB file (default: $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb)"
    review = sub.add_parser("review", help="work through runs whose two estimates disagree",
                            description="List flagged runs, show what lies behind one, record a decision on it, or move "
                                        "decisions in and out as CSV. Decisions survive every run; one whose inputs "
                                        "change is re-opened as stale and kept in the history.")
    rv_sub = review.add_subparsers(dest="review_command", metavar="ACTION", parser_class=parser_class)
    rv_sub.required = True
    rv_list = rv_sub.add_parser("list", help="the review queue: open and stale flags, worst first",
                                description="Flagged runs awaiting a decision (open, or stale: inputs changed since the "
                                            "decision), by severity then |log10 ratio|, with both methods' inputs.")
    rv_list.add_argument("--warehouse", type=Path, help=warehouse_help)
    rv_list.add_argument("--assumptions", metavar="SET", help="only this assumption set (default: all)")
    rv_list.add_argument("--all", action="store_true", help="also runs already resolved")
    rv_list.add_argument("--source", metavar="NAME", help="only runs from this source (e.g. epoch: Epoch's figures "
                                                         "that miss their own inputs by more than the flag ratio)")
    rv_list.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="output format (json: one array of row objects)")
    rv_list.add_argument("--wide", action="store_true", help="the table with every column: flag reasons, both "
                                                             "methods' formulas and inputs (csv and json always have them)")
    rv_show = rv_sub.add_parser("show", help="everything behind one run's estimates",
                                description="The run, its facts and the text they came from, its hardware, every "
                                            "estimate with formula and inputs, the assumption sets, the comparison "
                                            "and the decision history.")
    rv_show.add_argument("run_id", metavar="RUN_ID")
    rv_show.add_argument("--warehouse", type=Path, help=warehouse_help)
    rv_show.add_argument("--assumptions", metavar="SET", help="only this assumption set (default: all)")
    rv_show.add_argument("--format", choices=["text", "json"], default="text", help="output format (json: one object)")
    rv_resolve = rv_sub.add_parser("resolve", help="record a decision on a run",
                                   description="Accept one method's estimate, the reported figure, or your own value for "
                                               "a run; supersedes any earlier decision on it.")
    rv_resolve.add_argument("run_id", metavar="RUN_ID")
    rv_resolve.add_argument("--accept", required=True, metavar="operations|hardware|reported|value:FLOP",
                            help="the figure to accept, e.g. hardware or value:3.1e23")
    rv_resolve.add_argument("--note", required=True, help="why (kept with the decision)")
    rv_resolve.add_argument("--reviewer", metavar="NAME", help="who decides (default: $FLOPLEDGER_REVIEWER or the login name)")
    rv_resolve.add_argument("--assumptions", metavar="SET|all",
                            help="assumption set decided under (default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022); "
                                 "all: the same decision under every set the run has, noted in each")
    rv_resolve.add_argument("--force", action="store_true",
                            help="record a decision on a run that is not flagged (its two methods agree)")
    rv_resolve.add_argument("--warehouse", type=Path, help=warehouse_help)
    rv_export = rv_sub.add_parser("export", help="write every decision, history included, to a CSV file",
                                  description="Write all decisions to FILE, sorted; commit it as "
                                              "warehouse/seeds/review_decisions.csv so a rebuild from empty keeps them.")
    rv_export.add_argument("file", metavar="FILE")
    rv_export.add_argument("--warehouse", type=Path, help=warehouse_help)
    rv_import = rv_sub.add_parser("import", help="add the decisions in a CSV file (never overwrites one)",
                                  description="Insert the decisions in FILE the warehouse lacks; a decision already "
                                              "there with different content is an error.")
    rv_import.add_argument("file", metavar="FILE")
    rv_import.add_argument("--warehouse", type=Path, help=warehouse_help)
    from flows.cli.review_serve import add_review_serve_parser

    add_review_serve_parser(rv_sub, warehouse_help)  # its own handler: `review serve` runs the desk
    review.set_defaults(handler=command_review)


def command_review(args) -> int:
    from flows.cli.review import run_review

    return run_review(args)
