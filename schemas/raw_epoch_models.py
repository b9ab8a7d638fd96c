"""raw_epoch__models: Epoch AI's model database CSV as read, Epoch's column names and text.

Only the columns the pipeline reads are declared; Epoch's other columns pass through
unchecked (strict=False) so a new upstream column does not break the load.
"""

import pandera.pandas as pa
from pandera.typing import Series


def _text(name: str, description: str):
    return pa.Field(alias=name, nullable=True, description=description)


class RawEpochModel(pa.DataFrameModel):
    source_row: Series[int] = pa.Field(ge=1, unique=True, description="1-based record number after the header")
    model: Series[str] = _text("Model", "System name as Epoch writes it")
    publication_date: Series[str] = _text("Publication date", "YYYY-MM-DD as text")
    parameters: Series[str] = _text("Parameters", "Parameter count as text (plain or 1.75e+11)")
    training_compute_flop: Series[str] = _text("Training compute (FLOP)", "Training compute in FLOP, as text")
    training_time_hours: Series[str] = _text("Training time (hours)", "Wall-clock training hours, as text")
    training_hardware: Series[str] = _text("Training hardware", "Hardware names, comma-separated when several")
    hardware_quantity: Series[str] = _text("Hardware quantity", "Number of chips, as text")

    class Config:
        coerce = True
        strict = False


class RawEpochRecord(pa.DataFrameModel):
    """raw_epoch__models: one landed record, Epoch's columns untouched inside `record`."""

    record_key: Series[str] = pa.Field(unique=True, str_length={"min_value": 1}, description="Epoch's Model name")
    source_row: Series[int] = pa.Field(ge=1, description="Record number after the header in the file read")
    record: Series[str] = pa.Field(str_startswith="{", description="JSON object: Epoch column name -> cell text")
    source_location: Series[str] = pa.Field(description="URL or path read")
    file_sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the file")

    class Config:
        coerce = True
