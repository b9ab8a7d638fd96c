"""Semantic Scholar source: parser on recorded-shape payloads, fetchers over a real local HTTP server.

Fixtures in tests/fixtures/semantic_scholar/ are hand-written in the shape of the Graph API
(GET /paper/search/bulk pages, POST /paper/batch answers); counts are invented, abstracts are ours.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from schemas.raw_semantic_scholar import RawSemanticScholarPaper
from sources.errors import SourceError
from sources.http import HttpClient
from sources.semantic_scholar import (ANONYMOUS_INTERVAL_SECONDS, BATCH_MAX_IDS, KEYED_INTERVAL_SECONDS, RAW_COLUMNS,
                                      S2_FIELDS, fetch_s2_batch, fetch_s2_papers, parse_s2_papers, s2_client,
                                      search_s2_papers)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "semantic_scholar"
URL = "https://api.semanticscholar.org/graph/v1/paper/search/bulk?query=transformer"
PAGE1 = json.loads((FIXTURES / "bulk_search_page1.json").read_text())
TOKEN1 = PAGE1["token"]


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def no_wait_client(**kw) -> HttpClient:
    return HttpClient("Semantic Scholar", sleep=lambda seconds: None, **kw)


def test_real_page_validates_with_s2_field_names():
    papers = RawSemanticScholarPaper.validate(parse_s2_papers(PAGE1, URL))
    assert list(papers.columns) == RAW_COLUMNS
    assert papers["title"].tolist()[0] == "Attention is All you Need"
    assert papers["arxiv_id"].tolist() == ["1706.03762", "1810.04805", "2005.14165"]
    assert papers["doi"].tolist()[1] == "10.18653/v1/N19-1423"
    assert papers["doi"].isna().tolist() == [True, False, True]
    assert papers["citationCount"].tolist() == [151234, 109876, 41234]
    assert papers["year"].tolist() == [2017, 2019, 2020]
    assert json.loads(papers["externalIds"][0])["DBLP"] == "conf/nips/VaswaniSPUJGKP17"
    assert [a["name"] for a in json.loads(papers["authors"][1])][-1] == "Kristina Toutanova"
    assert set(papers["source_url"]) == {URL}


def test_second_page_keeps_nulls_and_blank_venue():
    papers = RawSemanticScholarPaper.validate(parse_s2_papers(load("bulk_search_page2.json"), URL))
    alexnet = papers.iloc[1]
    assert alexnet["venue"] == "" and pd.isna(alexnet["publicationDate"])
    assert papers["abstract"].isna().all()
    assert papers["arxiv_id"].tolist()[0] == "1512.03385" and papers["arxiv_id"].isna().tolist()[1]
    assert papers["doi"].tolist() == ["10.1109/cvpr.2016.90", "10.1145/3065386"]


def test_empty_page_gives_empty_valid_frame_with_columns():
    papers = RawSemanticScholarPaper.validate(parse_s2_papers(load("bulk_search_empty.json"), URL))
    assert papers.empty and list(papers.columns) == RAW_COLUMNS


def test_batch_shaped_list_skips_unknown_ids():
    papers = parse_s2_papers(load("batch_arxiv_ids.json"), URL)
    assert papers["arxiv_id"].tolist() == ["1706.03762", "2005.14165"]


@pytest.mark.parametrize("payload, fragment", [
    (load("error_body.json"), "Too Many Requests"),
    ({"total": 1, "data": [{"title": "no id"}]}, "without a paperId"),
    ({"data": [{"paperId": "ab" * 20, "externalIds": ["ArXiv"]}]}, "externalIds that is not an object"),
    ("<html>", "did not answer with papers"),
])
def test_malformed_payload_is_named_source_error(payload, fragment):
    with pytest.raises(SourceError, match=f"^Semantic Scholar: .*{fragment}"):
        parse_s2_papers(payload, URL)


def test_malformed_body_over_http_is_named_source_error(httpserver):
    httpserver.expect_request("/graph/v1/paper/search/bulk").respond_with_data(
        (FIXTURES / "malformed_truncated.json").read_bytes(), content_type="application/json")
    with pytest.raises(SourceError, match="^Semantic Scholar: malformed JSON from http://"):
        search_s2_papers(no_wait_client(), "transformer", base_url=httpserver.url_for("/graph/v1"))


def test_bulk_search_follows_the_token_to_the_last_page(httpserver):
    first = {"query": "transformer", "fields": S2_FIELDS, "year": "2012-2020"}
    httpserver.expect_ordered_request("/graph/v1/paper/search/bulk", query_string=first).respond_with_json(PAGE1)
    httpserver.expect_ordered_request("/graph/v1/paper/search/bulk", query_string={**first, "token": TOKEN1}
                                      ).respond_with_json(load("bulk_search_page2.json"))
    client = no_wait_client()
    papers = RawSemanticScholarPaper.validate(
        search_s2_papers(client, "transformer", base_url=httpserver.url_for("/graph/v1"), year="2012-2020"))
    assert papers["arxiv_id"].fillna("-").tolist() == ["1706.03762", "1810.04805", "2005.14165", "1512.03385", "-"]
    assert len(client.responses) == 2 and len(httpserver.log) == 2
    # a `token` parameter is redacted wherever a URL lands (issue 12: one rule for every credential-like name)
    assert "token=REDACTED" in papers["source_url"].iloc[3] and "token" not in papers["source_url"].iloc[0]
    assert TOKEN1 not in papers["source_url"].iloc[3]
    assert papers["source_url"].iloc[0] == client.responses[0].url


def test_max_results_stops_before_the_next_page(httpserver):
    httpserver.expect_request("/graph/v1/paper/search/bulk").respond_with_json(PAGE1)
    papers = search_s2_papers(no_wait_client(), "transformer", base_url=httpserver.url_for("/graph/v1"), max_results=2)
    assert papers["title"].tolist() == ["Attention is All you Need",
                                        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert len(httpserver.log) == 1


def test_empty_search_gives_empty_valid_frame_over_http(httpserver):
    httpserver.expect_request("/graph/v1/paper/search/bulk").respond_with_json(load("bulk_search_empty.json"))
    papers = search_s2_papers(no_wait_client(), "no such topic", base_url=httpserver.url_for("/graph/v1"))
    assert papers.empty and list(RawSemanticScholarPaper.validate(papers).columns) == RAW_COLUMNS


def test_repeated_token_is_an_error_not_a_loop(httpserver):
    page = {**PAGE1, "token": "SAME"}
    httpserver.expect_request("/graph/v1/paper/search/bulk").respond_with_json(page)
    with pytest.raises(SourceError, match="same continuation token"):
        search_s2_papers(no_wait_client(), "transformer", base_url=httpserver.url_for("/graph/v1"))


def test_batch_answer_keeps_fields_of_study_and_open_access_pdf_as_json():
    papers = RawSemanticScholarPaper.validate(parse_s2_papers(load("batch_enrichment.json"), URL))
    gpt3, transformer, astro = papers.iloc[0], papers.iloc[1], papers.iloc[4]
    assert json.loads(gpt3["fieldsOfStudy"]) == ["Computer Science"]
    assert json.loads(gpt3["openAccessPdf"])["url"] == "https://arxiv.org/pdf/2005.14165"
    assert json.loads(transformer["s2FieldsOfStudy"])[1] == {"category": "Linguistics", "source": "s2-fos-model"}
    assert json.loads(transformer["openAccessPdf"])["url"] == ""  # kept as S2 sent it; core drops the blank
    assert pd.isna(astro["fieldsOfStudy"]) and pd.isna(astro["openAccessPdf"])  # S2 sent null
    assert len(papers) == 6  # the trailing null (an id S2 does not know) is skipped


def test_papers_without_the_new_fields_still_validate():
    papers = RawSemanticScholarPaper.validate(parse_s2_papers(PAGE1, URL))
    assert papers[["fieldsOfStudy", "s2FieldsOfStudy", "openAccessPdf"]].isna().all().all()


BATCH_IDS = ["ARXIV:1706.03762", "ARXIV:9999.99999", "DOI:10.1145/3065386"]


def test_fetch_posts_one_batch_with_the_key_and_lists_unknown_ids(httpserver):
    transformer, alexnet = PAGE1["data"][0], load("bulk_search_page2.json")["data"][1]
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", headers={"x-api-key": "test-key"},
                              query_string={"fields": S2_FIELDS}, json={"ids": BATCH_IDS}
                              ).respond_with_json([transformer, None, alexnet])
    client = s2_client(api_key="test-key", sleep=lambda seconds: None)
    papers, missing = fetch_s2_papers(client, BATCH_IDS, base_url=httpserver.url_for("/graph/v1"))
    papers = RawSemanticScholarPaper.validate(papers)
    assert papers["paperId"].tolist() == [transformer["paperId"], alexnet["paperId"]]
    assert papers["doi"].fillna("-").tolist() == ["-", "10.1145/3065386"]
    assert missing == ["ARXIV:9999.99999"]
    assert len(httpserver.log) == 1 and json.loads(client.responses[0].params)["json"] == {"ids": BATCH_IDS}
    assert set(papers["source_url"]) == {client.responses[0].url} and "fields=" in client.responses[0].url


def test_fetch_splits_ids_into_batches(httpserver):
    answers = load("batch_enrichment.json")
    ids = [f"ARXIV:{n}" for n in range(7)]
    for start in (0, 3, 6):
        httpserver.expect_request("/graph/v1/paper/batch", method="POST", json={"ids": ids[start:start + 3]}
                                  ).respond_with_json(answers[start:start + 3])
    papers, missing = fetch_s2_papers(no_wait_client(), ids, base_url=httpserver.url_for("/graph/v1"), batch_size=3)
    assert len(httpserver.log) == 3 and len(papers) == 6 and missing == ["ARXIV:6"]
    assert BATCH_MAX_IDS == 500  # S2 docs: at most 500 ids per POST /paper/batch
    with pytest.raises(ValueError, match="at most 500 ids"):
        fetch_s2_batch(no_wait_client(), ids * 72, base_url=httpserver.url_for("/graph/v1"))


def test_empty_id_list_sends_nothing(httpserver):
    papers, missing = fetch_s2_papers(no_wait_client(), [], base_url=httpserver.url_for("/graph/v1"))
    assert papers.empty and list(papers.columns) == RAW_COLUMNS and missing == [] and not httpserver.log


@pytest.mark.parametrize("answer, fragment", [
    ([None], "answered 1 records for 3 ids"),
    (load("error_body.json"), "answered a dict for 3 ids"),
])
def test_batch_answer_that_does_not_fit_the_ids_is_named_source_error(httpserver, answer, fragment):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_json(answer)
    with pytest.raises(SourceError, match=f"^Semantic Scholar: http://.*{fragment}"):
        fetch_s2_papers(no_wait_client(), BATCH_IDS, base_url=httpserver.url_for("/graph/v1"))


def test_fetch_raises_on_other_http_errors(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_data("denied", status=403)
    with pytest.raises(SourceError, match="^Semantic Scholar: .* answered HTTP 403"):
        fetch_s2_papers(no_wait_client(), ["ARXIV:1706.03762"], base_url=httpserver.url_for("/graph/v1"))


def test_s2_client_paces_calls_slower_without_a_key(httpserver):
    httpserver.expect_request("/graph/v1/paper/search/bulk").respond_with_json(load("bulk_search_empty.json"))
    waits = []
    anonymous = s2_client(sleep=waits.append, clock=lambda: 100.0)
    assert anonymous.min_interval_seconds == ANONYMOUS_INTERVAL_SECONDS
    assert s2_client(api_key="k").min_interval_seconds == KEYED_INTERVAL_SECONDS == 1.0
    for _ in range(2):
        search_s2_papers(anonymous, "x", base_url=httpserver.url_for("/graph/v1"))
    assert waits == [ANONYMOUS_INTERVAL_SECONDS]
    assert "x-api-key" not in {k.lower() for k in anonymous.session.headers}
