"""What a command imports, seen from a fresh interpreter: the commands that run no flow never
load Prefect (its import alone costs seconds), and `sql` does not load Pandera either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.connection import connect_for_write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROBE = """
import contextlib, io, sys
from flows.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
loaded = sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'pandera'})
print(code, ' '.join(loaded))
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    connect_for_write(path).close()
    return path


def loaded_by(*args) -> tuple[int, set[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    code, *modules = result.stdout.split()
    return int(code), set(modules)


def test_sql_loads_neither_prefect_nor_pandera(warehouse):
    assert loaded_by("sql", "SELECT 1", "--warehouse", warehouse) == (0, set())


@pytest.mark.parametrize("args", [
    ["hardware", "resolve", "V100", "--json"],
    ["hardware", "refresh-diff", "--epoch-hardware-url", FIXTURES / "epoch" / "ml_hardware_planted.csv", "--format", "json"],
    ["estimate", "--input", FIXTURES / "estimate" / "alexnet.csv"],
    ["count-ops", FIXTURES / "configs" / "gpt2.json", "--json"],
    ["review", "list", "--warehouse", "{warehouse}"],
    ["trends", "--warehouse", "{warehouse}", "--format", "json"],
    ["read-paper", FIXTURES / "fulltext" / "vision", "--json"],  # a folder of .tex files
])
def test_commands_without_a_flow_never_load_prefect(args, warehouse):
    args = [str(a).format(warehouse=warehouse) for a in args]
    _, modules = loaded_by(*args)
    assert "prefect" not in modules
