"""Bounded upstreams (issue 12): an endless body and a server that never answers cost seconds, not
gigabytes or minutes; "still failing after N attempt(s)" counts the attempts really made; retry lines
are short. Real sockets on 127.0.0.1, with limits configured small."""

import logging
import socket
import socketserver
import threading
import time

import pytest

from sources.http import FetchError, HttpClient


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.hits += 1
        self.request.recv(65536)
        self.server.behaviour(self.request)


@pytest.fixture
def raw_server():
    """A TCP server on 127.0.0.1 whose behaviour per connection the test sets."""
    servers = []

    def start(behaviour):
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads, server.behaviour, server.hits = True, behaviour, 0
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}/notable.csv"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def endless_body(sock):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n\r\n")
    try:
        while True:
            sock.sendall(b"x" * 65536)
    except OSError:  # the client hung up
        pass


def trickle(sock):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n\r\n")
    try:
        for _ in range(200):
            sock.sendall(b"Model,Notes\n")
            time.sleep(0.05)
    except OSError:
        pass


def silent(sock):
    time.sleep(5)  # accepts, reads the request, answers nothing


def test_an_endless_body_stops_at_the_size_limit(raw_server):
    _, url = raw_server(endless_body)
    client = HttpClient("epoch", max_response_bytes=2 * 1024 * 1024, max_retries=0, timeout=2)
    started = time.monotonic()
    with pytest.raises(FetchError, match="sent more than 2,097,152 bytes"):
        client.get(url)
    assert time.monotonic() - started < 5 and client.responses == []


def test_a_slow_trickle_stops_at_the_deadline(raw_server):
    _, url = raw_server(trickle)
    client = HttpClient("epoch", deadline_seconds=1.0, max_retries=0, timeout=2)
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not finish its answer within 1 s"):
        client.get(url)
    assert time.monotonic() - started < 3


def test_a_silent_server_costs_the_attempts_times_the_timeout_and_is_counted_truthfully(raw_server, caplog):
    server, url = raw_server(silent)
    caplog.set_level(logging.INFO)
    client = HttpClient("epoch", timeout=0.5, max_retries=2, backoff_seconds=0, backoff_jitter_seconds=0)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        client.get(url)
    assert time.monotonic() - started < 4
    assert "still failing after 3 attempt(s) (last: no answer within 0.5 s)" in str(caught.value)
    assert server.hits == 3
    lines = [r.getMessage() for r in caplog.records if r.name == "sources.http" and r.levelno == logging.INFO]
    assert len(lines) == 2 and all(len(line) < 120 for line in lines), lines
    assert not [r for r in caplog.records if r.getMessage().startswith("Retrying")]  # urllib3's 300-character line


def test_a_refused_connection_is_counted_truthfully():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient("epoch", max_retries=1, backoff_seconds=0, backoff_jitter_seconds=0, timeout=1)
    with pytest.raises(FetchError, match=r"still failing after 2 attempt\(s\) \(last: connection failed"):
        client.get(f"http://127.0.0.1:{port}/x.csv")


def test_an_unreachable_source_fails_the_run_in_under_30_seconds(run_flow, tmp_path):
    """The HTTP client's own retries (5 attempts, backoff 1-2-4-8 s) and no second layer of task retries."""
    import duckdb

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = tmp_path / "w.duckdb"
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"still failing after 5 attempt\(s\) \(last: connection failed"):
        run_flow(warehouse=path, sources=("epoch",), epoch_models_url=f"http://127.0.0.1:{port}/notable.csv",
                 reviews_file=tmp_path / "none.csv")
    assert time.monotonic() - started < 30
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT status FROM meta__run_log").fetchall() == [("failed",)]
    con.close()
