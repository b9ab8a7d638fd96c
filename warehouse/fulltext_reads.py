"""What `run --source fulltext` asks of the warehouse: the papers it may read (with what their runs
lack and what was read of them before), and the facts earlier reads landed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.state import read_query

PAPER_COLUMNS = ["paper_id", "arxiv_id", "title", "published_date", "is_notable"]
RUN_COLUMNS = ["run_id", "paper_id", "source", "hardware_id", "hardware_text", "chip_hours", "parameter_count",
               "training_tokens", "dataset_tokens", "training_examples"]


@dataclass
class FulltextState:
    """What the warehouse knows for the choice of papers (flows/transform/papers/fulltext_selection.py
    judges): papers with an arXiv id, their runs' hardware and size columns, the latest version the arXiv
    source saw of each id, and the keys (arxiv:<id><vN>) read before for each paper."""
    papers: pd.DataFrame
    runs: pd.DataFrame
    versions: pd.DataFrame   # arxiv_id, version
    reads: pd.DataFrame      # paper_id, paper_key


def fulltext_state(warehouse) -> FulltextState:
    """The warehouse's side of the choice (empty frames on a new warehouse)."""
    queries = {
        "papers": (f"SELECT {', '.join(PAPER_COLUMNS)} FROM core__papers WHERE arxiv_id IS NOT NULL", PAPER_COLUMNS),
        "runs": (f"SELECT {', '.join('t.' + c for c in RUN_COLUMNS)} FROM core__training_runs t "
                 "JOIN core__papers p ON p.paper_id = t.paper_id WHERE p.arxiv_id IS NOT NULL", RUN_COLUMNS),
        "versions": ("SELECT arxiv_id, max(TRY_CAST(json_extract_string(record, '$.version') AS INTEGER)) AS version "
                     "FROM raw_arxiv__entries GROUP BY arxiv_id", ["arxiv_id", "version"]),
        "reads": ("SELECT paper_id, paper_key FROM meta__fulltext_reads", ["paper_id", "paper_key"]),
    }
    frames = {}
    for name, (sql, columns) in queries.items():
        found = read_query(warehouse, sql)
        frames[name] = found if found is not None else pd.DataFrame(columns=columns)
    return FulltextState(**frames)


def fulltext_facts(warehouse) -> pd.DataFrame:
    """The run facts earlier full-text reads landed (source 'fulltext'), for the gap filling every run repeats."""
    found = read_query(warehouse, "SELECT run_id, fact, value, low, high, where_in_source, note, source FROM core__run_facts "
                             "WHERE source = 'fulltext' ORDER BY run_id, fact")
    return found if found is not None else pd.DataFrame(
        columns=["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"])
