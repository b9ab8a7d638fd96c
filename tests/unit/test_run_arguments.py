"""`flopledger run` checks its arguments before anything starts (issue 17, item 3): an option that
belongs to a source not selected names the --source it needs, numbers are range-checked, files and
URLs that must exist are checked before Prefect starts; every usage error is one line and exit 2."""

import time

import pytest

from flows.errors import UsageError
from flows.settings import checked_settings
from tests.cli_runner import run_cli


@pytest.mark.parametrize("args,fragment", [
    (["--epoch-models-url", "x.csv"], "--epoch-models-url is only read with --source epoch"),
    (["--since", "2026-10-01"], "--since is only read with --source arxiv"),
    (["--until", "2026-10-01"], "--until is only read with --source arxiv"),
    (["--arxiv-url", "http://127.0.0.1:9/api"], "--arxiv-url is only read with --source arxiv"),
    (["--category", "cs.LG"], "--category is only read with --source arxiv or --source arxiv_snapshot"),
    (["--arxiv-snapshot", "snap.json"], "--arxiv-snapshot is only read with --source arxiv_snapshot"),
    (["--s2-url", "http://127.0.0.1:9"], "--s2-url is only read with --source semantic_scholar"),
    (["--openalex-url", "http://127.0.0.1:9"], "--openalex-url is only read with --source openalex"),
    (["--source", "epoch", "--since", "2026-10-01"], "add --source arxiv or drop --since"),
])
def test_an_option_without_its_source_is_an_error_naming_the_source(args, fragment, tmp_path):
    result = run_cli("run", "--warehouse", tmp_path / "w.duckdb", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flopledger: error: ")
    assert fragment in result.stderr
    assert not (tmp_path / "w.duckdb").exists()  # nothing started


@pytest.mark.parametrize("args,fragment", [
    (["--wait", "-5"], "--wait must be a number of seconds >= 0, got -5"),
    (["--wait", "nan"], "--wait must be a number of seconds >= 0"),
    (["--assumptions", "nope"], "unknown assumption set 'nope'"),
    (["--source", "bogus"], "unknown source 'bogus'"),
    (["--source", "arxiv", "--since", "2026-10-05", "--until", "2026-10-01"], "--since 2026-10-05 is after --until"),
    (["--source", "epoch", "--epoch-models-url", "ftp://example.org/m.csv"], "only http(s) URLs or local files"),
    (["--source", "epoch", "--epoch-models-url", "http:///no-host.csv"], "is not a URL with a host"),
    (["--source", "arxiv_snapshot"], "--source arxiv_snapshot needs --arxiv-snapshot FILE"),
])
def test_usage_errors_exit_2_with_one_line(args, fragment, tmp_path):
    result = run_cli("run", "--warehouse", tmp_path / "w.duckdb", *args)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
    assert fragment in result.stderr


def test_a_missing_epoch_file_fails_at_once_before_prefect_starts(tmp_path):
    started = time.monotonic()
    result = run_cli("run", "--warehouse", tmp_path / "w.duckdb", "--source", "epoch",
                     "--epoch-models-url", tmp_path / "missing.csv")
    assert result.returncode == 2
    assert f"--epoch-models-url: no file at {tmp_path / 'missing.csv'}" in result.stderr
    assert time.monotonic() - started < 2.0  # Prefect's temporary server alone takes 10-20 s


def test_options_with_their_source_are_accepted(tmp_path):
    models = tmp_path / "models.csv"
    models.write_text("Model,Publication date\n")
    settings = checked_settings(sources=["epoch", "arxiv"], warehouse=tmp_path / "w.duckdb",
                                epoch_models_url=str(models), since="2026-10-01", until="2026-10-31",
                                arxiv_categories=("cs.LG",), contact="ana@example.org", lock_wait_seconds=2.5)
    assert (settings.epoch_models_url, settings.since, settings.lock_wait_seconds) == (str(models), "2026-10-01", 2.5)
    assert settings.sources == ("epoch", "arxiv")


def test_an_environment_default_is_not_an_option_given(monkeypatch, tmp_path):
    """$FLOPLEDGER_EPOCH_MODELS_URL is a default for when epoch runs, not an option a curated run ignores."""
    monkeypatch.setenv("FLOPLEDGER_EPOCH_MODELS_URL", "http://127.0.0.1:9/models.csv")
    assert checked_settings(warehouse=tmp_path / "w.duckdb").sources == ("curated",)


def test_a_bad_assumptions_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "sets.yaml"
    bad.write_text("not-a-set: [1, 2]\n")
    with pytest.raises(UsageError):
        checked_settings(warehouse=tmp_path / "w.duckdb", assumptions_file=bad)


def test_statement_helpers_come_from_the_environment_as_a_whole_number(tmp_path, monkeypatch):
    assert checked_settings(warehouse=tmp_path / "w.duckdb").statement_helpers is None  # the pipeline decides
    monkeypatch.setenv("FLOPLEDGER_STATEMENT_HELPERS", "0")
    assert checked_settings(warehouse=tmp_path / "w.duckdb").statement_helpers == 0
    for bad in ("-1", "two", "1.5"):
        monkeypatch.setenv("FLOPLEDGER_STATEMENT_HELPERS", bad)
        with pytest.raises(UsageError, match="FLOPLEDGER_STATEMENT_HELPERS must be a whole number"):
            checked_settings(warehouse=tmp_path / "w.duckdb")
