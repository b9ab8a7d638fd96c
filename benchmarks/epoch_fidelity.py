"""How well Epoch's models table lands: run the pipeline on a copy of the table, print the figures.

    .venv/bin/python benchmarks/epoch_fidelity.py [--csv ../shared/reference/epoch_models_dev.csv]
                                                  [--warehouse /tmp/epoch_fidelity.duckdb]

Prints: the share of rows landing as runs (target >= 99%), runs with operations estimates (target
>= 330 on the dev half) and hardware estimates (>= 240), quarantined cells by reason, merges, and
Epoch's own figures that miss both of flopledger's methods by more than the flag ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "reference" / "epoch_models_dev.csv"


def run_pipeline(csv: Path, warehouse: Path) -> None:
    warehouse.unlink(missing_ok=True)
    command = [sys.executable, "-m", "flows.cli.main", "run", "--source", "epoch", "--epoch-models-url", str(csv),
               "--warehouse", str(warehouse)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def figures(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    counts = json.loads(one("SELECT counts FROM meta__run_log ORDER BY started_at DESC LIMIT 1"))
    raw = next(c for c in counts if c["table"] == "raw_epoch__models")
    runs = one("SELECT count(*) FROM training_runs WHERE source = 'epoch'")
    method = lambda m: one(f"SELECT count(DISTINCT e.run_id) FROM compute_estimates e JOIN training_runs t "  # noqa: E731
                           f"USING (run_id) WHERE t.source = 'epoch' AND e.method = '{m}'")
    cells = con.execute("SELECT table_name, check_name, count(*) FROM quarantine WHERE source = 'epoch' "
                        "GROUP BY ALL ORDER BY 3 DESC, 1, 2").fetchall()
    missed = one("SELECT count(*) FROM compute_comparison c JOIN training_runs t USING (run_id) WHERE t.source = 'epoch' "
                 "AND c.reported_flop IS NOT NULL AND c.is_flagged AND (c.flag_reason LIKE '%reported/%')")
    result = {"rows_in": raw["rows_in"], "runs": runs, "merged": raw.get("merged", 0),
            "rows_quarantined_whole": raw["quarantined"], "operations": method("operations"),
            "hardware": method("hardware"), "reported": method("reported"), "quarantine": cells,
            "epoch_figures_flagged": missed}
    con.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--warehouse", type=Path, default=Path("/tmp/epoch_fidelity.duckdb"))
    args = parser.parse_args()
    run_pipeline(args.csv.resolve(), args.warehouse)
    f = figures(args.warehouse)
    landed = (f["runs"] + f["merged"]) / f["rows_in"]
    print(f"rows in {f['rows_in']}; runs {f['runs']} + {f['merged']} merged (same model listed twice): "
          f"{landed:.1%} of rows land as runs (target >= 99%); {f['rows_quarantined_whole']} rows quarantined whole")
    print(f"runs with operations estimates {f['operations']} (target >= 330), hardware estimates {f['hardware']} "
          f"(target >= 240), Epoch figures {f['reported']}")
    print(f"Epoch figures missing flopledger's operations or hardware estimate by more than the flag ratio: "
          f"{f['epoch_figures_flagged']} (flopledger review list --source epoch)")
    print("quarantined (table, check, count):")
    for table, check, count in f["quarantine"]:
        print(f"  {table:<18} {check:<22} {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
