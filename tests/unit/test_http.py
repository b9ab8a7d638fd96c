"""The shared HTTP client against a real local server (pytest-httpserver); no request is mocked.

Waiting goes through a fake clock whose sleep only records and advances time, so retries and
spacing are asserted exactly and nothing really waits (except the deliberate 0.2 s timeouts).
"""

import hashlib
import json
import socket
import threading
from datetime import datetime, timezone

import pytest
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


def test_429_with_retry_after_seconds_waits_that_long(httpserver, fake):
    httpserver.expect_ordered_request("/r").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/r").respond_with_data("done")
    client = client_with(fake)
    assert client.get(httpserver.url_for("/r")).text() == "done"
    assert fake.sleeps == [7.0]
    assert [r.status for r in client.responses] == [429, 200]  # the retried answer is kept too
    assert [r.status for r in client.drain_responses()] == [429, 200] and client.responses == []


def test_429_without_retry_after_backs_off_exponentially(httpserver, fake):
    for _ in range(3):
        httpserver.expect_ordered_request("/b").respond_with_data("", status=429)
    httpserver.expect_ordered_request("/b").respond_with_data("done")
    client = client_with(fake, backoff_seconds=1.5, max_backoff_seconds=5)
    assert client.get(httpserver.url_for("/b")).text() == "done"
    assert fake.sleeps == [1.5, 3.0, 5.0]  # 1.5 x 2^n, the third capped at max_backoff_seconds


def test_retry_after_as_http_date(httpserver, fake):
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    httpserver.expect_ordered_request("/d").respond_with_data(
        "", status=503, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"})
    httpserver.expect_ordered_request("/d").respond_with_data("done")
    client = client_with(fake, utc_now=lambda: now)
    assert client.get(httpserver.url_for("/d")).text() == "done"
    assert fake.sleeps == [30.0]


def test_retry_after_over_the_cap_fails_fast(httpserver, fake):
    httpserver.expect_request("/long").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(SourceError, match=r"Test: .*/long answered HTTP 429 and asked to wait 3600 s") as err:
        client_with(fake, max_backoff_seconds=60).get(httpserver.url_for("/long"))
    assert "try again later" in str(err.value)
    assert len(httpserver.log) == 1 and fake.sleeps == []


def test_503_beyond_max_retries_names_status_and_attempts(httpserver, fake):
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    with pytest.raises(SourceError, match=r"still failing after 3 attempt\(s\) \(last: 503 Service Unavailable\)"):
        client_with(fake, max_retries=2).get(httpserver.url_for("/down"))
    assert len(httpserver.log) == 3
    assert fake.sleeps == [1.0, 2.0]


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
    assert fake.sleeps == [1.0]


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
    assert fake.sleeps == [1.0]


def test_connection_reset_every_time_names_the_cause(fake):
    url, seen, thread = serve_raw([None, None])
    with pytest.raises(SourceError, match=r"after 2 attempt\(s\) \(last: connection failed: \w+"):
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


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        HttpClient("Test", timeout=0)
    with pytest.raises(ValueError):
        HttpClient("Test", max_retries=-1)


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
