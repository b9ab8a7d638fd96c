"""Shared test data: OpenAI's published appendix figures (AI and Compute, 2018)."""

import os

import pytest
from hypothesis import settings

# Example budgets: the unit tier stays fast; tests/slow/test_thorough_properties.py re-runs the
# property tests under "thorough". Pick one with HYPOTHESIS_PROFILE.
settings.register_profile("unit", max_examples=8, deadline=None)
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
