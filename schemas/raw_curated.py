"""raw_curated__records: each curated YAML file as it was read."""

import pandera.pandas as pa
from pandera.typing import Series


class RawCuratedRecord(pa.DataFrameModel):
    source_file: Series[str] = pa.Field(unique=True, description="File name under the curated directory")
    sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="Hash of the file bytes")
    record: Series[str] = pa.Field(description="The parsed YAML as JSON, field names untouched")

    class Config:
        coerce = True
