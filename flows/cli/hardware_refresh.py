"""`flopledger hardware refresh-diff`: what Epoch AI's hardware CSV would change in our spec table.

Prints the differences for review (table, csv or one JSON array) and a summary on stderr;
it never writes warehouse/seeds/hardware_specs.csv. No Prefect import.
"""

from __future__ import annotations

import json
import sys

NOTE_WIDTH = 70  # the table trims notes to keep lines readable; csv and json keep them whole


def run_refresh_diff(location: str, output_format: str) -> int:
    """Diff our spec table against Epoch's CSV at `location` (path or URL) and print it."""
    from flows.transform.hardware.spec_refresh import diff_specs, summarize_diff
    from sources.epoch_hardware import read_epoch_hardware
    from warehouse.seeds import read_hardware_specs

    diff = diff_specs(read_hardware_specs(), read_epoch_hardware(location))
    if output_format == "json":
        json.dump(diff.to_dict(orient="records"), sys.stdout)
        sys.stdout.write("\n")
    elif output_format == "csv":
        diff.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(_format_diff_table(diff))
    counts = summarize_diff(diff)
    sys.stderr.write(f"epoch refresh: {counts['added']} added, {counts['removed']} removed, "
                     f"{counts['changed']} changed cells (our table is unchanged; review and edit "
                     "warehouse/seeds/hardware_specs.csv)\n")
    return 0


def _format_diff_table(diff) -> str:
    from flows.cli.sql import _format_table

    def cell(column, value):
        if value is None:
            return "-" if column != "our_note" else ""
        if column == "our_note" and len(value) > NOTE_WIDTH:
            return value[: NOTE_WIDTH - 3] + "..."
        return f"{value:.6g}" if isinstance(value, float) else value

    rows = [tuple(cell(c, v) for c, v in zip(diff.columns, row)) for row in diff.itertuples(index=False)]
    return _format_table(list(diff.columns), rows)
