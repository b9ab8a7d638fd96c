"""The `flopledger` command. Subcommands that need no orchestration never import Prefect."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.cli.base import PROG, CliError, OneLineParser, add_pipeline_options, iso_date, positive_int


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="A warehouse of AI training runs and the compute they used.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True

    run = sub.add_parser("run", help="run the pipeline (default: bundled curated records, offline)",
                         description="Build or refresh the warehouse. With no --source it uses the curated records bundled in the repo.")
    add_pipeline_options(run)
    run.add_argument("--aliases-file", type=Path, metavar="FILE",
                     help="hardware alias CSV (default: bundled; $FLOPLEDGER_ALIASES_FILE)")
    run.add_argument("--epoch-models-url", metavar="URL", help="Epoch AI models CSV, a URL or a local file (default: "
                     "Epoch's notable_ai_models.csv; $FLOPLEDGER_EPOCH_MODELS_URL); used with --source epoch")
    run.add_argument("--arxiv-url", metavar="URL", help="arXiv API base URL ($FLOPLEDGER_ARXIV_URL); used with --source arxiv")
    run.add_argument("--category", action="append", dest="arxiv_categories", metavar="CAT",
                     help="arXiv category to ingest (repeatable; default cs.LG cs.CL cs.CV cs.AI stat.ML)")
    run.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="first arXiv submission date (default: 30 days ago)")
    run.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="last arXiv submission date (default: today)")
    run.add_argument("--arxiv-snapshot", type=Path, metavar="FILE", help="arXiv metadata snapshot, JSON lines or .gz "
                     "($FLOPLEDGER_ARXIV_SNAPSHOT); used with --source arxiv_snapshot")
    run.add_argument("--s2-url", metavar="URL", help="Semantic Scholar Graph API base URL ($FLOPLEDGER_S2_URL; key: $FLOPLEDGER_S2_API_KEY)")
    run.add_argument("--openalex-url", metavar="URL", help="OpenAlex API base URL ($FLOPLEDGER_OPENALEX_URL; key: $FLOPLEDGER_OPENALEX_API_KEY)")
    run.add_argument("--fulltext-url", metavar="URL", help="where papers' full text is fetched: e-prints at URL/e-print/ID, "
                     "PDFs at URL/pdf/ID (default: $FLOPLEDGER_FULLTEXT_URL or https://arxiv.org); used with --source fulltext")
    run.add_argument("--fulltext-dir", type=Path, metavar="DIR", help="a folder of raw files named by arXiv id "
                     "(2401.01234v2.tar.gz, .gz, .tex, .pdf); read instead of the network; used with --source fulltext")
    run.add_argument("--paper-id", action="append", dest="paper_ids", metavar="ID",
                     help="read this paper's full text whatever its state (paper_id or arXiv id; repeatable)")
    scale = run.add_mutually_exclusive_group()
    scale.add_argument("--workers", type=positive_int, metavar="N",
                       help="read full text on a local Dask cluster of N processes (default: in this process)")
    scale.add_argument("--dask-address", type=_dask_address, metavar="tcp://HOST:PORT",
                       help="read full text on an existing Dask cluster")
    run.add_argument("--contact", metavar="EMAIL", help="contact sent in the User-Agent to live sources ($FLOPLEDGER_CONTACT)")
    run.set_defaults(handler=command_run)

    from warehouse.view_catalog import views_help

    sql = sub.add_parser("sql", help="run a read-only SQL query against the warehouse",
                         description="Run one read-only SQL query against the public views.", epilog=views_help(),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    sql.add_argument("query", help="the SQL query")
    sql.add_argument("--warehouse", type=Path, help="DuckDB file (default: $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb)")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (json: one array of row objects)")
    sql.add_argument("--output", type=_sql_output_path, metavar="FILE",
                     help="write the rows to FILE.csv, FILE.parquet or FILE.json instead of printing them")
    sql.set_defaults(handler=command_sql)

    hardware = sub.add_parser("hardware", help="look up chips in the spec table",
                              description="Resolve hardware names against the alias table, or show one spec row.")
    hw_sub = hardware.add_subparsers(dest="hardware_command", metavar="ACTION", parser_class=OneLineParser)
    hw_sub.required = True
    resolve = hw_sub.add_parser("resolve", help="resolve hardware names to spec rows",
                                description="Resolve each NAME; prints query, hardware_id, name, confidence (hardware_id null when unknown).")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    resolve.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                         help="when the name was written (picks e.g. the 2015 Maxwell or 2016 Pascal Titan X)")
    resolve.add_argument("--json", action="store_true", help="one JSON object per line")
    resolve.add_argument("--aliases-file", type=Path, metavar="FILE", help="alias CSV (default: bundled)")
    resolve.set_defaults(handler=lambda a: _hardware().resolve_names(a.names, a.json, a.date, a.aliases_file))
    show = hw_sub.add_parser("show", help="show one spec row", description="Show every column of one spec row.")
    show.add_argument("hardware_id")
    show.set_defaults(handler=lambda a: _hardware().show_hardware(a.hardware_id))
    refresh = hw_sub.add_parser("refresh-diff", help="compare the spec table with Epoch AI's hardware CSV (reports only)",
                                description="List where Epoch AI's ML hardware CSV differs from the spec table "
                                            "(added/removed chips, changed cells with our note). Never edits the table.")
    refresh.add_argument("--epoch-hardware-url", metavar="URL|PATH",
                         help="Epoch's ml_hardware.csv as a URL or local file (default: $FLOPLEDGER_EPOCH_HARDWARE_URL "
                              "or https://epoch.ai/data/ml_hardware.csv)")
    refresh.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="output format (json: one array of row objects)")
    refresh.set_defaults(handler=command_refresh_diff)
    queue = hw_sub.add_parser("unresolved", help="the review queue of hardware names nothing resolves",
                              description="List hardware names from ingested records that no alias resolves, with "
                                          "the closest alias as a hint. Decide one with `hardware alias`.")
    queue.add_argument("--warehouse", type=Path, help="DuckDB file (default: $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb)")
    queue.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    queue.add_argument("--all", action="store_true", help="also names already resolved or no longer seen")
    queue.set_defaults(handler=lambda a: _hardware().list_unresolved(a.warehouse, a.format, a.all))
    alias = hw_sub.add_parser("alias", help="record a decision: NAME means HARDWARE_ID (adds an alias row)",
                              description="Append an alias row to the alias CSV (under version control); the next "
                                          "run resolves the name and marks it resolved in the queue.")
    alias.add_argument("name", metavar="NAME")
    alias.add_argument("hardware_id", metavar="HARDWARE_ID")
    alias.add_argument("--note", required=True, help="why this name means that chip (kept in the alias row)")
    alias.add_argument("--aliases-file", type=Path, metavar="FILE",
                       help="alias CSV to edit (default: $FLOPLEDGER_ALIASES_FILE or the bundled one)")
    alias.set_defaults(handler=lambda a: _hardware().add_alias(a.name, a.hardware_id, a.note, a.aliases_file))

    estimate = sub.add_parser("estimate", help="estimate training compute for a CSV of runs (batch calculator)",
                              description="Read a CSV of runs (any of: run_id, hardware, chip_count, training_hours, "
                                          "chip_hours, precision, utilization, parameter_count, training_tokens, "
                                          "training_examples, epochs, forward_flop_per_example, publication_date, domain; "
                                          "other columns pass through) and write it back with both estimates, their "
                                          "ratio, the flag, the best figure and an `error` for each row that could not "
                                          "be estimated. chip_count counts devices as the spec table does.")
    estimate.add_argument("--input", required=True, metavar="FILE.csv", help="input CSV with a header line, or - for standard input")
    estimate.add_argument("--output", metavar="FILE.csv", help="output CSV (default: standard output)")
    estimate.add_argument("--assumptions", metavar="SET", help="assumption set: openai-2018 or epoch-2022 (default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022)")
    estimate.add_argument("--assumptions-file", type=Path, metavar="FILE", help="YAML file of assumption sets (default: bundled)")
    estimate.set_defaults(handler=command_estimate)

    extract = sub.add_parser("extract", help="find training-hardware mentions in text (JSON lines)",
                             description='Read JSON lines {"id", "text"} (optionally "published_date": YYYY-MM-DD, which picks '
                                         'the meaning of names such as Titan X or DGX-1) and write {"id", "mentions": [...]} per line; '
                                         "unknown values are null. A bad line gets an \"error\" field; the rest go on.")
    extract.add_argument("file", nargs="?", default="-", metavar="FILE", help="input file, or - for standard input (default)")
    extract.set_defaults(handler=command_extract)
    from flows.cli.review_parser import add_review_parser
    from flows.cli.count_ops import add_count_ops_parser
    from flows.cli.serve import add_serve_parser
    from flows.cli.trends import add_trends_parser
    from flows.cli.read_paper import add_read_paper_parser

    add_review_parser(sub, OneLineParser)
    add_serve_parser(sub, OneLineParser)
    add_count_ops_parser(sub, OneLineParser)
    add_trends_parser(sub, OneLineParser)
    add_read_paper_parser(sub, OneLineParser)
    return parser

def command_estimate(args) -> int:
    from flows.cli.estimate import run_estimate

    return run_estimate(args.input, args.output, args.assumptions, args.assumptions_file)


def command_extract(args) -> int:
    from flows.cli.extract import run_extract

    return run_extract(args.file)


def command_refresh_diff(args) -> int:
    from flows.cli.hardware_refresh import run_refresh_diff
    from flows.settings import epoch_hardware_url

    return run_refresh_diff(epoch_hardware_url(args.epoch_hardware_url), args.format)


def _hardware():
    from flows.cli import hardware

    return hardware


def command_run(args) -> int:
    from flows.cli.run import run_pipeline

    return run_pipeline(args)


def command_sql(args) -> int:
    from flows.cli.sql import run_sql

    return run_sql(args.query, args.warehouse, args.format, args.output)


def _dask_address(text: str) -> str:
    from flows.settings import check_dask_address

    try:
        return check_dask_address(text)
    except CliError as err:
        raise argparse.ArgumentTypeError(str(err).replace("--dask-address ", "")) from None


def _sql_output_path(text: str):
    from flows.cli.sql import output_path

    return output_path(text)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if hasattr(args, "warehouse"):  # one resolution of --warehouse / $FLOPLEDGER_WAREHOUSE for every command
            from flows.settings import warehouse_path

            args.warehouse = warehouse_path(args.warehouse)
        code = args.handler(args)
        sys.stdout.flush()  # here, not at exit, so a reader that went away (`| head`) is caught below
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except CliError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a known failure type prints one line; anything else too, with its type
        return _report(err)


def _report(err: BaseException) -> int:
    """One line for any failure (secrets redacted); the traceback too with $FLOPLEDGER_DEBUG."""
    from flows.errors import describe_error
    from flows.settings import debug_enabled

    print(f"{PROG}: error: {describe_error(err)}", file=sys.stderr)
    if debug_enabled():
        raise err
    return 1


def _quiet_broken_pipe() -> int:
    """The reader closed the pipe (`flopledger sql ... | head -2`): stop quietly with 141 (128 + SIGPIPE),
    pointing stdout at /dev/null so the interpreter's last flush has nowhere to fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests swap in a buffer)
        pass
    return 141



if __name__ == "__main__":  # python -m flows.cli.main works as python -m flows.cli does
    sys.exit(main())
