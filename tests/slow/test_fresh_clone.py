"""A new user's first run leaves their checkout clean (issue 17, item 2): `flopledger run` in a fresh
clone writes the warehouse and its lock where .gitignore covers them and Prefect's state under
$FLOPLEDGER_HOME's default (~/.flopledger/prefect), so `git status --porcelain` stays empty."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                                reason="needs git and a git checkout")


def test_a_run_in_a_fresh_clone_leaves_git_status_empty(tmp_path):
    clone, home = tmp_path / "clone", tmp_path / "home"
    home.mkdir()
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FLOPLEDGER_"))}
    env |= {"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    # `python -m` puts the clone first on sys.path, so the clone's code runs (as its own install would)
    result = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--limit", "3"], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (clone / "flopledger.duckdb").is_file() and (clone / "flopledger.duckdb.lock").is_file()
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout
    assert status == ""
    assert (home / ".flopledger" / "prefect" / "prefect.db").is_file()  # Prefect's state, outside the tree
    assert not (home / ".prefect").exists()
