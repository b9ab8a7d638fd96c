"""out__trends: the latest headline fit of log10(training compute) against publication date."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


def _rate(description: str):
    return pa.Field(nullable=True, gt=0, description=description)


class TrendFitRow(pa.DataFrameModel):
    assumption_set: Series[str] = pa.Field(unique=True, description="Assumption set the estimates were made under")
    estimate: Series[str] = pa.Field(isin=["best", "operations", "hardware", "reported"], description="Figure fitted")
    fitted_at: Series[pd.Timestamp] = pa.Field(description="When the fit was made (UTC)")
    pipeline_run_id: Series[str] = pa.Field(nullable=True, description="The run that made it")
    n: Series[int] = pa.Field(ge=3, description="Runs fitted")
    since: Series[pd.Timestamp] = pa.Field(description="First publication date fitted")
    until: Series[pd.Timestamp] = pa.Field(description="Last publication date fitted")
    growth_per_year: Series[float] = _rate("10**slope: training compute multiplies by this each year")
    growth_per_year_low: Series[float] = _rate("90% bootstrap interval, low end")
    growth_per_year_high: Series[float] = _rate("90% bootstrap interval, high end")
    doubling_months: Series[float] = _rate("12 log10(2) / slope; null when the fit shows no growth")
    doubling_months_low: Series[float] = _rate("90% bootstrap interval, low end")
    doubling_months_high: Series[float] = _rate("90% bootstrap interval, high end")
    r2: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Share of variance the line explains")
    segments: Series[str] = pa.Field(nullable=True, str_startswith="[", description="Eras (BIC breakpoints) as JSON")
    excluded_runs: Series[str] = pa.Field(nullable=True, str_startswith="{", description="Runs left out, by reason, as JSON")
    chart_path: Series[str] = pa.Field(nullable=True, description="The chart written next to the warehouse")

    class Config:
        coerce = True
        strict = True
