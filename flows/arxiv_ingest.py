"""arXiv API ingestion: date windows, one committed transaction per page, cursors per window.

No Prefect here. Each window (a calendar month of submission dates, halved until it holds at
most 30,000 results, arXiv's per-query ceiling) keeps a cursor {start, total, complete}. A
page's entries, its raw response and the moved cursor commit together, so a run killed
mid-way resumes at the first page not committed, and a later run asks only for new pages.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from schemas.frames import records_to_json
from schemas.raw_arxiv import RawArxivEntry
from schemas.validation import QUARANTINE_COLUMNS, split_valid
from sources.arxiv import fetch_arxiv_page
from sources.errors import SourceError
from sources.http import FetchError
from warehouse.quarantine import record_quarantine
from warehouse.state import save_cursors, save_responses
from warehouse.writes import transaction, upsert_rows

SOURCE = "arxiv"
MAX_QUERY_RESULTS = 30_000  # arXiv API user manual: paging stops at 30,000 results per query


def month_windows(since: dt.date, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months from `since` to the month holding `until` (the first clipped to `since`; the
    last is whole, so its cursor key stays the same while `until` moves on)."""
    windows, start = [], since
    while start <= until:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        windows.append((start, next_month - dt.timedelta(days=1)))
        start = next_month
    return windows


def window_query(categories: tuple[str, ...], first: dt.date, last: dt.date) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]"


def read_cursor(con, key: str) -> dict:
    row = con.execute("SELECT cursor_value FROM meta__source_cursors WHERE source = ? AND cursor_key = ?", [SOURCE, key]).fetchone()
    return json.loads(row[0]) if row else {"start": 0, "total": None, "complete": False}


def raw_rows(page: pd.DataFrame) -> pd.DataFrame:
    """raw_arxiv__entries rows: the parsed entry, arXiv's field names, as JSON."""
    return pd.DataFrame({"record_key": page["arxiv_id"].to_numpy(), "arxiv_id": page["arxiv_id"].to_numpy(),
                         "doi": page["doi"].to_numpy(), "record": records_to_json(page, list(page.columns)),
                         "source_url": page["source_url"].to_numpy(), "response_sha256": page["response_sha256"].to_numpy()})


def _commit_page(con, page: pd.DataFrame, client, key: str, cursor: dict, run_id: str, counts: dict) -> None:
    valid, rejected = split_valid(page, RawArxivEntry, SOURCE, "raw_arxiv__entries", "arxiv_id")
    with transaction(con):
        upsert_rows(con, "raw_arxiv__entries", raw_rows(valid.drop_duplicates("arxiv_id", keep="last")), ["record_key"])
        record_quarantine(con, rejected, run_id, None)
        save_responses(con, client.drain_responses(), run_id)
        save_cursors(con, [(SOURCE, key, json.dumps(cursor, sort_keys=True))], run_id)
    counts["rows_in"] += len(page)
    counts["landed"] += len(valid)
    counts["quarantined"] += len(rejected)


def _quarantine_page(con, client, url: str, error: SourceError, run_id: str, counts: dict) -> None:
    """A page that cannot be parsed: its raw body goes to quarantine, the window stops here (its
    cursor does not move, so the next run asks again) and the run goes on."""
    responses = client.drain_responses()
    body = responses[-1].text()[:100_000] if responses else ""
    row = pd.DataFrame([{"source": SOURCE, "table_name": "raw_arxiv__entries", "check_name": "page_parses",
                         "reason": str(error), "payload": json.dumps({"url": url, "body": body}), "record_key": url}],
                       columns=QUARANTINE_COLUMNS)
    with transaction(con):
        record_quarantine(con, row, run_id, None)
        save_responses(con, responses, run_id)
    counts["malformed_pages"] += 1


def ingest_window(con, client, base_url: str, categories, first: dt.date, last: dt.date, today: dt.date,
                  page_size: int, run_id: str, counts: dict, budget: list[int], progress=lambda done, total: None) -> None:
    """Page one window from its cursor; split it when arXiv reports more than it will page."""
    key = f"{'+'.join(categories)}:{first.isoformat()}..{last.isoformat()}"
    cursor = read_cursor(con, key)
    if cursor.get("complete") or cursor.get("split"):
        if cursor.get("split"):
            middle = first + (last - first) // 2
            for half in ((first, middle), (middle + dt.timedelta(days=1), last)):
                ingest_window(con, client, base_url, categories, *half, today, page_size, run_id, counts, budget, progress)
        return
    # submission order: entries submitted later only ever append, so the cursor's offset stays valid
    query = {"search_query": window_query(categories, first, min(last, today)), "sortBy": "submittedDate",
             "sortOrder": "ascending"}
    start = cursor["start"]
    while budget[0] > 0:
        params = {**query, "start": start, "max_results": min(page_size, budget[0])}
        try:
            page = fetch_arxiv_page(client, base_url, params)
        except FetchError:  # no usable answer after the client's retries: the task fails (Prefect may retry)
            raise
        except SourceError as err:  # an answer that does not parse
            _quarantine_page(con, client, base_url, err, run_id, counts)
            return
        total = page.attrs["total_results"]
        if total > MAX_QUERY_RESULTS and first < last:
            save_cursors(con, [(SOURCE, key, json.dumps({"split": True, "total": total}))], run_id)
            client.drain_responses()
            return ingest_window(con, client, base_url, categories, first, last, today, page_size, run_id, counts, budget,
                                 progress)
        start += len(page)
        budget[0] -= len(page)
        done = page.empty or start >= total
        cursor = {"start": start, "total": total, "complete": bool(done and last < today)}
        _commit_page(con, page, client, key, cursor, run_id, counts)
        counts["pages"] += 1
        progress(counts["rows_in"], None)
        if done:
            return


def ingest_arxiv(con, client, base_url: str, categories: tuple[str, ...], since: dt.date, until: dt.date,
                 page_size: int, run_id: str, limit: int | None = None, progress=lambda done, total: None) -> dict:
    """Every window from `since` to `until`; returns rows in / landed / quarantined and pages."""
    counts = {"source": SOURCE, "table": "raw_arxiv__entries", "rows_in": 0, "landed": 0, "quarantined": 0,
              "pages": 0, "malformed_pages": 0}
    budget = [limit if limit else 10**12]
    for first, last in month_windows(since, until):
        ingest_window(con, client, base_url, categories, first, last, until, page_size, run_id, counts, budget, progress)
    return counts
