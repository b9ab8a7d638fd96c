"""out_compute_estimates and out_compute_comparison."""

import pandera.pandas as pa
from pandera.typing import Series

METHODS = ["operations", "hardware", "reported"]


class ComputeEstimate(pa.DataFrameModel):
    run_id: Series[str] = pa.Field()
    method: Series[str] = pa.Field(isin=METHODS)
    assumption_set: Series[str] = pa.Field()
    flop: Series[float] = pa.Field(gt=0, description="Training compute, FLOP")
    flop_low: Series[float] = pa.Field(gt=0)
    flop_high: Series[float] = pa.Field(gt=0)
    pfs_days: Series[float] = pa.Field(gt=0, description="flop / 8.64e19")
    formula: Series[str] = pa.Field()
    inputs: Series[str] = pa.Field(description="JSON of the inputs the formula used")

    @pa.dataframe_check(name="interval_holds_estimate", error="flop must lie within [flop_low, flop_high]")
    def interval_holds_estimate(cls, df):
        return (df["flop_low"] <= df["flop"] * (1 + 1e-9)) & (df["flop"] <= df["flop_high"] * (1 + 1e-9))

    @pa.dataframe_check(name="one_estimate_per_method", error="two estimates for one run, method and assumption set")
    def one_estimate_per_method(cls, df):
        return ~df.duplicated(["run_id", "method", "assumption_set"], keep=False)

    class Config:
        coerce = True


class ComputeComparison(pa.DataFrameModel):
    run_id: Series[str] = pa.Field()
    assumption_set: Series[str] = pa.Field()
    operations_flop: Series[float] = pa.Field(nullable=True, gt=0)
    hardware_flop: Series[float] = pa.Field(nullable=True, gt=0)
    reported_flop: Series[float] = pa.Field(nullable=True, gt=0)
    ratio: Series[float] = pa.Field(nullable=True, gt=0, description="operations_flop / hardware_flop")
    is_flagged: Series[bool] = pa.Field()
    flag_reason: Series[str] = pa.Field(nullable=True)
    review_status: Series[str] = pa.Field(isin=["open", "not_flagged", "resolved", "stale"])
    best_flop: Series[float] = pa.Field(nullable=True, gt=0)
    best_method: Series[str] = pa.Field(nullable=True, isin=METHODS)
    best_reason: Series[str] = pa.Field(nullable=True)
    best_pfs_days: Series[float] = pa.Field(nullable=True, gt=0)

    @pa.dataframe_check(name="flag_has_reason", error="a flagged run needs a flag_reason")
    def flag_has_reason(cls, df):
        return ~df["is_flagged"] | df["flag_reason"].notna()

    class Config:
        coerce = True
