"""The spec-table refresh diff against Epoch AI's hardware CSV (reader, diff, command).

Fixtures in tests/fixtures/epoch/: ml_hardware_snapshot.csv is a verbatim copy of Epoch AI's
"Data on Machine Learning Hardware" (CC BY 4.0, epoch.ai/data/machine-learning-hardware);
ml_hardware_planted.csv holds five of its rows with planted changes; ours_hardware_specs.csv
holds five rows of our spec table.
"""

import io
import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from werkzeug import Response

from flows.cli.hardware_refresh import run_refresh_diff
from flows.transform.hardware.spec_refresh import diff_specs, summarize_diff
from sources.epoch_hardware import USER_AGENT, read_epoch_hardware
from sources.errors import SourceError
from warehouse.seeds import read_hardware_specs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "epoch"
PLANTED = FIXTURES / "ml_hardware_planted.csv"
SNAPSHOT = FIXTURES / "ml_hardware_snapshot.csv"
OURS = read_hardware_specs(FIXTURES / "ours_hardware_specs.csv")


def cells(diff):
    return sorted(zip(diff["change"], diff["epoch_name"], diff["column"].fillna(""), diff["hardware_id"].fillna("")))


def test_reader_maps_epoch_columns_to_ours():
    theirs = read_epoch_hardware(str(PLANTED)).set_index("epoch_name")
    assert len(theirs) == 5  # the quoted two-line Notes cell did not split a row
    a100 = theirs.loc["NVIDIA A100"]
    # Epoch's one tensor column fills both of ours; 3.12e+14 is scientific notation in the file
    assert a100["fp16_tensor_flop_per_second"] == a100["bf16_flop_per_second"] == 312e12
    assert a100["release_date"] == "2020-03-01" and pd.isna(a100["fp8_flop_per_second"])
    assert theirs.loc["Microsoft Maia 200", "fp8_flop_per_second"] == 5.072e15


def test_diff_finds_exactly_the_planted_differences():
    diff = diff_specs(OURS, read_epoch_hardware(str(PLANTED)))
    assert cells(diff) == [
        ("added", "Microsoft Maia 200", "", ""),  # new chip
        ("added", "NVIDIA Tesla K80 (2x GK210)", "", ""),  # renamed: new name ...
        ("changed", "NVIDIA GeForce GTX 1080 Ti", "fp32_flop_per_second", "nvidia_geforce_gtx_1080_ti"),
        ("removed", "NVIDIA Tesla K80", "", "nvidia_tesla_k80"),  # ... and the old one gone
    ]  # not: A100 FP32 19.49 vs 19.5 (0.05%, within 0.5%); GTX 680 has no epoch_name
    changed = diff[diff["change"] == "changed"].iloc[0]
    assert (changed["ours_value"], changed["epoch_value"]) == (11.34e12, 10.616e12)  # 3584 cores x 1481 MHz x 2
    assert list(diff["change"]) == ["added", "added", "removed", "changed"]
    assert summarize_diff(diff) == {"added": 2, "removed": 1, "changed": 1}


def test_tolerance_dates_and_empty_cells():
    ours = pd.DataFrame({"hardware_id": ["x"], "epoch_name": ["X"], "note": ["n"], "release_date": ["2020-03-01"],
                         "fp32_flop_per_second": [100.0], "fp8_flop_per_second": [float("nan")],
                         "int8_op_per_second": [float("nan")]})
    theirs = pd.DataFrame({"epoch_name": ["X"], "release_date": ["2020-03-01T00:00:00"],
                           "fp32_flop_per_second": [100.4], "fp8_flop_per_second": [float("nan")],
                           "int8_op_per_second": [5.0]})
    assert cells(diff_specs(ours, theirs)) == [("changed", "X", "int8_op_per_second", "x")]
    theirs["release_date"], theirs["fp32_flop_per_second"] = "2020-03-02", 100.6
    assert [c[2] for c in cells(diff_specs(ours, theirs))] == ["fp32_flop_per_second", "int8_op_per_second", "release_date"]


def test_snapshot_differences_are_all_explained_in_our_notes():
    """Against Epoch's own file, every differing cell sits on a row whose note gives a reason."""
    ours, theirs = read_hardware_specs(), read_epoch_hardware(str(SNAPSHOT))
    diff = diff_specs(ours, theirs)
    assert summarize_diff(diff)["added"] == summarize_diff(diff)["removed"] == 0
    boilerplate = r"Epoch AI ML Hardware \(CC BY 4\.0\)|Epoch manufacturer: [^;]*"
    unexplained = diff[diff["our_note"].fillna("").map(lambda n: re.sub(boilerplate, "", n).strip(" ;.") == "")]
    assert unexplained.empty, unexplained[["hardware_id", "column"]].to_string()
    # the reference README's known Epoch error: the MI355X FP8 cell holds the MI350X value
    assert ("amd_instinct_mi355x", "fp8_flop_per_second") in set(zip(diff["hardware_id"], diff["column"]))
    shuffled = diff_specs(ours.sample(frac=1, random_state=1), theirs.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(diff, shuffled)  # deterministic, whatever the row order


def test_empty_epoch_file_gives_empty_frame_and_removes_everything():
    theirs = read_epoch_hardware(str(FIXTURES / "ml_hardware_empty.csv"))
    assert theirs.empty and "bf16_flop_per_second" in theirs.columns
    assert summarize_diff(diff_specs(OURS, theirs)) == {"added": 0, "removed": 4, "changed": 0}


def test_url_gives_the_same_frame_as_the_file(httpserver):
    httpserver.expect_request("/data/ml_hardware.csv", headers={"User-Agent": USER_AGENT}).respond_with_data(
        PLANTED.read_bytes(), content_type="text/csv")
    from_url = read_epoch_hardware(httpserver.url_for("/data/ml_hardware.csv"))
    pd.testing.assert_frame_equal(from_url, read_epoch_hardware(str(PLANTED)))


def _slow(request):
    time.sleep(1.0)
    return Response("Hardware name\n", content_type="text/csv")


@pytest.mark.parametrize("respond,fragment", [
    (lambda r: r.respond_with_data("busy", status=503), "still failing after 2 attempt(s) (last: 503 Service Unavailable)"),
    (lambda r: r.respond_with_data("gone", status=404), "answered HTTP 404 Not Found"),
    (lambda r: r.respond_with_data("<html><body><h1>Hardware</h1>\n<p>a, b, c</p></body></html>\n",
                                   content_type="text/html"), "not in Epoch's format (no 'Hardware name' column; it starts '<html>"),
    (lambda r: r.respond_with_handler(_slow), "(last: no answer within 0.5 s)"),
    (lambda r: r.respond_with_data(b"Hardware name\n" + b"x" * 5000, content_type="text/csv"),
     "sent more than 4,096 bytes"),
])
def test_http_failures_give_one_line_source_error(httpserver, respond, fragment):
    """The shared HTTP client: retries of 5xx, a size limit on the body, one line, no credentials."""
    respond(httpserver.expect_request("/ml_hardware.csv"))
    url = httpserver.url_for("/ml_hardware.csv").replace("http://", "http://reader:s3cret@")
    with pytest.raises(SourceError) as err:
        read_epoch_hardware(url, timeout=0.5, max_retries=1, max_bytes=4096)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    assert "s3cret" not in str(err.value)


def test_a_local_file_over_the_limit_is_refused_without_reading_it_whole(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(PLANTED.read_bytes() + b"x" * 10_000)
    with pytest.raises(SourceError, match="is over 4,096 bytes"):
        read_epoch_hardware(str(big), max_bytes=4096)


def test_unreachable_host_and_missing_file_give_source_error(tmp_path):
    with pytest.raises(SourceError, match=r"still failing after 1 attempt\(s\) \(last: connection failed"):
        read_epoch_hardware("http://127.0.0.1:9/ml_hardware.csv", timeout=0.5, max_retries=0)  # port 9: nothing listens
    with pytest.raises(SourceError, match="cannot read"):
        read_epoch_hardware(str(tmp_path / "absent.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text(PLANTED.read_text(encoding="utf-8").replace("10616000000000.0", "10.6 TFLOP/s"), encoding="utf-8")
    with pytest.raises(SourceError, match="non-number '10.6 TFLOP/s'"):
        read_epoch_hardware(str(bad))


def test_run_refresh_diff_json(capsys):
    assert run_refresh_diff(str(SNAPSHOT), "json") == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert rows and set(rows[0]) == {"epoch_name", "hardware_id", "change", "column", "ours_value", "epoch_value", "our_note"}
    changed = sum(r["change"] == "changed" for r in rows)
    assert err == (f"epoch refresh: 0 added, 0 removed, {changed} changed cells (our table is unchanged; "
                   "review and edit warehouse/seeds/hardware_specs.csv)\n")


def test_run_refresh_diff_table_and_csv(capsys):
    run_refresh_diff(str(SNAPSHOT), "table")
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["epoch_name", "hardware_id", "change", "column", "ours_value", "epoch_value", "our_note"]
    assert any("amd_instinct_mi355x" in line and "5.0332e+15" in line and "4.6e+15" in line for line in table)
    run_refresh_diff(str(SNAPSHOT), "csv")
    parsed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(parsed) == len(table) - 3  # header, rule and the "(N rows)" footer
