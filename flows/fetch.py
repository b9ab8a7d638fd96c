"""What the flow fetches before the domain sees it (no Prefect here; flows/pipeline.py calls it
from its tasks): a file's or URL's bytes through the shared HTTP client, Epoch's models CSV parsed
into a source batch, and the Semantic Scholar / OpenAlex lookups that enrich papers.

Enrichment: papers with an arXiv id or a DOI are looked up in batches: S2's POST /paper/batch with
ARXIV:/DOI: ids, OpenAlex's /works with filter=doi:a|b|... (an arXiv paper's DOI is
10.48550/arXiv.<id>). Every answer lands raw, under the service's own field names. An answer that
does not parse is quarantined with its body and the run goes on; a request that fails for good
(FetchError) stops it, as for every other source.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd

from flows.statement_pool import StatementPool, helper_processes
from flows.transform.ingest.epoch import SOURCE as EPOCH
from flows.transform.ingest.epoch_batch import build_epoch_batch
from flows.transform.ingest.sources import SourceBatch
from flows.transform.mentions.extract import build_matcher
from flows.transform.papers.enrichment import (OPENALEX, OPENALEX_BATCH, RAW_COLUMNS, RAW_TABLES, S2, MAX_PAYLOAD_CHARS,
                                               EnrichmentBatch, _bare_doi, _lookup_ids, _plain, paper_metrics)
from schemas.raw_openalex import RawOpenAlexWork
from schemas.raw_semantic_scholar import RawSemanticScholarPaper
from schemas.validation import QUARANTINE_COLUMNS, split_valid
from sources import openalex, semantic_scholar as s2
from sources.epoch_models import iter_epoch_models, read_epoch_keys, split_epoch_models
from sources.errors import SourceError
from sources.http import SECRET_PARAMS, FetchError, redact_url

PARSED_MODELS = {S2: (RawSemanticScholarPaper, "paperId"), OPENALEX: (RawOpenAlexWork, "id")}


def fetch_bytes(location: str, source: str, client_factory) -> tuple[bytes, list]:
    """A file's bytes from a path or an http(s) URL (through the shared HTTP client), with the
    raw responses that brought it."""
    if location.startswith(("http://", "https://")):
        with client_factory(source) as client:
            body = client.get(location).body
            return body, client.drain_responses()
    try:
        return Path(location).read_bytes(), []
    except OSError as err:
        raise SourceError(f"{source}: cannot read {location} ({err.strerror or type(err).__name__})") from None


EPOCH_CHUNK_ROWS = 2000  # rows of Epoch's table held at once (issue 12: ~1 KB of notes each, ~60 MB per 10x table)


def fetch_epoch_batch(location: str, limit: int | None, aliases: pd.DataFrame, client_factory,
                      chunk_rows: int = EPOCH_CHUNK_ROWS, helpers: int | None = None) -> SourceBatch:
    """Epoch's models CSV from a path or URL, parsed, split and mapped into one source batch, `chunk_rows`
    rows at a time: only the key columns of the whole table are held (flows/transform/ingest/epoch_batch.py).
    `helpers`: processes that read the hardware statements meanwhile (flows/statement_pool.py; None: one
    for a large table on a machine with a second core, 0: none)."""
    data, responses = fetch_bytes(location, EPOCH, client_factory)
    shown = redact_url(location)  # what lands in source_location and error lines: no credentials
    chunks = iter_epoch_models(data, shown, chunk_rows, limit or None)
    first = [next(chunks)]  # checks the header and the file's last line before anything else is read
    keys, sha = read_epoch_keys(data, shown, limit or None), hashlib.sha256(data).hexdigest()
    del data  # the chunk reader holds the bytes until the last chunk, then lets them go
    parts = (split_epoch_models(chunk) for chunk in itertools.chain(_handed_over(first), chunks))
    matcher = build_matcher(aliases)
    processes = helper_processes(helpers, len(keys))
    if not processes:
        return build_epoch_batch(keys, parts, shown, sha, aliases, responses, matcher=matcher)
    with StatementPool(aliases, matcher, processes) as pool:
        return build_epoch_batch(keys, parts, shown, sha, aliases, responses, statements=pool, matcher=matcher)


def _handed_over(items: list):
    """The items, each let go of once yielded."""
    while items:
        yield items.pop(0)


def s2_raw_rows(parsed: pd.DataFrame | None) -> pd.DataFrame:
    """raw_semantic_scholar__papers rows from parse_s2_papers output: each paper as S2 named its fields."""
    fields = [c for c in s2.RAW_COLUMNS if c not in ("arxiv_id", "doi", "source_url")]
    return _raw_rows(parsed, "paperId", fields, {"externalIds", "authors", *s2.JSON_FIELDS}, "doi")


def openalex_raw_rows(parsed: pd.DataFrame | None) -> pd.DataFrame:
    """raw_openalex__works rows from parse_openalex_works output; `doi` without https://doi.org/."""
    fields = [c for c in openalex.RAW_COLUMNS if c not in ("arxiv_id", "source_url")]
    return _raw_rows(parsed, "id", fields, set(openalex.JSON_FIELDS), "doi")


def _raw_rows(parsed: pd.DataFrame | None, key: str, fields: list[str], nested: set[str], doi: str) -> pd.DataFrame:
    if parsed is None or parsed.empty:
        return pd.DataFrame(columns=RAW_COLUMNS)
    records = [json.dumps({f: json.loads(row[f]) if f in nested and isinstance(row[f], str) else _plain(row[f])
                           for f in fields}, sort_keys=True, ensure_ascii=False)
               for row in parsed.to_dict("records")]
    sha = parsed["response_sha256"] if "response_sha256" in parsed else None
    frame = pd.DataFrame({"record_key": parsed[key].to_numpy(), "arxiv_id": parsed["arxiv_id"].to_numpy(),
                          "doi": parsed[doi].map(_bare_doi).to_numpy(), "record": records, "source_url": parsed["source_url"].to_numpy(),
                          "response_sha256": None if sha is None else sha.to_numpy()}, columns=RAW_COLUMNS)
    return frame.drop_duplicates("record_key").reset_index(drop=True)  # one paper asked for twice


def build_enrichment(papers: pd.DataFrame, client_factory, s2_url: str | None, openalex_url: str | None,
                     s2_api_key: str | None = None, openalex_api_key: str | None = None, limit: int | None = None,
                     s2_batch_size: int = s2.BATCH_MAX_IDS, openalex_batch_size: int = OPENALEX_BATCH) -> EnrichmentBatch:
    """Look the papers (the first `limit` with an arXiv id or DOI) up in S2 and OpenAlex, in batches;
    a service whose URL is None is not asked."""
    s2_ids, dois = _lookup_ids(papers, limit)
    s2_ids, dois = (s2_ids if s2_url else []), (dois if openalex_url else [])
    s2_calls = [lambda c, ids=s2_ids[i:i + s2_batch_size]: s2.fetch_s2_batch(c, ids, s2_url, api_key=s2_api_key)[0]
                for i in range(0, len(s2_ids), s2_batch_size)]
    oa_calls = [lambda c, values=dois[i:i + openalex_batch_size]: openalex.fetch_openalex_works(
                    c, "doi:" + "|".join(values), openalex_url, api_key=openalex_api_key)
                for i in range(0, len(dois), openalex_batch_size)]
    responses, quarantine = [], []
    s2_papers = _collect(client_factory, S2, s2_calls, s2.RAW_COLUMNS, responses, quarantine, s2_api_key)
    works = _collect(client_factory, OPENALEX, oa_calls, openalex.RAW_COLUMNS, responses, quarantine)
    return EnrichmentBatch(s2_raw_rows(s2_papers), openalex_raw_rows(works), paper_metrics(papers, s2_papers, works),
                           responses, pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS))


def merge_enrichment(parts: list[EnrichmentBatch]) -> EnrichmentBatch:
    """One batch from the per-service passes (an empty one when no service was asked)."""
    if not parts:
        return build_enrichment(pd.DataFrame(columns=["paper_id", "title", "arxiv_id", "doi"]), None, None, None)
    join = lambda name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)  # noqa: E731
    return EnrichmentBatch(join("raw_s2"), join("raw_openalex"), join("metrics"),
                           [r for p in parts for r in p.responses], join("quarantine"))


def _collect(client_factory, source: str, calls: list, columns: list[str], responses: list, quarantine: list,
             s2_api_key: str | None = None) -> pd.DataFrame:
    """Run each call with one client; an answer that does not parse becomes a quarantine row."""
    frames = []
    if not calls:
        return pd.DataFrame(columns=columns + ["response_sha256"])
    with client_factory(source) as client:  # by source key, as fetch_bytes asks for 'epoch'
        if source == S2:  # S2 docs: 1 call/s with a key; anonymous pool about 1/min (SOURCES.md 1c)
            pace = s2.KEYED_INTERVAL_SECONDS if s2_api_key else s2.ANONYMOUS_INTERVAL_SECONDS
            client.min_interval_seconds = max(client.min_interval_seconds, pace)
        for call in calls:
            seen = len(client.responses)
            try:
                frame = call(client)
            except FetchError:
                raise
            except SourceError as err:
                quarantine.append(_quarantine_row(source, client.responses[seen:], err))
                continue
            # each record passes the service's own model (schemas/raw_*) before it lands; a bad one is quarantined
            model, key = PARSED_MODELS[source]
            frame, rejected = split_valid(frame, model, source, RAW_TABLES[source], key)
            quarantine.extend(rejected.to_dict("records"))
            by_url = {_keyless(r.url): r.sha256 for r in client.responses[seen:]}
            frames.append(frame.assign(response_sha256=[by_url.get(_keyless(u)) for u in frame["source_url"]]))
        responses.extend(client.drain_responses())
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns + ["response_sha256"])


def _quarantine_row(source: str, responses: list, err: SourceError) -> dict:
    last = responses[-1] if responses else None
    payload = {"url": last.url, "params": json.loads(last.params), "status": last.status,
               "body": last.text()[:MAX_PAYLOAD_CHARS]} if last else {}
    return {"source": source, "table_name": RAW_TABLES[source], "check_name": "payload_parses", "reason": str(err),
            "payload": json.dumps(payload, ensure_ascii=False), "record_key": last.url if last else None}


def _keyless(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query)))
