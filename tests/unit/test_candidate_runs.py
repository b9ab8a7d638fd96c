"""Notable arXiv papers without runs: the abstract is read for training hardware."""

import json

import pandas as pd

from flows.transform.papers.candidate_runs import build_candidate_core, candidate_runs
from warehouse.seeds import read_hardware_aliases


def paper(pid, abstract, categories=("cs.CL",)):
    return {"paper_id": pid, "title": f"Title of {pid}", "published_date": "2024-03-01", "url": f"https://arxiv.org/abs/{pid}",
            "arxiv_id": None, "doi": None, "abstract": abstract, "categories": json.dumps(list(categories)),
            "note": None, "source": "arxiv", "source_record": f"arxiv:{pid}"}


PAPERS = pd.DataFrame([
    paper("p_hw", "We pretrain a 1B-parameter model on 512 TPU v3 chips for 5 days and report results."),
    paper("p_none", "We study attention patterns without saying what we trained on.", ("cs.CV",)),
    paper("p_not_notable", "Trained on 64 A100 GPUs for two weeks."),
    paper("p_has_run", "Trained on 8 V100 GPUs for 3 days."),
])


def test_only_notable_papers_without_runs_whose_abstract_names_hardware_get_a_run():
    runs = candidate_runs(PAPERS, {"p_hw", "p_none", "p_has_run"}, {"p_has_run"}, "arxiv")
    assert list(runs["run_id"]) == ["p_hw__abstract", "p_none__abstract"]
    assert list(runs["domain"]) == ["language", "vision"]
    core = build_candidate_core(PAPERS, runs, "arxiv", read_hardware_aliases())
    assert list(core.runs["run_id"]) == ["p_hw__abstract"]
    run = core.runs.iloc[0]
    # 512 TPU v3 chips, 5 days = 120 h, read from the abstract with the span kept
    assert (run["hardware_id"], run["chip_count"], run["training_hours"]) == ("google_tpu_v3", 512, 120)
    spans = core.extractions.set_index("field")["span_text"]
    assert spans["chip_count"].startswith("512") and set(core.extractions["run_id"]) == {"p_hw__abstract"}
    count = core.counts[0]
    assert (count["rows_in"], count["landed"], count["quarantined"], count["skipped"]) == (2, 1, 0, 1)
