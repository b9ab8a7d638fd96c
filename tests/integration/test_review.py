"""The review workflow across runs and rebuilds: real flow, real DuckDB, the real CLI."""

import json
import os
import shutil

import pytest

from warehouse.seeds import CURATED_DIR
from tests.integration.test_pipeline import cli, query

pytestmark = pytest.mark.integration
RUN = "gshard_600b"  # flagged: 6ND on all 600B weights is ~276x the hardware estimate
STATE_SQL = """
SELECT c.run_id, c.review_status, c.best_flop, c.best_method, c.best_reason, c.decision_id,
       d.decision_id, d.status, d.accepted, d.accepted_flop, d.note, d.reviewer, d.inputs_fingerprint, d.status_reason
FROM compute_comparison c LEFT JOIN review_decisions d USING (run_id, assumption_set)
WHERE c.assumption_set = 'epoch-2022' ORDER BY ALL
"""




def review(path, *args):
    result = cli("review", *args, env={**os.environ, "FLOPLEDGER_WAREHOUSE": str(path)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def status_of(path, run_id=RUN):
    return query(path, "SELECT review_status, best_method, best_flop FROM compute_comparison "
                       "WHERE run_id = ? AND assumption_set = 'epoch-2022'", [run_id])[0]


def test_review_round_trip_survives_reruns_input_changes_and_rebuilds(run_flow, tmp_path):
    curated, seeds = tmp_path / "curated", tmp_path / "no_decisions.csv"
    shutil.copytree(CURATED_DIR, curated)
    path = tmp_path / "w.duckdb"
    build = lambda target: run_flow(warehouse=target, curated_dir=curated, reviews_file=seeds)  # noqa: E731

    # flag: the run is in the queue, worst first
    first = build(path)
    queue = json.loads(review(path, "list", "--format", "json"))
    assert queue[0]["run_id"] == RUN and queue[0]["review_status"] == "open" and queue[0]["severity"] == "high"
    assert first["totals"]["open_reviews"] == len(queue)

    # resolve: the decision applies at once, through the view
    said = review(path, "resolve", RUN, "--accept", "hardware", "--note", "6ND counted every expert", "--reviewer", "ana")
    assert said.startswith(f"resolved {RUN} (epoch-2022): accepted hardware")
    resolved = status_of(path)
    assert resolved[:2] == ("resolved", "hardware")
    assert RUN not in [q["run_id"] for q in json.loads(review(path, "list", "--format", "json"))]

    # re-run with the same inputs: the decision is kept
    build(path)
    assert status_of(path) == resolved

    # a curator adds the active-parameter count: the operations inputs change, so the decision goes stale
    record = curated / "lepikhin2020_gshard.yaml"
    text = record.read_text()
    record.write_text(text.replace("      training_tokens:\n", "      active_parameter_count: {value: 1.2e+10, "
                                   "where: \"test edit\"}\n      training_tokens:\n", 1))
    build(path)
    assert status_of(path)[0] == "stale"
    history = query(path, "SELECT status, status_reason, note FROM review_decisions WHERE run_id = ?", [RUN])
    assert len(history) == 1 and history[0][0] == "stale" and "inputs changed in run" in history[0][1]
    assert history[0][2] == "6ND counted every expert"
    stale_queue = json.loads(review(path, "list", "--format", "json"))
    assert [q["review_status"] for q in stale_queue if q["run_id"] == RUN] == ["stale"]
    shown = json.loads(review(path, "show", RUN, "--format", "json"))
    assert len(shown["decisions"]) == 1 and shown["run"]["active_parameter_count"] == 1.2e10

    # export, rebuild from an empty warehouse, import: the same review state
    exported = tmp_path / "decisions.csv"
    review(path, "export", str(exported))
    before = query(path, STATE_SQL)
    rebuilt = tmp_path / "rebuilt.duckdb"
    build(rebuilt)
    assert status_of(rebuilt)[0] == "open"  # nothing decided in the new warehouse yet
    review(rebuilt, "import", str(exported))
    assert query(rebuilt, STATE_SQL) == before


def test_each_run_publishes_the_open_disagreements_as_a_prefect_artifact(run_flow, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.pipeline import REVIEW_ARTIFACT_KEY

    summary = run_flow(warehouse=tmp_path / "w.duckdb", reviews_file=tmp_path / "none.csv")
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[REVIEW_ARTIFACT_KEY])))
    newest = max(found, key=lambda a: a.created)
    table = json.loads(newest.data) if isinstance(newest.data, str) else newest.data
    assert newest.type == "table" and len(table) == summary["totals"]["open_reviews"] > 0
    assert RUN in [row["run_id"] for row in table]
    assert f"{summary['totals']['open_reviews']} open or stale" in newest.description
