"""Hardware statements: extraction fills what a record leaves out; stated values win, conflicts show."""

import json

import pandas as pd

from flows.transform.ingest.core import build_curated_core
from warehouse.seeds import read_hardware_aliases

ALIASES = read_hardware_aliases()


def _core(*runs, published="2019-05-01"):
    record = {"paper_id": "p1", "title": "T", "published_date": published, "url": "https://example.org/p1",
              "runs": list(runs)}
    raw = pd.DataFrame({"source_file": ["p1.yaml"], "sha256": ["x"], "record": [json.dumps(record)]})
    rejects = pd.DataFrame(columns=["source_file", "check_name", "reason", "payload"])
    return build_curated_core(raw, rejects, ALIASES)


def _run(run_id, statement=None, hardware=None, **facts):
    run = {"run_id": run_id, "system": run_id, "domain": "language",
           "facts": {k: {"value": v, "where": "Section 1"} for k, v in facts.items()}}
    if hardware:
        run["hardware_text"] = hardware
    if statement:
        run["hardware_statement"] = {"text": statement, "where": "Section 4"}
    return run


def test_a_statement_alone_fills_chip_count_time_and_precision_with_spans():
    text = "We pre-train for roughly 11 days on 64 NVIDIA V100 GPUs in mixed precision with bf16 activations."
    core = _core(_run("only_text", text))
    run = core.runs.set_index("run_id").loc["only_text"]
    assert run["hardware_id"] in ("nvidia_v100", "nvidia_tesla_v100_sxm2_16gb")  # same chip, same figures
    assert (run["chip_count"], run["training_hours"], run["precision"]) == (64, 264, "mixed_bf16")
    assert "chip_count" in run["extracted_fields"] and "training_hours" in run["extracted_fields"]
    rows = core.extractions.set_index("field")
    assert set(rows["outcome"]) == {"filled"}
    for field, needle in (("chip_count", "64"), ("training_hours", "11 days"), ("hardware_text", "V100")):
        start, end = int(rows.at[field, "span_start"]), int(rows.at[field, "span_end"])
        assert needle in text[start:end] == rows.at[field, "span_text"]
    assert rows.at["chip_count", "where_in_source"] == "Section 4"
    assert rows.at["chip_count", "sentence"].startswith("We pre-train")


def test_stated_values_win_and_a_disagreement_stays_visible():
    core = _core(_run("both", "Training took 3 days on 16 A100 GPUs.", hardware="A100", chip_count=32))
    run = core.runs.set_index("run_id").loc["both"]
    assert run["chip_count"] == 32 and run["training_hours"] == 72  # stated kept, the gap filled
    assert run["extraction_conflicts"] == "chip_count: stated 32, text says 16"
    outcomes = core.extractions.set_index("field")["outcome"]
    assert outcomes["chip_count"] == "conflict: stated value kept" and outcomes["hardware_text"] == "agrees"


def test_a_statement_without_hardware_is_recorded_as_nothing_found():
    core = _core(_run("vague", "The model was trained on multiple GPUs with a large batch.", hardware="V100"))
    (row,) = core.extractions.to_dict("records")
    assert row["outcome"] == "nothing found" and pd.isna(row["sentence"])
    run = core.runs.set_index("run_id").loc["vague"]
    assert pd.isna(run["chip_count"]) and pd.isna(run["extracted_fields"])


def test_a_statement_joins_its_chip_with_a_count_and_time_from_other_sentences():
    text = "All experiments use A100 GPUs. The final run used up to 256 GPUs. Pre-training lasted 9 days."
    run = _core(_run("split", text)).runs.set_index("run_id").loc["split"]
    assert run["hardware_id"] == "nvidia_a100_sxm4_40gb" and run["hardware_text"] == "A100"
    assert (run["chip_count"], run["training_hours"]) == (256, 216)


def test_a_count_without_a_chip_name_never_becomes_the_hardware_name():
    run = _core(_run("generic", "We trained on 64 GPUs for several weeks.")).runs.set_index("run_id").loc["generic"]
    assert pd.isna(run["hardware_text"]) and pd.isna(run["hardware_id"]) and run["chip_count"] == 64
    # 'several weeks' is a 3-9 week range with no value; a run holds bounds only next to a value
    assert pd.isna(run["training_hours"]) and pd.isna(run["training_hours_low"]) and pd.isna(run["training_hours_high"])


def test_the_paper_date_picks_the_meaning_of_a_dated_name():
    text = "Each model trained on 4 Titan X cards for 2 days."
    early = _core(_run("r", text), published="2016-03-01").runs["hardware_id"].item()
    late = _core(_run("r", text), published="2017-03-01").runs["hardware_id"].item()
    assert (early, late) == ("nvidia_geforce_gtx_titan_x", "nvidia_geforce_gtx_titan_x_pascal")


def test_the_pipeline_reads_a_statement_with_its_text():
    """Rules that need the statement's text (largest model's count, per-machine count vs total) run in the pipeline."""
    text = "We fine-tune the 13B models on 32 A100 GPUs and the 70B models on 128 A100 GPUs."
    sizes = _core(_run("sizes", text)).runs.set_index("run_id").loc["sizes"]
    assert sizes["chip_count"] == 128
    text = "Our nodes are DGX-1 machines with 8 V100 GPUs. The final run took 30 hours on 256 GPUs."
    total = _core(_run("total", text), published="2018-06-01").runs.set_index("run_id").loc["total"]
    assert (total["chip_count"], total["training_hours"]) == (256, 30)
