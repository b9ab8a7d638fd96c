"""The review workflow: decisions on disagreeing runs survive re-runs, go stale, and round-trip as CSV."""

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import flows.cli.main as cli
from schemas.review_decision import DECISION_COLUMNS, make_decision_id
from warehouse.connection import connect_for_write
from flows.settings import assumption_sets
from warehouse.review_queries import review_queue, run_details
from warehouse.reviews import (
    DECISIONS_SEED, export_decisions, import_decisions, load_decisions_file, mark_stale_decisions, record_decision,
)

T1, T2, T3 = dt.datetime(2024, 5, 1, 12, 0), dt.datetime(2024, 5, 2, 9, 30, 15, 250000), dt.datetime(2024, 5, 3, 8, 0)
EPOCH, OPENAI = "epoch-2022", "openai-2018"

# (run_id, set, operations, hardware, reported, ratio, log10_ratio, flagged, severity, status, best, best_method)
COMPARISONS = [
    ("gpt3_175b", EPOCH, 3.15e23, 3.0e22, 3.14e23, 10.5, 1.021189, True, "high", "open", 3.14e23, "reported"),
    ("gpt3_175b", OPENAI, 3.15e23, 7.875e22, 3.14e23, 4.0, 0.60206, True, "medium", "open", 3.14e23, "reported"),
    ("t5_11b", EPOCH, 4.0e22, 1.0e21, None, 40.0, 1.60206, True, "high", "open", 4.0e22, "operations"),
    ("resnet", EPOCH, 1.0e18, 5.0e18, None, 0.2, -0.69897, True, "medium", "open", 1.0e18, "operations"),
    ("bert_large", EPOCH, 2.5e20, 1.0e21, None, 0.25, -0.60206, True, "medium", "open", 2.5e20, "operations"),
    ("vgg", EPOCH, 3.5e19, 1.0e19, None, 3.5, 0.544068, True, "low", "open", 3.5e19, "operations"),
    ("alexnet", EPOCH, 4.7e17, 5.0e17, None, 0.94, -0.026872, False, None, "not_flagged", 4.7e17, "operations"),
]


def insert_comparisons(con):
    for (run, aset, ops, hw, rep, ratio, log10, flagged, severity, status, best, method) in COMPARISONS:
        con.execute(
            "INSERT INTO out__compute_comparison (run_id, assumption_set, operations_flop, operations_flop_low, "
            "operations_flop_high, hardware_flop, hardware_flop_low, hardware_flop_high, reported_flop, ratio, "
            "log10_ratio, is_flagged, flag_reason, severity, review_status, best_flop, best_flop_low, best_flop_high, "
            "best_method, best_reason, threshold_1e25, threshold_1e26, inputs_fingerprint, row_hash, first_landed_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'computed', 'below', 'below', "
            "?, 'h', now(), now())",
            [run, aset, ops, ops * 0.9, ops * 1.1, hw, hw * 0.5, hw * 2, rep, ratio, log10, flagged,
             f"ratio {ratio}" if flagged else None, severity, status, best, best, best, method, f"fp-{run}-{aset}-1"])


def insert_runs(con):
    con.execute("INSERT INTO ref__hardware_specs (hardware_id, name, vendor, kind, fp32_flop_per_second, "
                "source_url, row_hash, first_landed_at, updated_at) VALUES ('nvidia_v100_sxm2_32gb', "
                "'NVIDIA V100 SXM2 32 GB', 'NVIDIA', 'gpu', 1.57e13, 'https://nvidia.com/v100', 'h', now(), now())")
    con.execute("INSERT INTO core__training_runs (run_id, paper_id, system, domain, parameter_count, training_tokens, "
                "hardware_text, hardware_id, chip_count, source, row_hash, first_landed_at, updated_at) VALUES "
                "('gpt3_175b', 'brown2020', 'GPT-3 175B', 'language', 1.75e11, 3e11, 'V100 GPUs', "
                "'nvidia_v100_sxm2_32gb', 10000, 'curated', 'h', now(), now())")
    con.execute("INSERT INTO core__run_facts VALUES ('gpt3_175b', 'training_tokens', '3e11', 2.9e11, 3.1e11, "
                "'Table 2.2', 'all models were trained for a total of 300 billion tokens', 'curated', 'h', now(), now())")
    con.execute("INSERT INTO core__run_extractions VALUES ('gpt3_175b', 'hardware_text', 'V100 GPUs', NULL, 'filled', "
                "40, 49, 'V100 GPUs', 'trained on V100 GPUs on part of a high-bandwidth cluster', 'Section 2.3', "
                "'curated', 'h', now(), now())")
    for aset in (EPOCH, OPENAI):
        con.execute("INSERT INTO out__compute_estimates (run_id, method, assumption_set, flop, flop_low, flop_high, "
                    "pfs_days, formula, inputs, row_hash, first_landed_at, updated_at) VALUES ('gpt3_175b', 'operations', "
                    "?, 3.15e23, 3.15e23, 3.15e23, 3645.8, '6 x parameters x training_tokens', "
                    "'{\"parameters\": 1.75e11, \"training_tokens\": 3e11}', 'h', now(), now())", [aset])
    con.execute("INSERT INTO out__compute_estimates VALUES ('gpt3_175b', 'hardware', ?, 3e22, 1.5e22, 6e22, 347.2, "
                "'chips x peak x hours x 3600 x utilization', '{\"chip_count\": 10000, \"utilization\": 0.3, "
                "\"utilization_source\": \"epoch-2022 default\"}', 'utilization 0.2-0.5', NULL, 'h', now(), now())", [EPOCH])


def build_warehouse(path: Path, with_runs: bool = True) -> Path:
    con = connect_for_write(path)
    insert_comparisons(con)
    if with_runs:
        insert_runs(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("template") / "w.duckdb")


@pytest.fixture
def wh(template, tmp_path):
    """A fresh copy of the built warehouse for each test (migrating one takes a while)."""
    return Path(shutil.copy(template, tmp_path / "w.duckdb"))


@pytest.fixture
def con(wh):
    connection = connect_for_write(wh)
    yield connection
    connection.close()


def view_row(con, run_id, aset=EPOCH):
    return con.execute("SELECT review_status, best_flop, best_method, best_flop_low, best_flop_high, best_reason, "
                       "decision_id FROM compute_comparison WHERE run_id = ? AND assumption_set = ?", [run_id, aset]).fetchone()


def decisions(con, run_id="gpt3_175b"):
    return con.execute("SELECT decision_id, accepted, accepted_flop, status, status_changed_at, status_reason "
                       "FROM review_decisions WHERE run_id = ? ORDER BY decided_at", [run_id]).fetchall()


def test_resolving_with_a_method_resolves_the_view(con):
    d = record_decision(con, "gpt3_175b", EPOCH, "operations", "6ND matches the paper's own count", reviewer="ana",
                        decided_at=T1)
    assert d["decision_id"] == make_decision_id("gpt3_175b", EPOCH, T1, "operations", 3.15e23)
    assert (d["accepted_flop"], d["inputs_fingerprint"], d["hardware_flop"], d["reported_flop"], d["status"]) == (
        3.15e23, f"fp-gpt3_175b-{EPOCH}-1", 3.0e22, 3.14e23, "active")
    status, best, method, low, high, reason, decision_id = view_row(con, "gpt3_175b")
    assert (status, best, method, decision_id) == ("resolved", 3.15e23, "operations", d["decision_id"])
    assert (low, high) == pytest.approx((3.15e23 * 0.9, 3.15e23 * 1.1))  # the operations interval, not the computed best's
    assert reason == "review decision by ana: 6ND matches the paper's own count"
    assert view_row(con, "gpt3_175b", OPENAI)[0] == "open"  # a decision holds for its own assumption set only
    assert view_row(con, "t5_11b")[0] == "open"


def test_resolving_with_a_value_makes_review_the_best_method(con):
    d = record_decision(con, "t5_11b", EPOCH, "value", "paper's appendix states 1e24", accepted_flop=1e24, decided_at=T1)
    status, best, method, low, high, *_ = view_row(con, "t5_11b")
    assert (status, best, method, low, high) == ("resolved", 1e24, "review", 1e24, 1e24)
    assert d["reviewer"] is None and d["operations_flop"] == 4.0e22 and d["reported_flop"] is None


def test_changed_inputs_make_the_decision_stale_and_keep_it(con):
    first = record_decision(con, "gpt3_175b", EPOCH, "operations", "6ND", decided_at=T1)
    record_decision(con, "t5_11b", EPOCH, "hardware", "trust the chips", decided_at=T1)
    con.execute("UPDATE out__compute_comparison SET inputs_fingerprint = 'fp-new' WHERE run_id = 'gpt3_175b'")
    con.execute("DELETE FROM out__compute_comparison WHERE run_id = 't5_11b'")  # run gone: its decision is left alone
    assert mark_stale_decisions(con, "pr-0002") == 1
    assert mark_stale_decisions(con, "pr-0003") == 0  # already stale
    [(decision_id, _, _, status, changed_at, reason)] = decisions(con)
    assert (decision_id, status, reason) == (first["decision_id"], "stale", "inputs changed in run pr-0002")
    assert changed_at > T1
    assert decisions(con, "t5_11b")[0][3] == "active"
    status, best, method, *_, shown_id = view_row(con, "gpt3_175b")
    assert (status, best, method, shown_id) == ("stale", 3.14e23, "reported", first["decision_id"])  # computed best again


def test_resolving_again_supersedes_the_stale_decision(con):
    first = record_decision(con, "gpt3_175b", EPOCH, "operations", "6ND", decided_at=T1)
    con.execute("UPDATE out__compute_comparison SET inputs_fingerprint = 'fp-new', hardware_flop = 3.3e22 "
                "WHERE run_id = 'gpt3_175b' AND assumption_set = ?", [EPOCH])
    mark_stale_decisions(con, "pr-0002")
    second = record_decision(con, "gpt3_175b", EPOCH, "hardware", "new chip count agrees", decided_at=T2)
    assert decisions(con) == [
        (first["decision_id"], "operations", 3.15e23, "superseded", T2, f"superseded by {second['decision_id']}"),
        (second["decision_id"], "hardware", 3.3e22, "active", None, None),
    ]
    assert second["inputs_fingerprint"] == "fp-new"
    assert view_row(con, "gpt3_175b")[:3] == ("resolved", 3.3e22, "hardware")


def record_history(con):
    """Active, superseded, stale and value decisions, with an awkward float and note."""
    record_decision(con, "gpt3_175b", EPOCH, "operations", "first look", reviewer="ana", decided_at=T1)
    record_decision(con, "gpt3_175b", EPOCH, "reported", 'paper says "3.14e23", see p. 46\nsecond line',
                    reviewer="bo", decided_at=T2)
    record_decision(con, "t5_11b", EPOCH, "value", "1/3 of 1e24, by hand", accepted_flop=1e24 / 3, decided_at=T1)
    record_decision(con, "resnet", EPOCH, "hardware", "trust the chips", decided_at=T3)
    con.execute("UPDATE out__compute_comparison SET inputs_fingerprint = 'fp-new' WHERE run_id = 'resnet'")
    mark_stale_decisions(con, "pr-0002")


def all_decisions(con):
    return con.execute(f"SELECT {', '.join(DECISION_COLUMNS)} FROM ref__review_decisions ORDER BY decision_id").fetchall()


def statuses(con):
    return con.execute("SELECT run_id, assumption_set, review_status, best_flop, best_method, decision_id "
                       "FROM compute_comparison ORDER BY run_id, assumption_set").fetchall()


def test_export_then_import_rebuilds_the_same_decisions(con, tmp_path):
    record_history(con)
    first_file = tmp_path / "decisions.csv"
    assert export_decisions(con, first_file) == 4
    lines = first_file.read_text().splitlines()
    assert lines[0] == ",".join(DECISION_COLUMNS)
    t5 = next(line for line in lines if ",t5_11b," in line)
    assert ",value,3.333333333333333e+23,1/3 of 1e24, by hand" not in t5  # the comma in the note is quoted
    assert ',value,3.333333333333333e+23,"1/3 of 1e24, by hand",,2024-05-01T12:00:00,' in t5
    fresh = build_warehouse(tmp_path / "fresh.duckdb")
    other = connect_for_write(fresh)
    try:
        assert import_decisions(other, first_file) == (4, 0)
        assert all_decisions(other) == all_decisions(con)
        assert statuses(other) == statuses(con)
        assert [(s[0], s[2]) for s in statuses(other) if s[1] == EPOCH] == [
            ("alexnet", "not_flagged"), ("bert_large", "open"), ("gpt3_175b", "resolved"), ("resnet", "stale"),
            ("t5_11b", "resolved"), ("vgg", "open")]
        assert export_decisions(other, tmp_path / "again.csv") == 4
    finally:
        other.close()
    assert (tmp_path / "again.csv").read_bytes() == first_file.read_bytes()


def test_import_is_idempotent_and_the_seed_file_loads(con, tmp_path):
    record_history(con)
    path = tmp_path / "d.csv"
    export_decisions(con, path)
    fresh = connect_for_write(build_warehouse(tmp_path / "fresh.duckdb", with_runs=False))
    try:
        assert import_decisions(fresh, path) == (4, 0)
        assert import_decisions(fresh, path) == (0, 4)
        assert fresh.execute("SELECT count(*) FROM ref__review_decisions").fetchone()[0] == 4
        assert load_decisions_file(fresh, tmp_path / "absent.csv") == 0
    finally:
        fresh.close()


def test_the_curated_decisions_file_loads(con):
    with DECISIONS_SEED.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == DECISION_COLUMNS
    assert rows == sorted(rows, key=lambda r: (r["run_id"], r["assumption_set"], r["decided_at"], r["decision_id"]))
    assert load_decisions_file(con) == len(rows)  # validates every row
    assert load_decisions_file(con) == 0


def test_import_never_overwrites_a_decision(con, tmp_path):
    d = record_decision(con, "gpt3_175b", EPOCH, "operations", "6ND", decided_at=T1)
    path = tmp_path / "d.csv"
    export_decisions(con, path)
    text = path.read_text()
    path.write_text(text.replace(",6ND,", ",edited afterwards,"))
    with pytest.raises(ValueError) as err:
        import_decisions(con, path)
    assert str(err.value) == (f"decision {d['decision_id']} in {path} differs from the one in the warehouse (note); "
                              "decisions are never overwritten, record a new one instead")
    assert decisions(con)[0][3] == "active"
    path.write_text(text.replace(",active,,", ",stale,2024-06-01T00:00:00,inputs changed in run x"))
    assert import_decisions(con, path) == (0, 1)  # only its status differs: the warehouse's status stands
    assert decisions(con)[0][3:] == ("active", None, None)


def decision_row(run_id, accepted_flop="3.15e+23"):
    """A valid CSV row as `export_decisions` writes it."""
    return [make_decision_id(run_id, EPOCH, T1, "operations", float(accepted_flop)), run_id, EPOCH, "operations",
            accepted_flop, "6ND", "ana", "2024-05-01T12:00:00", "fp1", accepted_flop, "3e+22", "", "active", "", ""]


@pytest.mark.parametrize("change,message", [
    ({"drop": "note"}, "{path}: missing columns note (expected the header `flopledger review export` writes)"),
    ({"accepted": "foo"},
     "{path} line 3: accepted must be one of ['operations', 'hardware', 'reported', 'value'], got 'foo' (and 1 more problem)"),
    ({"accepted_flop": "abc"}, "{path} line 3: accepted_flop: 'abc' is not a number"),
    ({"accepted_flop": "-1"}, "{path} line 3: accepted_flop must be greater than 0, got -1.0 (and 1 more problem)"),
    ({"decided_at": "yesterday"}, "{path} line 3: decided_at: 'yesterday' is not a date (YYYY-MM-DD)"),
    ({"note": "   "}, "{path} line 3: note must not be empty, got '   '"),
    ({"status": "maybe"}, "{path} line 3: status must be one of ['active', 'stale', 'superseded'], got 'maybe'"),
    ({"decision_id": "0123456789abcdef"}, "{path} line 3: record: decision_id does not match its run_id, assumption_set, "
                                          "decided_at, accepted and accepted_flop (got '0123456789abcdef')"),
])
def test_bad_files_fail_in_one_line(con, tmp_path, change, message):
    header, good, bad = list(DECISION_COLUMNS), decision_row("vgg"), decision_row("gpt3_175b")
    for column, value in change.items():
        if column == "drop":
            i = header.index(value)
            del header[i], good[i], bad[i]
        else:
            bad[header.index(column)] = value  # a changed accepted or FLOP no longer matches the id: a second problem
    path = tmp_path / "d.csv"
    path.write_text("".join(",".join(line) + "\n" for line in (header, good, bad)))
    with pytest.raises(ValueError) as err:
        import_decisions(con, path)
    assert str(err.value) == message.format(path=path)
    assert con.execute("SELECT count(*) FROM ref__review_decisions").fetchone()[0] == 0  # nothing half-imported


def test_missing_file_is_named(con, tmp_path):
    with pytest.raises(ValueError, match="no decisions file at .*nope.csv"):
        import_decisions(con, tmp_path / "nope.csv")


def test_review_queue_puts_the_worst_disagreement_first(con):
    queue = review_queue(con)
    assert list(zip(queue["run_id"], queue["assumption_set"])) == [
        ("t5_11b", EPOCH), ("gpt3_175b", EPOCH),                                 # high: |log10| 1.60, 1.02
        ("resnet", EPOCH), ("bert_large", EPOCH), ("gpt3_175b", OPENAI),        # medium: 0.70, then a 0.60 tie by run_id
        ("vgg", EPOCH),                                                          # low
    ]
    gpt3 = queue[(queue["run_id"] == "gpt3_175b") & (queue["assumption_set"] == EPOCH)].iloc[0]
    assert gpt3["operations_inputs"] == "parameters=1.75e+11 training_tokens=3e+11"
    assert gpt3["hardware_inputs"] == "chip_count=10000 utilization=0.3 utilization_source=epoch-2022 default"
    assert (gpt3["hardware_id"], gpt3["chip_count"], gpt3["severity"]) == ("nvidia_v100_sxm2_32gb", 10000, "high")
    assert list(review_queue(con, OPENAI)["run_id"]) == ["gpt3_175b"]
    record_decision(con, "vgg", EPOCH, "operations", "fine", decided_at=T1)
    assert "vgg" not in set(review_queue(con)["run_id"])
    everything = review_queue(con, include_all=True)
    assert everything.iloc[-1][["run_id", "review_status"]].tolist() == ["vgg", "resolved"]
    assert "alexnet" not in set(everything["run_id"])  # agreeing runs never enter the queue


def test_run_details_gathers_what_lies_behind_a_run(con):
    record_decision(con, "gpt3_175b", EPOCH, "operations", "first", decided_at=T2)
    record_decision(con, "gpt3_175b", OPENAI, "operations", "other set", decided_at=T1)
    record_decision(con, "gpt3_175b", EPOCH, "reported", "second", decided_at=T3)
    details = run_details(con, "gpt3_175b", None, assumption_sets())
    assert (details["run"]["system"], details["run"]["chip_count"]) == ("GPT-3 175B", 10000)
    assert details["hardware"]["name"] == "NVIDIA V100 SXM2 32 GB"
    assert details["facts"].iloc[0][["fact", "low", "high", "where_in_source"]].tolist() == [
        "training_tokens", 2.9e11, 3.1e11, "Table 2.2"]
    assert details["extractions"].iloc[0][["span_text", "span_start", "span_end"]].tolist() == ["V100 GPUs", 40, 49]
    assert list(zip(details["estimates"]["assumption_set"], details["estimates"]["method"])) == [
        (EPOCH, "hardware"), (EPOCH, "operations"), (OPENAI, "operations")]
    assert details["assumption_sets"][EPOCH]["utilization_by_domain"] == {"language": 0.30}
    assert details["assumption_sets"][OPENAI]["source_url"] == "https://openai.com/index/ai-and-compute/"
    assert list(details["decisions"]["note"]) == ["other set", "first", "second"]  # oldest first
    only = run_details(con, "gpt3_175b", EPOCH)
    assert list(only["comparison"]["review_status"]) == ["resolved"] and list(only["assumption_sets"]) == [EPOCH]
    assert list(only["decisions"]["status"]) == ["superseded", "active"]


@pytest.mark.parametrize("call,message", [
    (lambda c: run_details(c, "gpt5"), "unknown run_id 'gpt5'; see `flopledger review list --all` or the training_runs view"),
    (lambda c: run_details(c, "gpt3_175b", "vibes-2030"),
     "run 'gpt3_175b' has no comparison under assumption set 'vibes-2030'; it has: epoch-2022, openai-2018"),
    (lambda c: record_decision(c, "gpt3_175b", "vibes-2030", "operations", "x"),
     "run 'gpt3_175b' has no comparison under assumption set 'vibes-2030'; it has: epoch-2022, openai-2018"),
    (lambda c: record_decision(c, "gpt5", EPOCH, "operations", "x"),
     "run 'gpt5' has no comparison in the warehouse (unknown run, or nothing to estimate); see `flopledger review list --all`"),
    (lambda c: record_decision(c, "alexnet", EPOCH, "reported", "x"),
     "run 'alexnet' has no reported estimate under epoch-2022, so it cannot be accepted; accept another method or a value"),
    (lambda c: record_decision(c, "alexnet", EPOCH, "value", "x", accepted_flop=-1.0),
     "an accepted value must be a FLOP count greater than 0, got -1.0"),
    (lambda c: record_decision(c, "alexnet", EPOCH, "operations", "  "), "a decision needs a note saying why"),
    (lambda c: record_decision(c, "alexnet", EPOCH, "guess", "x"),
     "accepted must be one of operations, hardware, reported, value, got 'guess'"),
])
def test_bad_requests_are_refused_with_one_clear_line(con, call, message):
    with pytest.raises(ValueError) as err:
        call(con)
    assert str(err.value) == message
    assert con.execute("SELECT count(*) FROM ref__review_decisions").fetchone()[0] == 0


@pytest.fixture
def main(monkeypatch, capsys):
    """flows.cli.main.main, in process; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("FLOPLEDGER_REVIEWER", "cli-user")
    monkeypatch.delenv("FLOPLEDGER_ASSUMPTIONS", raising=False)

    def run(*args):
        code = cli.main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_resolve_with_a_value(main, wh):
    code, out, err = main("review", "resolve", "gpt3_175b", "--accept", "value:1e24", "--note", "appendix", "--warehouse", wh)
    assert (code, err) == (0, "")
    con = connect_for_write(wh)
    try:
        decision_id, reviewer = con.execute("SELECT decision_id, reviewer FROM review_decisions").fetchone()
        assert view_row(con, "gpt3_175b")[:3] == ("resolved", 1e24, "review")
    finally:
        con.close()
    assert out == f"resolved gpt3_175b (epoch-2022): accepted value 1e+24 FLOP [decision {decision_id}]\n"
    assert reviewer == "cli-user"


@pytest.mark.parametrize("accept,code,fragment", [
    ("value:abc", 2, "--accept value:abc: 'abc' is not a number; write e.g. value:3.1e23"),
    ("value:-1", 2, "--accept value:-1: the accepted FLOP must be a number greater than 0"),
    ("foo", 2, "--accept must be operations, hardware, reported or value:<FLOP>, got 'foo'"),
    ("reported", 1, "run 'alexnet' has no reported estimate under epoch-2022"),
])
def test_cli_bad_accept_is_one_line(main, wh, accept, code, fragment):
    result = main("review", "resolve", "alexnet", "--accept", accept, "--note", "x", "--warehouse", wh, "--force")
    assert result[0] == code and result[1] == ""
    assert result[2].startswith("flopledger: error: ") and result[2].count("\n") == 1 and fragment in result[2]


def test_cli_list_show_export_import(main, wh, tmp_path):
    code, out, _ = main("review", "list", "--warehouse", wh, "--format", "json", "--assumptions", EPOCH)
    assert code == 0 and [r["run_id"] for r in json.loads(out)] == ["t5_11b", "gpt3_175b", "resnet", "bert_large", "vgg"]
    assert main("review", "resolve", "gpt3_175b", "--accept", "hardware", "--note", "chips", "--warehouse", wh)[0] == 0
    code, out, _ = main("review", "show", "gpt3_175b", "--warehouse", wh, "--format", "json")
    shown = json.loads(out)
    assert shown["comparison"][0]["review_status"] == "resolved" and shown["decisions"][0]["reviewer"] == "cli-user"
    assert shown["estimates"][0]["inputs"]["chip_count"] == 10000
    code, text, _ = main("review", "show", "gpt3_175b", "--warehouse", wh)
    assert "== run gpt3_175b ==" in text and "== decisions (oldest first) ==" in text
    assert "\ntraining_tokens  3e11   2.9e+11  3.1e+11  Table 2.2" in text
    assert main("review", "export", tmp_path / "d.csv", "--warehouse", wh)[1] == f"exported 1 decision to {tmp_path / 'd.csv'}\n"
    code, out, _ = main("review", "import", tmp_path / "d.csv", "--warehouse", wh)
    assert (code, out) == (0, f"imported 0 decisions from {tmp_path / 'd.csv'} (1 already present)\n")
    code, _, err = main("review", "show", "gpt5", "--warehouse", wh)
    assert code == 1 and err == "flopledger: error: unknown run_id 'gpt5'; see `flopledger review list --all` or the training_runs view\n"
    code, _, err = main("review", "import", tmp_path / "d.csv", "--warehouse", tmp_path / "none.duckdb")
    assert code == 1 and "no warehouse at" in err and not (tmp_path / "none.duckdb").exists()


def test_review_list_by_source_keeps_that_source_worst_first(main, wh):
    code, out, _ = main("review", "list", "--warehouse", wh, "--format", "json", "--source", "curated")
    rows = json.loads(out)
    assert code == 0 and rows and {r["source"] for r in rows} == {"curated"}
    worst = [r["worst_log10_ratio"] for r in rows]
    severities = [r["severity"] for r in rows]
    # within a severity, the largest disagreement (any of the three ratios) comes first
    for a, b, sa, sb in zip(worst, worst[1:], severities, severities[1:]):
        assert sa != sb or a >= b
    code, out, _ = main("review", "list", "--warehouse", wh, "--format", "json", "--source", "epoch")
    assert (code, json.loads(out)) == (0, [])
