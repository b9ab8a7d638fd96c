"""How many of the hardware names Epoch AI's models table uses resolve to a spec row.

    python benchmarks/hardware_coverage.py [--models ../shared/reference/epoch_models_dev.csv]
                                           [--aliases FILE] [--units FILE] [--list]

Reads the `Training hardware` column (several names in one cell, comma-separated), resolves
every distinct name with the project's resolver and alias table, and prints:

  names      distinct names resolved / all, and the names that do not resolve
  rows       rows whose every named chip resolves / rows that name any hardware
  family     names resolved to a family default (basis '+family-default') at reduced confidence

--aliases/--units take another alias table (e.g. one from `git show REV:warehouse/seeds/...`)
for a before/after figure; --list prints every name with what it resolved to.
The models file is Epoch AI's "Data on AI Models" (CC BY 4.0); it is read, never bundled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.transform.hardware.resolution import resolve_hardware  # noqa: E402
from warehouse.seeds import read_hardware_aliases  # noqa: E402

DEFAULT_MODELS = ROOT.parent / "shared" / "reference" / "epoch_models_dev.csv"


def hardware_names(models: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(names per row as lists, distinct names sorted) from the `Training hardware` column."""
    cells = models["Training hardware"].fillna("").astype(str)
    per_row = cells.map(lambda cell: [n.strip() for n in cell.split(",") if n.strip()])
    distinct = sorted({n for names in per_row for n in names})
    return per_row, pd.Series(distinct, dtype=object)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--aliases", type=Path, default=None)
    parser.add_argument("--units", type=Path, default=None)
    parser.add_argument("--list", action="store_true", help="print every name and its row")
    args = parser.parse_args(argv)
    if not args.models.is_file():
        print(f"hardware_coverage: no models file at {args.models}", file=sys.stderr)
        return 1
    models = pd.read_csv(args.models, dtype=str, keep_default_na=False)
    per_row, names = hardware_names(models)
    found = resolve_hardware(names, read_hardware_aliases(args.aliases, args.units))
    resolved = dict(zip(names, found["hardware_id"]))
    missing = names[found["hardware_id"].isna()].tolist()
    family = names[found["basis"].str.endswith("+family-default")].tolist()
    with_hardware = per_row[per_row.map(len) > 0]
    whole = with_hardware.map(lambda ns: all(resolved[n] is not None for n in ns))
    print(f"models file      {args.models.name} ({len(models)} rows)")
    print(f"names resolved   {len(names) - len(missing)} / {len(names)} "
          f"({(len(names) - len(missing)) / max(len(names), 1):.1%})")
    print(f"rows resolved    {int(whole.sum())} / {len(with_hardware)} rows naming hardware "
          f"({whole.mean() if len(whole) else 0:.1%})")
    print(f"family defaults  {len(family)}: {', '.join(family) or '-'}")
    print(f"unresolved       {len(missing)}: {', '.join(missing) or '-'}")
    if args.list:
        for name, row in zip(names, found.to_dict("records")):
            print(f"  {name}\t{row['hardware_id'] or '-'}\t{row['confidence']:.2f}\t{row['basis']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
