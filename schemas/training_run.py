"""core_training_runs: one row per training run, with the facts used by both methods."""

import pandera.pandas as pa
from pandera.typing import Series

DOMAINS = ["language", "vision", "speech", "games", "multimodal", "biology", "robotics",
           "recommendation", "audio", "video", "mathematics", "other"]
PRECISIONS = ["fp32", "tf32", "fp16", "bf16", "fp8", "mixed_fp16", "mixed_bf16"]


def _positive(**kw):
    return pa.Field(nullable=True, gt=0, **kw)


class TrainingRun(pa.DataFrameModel):
    run_id: Series[str] = pa.Field(unique=True, str_matches=r"[a-z0-9][a-z0-9_\-.]*", description="Readable slug")
    paper_id: Series[str] = pa.Field(description="core_papers.paper_id")
    system: Series[str] = pa.Field(str_length={"min_value": 1}, description="Model or system name")
    domain: Series[str] = pa.Field(isin=DOMAINS, description="Broad field; picks Epoch's utilization default")
    parameter_count: Series[float] = _positive(description="Total parameters")
    active_parameter_count: Series[float] = _positive(description="Parameters active per token (mixture-of-experts)")
    training_tokens: Series[float] = _positive(description="Tokens seen in training, all epochs")
    training_examples: Series[float] = _positive(description="Examples per epoch")
    epochs: Series[float] = _positive(description="Passes over training_examples")
    batch_size: Series[float] = _positive(description="Examples per optimizer step")
    batch_tokens: Series[float] = _positive(description="Tokens per optimizer step")
    forward_multiply_adds_per_example: Series[float] = _positive(description="Multiply-adds in one forward pass")
    forward_flop_per_example: Series[float] = _positive(description="FLOP in one forward pass (2 per multiply-add)")
    hardware_text: Series[str] = pa.Field(nullable=True, description="Hardware as the source names it")
    hardware_id: Series[str] = pa.Field(nullable=True, description="ref_hardware_specs.hardware_id")
    hardware_confidence: Series[float] = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1})
    unknown_hardware_text: Series[str] = pa.Field(nullable=True, description="hardware_text that did not resolve")
    chip_count: Series[float] = _positive(description="Devices as counted in the spec table")
    training_hours: Series[float] = _positive(description="Wall-clock training time, point value")
    training_hours_low: Series[float] = _positive(description="Low end of a stated time range")
    training_hours_high: Series[float] = _positive(description="High end of a stated time range")
    chip_hours: Series[float] = _positive(description="Device-hours as stated (already chips x time)")
    precision: Series[str] = pa.Field(nullable=True, isin=PRECISIONS, description="Training precision stated")
    utilization: Series[float] = pa.Field(nullable=True, gt=0, le=1, description="Stated model FLOP utilization")
    reported_flop: Series[float] = _positive(description="Training compute the paper states")
    peak_flop_per_second_override: Series[float] = _positive(description="Peak fixed by a cited analysis")
    utilization_override: Series[float] = pa.Field(nullable=True, gt=0, le=1, description="Utilization fixed by a cited analysis")
    hardware_multiplier: Series[float] = _positive(description="Extra factor a cited analysis applied to the hardware method")
    operations_multiplier: Series[float] = _positive(description="Extra factor a cited analysis applied to the operations method")
    multiplier_reason: Series[str] = pa.Field(nullable=True, description="Why each multiplier was applied")
    override_source: Series[str] = pa.Field(nullable=True, description="Citation for the overrides")
    unknown_facts: Series[str] = pa.Field(nullable=True, description="Fact names the format does not define")
    facts_missing_where: Series[str] = pa.Field(nullable=True, description="Facts given without their place in the paper")
    hardware_statement: Series[str] = pa.Field(nullable=True, description="The hardware sentence, as text, that "
                                                "extraction reads (see core_run_extractions)")
    extracted_fields: Series[str] = pa.Field(nullable=True, description="Columns filled from hardware_statement")
    extraction_conflicts: Series[str] = pa.Field(nullable=True, description="Where the statement disagrees with a "
                                                  "stated value (the stated value is kept)")
    source: Series[str] = pa.Field(description="Source that supplied the row")
    source_record: Series[str] = pa.Field(description="Where in the source the record came from")

    @pa.check("unknown_hardware_text", name="hardware_resolves",
              error="hardware {value!r} is not in the spec table or its aliases")
    def hardware_resolves(cls, series):
        return series.isna()

    @pa.check("unknown_facts", name="facts_known",
              error="unknown fact name(s) {value}; see warehouse/seeds/curated/README.md")
    def facts_known(cls, series):
        return series.isna()

    @pa.check("facts_missing_where", name="facts_cited",
              error="fact(s) {value} give no place in the paper ('where')")
    def facts_cited(cls, series):
        return series.isna()

    @pa.dataframe_check(name="time_range_ordered", error="training_hours must lie within [training_hours_low, training_hours_high]")
    def time_range_ordered(cls, df):
        low = df["training_hours_low"].fillna(df["training_hours"])
        high = df["training_hours_high"].fillna(df["training_hours"])
        return df["training_hours"].isna() | ((low <= df["training_hours"]) & (df["training_hours"] <= high))

    class Config:
        coerce = True
