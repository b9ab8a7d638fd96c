"""Enrichment: S2 batch and OpenAlex DOI lookups over a real local HTTP server, matching to core
papers, quarantine of answers that do not parse, and the notability filter.

Fixtures: tests/fixtures/semantic_scholar/batch_enrichment.json (a POST /paper/batch answer in the
order of the ids asked, ending with null for an id S2 does not know) and
tests/fixtures/openalex/works_by_doi_page{1,2}.json (a doi: filter read with a cursor). Real arXiv
ids for the known papers; 2401.99001-2404.99004 are invented; counts are invented.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from flows.fetch import build_enrichment, openalex_raw_rows, s2_raw_rows
from flows.transform.papers.enrichment import METRIC_COLUMNS, RAW_COLUMNS, paper_metrics
from flows.settings import notability_rules as load_notability_rules
from flows.transform.papers.notability import NotabilityRules, select_notable
from schemas.enrichment import PaperMetric, RawApiRecord
from schemas.validation import QUARANTINE_COLUMNS
from sources.errors import SourceError
from sources.http import HttpClient
from sources.openalex import parse_openalex_works
from sources.semantic_scholar import S2_FIELDS, parse_s2_papers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
S2_ANSWER = json.loads((FIXTURES / "semantic_scholar" / "batch_enrichment.json").read_text())
OA_PAGE1 = json.loads((FIXTURES / "openalex" / "works_by_doi_page1.json").read_text())
OA_PAGE2 = json.loads((FIXTURES / "openalex" / "works_by_doi_page2.json").read_text())
MALFORMED = (FIXTURES / "semantic_scholar" / "malformed_truncated.json").read_bytes()

PAPERS = pd.DataFrame([
    ("brown2020_gpt3", "Language Models are Few-Shot Learners", "2005.14165", None, "curated", None),
    ("vaswani2017_transformer", "Attention Is All You Need", "1706.03762", None, "arxiv", '["cs.CL", "cs.LG"]'),
    ("arxiv_2401_99001", "A Small Study of Learning-Rate Warmup", "2401.99001", None, "arxiv", '["cs.LG"]'),
    ("arxiv_2402_99002", "Training Sparse Mixtures on Commodity GPUs", "2402.99002", None, "arxiv", '["cs.LG", "cs.DC"]'),
    ("arxiv_2403_99003", "Dust Lanes in Nearby Spiral Galaxies", "2403.99003", None, "arxiv", '["astro-ph.GA"]'),
    ("krizhevsky2012_alexnet", "ImageNet Classification with Deep Convolutional Neural Networks", None,
     "10.1145/3065386", "curated", None),
    ("arxiv_2404_99004", "A Paper Nobody Has Indexed Yet", "2404.99004", None, "arxiv", '["cs.LG"]'),
], columns=["paper_id", "title", "arxiv_id", "doi", "source", "categories"])
S2_IDS = ["ARXIV:2005.14165", "ARXIV:1706.03762", "ARXIV:2401.99001", "ARXIV:2402.99002", "ARXIV:2403.99003",
          "DOI:10.1145/3065386", "ARXIV:2404.99004"]
OA_FILTER = ("doi:10.48550/arxiv.2005.14165|10.48550/arxiv.1706.03762|10.48550/arxiv.2401.99001|"
             "10.48550/arxiv.2402.99002|10.48550/arxiv.2403.99003|10.1145/3065386|10.48550/arxiv.2404.99004")
RULES = NotabilityRules(100, ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML"), ("curated", "epoch"))


def no_wait_factory(source: str) -> HttpClient:
    return HttpClient(source, sleep=lambda seconds: None, backoff_jitter_seconds=0)


def serve_openalex(httpserver, api_key=None):
    first = {"filter": OA_FILTER, "per-page": "100", **({"api_key": api_key} if api_key else {})}
    httpserver.expect_request("/works", query_string={**first, "cursor": "*"}).respond_with_json(OA_PAGE1)
    httpserver.expect_request("/works", query_string={**first, "cursor": OA_PAGE1["meta"]["next_cursor"]}
                              ).respond_with_json(OA_PAGE2)


def enrich(httpserver, **kw):
    return build_enrichment(PAPERS, no_wait_factory, httpserver.url_for("/graph/v1"), httpserver.url_for("/"), **kw)


def by_source(metrics: pd.DataFrame, source: str) -> pd.DataFrame:
    return metrics[metrics["source"] == source].set_index("paper_id")


def test_s2_batch_gives_metrics_for_matched_papers_and_skips_the_unknown_id(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", query_string={"fields": S2_FIELDS},
                              headers={"x-api-key": "s2-key"}, json={"ids": S2_IDS}).respond_with_json(S2_ANSWER)
    serve_openalex(httpserver)
    batch = enrich(httpserver, s2_api_key="s2-key")
    s2 = by_source(PaperMetric.validate(batch.metrics), "semantic_scholar")
    assert sorted(s2.index) == sorted(set(PAPERS["paper_id"]) - {"arxiv_2404_99004"})
    assert s2.loc["arxiv_2402_99002", "citation_count"] == 500
    assert s2.loc["krizhevsky2012_alexnet", "source_record"] == "e9945f070ad05e8a82c7a095112bfebc00263777"  # by DOI
    assert s2.loc["brown2020_gpt3", "open_access_pdf_url"] == "https://arxiv.org/pdf/2005.14165"
    assert pd.isna(s2.loc["vaswani2017_transformer", "open_access_pdf_url"])  # S2 sent url ""
    assert json.loads(s2.loc["vaswani2017_transformer", "fields_of_study"]) == ["Computer Science", "Linguistics"]
    assert pd.isna(s2.loc["krizhevsky2012_alexnet", "venue"])  # S2's blank venue
    raw = RawApiRecord.validate(batch.raw_s2)
    assert len(raw) == 6 and raw["record_key"].is_unique
    record = json.loads(raw.loc[raw["arxiv_id"] == "2005.14165", "record"].iloc[0])
    assert record["externalIds"]["ArXiv"] == "2005.14165" and record["fieldsOfStudy"] == ["Computer Science"]
    assert {"paperId", "citationCount", "openAccessPdf", "s2FieldsOfStudy"} <= set(record)
    s2_response = next(r for r in batch.responses if r.source == "semantic_scholar")
    assert set(raw["response_sha256"]) == {s2_response.sha256}
    assert batch.quarantine.empty and list(batch.quarantine.columns) == QUARANTINE_COLUMNS


def test_openalex_follows_the_cursor_and_matches_by_arxiv_doi_or_publisher_doi(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_json(S2_ANSWER)
    serve_openalex(httpserver, api_key="oa-key")
    batch = enrich(httpserver, openalex_api_key="oa-key")
    oa = by_source(PaperMetric.validate(batch.metrics), "openalex")
    assert sorted(oa.index) == ["arxiv_2402_99002", "brown2020_gpt3", "krizhevsky2012_alexnet"]
    assert oa.loc["brown2020_gpt3", "citation_count"] == 812
    assert oa.loc["brown2020_gpt3", "venue"] == "arXiv (Cornell University)"
    assert oa.loc["brown2020_gpt3", "open_access_pdf_url"] == "https://arxiv.org/pdf/2005.14165v4"
    assert oa.loc["krizhevsky2012_alexnet", "venue"] == "Communications of the ACM"
    assert oa["influential_citation_count"].isna().all() and oa["fields_of_study"].isna().all()
    raw = RawApiRecord.validate(batch.raw_openalex)
    assert raw["doi"].tolist() == ["10.48550/arxiv.2005.14165", "10.48550/arxiv.2402.99002", "10.1145/3065386"]
    assert json.loads(raw["record"][0])["doi"] == "https://doi.org/10.48550/arxiv.2005.14165"  # untouched inside
    assert not raw["source_url"].str.contains("oa-key|api_key").any()
    pages = [r for r in batch.responses if r.source == "openalex"]
    assert len(pages) == 2 and raw["response_sha256"].tolist() == [pages[0].sha256] * 2 + [pages[1].sha256]


def test_malformed_answer_is_quarantined_with_its_body_and_the_others_land(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", json={"ids": S2_IDS[:4]}
                              ).respond_with_json(S2_ANSWER[:4])
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", json={"ids": S2_IDS[4:]}
                              ).respond_with_data(MALFORMED, content_type="application/json")
    serve_openalex(httpserver)
    batch = enrich(httpserver, s2_batch_size=4)
    assert len(batch.quarantine) == 1
    row = batch.quarantine.iloc[0]
    assert (row["source"], row["table_name"], row["check_name"]) == (
        "semantic_scholar", "raw_semantic_scholar__papers", "payload_parses")
    assert row["reason"].startswith("semantic_scholar: malformed JSON from http://")
    payload = json.loads(row["payload"])
    assert payload["body"] == MALFORMED.decode() and payload["params"]["json"] == {"ids": S2_IDS[4:]}
    assert row["record_key"].startswith(httpserver.url_for("/graph/v1/paper/batch"))
    assert sorted(by_source(batch.metrics, "semantic_scholar").index) == sorted(PAPERS["paper_id"][:4])
    assert len(by_source(batch.metrics, "openalex")) == 3 and len(batch.raw_s2) == 4
    assert len(batch.responses) == 4  # both S2 answers (the bad one too) and both OpenAlex pages


def test_malformed_openalex_page_is_quarantined_too(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_json(S2_ANSWER)
    httpserver.expect_request("/works").respond_with_json({"meta": {}, "results": [{"title": "no id"}]})
    batch = enrich(httpserver)
    assert batch.quarantine["table_name"].tolist() == ["raw_openalex__works"]
    assert "without an id" in batch.quarantine["reason"][0] and "no id" in json.loads(batch.quarantine["payload"][0])["body"]
    assert batch.raw_openalex.empty and len(batch.raw_s2) == 6


def test_429_then_success_lands_the_answer(httpserver):
    httpserver.expect_oneshot_request("/graph/v1/paper/batch", method="POST").respond_with_data("slow down", status=429)
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_json(S2_ANSWER)
    serve_openalex(httpserver)
    batch = enrich(httpserver)
    posts = [entry for entry, _ in httpserver.log if entry.method == "POST"]
    assert len(posts) == 2 and len(batch.raw_s2) == 6 and batch.quarantine.empty
    assert [r.status for r in batch.responses if r.source == "semantic_scholar"] == [200]  # retried 429 not kept


def test_limit_and_nothing_to_look_up():
    def no_network(source):
        raise AssertionError("no request expected")
    batch = build_enrichment(PAPERS.assign(arxiv_id=None, doi=None), no_network, "http://x", "http://y")
    assert batch.metrics.empty and batch.raw_s2.empty and batch.raw_openalex.empty and batch.responses == []
    assert list(batch.metrics.columns) == METRIC_COLUMNS and list(batch.raw_s2.columns) == RAW_COLUMNS
    assert RawApiRecord.validate(s2_raw_rows(None)).empty and RawApiRecord.validate(openalex_raw_rows(None)).empty


def test_limit_looks_up_only_the_first_papers(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST", json={"ids": S2_IDS[:2]}
                              ).respond_with_json(S2_ANSWER[:2])
    httpserver.expect_request("/works").respond_with_json({**OA_PAGE2, "results": []})
    batch = enrich(httpserver, limit=2)
    assert sorted(batch.metrics["paper_id"]) == ["brown2020_gpt3", "vaswani2017_transformer"]
    assert "10.48550/arxiv.1706.03762" in httpserver.log[-1][0].args["filter"]


def s2_frame(*papers) -> pd.DataFrame:
    return parse_s2_papers(list(papers), "https://api.semanticscholar.org/graph/v1/paper/batch")


def test_matching_by_doi_ignores_case_and_prefix_and_falls_back_to_title():
    works = parse_openalex_works({"results": [
        {"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1145/3065386", "cited_by_count": 7},
        {"id": "https://openalex.org/W2", "display_name": "ATTENTION is all you need!", "cited_by_count": 9},
        {"id": "https://openalex.org/W3", "display_name": "Unrelated work", "cited_by_count": 1},
    ]}, "https://api.openalex.org/works")
    papers = PAPERS.assign(doi=PAPERS["doi"].str.upper())
    metrics = PaperMetric.validate(paper_metrics(papers, None, works))
    assert dict(zip(metrics["source_record"], metrics["paper_id"])) == {
        "https://openalex.org/W1": "krizhevsky2012_alexnet", "https://openalex.org/W2": "vaswani2017_transformer"}


def test_an_arxiv_match_beats_a_title_match_for_the_same_paper():
    by_title = {**S2_ANSWER[2], "paperId": "c" * 40, "externalIds": {}, "citationCount": 9999}
    metrics = paper_metrics(PAPERS, s2_frame(by_title, S2_ANSWER[2]), None)
    assert metrics["source_record"].tolist() == [S2_ANSWER[2]["paperId"]] and metrics["citation_count"][0] == 50


def metric(paper_id: str, count, source="semantic_scholar") -> dict:
    return {"paper_id": paper_id, "source": source, "citation_count": count, "source_record": "x"}


@pytest.mark.parametrize("paper_id, metrics, notable, reason", [
    ("brown2020_gpt3", [], True, "curated record"),  # always-notable source, no citations needed
    ("arxiv_2401_99001", [metric("arxiv_2401_99001", 50)], False, "50 citations (Semantic Scholar) < 100"),
    ("arxiv_2402_99002", [metric("arxiv_2402_99002", 500)], True, "500 citations (Semantic Scholar) >= 100 in cs.LG"),
    ("arxiv_2402_99002", [metric("arxiv_2402_99002", 40), metric("arxiv_2402_99002", 312, "openalex")], True,
     "312 citations (OpenAlex) >= 100 in cs.LG"),  # the highest count over sources
    ("arxiv_2403_99003", [metric("arxiv_2403_99003", 900)], False,
     "900 citations (Semantic Scholar) >= 100 but no category in cs.LG, cs.CL, cs.CV, cs.AI, stat.ML"),
    ("vaswani2017_transformer", [metric("vaswani2017_transformer", 151234)], True,
     "151234 citations (Semantic Scholar) >= 100 in cs.CL, cs.LG"),
    ("arxiv_2404_99004", [], False, "no citation count from Semantic Scholar or OpenAlex"),
])
def test_select_notable(paper_id, metrics, notable, reason):
    judged = select_notable(PAPERS, pd.DataFrame(metrics, columns=METRIC_COLUMNS), RULES).set_index("paper_id")
    assert (judged.loc[paper_id, "is_notable"], judged.loc[paper_id, "notability_reason"]) == (notable, reason)


def test_unknown_categories_pass_and_sources_list_counts():
    papers = PAPERS.assign(categories=None, sources=['["arxiv"]'] * 6 + ['["arxiv", "epoch"]'])
    metrics = pd.DataFrame([metric("arxiv_2403_99003", 900)], columns=METRIC_COLUMNS)
    judged = select_notable(papers, metrics, RULES).set_index("paper_id")
    assert judged.loc["arxiv_2403_99003", "notability_reason"] == (
        "900 citations (Semantic Scholar) >= 100 (arXiv categories unknown)")
    assert judged.loc["arxiv_2404_99004", "notability_reason"] == "epoch record"
    assert judged["is_notable"].tolist() == [True, False, False, False, True, True, True]


def test_seed_rules_load():
    assert load_notability_rules() == RULES


@pytest.mark.parametrize("text, fragment", [
    ("min_citations: [100\n", "not valid YAML \\(line"),
    ("- just a list\n", "expected a mapping of min_citations, categories, always_notable_sources"),
    ("min_citations: 100\ncategories: [cs.LG]\n", "missing always_notable_sources$"),
    ("min_citation: 100\ncategories: [cs.LG]\nalways_notable_sources: []\n",
     "missing min_citations; unknown key\\(s\\) min_citation$"),  # a typo is not silently ignored
    ("min_citations: many\ncategories: [cs.LG]\nalways_notable_sources: []\n", "min_citations must be a whole"),
    ("min_citations: -1\ncategories: [cs.LG]\nalways_notable_sources: []\n", "min_citations must be a whole"),
    ("min_citations: 100\ncategories: cs.LG\nalways_notable_sources: []\n", "categories must be a list"),
])
def test_broken_rules_file_is_one_clear_error(tmp_path, text, fragment):
    path = tmp_path / "notability.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"^notability rules {path}: {fragment}"):
        load_notability_rules(path)


def test_missing_rules_file_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        load_notability_rules(tmp_path / "absent.yaml")


def test_fetch_errors_are_not_quarantined(httpserver):
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_data("denied", status=403)
    with pytest.raises(SourceError, match="answered HTTP 403"):
        enrich(httpserver)


def test_a_record_that_fails_its_service_model_is_quarantined_and_the_rest_land(httpserver):
    answer = json.loads(json.dumps(S2_ANSWER))
    bad = next(p for p in answer if p and p.get("externalIds", {}).get("ArXiv") == "2402.99002")
    bad["citationCount"] = -5  # RawSemanticScholarPaper: citations are >= 0
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_json(answer)
    serve_openalex(httpserver)
    batch = enrich(httpserver)
    assert len(batch.raw_s2) == 5 and "2402.99002" not in set(batch.raw_s2["arxiv_id"])
    row = batch.quarantine.iloc[0]
    assert (len(batch.quarantine), row["table_name"], row["record_key"]) == (1, "raw_semantic_scholar__papers", bad["paperId"])
    assert "citationCount" in row["reason"] and json.loads(row["payload"])["citationCount"] == -5
