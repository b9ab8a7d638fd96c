"""core__papers: one row per paper, deduplicated across sources."""

from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SLUG = r"[a-z0-9][a-z0-9_\-.]*"


class Paper(pa.DataFrameModel):
    paper_id: Series[str] = pa.Field(unique=True, str_matches=SLUG, description="Readable slug, e.g. brown2020_gpt3")
    title: Series[str] = pa.Field(str_length={"min_value": 1}, description="Title as published")
    published_date: Series[pd.Timestamp] = pa.Field(nullable=True, description="Date of the first public version; "
                                                    "null when the source gives none (kept out of date-based views)")
    url: Series[str] = pa.Field(nullable=True, str_matches=r"https?://\S+", description="Landing page of the paper")
    arxiv_id: Series[str] = pa.Field(nullable=True, str_matches=r"(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})",
                                     description="arXiv identifier without version")
    doi: Series[str] = pa.Field(nullable=True, str_matches=r"10\.\S+/\S+", description="DOI without the https://doi.org/ prefix")
    note: Series[str] = pa.Field(nullable=True, description="Curator's note, own words")
    source: Series[str] = pa.Field(description="Source that supplied the row (curated, arxiv, ...)")
    source_record: Series[str] = pa.Field(description="Where in the source the record came from (file name, API id)")
    # filled by the sources that have them, or afterwards by the pipeline's bookkeeping (warehouse/state.py)
    abstract: Optional[Series[str]] = pa.Field(nullable=True, description="Abstract, whitespace collapsed (arXiv)")
    categories: Optional[Series[str]] = pa.Field(nullable=True, description="arXiv categories, primary first")
    sources: Optional[Series[str]] = pa.Field(nullable=True, description="Every source that sent the paper, a JSON list")
    is_notable: Optional[Series[bool]] = pa.Field(nullable=True, description="Passes the notability filter")
    notability_reason: Optional[Series[str]] = pa.Field(nullable=True, description="Why it passes or fails the filter")

    @pa.dataframe_check(name="arxiv_id_unique", error="another paper has the same arxiv_id (one row per paper)")
    def arxiv_id_unique(cls, df):
        return ~(df["arxiv_id"].notna() & df["arxiv_id"].duplicated(keep=False))

    class Config:
        coerce = True
