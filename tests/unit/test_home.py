"""Where flopledger keeps state outside the checkout (issue 17, item 2), and that the console script the
README's set-up command installs points at the real main()."""

from __future__ import annotations

import importlib
import os
import tomllib
from pathlib import Path

import pytest

from flows.settings import apply_prefect_defaults, flopledger_home

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    saved = dict(os.environ)  # apply_prefect_defaults sets variables; give the next test the old environment
    for key in [k for k in os.environ if k.startswith(("PREFECT_", "FLOPLEDGER_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)


def test_prefect_state_goes_under_flopledger_home_by_default(clean_env):
    apply_prefect_defaults()
    assert flopledger_home() == clean_env / ".flopledger"
    assert os.environ["PREFECT_HOME"] == str(clean_env / ".flopledger" / "prefect")
    assert (clean_env / ".flopledger" / "prefect").is_dir()  # made here: Prefect would only warn


def test_flopledger_home_is_a_setting(clean_env, monkeypatch):
    monkeypatch.setenv("FLOPLEDGER_HOME", str(clean_env / "elsewhere"))
    apply_prefect_defaults()
    assert os.environ["PREFECT_HOME"] == str(clean_env / "elsewhere" / "prefect")


@pytest.mark.parametrize("variable", ["PREFECT_HOME", "PREFECT_API_URL"])
def test_a_users_own_prefect_configuration_is_kept(clean_env, monkeypatch, variable):
    monkeypatch.setenv(variable, "http://127.0.0.1:4200/api" if variable == "PREFECT_API_URL" else "/their/home")
    apply_prefect_defaults()
    assert os.environ.get("PREFECT_HOME") == ("/their/home" if variable == "PREFECT_HOME" else None)


def test_prefect_profiles_in_the_default_home_are_kept(clean_env):
    (clean_env / ".prefect").mkdir()
    (clean_env / ".prefect" / "profiles.toml").write_text('active = "local"\n')
    apply_prefect_defaults()
    assert "PREFECT_HOME" not in os.environ


def test_the_console_script_is_the_cli_main():
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["flopledger"]
    module, _, name = target.partition(":")
    from flows.cli.main import main

    assert getattr(importlib.import_module(module), name) is main


def test_lock_and_warehouse_files_are_git_ignored():
    patterns = (ROOT / ".gitignore").read_text().split()
    assert {"*.duckdb", "*.duckdb.wal", "*.duckdb.lock"} <= set(patterns)
