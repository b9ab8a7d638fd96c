"""raw_semantic_scholar__papers: papers as the Semantic Scholar Graph API sent them, S2 field names."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class RawSemanticScholarPaper(pa.DataFrameModel):
    paperId: Series[str] = pa.Field(str_matches=r"[0-9a-f]{40}", description="S2's paper id (40-hex sha)")
    externalIds: Series[str] = pa.Field(description="externalIds object as JSON (ArXiv, DOI, CorpusId, DBLP, ...)")
    title: Series[str] = pa.Field(nullable=True, description="Title as S2 has it")
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True, in_range={"min_value": 1900, "max_value": 2100},
                                           description="Publication year")
    publicationDate: Series[str] = pa.Field(nullable=True, str_matches=r"\d{4}-\d{2}-\d{2}",
                                            description="Publication date, YYYY-MM-DD (often null for old papers)")
    venue: Series[str] = pa.Field(nullable=True, description="Venue name as S2 writes it ('' when unknown)")
    citationCount: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Citations S2 counts")
    influentialCitationCount: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0,
                                                               description="Citations S2 rates influential")
    url: Series[str] = pa.Field(nullable=True, str_matches=r"https?://\S+", description="S2 page of the paper")
    abstract: Series[str] = pa.Field(nullable=True, description="Abstract (often null for publisher papers)")
    authors: Series[str] = pa.Field(description="authors list [{authorId, name}] as JSON")
    fieldsOfStudy: Series[str] = pa.Field(nullable=True, str_startswith="[",
                                          description='fieldsOfStudy list as JSON, e.g. ["Computer Science"]')
    s2FieldsOfStudy: Series[str] = pa.Field(nullable=True, str_startswith="[",
                                            description="s2FieldsOfStudy list [{category, source}] as JSON")
    openAccessPdf: Series[str] = pa.Field(nullable=True, str_startswith="{",
                                          description="openAccessPdf object {url, status, ...} as JSON")
    arxiv_id: Series[str] = pa.Field(nullable=True, description="externalIds.ArXiv, e.g. 1706.03762")
    doi: Series[str] = pa.Field(nullable=True, description="externalIds.DOI, without https://doi.org/")
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+", description="Request that returned the row")

    class Config:
        coerce = True
        strict = True
