"""`run --source fulltext` without the flow: which papers are read, how candidate runs map onto the
warehouse's runs, how full-text facts fill gaps without overwriting stated values, how a conflict reaches
the review queue, and the options' one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from flows.transform.compute.estimates import flag_source_conflicts
from flows.transform.papers.fulltext_merge import fill_from_fulltext, map_candidate_runs
from flows.transform.papers.fulltext_selection import paper_key, select_fulltext_papers
from tests.cli_runner import run_cli
from warehouse.seeds import read_hardware_aliases


def candidates(**overrides) -> pd.DataFrame:
    base = {"paper_id": ["a", "b", "c", "d"], "arxiv_id": ["2501.00001", "2501.00002", "2501.00003", "2501.00004"],
            "version": [None, 2, None, None], "title": ["A", "B", "C", "D"], "published_date": [None] * 4,
            "is_notable": [True] * 4, "run_count": [1, 0, 1, 1], "has_hardware": [False, False, True, True],
            "has_size": [True, False, True, False], "read_keys": [[], [], [], []]}
    return pd.DataFrame(base | overrides)


def test_notable_papers_lacking_hardware_or_size_are_chosen_with_their_reason():
    chosen, unknown = select_fulltext_papers(candidates(), {"a", "b", "c", "d"})
    assert [(p["paper_id"], p["reason"]) for p in chosen] == [
        ("a", "notable, runs lack hardware"), ("b", "notable, runs lack hardware and size"),
        ("d", "notable, runs lack size")]
    assert chosen[1]["key"] == "arxiv:2501.00002v2" and unknown == []


def test_a_paper_not_notable_is_left_unless_named():
    chosen, _ = select_fulltext_papers(candidates(), {"b"})
    assert [p["paper_id"] for p in chosen] == ["b"]
    chosen, _ = select_fulltext_papers(candidates(), {"b"}, ("2501.00003", "nosuch"))
    assert [(p["paper_id"], p["reason"]) for p in chosen] == [("c", "named with --paper-id"), ("b", "notable, runs lack hardware and size")]


def test_a_paper_read_at_its_version_is_skipped_a_new_version_is_read_and_a_named_one_always():
    read = candidates(read_keys=[["arxiv:2501.00001"], ["arxiv:2501.00002v1"], [], []])
    chosen, _ = select_fulltext_papers(read, {"a", "b", "d"})
    assert [p["paper_id"] for p in chosen] == ["b", "d"]  # b: v1 was read, v2 is new
    chosen, unknown = select_fulltext_papers(read, {"a", "b", "d"}, ("a", "zz"))
    assert [p["paper_id"] for p in chosen][0] == "a" and unknown == ["zz"]
    assert len(select_fulltext_papers(read, {"a", "b", "d"}, limit=1)[0]) == 1


def test_paper_key_carries_the_version():
    assert paper_key("2501.00001", 3) == "arxiv:2501.00001v3" == paper_key("2501.00001", "v3") == paper_key("2501.00001", 3.0)
    assert paper_key("cs/0112017", float("nan")) == "arxiv:cs/0112017"


def run_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_one_candidate_and_one_run_map_several_sizes_match_by_parameters_else_a_run_of_their_own():
    existing = run_frame([{"run_id": "solo", "paper_id": "p1", "parameter_count": None, "source": "curated"},
                          {"run_id": "small", "paper_id": "p2", "parameter_count": 1.3e9, "source": "curated"},
                          {"run_id": "big", "paper_id": "p2", "parameter_count": 6.74e9, "source": "epoch"}])
    found = run_frame([{"run_id": "p1__fulltext__main", "paper_id": "p1", "parameter_count": None},
                       {"run_id": "p2__fulltext__6.7b", "paper_id": "p2", "parameter_count": 6.7e9},
                       {"run_id": "p2__fulltext__13b", "paper_id": "p2", "parameter_count": 13e9},
                       {"run_id": "p3__fulltext__main", "paper_id": "p3", "parameter_count": 2e8}])
    facts = run_frame([{"run_id": r, "fact": "chip_count"} for r in found["run_id"]])
    own, mapped_facts, mapping = map_candidate_runs(found, facts, existing)
    assert mapping == {"p1__fulltext__main": "solo", "p2__fulltext__6.7b": "big"}  # 6.7B is 6.74e9 within 5%
    assert own["run_id"].tolist() == ["p2__fulltext__13b", "p3__fulltext__main"]
    assert mapped_facts["run_id"].tolist() == ["solo", "big", "p2__fulltext__13b", "p3__fulltext__main"]


def fulltext_fact(run_id, fact, value, where="Setup; main.tex; chars 0-9 of: a sentence", low=None, high=None):
    return {"run_id": run_id, "fact": fact, "value": json.dumps(value), "low": low, "high": high,
            "where_in_source": where, "note": "role training", "source": "fulltext"}


@pytest.fixture(scope="module")
def aliases():
    return read_hardware_aliases()


def test_full_text_fills_gaps_and_never_overwrites_a_stated_value(aliases):
    runs = run_frame([{"run_id": "r", "paper_id": "p", "source": "curated", "hardware_text": None, "hardware_id": None,
                       "chip_count": 128.0, "training_hours": None, "parameter_count": 6e8,
                       "extracted_fields": None, "extraction_conflicts": None}])
    facts = run_frame([fulltext_fact("r", "hardware", "TPU v3"), fulltext_fact("r", "chip_count", 64),
                       fulltext_fact("r", "training_hours", 96, low=90, high=100),
                       fulltext_fact("r", "parameter_count", 6.02e8)])
    filled, conflicts = fill_from_fulltext(runs, facts, aliases)
    row = filled.iloc[0]
    assert (row["hardware_text"], row["hardware_id"], row["training_hours"], row["training_hours_low"]) == \
        ("TPU v3", "google_tpu_v3", 96, 90)
    assert row["chip_count"] == 128.0 and row["parameter_count"] == 6e8  # stated values win (6.02e8 agrees within 5%)
    assert row["extracted_fields"] == "hardware_text (fulltext), training_hours (fulltext)"
    assert conflicts[["run_id", "column", "stated_value", "fulltext_value", "stated_source"]].values.tolist() == \
        [["r", "chip_count", "128.0", "64", "curated"]]
    assert row["extraction_conflicts"] == "fulltext states chip_count 64 where curated states 128.0 (kept)"


def test_filling_again_is_idempotent_and_a_new_full_text_value_replaces_its_own_earlier_fill(aliases):
    runs = run_frame([{"run_id": "r", "paper_id": "p", "source": "epoch", "chip_count": None, "hardware_text": "V100",
                       "hardware_id": "nvidia_v100_sxm2_32gb", "extracted_fields": None, "extraction_conflicts": None}])
    once, _ = fill_from_fulltext(runs, run_frame([fulltext_fact("r", "chip_count", 8),
                                                  fulltext_fact("r", "hardware", "NVIDIA V100")]), aliases)
    twice, conflicts = fill_from_fulltext(once, run_frame([fulltext_fact("r", "chip_count", 16)]), aliases)
    assert once.iloc[0]["chip_count"] == 8 and twice.iloc[0]["chip_count"] == 16 and conflicts.empty
    assert twice.iloc[0]["extracted_fields"] == "chip_count (fulltext)"


def test_runs_of_the_fulltext_source_and_runs_without_facts_are_left_alone(aliases):
    runs = run_frame([{"run_id": "own", "paper_id": "p", "source": "fulltext", "chip_count": None},
                      {"run_id": "other", "paper_id": "q", "source": "curated", "chip_count": None}])
    filled, conflicts = fill_from_fulltext(runs, run_frame([fulltext_fact("own", "chip_count", 4)]), aliases)
    assert filled["chip_count"].isna().all() and conflicts.empty


def test_a_source_conflict_opens_a_review_with_both_values():
    comparison = pd.DataFrame({"run_id": ["r", "s"], "is_flagged": [False, True], "flag_reason": [None, "ratio 9"],
                               "severity": [None, "high"], "review_status": ["not_flagged", "open"]})
    conflicts = pd.DataFrame([{"run_id": "r", "fact": "chip_count", "column": "chip_count", "stated_value": "128",
                               "fulltext_value": "64", "stated_source": "curated", "where_in_source": "Setup"},
                              {"run_id": "s", "fact": "precision", "column": "precision", "stated_value": "fp32",
                               "fulltext_value": "bf16", "stated_source": "epoch", "where_in_source": "Table 2"}])
    flagged = flag_source_conflicts(comparison, conflicts).set_index("run_id")
    assert flagged.loc["r", ["is_flagged", "severity", "review_status"]].tolist() == [True, "low", "open"]
    assert flagged.loc["r", "flag_reason"] == "source conflict: fulltext states chip_count 64 (Setup), curated states 128"
    assert flagged.loc["s", "severity"] == "high" and flagged.loc["s", "flag_reason"].startswith("ratio 9; source conflict")


@pytest.mark.parametrize("args,fragment", [
    (["--paper-id", "x"], "--paper-id is only read with --source fulltext"),
    (["--fulltext-url", "http://127.0.0.1:9"], "--fulltext-url is only read with --source fulltext"),
    (["--workers", "2"], "--workers is only read with --source fulltext"),
    (["--source", "fulltext", "--workers", "0"], "argument --workers: expected a number >= 1, got 0"),
    (["--source", "fulltext", "--workers", "many"], "argument --workers: expected a whole number, got 'many'"),
    (["--source", "fulltext", "--dask-address", "localhost:8786"], "must look like tcp://host:port, got 'localhost:8786'"),
    (["--source", "fulltext", "--dask-address", "tcp://h:99999"], "must look like tcp://host:port"),
    (["--source", "fulltext", "--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"],
     "argument --dask-address: not allowed with argument --workers"),
    (["--source", "fulltext", "--fulltext-url", "ftp://mirror"], "--fulltext-url must be an http(s) URL"),
    (["--source", "fulltext", "--fulltext-dir", "no/such/folder"], "--fulltext-dir: no folder at no/such/folder"),
])
def test_bad_fulltext_options_are_one_line(args, fragment, tmp_path):
    result = run_cli("run", "--warehouse", tmp_path / "w.duckdb", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flopledger: error: "), result.stderr
    assert fragment in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_candidates_join_the_warehouse_and_this_run_and_ignore_fulltexts_own_runs():
    from flows.transform.papers.fulltext_selection import candidate_papers

    stored = pd.DataFrame({"paper_id": ["old", "noarxiv"], "arxiv_id": ["2401.00001", None], "title": ["Old", "No id"],
                           "published_date": ["2024-01-02", "2024-01-03"], "is_notable": [True, True]})
    stored_runs = pd.DataFrame({"run_id": ["old_r", "old_ft"], "paper_id": ["old", "old"], "source": ["curated", "fulltext"],
                                "hardware_id": [None, "tpu_v4"], "parameter_count": [1e9, None],
                                "training_tokens": [2e10, None]})
    this_run = pd.DataFrame({"paper_id": ["new"], "arxiv_id": ["2402.00002"], "title": ["New"],
                             "published_date": ["2024-02-01"]})
    this_runs = pd.DataFrame({"run_id": ["new_r"], "paper_id": ["new"], "source": ["curated"], "chip_hours": [1000.0]})
    versions = pd.DataFrame({"arxiv_id": ["2402.00002", "2402.00002"], "version": [1, 3]})
    reads = pd.DataFrame({"paper_id": ["old"], "paper_key": ["arxiv:2401.00001"]})
    out = candidate_papers([stored, this_run], [stored_runs, this_runs], versions, reads).set_index("paper_id")
    assert list(out.index) == ["new", "old"]  # the paper without an arXiv id is no candidate
    # the old paper's hardware came only from full text, which does not count: it still lacks hardware
    assert out.loc["old", ["has_hardware", "has_size", "run_count"]].tolist() == [False, True, 1]
    assert out.loc["old", "read_keys"] == ["arxiv:2401.00001"]
    assert out.loc["new", ["has_hardware", "has_size", "version"]].tolist() == [True, False, 3]
    assert out.loc["new", "is_notable"] == False  # noqa: E712 (this run's verdicts are passed separately)
