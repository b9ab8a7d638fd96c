"""Enrichment tables: raw API records (raw_semantic_scholar__papers, raw_openalex__works) and
core__paper_metrics, what Semantic Scholar and OpenAlex say about each core paper."""

import json

from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.paper import SLUG
from schemas.raw_arxiv import ARXIV_ID, read_json_list

METRIC_SOURCES = ["semantic_scholar", "openalex"]


class RawApiRecord(pa.DataFrameModel):
    """One record as an API sent it: the parsed record as JSON under the service's field names."""

    record_key: Series[str] = pa.Field(unique=True, str_length={"min_value": 1},
                                       description="The service's id: S2 paperId or OpenAlex work URL")
    arxiv_id: Series[str] = pa.Field(nullable=True, str_matches=ARXIV_ID, description="arXiv id without version")
    doi: Series[str] = pa.Field(nullable=True, str_matches=r"10\.\S+/\S+", description="DOI without https://doi.org/")
    record: Series[str] = pa.Field(str_startswith="{", description="The record as a JSON object, field names untouched")
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+", description="Request that returned it (no key)")
    response_sha256: Series[str] = pa.Field(nullable=True, str_length={"min_value": 64, "max_value": 64},
                                            description="Hash of the response's bytes (joins to raw_http__responses)")

    @pa.check("record", name="record_is_json_object", element_wise=True, error="record must be a JSON object")
    def record_is_json_object(cls, value: str) -> bool:
        try:
            return isinstance(json.loads(value), dict)
        except (TypeError, ValueError):
            return False

    class Config:
        coerce = True


class PaperMetric(pa.DataFrameModel):
    """core__paper_metrics: one row per core paper and enrichment source."""

    paper_id: Series[str] = pa.Field(str_matches=SLUG, description="The core paper the record was matched to")
    source: Series[str] = pa.Field(isin=METRIC_SOURCES, description="Enrichment source")
    citation_count: Series[float] = pa.Field(nullable=True, ge=0, description="Citations the source counts")
    influential_citation_count: Series[float] = pa.Field(nullable=True, ge=0,
                                                         description="Citations S2 rates influential (S2 only)")
    venue: Series[str] = pa.Field(nullable=True, description="Venue as the source names it")
    fields_of_study: Series[str] = pa.Field(nullable=True, description="Fields of study, a JSON list of strings")
    open_access_pdf_url: Series[str] = pa.Field(nullable=True, str_matches=r"https?://\S+",
                                                description="An open-access PDF the source knows")
    source_record: Series[str] = pa.Field(str_length={"min_value": 1}, description="The raw record key it came from")
    checked_at: Optional[Series[pd.Timestamp]] = pa.Field(nullable=True, description="When the source was last asked "
                                                          "about the paper (set by warehouse/state.py)")

    @pa.check("fields_of_study", name="json_list_of_strings", element_wise=True,
              error="fields_of_study must be a JSON list of strings")
    def json_list_of_strings(cls, value) -> bool:
        return value is None or read_json_list(value) is not None

    @pa.dataframe_check(name="paper_source_unique", error="another row has the same paper_id and source")
    def paper_source_unique(cls, df: pd.DataFrame) -> pd.Series:
        return ~df.duplicated(["paper_id", "source"], keep=False)

    class Config:
        coerce = True
