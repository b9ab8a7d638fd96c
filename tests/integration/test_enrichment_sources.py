"""Semantic Scholar and OpenAlex enrich the warehouse's papers; notability is judged; all offline."""

import hashlib
import json

import pytest
from werkzeug import Response

from tests.integration.test_pipeline import query

pytestmark = pytest.mark.integration


def s2_record(request_id: str) -> dict | None:
    """A real-shaped S2 batch answer for one id; the AlexNet DOI is unknown to this fake S2."""
    kind, _, value = request_id.partition(":")
    if kind == "DOI":
        return None
    citations = 40_000 if value == "2005.14165" else 50
    return {"paperId": hashlib.sha1(value.encode()).hexdigest(), "externalIds": {"ArXiv": value},
            "url": f"https://www.semanticscholar.org/paper/{hashlib.sha1(value.encode()).hexdigest()}",
            "title": f"Paper {value}", "abstract": None, "venue": "A Venue", "year": 2020, "publicationDate": None,
            "citationCount": citations, "influentialCitationCount": citations // 10,
            "fieldsOfStudy": ["Computer Science"], "s2FieldsOfStudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
            "openAccessPdf": {"url": f"https://arxiv.org/pdf/{value}", "status": "GREEN", "license": None},
            "authors": [{"authorId": "1", "name": "A. Author"}]}


def s2_batch(request):
    ids = json.loads(request.data)["ids"]
    assert request.headers["x-api-key"] == "test-key" and "citationCount" in request.args["fields"]
    return Response(json.dumps([s2_record(i) for i in ids]), content_type="application/json")




def test_enrichment_lands_metrics_and_quarantines_a_malformed_page(run_flow, httpserver, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPLEDGER_S2_API_KEY", "test-key")  # keys come from the environment, never Settings
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2_batch)
    httpserver.expect_request("/works").respond_with_data('{"meta": {"count": 1}, "results": [{"id": "https://open',
                                                         content_type="application/json")  # cut short
    path = tmp_path / "w.duckdb"
    summary = run_flow(warehouse=path, sources=("curated", "semantic_scholar", "openalex"), reviews_file=tmp_path / "none.csv",
                       s2_url=httpserver.url_for("/graph/v1"), openalex_url=httpserver.url_for("/"),
                       contact="tests@example.org")
    assert summary["totals"]["papers"] == 37
    with_arxiv = query(path, "SELECT count(*) FROM core__papers WHERE arxiv_id IS NOT NULL")[0][0]
    metrics = dict(query(path, "SELECT paper_id, citation_count FROM core__paper_metrics WHERE source = 'semantic_scholar'"))
    assert len(metrics) == with_arxiv and metrics["brown2020_gpt3"] == 40_000
    raw = query(path, "SELECT count(*), count(DISTINCT response_sha256) FROM raw_semantic_scholar__papers")[0]
    assert raw[0] == with_arxiv and raw[1] >= 1
    kept = query(path, "SELECT source, status FROM raw_http__responses ORDER BY 1")
    assert ("semantic_scholar", 200) in kept and ("openalex", 200) in kept
    bad = query(path, "SELECT check_name, payload FROM quarantine WHERE source = 'openalex'")
    assert bad and bad[0][0] == "payload_parses" and '"results": [{"id": "https://open' in json.loads(bad[0][1])["body"]
    # curated papers are notable by source; the verdict and its reason are stored per paper
    verdicts = dict(query(path, "SELECT paper_id, notability_reason FROM core__papers WHERE is_notable"))
    assert len(verdicts) == 37 and "curated" in verdicts["brown2020_gpt3"]
    agent = [r.headers["User-Agent"] for r, _ in httpserver.log]
    assert all("tests@example.org" in a for a in agent)


def test_a_second_run_asks_only_about_papers_not_checked_recently(run_flow, httpserver, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPLEDGER_S2_API_KEY", "test-key")
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2_batch)
    path, settings = tmp_path / "w.duckdb", {"reviews_file": tmp_path / "none.csv"}
    curated = tmp_path / "curated"
    import shutil

    from warehouse.seeds import CURATED_DIR
    shutil.copytree(CURATED_DIR, curated)
    (curated / "zz_later.yaml").unlink(missing_ok=True)
    run_flow(warehouse=path, sources=("curated", "semantic_scholar"), s2_url=httpserver.url_for("/graph/v1"),
             curated_dir=curated, **settings)
    first = [json.loads(r.data)["ids"] for r, _ in httpserver.log]
    assert len(first) == 1 and "ARXIV:2005.14165" in first[0]
    # a new paper arrives; the next run asks S2 about it alone
    (curated / "zz_later.yaml").write_text(
        "paper_id: zz_later\ntitle: A Later Paper\npublished_date: 2024-01-02\nurl: https://arxiv.org/abs/2401.00001\n"
        "arxiv_id: \"2401.00001\"\ndoi: null\nnote: test record\nruns: []\n")
    httpserver.clear_log()
    run_flow(warehouse=path, sources=("curated", "semantic_scholar"), s2_url=httpserver.url_for("/graph/v1"),
             curated_dir=curated, **settings)
    (asked,) = [json.loads(r.data)["ids"] for r, _ in httpserver.log]
    # the new paper, plus only the ids S2 did not know last time (this fake S2 knows no DOI)
    assert "ARXIV:2401.00001" in asked and all(i == "ARXIV:2401.00001" or i.startswith("DOI:") for i in asked)
    assert len(asked) == 1 + sum(1 for i in first[0] if i.startswith("DOI:"))
    assert query(path, "SELECT count(*) FROM core__paper_metrics WHERE checked_at IS NULL")[0][0] == 0
