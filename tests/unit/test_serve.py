"""`flopledger serve`: a bad cron is one line and exit 2 before anything is created; a good one reaches
Prefect's serve with the name, cron and plain parameters (serve and ensure_limits injected, nothing blocks)."""

import argparse
from argparse import Namespace
from pathlib import Path

import pytest

import flows.cli.main as cli
from flows.cli.base import CliError
from flows.cli.serve import DEFAULT_NAME, NO_SERVER, add_serve_parser, check_cron, run_serve

API = "http://127.0.0.1:4200/api"  # serve refuses to start without a server URL (a temporary server schedules nothing)


class Recorder:
    """Stands in for ensure_limits and flow.serve: records each call."""

    def __init__(self, result=None):
        self.calls, self.result = [], result

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs)
        return self.result


@pytest.fixture
def with_serve_subcommand(monkeypatch):
    """flows.cli.main's parser with `serve` added, the way cli.py wires it in (kept if cli.py already has it)."""
    build = cli.build_parser

    def build_with_serve():
        parser = build()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "serve" not in sub.choices:
            add_serve_parser(sub, cli.OneLineParser)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_with_serve)


@pytest.mark.parametrize("cron, message", [
    ("61 * * * *", "cron expression '61 * * * *': minute 61 is out of range 0-59"),
    ("0 24 * * *", "hour 24 is out of range 0-23"),
    ("0 6 0 * *", "day of month 0 is out of range 1-31"),
    ("0 6 * 13 *", "month 13 is out of range 1-12"),
    ("0 6 * * 8", "day of week 8 is out of range 0-7"),
    ("0 6 * *", "cron expression '0 6 * *' has 4 field(s); expected 5: minute hour day-of-month month day-of-week"),
    ("0 0 6 * * *", "has 6 field(s)"),  # Prefect would take a seconds field and run every second
    ("*/0 * * * *", "bad minute field '*/0'"),
    ("@sometimes", "unknown cron macro '@sometimes'"),
    ("   ", "empty cron expression"),
    ("0 6 * * funday", "invalid cron expression '0 6 * * funday'"),  # left to Prefect's validator
])
def test_bad_cron_is_one_line_exit_2_and_nothing_is_created(with_serve_subcommand, capsys, monkeypatch, cron, message):
    ensure, serve = Recorder({}), Recorder()
    import flows.cli.serve as serve_command

    real_run_serve = serve_command.run_serve
    monkeypatch.setattr(serve_command, "run_serve", lambda args: real_run_serve(args, serve=serve, ensure=ensure, api_url=API))
    code = cli.main(["serve", "--cron", cron])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("flopledger: error: ") and message in err
    assert ensure.calls == [] and serve.calls == []


@pytest.mark.parametrize("cron, expected", [
    ("0 6 * * *", "0 6 * * *"), ("  0   6 * * 1-5 ", "0 6 * * 1-5"), ("*/15 0-23/2 1,15 jan-jun mon", None),
    ("@daily", "@daily"), ("0 6 * * 7", "0 6 * * 7"),
])
def test_good_cron_is_kept_with_spaces_tidied(cron, expected):
    assert check_cron(cron) == (expected or cron)


def test_good_cron_reaches_serve_with_name_cron_and_plain_parameters(tmp_path, capsys):
    ensure, serve = Recorder({"flopledger-source-arxiv": "created", "flopledger-warehouse-writer": "exists"}), Recorder()
    args = Namespace(cron="0 6 * * *", sources=["curated", "epoch", "curated"], warehouse=tmp_path / "w.duckdb",
                     assumptions="openai-2018", limit=3, wait=30.0, name="nightly")
    assert run_serve(args, serve=serve, ensure=ensure, api_url=API) == 0
    assert ensure.calls == [{}]
    assert serve.calls == [{"name": "nightly", "cron": "0 6 * * *", "limit": 1, "parameters": {
        "sources": ["curated", "epoch"], "warehouse": str((tmp_path / "w.duckdb").resolve()),
        "assumptions": "openai-2018", "limit": 3, "lock_wait_seconds": 30.0}}]
    assert capsys.readouterr().out == "concurrency limits: 1 created, 1 already there\n"


def test_defaults_come_from_the_environment_and_paths_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOPLEDGER_WAREHOUSE", "data/env.duckdb")
    monkeypatch.setenv("FLOPLEDGER_ASSUMPTIONS", "openai-2018")
    serve = Recorder()
    assert run_serve(Namespace(cron="@daily"), serve=serve, ensure=Recorder({}), api_url=API) == 0
    assert serve.calls[0]["name"] == DEFAULT_NAME
    assert serve.calls[0]["parameters"] == {"sources": ["curated"], "warehouse": str(tmp_path / "data" / "env.duckdb"),
                                            "assumptions": "openai-2018"}


@pytest.mark.parametrize("extra, message", [
    ({"sources": ["nowhere"]}, "unknown source 'nowhere'; known: curated"),
    ({"assumptions": "optimistic"}, "optimistic"),
    ({"curated_dir": Path("/no/such/dir")}, "curated directory not found: /no/such/dir"),
    ({"wait": -1.0}, "--wait must not be negative, got -1"),
])
def test_bad_settings_fail_before_limits_or_serve(extra, message):
    ensure, serve = Recorder({}), Recorder()
    with pytest.raises(Exception) as err:
        run_serve(Namespace(cron="0 6 * * *", **extra), serve=serve, ensure=ensure, api_url=API)
    assert message in str(err.value)
    assert ensure.calls == [] and serve.calls == []


def test_no_prefect_server_is_one_line_before_limits_or_serve(tmp_path):
    ensure, serve = Recorder({}), Recorder()
    with pytest.raises(CliError) as err:
        run_serve(Namespace(cron="0 6 * * *", warehouse=tmp_path / "w.duckdb"), serve=serve, ensure=ensure, api_url="")
    assert str(err.value) == NO_SERVER and "\n" not in NO_SERVER
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in NO_SERVER and "prefect server start" in NO_SERVER
    assert ensure.calls == [] and serve.calls == []


def test_unreachable_server_is_one_line_and_nothing_is_served(tmp_path):
    import httpx

    def refused():
        raise httpx.ConnectError("[Errno 111] Connection refused")

    serve = Recorder()
    with pytest.raises(CliError) as err:
        run_serve(Namespace(cron="0 6 * * *", warehouse=tmp_path / "w.duckdb"), serve=serve, ensure=refused,
                  api_url="http://127.0.0.1:4298/api")
    assert str(err.value) == ("cannot reach the Prefect server at http://127.0.0.1:4298/api ([Errno 111] Connection "
                              "refused); is `prefect server start` running?")
    assert serve.calls == []


def test_serve_help_names_the_cron_format(with_serve_subcommand, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--cron EXPR" in out and '"0 6 * * *"' in out and "--wait SECONDS" in out


def test_missing_cron_is_one_line(with_serve_subcommand, capsys):
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the following arguments are required: --cron" in err


def test_check_cron_raises_cli_error():
    with pytest.raises(CliError):
        check_cron("0 6 * * * * *")
