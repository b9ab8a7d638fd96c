"""The review desk's handlers (FastAPI's TestClient) over a small real warehouse built from the
bundled curated records: the queue, a run's page, decisions through the same function as
`review resolve`, and the guards (Host, Origin, CSRF, token)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flows.settings import assumption_sets, get_assumption_set
from flows.transform.compute.missing import explain_missing
from flows.web.app import create_app
from flows.web.guard import DeskConfig
from flows.web.pages import highlight
from tests.cli_runner import run_cli
from tests.desk_warehouse import PEAKLESS_RUN, comparison, land_curated
from warehouse.connection import connect_for_write, connect_read_only
from warehouse.review_queries import review_queue

# each xdist worker that runs these tests builds the module's warehouse once (about a second)
BASE = "http://127.0.0.1:8765"
EPOCH, OPENAI = "epoch-2022", "openai-2018"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return land_curated(tmp_path_factory.mktemp("desk") / "w.duckdb", "run-1")


@pytest.fixture
def wh(template, tmp_path):
    return Path(shutil.copy(template, tmp_path / "w.duckdb"))


def desk(wh, **options) -> TestClient:
    config = DeskConfig(warehouse=wh, reviewer="ana", assumption_set=EPOCH, known_sets=assumption_sets(), **options)
    return TestClient(create_app(config), base_url=BASE)


@pytest.fixture
def client(wh):
    return desk(wh)


def queue_now(wh, assumption_set=None):
    con = connect_read_only(wh)
    try:
        return [(r.run_id, r.assumption_set) for r in review_queue(con, assumption_set).itertuples()]
    finally:
        con.close()


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


# --- the queue -------------------------------------------------------------------------------------------------

def test_api_lists_the_same_queue_as_review_list_worst_first(client, wh):
    listed = client.get("/api/disagreements").json()
    assert [(r["run_id"], r["assumption_set"]) for r in listed] == queue_now(wh)
    assert len(listed) >= 3
    for row in listed:
        assert row["status"] in ("open", "stale") and row["severity"] in ("high", "medium", "low")
        assert row["ratio"] is None or row["ratio"] > 0
    severities = [r["severity"] for r in listed]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_api_filters_by_severity_set_and_source(client):
    high = client.get("/api/disagreements", params={"severity": "high"}).json()
    assert high and {r["severity"] for r in high} == {"high"}
    openai = client.get("/api/disagreements", params={"assumptions": OPENAI}).json()
    assert openai and {r["assumption_set"] for r in openai} == {OPENAI}
    assert client.get("/api/disagreements", params={"source": "epoch"}).json() == []
    language = client.get("/api/disagreements", params={"domain": "language"}).json()
    assert language and {r["domain"] for r in language} == {"language"}


def test_queue_page_shows_counts_links_and_last_run(client, wh):
    page = client.get("/").text
    rows = queue_now(wh)
    assert f'<strong id="count-open">{len(rows)}</strong>' in page
    for run_id, aset in rows:
        assert f'href="/runs/{run_id}?set={aset}"' in page
    con = connect_read_only(wh)
    ended = con.execute("SELECT ended_at FROM meta__run_log WHERE pipeline_run_id = 'run-1'").fetchone()[0]
    con.close()
    assert ended.strftime("%Y-%m-%d %H:%M:%S") in page


def test_queue_page_empty_states(client):
    assert "No open disagreements match these filters." in client.get("/", params={"source": "epoch"}).text
    assert "No resolved runs." in client.get("/", params={"status": "resolved"}).text
    labels = client.get("/").text
    for name in ("status", "severity", "source", "domain", "assumptions"):  # every filter sits inside its label
        assert re.search(rf'<label>[^<]+\s*<select name="{name}">', labels)


def test_queue_says_no_open_disagreements_when_all_are_decided(client, wh):
    assert "No open disagreements" not in client.get("/", params={"assumptions": EPOCH}).text
    for run_id, aset in queue_now(wh, EPOCH):
        response = client.post(f"/api/runs/{run_id}/decision", json={"accept": "value", "value": 1e20, "note": "checked",
                                                                      "assumption_set": aset})
        assert response.status_code == 201, response.text
    page = client.get("/", params={"assumptions": EPOCH}).text
    assert "No open disagreements match these filters." in page and '<strong id="count-open">0</strong>' in page
    assert "No open disagreements" not in client.get("/", params={"assumptions": OPENAI}).text


# --- a run's page ----------------------------------------------------------------------------------------------

def test_run_page_shows_both_estimates_inputs_evidence_and_paper(client):
    page = client.get("/runs/transformer_big", params={"set": EPOCH}).text
    assert "6 x parameters x training_tokens" in page and "chips x peak_flop_per_second x hours x 3600 x utilization" in page
    assert "9.58e18" in page and "6.75e18" in page  # 6 x 2.13e8 x 7.5e9; 8 x 9.3e12 x 84 h x 3600 x 0.3
    assert "Attention Is All You Need" in page and 'href="https://arxiv.org/abs/1706.03762"' in page
    assert "<mark>NVIDIA P100</mark>" in page and "<mark>3.5 days</mark>" in page
    assert "fp32 (epoch-2022 order)" in page  # the peak used and why
    assert "reported/hardware = 3.41" in page  # why flagged
    assert "stated by the paper" in page  # the reported figure's source
    assert 'id="next"' in page and 'id="prev"' in page


def test_run_page_says_why_the_hardware_method_is_missing(client, wh):
    page = client.get(f"/runs/{PEAKLESS_RUN}").text
    match = re.search(r'id="missing-hardware">([^<]+)<', page)
    assert match, "the page must say why there is no hardware estimate"
    assert "has no peak FLOP/s" in match.group(1) and "epoch-2022" in match.group(1)
    api = client.get(f"/api/runs/{PEAKLESS_RUN}").json()
    assert "has no peak FLOP/s" in api["missing"]["hardware"]


def test_every_text_from_sources_is_escaped(wh):
    con = connect_for_write(wh)
    con.execute("UPDATE core__run_extractions SET sentence = '<script>alert(1)</script> on 8 NVIDIA P100 GPUs', "
                "span_text = 'NVIDIA P100', span_start = NULL WHERE run_id = 'transformer_big'")
    con.execute("UPDATE core__papers SET title = 'Attention <img src=x onerror=alert(2)>' WHERE paper_id = "
                "(SELECT paper_id FROM core__training_runs WHERE run_id = 'transformer_big')")
    con.close()
    page = desk(wh).get("/runs/transformer_big").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; on 8 <mark>NVIDIA P100</mark> GPUs" in page


def test_unknown_run_is_a_404(client):
    assert client.get("/runs/no_such_run").status_code == 404
    assert "unknown run_id" in client.get("/api/runs/no_such_run").json()["error"]


def test_api_run_has_every_set_and_parsed_inputs(client):
    body = client.get("/api/runs/gshard_600b").json()
    assert body["assumption_sets"] == [EPOCH, OPENAI]
    assert {(e["method"], e["assumption_set"]) for e in body["estimates"]} >= {("operations", EPOCH), ("hardware", OPENAI)}
    hardware = next(e for e in body["estimates"] if e["method"] == "hardware" and e["assumption_set"] == EPOCH)
    assert hardware["inputs"]["chip_count"] == 1024


# --- deciding ----------------------------------------------------------------------------------------------------

def test_api_decision_is_the_cli_decision(client, wh):
    response = client.post("/api/runs/gshard_600b/decision",
                           json={"accept": "operations", "note": "6ND on active parameters is right", "reviewer": "bo"})
    assert response.status_code == 201, response.text
    decision = response.json()["decisions"][0]
    assert (decision["run_id"], decision["assumption_set"], decision["accepted"]) == ("gshard_600b", EPOCH, "operations")
    assert ("gshard_600b", EPOCH) not in queue_now(wh) and ("gshard_600b", OPENAI) in queue_now(wh)
    status, best, method, reviewer, note = comparison(wh, "gshard_600b")
    assert (status, method, reviewer, note) == ("resolved", "operations", "bo", "6ND on active parameters is right")
    assert best == pytest.approx(decision["accepted_flop"])
    listed = json.loads(run_cli("review", "list", "--warehouse", wh, "--format", "json").stdout)
    assert ("gshard_600b", EPOCH) not in {(r["run_id"], r["assumption_set"]) for r in listed}
    shown = json.loads(run_cli("review", "show", "gshard_600b", "--warehouse", wh, "--format", "json").stdout)
    assert [d["decision_id"] for d in shown["decisions"]] == [decision["decision_id"]]


def test_form_decision_needs_csrf_then_records_and_remembers_the_reviewer(wh):
    client = desk(wh)
    page = client.get("/runs/transformer_big", params={"set": EPOCH}).text
    form = {"accept": "reported", "note": "the paper's own count", "reviewer": "cleo", "scope": EPOCH, "set": EPOCH}
    assert client.post("/runs/transformer_big/decide", data=form).status_code == 403  # no CSRF token
    assert client.post("/runs/transformer_big/decide", data=form | {"csrf_token": "forged"}).status_code == 403
    response = client.post("/runs/transformer_big/decide", data=form | {"csrf_token": csrf(page)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/?")
    assert comparison(wh, "transformer_big")[:3] == ("resolved", pytest.approx(2.3e19), "reported")
    assert "Recorded: transformer_big" in client.get(response.headers["location"]).text
    assert 'value="cleo"' in client.get("/runs/megatron_lm_8_3b").text  # the cookie remembers the reviewer


def test_a_value_and_all_assumption_sets(client, wh):
    page = client.get("/runs/gshard_600b").text
    form = {"accept": "value", "value": "2.5e24", "note": "our own count", "scope": "all", "csrf_token": csrf(page)}
    assert client.post("/runs/gshard_600b/decide", data=form, follow_redirects=False).status_code == 303
    for aset in (EPOCH, OPENAI):
        assert comparison(wh, "gshard_600b", aset)[:3] == ("resolved", 2.5e24, "review")


@pytest.mark.parametrize("body, message", [
    ({"accept": "hardware", "note": "x"}, "no hardware estimate"),
    ({"accept": "operations", "note": "  "}, "note"),
    ({"accept": "value", "value": "lots", "note": "x"}, "FLOP count"),
    ({"accept": "value", "value": -3, "note": "x"}, "greater than 0"),
    ({"accept": "best", "note": "x"}, "accept must be one of"),
    ({"accept": "operations", "note": "x", "assumption_set": "nope"}, "no comparison under assumption set"),
])
def test_bad_decisions_are_refused_with_a_reason_and_write_nothing(client, wh, body, message):
    run = PEAKLESS_RUN if body["accept"] == "hardware" else "gshard_600b"
    response = client.post(f"/api/runs/{run}/decision", json=body)
    assert response.status_code == 400 and message in response.json()["error"]
    con = connect_read_only(wh)
    assert con.execute("SELECT count(*) FROM review_decisions").fetchone()[0] == 0
    con.close()


def test_a_form_error_is_shown_on_the_page_with_the_note_kept(client):
    page = client.get(f"/runs/{PEAKLESS_RUN}").text
    response = client.post(f"/runs/{PEAKLESS_RUN}/decide", data={"accept": "value", "value": "0", "note": "kept text",
                                                                 "csrf_token": csrf(page)})
    assert response.status_code == 400
    assert 'id="decision-error"' in response.text and ">kept text</textarea>" in response.text


def test_a_json_decision_must_be_json(client):
    assert client.post("/api/runs/gshard_600b/decision", data={"accept": "operations", "note": "x"}).status_code == 415


# --- the guards --------------------------------------------------------------------------------------------------

def test_a_foreign_origin_or_host_is_refused(client, wh):
    evil = {"Origin": "http://evil.example"}
    assert client.post("/api/runs/gshard_600b/decision", json={"accept": "operations", "note": "x"},
                       headers=evil).status_code == 403
    page = client.get("/runs/gshard_600b").text
    assert client.post("/runs/gshard_600b/decide", headers=evil, data={"accept": "operations", "note": "x",
                                                                       "csrf_token": csrf(page)}).status_code == 403
    assert client.post("/api/runs/gshard_600b/decision", json={"accept": "operations", "note": "x"},
                       headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/", headers={"Host": "evil.example:8765"}).status_code == 403  # DNS rebinding
    assert ("gshard_600b", EPOCH) in queue_now(wh)
    same_origin = client.post("/api/runs/gshard_600b/decision", json={"accept": "operations", "note": "x"},
                              headers={"Origin": BASE})
    assert same_origin.status_code == 201


def test_a_token_desk_needs_the_token_on_every_request(wh):
    config = DeskConfig(warehouse=wh, host="0.0.0.0", token="s3cret", known_sets=assumption_sets())
    client = TestClient(create_app(config), base_url="http://desk.lan:8765")
    assert client.get("/").status_code == 401
    assert client.get("/api/disagreements", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/disagreements", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/", params={"token": "s3cret"}).status_code == 200  # sets the cookie
    assert client.get("/runs/gshard_600b").status_code == 200  # carried by the cookie now
    assert TestClient(create_app(config), base_url="http://desk.lan:8765").post(
        "/api/runs/gshard_600b/decision", json={"accept": "operations", "note": "x"}).status_code == 401


def test_serve_refuses_a_non_local_host_without_a_token(wh, monkeypatch):
    monkeypatch.delenv("FLOPLEDGER_REVIEW_TOKEN", raising=False)
    result = run_cli("review", "serve", "--host", "0.0.0.0", "--warehouse", wh)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "--token" in result.stderr and "Traceback" not in result.stderr
    missing = run_cli("review", "serve", "--warehouse", wh.parent / "nothing.duckdb")
    assert missing.returncode == 2 and "no warehouse at" in missing.stderr


def test_serve_takes_the_token_from_the_environment(wh, monkeypatch):
    from flows.cli.main import build_parser
    from flows.cli.review_serve import desk_config

    monkeypatch.setenv("FLOPLEDGER_REVIEW_TOKEN", "from-env")
    args = build_parser().parse_args(["review", "serve", "--host", "0.0.0.0", "--warehouse", str(wh)])
    config = desk_config(args)
    assert (config.token, config.host, config.port) == ("from-env", "0.0.0.0", 8765)


# --- the pure parts ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("run, spec, method, expected", [
    ({"hardware_text": None}, None, "hardware", "names no training hardware"),
    ({"hardware_text": "Cerebras WSE-9"}, None, "hardware", "'Cerebras WSE-9' matches no chip"),
    ({"hardware_id": "x", "chip_count": 8}, {"kind": "gpu", "fp32_flop_per_second": 1e13}, "hardware", "no training time"),
    ({"hardware_id": "x", "chip_hours": 100, "precision": "fp8"}, {"name": "Old GPU", "kind": "gpu"}, "hardware",
     "Old GPU has no peak FLOP/s for the fp8 precision"),
    ({"hardware_id": "x", "chip_hours": 100, "precision": "fp8"}, {"kind": "gpu", "fp32_flop_per_second": 1e13}, "hardware",
     None),  # falls back to the set's order: an estimate exists
    ({"hardware_id": "x", "chip_hours": 100, "peak_flop_per_second_override": 1e14}, {"kind": "gpu"}, "hardware", None),
    ({"parameter_count": 1e9}, None, "operations", "lacks training_tokens (or dataset_tokens x epochs)"),
    ({"parameter_count": 1e9, "dataset_tokens": 1e10, "epochs": 2}, None, "operations", None),
    ({"forward_flop_per_example": 1e9, "training_examples": 1e6, "epochs": 0}, None, "operations", "lacks epochs"),
    ({}, None, "reported", "states no training compute"),
])
def test_explain_missing(run, spec, method, expected):
    text = explain_missing(method, run, spec, get_assumption_set(EPOCH))
    assert text is None if expected is None else expected in text


@pytest.mark.parametrize("sentence, statement, start, end, span, marked", [
    ("on 8 P100 GPUs", "Trained on 8 P100 GPUs. Then more.", 11, 22, "8 P100 GPUs", "8 P100 GPUs"),  # offsets in the statement
    ("on 8 P100 GPUs", None, 99, 104, "P100", "P100"),  # offsets off the sentence: found by its text
    ("on 8 P100 GPUs", None, None, None, "V100", ""),  # not there: nothing marked, nothing invented
])
def test_highlight_cuts_by_offsets(sentence, statement, start, end, span, marked):
    pieces = highlight(sentence, statement, start, end, span)
    assert pieces["marked"] == marked and pieces["before"] + pieces["marked"] + pieces["after"] == sentence


def test_queue_filters_follow_the_reviewer_through_a_run_and_its_decision(client):
    page = client.get("/runs/gshard_600b", params={"set": EPOCH, "assumptions": EPOCH, "severity": "high"}).text
    assert '<input type="hidden" name="assumptions" value="epoch-2022">' in page
    assert 'id="next"' not in page  # gshard_600b is the only high-severity run under epoch-2022
    form = {"accept": "operations", "note": "x", "set": EPOCH, "scope": EPOCH, "assumptions": EPOCH, "severity": "high",
            "csrf_token": csrf(page)}
    location = client.post("/runs/gshard_600b/decide", data=form, follow_redirects=False).headers["location"]
    assert "assumptions=epoch-2022" in location and "severity=high" in location and "set=" not in location
