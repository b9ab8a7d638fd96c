"""raw_arxiv__entries: one row per Atom entry of arXiv's query API, arXiv's field names kept."""

import json

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$"
ATOM_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"


def read_json_list(text: object) -> list | None:
    """The list a JSON cell holds, or None when the cell is not a JSON list of strings."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, list) and all(isinstance(item, str) for item in value) else None


class RawArxivEntry(pa.DataFrameModel):
    id: Series[str] = pa.Field(unique=True, str_matches=r"https?://arxiv\.org/abs/\S+$",
                               description="Atom entry id: the abs page URL of this version")
    arxiv_id: Series[str] = pa.Field(str_matches=ARXIV_ID, description="arXiv identifier without version")
    version: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, description="Version number (the vN of the id)")
    title: Series[str] = pa.Field(str_length={"min_value": 1}, description="Title, whitespace collapsed")
    summary: Series[str] = pa.Field(nullable=True, description="Abstract, whitespace collapsed")
    published: Series[str] = pa.Field(str_matches=ATOM_TIME, description="Time of version 1, UTC, as arXiv sent it")
    updated: Series[str] = pa.Field(str_matches=ATOM_TIME, description="Time of this version, UTC, as arXiv sent it")
    authors: Series[str] = pa.Field(description="Author names in order, a JSON list")
    primary_category: Series[str] = pa.Field(str_matches=r"[a-zA-Z\-]+(\.[a-zA-Z\-]+)?$",
                                             description="arxiv:primary_category term, e.g. cs.LG")
    categories: Series[str] = pa.Field(description="All category terms, primary and cross-lists, a JSON list")
    doi: Series[str] = pa.Field(nullable=True, description="arxiv:doi, the published version's DOI")
    journal_ref: Series[str] = pa.Field(nullable=True, description="arxiv:journal_ref")
    comment: Series[str] = pa.Field(nullable=True, description="arxiv:comment (pages, venue, code URL)")
    pdf_url: Series[str] = pa.Field(nullable=True, str_matches=r"https?://\S+$", description="link title=pdf")
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+$", description="The API page the entry came from")
    response_sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64},
                                            description="Hash of that page's bytes (joins to the raw response)")

    @pa.check("authors", "categories", name="json_list_of_strings", element_wise=True,
              error="must be a JSON list of strings")
    def json_list_of_strings(cls, value: str) -> bool:
        return read_json_list(value) is not None

    @pa.dataframe_check(name="primary_category_listed", error="primary_category is not among categories")
    def primary_category_listed(cls, df: pd.DataFrame) -> pd.Series:
        listed = df["categories"].map(lambda text: read_json_list(text) or [])
        return pd.Series([p in cats for p, cats in zip(df["primary_category"], listed)], index=df.index)

    class Config:
        coerce = True
