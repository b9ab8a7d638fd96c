"""The full-text flow for real: Prefect tasks in batches, in process and on a 2-process Dask cluster,
fed by the cache from a local HTTP server; hostile files become quarantine rows, not failures."""

from __future__ import annotations

import pytest

from flows.fulltext_fetch import gather_sources
from flows.fulltext_flow import run_fulltext
from sources.fulltext import fulltext_client
from tests.fulltext_fixtures import eprint, gzip_bomb, plain_pdf, tar_gz
from warehouse.fulltext_cache import FulltextCache

pytestmark = pytest.mark.slow

PAPERS = [{"paper_id": "quill", "arxiv_id": "2401.00001", "version": 1},
          {"paper_id": "vision", "arxiv_id": "2401.00002", "version": 1},
          {"paper_id": "plain", "arxiv_id": "2401.00003", "version": 2},
          {"paper_id": "escape", "arxiv_id": "2401.00004", "version": 1},
          {"paper_id": "bomb", "arxiv_id": "2401.00005", "version": 1},
          {"paper_id": "missing", "arxiv_id": "2401.00006", "version": 1}]


@pytest.fixture()
def served(httpserver):
    bodies = {"2401.00001v1": eprint("two_sizes"), "2401.00002v1": eprint("vision"), "2401.00003v2": plain_pdf(),
              "2401.00004v1": tar_gz({"main.tex": b"\\section{a}", "../x.tex": b"x"}),
              "2401.00005v1": gzip_bomb(256 * 1024 * 1024)}
    for name, body in bodies.items():
        httpserver.expect_request(f"/e-print/{name}").respond_with_data(body)
    for path in ("/e-print/2401.00006v1", "/pdf/2401.00006v1"):
        httpserver.expect_request(path).respond_with_data("nope", status=404)
    return httpserver.url_for("/")


@pytest.mark.parametrize("workers", [None, 2])
def test_flow_reads_batches_and_quarantines_hostile_papers(served, tmp_path, workers):
    cache = FulltextCache(tmp_path / "cache")
    items, failed = gather_sources(PAPERS, cache, lambda: fulltext_client(min_interval_seconds=0, max_retries=0), served)
    assert failed["record_key"].tolist() == ["missing"] and failed["check_name"].tolist() == ["fetch_failed"]
    result = run_fulltext(items, workers=workers, batch_size=2)
    assert sorted(result.runs["run_id"]) == ["plain__fulltext__2.7b", "quill__fulltext__1.3b", "quill__fulltext__6.7b",
                                             "vision__fulltext__25m"]
    assert dict(zip(result.quarantine["record_key"], result.quarantine["check_name"])) == {
        "escape": "unsafe_tar_member", "bomb": "decompression_bomb"}
    facts = result.run_facts.set_index(["run_id", "fact"])
    assert facts.loc[("quill__fulltext__6.7b", "training_tokens"), "value"] == "1200000000000.0"
    assert "Training setup; sections/setup.tex; chars" in facts.loc[("quill__fulltext__6.7b", "chip_count"), "where_in_source"]
    assert (result.run_facts["source"] == "fulltext").all()
    assert len(result.workers) == (2 if workers else 1) or workers is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]  # nothing written outside the cache


def test_a_paper_read_once_is_not_read_again_unless_its_version_changes(served, httpserver, tmp_path):
    cache = FulltextCache(tmp_path / "cache")
    client = lambda: fulltext_client(min_interval_seconds=0, max_retries=0)  # noqa: E731
    items, _ = gather_sources(PAPERS[:2], cache, client, served)
    assert [i["key"] for i in items] == ["arxiv:2401.00001v1", "arxiv:2401.00002v1"]
    cache.mark_read({item["key"]: item["path"] for item in items})
    asked = len(httpserver.log)
    again, failed = gather_sources(PAPERS[:2], cache, client, served)
    assert again == [] and failed.empty and len(httpserver.log) == asked  # not read, not fetched
    httpserver.expect_request("/e-print/2401.00001v2").respond_with_data(eprint("vision"))
    newer, _ = gather_sources([{**PAPERS[0], "version": 2}], cache, client, served)
    assert [i["key"] for i in newer] == ["arxiv:2401.00001v2"] and len(httpserver.log) == asked + 1


def test_an_existing_dask_cluster_reads_the_batches_given_its_address(served, tmp_path):
    """--dask-address: the batches go to a cluster started elsewhere (here, one this test starts), impure."""
    import os

    from distributed import LocalCluster

    cache = FulltextCache(tmp_path / "cache")
    items, _ = gather_sources(PAPERS[:2], cache, lambda: fulltext_client(min_interval_seconds=0, max_retries=0), served)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        result = run_fulltext(items, dask_address=cluster.scheduler_address, batch_size=1)
    assert sorted(result.runs["run_id"]) == ["quill__fulltext__1.3b", "quill__fulltext__6.7b", "vision__fulltext__25m"]
    assert [w["pid"] for w in result.workers] != [os.getpid()] and len(result.workers) == 1  # read on the worker
