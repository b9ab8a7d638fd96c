"""The README's SQL examples return what they say (issue 17, item 4), on the bundled records built
under both assumption sets, through `flopledger sql` in process: every example returns rows, none
returns a row twice, and what a comment promises holds."""

import json
import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_queries() -> list[tuple[str, str]]:
    """(comment, statement) for each statement of the README's ```sql block."""
    block = re.search(r"```sql\n(.*?)```", README.read_text(), re.S).group(1)
    found = []
    for chunk in block.strip().split("\n\n"):
        comment = " ".join(line[3:] for line in chunk.splitlines() if line.startswith("-- "))
        statement = "\n".join(line for line in chunk.splitlines() if not line.startswith("--")).strip().rstrip(";")
        found.append((comment, statement))
    return found


@pytest.fixture(scope="module")
def both_sets(run_flow, tmp_path_factory):
    path = tmp_path_factory.mktemp("readme") / "w.duckdb"
    run_flow(warehouse=path)
    run_flow(warehouse=path, assumptions="openai-2018")
    return path


@pytest.mark.parametrize("comment,statement", readme_queries(), ids=[c[:40] for c, _ in readme_queries()])
def test_each_readme_query_returns_distinct_rows(both_sets, comment, statement):
    result = run_cli("sql", statement, "--warehouse", both_sets, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows, comment
    as_tuples = [tuple(json.dumps(v, sort_keys=True) for v in row.values()) for row in rows]
    assert len(set(as_tuples)) == len(as_tuples), f"rows repeat: {comment}"
    if "conflicts first" in comment:
        outcomes = [row["outcome"] for row in rows]
        conflicts = [o.startswith("conflict") for o in outcomes]
        assert conflicts == sorted(conflicts, reverse=True)  # every conflict before every other outcome
    if "chip family" in comment:
        assert {"A100", "TPU v3"} <= {row["hardware_family"] for row in rows}


def test_the_readme_has_the_queries_it_promises():
    comments = [c for c, _ in readme_queries()]
    assert len(comments) >= 6 and any("chip family" in c for c in comments)
