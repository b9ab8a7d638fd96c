"""ref_hardware_specs and ref_hardware_aliases: the curated accelerator table."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

KINDS = ["gpu", "tpu", "cpu", "other"]
PEAK_FIELDS = ["fp64", "fp32", "tf32", "fp16", "fp16_tensor", "bf16", "fp8"]


def _rate(description: str):
    return pa.Field(nullable=True, gt=0, description=description)


class HardwareSpec(pa.DataFrameModel):
    hardware_id: Series[str] = pa.Field(unique=True, str_matches=r"[a-z0-9_]+", description="Readable slug")
    name: Series[str] = pa.Field(description="Display name")
    vendor: Series[str] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(isin=KINDS)
    release_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    fp64_flop_per_second: Series[float] = _rate("Dense FP64 peak per device")
    fp32_flop_per_second: Series[float] = _rate("Dense FP32 (non-tensor) peak per device")
    tf32_flop_per_second: Series[float] = _rate("Dense TF32 tensor peak per device")
    fp16_flop_per_second: Series[float] = _rate("Dense FP16 non-tensor peak per device")
    fp16_tensor_flop_per_second: Series[float] = _rate("Dense FP16 tensor peak, FP32 accumulate")
    bf16_flop_per_second: Series[float] = _rate("Dense BF16 tensor peak, FP32 accumulate")
    fp8_flop_per_second: Series[float] = _rate("Dense FP8 tensor peak")
    int8_op_per_second: Series[float] = _rate("Dense INT8 peak, operations per second")
    memory_bytes: Series[float] = pa.Field(nullable=True, gt=0)
    devices_per_board: Series[float] = pa.Field(nullable=True, gt=0)
    epoch_name: Series[str] = pa.Field(nullable=True, description="Epoch AI 'Hardware name' when the row comes from Epoch")
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+", description="Where the figures come from")
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True


class HardwareAlias(pa.DataFrameModel):
    alias: Series[str] = pa.Field(unique=True, description="Lower-case name as papers write it")
    hardware_id: Series[str] = pa.Field(description="ref_hardware_specs.hardware_id")
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
