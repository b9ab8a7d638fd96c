"""Facts in full text: values with evidence offsets, roles with reasons, one candidate run per size."""

from __future__ import annotations

import pytest

from flows.fulltext_read import matcher_for as _matcher
from flows.fulltext_read import read_paper_source
from flows.transform.papers.fulltext_text import document_text
from tests.fulltext_fixtures import eprint, expected, plain_pdf


@pytest.fixture(scope="module")
def two_sizes():
    return read_paper_source("quill", eprint("two_sizes"), _matcher(None))


def _own(reading, fact):
    return reading.facts[(reading.facts["fact"] == fact) & (reading.facts["role"] == "training")]


def test_latex_structure_follows_input_and_keeps_sections_footnotes_and_tables(two_sizes):
    sections = {p.section for p in two_sizes.pieces}
    assert {"Introduction", "Training setup", "Fine-tuning", "Inference"} <= sections
    setup = [p for p in two_sizes.pieces if p.file == "sections/setup.tex"]  # reached through \input
    assert setup and all(p.section == "Training setup" for p in setup)
    text = document_text(two_sizes.pieces)
    assert "[Training ran in bfloat16" in text                        # footnote kept where it stands
    assert "Quill-L | 32 | 4096" in text                               # table cells kept
    assert "Model shapes." in text and "TODO" not in text              # caption kept, comment dropped


@pytest.mark.parametrize("fact,value,evidence", [
    ("hardware", "TPU v4", "TPU v4"),
    ("chip_count", 256, "256 TPU v4 chips"),
    ("training_hours", 504.0, "21 days"),                 # 21 x 24
    ("parameter_count", 1.3e9, "1.3B-parameter"),
    ("training_tokens", 3e11, "300B tokens"),
    ("utilization", 0.46, "model FLOPs utilization of 46%"),
    ("batch_tokens", 4e6, "batch size of 4M tokens"),
])
def test_facts_carry_values_and_exact_offsets(two_sizes, fact, value, evidence):
    text = document_text(two_sizes.pieces)
    row = _own(two_sizes, fact).iloc[0]
    assert row["value"] == value
    assert text[row["start"]:row["end"]] == evidence == row["value_text"]
    assert text[row["sentence_start"]:row["sentence_end"]] == row["sentence"]
    assert row["section"] == "Training setup" and row["file"] == "sections/setup.tex"


@pytest.mark.parametrize("role,count,section", [
    ("fine-tuning", 64, "Fine-tuning"),      # 'we fine-tune the 6.7B model on 64 A100 GPUs'
    ("inference", 8, "Inference"),           # 'Serving the models at inference time uses 8 T4 GPUs'
    ("baseline", 512, "Comparison with baselines"),  # the baseline's 512 V100 GPUs
])
def test_role_of_each_statement_with_a_reason(two_sizes, role, count, section):
    row = two_sizes.facts[(two_sizes.facts["fact"] == "chip_count") & (two_sizes.facts["value"] == count)].iloc[0]
    assert row["role"] == role and row["section"] == section and row["role_reason"].startswith("sentence")


def test_another_groups_model_is_not_ours(two_sizes):
    cited = two_sizes.facts[(two_sizes.facts["fact"] == "parameter_count") & (two_sizes.facts["value"] == 1.75e11)]
    assert cited["role"].tolist() == ["baseline"] and "et al." in cited["role_reason"].iloc[0]


@pytest.mark.parametrize("name", ["two_sizes", "vision"])
def test_candidate_runs_match_the_expected_facts(name):
    reading = read_paper_source(name, eprint(name), _matcher(None))
    runs = reading.runs.set_index("run_key")
    want = expected(name)["runs"]
    assert sorted(runs.index) == sorted(want)          # two sizes -> two runs; one size -> one
    for key, facts in want.items():
        for fact, value in facts.items():
            column = "hardware_text" if fact == "hardware" else fact
            run_id = runs.at[key, "run_id"]
            got = runs.at[key, column] if column in runs else reading.run_facts.query(
                "run_id == @run_id and fact == @fact")["value"].iloc[0]
            if fact in ("hardware", "precision"):
                assert got == value, (key, fact)
            else:  # PyYAML reads '1.3e9' as text (YAML 1.1 wants '1.3e+9')
                assert float(got) == pytest.approx(float(value)), (key, fact)


def test_two_sizes_get_their_own_token_counts(two_sizes):
    runs = two_sizes.runs.set_index("run_key")
    assert runs.at["1.3b", "training_tokens"] == 3e11 and runs.at["6.7b", "training_tokens"] == 1.2e12
    assert (runs["chip_count"] == 256).all()  # the shared hardware sentence names no size


def test_pdf_text_by_page_with_sections_and_facts():
    reading = read_paper_source("plain", plain_pdf(), _matcher(None))
    assert reading.kind == "pdf" and {p.page for p in reading.pieces} == {1}
    assert [p.section for p in reading.pieces] == ["Introduction", "Training", "Evaluation"]
    run = reading.runs.iloc[0]
    assert (run["parameter_count"], run["training_tokens"], run["chip_count"], run["training_hours"]) == \
        (2.7e9, 4e11, 128, 240.0)
    evaluation = reading.facts[(reading.facts["fact"] == "chip_count") & (reading.facts["value"] == 4)]
    assert evaluation["role"].tolist() == ["inference"]
    text = document_text(reading.pieces)
    row = reading.facts[reading.facts["fact"] == "training_hours"].iloc[0]
    assert text[row["start"]:row["end"]] == "10 days"


@pytest.mark.parametrize("name", ["two_sizes", "vision"])
def test_sparse_reading_finds_the_same_facts(name):
    full = read_paper_source(name, eprint(name), _matcher(None))
    sparse = read_paper_source(name, eprint(name), _matcher(None), sparse=True)
    def key(facts):
        return sorted(zip(facts["fact"], facts["value"].astype(str), facts["role"], facts["sentence"],
                          facts["start"] - facts["sentence_start"]))
    assert key(sparse.facts) == key(full.facts) and len(sparse.pieces) <= len(full.pieces)
