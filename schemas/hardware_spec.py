"""ref__hardware_specs and ref__hardware_aliases: the curated accelerator table."""

from typing import Optional

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
    family: Series[str] = pa.Field(str_length={"min_value": 1}, description="The chip family analysts group by "
                                   "(A100, H100, TPU v4): one name for every form factor and memory size of a chip")

    class Config:
        coerce = True


class HardwareAlias(pa.DataFrameModel):
    """A name papers use for a chip or a multi-chip system; one row per (alias, date window)."""

    alias: Series[str] = pa.Field(description="Lower-case name as papers write it")
    hardware_id: Series[str] = pa.Field(description="ref__hardware_specs.hardware_id")
    chips_per_unit: Series[float] = pa.Field(nullable=True, gt=0, description="Spec-row units one of this name holds "
                                             "(DGX-1 = 8); blank = 1")
    valid_from: Series[pd.Timestamp] = pa.Field(nullable=True, description="Meaning applies to papers from this date")
    valid_to: Series[pd.Timestamp] = pa.Field(nullable=True, description="... and before this date")
    note: Series[str] = pa.Field(nullable=True)
    alias_key: Optional[Series[str]] = pa.Field(nullable=True, description="alias|valid_from: the warehouse key "
                                                "(warehouse/seeds.py with_alias_key)")

    @pa.dataframe_check(name="one_meaning_per_date")
    def one_meaning_per_date(cls, df: pd.DataFrame) -> pd.Series:
        """Rows sharing an alias must have disjoint, ordered date windows."""
        start = df["valid_from"].fillna(pd.Timestamp.min)
        end = df["valid_to"].fillna(pd.Timestamp.max)
        order = df.assign(_s=start, _e=end).sort_values(["alias", "_s"])
        prev_end = order.groupby("alias")["_e"].shift()
        ok = (prev_end.isna() | (order["_s"] >= prev_end)) & (order["_s"] < order["_e"])
        return ok.reindex(df.index)

    class Config:
        coerce = True
        unique = ["alias", "valid_from"]


class HardwareUnit(pa.DataFrameModel):
    """What one '<chip> <unit>' is worth in spec-row units (a K80 GPU is half a board)."""

    hardware_id: Series[str] = pa.Field(description="ref__hardware_specs.hardware_id")
    # 'system' and 'node' (issue 11): a Cerebras CS-2 is counted in systems, and a cluster node of one is one system
    # ('16 CS-2 nodes'); 'instance' for a cloud instance that holds a fixed number of chips.
    unit: Series[str] = pa.Field(isin=["gpu", "board", "card", "module", "gcd", "superchip", "chip", "core", "pod",
                                       "slice", "system", "node", "instance"])
    spec_units: Series[float] = pa.Field(gt=0, description="Spec-row units per one of this unit")
    is_default: Series[bool] = pa.Field(description="Applies when the text names no unit")
    note: Series[str] = pa.Field(nullable=True)
    source_url: Series[str] = pa.Field(str_matches=r"https?://\S+")

    class Config:
        coerce = True
        unique = ["hardware_id", "unit"]
