"""Every live source against bad days on a real local HTTP server: one table of sources, one set of cases.

Each source has an adapter (SOURCES below): where it asks, how its recorded, real-shaped fixture is
served, how its fetch function is called against the local server, and the spacing its client keeps.
Each case runs for every adapter: a full page sequence; an empty result; 429 with and without
Retry-After, 503 and the rest of the 5xx family, then success; a timeout; a connection reset; 503
for ever; a truncated body. Requests are counted on the server (urllib3 retries them, so the
client never sees the 429/503s it retried), and every wait goes through a fake clock whose sleep
records and moves time on, so waits are asserted exactly (backoff_jitter_seconds=0) and nothing
really waits except the deliberate 0.3 s timeouts. The arXiv 3 s rule is checked on arxiv_client()'s
own defaults.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from werkzeug import Response

from flows.fetch import fetch_bytes
from sources.arxiv import ARXIV_COLUMNS, arxiv_client, fetch_arxiv
from sources.epoch_models import read_epoch_models
from sources.errors import SourceError
from sources.http import FetchError, HttpClient
from sources.openalex import RAW_COLUMNS as OPENALEX_COLUMNS, fetch_openalex_works
from sources.semantic_scholar import RAW_COLUMNS as S2_COLUMNS, fetch_s2_batch, fetch_s2_papers, s2_client, \
    search_s2_papers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TIMEOUT = 0.3  # the client's timeout in the timeout case; the stalled answer comes 0.6 s late at most
STALL = 0.6
MAX_RETRIES = 3


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeTime:
    """clock + sleep for HttpClient: sleep records the wait, moves the clock on and runs on_sleep hooks."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: list[Callable[[], None]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        for hook in self.on_sleep:
            hook()


# ---------------------------------------------------------------------------------------------------------------
# The adapters: one row per source entry point.
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    name: str  # pytest id
    label: str  # the name the client puts at the start of every error message
    path: str  # where on the server it asks
    method: str
    content_type: str
    interval: float  # the client's per-host spacing (min_interval_seconds)
    backoff: float  # the client's backoff_seconds: first retry waits this, then doubles
    make_client: Callable[..., HttpClient]
    ok_body: bytes  # one real-shaped page that answers fetch_one in a single request
    fetch_one: Callable[[HttpClient, str], pd.DataFrame]
    one_ids: list  # id_column of what fetch_one gives for ok_body
    pages: list[bytes]  # the full page sequence fetch_all asks for, in order
    fetch_all: Callable[[HttpClient, str], pd.DataFrame]
    all_ids: list
    page_key: Callable  # what distinguishes one page request from the next (start, token, cursor, ids)
    all_keys: list
    empty_pages: list[bytes]  # what an empty result looks like on the wire (arXiv's is asked twice)
    fetch_empty: Callable[[HttpClient, str], pd.DataFrame]
    columns: list[str]
    malformed: bytes  # a real answer cut short
    malformed_message: str  # regex the SourceError must match
    id_column: str = "arxiv_id"
    error_body: bytes = b""  # what the service sends with a 429/503


def _client_kwargs(fake: FakeTime, kw: dict) -> dict:
    return {"clock": fake.clock, "sleep": fake.sleep, "backoff_jitter_seconds": 0, "timeout": 5.0,
            "max_retries": MAX_RETRIES, **kw}


# arXiv ---------------------------------------------------------------------------------------------------------
ARXIV_PAGE1, ARXIV_PAGE2 = fixture("arxiv/query_page1.xml"), fixture("arxiv/query_page2.xml")


def _arxiv_one(client, root):
    return fetch_arxiv(client, id_list=["2311.04512", "2402.11873"], base_url=root + "/api/query", max_results=2)


def _arxiv_all(client, root):
    return fetch_arxiv(client, search_query="cat:cs.LG", base_url=root + "/api/query", page_size=2,
                       sort_by="lastUpdatedDate", sort_order="descending")


def _arxiv_empty(client, root):
    return fetch_arxiv(client, search_query="ti:flopledgerzzz", base_url=root + "/api/query", page_size=2)


ARXIV = Source(
    name="arxiv", label="arXiv", path="/api/query", method="GET",
    content_type="application/atom+xml; charset=UTF-8", interval=3.0, backoff=3.0,
    make_client=lambda fake, **kw: arxiv_client(**_client_kwargs(fake, kw)),  # its own 3 s spacing and 3 s backoff
    ok_body=ARXIV_PAGE1, fetch_one=_arxiv_one, one_ids=["2311.04512", "2402.11873"],
    pages=[ARXIV_PAGE1, ARXIV_PAGE2], fetch_all=_arxiv_all, all_ids=["2311.04512", "2402.11873", "cs/0611042"],
    page_key=lambda req: req.args.get("start"), all_keys=["0", "2"],
    empty_pages=[fixture("arxiv/query_empty.xml")] * 2, fetch_empty=_arxiv_empty, columns=ARXIV_COLUMNS,
    malformed=fixture("arxiv/query_truncated.xml"),
    malformed_message=r"^arXiv: malformed Atom feed from http://\S+/api/query\?",
)

# Semantic Scholar: bulk search (GET, token paging) and the batch lookup the enrichment uses (POST) -------------
S2_PAGE1 = fixture("semantic_scholar/bulk_search_page1.json")
S2_TOKEN1 = json.loads(S2_PAGE1)["token"]
S2_ERROR = fixture("semantic_scholar/error_body.json")


def _s2_client(fake, **kw):
    return s2_client(api_key="test-key", **_client_kwargs(fake, kw))  # keyed: 1 call/s


def _s2_search_one(client, root):
    return search_s2_papers(client, "transformer", base_url=root + "/graph/v1", max_results=3)


def _s2_search_all(client, root):
    return search_s2_papers(client, "transformer", base_url=root + "/graph/v1")


def _s2_search_empty(client, root):
    return search_s2_papers(client, "no such topic", base_url=root + "/graph/v1")


S2_SEARCH = Source(
    name="semantic_scholar", label="Semantic Scholar", path="/graph/v1/paper/search/bulk", method="GET",
    content_type="application/json", interval=1.0, backoff=1.0, make_client=_s2_client,
    ok_body=S2_PAGE1, fetch_one=_s2_search_one, one_ids=["1706.03762", "1810.04805", "2005.14165"],
    pages=[S2_PAGE1, fixture("semantic_scholar/bulk_search_page2.json")], fetch_all=_s2_search_all,
    all_ids=["1706.03762", "1810.04805", "2005.14165", "1512.03385", None],
    page_key=lambda req: req.args.get("token"), all_keys=[None, S2_TOKEN1],
    empty_pages=[fixture("semantic_scholar/bulk_search_empty.json")], fetch_empty=_s2_search_empty,
    columns=S2_COLUMNS, malformed=fixture("semantic_scholar/malformed_truncated.json"),
    malformed_message=r"^Semantic Scholar: malformed JSON from http://\S+/paper/search/bulk\?",
    error_body=S2_ERROR,
)

S2_BATCH_ONE = fixture("semantic_scholar/batch_arxiv_ids.json")  # [paper, null, paper]
S2_BATCH_ONE_IDS = ["ARXIV:1706.03762", "ARXIV:9999.99999", "ARXIV:2005.14165"]
S2_ENRICHMENT = json.loads(fixture("semantic_scholar/batch_enrichment.json"))  # 6 papers, then null
S2_ENRICHMENT_IDS = [f"ARXIV:{n}" for n in range(len(S2_ENRICHMENT))]


def _s2_batch_one(client, root):
    papers, missing = fetch_s2_batch(client, S2_BATCH_ONE_IDS, base_url=root + "/graph/v1")
    assert missing == ["ARXIV:9999.99999"]
    return papers


def _s2_batch_all(client, root):
    papers, missing = fetch_s2_papers(client, S2_ENRICHMENT_IDS, base_url=root + "/graph/v1", batch_size=3)
    assert missing == [S2_ENRICHMENT_IDS[-1]]
    return papers


def _s2_batch_empty(client, root):
    papers, missing = fetch_s2_batch(client, ["ARXIV:0000.00001", "ARXIV:0000.00002"], base_url=root + "/graph/v1")
    assert missing == ["ARXIV:0000.00001", "ARXIV:0000.00002"]
    return papers


S2_BATCH = Source(
    name="semantic_scholar_batch", label="Semantic Scholar", path="/graph/v1/paper/batch", method="POST",
    content_type="application/json", interval=1.0, backoff=1.0, make_client=_s2_client,
    ok_body=S2_BATCH_ONE, fetch_one=_s2_batch_one, one_ids=["1706.03762", "2005.14165"],
    pages=[json.dumps(S2_ENRICHMENT[i:i + 3]).encode() for i in (0, 3, 6)], fetch_all=_s2_batch_all,
    all_ids=[p["externalIds"].get("ArXiv") for p in S2_ENRICHMENT if p],
    page_key=lambda req: tuple(req.get_json()["ids"]),
    all_keys=[tuple(S2_ENRICHMENT_IDS[i:i + 3]) for i in (0, 3, 6)],
    empty_pages=[b"[null, null]"], fetch_empty=_s2_batch_empty, columns=S2_COLUMNS,
    malformed=S2_BATCH_ONE[:len(S2_BATCH_ONE) // 2],  # the same answer cut in half
    malformed_message=r"^Semantic Scholar: malformed JSON from http://\S+/paper/batch\?fields=",
    error_body=S2_ERROR,
)

# OpenAlex --------------------------------------------------------------------------------------------------------
OA_PAGE1, OA_PAGE2 = fixture("openalex/works_page1.json"), fixture("openalex/works_page2.json")


def _oa_one(client, root):
    return fetch_openalex_works(client, "publication_year:2017", base_url=root, max_results=2)


def _oa_all(client, root):
    return fetch_openalex_works(client, "primary_location.source.id:S4306400194", base_url=root)


def _oa_empty(client, root):
    return fetch_openalex_works(client, "title.search:zzzz", base_url=root)


OPENALEX = Source(
    name="openalex", label="OpenAlex", path="/works", method="GET", content_type="application/json",
    interval=0.0, backoff=1.0, make_client=lambda fake, **kw: HttpClient("OpenAlex", **_client_kwargs(fake, kw)),
    ok_body=OA_PAGE1, fetch_one=_oa_one, one_ids=["1706.03762", "2101.03961"],
    pages=[OA_PAGE1, OA_PAGE2, fixture("openalex/works_page3_end.json")], fetch_all=_oa_all,
    all_ids=["1706.03762", "2101.03961", "1512.03385", None],
    page_key=lambda req: req.args.get("cursor"),
    all_keys=["*", json.loads(OA_PAGE1)["meta"]["next_cursor"], json.loads(OA_PAGE2)["meta"]["next_cursor"]],
    empty_pages=[fixture("openalex/works_empty.json")], fetch_empty=_oa_empty, columns=OPENALEX_COLUMNS,
    malformed=fixture("openalex/malformed_truncated.json"),
    malformed_message=r"^OpenAlex: malformed JSON from http://\S+/works\?",
    error_body=fixture("openalex/error_body.json"),
)

# Epoch AI models CSV -----------------------------------------------------------------------------------------------
EPOCH_PATH = "/data/epochdb/notable_ai_models.csv"
EPOCH_SAMPLE = fixture("epoch/notable_ai_models_sample.csv")
EPOCH_LOCAL = read_epoch_models(str(FIXTURES / "epoch/notable_ai_models_sample.csv"))
EPOCH_HEADER_ONLY = fixture("epoch/notable_ai_models_header_only.csv")


def _epoch_read(client, root):
    return read_epoch_models(root + EPOCH_PATH, client=client)


EPOCH = Source(
    name="epoch", label="Epoch AI models", path=EPOCH_PATH, method="GET", content_type="text/csv; charset=utf-8",
    interval=0.0, backoff=1.0,
    make_client=lambda fake, **kw: HttpClient("Epoch AI models", **_client_kwargs(fake, kw)),
    ok_body=EPOCH_SAMPLE, fetch_one=_epoch_read, one_ids=EPOCH_LOCAL["Model"].tolist(),
    pages=[EPOCH_SAMPLE], fetch_all=_epoch_read, all_ids=EPOCH_LOCAL["Model"].tolist(),  # one file, one request
    page_key=lambda req: req.path, all_keys=[EPOCH_PATH],
    empty_pages=[EPOCH_HEADER_ONLY], fetch_empty=_epoch_read,
    columns=read_epoch_models(str(FIXTURES / "epoch/notable_ai_models_header_only.csv")).columns.tolist(),
    # cut inside AlexNet's quoted two-line note, as a dropped connection would leave it
    malformed=EPOCH_SAMPLE[:EPOCH_SAMPLE.index(b"Operation count gives")],
    malformed_message=r"^Epoch AI models: http://\S+/notable_ai_models\.csv is not a readable CSV \(",
    id_column="Model",
)

SOURCES = [ARXIV, S2_SEARCH, S2_BATCH, OPENALEX, EPOCH]


@pytest.fixture(params=SOURCES, ids=[s.name for s in SOURCES])
def source(request) -> Source:
    return request.param


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def root_of(httpserver) -> str:
    return httpserver.url_for("").rstrip("/")


def expect(httpserver, src: Source, ordered: bool = True):
    """The request handler for one request of src (ordered), or for every request of it."""
    add = httpserver.expect_ordered_request if ordered else httpserver.expect_request
    return add(src.path, method=src.method)


def serve_ok(httpserver, src: Source, body: bytes | None = None) -> None:
    expect(httpserver, src).respond_with_data(src.ok_body if body is None else body, content_type=src.content_type)


def serve_status(httpserver, src: Source, status: int, headers: dict | None = None, ordered: bool = True) -> None:
    expect(httpserver, src, ordered).respond_with_data(src.error_body, status=status, headers=headers or {},
                                                       content_type=src.content_type)


def wait(src: Source, seconds: float) -> float:
    """What the client sleeps before a retry it wants after `seconds`: never less than the host's spacing
    (nothing else moves the fake clock, so the whole interval is still to wait)."""
    return max(seconds, src.interval)


def backoffs(src: Source, count: int) -> list[float]:
    """The first `count` backoff waits with no jitter: base * 2^n, raised to the host's spacing."""
    return [wait(src, src.backoff * 2 ** n) for n in range(count)]


def ids(src: Source, frame: pd.DataFrame) -> list:
    """The frame's id column, a missing value as None (pages joined by pd.concat carry NaN instead)."""
    return [None if pd.isna(value) else value for value in frame[src.id_column]]


def assert_one_success(src: Source, client: HttpClient, frame: pd.DataFrame) -> None:
    assert ids(src, frame) == src.one_ids
    assert [r.status for r in client.responses] == [200]  # the retried answers never reached requests


def test_adapter_spacing_is_the_clients_own(source, fake):
    client = source.make_client(fake)
    assert client.min_interval_seconds == source.interval and client.retry.backoff_factor == source.backoff
    assert client.source == source.label and client.max_retries == MAX_RETRIES


# ---------------------------------------------------------------------------------------------------------------
# Good days: a full page sequence, an empty result.
# ---------------------------------------------------------------------------------------------------------------

def test_full_page_sequence(httpserver, source, fake):
    for body in source.pages:
        serve_ok(httpserver, source, body)
    client = source.make_client(fake)
    frame = source.fetch_all(client, root_of(httpserver))
    httpserver.check_assertions()
    assert ids(source, frame) == source.all_ids
    assert [source.page_key(req) for req, _ in httpserver.log] == source.all_keys
    assert [r.status for r in client.responses] == [200] * len(source.pages)
    spacing = [source.interval] * (len(source.pages) - 1) if source.interval else []
    assert fake.sleeps == spacing  # the fake clock only moves when the client waits: the whole interval each time


def test_empty_result(httpserver, source, fake):
    for body in source.empty_pages:
        serve_ok(httpserver, source, body)
    frame = source.fetch_empty(source.make_client(fake), root_of(httpserver))
    httpserver.check_assertions()
    assert frame.empty and list(frame.columns) == source.columns
    assert len(httpserver.log) == len(source.empty_pages)


# ---------------------------------------------------------------------------------------------------------------
# Answers worth another try, then success: (status, headers) per failed attempt and the waits they cost.
# ---------------------------------------------------------------------------------------------------------------

RETRY_CASES = {
    "429_retry_after": ([(429, {"Retry-After": "2"})], lambda src: [wait(src, 2.0)]),
    "429_no_retry_after": ([(429, {})], lambda src: backoffs(src, 1)),
    "503": ([(503, {})], lambda src: backoffs(src, 1)),
    "500_502_504": ([(500, {}), (502, {}), (504, {})], lambda src: backoffs(src, 3)),  # the last retry allowed
    "503_then_429_retry_after": ([(503, {}), (429, {"Retry-After": "5"})],
                                 lambda src: [backoffs(src, 1)[0], wait(src, 5.0)]),
}


@pytest.mark.parametrize("case", list(RETRY_CASES))
def test_transient_answers_then_success(httpserver, source, fake, case):
    failures, expected_waits = RETRY_CASES[case]
    for status, headers in failures:
        serve_status(httpserver, source, status, headers)
    serve_ok(httpserver, source)
    client = source.make_client(fake)
    frame = source.fetch_one(client, root_of(httpserver))
    httpserver.check_assertions()
    assert_one_success(source, client, frame)
    assert len(httpserver.log) == len(failures) + 1
    assert [resp.status_code for _, resp in httpserver.log] == [status for status, _ in failures] + [200]
    assert fake.sleeps == expected_waits(source)


def test_503_forever_is_a_fetch_error_naming_source_and_status(httpserver, source, fake):
    serve_status(httpserver, source, 503, ordered=False)
    client = source.make_client(fake)
    with pytest.raises(FetchError) as err:
        source.fetch_one(client, root_of(httpserver))
    attempts = MAX_RETRIES + 1
    assert str(err.value).startswith(f"{source.label}: http://")
    assert str(err.value).endswith(f"still failing after {attempts} attempt(s) (last: 503 Service Unavailable)")
    assert err.value.response is not None and err.value.response.status == 503
    assert err.value.response.body == source.error_body  # the last answer is kept for landing
    assert len(httpserver.log) == attempts
    assert fake.sleeps == backoffs(source, MAX_RETRIES)


# ---------------------------------------------------------------------------------------------------------------
# No answer in time; a connection reset.
# ---------------------------------------------------------------------------------------------------------------

def test_timeout_then_success(httpserver, source, fake):
    released = threading.Event()
    fake.on_sleep.append(released.set)  # the client gave up and is about to retry: let the stalled answer go

    def stall(request):
        released.wait(STALL)  # longer than the client's timeout
        return Response(source.ok_body, content_type=source.content_type)

    expect(httpserver, source).respond_with_handler(stall)
    serve_ok(httpserver, source)
    client = source.make_client(fake, timeout=TIMEOUT)
    try:
        frame = source.fetch_one(client, root_of(httpserver))
    finally:
        released.set()
    httpserver.check_assertions()
    assert_one_success(source, client, frame)
    assert len(httpserver.log) == 2
    assert fake.sleeps == backoffs(source, 1)


def _read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (headers and Content-Length body): read all, so close() sends FIN, not RST."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def serve_raw(answers: list[bytes | None]):
    """A tiny TCP server, one connection per answer: bytes are sent as the whole response, None resets
    the connection (SO_LINGER 0: close() sends RST, the client sees 'connection reset by peer')."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    seen: list[bytes] = []

    def run():
        try:
            for answer in answers:
                conn, _ = listener.accept()
                conn.settimeout(10)
                with conn:
                    seen.append(_read_request(conn))
                    if answer is None:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    else:
                        conn.sendall(answer)
                        conn.shutdown(socket.SHUT_WR)
        finally:
            listener.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", seen, thread


def http_ok(src: Source) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {src.content_type}\r\nContent-Length: {len(src.ok_body)}\r\n"
            "Connection: close\r\n\r\n").encode() + src.ok_body


def test_connection_reset_then_success(source, fake):
    root, seen, thread = serve_raw([None, http_ok(source)])
    client = source.make_client(fake)
    frame = source.fetch_one(client, root)
    thread.join(5)
    assert not thread.is_alive()
    assert_one_success(source, client, frame)
    assert len(seen) == 2
    assert all(req.startswith(f"{source.method} {source.path}".encode()) for req in seen)
    assert seen[0] == seen[1]  # the same request again, body (a POST's ids) included
    assert fake.sleeps == backoffs(source, 1)


# ---------------------------------------------------------------------------------------------------------------
# A body cut short: a named SourceError at once, never retried, never a crash.
# ---------------------------------------------------------------------------------------------------------------

def test_truncated_body_is_a_named_source_error_without_retry(httpserver, source, fake):
    expect(httpserver, source, ordered=False).respond_with_data(source.malformed, content_type=source.content_type)
    client = source.make_client(fake)
    with pytest.raises(SourceError, match=source.malformed_message) as err:
        source.fetch_one(client, root_of(httpserver))
    assert not isinstance(err.value, FetchError)  # a parse error: the pipeline does not retry it either
    assert "\n" not in str(err.value)
    assert len(httpserver.log) == 1 and fake.sleeps == []
    assert [r.status for r in client.responses] == [200]  # the bad answer is still there to land


# ---------------------------------------------------------------------------------------------------------------
# arXiv's rule: one request every 3 s, on arxiv_client()'s own defaults.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("latency, expected_sleeps", [
    (0.0, [3.0, 3.0]),  # answers at once: the client waits the whole interval each time
    (0.5, [2.5, 2.5]),  # time spent on the answer counts towards the 3 s
    (4.0, []),  # slower than 3 s: no extra wait
])
def test_arxiv_pages_are_spaced_three_seconds_apart(httpserver, latency, expected_sleeps):
    fake = FakeTime()
    asked_at: list[float] = []

    def answer(body):
        def handler(request):
            asked_at.append(fake.now)  # the client is blocked on this answer, so the clock is ours to read
            fake.now += latency
            return Response(body, content_type=ARXIV.content_type)
        return handler

    # page 1 (start=0); page 2 first comes back empty (arXiv's flaky empty feed) and is asked again
    for body in (ARXIV_PAGE1, fixture("arxiv/query_empty.xml"), ARXIV_PAGE2):
        expect(httpserver, ARXIV).respond_with_handler(answer(body))
    client = arxiv_client(clock=fake.clock, sleep=fake.sleep)
    assert client.min_interval_seconds == 3.0
    frame = fetch_arxiv(client, search_query="cat:cs.LG", base_url=root_of(httpserver) + "/api/query", page_size=2)
    httpserver.check_assertions()
    assert ids(ARXIV, frame) == ARXIV.all_ids
    assert [req.args["start"] for req, _ in httpserver.log] == ["0", "2", "2"]
    assert fake.sleeps == expected_sleeps
    gaps = [later - earlier for earlier, later in zip(asked_at, asked_at[1:])]
    assert len(gaps) == 2 and all(gap >= 3.0 for gap in gaps), gaps


def test_arxiv_retries_keep_the_three_second_rule(httpserver, fake):
    """A retry is a request too: 429 (Retry-After 1) and 503 are retried no sooner than 3 s after the last call."""
    asked_at: list[float] = []

    def record(status, headers=None, body=b""):
        def handler(request):
            asked_at.append(fake.now)
            return Response(body, status=status, headers=headers or {}, content_type=ARXIV.content_type)
        return handler

    for handler in (record(200, body=ARXIV_PAGE1), record(429, {"Retry-After": "1"}), record(503),
                    record(200, body=ARXIV_PAGE2)):
        expect(httpserver, ARXIV).respond_with_handler(handler)
    client = ARXIV.make_client(fake)
    frame = _arxiv_all(client, root_of(httpserver))
    httpserver.check_assertions()
    assert ids(ARXIV, frame) == ARXIV.all_ids and len(httpserver.log) == 4
    # spacing before page 2; its Retry-After 1 raised to the 3 s; then backoff 3 * 2^1 (its second retry)
    assert fake.sleeps == [3.0, 3.0, 6.0]
    assert all(later - earlier >= 3.0 for earlier, later in zip(asked_at, asked_at[1:]))


# ---------------------------------------------------------------------------------------------------------------
# The pipeline's Epoch path: fetch_bytes through a client factory, keeping the raw answers to land.
# ---------------------------------------------------------------------------------------------------------------

def _factory(fake: FakeTime, made: list):
    def make(source: str) -> HttpClient:
        made.append(HttpClient(source, **_client_kwargs(fake, {})))
        return made[-1]
    return make


def test_fetch_bytes_retries_and_lands_only_the_final_answer(httpserver, fake):
    serve_status(httpserver, EPOCH, 503)
    serve_status(httpserver, EPOCH, 429, {"Retry-After": "2"})
    serve_ok(httpserver, EPOCH)
    made: list[HttpClient] = []
    data, responses = fetch_bytes(root_of(httpserver) + EPOCH_PATH, "epoch", _factory(fake, made))
    httpserver.check_assertions()
    assert data == EPOCH_SAMPLE and len(httpserver.log) == 3
    assert [(r.source, r.status) for r in responses] == [("epoch", 200)] and made[0].responses == []
    assert fake.sleeps == [1.0, 2.0]


def test_fetch_bytes_503_forever_is_a_fetch_error_naming_the_source(httpserver, fake):
    serve_status(httpserver, EPOCH, 503, ordered=False)
    with pytest.raises(FetchError, match=r"^epoch: http://\S+ still failing after 4 attempt\(s\) "
                                         r"\(last: 503 Service Unavailable\)$") as err:
        fetch_bytes(root_of(httpserver) + EPOCH_PATH, "epoch", _factory(fake, []))
    assert err.value.response.status == 503 and len(httpserver.log) == MAX_RETRIES + 1
