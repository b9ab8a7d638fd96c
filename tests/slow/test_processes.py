"""Checks that need a second process: what `count-ops` imports, and a second writer on a held file."""

import json
import subprocess
import sys
from pathlib import Path

from warehouse.connection import connect_for_write

CONFIGS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


def test_count_ops_imports_no_prefect_and_prints_one_line_errors():
    script = ("import sys, flows.cli.main as cli\ncode = cli.main(sys.argv[1:])\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('prefect', 'pandas')], 'heavy import'\n"
              "sys.exit(code)")
    ok = subprocess.run([sys.executable, "-c", script, "count-ops", str(CONFIGS / "falcon-7b.json"), "--json"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["parameter_count"] == 6_921_720_704


def test_second_writer_gets_a_clear_message(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = connect_for_write(path)
    try:
        code = f"from warehouse.connection import connect_for_write\nconnect_for_write({str(path)!r})"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "in use by another process" in result.stderr
    finally:
        holder.close()
