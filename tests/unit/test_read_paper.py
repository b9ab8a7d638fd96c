"""`flopledger read-paper` and the full-text source against a real local HTTP server."""

from __future__ import annotations

import json

import pytest

from sources.fulltext import fetch_arxiv_fulltext, fulltext_client, parse_arxiv_id
from sources.http import FetchError
from tests.cli_runner import run_cli
from tests.fulltext_fixtures import eprint, plain_pdf


def test_arxiv_ids_are_recognised():
    assert parse_arxiv_id("2401.01234v2") == ("2401.01234", "v2")
    assert parse_arxiv_id("arXiv:cs/0112017") == ("cs/0112017", None)
    assert parse_arxiv_id("not-an-id") is None


def test_fetch_prefers_the_eprint_and_falls_back_to_the_pdf(httpserver):
    source = eprint("vision")  # (gzip headers carry a time: build once)
    httpserver.expect_request("/e-print/2401.00001").respond_with_data(source, content_type="application/x-eprint-tar")
    httpserver.expect_request("/e-print/2401.00002").respond_with_data("no source", status=404)
    httpserver.expect_request("/pdf/2401.00002").respond_with_data(plain_pdf(), content_type="application/pdf")
    for path in ("/e-print/2401.00003", "/pdf/2401.00003"):  # neither source nor PDF
        httpserver.expect_request(path).respond_with_data("not found", status=404)
    with fulltext_client(min_interval_seconds=0, max_retries=0) as client:
        assert fetch_arxiv_fulltext(client, "2401.00001", httpserver.url_for("/")).body == source
        assert fetch_arxiv_fulltext(client, "2401.00002", httpserver.url_for("/")).body[:5] == b"%PDF-"
        with pytest.raises(FetchError, match="404"):
            fetch_arxiv_fulltext(client, "2401.00003", httpserver.url_for("/"))


def test_read_paper_prints_runs_and_both_estimates(tmp_path):
    path = tmp_path / "quill.tar.gz"
    path.write_bytes(eprint("two_sizes"))
    result = run_cli("read-paper", str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 candidate run(s)" in out and "run quill.tar.gz__fulltext__1.3b" in out and "__6.7b" in out
    assert out.count("operations ") == 2 and "hardware 5.88e+22 FLOP" in out  # 256 TPU v4 x 21 days x 0.46 MFU
    assert "'256 TPU v4 chips' [Training setup; sections/setup.tex;" in out
    assert "fine-tuning: sentence names fine-tuning" in out


def test_read_paper_json_from_an_arxiv_id_on_a_mirror(httpserver):
    httpserver.expect_request("/e-print/2401.00001v1").respond_with_data(eprint("two_sizes"))
    result = run_cli("read-paper", "2401.00001v1", "--json", "--fulltext-url", httpserver.url_for("/"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    small = next(r for r in report["runs"] if r["run_key"] == "1.3b")
    # operations: 6 x 1.3e9 parameters x 3e11 tokens = 2.34e21 FLOP
    assert small["estimates"]["operations_flop"] == pytest.approx(2.34e21)
    assert small["estimates"]["hardware_flop"] > 0 and small["hardware_id"] == "google_tpu_v4"
    assert {f["fact"] for f in small["facts"]} >= {"parameter_count", "training_tokens", "chip_count", "training_hours"}
    assert {s["role"] for s in report["other_statements"]} == {"baseline", "fine-tuning", "inference"}


def test_read_paper_reads_a_pdf_url(httpserver):
    httpserver.expect_request("/papers/plain.pdf").respond_with_data(plain_pdf(), content_type="application/pdf")
    result = run_cli("read-paper", httpserver.url_for("/papers/plain.pdf"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["chip_count"] == 128


@pytest.mark.parametrize("args,code,message", [
    (["/no/such/paper.tar.gz"], 2, "is not an existing file or folder, an http(s) URL or an arXiv id"),
    (["definitely not a paper"], 2, "is not an existing file or folder"),
])
def test_a_bad_path_is_one_line(args, code, message):
    result = run_cli("read-paper", *args)
    assert result.returncode == code and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flopledger: error: ") and message in result.stderr


def test_a_missing_url_and_an_unreadable_file_are_one_line(httpserver, tmp_path):
    httpserver.expect_request("/gone.pdf").respond_with_data("gone", status=404)
    result = run_cli("read-paper", httpserver.url_for("/gone.pdf"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "404" in result.stderr
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = run_cli("read-paper", str(empty))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "empty_source" in result.stderr
