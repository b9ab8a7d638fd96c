"""`flopledger serve --cron "0 6 * * *"`: keep a process running that runs the pipeline on schedule.

Checks everything first (the cron expression, the same settings checks as `flopledger run`, and
that PREFECT_API_URL names a server: a temporary server has no scheduler, so Prefect would serve
and never run anything), so a mistake is one line and exit 2. Then it creates the global
concurrency limits that are missing (flows/concurrency.py) and serves the `flopledger-scheduled`
flow (flows/scheduled.py): `flow.serve` registers the deployment and its schedule, starts each due
run in a spawned subprocess, and blocks until SIGTERM or Ctrl-C, pausing the schedule on the way
out (TOOLCHAIN.md section 4).
"""

from __future__ import annotations

import re
from argparse import Namespace

DEFAULT_NAME = "flopledger-serve"
CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
CRON_ITEM = re.compile(r"^(?P<range>[^/]+)(?:/(?P<step>.*))?$")
NO_SERVER = ("serve needs a Prefect server for its scheduler (a temporary one runs nothing): start one with "
             "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api")


def add_serve_parser(sub, parser_class=None) -> None:
    """The `serve` subcommand's arguments; its handler is run_serve."""
    serve = sub.add_parser("serve", help="run the pipeline on a cron schedule (a long-running process)",
                           description="Register a Prefect deployment with a cron schedule and keep running, starting "
                                       "the pipeline each time it is due (times in UTC). Stop it with Ctrl-C or SIGTERM; "
                                       "the schedule is paused on the way out.")
    serve.add_argument("--cron", required=True, metavar="EXPR",
                       help='five-field cron expression, minute hour day-of-month month day-of-week, e.g. "0 6 * * *"')
    from flows.cli.base import add_pipeline_options

    add_pipeline_options(serve)
    serve.add_argument("--name", default=DEFAULT_NAME, help=f"deployment name (default: {DEFAULT_NAME})")
    serve.set_defaults(handler=run_serve)


def check_cron(text: str) -> str:
    """The expression, stripped, if it is a 5-field cron (or @daily etc.) Prefect accepts; else CliError."""
    from flows.cli.base import CliError

    cron = " ".join(text.split())
    if not cron:
        raise CliError("empty cron expression; expected 5 fields, e.g. \"0 6 * * *\" (06:00 UTC daily)")
    if cron.startswith("@"):
        if cron.lower() not in CRON_MACROS:
            raise CliError(f"unknown cron macro {cron!r}; known: {', '.join(CRON_MACROS)}")
    else:
        fields = cron.split(" ")
        if len(fields) != 5:
            raise CliError(f"cron expression {cron!r} has {len(fields)} field(s); expected 5: minute hour "
                           "day-of-month month day-of-week, e.g. \"0 6 * * *\"")
        for value, (name, low, high) in zip(fields, CRON_FIELDS):
            _check_cron_field(cron, value, name, low, high)
    _check_with_prefect(cron)
    return cron


def _check_cron_field(cron: str, value: str, name: str, low: int, high: int) -> None:
    from flows.cli.base import CliError

    for item in value.split(","):
        match = CRON_ITEM.match(item)
        step = match.group("step") if match else None
        if not match or (step is not None and not (step.isdigit() and int(step) >= 1)):
            raise CliError(f"cron expression {cron!r}: bad {name} field {value!r}")
        for bound in match.group("range").split("-"):
            if bound.isdigit() and not low <= int(bound) <= high:
                raise CliError(f"cron expression {cron!r}: {name} {bound} is out of range {low}-{high}")


def _check_with_prefect(cron: str) -> None:
    """Names, L, W and # are left to Prefect's own validator, so serve never sends what it rejects."""
    from flows.cli.base import CliError
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise CliError(f"invalid cron expression {cron!r}; expected 5 fields, e.g. \"0 6 * * *\"") from None


def schedule_parameters(args, settings) -> dict:
    """The scheduled flow's parameters: what `serve` checked, paths made absolute (runs start in subprocesses);
    the bundled files are left out, so each run uses the bundled files of its own day."""
    from warehouse import seeds

    def given(path, bundled):
        return str(path.resolve()) if path and path != bundled else None

    parameters = {"sources": list(settings.sources),
                  "warehouse": str(settings.warehouse.resolve()),
                  "assumptions": settings.assumptions,
                  "assumptions_file": given(settings.assumptions_file, seeds.ASSUMPTIONS_FILE),
                  "curated_dir": given(settings.curated_dir, seeds.CURATED_DIR),
                  "limit": settings.limit,
                  "lock_wait_seconds": getattr(args, "wait", None)}
    return {key: value for key, value in parameters.items() if value is not None}


def prefect_api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or ""


def run_serve(args, serve=None, ensure=None, api_url: str | None = None) -> int:
    """Check, create missing limits, then serve (blocks). serve, ensure and api_url are injectable for tests."""
    from flows.cli.base import CliError
    from flows.cli.run import settings_from_args
    from flows.settings import apply_prefect_defaults

    cron = check_cron(args.cron)
    wait = getattr(args, "wait", None)
    if wait is not None and wait < 0:
        raise CliError(f"--wait must not be negative, got {wait:g}")
    run_args = Namespace(**{"sources": None, "warehouse": None, "assumptions": None, "assumptions_file": None,
                            "curated_dir": None, "limit": None, **vars(args)})
    settings = settings_from_args(run_args)
    parameters = schedule_parameters(args, settings)
    if not (prefect_api_url() if api_url is None else api_url):
        # measured: without it Prefect serves on a temporary server that has no scheduler, and
        # logs only a WARNING ("Cannot schedule flows on an ephemeral server"): nothing would run
        raise CliError(NO_SERVER)
    apply_prefect_defaults(quiet=False)  # a long-lived process keeps Prefect's INFO log (each scheduled run)
    if ensure is None:
        from flows.concurrency import ensure_limits as ensure
    import httpx

    try:
        status = ensure()
    except httpx.TransportError as err:  # ConnectError, timeouts: nothing answers at PREFECT_API_URL
        url = prefect_api_url() if api_url is None else api_url
        raise CliError(f"cannot reach the Prefect server at {url} ({err}); is `prefect server start` running?") from err
    created = sorted(name for name, state in status.items() if state == "created")
    print(f"concurrency limits: {len(created)} created, {len(status) - len(created)} already there")
    if serve is None:
        from functools import partial

        from flows.runner import serve_flow
        from flows.scheduled import scheduled_build

        serve = partial(serve_flow, scheduled_build)  # flow.serve, but SIGTERM stops it without a warning
    name = getattr(args, "name", None) or DEFAULT_NAME
    serve(name=name, cron=cron, parameters=parameters, limit=1)  # limit: one run at a time in this process
    return 0
