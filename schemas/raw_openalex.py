"""raw_openalex__works: works as the OpenAlex API sent them, OpenAlex field names."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class RawOpenAlexWork(pa.DataFrameModel):
    id: Series[str] = pa.Field(str_matches=r"https://openalex\.org/W\d+", description="OpenAlex work URL")
    doi: Series[str] = pa.Field(nullable=True, str_matches=r"https://doi\.org/10\.\S+", description="DOI as a URL")
    title: Series[str] = pa.Field(nullable=True, description="Title")
    display_name: Series[str] = pa.Field(nullable=True, description="Title as OpenAlex displays it")
    publication_date: Series[str] = pa.Field(nullable=True, str_matches=r"\d{4}-\d{2}-\d{2}",
                                             description="Earliest publication date, YYYY-MM-DD")
    publication_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, in_range={"min_value": 1900, "max_value": 2100},
                                                       description="Publication year")
    cited_by_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0,
                                                     description="Citations OpenAlex counts (far too low for arXiv preprints)")
    type: Series[str] = pa.Field(nullable=True, description="Work type: article, preprint, ...")
    ids: Series[str] = pa.Field(nullable=True, description="ids object as JSON (openalex, doi, mag, pmid, pmcid)")
    primary_location: Series[str] = pa.Field(nullable=True, description="primary_location object as JSON")
    locations: Series[str] = pa.Field(nullable=True, description="locations list as JSON")
    authorships: Series[str] = pa.Field(nullable=True, description="authorships list as JSON")
    abstract: Series[str] = pa.Field(nullable=True, description="Rebuilt from abstract_inverted_index")
    arxiv_id: Series[str] = pa.Field(nullable=True, description="arXiv id from the arXiv DOI or an arxiv.org location")
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+", description="Request that returned the row (no api_key)")

    class Config:
        coerce = True
        strict = True
