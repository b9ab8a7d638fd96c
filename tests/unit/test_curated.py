"""The bundled curated records: all valid, and the appendix figures reproduce without Prefect."""

import json

import pytest

from flows.settings import get_assumption_set
from flows.transform.ingest.core import build_curated_core
from flows.transform.ingest.curated import flatten_curated
from flows.transform.compute.estimates import estimate_compute
from flows.transform.compute.units import flop_to_pfs_days
from warehouse.seeds import CURATED_DIR
from sources.curated import read_curated_records
from tests.conftest import APPENDIX_FIGURES, APPENDIX_TOLERANCE
from warehouse.seeds import read_hardware_aliases, read_hardware_specs


@pytest.fixture(scope="module")
def core():
    raw, rejects = read_curated_records(CURATED_DIR)
    return build_curated_core(raw, rejects, read_hardware_aliases())


def test_every_bundled_record_lands(core):
    assert core.quarantine.empty, core.quarantine[["record_key", "reason"]].to_dict("records")
    assert len(core.papers) >= 36 and len(core.runs) >= 36


def test_rows_in_equal_landed_plus_quarantined(core):
    for c in core.counts:
        assert c["rows_in"] == c["landed"] + c["quarantined"]


def test_every_fact_cites_its_place_in_the_paper(core):
    assert core.facts["where_in_source"].notna().all()


def test_landmark_runs_are_present(core):
    wanted = {"resnet50", "transformer_big", "bert_large", "gpt2_1_5b", "t5_11b", "gpt3_175b", "mtnlg_530b",
              "gopher_280b", "chinchilla_70b", "palm_540b", "opt_175b", "bloom_176b", "llama_65b", "llama2_70b",
              "llama31_405b", "falcon_180b", "deepseek_v3"}
    assert wanted <= set(core.runs["run_id"])
    landmark = core.runs.merge(core.papers, on="paper_id")
    years = landmark["published_date"].dt.year
    assert ((years >= 2015) & (years <= 2025)).sum() >= 25


@pytest.mark.parametrize("run_id,method,published", APPENDIX_FIGURES)
def test_appendix_figure_reproduces_within_ten_percent(core, run_id, method, published):
    estimates, _ = estimate_compute(core.runs, read_hardware_specs(), get_assumption_set("openai-2018"))
    row = estimates[(estimates["run_id"] == run_id) & (estimates["method"] == method)]
    assert len(row) == 1
    assert flop_to_pfs_days(row["flop"].iloc[0]) == pytest.approx(published, rel=APPENDIX_TOLERANCE)


def test_file_names_match_paper_ids():
    raw, _ = read_curated_records(CURATED_DIR)
    for name, record in zip(raw["source_file"], raw["record"]):
        assert name == json.loads(record)["paper_id"] + ".yaml"


def test_flatten_keeps_ranges_and_derives_forward_flop(tmp_path):
    (tmp_path / "p.yaml").write_text("""
paper_id: p
title: T
published_date: 2012-01-01
url: https://example.org
runs:
  - run_id: r
    system: S
    domain: vision
    facts:
      training_hours: {low: 120, high: 144, where: "Section 5"}
      forward_multiply_adds_per_example: {value: 7.5e+8, where: "Table 1"}
""")
    raw, _ = read_curated_records(tmp_path)
    _, runs, facts = flatten_curated(raw)
    assert runs.loc[0, "training_hours"] == 132.0
    assert (runs.loc[0, "training_hours_low"], runs.loc[0, "training_hours_high"]) == (120, 144)
    assert set(facts["fact"]) == {"training_hours", "forward_multiply_adds_per_example"}


def test_unreadable_yaml_is_rejected_with_its_text(tmp_path):
    (tmp_path / "bad.yaml").write_text("paper_id: [unclosed\n")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    raw, rejects = read_curated_records(tmp_path)
    assert raw.empty
    assert set(rejects["check_name"]) == {"yaml_parses", "record_is_mapping"}
    assert "unclosed" in rejects.set_index("source_file").loc["bad.yaml", "payload"]


def test_default_directory_is_bundled():
    assert CURATED_DIR.is_dir() and any(CURATED_DIR.glob("*.yaml"))
