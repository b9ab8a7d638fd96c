"""`flopledger review serve`: the review desk in the browser (flows/web/), bound to 127.0.0.1 by default.

A non-local --host needs --token (or $FLOPLEDGER_REVIEW_TOKEN); the command refuses to start
without one. No Prefect import.
"""

from __future__ import annotations

from pathlib import Path

from flows.cli.base import CliError, positive_int

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def add_review_serve_parser(rv_sub, warehouse_help: str) -> None:
    serve = rv_sub.add_parser(
        "serve", help="the review desk: a local web page for the queue, the evidence and decisions",
        description="Serve the review desk at http://HOST:PORT/ (queue, run pages, decisions, and a JSON API under "
                    "/api/). Decisions are the same as `review resolve`. Binds to 127.0.0.1; any other --host needs "
                    "--token (or $FLOPLEDGER_REVIEW_TOKEN), which every request must then carry.")
    serve.add_argument("--warehouse", type=Path, help=warehouse_help)
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default: {DEFAULT_HOST})")
    serve.add_argument("--port", type=positive_int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    serve.add_argument("--reviewer", metavar="NAME", help="reviewer name filled into the form (default: "
                                                         "$FLOPLEDGER_REVIEWER or the login name)")
    serve.add_argument("--assumptions", metavar="SET", help="assumption set decisions apply to unless 'all' is chosen "
                                                           "(default: $FLOPLEDGER_ASSUMPTIONS or epoch-2022)")
    serve.add_argument("--token", metavar="SECRET", help="require this token on every request "
                                                        "(default: $FLOPLEDGER_REVIEW_TOKEN; needed for a non-local --host)")
    serve.set_defaults(handler=command_review_serve)


def desk_config(args):
    """The desk's DeskConfig from the arguments; CliError for a non-local host without a token."""
    from flows.settings import assumption_sets, default_assumptions, default_reviewer, lock_wait_seconds, review_token
    from flows.web.guard import DeskConfig, is_local_host

    token = review_token(args.token)
    if not is_local_host(args.host) and not token:
        raise CliError(f"--host {args.host} is not a loopback address: pass --token SECRET (or set "
                       "FLOPLEDGER_REVIEW_TOKEN) so only people with the token can read and decide")
    if not Path(args.warehouse).exists():
        raise CliError(f"no warehouse at {args.warehouse}; build one with `flopledger run`")
    return DeskConfig(warehouse=Path(args.warehouse), host=args.host, port=args.port, token=token,
                      reviewer=default_reviewer(args.reviewer), assumption_set=default_assumptions(args.assumptions),
                      known_sets=assumption_sets(), lock_wait_seconds=lock_wait_seconds(None))


def command_review_serve(args) -> int:
    import uvicorn

    from flows.web.app import create_app

    config = desk_config(args)
    shown = f"[{config.host}]" if ":" in config.host else config.host
    print(f"review desk on http://{shown}:{config.port}/ (warehouse {config.warehouse}); Ctrl-C stops it", flush=True)
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")
    return 0
