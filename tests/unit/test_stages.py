"""What a run says while it works (flows/stages.py): plain start and end lines in logs, a spinner and
a line per finished stage at a terminal, nothing without a reporter."""

import io

import pytest

from flows.stages import StageReporter, describe, reporting, stage


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_plain_lines_say_each_stage_start_and_end_with_counts_and_time():
    out, clock = io.StringIO(), Clock()
    with reporting(StageReporter(out, clock=clock)) as reporter:
        reporter.say("flopledger: warehouse /w.duckdb")
        reporter.begin("Prefect start-up", "a temporary local server")
        clock.now += 12.0
        with stage("read curated") as said:  # ends Prefect's start-up
            clock.now += 1.5
            said.update({"rows in": 1234, "quarantined": 0})
    assert out.getvalue().splitlines() == [
        "flopledger: warehouse /w.duckdb",
        "[   0.0 s] start Prefect start-up (a temporary local server)",
        "[  12.0 s] done  Prefect start-up (12.0 s)",
        "[  12.0 s] start read curated",
        "[  13.5 s] done  read curated: 1,234 rows in, 0 quarantined (1.5 s)",
    ]


def test_a_failing_stage_says_so_and_the_error_goes_on():
    out = io.StringIO()
    with pytest.raises(ValueError), reporting(StageReporter(out)):
        with stage("read epoch"):
            raise ValueError("no file")
    assert out.getvalue().splitlines()[-1].startswith("[") and "failed read epoch" in out.getvalue()


def test_at_a_terminal_finished_stages_stay_as_lines():
    out = FakeTerminal()
    with reporting(StageReporter(out)):
        with stage("estimate compute") as said:
            said["estimates"] = 66
    assert "✓ estimate compute: 66 estimates (" in out.getvalue()
    assert "start estimate compute" not in out.getvalue()  # the spinner says it; no start line


def test_without_a_reporter_a_stage_prints_nothing(capsys):
    with stage("read curated") as said:
        said["rows in"] = 3
    assert capsys.readouterr() == ("", "")


def test_describe_keeps_the_order_and_skips_unknowns():
    assert describe({"runs": 1685, "flagged": None, "note": "x"}) == "1,685 runs, x note"
