"""Enrichment from Semantic Scholar and OpenAlex (no Prefect here); flows/transform/notability.py uses it.

Papers with an arXiv id or a DOI are looked up in batches: S2's POST /paper/batch with ARXIV:/DOI:
ids, OpenAlex's /works with filter=doi:a|b|... (an arXiv paper's DOI is 10.48550/arXiv.<id>). Every
answer lands raw, the record under the service's own field names, and is matched to a core paper by
arXiv id, else DOI, else normalized title. An answer that does not parse is quarantined with its body
and the run goes on; a request that fails for good (FetchError) stops it, as for every other source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd

from flows.transform.sources_core import paper_keys, title_key
from schemas.validation import QUARANTINE_COLUMNS
from sources import openalex, semantic_scholar as s2
from sources.errors import SourceError
from sources.http import SECRET_PARAMS, FetchError

S2, OPENALEX = "semantic_scholar", "openalex"
SOURCE_NAMES = {S2: "Semantic Scholar", OPENALEX: "OpenAlex"}
RAW_TABLES = {S2: "raw_semantic_scholar__papers", OPENALEX: "raw_openalex__works"}
RAW_COLUMNS = ["record_key", "arxiv_id", "doi", "record", "source_url", "response_sha256"]
METRIC_COLUMNS = ["paper_id", "source", "citation_count", "influential_citation_count", "venue",
                  "fields_of_study", "open_access_pdf_url", "source_record"]
# OpenAlex docs: up to 50 values OR-ed with | in one filter (the 2026 developer docs allow 100).
OPENALEX_BATCH = 50
MAX_PAYLOAD_CHARS = 100_000  # a quarantined body is cut here: enough to see what went wrong


@dataclass
class EnrichmentBatch:
    """What one enrichment pass fetched: raw rows per service, matched metrics, responses, quarantine."""

    raw_s2: pd.DataFrame
    raw_openalex: pd.DataFrame
    metrics: pd.DataFrame
    responses: list = field(default_factory=list)  # sources.http.RawResponse, for raw_http_responses
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))


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


def paper_metrics(papers: pd.DataFrame, s2_papers: pd.DataFrame | None,
                  openalex_works: pd.DataFrame | None) -> pd.DataFrame:
    """core_paper_metrics rows: each enrichment record matched to a core paper by arXiv id, else DOI
    (case-insensitive, no https://doi.org/), else normalized title; unmatched records are left out.
    When several records match one paper, the strongest match wins, then the most cited."""
    index = {kind: {} for kind in ("arxiv", "doi", "title")}
    for pid, (arxiv, doi, title) in zip(papers["paper_id"], paper_keys(papers).itertuples(index=False)):
        for kind, key in (("arxiv", arxiv), ("doi", _bare_doi(doi)), ("title", title)):
            if key:
                index[kind].setdefault(key, pid)
    frames = [_match(_s2_metrics(s2_papers), index, S2) if s2_papers is not None and not s2_papers.empty else None,
              _match(_openalex_metrics(openalex_works), index, OPENALEX)
              if openalex_works is not None and not openalex_works.empty else None]
    frames = [f for f in frames if f is not None and not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=METRIC_COLUMNS)


def _s2_metrics(parsed: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "arxiv": parsed["arxiv_id"], "doi": parsed["doi"].map(_bare_doi), "title": parsed["title"].map(title_key),
        "citation_count": pd.to_numeric(parsed["citationCount"], errors="coerce"),
        "influential_citation_count": pd.to_numeric(parsed["influentialCitationCount"], errors="coerce"),
        "venue": parsed["venue"].map(_text),
        "fields_of_study": [_fields_of_study(a, b) for a, b in zip(parsed["fieldsOfStudy"], parsed["s2FieldsOfStudy"])],
        "open_access_pdf_url": [_text((_loads(t) or {}).get("url")) for t in parsed["openAccessPdf"]],
        "source_record": parsed["paperId"]})


def _openalex_metrics(parsed: pd.DataFrame) -> pd.DataFrame:
    primary = [_loads(text) or {} for text in parsed["primary_location"]]
    locations = [[p] + (_loads(text) or []) for p, text in zip(primary, parsed["locations"])]
    return pd.DataFrame({
        "arxiv": parsed["arxiv_id"], "doi": parsed["doi"].map(_bare_doi),
        "title": parsed["display_name"].fillna(parsed["title"]).map(title_key),
        "citation_count": pd.to_numeric(parsed["cited_by_count"], errors="coerce"),
        "influential_citation_count": None,
        "venue": [_text((p.get("source") or {}).get("display_name")) for p in primary],
        "fields_of_study": None,  # topics are not in the raw frame (sources/openalex.py keeps no topics)
        "open_access_pdf_url": [next((_text(l.get("pdf_url")) for l in locs if isinstance(l, dict)
                                      and _text(l.get("pdf_url"))), None) for locs in locations],
        "source_record": parsed["id"]}, index=parsed.index)


def _match(metrics: pd.DataFrame, index: dict, source: str) -> pd.DataFrame:
    hits = [next(((rank, index[kind][key]) for rank, (kind, key) in enumerate(zip(index, keys))
                  if isinstance(key, str) and key in index[kind]), (None, None))
            for keys in zip(metrics["arxiv"], metrics["doi"], metrics["title"])]
    matched = metrics.assign(match_rank=[h[0] for h in hits], paper_id=[h[1] for h in hits], source=source)
    matched = matched[matched["paper_id"].notna()].sort_values(
        ["match_rank", "citation_count"], ascending=[True, False], kind="stable")
    return matched.drop_duplicates("paper_id")[METRIC_COLUMNS].reset_index(drop=True)


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


def _lookup_ids(papers: pd.DataFrame, limit: int | None) -> tuple[list[str], list[str]]:
    """S2 ids (ARXIV:<id>, else DOI:<doi>) and OpenAlex DOI filter values (arXiv's DOI, else the DOI)."""
    doi = papers["doi"] if "doi" in papers else pd.Series(None, index=papers.index, dtype=object)
    wanted = papers["arxiv_id"].notna() | doi.notna()
    pairs = list(zip(papers.loc[wanted, "arxiv_id"], doi[wanted]))[:limit or None]
    s2_ids = [f"ARXIV:{a}" if isinstance(a, str) else f"DOI:{d}" for a, d in pairs]
    dois = [f"10.48550/arxiv.{a}".lower() if isinstance(a, str) else _bare_doi(d) for a, d in pairs]
    return s2_ids, [d for d in dict.fromkeys(dois) if d and not set(d) & set(",|")]  # , | would break the filter


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


def _bare_doi(value) -> str | None:
    if not isinstance(value, str):
        return None
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip().lower()) or None


def _fields_of_study(fields: str | None, s2_fields: str | None) -> str | None:
    names = list(_loads(fields) or []) + [f.get("category") for f in _loads(s2_fields) or [] if isinstance(f, dict)]
    names = list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    return json.dumps(names) if names else None


def _loads(value):
    """A JSON cell decoded (a list or dict passes as is); None for anything else."""
    return json.loads(value) if isinstance(value, str) else value if isinstance(value, (list, dict)) else None


def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _plain(value):
    """A cell as JSON can hold it: NaN/NA as null, numpy scalars as Python ones."""
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
