import pandas as pd

from schemas.paper import Paper
from schemas.training_run import TrainingRun
from schemas.validation import describe_failure, split_valid, validate_frame


def paper(**kw):
    base = {"paper_id": "p1", "title": "A title", "published_date": "2020-01-02", "url": "https://example.org/p1",
            "arxiv_id": None, "doi": None, "note": None, "source": "curated", "source_record": "p1.yaml"}
    return {**base, **kw}


def test_describe_failure_reads_like_a_sentence():
    assert describe_failure("chip_count", "greater_than(0)", -1) == "chip_count must be greater than 0, got -1"
    assert describe_failure("chip_count", "coerce_dtype('float64')", "two") == "chip_count: 'two' is not a number"
    assert describe_failure("title", "not_nullable", None) == "title is required but missing"


def test_bad_rows_are_split_off_and_good_rows_kept():
    frame = pd.DataFrame([paper(), paper(paper_id="p2", title=None), paper(paper_id="p3", published_date="soon")])
    valid, rejected = validate_frame(frame, Paper)
    assert list(valid["paper_id"]) == ["p1"]
    assert set(rejected["row"]) == {1, 2}
    assert "title is required but missing" in set(rejected["reason"])
    assert "published_date: 'soon' is not a date (YYYY-MM-DD)" in set(rejected["reason"])


def test_coercion_failure_does_not_hide_other_failures_in_the_same_column():
    runs = pd.DataFrame([{"run_id": r, "chip_count": c} for r, c in [("a", 2), ("b", "two"), ("c", -4)]])
    full = runs.assign(paper_id="p", system="S", domain="vision", source="curated", source_record="f")
    for column in TrainingRun.to_schema().columns:
        if column not in full:
            full[column] = None
    valid, rejected = validate_frame(full, TrainingRun)
    assert list(valid["run_id"]) == ["a"]
    reasons = dict(zip(rejected["row"], rejected["reason"]))
    assert reasons[1] == "chip_count: 'two' is not a number"
    assert reasons[2] == "chip_count must be greater than 0, got -4.0"


def test_missing_column_rejects_the_whole_batch_with_a_reason():
    frame = pd.DataFrame([paper()]).drop(columns=["title"])
    valid, rejected = validate_frame(frame, Paper)
    assert valid.empty and len(rejected) == 1
    assert "title" in rejected.loc[0, "reason"]


def test_split_valid_keeps_payload_and_record_key():
    frame = pd.DataFrame([paper(), paper(paper_id="p2", url="not a url")])
    valid, quarantined = split_valid(frame, Paper, "curated", "papers", "paper_id")
    assert len(valid) == 1 and len(quarantined) == 1
    row = quarantined.iloc[0]
    assert row["record_key"] == "p2" and '"url": "not a url"' in row["payload"]
    assert row["check_name"].startswith("str_matches")


def test_two_papers_with_one_arxiv_id_are_both_held_back():
    frame = pd.DataFrame([paper(arxiv_id="1512.03385"), paper(paper_id="p2", arxiv_id="1512.03385"), paper(paper_id="p3")])
    valid, rejected = validate_frame(frame, Paper)
    assert list(valid["paper_id"]) == ["p3"]
    assert set(rejected["check_name"]) == {"arxiv_id_unique"}
