"""OpenAlex source: parser on recorded-shape /works pages, cursor paging over a real local HTTP server.

Fixtures in tests/fixtures/openalex/ follow the shape of GET /works (meta + results); work ids and
DOIs are real identifiers, counts are invented, abstracts are our own words.
"""

import json
from pathlib import Path

import pytest

from schemas.raw_openalex import RawOpenAlexWork
from sources.errors import SourceError
from sources.http import HttpClient
from sources.openalex import RAW_COLUMNS, fetch_openalex_works, find_arxiv_id, parse_openalex_works, rebuild_abstract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openalex"
URL = "https://api.openalex.org/works?filter=publication_year:2017"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


PAGE1, PAGE2 = load("works_page1.json"), load("works_page2.json")


def no_wait_client() -> HttpClient:
    return HttpClient("OpenAlex", sleep=lambda seconds: None)


def test_real_page_validates_with_openalex_field_names():
    works = RawOpenAlexWork.validate(parse_openalex_works(PAGE1, URL))
    assert list(works.columns) == RAW_COLUMNS
    assert works["id"].tolist() == ["https://openalex.org/W2626778328", "https://openalex.org/W3128716741"]
    assert works["doi"][0] == "https://doi.org/10.48550/arxiv.1706.03762"
    assert works["arxiv_id"].tolist() == ["1706.03762", "2101.03961"]
    assert works["publication_year"].tolist() == [2017, 2021]
    assert works["cited_by_count"].tolist() == [5123, 812]
    assert works["abstract"][0] == ("Fixture words: a translation model made of attention layers only, "
                                    "with no recurrence or convolution.")
    assert json.loads(works["primary_location"][0])["source"]["id"] == "https://openalex.org/S4306400194"
    assert json.loads(works["authorships"][0])[1]["author"]["display_name"] == "Noam Shazeer"


def test_arxiv_id_comes_from_a_location_when_the_doi_is_the_publisher_s():
    works = RawOpenAlexWork.validate(parse_openalex_works(PAGE2, URL))
    assert works["doi"].tolist() == ["https://doi.org/10.1109/cvpr.2016.90", "https://doi.org/10.1145/3065386"]
    assert works["arxiv_id"].fillna("-").tolist() == ["1512.03385", "-"]
    assert works["abstract"].isna().tolist() == [False, True]


@pytest.mark.parametrize("work, expected", [
    ({"doi": "https://doi.org/10.48550/ARXIV.2203.15556"}, "2203.15556"),  # case of the DOI prefix does not matter
    ({"ids": {"doi": "https://doi.org/10.48550/arxiv.hep-th/9901001"}}, "hep-th/9901001"),  # old-style id
    ({"locations": [{"pdf_url": "https://arxiv.org/pdf/1409.3215v3"}]}, "1409.3215"),  # version dropped
    ({"locations": [{"landing_page_url": "https://example.org/arxiv.org/abs/x"}]}, None),  # not an id
    ({"doi": "https://doi.org/10.1145/3065386", "locations": [None]}, None),
])
def test_find_arxiv_id(work, expected):
    assert find_arxiv_id(work) == expected


def test_rebuild_abstract_places_repeated_words_at_each_position():
    assert rebuild_abstract({"the": [0, 3], "cat": [1], "saw": [2], "dog.": [4]}) == "the cat saw the dog."
    assert rebuild_abstract(None) is None and rebuild_abstract({}) is None


def test_empty_page_gives_empty_valid_frame_with_columns():
    works = RawOpenAlexWork.validate(parse_openalex_works(load("works_empty.json"), URL))
    assert works.empty and list(works.columns) == RAW_COLUMNS


@pytest.mark.parametrize("payload, fragment", [
    (load("error_body.json"), "no 'results' array"),
    ({"meta": {}, "results": [{"title": "no id"}]}, "without an id"),
    ([], "no 'results' array"),
])
def test_malformed_payload_is_named_source_error(payload, fragment):
    with pytest.raises(SourceError, match=f"^OpenAlex: .*{fragment}"):
        parse_openalex_works(payload, URL)


def test_malformed_body_over_http_is_named_source_error(httpserver):
    httpserver.expect_request("/works").respond_with_data((FIXTURES / "malformed_truncated.json").read_bytes(),
                                                          content_type="application/json")
    with pytest.raises(SourceError, match="^OpenAlex: malformed JSON from http://"):
        fetch_openalex_works(no_wait_client(), "publication_year:2017", base_url=httpserver.url_for(""))


def test_cursor_paging_follows_next_cursor_until_null(httpserver):
    base = {"filter": "primary_location.source.id:S4306400194", "per-page": "100", "mailto": "team@example.org",
            "api_key": "secret-key"}
    for cursor, page in [("*", PAGE1), (PAGE1["meta"]["next_cursor"], PAGE2),
                         (PAGE2["meta"]["next_cursor"], load("works_page3_end.json"))]:
        httpserver.expect_ordered_request("/works", query_string={**base, "cursor": cursor}).respond_with_json(page)
    client = no_wait_client()
    works = fetch_openalex_works(client, base["filter"], base_url=httpserver.url_for(""),
                                 mailto="team@example.org", api_key="secret-key")
    works = RawOpenAlexWork.validate(works)
    assert works["arxiv_id"].fillna("-").tolist() == ["1706.03762", "2101.03961", "1512.03385", "-"]
    assert len(httpserver.log) == 3 and len(client.responses) == 3
    assert "cursor=%2A" in works["source_url"][0] and "cursor=IlsxNjE3" in works["source_url"][2]
    assert not works["source_url"].str.contains("secret-key|api_key").any()


def test_max_results_stops_paging(httpserver):
    httpserver.expect_request("/works").respond_with_json(PAGE1)
    works = fetch_openalex_works(no_wait_client(), "publication_year:2017", base_url=httpserver.url_for(""),
                                 max_results=1)
    assert works["id"].tolist() == ["https://openalex.org/W2626778328"]
    assert len(httpserver.log) == 1


def test_no_matches_give_empty_valid_frame_over_http(httpserver):
    httpserver.expect_request("/works").respond_with_json(load("works_empty.json"))
    works = fetch_openalex_works(no_wait_client(), "title.search:zzzz", base_url=httpserver.url_for(""))
    assert works.empty and list(RawOpenAlexWork.validate(works).columns) == RAW_COLUMNS


def test_repeated_cursor_is_an_error_not_a_loop(httpserver):
    stuck = {**PAGE1, "meta": {**PAGE1["meta"], "next_cursor": "*"}}
    httpserver.expect_request("/works").respond_with_json(stuck)
    with pytest.raises(SourceError, match="^OpenAlex: .*same next_cursor"):
        fetch_openalex_works(no_wait_client(), "publication_year:2017", base_url=httpserver.url_for(""))


def test_http_400_with_error_body_is_named_source_error(httpserver):
    httpserver.expect_request("/works").respond_with_json(load("error_body.json"), status=400)
    with pytest.raises(SourceError, match="^OpenAlex: .* answered HTTP 400"):
        fetch_openalex_works(no_wait_client(), "publication_yeer:2017", base_url=httpserver.url_for(""))
