"""The integration tier: the real Prefect flow into temporary DuckDB files, on one xdist worker."""

import pytest

# The Prefect harness (prefect_api_url, run_flow) lives in tests/conftest.py: the reliability tier uses it too.


@pytest.fixture(scope="session")
def openai_warehouse(run_flow, tmp_path_factory):
    """The bundled records built once under openai-2018, shared by read-only tests."""
    path = tmp_path_factory.mktemp("openai") / "warehouse.duckdb"
    summary = run_flow(warehouse=path, assumptions="openai-2018")
    return path, summary


def pytest_collection_modifyitems(items):
    """Every integration test runs on one xdist worker (--dist loadgroup), so the session's one Prefect
    harness serves them all; unit and slow tests spread over the other worker too."""
    for item in items:
        if "tests/integration/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("integration"))
