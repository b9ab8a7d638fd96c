"""Enrichment from Semantic Scholar and OpenAlex, the pure part (flows/fetch.py asks the services):
which ids to look up, and each answer matched to a core paper by arXiv id, else DOI, else
normalized title. flows/transform/papers/notability.py uses the metrics."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from flows.transform.ingest.sources import paper_keys, title_key
from schemas.validation import QUARANTINE_COLUMNS

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
    responses: list = field(default_factory=list)  # sources.http.RawResponse, for raw_http__responses
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))


def paper_metrics(papers: pd.DataFrame, s2_papers: pd.DataFrame | None,
                  openalex_works: pd.DataFrame | None) -> pd.DataFrame:
    """core__paper_metrics rows: each enrichment record matched to a core paper by arXiv id, else DOI
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


def _lookup_ids(papers: pd.DataFrame, limit: int | None) -> tuple[list[str], list[str]]:
    """S2 ids (ARXIV:<id>, else DOI:<doi>) and OpenAlex DOI filter values (arXiv's DOI, else the DOI)."""
    doi = papers["doi"] if "doi" in papers else pd.Series(None, index=papers.index, dtype=object)
    wanted = papers["arxiv_id"].notna() | doi.notna()
    pairs = list(zip(papers.loc[wanted, "arxiv_id"], doi[wanted]))[:limit or None]
    s2_ids = [f"ARXIV:{a}" if isinstance(a, str) else f"DOI:{d}" for a, d in pairs]
    dois = [f"10.48550/arxiv.{a}".lower() if isinstance(a, str) else _bare_doi(d) for a, d in pairs]
    return s2_ids, [d for d in dict.fromkeys(dois) if d and not set(d) & set(",|")]  # , | would break the filter


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
