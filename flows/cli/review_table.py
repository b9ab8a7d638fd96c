"""`flopledger review list` as a person reads it: one line per run within 120 columns (id, set, severity,
ratio, the two figures, status); a run id too long for its column gets a line of its own, whole, and its
figures go on the next line. `--wide`, csv and json keep every column, inputs included."""

from __future__ import annotations

WIDTH = 120
COLUMNS = [("run_id", "run_id"), ("assumption_set", "set"), ("severity", "severity"), ("ratio", "ratio"),
           ("operations_flop", "operations"), ("hardware_flop", "hardware"), ("reported_flop", "reported"),
           ("review_status", "status")]


def _figure(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def _cells(record: dict) -> list[str]:
    shown = []
    for column, _ in COLUMNS:
        value = record.get(column)
        shown.append(_figure(value) if column in ("ratio", "operations_flop", "hardware_flop", "reported_flop")
                     else ("-" if value is None else str(value)))
    return shown


def format_queue(records: list[dict], width: int = WIDTH) -> str:
    headers = [label for _, label in COLUMNS]
    rows = [_cells(r) for r in records]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    rest = sum(widths[1:]) + 2 * (len(widths) - 1)
    widths[0] = max(len(headers[0]), min(widths[0], width - rest))  # long ids get their own line below

    def line(parts: list[str]) -> str:
        return "  ".join(p.rjust(w) if i in (3, 4, 5, 6) else p.ljust(w) for i, (p, w) in enumerate(zip(parts, widths))).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    for row in rows:
        if len(row[0]) > widths[0]:
            out.append(row[0])
            row = [""] + row[1:]
        out.append(line(row))
    out.append(f"({len(rows)} run{'s' if len(rows) != 1 else ''}; --wide for the inputs and reasons)")
    return "\n".join(out)
