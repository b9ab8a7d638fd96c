"""Epoch's table read in chunks lands what one pass over the whole table lands (issue 12 item 8).

The quirks fixture has a model listed twice (Orbit-7B, rows 9 and 10: merged), a fine-tune whose base
model is rows away (LumenFin-13B -> Lumen-13B), names that share a slug (CALM / CaLM) and bad cells;
chunks of 1 and 7 rows split each of these across chunk boundaries.
"""

from pathlib import Path

import pandas as pd
import pytest

from flows.fetch import fetch_epoch_batch
from warehouse.seeds import read_hardware_aliases

QUIRKS = Path(__file__).resolve().parents[1] / "fixtures" / "epoch" / "epoch_quirks.csv"
ALIASES = read_hardware_aliases()
FRAMES = {"raw": lambda b: b.raw, "papers": lambda b: b.core.papers, "runs": lambda b: b.core.runs,
          "facts": lambda b: b.core.facts, "extractions": lambda b: b.core.extractions,
          "quarantine": lambda b: b.core.quarantine, "hardware_names": lambda b: b.core.hardware_names}


def batch(chunk_rows: int, limit: int | None = None):
    return fetch_epoch_batch(str(QUIRKS), limit, ALIASES, None, chunk_rows=chunk_rows)


@pytest.fixture(scope="module")
def whole():
    return batch(10**6)


@pytest.fixture(scope="module")
def by_row():
    return batch(1)


@pytest.mark.parametrize("chunk_rows", [1, 7])
def test_chunks_land_exactly_what_the_whole_table_lands(whole, by_row, chunk_rows):
    chunked = by_row if chunk_rows == 1 else batch(chunk_rows)
    for name, frame in FRAMES.items():
        pd.testing.assert_frame_equal(frame(chunked), frame(whole), check_dtype=False, obj=name)
    assert chunked.core.counts == whole.core.counts


def test_the_merge_and_the_base_link_cross_chunk_boundaries(by_row):
    chunked = by_row
    raw = next(c for c in chunked.core.counts if c["table"] == "raw_epoch__models")
    assert raw["rows_in"] == 18 and raw["merged"] == 1 and len(chunked.core.runs) == 17
    orbit = chunked.core.runs.set_index("system").loc["Orbit-7B"]
    assert orbit["parameter_count"] == 7e9 and orbit["training_tokens"] == 2e12  # one cell from each listing
    finetune = chunked.core.runs.set_index("system").loc["LumenFin-13B"]
    assert finetune["base_run_id"] == "epoch__lumen_13b"


def test_a_limit_reads_only_the_first_rows_in_chunks_too():
    limited = batch(2, limit=5)
    assert limited.core.runs["system"].tolist() == ["PointNet", "PointNet++", "Command R", "Command R+", "PanGu-Σ"]
    pd.testing.assert_frame_equal(limited.core.runs, batch(10**6, limit=5).core.runs, check_dtype=False)


NOTES = [  # our own sentences, phrased the way Epoch's notes quote papers
    "Trained on 64 V100 GPUs for 3 days.", "2048 TPU v3 cores for two weeks.", "1.2M A100-hours in total.",
    "Two GTX 580 GPUs for five to six days.", "8 H100s, about 40 days of training.", "",
]


def test_a_helper_reading_the_statements_lands_exactly_what_reading_them_here_lands(tmp_path, monkeypatch):
    import flows.statement_pool as statement_pool
    from schemas.frames import unpack_columns

    table = pd.read_csv(QUIRKS, dtype=str, keep_default_na=False)
    table["Training compute notes"] = [NOTES[i % len(NOTES)] for i in range(len(table))]
    noted = tmp_path / "noted.csv"
    table.to_csv(noted, index=False)
    monkeypatch.setattr(statement_pool, "BATCH_STATEMENTS", 2)  # many batches: the helper and this process share them
    here = fetch_epoch_batch(str(noted), None, ALIASES, None, chunk_rows=3, helpers=0)
    helped = fetch_epoch_batch(str(noted), None, ALIASES, None, chunk_rows=3, helpers=1)
    for name, frame in FRAMES.items():
        a, b = frame(helped), frame(here)
        if name == "raw":  # packed records: compared as the text they unpack to
            a, b = unpack_columns(a, ["record"]), unpack_columns(b, ["record"])
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)
    assert helped.core.counts == here.core.counts
    assert helped.core.runs["hardware_id"].notna().sum() >= 10  # statements were read, not skipped
