"""core__run_facts: every stated fact of a run with where it stands in its source."""

import pandera.pandas as pa
from pandera.typing import Series


class RunFact(pa.DataFrameModel):
    run_id: Series[str] = pa.Field(description="core__training_runs.run_id")
    fact: Series[str] = pa.Field(description="Fact name, e.g. chip_count")
    value: Series[str] = pa.Field(nullable=True, description="The value as the source gives it (JSON)")
    low: Series[float] = pa.Field(nullable=True, description="Low end of a stated range")
    high: Series[float] = pa.Field(nullable=True, description="High end of a stated range")
    where_in_source: Series[str] = pa.Field(nullable=True, description="Section, table or page; text span for extracted values")
    note: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field()

    @pa.dataframe_check(name="fact_unique_per_run", error="a source states the same fact of a run twice")
    def fact_unique_per_run(cls, df):
        return ~df.duplicated(["run_id", "fact", "source"], keep=False)

    class Config:
        coerce = True
