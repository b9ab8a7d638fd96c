"""meta__fulltext_reads: a paper's full text read by `run --source fulltext` (the incremental record)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class FulltextRead(pa.DataFrameModel):
    paper_key: Series[str] = pa.Field(unique=True, str_matches=r"^arxiv:\S+$",
                                      description="arxiv:<id><vN>; a paper at a new version is a new key, read again")
    paper_id: Series[str] = pa.Field(description="core__papers.paper_id")
    arxiv_id: Series[str] = pa.Field(description="arXiv id without version")
    content_sha256: Series[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$",
                                           description="sha256 of the raw file read (its name in the cache)")
    kind: Series[str] = pa.Field(nullable=True, isin=["latex", "pdf"], description="What the file held")
    fact_count: Series[int] = pa.Field(ge=0, description="Facts found in the text, every role")
    run_count: Series[int] = pa.Field(ge=0, description="Candidate training runs built from them")
    refused_reason: Series[str] = pa.Field(nullable=True, description="check_name: reason when the file was refused")
    read_at: Series[pd.Timestamp] = pa.Field(description="When it was read (UTC)")
    pipeline_run_id: Series[str] = pa.Field(description="meta__run_log.pipeline_run_id of the run that read it")

    class Config:
        coerce = True
