"""Epoch AI models CSV: reading (file and local HTTP server), the raw schema, and the ok/reject split.

tests/fixtures/epoch/notable_ai_models_sample.csv has the 57-column header of Epoch's models
CSV (shared/reference/README.md) and 12 rows in our words: 9 usable, 3 planted rejects
(Seq2seq LSTM: "September 2014" date; GNMT: text in two numeric cells; a row with no Model).
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from sources.epoch_models import KEY_COLUMNS, REJECT_COLUMNS, parse_epoch_models, read_epoch_models, split_epoch_models
from sources.errors import SourceError
from sources.http import HttpClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "epoch"
SAMPLE = FIXTURES / "notable_ai_models_sample.csv"
HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
CSV_PATH = "/data/epochdb/notable_ai_models.csv"


@pytest.fixture(scope="module")
def raw():
    return read_epoch_models(str(SAMPLE))


def test_real_csv_validates_with_epoch_column_names(raw):
    checked = raw
    assert len(HEADER) == 57 and list(checked.columns) == ["source_row"] + HEADER
    assert checked["source_row"].tolist() == list(range(1, 13))
    gpt3 = checked.set_index("Model").loc["GPT-3 175B (davinci)"]
    assert gpt3["Parameters"] == "1.75e+11" and gpt3["Training compute (FLOP)"] == "3.14e+23"
    assert gpt3["Hardware quantity"] == "10000" and gpt3["Publication date"] == "2020-05-28"
    chinchilla = checked.set_index("Model").loc["Chinchilla"]
    assert chinchilla["Training hardware"] == "Google TPU v4,Google TPU v3"
    assert pd.isna(chinchilla["Hardware quantity"])  # empty cell -> null, not ""
    assert raw.set_index("Model").loc["Chinchilla", "Training time (hours)"] is None


def test_source_row_counts_records_not_lines(raw):
    alexnet = raw.iloc[0]
    assert alexnet["Model"] == "AlexNet" and alexnet["source_row"] == 1
    assert alexnet["Training compute notes"].count("\n") == 1  # a quoted two-line note stays one record
    assert raw.iloc[1]["Model"] == "Transformer" and raw.iloc[1]["source_row"] == 2


def test_rows_in_equal_ok_plus_rejects_with_reasons(raw):
    # issue 11: only a row without a Model is rejected whole; a bad cell costs that cell (below)
    ok, rejects = split_epoch_models(raw)
    assert len(raw) == len(ok) + len(rejects) == 12
    assert len(ok) == 11 and list(rejects.columns) == REJECT_COLUMNS
    assert sorted(ok["source_row"].tolist() + rejects["source_row"].tolist()) == list(range(1, 13))
    assert ok["Model"].notna().all()
    assert rejects.set_index("source_row").loc[12, "reason"] == "Model is empty"


def test_bad_cells_are_quarantined_alone_with_reasons(raw):
    from flows.transform.ingest.epoch_batch import build_epoch_batch
    from warehouse.seeds import read_hardware_aliases

    ok, rejects = split_epoch_models(raw)
    core = build_epoch_batch(raw[["source_row", "Model", "Publication date"]], [(ok, rejects)], "sample.csv", "0" * 64, read_hardware_aliases(), []).core
    cells = core.quarantine[core.quarantine["record_key"].isin(["Seq2seq LSTM", "GNMT"])].set_index("reason")
    assert {r.split(";")[0] for r in cells.index} == {
        "Publication date 'September 2014' is not a date (YYYY-MM-DD)",
        "Training time (hours) 'about 6 days' is not a number", "Hardware quantity '96 (K80)' is not a number"}
    assert {"epoch__seq2seq_lstm", "epoch__gnmt"} <= set(core.runs["run_id"])


def test_reject_payload_is_enough_to_fix_and_replay(raw):
    _, rejects = split_epoch_models(raw)
    payload = json.loads(rejects.set_index("source_row").loc[12, "payload"])
    assert payload["Domain"] == "Vision" and payload["Training compute (FLOP)"] == "1e+18"
    assert "Model" not in payload and "Authors" not in payload  # empty cells left out


def test_empty_csv_with_header_gives_empty_valid_frame():
    raw = read_epoch_models(str(FIXTURES / "notable_ai_models_header_only.csv"))
    assert raw.empty and list(raw.columns) == ["source_row"] + HEADER
    ok, rejects = split_epoch_models(raw)
    assert ok.empty and rejects.empty and list(rejects.columns) == REJECT_COLUMNS


def test_missing_key_columns_are_named():
    with pytest.raises(SourceError, match=r"^Epoch AI models: .* lacks column\(s\) "
                                          r"'Training time \(hours\)', 'Hardware quantity'$"):
        read_epoch_models(str(FIXTURES / "notable_ai_models_missing_columns.csv"))


@pytest.mark.parametrize("data, fragment", [
    (b"", "is empty"),
    (b"<!doctype html><html><body>Not found</body></html>\n", "lacks column"),
    ('Model,Publication date\n"AlexNet,2012\n'.encode(), "not a readable CSV"),
    (",".join(KEY_COLUMNS).encode("utf-16"), "not a readable CSV"),
])
def test_malformed_csv_is_named_source_error(data, fragment):
    with pytest.raises(SourceError, match=f"^Epoch AI models: .*{fragment}"):
        parse_epoch_models(data, "upload.csv")


def test_unreadable_path_is_named_source_error(tmp_path):
    with pytest.raises(SourceError, match="^Epoch AI models: cannot read .*missing.csv"):
        read_epoch_models(str(tmp_path / "missing.csv"))


def test_url_gives_the_same_frame_as_the_file(httpserver, raw):
    body = SAMPLE.read_bytes()
    httpserver.expect_request(CSV_PATH).respond_with_data(body, content_type="text/csv; charset=utf-8")
    client = HttpClient("Epoch AI models", sleep=lambda seconds: None)
    from_url = read_epoch_models(httpserver.url_for(CSV_PATH), client=client)
    assert from_url.equals(raw)
    assert client.responses[0].sha256 == hashlib.sha256(body).hexdigest()


def test_http_error_is_named_source_error(httpserver):
    httpserver.expect_request(CSV_PATH).respond_with_data("gone", status=404)
    client = HttpClient("Epoch AI models", sleep=lambda seconds: None)
    with pytest.raises(SourceError, match="^Epoch AI models: .* answered HTTP 404"):
        read_epoch_models(httpserver.url_for(CSV_PATH), client=client)


def test_a_file_cut_mid_row_is_refused_not_half_landed():
    data = (FIXTURES / "notable_ai_models_sample.csv").read_bytes()
    cut = data[:data.index(b"3.14e+23") + 7]  # ends in '3.14e+2': a number, but the wrong one
    with pytest.raises(SourceError, match="ends in the middle of a line; the file looks truncated"):
        parse_epoch_models(cut, "cut.csv")
