"""Epoch's table mapped into core: ids, merges, fine-tunes, bad cells, units, and sources combined.

tests/fixtures/epoch/epoch_quirks.csv: 18 rows in Epoch's 57-column format, in our own words,
modelled on the real file's quirks (names that differ only by +, Greek letters or case; one model
listed twice; a base model and its fine-tune; no date or link; bounds without a point; a value
written twice; an unknown chip; a percentage; one complete row that the tests spoil cell by cell).
"""

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from schemas.registry import TABLES

from flows.settings import get_assumption_set
from flows.transform.compute.estimates import estimate_compute
from flows.transform.ingest.arxiv import build_arxiv_core
from flows.transform.ingest.core import build_curated_core
from flows.transform.ingest.epoch_batch import build_epoch_batch
from flows.transform.ingest.sources import deduplicate_papers
from sources.curated import read_curated_records
from sources.epoch_models import parse_epoch_models, split_epoch_models
from warehouse.seeds import CURATED_DIR, read_hardware_aliases, read_hardware_specs

QUIRKS = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "epoch_quirks.csv"
ALIASES = read_hardware_aliases()


def epoch_batch(data: bytes | None = None):
    raw = parse_epoch_models(data or QUIRKS.read_bytes(), "quirks.csv")
    ok, rejects = split_epoch_models(raw)
    return build_epoch_batch(raw[["source_row", "Model", "Publication date"]], [(ok, rejects)], "quirks.csv", "0" * 64, ALIASES, [])


@pytest.fixture(scope="module")
def batch():
    return epoch_batch()


def runs_by_system(batch) -> pd.DataFrame:
    return batch.core.runs.set_index("system")


@pytest.mark.parametrize("a, b", [("PointNet", "PointNet++"), ("Command R", "Command R+"), ("PanGu-Σ", "PanGu-α"),
                                  ("CALM", "CaLM")])
def test_models_that_differ_by_plus_greek_or_case_keep_their_own_ids(batch, a, b):
    runs = runs_by_system(batch)
    assert runs.loc[a, "run_id"] != runs.loc[b, "run_id"]
    assert batch.core.quarantine.query("check_name == 'field_uniqueness'").empty


def test_ids_stay_readable_and_only_a_case_clash_gets_a_hash(batch):
    runs = runs_by_system(batch)
    assert runs.loc["PointNet++", "run_id"] == "epoch__pointnet_plus_plus"
    assert runs.loc["Command R+", "run_id"] == "epoch__command_r_plus"
    assert runs.loc["PanGu-Σ", "run_id"] == "epoch__pangu_sigma"
    calm, calm_bio = runs.loc["CALM", "run_id"], runs.loc["CaLM", "run_id"]
    assert calm.startswith("epoch__calm_") and calm_bio.startswith("epoch__calm_") and len(calm) == len("epoch__calm_") + 6
    assert epoch_batch().core.runs.set_index("system").loc["CALM", "run_id"] == calm  # stable from one read to the next


def test_the_same_model_listed_twice_is_merged_and_counted(batch):
    orbit = batch.core.runs[batch.core.runs["system"] == "Orbit-7B"]
    assert len(orbit) == 1 and orbit["parameter_count"].iloc[0] == 7e9
    assert orbit["training_tokens"].iloc[0] == 2e12  # the later row's cell fills the first row's gap
    raw = next(c for c in batch.core.counts if c["table"] == "raw_epoch__models")
    assert (raw["rows_in"], raw["landed"], raw["merged"], raw["quarantined"]) == (18, 17, 1, 0)
    assert len(batch.raw) == 17 and batch.raw["record_key"].is_unique


def test_a_fine_tune_keeps_its_own_compute_and_the_total_counts_the_base_once(batch):
    runs = runs_by_system(batch)
    fin, base = runs.loc["LumenFin-13B"], runs.loc["Lumen-13B"]
    assert fin["base_run_id"] == base["run_id"] == "epoch__lumen_13b"
    assert fin["reported_flop"] == 8.0e18 and fin["reported_total_flop"] == 1.56008e23
    assert fin["reported_flop_source"] == "Epoch AI" and fin["reported_flop_confidence"] == "Confident"
    estimates, comparison = estimate_compute(batch.core.runs, read_hardware_specs(), get_assumption_set("epoch-2022"))
    row = comparison.set_index("run_id").loc["epoch__lumenfin_13b"]
    # the fine-tune's own figure against its own hardware (8 A100 x 3 h): no false flag
    assert not row["is_flagged"] and 1 / 3 < row["reported_hardware_ratio"] < 3
    # with_base_flop = fine-tune + base once: 8.0e18 + 1.56e23, not Epoch's total plus the base again
    assert row["with_base_flop"] == pytest.approx(8.0e18 + 1.56e23)
    reported = estimates.query("run_id == 'epoch__lumenfin_13b' and method == 'reported'").iloc[0]
    assert reported["formula"] == "estimated by Epoch AI (confidence: Confident; method: Hardware)"
    assert comparison.set_index("run_id").loc["epoch__lumenfin_13b", "best_reason"].startswith("Epoch AI estimates it")


def test_rows_without_date_or_link_land_and_quirky_cells_read(batch):
    runs, papers = runs_by_system(batch), batch.core.papers.set_index("paper_id")
    nodate = papers.loc[runs.loc["NoDate-LM", "paper_id"]]
    assert pd.isna(nodate["published_date"]) and pd.isna(nodate["url"])
    assert runs.loc["Bounded-S", "reported_flop"] == pytest.approx(math.sqrt(1e22 * 4e22))
    twice = runs.loc["Twice-Said"]
    assert twice["training_examples"] == 929000 and pd.isna(twice["training_tokens"]) and pd.isna(twice["dataset_tokens"])
    assert twice["dataset_size_unit"] == "datapoints"
    odd = runs.loc["Odd-Chip"]
    assert pd.isna(odd["hardware_id"]) and odd["chip_count"] == 4
    assert "quantum abacus 9000" in set(batch.core.hardware_names["name_key"])
    percent = runs.loc["Percent-MFU"]
    assert percent["utilization"] == pytest.approx(0.46) and percent["precision"] == "mixed_bf16"
    assert bool(percent["is_frontier"]) and percent["reported_cost_2023_usd"] == 120000
    assert papers.loc[percent["paper_id"], "url"] == "https://arxiv.org/abs/2210.01234"
    assert len(batch.core.runs) == 17 and batch.core.quarantine.empty


def test_operations_run_on_tokens_and_never_6nd_over_images(batch):
    estimates, _ = estimate_compute(batch.core.runs, read_hardware_specs(), get_assumption_set("epoch-2022"))
    ops = estimates[estimates["method"] == "operations"].set_index("run_id")
    # 6 x 1.3e9 parameters x 2.6e10 tokens x 1 epoch = 2.028e20
    assert ops.loc["epoch__nodate_lm", "flop"] == pytest.approx(2.028e20)
    # 6 x 2e9 x 1.5e11 tokens per epoch x 2 epochs = 3.6e21
    assert ops.loc["epoch__quirky_1", "flop"] == pytest.approx(3.6e21)
    # one pass when Epochs is empty: 6 x 7e9 x 2e12 = 8.4e22
    assert ops.loc["epoch__orbit_7b", "flop"] == pytest.approx(8.4e22)
    assert "epoch__twice_said" not in ops.index  # 929,000 images are not tokens


SPOILED = [  # (column, bad cell, training_runs or papers column left empty)
    ("Parameters", "two billion", "parameter_count"),
    ("Training compute (FLOP)", "3.6e21 or so", None),  # the bounds then give the point
    ("Training compute lower bound", "9e+21", "reported_flop_low"),  # above the figure itself
    ("Training dataset size (total)", "150000000000,90000000000", "dataset_tokens"),
    ("Epochs", "0", "epochs"),
    ("Batch size", "-4", "batch_size"),
    ("Training time (hours)", "five days", "training_hours"),
    ("Hardware quantity", "64 (A100)", "chip_count"),
    ("Training chip-hours", "inf", "chip_hours"),
    ("Hardware utilization (MFU)", "41", "utilization_from_hfu"),  # kept: HFU then stands in for MFU
    ("Hardware utilization (HFU)", "n/a", "hardware_utilization_hfu"),
    ("Training compute cost (2023 USD)", "$9k", "reported_cost_2023_usd"),
    ("Training power draw (W)", "50 kW", "training_power_draw_watts"),
    ("Publication date", "Sept 2021", "published_date"),
    ("Link", "see the blog", "url"),
]


def _spoil(column: str, bad: str) -> bytes:
    frame = pd.read_csv(QUIRKS, dtype=str, keep_default_na=False)
    frame.loc[frame["Model"] == "Quirky-1", column] = bad
    return frame.to_csv(index=False, lineterminator="\n").encode()


# the unit tier checks a number, a count range, a date and a link; tests/slow/test_epoch_cells.py runs
# every mapped column (each case maps the whole fixture again)
UNIT_SPOILED = [case for case in SPOILED if case[0] in ("Parameters", "Epochs", "Publication date", "Link")]


@pytest.mark.parametrize("column, bad, field", UNIT_SPOILED)
def test_a_bad_cell_costs_that_cell_not_the_row(column, bad, field):
    check_bad_cell(column, bad, field)


def check_bad_cell(column, bad, field):
    spoiled = epoch_batch(_spoil(column, bad))
    run = spoiled.core.runs.set_index("system").loc["Quirky-1"]
    table = spoiled.core.papers.set_index("paper_id").loc[run["paper_id"]] if field in ("published_date", "url") else run
    expected = {None: ("reported_flop", math.sqrt(2e21 * 6e21)), "utilization_from_hfu": ("utilization", 0.52)}
    if field in expected:
        assert run[expected[field][0]] == pytest.approx(expected[field][1])
    else:
        assert pd.isna(table[field])
    assert len(spoiled.core.runs) == 17  # the row landed with what is valid
    q = spoiled.core.quarantine
    assert len(q) == 1 and q["record_key"].iloc[0] == "Quirky-1"
    assert q["table_name"].iloc[0] in TABLES  # the physical table, as every quarantine row names it
    assert column in q["reason"].iloc[0] and "nan" not in q["reason"].iloc[0].lower().replace("n/a", "")
    assert json.loads(q["payload"].iloc[0])[column] == bad  # enough to fix and replay
    if field != "parameter_count":
        assert run["parameter_count"] == 2e9  # the other cells are kept


def test_a_row_without_a_model_is_the_only_one_quarantined_whole():
    frame = pd.read_csv(QUIRKS, dtype=str, keep_default_na=False)
    frame.loc[frame["Model"] == "Quirky-1", "Model"] = ""
    spoiled = epoch_batch(frame.to_csv(index=False, lineterminator="\n").encode())
    assert len(spoiled.core.runs) == 16
    q = spoiled.core.quarantine
    assert q[["table_name", "check_name", "reason"]].values.tolist() == [["raw_epoch__models", "model_present", "Model is empty"]]


def test_curated_epoch_and_arxiv_together_each_paper_keeps_its_own_runs():
    curated = build_curated_core(*read_curated_records(CURATED_DIR), ALIASES)
    epoch = epoch_batch().core
    entries = pd.DataFrame({"record_key": ["2303.10845", "2401.00001"], "record": [
        json.dumps({"title": "A trillion-parameter language model with sparse heterogeneous computing",
                    "published": "2023-03-20T00:00:00Z"}),
        json.dumps({"title": "An unrelated paper without a DOI", "published": "2024-01-01T00:00:00Z"})]})
    arxiv = build_arxiv_core(entries, ALIASES, {})
    before = {s: set(b.runs["run_id"]) for s, b in (("curated", curated), ("epoch", epoch))}
    deduplicate_papers([curated, epoch, arxiv], pd.DataFrame())
    papers = pd.concat([curated.papers, epoch.papers, arxiv.papers], ignore_index=True)
    assert papers["paper_id"].is_unique
    runs = pd.concat([curated.runs, epoch.runs], ignore_index=True)
    per_paper = runs.groupby("paper_id")["source"].agg(lambda s: set(s))
    assert all(len(sources) == 1 for sources in per_paper)  # no paper collects another source's runs
    assert runs.groupby("paper_id").size().max() <= max(curated.runs.groupby("paper_id").size().max(), 1)
    assert set(curated.runs["run_id"]) == before["curated"] and set(epoch.runs["run_id"]) == before["epoch"]
    # PanGu-Σ's paper came from Epoch first: arXiv's copy merges into it and the merge says so
    merged = next(c for c in arxiv.counts if c["table"] == "papers")
    assert merged["merged"] == 1 and merged["merged_across_sources"] == {"epoch": 1}
    assert len(arxiv.papers) == 1 and arxiv.papers["arxiv_id"].iloc[0] == "2401.00001"


@pytest.mark.parametrize("cell", ["5", "5.0", "1e22", "1.5E+3", ".5", "5.", "+2", "-3", "1,1", "1,2", "abc", "nan",
                                  "inf", "-inf", "1_000", "१२", "0x10", "3e400", "1e40", "12 345", "½", "1e-3"])
def test_the_fast_number_read_agrees_with_pandas_to_numeric(cell):
    """read_number reads plain decimals with float() (PLAIN_NUMBER) and everything else with pd.to_numeric;
    each part of a cell reads as pd.to_numeric alone would read it."""
    from flows.transform.ingest.epoch_cells import PLAIN_NUMBER

    for part in cell.split(","):
        if PLAIN_NUMBER.fullmatch(part):
            slow = pd.to_numeric(part, errors="coerce")
            assert float(part) == float(slow) or (math.isinf(float(part)) and math.isinf(float(slow)))
