"""out__compute_estimates and out__compute_comparison."""

import pandera.pandas as pa
from pandera.typing import Series

METHODS = ["operations", "hardware", "reported"]
BEST_METHODS = [*METHODS, "geometric_mean", "review"]
THRESHOLD_VALUES = ["above", "possibly above", "below"]


def _flop(description: str = "", **kw):
    return pa.Field(nullable=True, gt=0, description=description, **kw)


class ComputeEstimate(pa.DataFrameModel):
    run_id: Series[str] = pa.Field()
    method: Series[str] = pa.Field(isin=METHODS)
    assumption_set: Series[str] = pa.Field()
    flop: Series[float] = pa.Field(gt=0, description="Training compute, FLOP")
    flop_low: Series[float] = pa.Field(gt=0)
    flop_high: Series[float] = pa.Field(gt=0)
    pfs_days: Series[float] = pa.Field(gt=0, description="flop / 8.64e19")
    formula: Series[str] = pa.Field()
    inputs: Series[str] = pa.Field(description="JSON of the inputs the formula used, with their ranges")
    uncertainty: Series[str] = pa.Field(nullable=True, description="The input ranges that widen [flop_low, flop_high]")
    hardware_burden_flop: Series[float] = pa.Field(nullable=True, gt=0, description="Hardware rows: chips x peak x "
                                                   "time without utilization (Thompson et al. 2020), FLOP")

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
    operations_flop: Series[float] = _flop()
    operations_flop_low: Series[float] = _flop()
    operations_flop_high: Series[float] = _flop()
    hardware_flop: Series[float] = _flop()
    hardware_flop_low: Series[float] = _flop()
    hardware_flop_high: Series[float] = _flop()
    hardware_burden_flop: Series[float] = _flop("chips x peak x time, no utilization")
    reported_flop: Series[float] = _flop()
    reported_flop_low: Series[float] = _flop()
    reported_flop_high: Series[float] = _flop()
    ratio: Series[float] = _flop("operations_flop / hardware_flop")
    log10_ratio: Series[float] = pa.Field(nullable=True)
    reported_operations_ratio: Series[float] = _flop()
    reported_hardware_ratio: Series[float] = _flop()
    is_flagged: Series[bool] = pa.Field()
    flag_reason: Series[str] = pa.Field(nullable=True)
    severity: Series[str] = pa.Field(nullable=True, isin=["high", "medium", "low"])
    review_status: Series[str] = pa.Field(isin=["open", "not_flagged", "resolved", "stale"])
    best_flop: Series[float] = _flop()
    best_flop_low: Series[float] = _flop()
    best_flop_high: Series[float] = _flop()
    best_method: Series[str] = pa.Field(nullable=True, isin=BEST_METHODS)
    best_reason: Series[str] = pa.Field(nullable=True)
    best_pfs_days: Series[float] = _flop("best_flop / 8.64e19")
    chip_hours: Series[float] = _flop("Device-hours: stated, else chips x hours")
    serial_steps: Series[float] = _flop("Optimizer steps: examples x epochs / batch size (or tokens / batch tokens)")
    threshold_1e25: Series[str] = pa.Field(nullable=True, isin=THRESHOLD_VALUES)
    threshold_1e26: Series[str] = pa.Field(nullable=True, isin=THRESHOLD_VALUES)
    base_run_id: Series[str] = pa.Field(nullable=True)
    with_base_flop: Series[float] = _flop("best_flop plus the base run's best_flop (fine-tuning runs)")
    inputs_fingerprint: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check(name="flag_has_reason", error="a flagged run needs a flag_reason")
    def flag_has_reason(cls, df):
        return ~df["is_flagged"] | df["flag_reason"].notna()

    @pa.dataframe_check(name="best_interval_holds_best", error="best_flop must lie within [best_flop_low, best_flop_high]")
    def best_interval_holds_best(cls, df):
        known = df["best_flop"].notna()
        inside = (df["best_flop_low"] <= df["best_flop"] * (1 + 1e-9)) & (df["best_flop"] <= df["best_flop_high"] * (1 + 1e-9))
        return ~known | inside

    class Config:
        coerce = True
