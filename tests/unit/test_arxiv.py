"""The arXiv query-API source over a real local server, and its raw schema.

Fixtures in tests/fixtures/arxiv/ are hand-written in the shape of real API answers (namespaces,
hard-wrapped titles and abstracts, per-element xmlns as arXiv sends them); titles, abstracts,
authors and ids are invented. query_truncated.xml is query_page1.xml cut mid-element.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
from pandera.errors import SchemaErrors

from schemas.raw_arxiv import RawArxivEntry
from schemas.validation import validate_frame
from sources.arxiv import ARXIV_COLUMNS, arxiv_client, fetch_arxiv, parse_arxiv_feed
from sources.errors import SourceError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv"
URL = "http://127.0.0.1:1/api/query"


class FakeTime:
    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def fixture(name):
    return (FIXTURES / name).read_bytes()


def serve(httpserver, name, status=200, ordered=True, **match):
    expect = httpserver.expect_ordered_request if ordered else httpserver.expect_request
    expect("/api/query", **match).respond_with_data(fixture(name), status=status,
                                                    content_type="application/atom+xml; charset=UTF-8")


def test_real_payload_validates_against_the_schema():
    frame = parse_arxiv_feed(fixture("query_page1.xml"), URL)
    valid = RawArxivEntry.validate(frame, lazy=True)
    assert list(valid.columns) == ARXIV_COLUMNS and len(valid) == 2
    first = valid.iloc[0]
    assert (first["id"], first["arxiv_id"], first["version"]) == ("http://arxiv.org/abs/2311.04512v2", "2311.04512", 2)
    assert first["title"] == "Frugal Routing: Matching a Dense Baseline with a Fifth of the Training Compute"
    assert first["summary"].startswith("We describe a sparsely") and "64 A100 GPUs for 9 days" in first["summary"]
    assert json.loads(first["authors"]) == ["Zoë Okonkwo-Larsen", "Marek Brandt"]  # inner double space collapsed
    assert json.loads(first["categories"]) == ["cs.LG", "cs.CL"] and first["primary_category"] == "cs.LG"
    assert (first["published"], first["updated"]) == ("2023-11-08T09:14:55Z", "2023-12-01T18:02:11Z")
    assert first["doi"] == "10.5555/frugal.2024.017" and first["pdf_url"] == "http://arxiv.org/pdf/2311.04512v2"
    assert first["comment"] == "14 pages, 6 figures; code at https://example.org/frugal-routing"
    assert first["source_url"] == URL and len(first["response_sha256"]) == 64
    second = valid.iloc[1]
    assert pd.isna(second["doi"]) and pd.isna(second["journal_ref"]) and second["comment"] == "9 pages"
    assert frame.attrs == {"total_results": 3, "start_index": 0, "items_per_page": 2}


def test_old_style_identifier_is_split_from_its_version():
    row = parse_arxiv_feed(fixture("query_page2.xml"), URL).iloc[0]
    assert (row["arxiv_id"], row["version"]) == ("cs/0611042", 3)
    RawArxivEntry.validate(parse_arxiv_feed(fixture("query_page2.xml"), URL), lazy=True)


def test_empty_payload_gives_an_empty_valid_frame():
    frame = parse_arxiv_feed(fixture("query_empty.xml"), URL)
    assert frame.empty and list(frame.columns) == ARXIV_COLUMNS and frame.attrs["total_results"] == 0
    assert RawArxivEntry.validate(frame, lazy=True).empty


def test_malformed_payload_is_a_named_error():
    with pytest.raises(SourceError, match=r"^arXiv: malformed Atom feed from http://127\.0\.0\.1:1/api/query \("):
        parse_arxiv_feed(fixture("query_truncated.xml"), URL)
    with pytest.raises(SourceError, match=r"did not answer an Atom feed"):
        parse_arxiv_feed(b"<html><body>Rate exceeded.</body></html>", URL)


def test_api_error_entry_raises_with_arxivs_message():
    with pytest.raises(SourceError, match=r"^arXiv: the API answered an error for \S+: incorrect id format for 2311\.045$"):
        parse_arxiv_feed(fixture("query_error.xml"), URL)


def test_schema_rejects_what_parsing_must_never_produce():
    frame = parse_arxiv_feed(fixture("query_page1.xml"), URL)
    frame.loc[0, "categories"] = '["cs.CL"]'  # primary cs.LG no longer listed
    frame.loc[1, "authors"] = "Priya Raman"  # not a JSON list
    with pytest.raises(SchemaErrors):
        RawArxivEntry.validate(frame, lazy=True)
    valid, rejections = validate_frame(frame, RawArxivEntry)  # the quarantine path names each failed check
    assert valid.empty
    assert sorted(zip(rejections["row"], rejections["check_name"])) == [
        (0, "primary_category_listed"), (1, "json_list_of_strings")]


def test_fetch_pages_until_total_results(httpserver):
    base = {"search_query": "cat:cs.LG", "sortBy": "lastUpdatedDate", "sortOrder": "descending", "max_results": "2"}
    serve(httpserver, "query_page1.xml", query_string={**base, "start": "0"})
    serve(httpserver, "query_page2.xml", query_string={**base, "start": "2"})
    fake = FakeTime()
    client = arxiv_client(clock=fake.clock, sleep=fake.sleep)
    frame = fetch_arxiv(client, search_query="cat:cs.LG", base_url=httpserver.url_for("/api/query"), page_size=2,
                        sort_by="lastUpdatedDate", sort_order="descending")
    httpserver.check_assertions()  # both ordered pages were asked for, with exactly these parameters
    assert [req.args["start"] for req, _ in httpserver.log] == ["0", "2"]
    assert list(frame["arxiv_id"]) == ["2311.04512", "2402.11873", "cs/0611042"] and frame["id"].is_unique
    assert frame.attrs["total_results"] == 3
    assert fake.sleeps == [3.0]  # arXiv's 3 s between calls, on the fake clock
    assert list(frame["source_url"].str.extract(r"start=(\d+)")[0]) == ["0", "0", "2"]
    landed = client.drain_responses()
    assert [r.status for r in landed] == [200, 200] and landed[1].sha256 == frame["response_sha256"].iloc[2]
    RawArxivEntry.validate(frame, lazy=True)


def test_fetch_stops_at_max_results(httpserver):
    serve(httpserver, "query_page1.xml", query_string={"id_list": "2311.04512,2402.11873", "start": "0",
                                                        "max_results": "2"})
    fake = FakeTime()
    frame = fetch_arxiv(arxiv_client(clock=fake.clock, sleep=fake.sleep), id_list=["2311.04512", "2402.11873"],
                        base_url=httpserver.url_for("/api/query"), page_size=100, max_results=2)
    assert len(frame) == 2 and len(httpserver.log) == 1


def test_fetch_asks_an_empty_page_again_before_believing_it(httpserver):
    serve(httpserver, "query_empty.xml", ordered=False)
    fake = FakeTime()
    frame = fetch_arxiv(arxiv_client(clock=fake.clock, sleep=fake.sleep), search_query="ti:flopledgerzzz",
                        base_url=httpserver.url_for("/api/query"), page_size=2)
    assert frame.empty and list(frame.columns) == ARXIV_COLUMNS and len(httpserver.log) == 2
    RawArxivEntry.validate(frame, lazy=True)


def test_fetch_recovers_from_a_flaky_empty_first_page(httpserver):
    serve(httpserver, "query_empty.xml")
    serve(httpserver, "query_page2.xml")
    fake = FakeTime()
    frame = fetch_arxiv(arxiv_client(clock=fake.clock, sleep=fake.sleep), search_query="cat:cs.NE",
                        base_url=httpserver.url_for("/api/query"), page_size=2, start=2)
    assert list(frame["arxiv_id"]) == ["cs/0611042"] and len(httpserver.log) == 2


@pytest.mark.parametrize("status", [200, 400])
def test_fetch_turns_an_error_feed_into_arxivs_message(httpserver, status):
    serve(httpserver, "query_error.xml", status=status)
    fake = FakeTime()
    with pytest.raises(SourceError, match=r"incorrect id format for 2311\.045$"):
        fetch_arxiv(arxiv_client(clock=fake.clock, sleep=fake.sleep), id_list="2311.045",
                    base_url=httpserver.url_for("/api/query"))
    assert len(httpserver.log) == 1


def test_fetch_over_http_reports_a_truncated_body(httpserver):
    serve(httpserver, "query_truncated.xml")
    fake = FakeTime()
    with pytest.raises(SourceError, match=r"^arXiv: malformed Atom feed from http://\S+/api/query\?search_query="):
        fetch_arxiv(arxiv_client(clock=fake.clock, sleep=fake.sleep), search_query="cat:cs.LG",
                    base_url=httpserver.url_for("/api/query"))


def test_fetch_needs_a_query():
    with pytest.raises(ValueError):
        fetch_arxiv(arxiv_client(), base_url=URL)
