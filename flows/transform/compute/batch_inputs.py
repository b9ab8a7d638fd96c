"""Inputs of the batch calculator: read a CSV as text, parse and check each cell, resolve hardware.

Checks are vectorized pandas rather than a Pandera model: on 100k rows (5% bad) a lazy
Pandera validation of these columns took 1.7-1.9 s, nearly the whole command's 2 s budget
(these checks take ~0.25 s), and a failed number coercion hides that column's range checks
until a second pass (docs/benchmarks.md, 2026-11-21). Each failure here
becomes a sentence in the row's `error`; the file itself fails only when it cannot be read.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from flows.transform.compute.domains import BLANK_WORDS, classify_domains
from flows.transform.hardware.aliases import parse_date
from flows.transform.hardware.resolution import resolve_hardware
from schemas.training_run import PRECISIONS

INPUT_COLUMNS = ["run_id", "hardware", "chip_count", "training_hours", "chip_hours", "precision", "utilization",
                 "parameter_count", "training_tokens", "training_examples", "dataset_tokens", "epochs",
                 "forward_flop_per_example", "publication_date", "domain"]
NUMBER_COLUMNS = ["chip_count", "training_hours", "chip_hours", "utilization", "parameter_count", "training_tokens",
                  "training_examples", "dataset_tokens", "epochs", "forward_flop_per_example"]
CHOICES = {"precision": PRECISIONS}
# Which estimate a bad input cell spoils: the other method still runs on the row.
METHOD_OF_INPUT = {"hardware": "hardware", "chip_count": "hardware", "training_hours": "hardware",
                   "chip_hours": "hardware", "precision": "hardware", "utilization": "hardware",
                   "publication_date": "hardware", "parameter_count": "operations", "training_tokens": "operations",
                   "training_examples": "operations", "dataset_tokens": "operations", "epochs": "operations",
                   "forward_flop_per_example": "operations"}
METHODS = ("operations", "hardware")
HEAD_BYTES = 65_536


class Problems:
    """Sentences per row, in the order found; several on one row are joined with '; '. Each
    problem names the method it stops ('operations', 'hardware', or None for both)."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.parts: list[pd.Series] = []
        self._has = np.zeros(len(index), dtype=bool)
        self._blocks = {method: np.zeros(len(index), dtype=bool) for method in METHODS}

    def add(self, mask: pd.Series, message: str | pd.Series, method: str | None = None) -> None:
        rows = mask.index[mask.to_numpy(dtype=bool)]
        if len(rows):
            self.parts.append(pd.Series(message, index=rows, dtype=object) if isinstance(message, str)
                              else message.reindex(rows).astype(object))
            where = self.index.get_indexer(rows)
            self._has[where] = True
            for name in METHODS if method is None else (method,):
                self._blocks[name][where] = True

    def has_error(self) -> pd.Series:
        return pd.Series(self._has, index=self.index)

    def blocks(self, method: str) -> pd.Series:
        """Rows where a problem stops this method (a problem of the other method does not)."""
        return pd.Series(self._blocks[method], index=self.index)

    def messages(self) -> pd.Series:
        """One string per row with problems, None elsewhere."""
        out = pd.Series(None, index=self.index, dtype=object)
        if not self.parts:
            return out
        found = pd.concat(self.parts)
        several = found.index.duplicated(keep=False)
        out[found.index[~several]] = found[~several].to_numpy()
        if several.any():
            joined = found[several].groupby(level=0, sort=False).agg("; ".join)
            out[joined.index] = joined.to_numpy()
        return out


def _open_bytes(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    if not path.exists():
        raise ValueError(f"cannot read {source}: no such file")
    if not path.is_file():
        raise ValueError(f"cannot read {source}: not a file")
    try:
        return path.read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read {source}: {err.strerror or err}") from None


def read_batch(source: str) -> pd.DataFrame:
    """Every cell as text, untouched; ValueError naming the problem when the file is not a readable CSV."""
    data = _open_bytes(source)
    if b"\x00" in data[:HEAD_BYTES]:
        raise ValueError(f"cannot read {source}: binary data, not a CSV file")
    head = data[:HEAD_BYTES].decode("utf-8-sig", errors="replace")
    if not head.strip():
        raise ValueError(f"cannot read {source}: the file is empty; expected a header line such as "
                         "'run_id,hardware,chip_count,training_hours'")
    header = [name.strip().lower() for name in next(csv.reader(io.StringIO(head.lstrip("\r\n"))))]
    known = [name for name in header if name in INPUT_COLUMNS]
    if not known:
        raise ValueError(f"cannot read {source}: the first line names none of the input columns "
                         f"({', '.join(INPUT_COLUMNS)}); is it a CSV file with a header line?")
    twice = sorted({name for name in known if known.count(name) > 1})
    if twice:
        raise ValueError(f"cannot read {source}: column {', '.join(twice)} appears more than once in the header")
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, na_filter=False, encoding="utf-8-sig",
                            encoding_errors="replace")
    except pd.errors.ParserError as err:
        raise ValueError(f"cannot read {source} as CSV: {str(err).strip().splitlines()[-1]}") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas makes an index of a first row with extra fields
        raise ValueError(f"cannot read {source} as CSV: line 2 has more fields than the header")
    return frame


def input_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Input column name -> the frame's own column (headers match case- and space-insensitively)."""
    return {str(c).strip().lower(): c for c in frame.columns if str(c).strip().lower() in INPUT_COLUMNS}


def _blank(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().isin(BLANK_WORDS)


def parse_number(name: str, text: pd.Series, problems: Problems) -> pd.Series:
    """Text -> float; text that is no number, negative, zero or (utilization) above 1 is a problem."""
    raw = text.to_numpy(dtype=object)
    number = pd.to_numeric(raw, errors="coerce").astype(float)
    unread = np.isnan(number) & (raw != "")
    unread[unread] = ~_blank(text[unread]).to_numpy()
    checks = [(unread, f"{name} '", "' is not a number"), (np.isinf(number), f"{name} '", "' is not a finite number"),
              (number < 0, f"{name} is negative (", ")"), (number == 0, f"{name} is ", "; it must be greater than 0")]
    if name == "chip_count":
        checks[3] = (number == 0, "chip_count is ", "; a run needs at least one chip")
    if name == "utilization":
        checks.append((number > 1, "utilization ", " is above 1; give it as a fraction of peak (0.33, not 33)"))
    for mask, before, after in checks:
        if mask.any():
            problems.add(pd.Series(mask, index=text.index), before + text[mask].str.strip() + after,
                         METHOD_OF_INPUT.get(name))
    return pd.Series(np.where(np.isfinite(number) & (number > 0), number, np.nan), index=text.index)


def factorize_stripped(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per row, distinct values with surrounding spaces removed): string work once per value."""
    codes, uniques = pd.factorize(text)
    stripped, uniques = pd.factorize(pd.Series(uniques, dtype=object).str.strip())
    return stripped[codes], pd.Series(uniques, dtype=object)


def parse_choice(name: str, text: pd.Series, problems: Problems) -> pd.Series:
    """Text -> one of CHOICES[name] (case and spaces ignored); anything else is a problem."""
    codes, uniques = factorize_stripped(text)
    normal = uniques.str.lower()
    known = normal.isin(CHOICES[name]).to_numpy()
    blank = normal.isin(BLANK_WORDS).to_numpy()
    value = normal.where(known, None).to_numpy(dtype=object)[codes]
    bad = pd.Series(~(known | blank)[codes], index=text.index)
    if bad.any():
        problems.add(bad, f"{name} '" + text[bad].str.strip() + f"' is not one of {', '.join(CHOICES[name])}",
                     METHOD_OF_INPUT.get(name))
    return pd.Series(value, index=text.index, dtype=object)


def parse_dates(text: pd.Series, problems: Problems) -> pd.Series:
    """Text -> 'YYYY-MM-DD' or None; an unreadable date is a problem (parse_date words it)."""
    codes, names = factorize_stripped(text)
    day = pd.to_datetime(names, format="%Y-%m-%d", errors="coerce")
    iso = day.dt.strftime("%Y-%m-%d").where(day.notna() & names.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), None)
    unread = iso.isna() & ~names.str.lower().isin(BLANK_WORDS)
    errors = pd.Series(None, index=names.index, dtype=object)
    for number in np.flatnonzero(unread):
        try:
            parse_date(names[number])
        except ValueError as err:
            errors[number] = f"publication_date: {err}"
    row_errors = pd.Series(errors.to_numpy()[codes], index=text.index)
    problems.add(row_errors.notna(), row_errors, "hardware")
    return pd.Series(iso.to_numpy(dtype=object)[codes], index=text.index, dtype=object)


def read_tokens(values: pd.DataFrame, given: pd.Series, notes: Problems) -> None:
    """training_tokens from dataset_tokens x epochs where no training_tokens cell is given, and a note
    on every row where the token inputs could be read two ways (training_tokens is tokens seen)."""
    dataset, epochs, tokens = values["dataset_tokens"], values["epochs"], values["training_tokens"]
    derive = ~given & dataset.notna()
    values["training_tokens"] = tokens.where(~derive, dataset * epochs.fillna(1.0))
    notes.add(derive & epochs.notna(), "training_tokens = dataset_tokens x epochs")
    notes.add(derive & epochs.isna(), "training_tokens = dataset_tokens (no epochs given: one pass)")
    notes.add(given & epochs.notna(), "training_tokens read as tokens seen; epochs not multiplied into them")
    notes.add(given & dataset.notna(), "dataset_tokens not used: training_tokens given")


def clean_inputs(frame: pd.DataFrame, domain_classes: pd.DataFrame | None = None,
                 dedicated_classes: tuple[str, ...] = ()) -> tuple[pd.DataFrame, Problems, Problems]:
    """Parsed inputs (floats, normalized choices, ISO dates, the domain's utilization class) aligned
    with `frame`, the problems found, and notes on how inputs were read."""
    columns = input_columns(frame)
    problems, notes = Problems(frame.index), Problems(frame.index)
    empty = pd.Series("", index=frame.index, dtype=object)
    text = {name: frame[columns[name]] if name in columns else empty for name in INPUT_COLUMNS}
    values = pd.DataFrame(index=frame.index)
    for name in INPUT_COLUMNS:
        if name in NUMBER_COLUMNS:
            values[name] = parse_number(name, text[name], problems) if name in columns else np.nan
        elif name in CHOICES:
            values[name] = parse_choice(name, text[name], problems) if name in columns else None
    dates = text["publication_date"]
    values["publication_date"] = parse_dates(dates, problems) if "publication_date" in columns else None
    values["domain"], domain_notes = classify_domains(text["domain"], domain_classes, dedicated_classes)
    notes.add(domain_notes.notna(), domain_notes)
    read_tokens(values, ~_blank(text["training_tokens"]) if "training_tokens" in columns
                else pd.Series(False, index=frame.index), notes)
    return values, problems, notes


def _hardware_problem(name: str, basis: str, day: object) -> str:
    if basis == "unknown-unit":
        return f"hardware '{name}': the spec table does not say how many chips that unit holds"
    if isinstance(day, str) and basis == "dated":
        return f"hardware '{name}' had no known meaning on {day}"
    return f"hardware '{name}' is not in the spec table or its aliases"


def resolve_batch_hardware(frame: pd.DataFrame, values: pd.DataFrame, aliases: pd.DataFrame,
                           problems: Problems) -> pd.DataFrame:
    """hardware_id per row, resolving each distinct name once (and each
    date-dependent name once per distinct publication_date); an unknown name is a problem."""
    out = pd.DataFrame({"hardware_id": None, "hardware_confidence": np.nan}, index=frame.index)
    column = input_columns(frame).get("hardware")
    if column is None:
        return out
    codes, names = factorize_stripped(frame[column])
    names = names.where(~names.str.lower().isin(BLANK_WORDS), None)
    found = resolve_hardware(names, aliases)
    rows = pd.DataFrame({"name": names.to_numpy()[codes], "day": values["publication_date"].to_numpy()},
                        index=frame.index).join(found.iloc[codes].set_index(frame.index))
    dated = rows["basis"].str.endswith("+undated-default").fillna(False) & rows["day"].notna()
    if dated.any():
        pairs = rows.loc[dated, ["name", "day"]].drop_duplicates()
        again = resolve_hardware(pairs["name"], aliases, dates=pairs["day"]).join(pairs)
        again["basis"] = again["basis"].where(again["hardware_id"].notna(), "dated")
        update = rows.loc[dated, ["name", "day"]].reset_index().merge(again, on=["name", "day"]).set_index("index")
        rows.loc[dated, found.columns] = update[found.columns]
    unknown = rows["name"].notna() & rows["hardware_id"].isna()
    keys = rows.loc[unknown, ["name", "basis", "day"]]
    keys = keys.assign(day=keys["day"].where(keys["basis"] == "dated"))  # the date matters only to dated names
    for (name, basis, day), where in keys.groupby(["name", "basis", "day"], dropna=False, sort=False).groups.items():
        problems.add(pd.Series(True, index=where), _hardware_problem(name, basis, day), "hardware")
    known = rows["hardware_id"].notna()
    return out.assign(hardware_id=rows["hardware_id"].where(known, None),
                      hardware_confidence=pd.to_numeric(rows["confidence"], errors="coerce").where(known))
