"""Review in the terminal, readable (issue 17, item 5): `review list` within 120 columns, a stale decision
that names what changed, one decision for every assumption set, --force for a run that is not flagged,
and `review show` saying why a method has no estimate."""

import json

import pytest

from flows.settings import assumption_sets
from flows.transform.compute.missing import explain_missing
from tests.cli_runner import run_cli
from tests.slow.test_review import EPOCH, OPENAI, T1, template, wh, con, decisions  # noqa: F401 (fixtures)
from warehouse.reviews import describe_changes, mark_stale_decisions, read_decided_inputs, record_decision

LONG_ID = "epoch__a_run_id_as_long_as_the_titles_epoch_gives_some_models_" + "x" * 40  # 102 characters


def test_review_list_fits_120_columns_and_wraps_a_long_id_whole(wh):
    from warehouse.connection import connect_for_write

    con = connect_for_write(wh)
    con.execute("UPDATE out__compute_comparison SET run_id = ? WHERE run_id = 'vgg'", [LONG_ID])
    con.close()
    result = run_cli("review", "list", "--warehouse", wh)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 120
    assert lines[0].split() == ["run_id", "set", "severity", "ratio", "operations", "hardware", "reported", "status"]
    assert LONG_ID in lines  # on a line of its own, never cut; its figures follow
    figures = lines[lines.index(LONG_ID) + 1].split()
    assert figures == ["epoch-2022", "low", "3.5", "3.5e+19", "1e+19", "-", "open"]
    gpt3 = next(line.split() for line in lines if line.startswith("gpt3_175b ") and EPOCH in line)
    assert gpt3 == ["gpt3_175b", EPOCH, "high", "10.5", "3.15e+23", "3e+22", "3.14e+23", "open"]


def test_review_list_wide_and_json_keep_the_inputs(wh):
    wide = run_cli("review", "list", "--warehouse", wh, "--wide").stdout
    assert "operations_inputs" in wide and "parameters=1.75e+11 training_tokens=3e+11" in wide
    rows = json.loads(run_cli("review", "list", "--warehouse", wh, "--format", "json").stdout)
    assert "hardware_inputs" in rows[0] and "flag_reason" in rows[0]


def test_a_stale_decision_names_the_inputs_that_changed(con):  # noqa: F811
    record_decision(con, "gpt3_175b", EPOCH, "hardware", "trust the chips", decided_at=T1)
    before = read_decided_inputs(con)
    con.execute("UPDATE out__compute_estimates SET flop = 6e22, inputs = '{\"chip_count\": 20000, \"utilization\": 0.3, "
                "\"utilization_source\": \"epoch-2022 default\"}' WHERE run_id = 'gpt3_175b' AND method = 'hardware'")
    con.execute("UPDATE out__compute_comparison SET inputs_fingerprint = 'fp-new', hardware_flop = 6e22 "
                "WHERE run_id = 'gpt3_175b'")
    assert mark_stale_decisions(con, "pr-2", before) == 1
    reason = decisions(con)[0][5]
    assert reason == "inputs changed in run pr-2: hardware chip_count 10000 -> 20000"


def test_without_earlier_estimates_a_stale_decision_names_the_figures(con):  # noqa: F811
    record_decision(con, "gpt3_175b", EPOCH, "hardware", "trust the chips", decided_at=T1)
    con.execute("UPDATE out__compute_comparison SET inputs_fingerprint = 'fp-new', hardware_flop = 6e22 "
                "WHERE run_id = 'gpt3_175b'")
    mark_stale_decisions(con, "pr-2")
    assert decisions(con)[0][5] == "inputs changed in run pr-2: hardware_flop 3e+22 -> 6e+22"


def test_describe_changes_says_what_came_and_went():
    old = {"operations": {"formula": "6ND", "inputs": '{"training_tokens": 1e12}', "flop": 1.0}}
    new = {"operations": {"formula": "6ND", "inputs": '{"training_tokens": 2e12}', "flop": 2.0},
           "hardware": {"formula": "chips", "inputs": "{}", "flop": 3.0}}
    assert describe_changes(old, new) == ["hardware estimate added", "operations training_tokens 1e+12 -> 2e+12"]


def test_resolve_for_every_assumption_set_notes_which(wh):
    result = run_cli("review", "resolve", "gpt3_175b", "--accept", "value:3.1e23", "--note", "paper's own figure",
                     "--assumptions", "all", "--warehouse", wh)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("resolved gpt3_175b") == 2 and f"({OPENAI})" in result.stdout
    rows = json.loads(run_cli("sql", "SELECT assumption_set, accepted_flop, note FROM review_decisions ORDER BY 1",
                              "--warehouse", wh, "--format", "json").stdout)
    assert [r["assumption_set"] for r in rows] == [EPOCH, OPENAI] and {r["accepted_flop"] for r in rows} == {3.1e23}
    assert all(r["note"] == f"paper's own figure [one decision for every assumption set: {EPOCH}, {OPENAI}]" for r in rows)


def test_resolve_all_records_nothing_when_one_set_lacks_the_method(wh):
    result = run_cli("review", "resolve", "gpt3_175b", "--accept", "reported", "--note", "x", "--assumptions", "all",
                     "--warehouse", wh)
    assert result.returncode == 0  # both sets have the reported figure
    bad = run_cli("review", "resolve", "t5_11b", "--accept", "reported", "--note", "x", "--assumptions", "all",
                  "--warehouse", wh)
    assert bad.returncode == 1 and "has no reported estimate under epoch-2022" in bad.stderr


def test_resolving_a_run_that_is_not_flagged_asks_for_force(wh):
    refused = run_cli("review", "resolve", "alexnet", "--accept", "operations", "--note", "x", "--warehouse", wh)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "run alexnet is not flagged under epoch-2022" in refused.stderr and "--force" in refused.stderr
    forced = run_cli("review", "resolve", "alexnet", "--accept", "operations", "--note", "x", "--warehouse", wh, "--force")
    assert forced.returncode == 0 and "resolved alexnet (epoch-2022)" in forced.stdout


def test_review_show_says_why_a_method_has_no_estimate(wh):
    from warehouse.connection import connect_for_write

    con = connect_for_write(wh)  # as for a chip whose spec row has no FP32 peak: openai-2018 gets no hardware figure
    con.execute("UPDATE ref__hardware_specs SET fp32_flop_per_second = NULL, bf16_flop_per_second = 1.25e14, "
                "family = 'V100'")
    con.execute("UPDATE core__training_runs SET training_hours = 355.2")  # chips x hours known: only the peak lacks
    con.execute("UPDATE out__compute_comparison SET hardware_flop = NULL WHERE run_id = 'gpt3_175b' "
                f"AND assumption_set = '{OPENAI}'")
    con.close()
    text = run_cli("review", "show", "gpt3_175b", "--warehouse", wh).stdout
    assert "  no hardware estimate: " in text and "has no peak FLOP/s for the unstated precision nor any in openai-2018" in text
    section = text[text.index(f"== comparison ({EPOCH}) =="):text.index(f"== comparison ({OPENAI}) ==")]
    assert "no hardware estimate" not in section  # epoch-2022 reads the bf16 peak
    shown = json.loads(run_cli("review", "show", "gpt3_175b", "--warehouse", wh, "--format", "json").stdout)
    why = shown["missing"][OPENAI]["hardware"]
    assert list(shown["missing"]) == [OPENAI] and "V100" in why and "has no peak FLOP/s" in why and "openai-2018" in why


def test_why_missing_names_the_chip_the_peak_and_the_set():
    sets = assumption_sets()
    tpu_v3 = {"hardware_id": "google_tpu_v3", "name": "Google TPU v3", "family": "TPU v3", "kind": "tpu",
              "fp32_flop_per_second": None, "bf16_flop_per_second": 1.23e14}
    run = {"hardware_id": "google_tpu_v3", "chip_count": 1024, "training_hours": 96.0, "precision": None}
    why = explain_missing("hardware", run, tpu_v3, sets[OPENAI])
    assert "Google TPU v3 has no peak FLOP/s" in why and "openai-2018" in why
    assert explain_missing("hardware", dict(run, chip_count=None), tpu_v3, sets[OPENAI]).endswith("no chip count")
    assert "'Quantum Abacus' matches no chip" in explain_missing(
        "hardware", dict(run, hardware_id=None, hardware_text="Quantum Abacus"), None, sets[OPENAI])
    assert "lacks training_tokens" in explain_missing("operations", {"parameter_count": 6e11}, None, sets[EPOCH])
