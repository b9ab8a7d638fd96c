"""Reading one cell of Epoch's models CSV: a value, or a readable problem that costs that cell only.

Each reader returns (value, problem): value None when the cell is empty or unusable; problem is
None or (check_name, reason). The caller nulls the cell, quarantines it and lands the row.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

Problem = tuple[str, str] | None
URL = re.compile(r"https?://\S+")
BARE_URL = re.compile(r"(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+/\S*", re.IGNORECASE)
PERCENT = re.compile(r"%|percent", re.IGNORECASE)
# Beyond any real training run: ~5e26 FLOP was the largest estimate in 2025, so 1e32 leaves five orders of
# magnitude; a larger count or FLOP figure is a typo or an attack (1e308 made best_flop infinite).
MAX_PLAUSIBLE = 1e32
EARLIEST_DATE = dt.date(1950, 1, 1)  # Turing's "Computing Machinery and Intelligence"; nothing trained before


def _text(value) -> str | None:
    """A cell as stripped text; None for empty, None, NaN (never the string 'nan')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


# What nearly every number cell holds; float() reads it exactly as pd.to_numeric does, ~30x faster per cell
# (a 10x table: 0.7 s). Anything else (underscores, other scripts' digits, 'nan') goes to pd.to_numeric.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def read_number(value, column: str, positive: bool = True) -> tuple[float | None, Problem]:
    """A number in plain or scientific notation; 'a,a' (one value written twice) reads as a.
    Different values in one cell, text, infinity or (with `positive`) zero or less are problems."""
    text = _text(value)
    if text is None:
        return None, None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    numbers = [float(p) if PLAIN_NUMBER.fullmatch(p) else pd.to_numeric(p, errors="coerce") for p in parts]
    if not parts or any(pd.isna(n) or math.isinf(float(n)) for n in numbers):
        return None, ("number_parses", f"{column} {text!r} is not a number")
    if len(set(float(n) for n in numbers)) > 1:
        return None, ("single_value", f"{column} {text!r} holds different values; none is taken")
    number = float(numbers[0])
    if abs(number) > MAX_PLAUSIBLE:
        return None, ("physical_range", f"{column} {text!r} is above {MAX_PLAUSIBLE:.0e}, beyond any training run")
    if positive and number <= 0:
        return None, ("positive", f"{column} {text!r} must be greater than 0")
    return number, None


def read_utilization(value, column: str) -> tuple[float | None, Problem]:
    """A utilization as a fraction in (0, 1]; a number above 1 is read as a percentage only when
    the cell says so ('45%', '45 percent')."""
    text = _text(value)
    if text is None:
        return None, None
    is_percent = bool(PERCENT.search(text))
    number, problem = read_number(PERCENT.sub("", text), column)
    if problem:
        reason = "must be greater than 0" if problem[0] == "positive" else "is not a fraction or a percentage"
        return None, (problem[0], f"{column} {text!r} {reason}")
    if is_percent:
        number /= 100.0
    if number > 1:
        return None, ("utilization_fraction", f"{column} {text!r} is above 1 and not written as a percentage")
    return number, None


def read_date(value, column: str, today: dt.date | None = None) -> tuple[str | None, Problem]:
    """A YYYY-MM-DD date (Epoch's format) between 1950 and a year from today; an empty cell is no date,
    anything else a problem (the cell is quarantined, its row lands)."""
    text = _text(value)
    if text is None:
        return None, None
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d").date()  # not pandas: its Timestamps end in 2262
    except ValueError:
        return None, ("date_parses", f"{column} {text!r} is not a date (YYYY-MM-DD)")
    latest = (today or dt.date.today()) + dt.timedelta(days=366)
    if not EARLIEST_DATE <= day <= latest:
        return None, ("date_in_range", f"{column} {text!r} is outside {EARLIEST_DATE} .. {latest} (today plus a year)")
    return day.isoformat(), None


def read_link(value, column: str) -> tuple[str | None, Problem]:
    """The first link in the cell (Epoch lists several, separated by commas or blank lines); a link
    written without its scheme gets https://; text that is no link is a problem."""
    text = _text(value)
    if text is None:
        return None, None
    first = re.split(r"[,\s]+", text)[0]
    if URL.fullmatch(first):
        return first, None
    if BARE_URL.fullmatch(first):
        return f"https://{first}", None
    return None, ("link_is_url", f"{column} {text[:80]!r} is not a link")


def read_text(value) -> str | None:
    return _text(value)
