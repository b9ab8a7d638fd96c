"""One Prefect harness per test session (a throwaway server and database), per TOOLCHAIN.md."""

import os
import tempfile

import pytest

# Before anything imports prefect: isolated home, a patient server start, nothing phoned home.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="flopledger-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def prefect_api_url():
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def run_flow(prefect_api_url):
    """Run the real flow in this process against the session's server."""
    from flows.pipeline import build_warehouse
    from flows.settings import settings_from_env

    def _run(**settings):
        return build_warehouse(settings_from_env(**settings))

    return _run


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
