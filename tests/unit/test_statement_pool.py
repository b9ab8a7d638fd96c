"""Hardware statements read by a helper process (flows/statement_pool.py): the same mentions as reading
them here, whoever reads which batch, and whatever happens to the helper. Real child processes."""

import time

import pandas as pd
import pytest

import flows.statement_pool as statement_pool
from flows.statement_pool import StatementPool, helper_processes
from flows.transform.mentions.extract import build_matcher
from flows.transform.mentions.statements import fill_from_statements, training_mention
from warehouse.seeds import read_hardware_aliases

ALIASES = read_hardware_aliases()
MATCHER = build_matcher(ALIASES)
# our own sentences, phrased the way papers state their hardware
STATEMENTS = [
    ("We trained the model on 64 V100 GPUs for 3 days.", "2019-05-01"),
    ("Training took two weeks on 512 TPU v3 cores.", "2020-02-10"),
    ("The network was trained on a single Titan X for 9 days.", "2015-06-01"),
    ("The network was trained on a single Titan X for 9 days.", "2017-06-01"),  # the name changed meaning in 2016
    ("About 1.2M A100-hours of compute went into pretraining.", None),
    ("No hardware is given here, only that it took a while.", "2021-01-01"),
    ("Our largest run used 2048 H100 GPUs over 40 days.", "2024-03-03"),
]


def submitted(pool, copies=3):
    rows = [(f"run{i}", text, day) for i in range(copies) for text, day in STATEMENTS]
    pool.submit(*zip(*rows))
    return rows


def expected(rows):
    return {row: training_mention(row[1], MATCHER, row[2]) for row in rows}


def test_the_helper_reads_the_same_mentions_as_this_process():
    with StatementPool(ALIASES, MATCHER, processes=1, batch=2) as pool:
        rows = submitted(pool)
        deadline = time.monotonic() + 60
        while pool.helper_batches < 3 and time.monotonic() < deadline:  # let the helper take some batches
            time.sleep(0.05)
        found = pool.mentions()
    assert pool.helper_batches >= 3  # the helper did read, and (with 11 batches) this process read the rest
    assert found == expected(rows)
    assert found[("run0", STATEMENTS[0][0], STATEMENTS[0][1])]["chip_count"] == 64


def test_a_helper_that_dies_costs_time_not_results():
    with StatementPool(ALIASES, MATCHER, processes=1, batch=2) as pool:
        pool._helpers[0].kill()
        pool._helpers[0].wait()
        rows = submitted(pool)
        found = pool.mentions()
    assert found == expected(rows)


def test_no_helper_outlives_the_pool():
    with StatementPool(ALIASES, MATCHER, processes=2) as pool:
        helpers = list(pool._helpers)
        submitted(pool, copies=1)
        pool.mentions()
        assert all(h.poll() is None for h in helpers)  # still there, waiting for more
    assert all(h.poll() is not None for h in helpers)


def test_empty_statements_are_not_sent_and_a_pool_with_nothing_answers_empty():
    with StatementPool(ALIASES, MATCHER) as pool:
        pool.submit(["r1", "r2", "r3"], ["", "   ", None], [None, None, None])
        assert pool.mentions() == {}


def test_a_known_mention_is_used_only_for_the_text_and_date_it_was_read_for():
    runs = pd.DataFrame({"run_id": ["r1", "r2"], "hardware_text": None, "chip_count": None,
                         "hardware_statement": ["We trained on 64 V100 GPUs for 3 days.",
                                                "We trained on 8 P100 GPUs for 5 days."],
                         "hardware_statement_where": "notes", "paper_published_date": ["2019-01-01", "2019-01-01"]})
    planted = training_mention("We trained on 16 A100 GPUs for 2 days.", MATCHER, "2019-01-01")
    known = {("r1", runs.at[0, "hardware_statement"], "2019-01-01"): planted,  # its key matches: used as is
             ("r2", "an older statement", "2019-01-01"): planted}  # another text: read again
    filled, _ = fill_from_statements(runs, MATCHER, ALIASES, "epoch", known)
    assert filled["chip_count"].tolist() == [16, 8]


def test_one_helper_for_a_large_table_on_two_cores(monkeypatch):
    monkeypatch.setattr(statement_pool.os, "cpu_count", lambda: 2)
    assert helper_processes(None, statement_pool.MIN_STATEMENTS) == 1
    assert helper_processes(None, statement_pool.MIN_STATEMENTS - 1) == 0
    assert helper_processes(0, 10**6) == 0 and helper_processes(3, 10) == 3
    monkeypatch.setattr(statement_pool.os, "cpu_count", lambda: 1)
    assert helper_processes(None, 10**6) == 0


@pytest.mark.parametrize("garbage", [b"\x00\x00", b"\x05\x00\x00\x00\x00\x00\x00\x00abc"])
def test_a_cut_message_is_the_end_of_the_pipe(garbage):
    import io

    with pytest.raises(EOFError):
        statement_pool._receive(io.BytesIO(garbage))
