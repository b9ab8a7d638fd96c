"""Secrets are never stored or printed (issue 12): credentials in a URL (user:password@, api_key=) and the
services' API keys stay out of the warehouse, error lines, logs and Prefect's own database."""

import json
import logging
import os
from pathlib import Path

import duckdb
import pytest
from werkzeug import Response

from sources.http import FetchError, HttpClient
from sources.responses import redact_text, redact_url
from tests.cli_runner import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRETS = ("hunter2", "EPOCH-KEY-42", "S2-SECRET-KEY-123", "OA-SECRET-KEY-456")


def credentialed(httpserver, path: str) -> str:
    """A local URL with a password and an api_key in it."""
    return httpserver.url_for(path).replace("://", "://bob:hunter2@", 1) + "?api_key=EPOCH-KEY-42"


@pytest.mark.parametrize("text", [
    "http://bob:hunter2@127.0.0.1:8/a.csv?api_key=EPOCH-KEY-42&x=1", "GET /p?key=EPOCH-KEY-42 failed",
    "Authorization: Bearer hunter2", "{'x-api-key': 'S2-SECRET-KEY-123'}", "token=hunter2&access_token=EPOCH-KEY-42"])
def test_the_one_redaction_function_hides_every_kind_of_credential(text):
    shown = redact_text(text)
    assert "hunter2" not in shown and "KEY" not in shown.replace("REDACTED", "") and "REDACTED" in shown


def test_redact_url_keeps_the_rest_of_the_url_exactly():
    url = "https://api.openalex.org/works?filter=doi:10.1/a|10.1/b&per-page=100"
    assert redact_url(url) == url
    assert redact_url("http://u:p@h:81/x?q=1&key=s") == "http://REDACTED@h:81/x?q=1&key=REDACTED"


def test_http_errors_and_landed_urls_carry_no_credentials(httpserver, caplog):
    httpserver.expect_request("/gone.csv").respond_with_data("no", status=404)
    httpserver.expect_request("/busy.csv").respond_with_data("busy", status=503)
    caplog.set_level(logging.DEBUG)
    client = HttpClient("epoch", max_retries=1, backoff_seconds=0, backoff_jitter_seconds=0, sleep=lambda s: None)
    for path in ("/gone.csv", "/busy.csv"):
        with pytest.raises(FetchError) as caught:
            client.get(credentialed(httpserver, path))
        assert not any(s in str(caught.value) for s in SECRETS) and "REDACTED" in str(caught.value)
    assert [r.status for r in client.responses] == [404, 503]
    assert not any(s in r.url or s in r.params for r in client.responses for s in SECRETS)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))  # not the test server's
    assert ours and not any(s in ours for s in SECRETS)
    assert "retry 1 of 1" in caplog.text


def test_a_refused_connection_error_line_has_no_credentials(tmp_path):
    result = run_cli("hardware", "refresh-diff", "--epoch-hardware-url",
                     "http://bob:hunter2@127.0.0.1:9/ml_hardware.csv?api_key=EPOCH-KEY-42")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert not any(s in result.stderr for s in SECRETS), result.stderr


def _every_cell(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return "\n".join(str(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    finally:
        con.close()


def _prefect_files() -> list[Path]:
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    database = Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split(":///", 1)[1])
    home = Path(os.environ["PREFECT_HOME"])
    return [p for p in [*database.parent.glob(database.name + "*"), *home.rglob("*")] if p.is_file()]


def test_a_run_with_keys_set_stores_them_nowhere(run_flow, httpserver, tmp_path, monkeypatch):
    seen_keys = []

    def s2_batch(request):
        seen_keys.append(request.headers.get("x-api-key"))
        return Response("[]", content_type="application/json")

    def openalex(request):
        seen_keys.append(request.args.get("api_key"))
        return Response((FIXTURES / "openalex" / "works_empty.json").read_bytes(), content_type="application/json")

    httpserver.expect_request("/notable.csv").respond_with_data(
        (FIXTURES / "epoch" / "notable_ai_models_sample.csv").read_bytes(), content_type="text/csv")
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2_batch)
    httpserver.expect_request("/works").respond_with_handler(openalex)
    monkeypatch.setenv("FLOPLEDGER_S2_API_KEY", "S2-SECRET-KEY-123")
    monkeypatch.setenv("FLOPLEDGER_OPENALEX_API_KEY", "OA-SECRET-KEY-456")
    monkeypatch.delenv("FLOPLEDGER_EPOCH_MODELS_URL", raising=False)
    path = tmp_path / "w.duckdb"
    epoch_url = credentialed(httpserver, "/notable.csv")
    run_flow(warehouse=path, sources=("curated", "epoch", "semantic_scholar", "openalex"), limit=3,
             reviews_file=tmp_path / "none.csv", epoch_models_url=epoch_url,
             s2_url=httpserver.url_for("/graph/v1"), openalex_url=httpserver.url_for("/"))
    # the keys and the password were really used ...
    assert "S2-SECRET-KEY-123" in seen_keys and "OA-SECRET-KEY-456" in seen_keys
    assert httpserver.log[0][0].authorization.password == "hunter2"
    # ... and stored nowhere: not in any table of the warehouse, nor in Prefect's database or home
    cells = _every_cell(path)
    assert "REDACTED" in cells and not [s for s in SECRETS if s in cells]
    files = _prefect_files()
    # the search can see what Prefect stored: the flow's parameters (the warehouse path, the redacted URL) are there
    assert any(str(path).encode() in p.read_bytes() for p in files)
    assert any(redact_url(epoch_url).encode() in p.read_bytes() for p in files)
    leaks = [(p.name, s) for p in files for s in SECRETS if s.encode() in p.read_bytes()]
    assert leaks == []
    located = duckdb.connect(str(path), read_only=True).execute(
        "SELECT DISTINCT source_location FROM raw_epoch__models").fetchall()
    assert located == [(redact_url(epoch_url),)] and json.dumps(located).count("REDACTED") == 2
