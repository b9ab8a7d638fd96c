"""Shared test data: OpenAI's published appendix figures (AI and Compute, 2018)."""

import os
import tempfile

import pytest
from hypothesis import settings

# One Prefect harness per test session (a throwaway server and database), per TOOLCHAIN.md. Before
# anything imports prefect: isolated home, a patient server start, nothing phoned home.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="flopledger-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# Example budgets: the unit tier stays fast; tests/slow/test_thorough_properties.py re-runs the
# property tests under "thorough". Pick one with HYPOTHESIS_PROFILE.
settings.register_profile("unit", max_examples=5, deadline=None)
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "unit"))

# (run_id, method, published pfs-days) from the appendix of OpenAI's "AI and Compute" (2018).
APPENDIX_FIGURES = [
    ("alexnet", "operations", 0.0054), ("alexnet", "hardware", 0.0058),
    ("dropout", "hardware", 0.0021),
    ("zf_visualizing_convnets", "hardware", 0.0062),
    ("dqn", "operations", 2.7e-5),
    ("seq2seq", "operations", 0.085), ("seq2seq", "hardware", 0.093),
    ("vgg", "operations", 0.098), ("vgg", "hardware", 0.12),
    ("deepspeech2", "operations", 0.30), ("deepspeech2", "hardware", 0.25),
    ("xception", "hardware", 5.0),
    ("nas", "operations", 22.0), ("nas", "hardware", 31.0),
    ("gnmt", "hardware", 79.0),
    ("resnet", "operations", 0.117),
]
APPENDIX_TOLERANCE = 0.10


@pytest.fixture(scope="session")
def appendix_figures():
    return APPENDIX_FIGURES


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


def pytest_collection_modifyitems(items):
    """Every test that runs the Prefect flow (integration, and the reliability tests that need it) runs on
    one xdist worker (--dist loadgroup), so the session's one Prefect harness serves them all."""
    for item in items:
        if "prefect_api_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("integration"))
