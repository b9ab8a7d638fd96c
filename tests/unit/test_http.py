"""The shared HTTP client against a real local server (pytest-httpserver); no request is mocked.

Retries are urllib3's own, so the 429/503s it retried never reach the client: retries are counted
on the server (httpserver.log, or the raw server's `seen`). Waiting goes through a fake clock whose
sleep only records and advances time, so waits are asserted (exactly, or within the jitter) and
nothing really waits (except the deliberate 0.2 s timeouts).
"""

import hashlib
import json
import logging
import socket
import threading
from datetime import datetime, timezone

import pytest
from urllib3.util.retry import Retry
from werkzeug import Response

from sources.errors import SourceError
from sources.http import USER_AGENT, HttpClient


class FakeTime:
    """clock + sleep for HttpClient: sleep records the wait and moves the clock on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    return FakeTime()


def client_with(fake, **kwargs):
    return HttpClient("Test", clock=fake.clock, sleep=fake.sleep, **kwargs)


def assert_backoff(waits, count, base=1.0, jitter=1.0, cap=60.0):
    """count waits, wait n (from 0) within [base * 2^n, base * 2^n + jitter], both capped at cap."""
    assert len(waits) == count
    for n, wait in enumerate(waits):
        assert min(cap, base * 2 ** n) <= wait <= min(cap, base * 2 ** n + jitter), (n, wait)


def test_ok_answer_carries_provenance(httpserver, fake):
    httpserver.expect_request("/works", query_string={"q": "gpu", "page": "2"}).respond_with_data(
        '{"results": [1, 2]}', content_type="application/json")
    raw = client_with(fake).get(httpserver.url_for("/works"), params={"q": "gpu", "page": 2, "unset": None})
    assert raw.status == 200 and raw.source == "Test"
    assert raw.url == httpserver.url_for("/works") + "?q=gpu&page=2"
    assert raw.params == '{"page": 2, "q": "gpu"}'  # sorted keys, None dropped as requests drops it
    assert raw.sha256 == hashlib.sha256(b'{"results": [1, 2]}').hexdigest()
    assert raw.content_type == "application/json" and raw.json() == {"results": [1, 2]}
    fetched = datetime.fromisoformat(raw.fetched_at)
    assert fetched.utcoffset().total_seconds() == 0
    assert abs((datetime.now(timezone.utc) - fetched).total_seconds()) < 60
    assert fake.sleeps == []


def test_user_agent_and_extra_headers_reach_the_server(httpserver, fake):
    httpserver.expect_request("/ua", headers={"User-Agent": USER_AGENT, "x-api-key": "k1"}).respond_with_data("ok")
    raw = client_with(fake, headers={"x-api-key": "k1"}).get(httpserver.url_for("/ua"))
    assert raw.text() == "ok"  # a request without both headers would get pytest-httpserver's 500
    assert "mailto:" in USER_AGENT
    custom = client_with(fake, user_agent="mirror-check/1.0")
    httpserver.expect_request("/ua2", headers={"User-Agent": "mirror-check/1.0"}).respond_with_data("ok2")
    assert custom.get(httpserver.url_for("/ua2")).text() == "ok2"
    with_contact = client_with(fake, contact="team@example.org")
    httpserver.expect_request("/ua3", headers={"User-Agent": f"{USER_AGENT} (mailto:team@example.org)"}
                              ).respond_with_data("ok3")
    assert with_contact.get(httpserver.url_for("/ua3")).text() == "ok3"


def test_retries_are_urllib3_retry_mounted_on_the_session(fake):
    client = client_with(fake, max_retries=3, backoff_seconds=2, backoff_jitter_seconds=0.5, max_backoff_seconds=30)
    retry = client.session.get_adapter("https://export.arxiv.org/api/query").max_retries
    assert isinstance(retry, Retry) and client.session.get_adapter("http://localhost/").max_retries is retry
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504} and {"GET", "POST"} <= set(retry.allowed_methods)
    assert retry.respect_retry_after_header and (retry.total, retry.connect, retry.read) == (3, 3, 3)
    assert (retry.backoff_factor, retry.backoff_jitter, retry.backoff_max) == (2, 0.5, 30)


def test_429_with_retry_after_seconds_waits_that_long(httpserver, fake):
    httpserver.expect_ordered_request("/r").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/r").respond_with_data("done")
    client = client_with(fake)
    assert client.get(httpserver.url_for("/r")).text() == "done"
    assert fake.sleeps == [7.0] and len(httpserver.log) == 2
    assert [r.status for r in client.responses] == [200]  # urllib3 retried the 429 before requests saw it
    assert [r.status for r in client.drain_responses()] == [200] and client.responses == []


@pytest.mark.parametrize("jitter", [0.0, 0.5])
def test_429_without_retry_after_backs_off_exponentially_with_jitter(httpserver, fake, jitter):
    for _ in range(3):
        httpserver.expect_ordered_request("/b").respond_with_data("", status=429)
    httpserver.expect_ordered_request("/b").respond_with_data("done")
    client = client_with(fake, backoff_seconds=1.5, backoff_jitter_seconds=jitter, max_backoff_seconds=5)
    assert client.get(httpserver.url_for("/b")).text() == "done"
    assert len(httpserver.log) == 4
    assert_backoff(fake.sleeps, 3, base=1.5, jitter=jitter, cap=5)  # the third capped at max_backoff_seconds
    if jitter == 0:
        assert fake.sleeps == [1.5, 3.0, 5.0]


def test_retry_after_as_http_date(httpserver, fake):
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    httpserver.expect_ordered_request("/d").respond_with_data(
        "", status=503, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"})
    httpserver.expect_ordered_request("/d").respond_with_data("done")
    client = client_with(fake, utc_now=lambda: now)
    assert client.get(httpserver.url_for("/d")).text() == "done"
    assert fake.sleeps == [30.0] and len(httpserver.log) == 2


def test_retry_after_over_the_cap_fails_fast(httpserver, fake):
    httpserver.expect_request("/long").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(SourceError, match=r"Test: .*/long answered HTTP 429 and asked to wait 3600 s") as err:
        client_with(fake, max_backoff_seconds=60).get(httpserver.url_for("/long"))
    assert "try again later" in str(err.value) and err.value.response.status == 429
    assert len(httpserver.log) == 1 and fake.sleeps == []


def test_503_beyond_max_retries_names_status_and_attempts(httpserver, fake):
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    client = client_with(fake, max_retries=2)
    message = r"still failing after 3 attempt\(s\) \(last: 503 Service Unavailable\)"
    with pytest.raises(SourceError, match=message) as err:
        client.get(httpserver.url_for("/down"))
    assert len(httpserver.log) == 3
    assert_backoff(fake.sleeps, 2)
    assert err.value.response.status == 503 and err.value.response.body == b"busy"
    assert [r.status for r in client.responses] == [503]  # the last answer is kept for landing


def test_404_fails_at_once_without_retry(httpserver, fake):
    httpserver.expect_request("/missing").respond_with_data("no such thing", status=404)
    url = httpserver.url_for("/missing")
    with pytest.raises(SourceError) as err:
        client_with(fake).get(url)
    assert str(err.value) == f"Test: {url} answered HTTP 404 Not Found"
    assert err.value.response.status == 404 and err.value.response.body == b"no such thing"
    assert len(httpserver.log) == 1 and fake.sleeps == []


def test_timeout_is_retried_then_named(httpserver, fake):
    release = threading.Event()

    def stall(request):
        release.wait(0.5)  # longer than the client's 0.2 s timeout; released at the end of the test
        return Response("late")

    httpserver.expect_request("/stall").respond_with_handler(stall)
    try:
        with pytest.raises(SourceError, match=r"still failing after 2 attempt\(s\) \(last: no answer within 0.2 s\)"):
            client_with(fake, timeout=0.2, max_retries=1).get(httpserver.url_for("/stall"))
    finally:
        release.set()
    assert_backoff(fake.sleeps, 1)


def serve_raw(answers):
    """A one-shot-per-connection TCP server: each answer is bytes to send, or None to reset the connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen = []

    def run():
        for answer in answers:
            conn, _ = listener.accept()
            seen.append(conn.recv(65536))
            if answer is None:  # SO_LINGER 0: close() sends RST, the client sees "connection reset"
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            else:
                conn.sendall(answer)
            conn.close()
        listener.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feed", seen, thread


def test_connection_reset_is_retried(fake):
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfresh"
    url, seen, thread = serve_raw([None, ok])
    raw = client_with(fake).get(url)
    thread.join(2)
    assert raw.body == b"fresh" and len(seen) == 2 and seen[0].startswith(b"GET /feed")
    assert_backoff(fake.sleeps, 1)


def test_retries_are_logged_at_info_with_credentials_redacted(fake, caplog):
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    url, seen, thread = serve_raw([None, ok])
    caplog.set_level(logging.DEBUG)
    client_with(fake).get(url, params={"filter": "x", "api_key": "s3cret"})
    thread.join(2)
    assert b"api_key=s3cret" in seen[0]  # sent to the server, but never logged, by us or by urllib3
    assert "s3cret" not in caplog.text and "api_key=REDACTED" in caplog.text
    assert "retry 1 of 4" in caplog.text and all(r.levelno < logging.WARNING for r in caplog.records)


def test_connection_reset_every_time_names_the_cause(fake):
    url, seen, thread = serve_raw([None, None])
    with pytest.raises(SourceError, match=r"after 2 attempt\(s\) \(last: connection failed: \w+"):
        client_with(fake, max_retries=1).get(url)
    thread.join(2)
    assert len(seen) == 2


def test_body_cut_short_after_the_headers_is_retried(fake):
    # urllib3's own retries end once headers arrive; HttpClient retries this through the same Retry
    cut = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nConnection: close\r\n\r\npartial"
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfresh"
    url, seen, thread = serve_raw([cut, ok])
    client = client_with(fake)
    raw = client.get(url)
    thread.join(2)
    assert raw.body == b"fresh" and len(seen) == 2 and [r.body for r in client.responses] == [b"fresh"]
    assert_backoff(fake.sleeps, 1)
    url, seen, thread = serve_raw([cut, cut])
    with pytest.raises(SourceError, match=r"after 2 attempt\(s\) \(last: connection failed: IncompleteRead\)"):
        client_with(fake, max_retries=1).get(url)
    thread.join(2)
    assert len(seen) == 2


def test_malformed_json_is_a_named_error(httpserver, fake):
    httpserver.expect_request("/bad").respond_with_data('{"results": [1,', content_type="application/json")
    raw = client_with(fake).get(httpserver.url_for("/bad"))
    with pytest.raises(SourceError, match=r"^Test: malformed JSON from http://\S+/bad \(") as err:
        raw.json()
    assert "\n" not in str(err.value)


def test_min_interval_spaces_requests_per_host(httpserver, fake):
    httpserver.expect_request("/p").respond_with_data("ok")
    client = client_with(fake, min_interval_seconds=3)
    client.get(httpserver.url_for("/p"))
    client.get(httpserver.url_for("/p"))  # straight after: waits the full 3 s
    fake.now += 1.0
    client.get(httpserver.url_for("/p"))  # 1 s of the 3 already passed
    url = httpserver.url_for("/p")
    other_host = url.replace("localhost", "127.0.0.1") if "localhost" in url else url.replace("127.0.0.1", "localhost")
    client.get(other_host)  # the same server under another host name: no wait
    assert fake.sleeps == [3.0, 2.0]
    assert len(httpserver.log) == 4


def test_retries_keep_the_hosts_minimum_interval(httpserver, fake):
    httpserver.expect_ordered_request("/s").respond_with_data("", status=503)
    httpserver.expect_ordered_request("/s").respond_with_data("", status=429, headers={"Retry-After": "15"})
    httpserver.expect_ordered_request("/s").respond_with_data("done")
    client = client_with(fake, min_interval_seconds=10, backoff_jitter_seconds=0)
    assert client.get(httpserver.url_for("/s")).text() == "done"
    assert fake.sleeps == [10.0, 15.0]  # backoff 1 s raised to the 10 s interval; Retry-After 15 s is longer
    assert len(httpserver.log) == 3


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        HttpClient("Test", timeout=0)
    with pytest.raises(ValueError):
        HttpClient("Test", max_retries=-1)
    with pytest.raises(ValueError):
        HttpClient("Test", backoff_jitter_seconds=-0.5)


def test_responses_keep_json_params_for_landing(httpserver, fake):
    httpserver.expect_request("/q").respond_with_data("[]", content_type="application/json; charset=utf-8")
    client = client_with(fake)
    client.get(httpserver.url_for("/q"), params={"b": "2", "a": "1"})
    (raw,) = client.drain_responses()
    assert json.loads(raw.params) == {"a": "1", "b": "2"} and raw.params.index('"a"') < raw.params.index('"b"')
    assert raw.headers["content-type"] == "application/json; charset=utf-8" and raw.json() == []


def test_credentials_in_the_query_never_reach_the_recorded_response(httpserver):
    httpserver.expect_request("/works").respond_with_json({"results": []})
    client = HttpClient("openalex", sleep=lambda s: None)
    raw = client.get(httpserver.url_for("/works"), params={"filter": "x", "api_key": "s3cret"})
    assert "s3cret" not in raw.url and "s3cret" not in raw.params
    assert json.loads(raw.params) == {"api_key": "REDACTED", "filter": "x"}


def test_post_sends_json_is_retried_and_keeps_the_body_as_provenance(httpserver, fake):
    ids = ["ARXIV:1706.03762", "DOI:10.1145/3065386"]
    for status, headers in ((429, {"Retry-After": "2"}), (200, {})):
        httpserver.expect_ordered_request("/graph/v1/paper/batch", method="POST", query_string={"fields": "title"},
                                          json={"ids": ids}).respond_with_json([{"paperId": "a"}, None],
                                                                               status=status, headers=headers)
    client = client_with(fake, headers={"x-api-key": "k1"})
    raw = client.post(httpserver.url_for("/graph/v1/paper/batch"), params={"fields": "title"}, json={"ids": ids})
    assert raw.status == 200 and raw.json() == [{"paperId": "a"}, None]
    assert fake.sleeps == [2.0]
    assert [(req.method, req.get_json()) for req, _ in httpserver.log] == [("POST", {"ids": ids})] * 2
    assert all(req.headers["x-api-key"] == "k1" for req, _ in httpserver.log)
    assert json.loads(raw.params) == {"fields": "title", "json": {"ids": ids}}
