"""Hardware names as Epoch AI's models table writes them (tests/fixtures/resolution/epoch_names.csv,
our own list of names: the issue-11 misses, family names and common spellings) all resolve, and to
the row the fixture names."""

from pathlib import Path

import pandas as pd

from flows.cli.main import main

NAMES_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "resolution" / "epoch_names.csv"


def test_every_listed_epoch_name_resolves_to_its_row(capsys):
    import json

    names = pd.read_csv(NAMES_CSV)
    assert len(names) >= 30 and names["why"].notna().all()
    assert main(["hardware", "resolve", *names["query"], "--json"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    got = {row["query"]: row["hardware_id"] for row in out}
    wrong = {q: (got[q], h) for q, h in zip(names["query"], names["hardware_id"]) if got[q] != h}
    assert not wrong, wrong


def test_family_names_come_back_with_reduced_confidence(capsys):
    import json

    assert main(["hardware", "resolve", "Huawei Ascend", "Huawei Ascend 910B", "--json"]) == 0
    family, chip = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert family["hardware_id"] == "huawei_ascend_910" and family["confidence"] == 0.5
    assert chip["hardware_id"] == "huawei_ascend_910b" and chip["confidence"] == 1.0
