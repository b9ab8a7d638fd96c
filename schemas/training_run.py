"""core__training_runs: one row per training run, with the facts used by both methods."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

DOMAINS = ["language", "vision", "speech", "games", "multimodal", "biology", "robotics",
           "recommendation", "audio", "video", "mathematics", "other"]
PRECISIONS = ["fp32", "tf32", "fp16", "bf16", "fp8", "mixed_fp16", "mixed_bf16"]


def _positive(**kw):
    return pa.Field(nullable=True, gt=0, **kw)


# checked at the door and never stored: a row with any of them set goes to quarantine
DOOR_ONLY = ("unknown_hardware_text", "unknown_facts", "facts_missing_where", "range_problems")


class TrainingRun(pa.DataFrameModel):
    run_id: Series[str] = pa.Field(unique=True, str_matches=r"[a-z0-9][a-z0-9_\-.]*", description="Readable slug")
    paper_id: Series[str] = pa.Field(description="core__papers.paper_id")
    system: Series[str] = pa.Field(str_length={"min_value": 1}, description="Model or system name")
    domain: Series[str] = pa.Field(isin=DOMAINS, description="Broad field; picks Epoch's utilization default")
    parameter_count: Series[float] = _positive(description="Total parameters")
    parameter_count_low: Series[float] = _positive(description="Low end of a stated range of parameters")
    parameter_count_high: Series[float] = _positive(description="High end of a stated range of parameters")
    active_parameter_count: Series[float] = _positive(description="Parameters active per token (mixture-of-experts)")
    active_parameter_count_low: Series[float] = _positive(description="Low end of a stated range of active parameters")
    active_parameter_count_high: Series[float] = _positive(description="High end of a stated range of active parameters")
    training_tokens: Series[float] = _positive(description="Tokens seen in training, all epochs")
    training_tokens_low: Series[float] = _positive(description="Low end of a stated range of tokens seen")
    training_tokens_high: Series[float] = _positive(description="High end of a stated range of tokens seen")
    dataset_tokens: Series[float] = _positive(description="Tokens in the dataset (one epoch); tokens seen = dataset_tokens x epochs when training_tokens is not stated")
    dataset_tokens_low: Series[float] = _positive(description="Low end of a stated range of dataset tokens")
    dataset_tokens_high: Series[float] = _positive(description="High end of a stated range of dataset tokens")
    training_examples: Series[float] = _positive(description="Examples per epoch")
    training_examples_low: Series[float] = _positive(description="Low end of a stated range of examples per epoch")
    training_examples_high: Series[float] = _positive(description="High end of a stated range of examples per epoch")
    epochs: Series[float] = _positive(description="Passes over training_examples")
    epochs_low: Series[float] = _positive(description="Low end of a stated range of epochs")
    epochs_high: Series[float] = _positive(description="High end of a stated range of epochs")
    batch_size: Series[float] = _positive(description="Examples per optimizer step")
    batch_tokens: Series[float] = _positive(description="Tokens per optimizer step")
    forward_multiply_adds_per_example: Series[float] = _positive(description="Multiply-adds in one forward pass")
    forward_flop_per_example: Series[float] = _positive(description="FLOP in one forward pass (2 per multiply-add)")
    forward_flop_per_example_low: Series[float] = _positive(description="Low end of a stated range of forward FLOP")
    forward_flop_per_example_high: Series[float] = _positive(description="High end of a stated range of forward FLOP")
    hardware_text: Series[str] = pa.Field(nullable=True, description="Hardware as the source names it")
    hardware_id: Series[str] = pa.Field(nullable=True, description="ref__hardware_specs.hardware_id")
    hardware_confidence: Series[float] = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1})
    unknown_hardware_text: Series[str] = pa.Field(nullable=True, description="hardware_text that did not resolve")
    chip_count: Series[float] = _positive(description="Devices as counted in the spec table")
    chip_count_low: Series[float] = _positive(description="Low end of a stated range of devices")
    chip_count_high: Series[float] = _positive(description="High end of a stated range of devices")
    training_hours: Series[float] = _positive(description="Wall-clock training time, point value")
    training_hours_low: Series[float] = _positive(description="Low end of a stated time range")
    training_hours_high: Series[float] = _positive(description="High end of a stated time range")
    chip_hours: Series[float] = _positive(description="Device-hours as stated (already chips x time)")
    chip_hours_low: Series[float] = _positive(description="Low end of a stated range of device-hours")
    chip_hours_high: Series[float] = _positive(description="High end of a stated range of device-hours")
    precision: Series[str] = pa.Field(nullable=True, isin=PRECISIONS, description="Training precision stated")
    utilization: Series[float] = pa.Field(nullable=True, gt=0, le=1, description="Stated model FLOP utilization")
    reported_flop: Series[float] = _positive(description="Training compute the paper states")
    reported_flop_low: Series[float] = _positive(description="Low end of a stated range of reported FLOP")
    reported_flop_high: Series[float] = _positive(description="High end of a stated range of reported FLOP")
    peak_flop_per_second_override: Series[float] = _positive(description="Peak fixed by a cited analysis")
    utilization_override: Series[float] = pa.Field(nullable=True, gt=0, le=1, description="Utilization fixed by a cited analysis")
    hardware_multiplier: Series[float] = _positive(description="Extra factor a cited analysis applied to the hardware method")
    operations_multiplier: Series[float] = _positive(description="Extra factor a cited analysis applied to the operations method")
    ensemble_members: Series[float] = pa.Field(nullable=True, ge=1, description="Identical members trained; "
                                               "the facts describe one member and both methods sum over members")
    model_config: Series[str] = pa.Field(nullable=True, description="A bundled architecture config "
                                         "(warehouse/seeds/model_configs/<name>.json): operations counted from it")
    base_run_id: Series[str] = pa.Field(nullable=True, description="The run this one fine-tunes; its facts and "
                                        "estimates cover the fine-tuning only")
    reported_flop_source: Series[str] = pa.Field(nullable=True, description="Who states reported_flop: null for the "
                                                 "paper itself, 'Epoch AI' for Epoch's database")
    reported_flop_confidence: Series[str] = pa.Field(nullable=True, description="Epoch's Confidence in its figure")
    reported_flop_method: Series[str] = pa.Field(nullable=True, description="How Epoch estimated its figure (Operation "
                                                 "counting, Hardware, Reported, ...; comma-separated when several)")
    reported_total_flop: Series[float] = _positive(description="A fine-tune's figure including its base model's "
                                                   "pretraining (Epoch's Training compute); reported_flop is the fine-tune alone")
    base_model: Series[str] = pa.Field(nullable=True, description="The base model as the source names it")
    dataset_size_unit: Series[str] = pa.Field(nullable=True, isin=["tokens", "datapoints"],
                                              description="What the source's dataset size counts")
    hardware_utilization_hfu: Series[float] = pa.Field(nullable=True, gt=0, le=1, description="Stated hardware FLOP "
                                                       "utilization (counts recomputation; MFU <= HFU)")
    is_frontier: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="Epoch's frontier model flag")
    reported_cost_2023_usd: Series[float] = _positive(description="Training compute cost as the source reports it, 2023 USD")
    training_power_draw_watts: Series[float] = _positive(description="Training power draw as the source reports it")
    range_problems: Series[str] = pa.Field(nullable=True, description="Stated values outside their own range")
    multiplier_reason: Series[str] = pa.Field(nullable=True, description="Why each multiplier was applied")
    override_source: Series[str] = pa.Field(nullable=True, description="Citation for the overrides")
    unknown_facts: Series[str] = pa.Field(nullable=True, description="Fact names the format does not define")
    facts_missing_where: Series[str] = pa.Field(nullable=True, description="Facts given without their place in the paper")
    hardware_statement: Series[str] = pa.Field(nullable=True, description="The hardware sentence, as text, that "
                                                "extraction reads (see core__run_extractions)")
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

    @pa.check("range_problems", name="ranges_ordered", error="{value}")
    def ranges_ordered(cls, series):
        return series.isna()

    class Config:
        coerce = True
