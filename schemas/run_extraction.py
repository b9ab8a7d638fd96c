"""core__run_extractions: each value read from a run's hardware statement, with its span."""

import pandera.pandas as pa
from pandera.typing import Series

OUTCOMES = ["filled", "agrees", "conflict: stated value kept", "nothing found"]


class RunExtraction(pa.DataFrameModel):
    run_id: Series[str] = pa.Field(description="core__training_runs.run_id")
    field: Series[str] = pa.Field(description="Training-run column the value is for")
    extracted_value: Series[str] = pa.Field(nullable=True, description="What the text says")
    stated_value: Series[str] = pa.Field(nullable=True, description="What the record states itself, if anything")
    outcome: Series[str] = pa.Field(isin=OUTCOMES)
    span_start: Series[float] = pa.Field(nullable=True, ge=0, description="Character offset in hardware_statement")
    span_end: Series[float] = pa.Field(nullable=True, ge=0)
    span_text: Series[str] = pa.Field(nullable=True, description="The characters the value came from")
    sentence: Series[str] = pa.Field(nullable=True, description="The sentence holding the mention")
    where_in_source: Series[str] = pa.Field(nullable=True, description="Where the statement stands in the paper")
    source: Series[str] = pa.Field()

    @pa.dataframe_check(name="field_unique_per_run", error="a run has two extractions for one field")
    def field_unique_per_run(cls, df):
        return ~df.duplicated(["run_id", "field"], keep=False)

    class Config:
        coerce = True
