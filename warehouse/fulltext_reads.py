"""What `run --source fulltext` asks of the warehouse: the papers it may read (with what their runs
lack and what was read of them before), and the facts earlier reads landed."""

from __future__ import annotations

import pandas as pd

from warehouse.state import read_query

CANDIDATE_COLUMNS = ["paper_id", "arxiv_id", "version", "title", "published_date", "is_notable", "run_count",
                     "has_hardware", "has_size", "read_keys"]

# One row per paper with an arXiv id: its latest version the arXiv source saw (null when no arXiv entry
# was landed), whether any of its runs names hardware (chips or device-hours) and any states a size
# (parameters and tokens or examples), and the keys (arxiv:<id><vN>) read before.
CANDIDATES_SQL = """
WITH versions AS (
    SELECT arxiv_id, max(TRY_CAST(json_extract_string(record, '$.version') AS INTEGER)) AS latest
    FROM raw_arxiv__entries GROUP BY arxiv_id
), runs AS (
    SELECT paper_id, count(*) AS run_count,
           bool_or(hardware_id IS NOT NULL OR hardware_text IS NOT NULL OR chip_hours IS NOT NULL) AS has_hardware,
           bool_or(parameter_count IS NOT NULL AND (training_tokens IS NOT NULL OR dataset_tokens IS NOT NULL
                   OR training_examples IS NOT NULL)) AS has_size
    FROM core__training_runs WHERE source <> 'fulltext' GROUP BY paper_id
), reads AS (
    SELECT paper_id, list(paper_key ORDER BY paper_key) AS read_keys FROM meta__fulltext_reads GROUP BY paper_id
)
SELECT p.paper_id, p.arxiv_id, v.latest AS version, p.title, p.published_date, coalesce(p.is_notable, FALSE) AS is_notable,
       coalesce(r.run_count, 0) AS run_count, coalesce(r.has_hardware, FALSE) AS has_hardware,
       coalesce(r.has_size, FALSE) AS has_size, coalesce(x.read_keys, []) AS read_keys
FROM core__papers p
LEFT JOIN versions v ON v.arxiv_id = p.arxiv_id
LEFT JOIN runs r ON r.paper_id = p.paper_id
LEFT JOIN reads x ON x.paper_id = p.paper_id
WHERE p.arxiv_id IS NOT NULL
ORDER BY p.paper_id
"""


def fulltext_candidates(warehouse) -> pd.DataFrame:
    """Every paper with an arXiv id, as CANDIDATE_COLUMNS (an empty frame on a new warehouse)."""
    found = read_query(warehouse, CANDIDATES_SQL)
    if found is None:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    found["read_keys"] = [list(keys) if keys is not None else [] for keys in found["read_keys"]]
    return found[CANDIDATE_COLUMNS]


def fulltext_facts(warehouse) -> pd.DataFrame:
    """The run facts earlier full-text reads landed (source 'fulltext'), for the gap filling every run repeats."""
    found = read_query(warehouse, "SELECT run_id, fact, value, low, high, where_in_source, note, source FROM core__run_facts "
                             "WHERE source = 'fulltext' ORDER BY run_id, fact")
    return found if found is not None else pd.DataFrame(
        columns=["run_id", "fact", "value", "low", "high", "where_in_source", "note", "source"])
