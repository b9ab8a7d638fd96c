"""raw_epoch__models: Epoch AI's model database CSV as landed: each row's cells, under Epoch's own
column names, inside `record` (sources/epoch_models.py checks the file's key columns)."""

import pandera.pandas as pa
from pandera.typing import Series


class RawEpochRecord(pa.DataFrameModel):
    """raw_epoch__models: one landed record, Epoch's columns untouched inside `record`."""

    record_key: Series[str] = pa.Field(unique=True, str_length={"min_value": 1}, description="Epoch's Model name")
    source_row: Series[int] = pa.Field(ge=1, description="Record number after the header in the file read")
    record: Series[str] = pa.Field(str_startswith="{", description="JSON object: Epoch column name -> cell text")
    source_location: Series[str] = pa.Field(description="URL or path read")
    file_sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the file")

    class Config:
        coerce = True
