"""Publication dates every source must respect before its papers meet their model: a date outside
1950-01-01 .. today plus a year, or one that is no date, costs that cell (left empty, quarantined with
the reason) and never the paper, its runs, or the rest of the file (issue 12: one 9999-12-31 in a
curated file used to fail the whole date column)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from flows.transform.ingest.epoch_cells import read_date
from schemas.frames import records_to_json
from schemas.validation import QUARANTINE_COLUMNS


def _as_text(value) -> str | None:
    """A cell as YYYY-MM-DD text to check: dates as they are, a timestamp's date part, text as written."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = str(value).strip()
    return text[:10] if len(text) > 10 and text[10] in ("T", " ") else text


def check_published_dates(papers: pd.DataFrame, source: str,
                          today: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(papers with each published_date as YYYY-MM-DD or None, quarantine rows for the cells emptied)."""
    if papers.empty or "published_date" not in papers:
        return papers, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    cleaned, rows = [], []
    for index, value in papers["published_date"].items():
        date, problem = read_date(_as_text(value), "published_date", today)
        cleaned.append(date)
        if problem:
            rows.append({"source": source, "table_name": "papers", "check_name": problem[0],
                         "reason": f"{problem[1]}; the cell is left empty and the row lands",
                         "payload": records_to_json(papers.loc[[index]], list(papers.columns))[0],
                         "record_key": papers.at[index, "paper_id"] if "paper_id" in papers else None})
    return papers.assign(published_date=cleaned), pd.DataFrame(rows, columns=QUARANTINE_COLUMNS)
