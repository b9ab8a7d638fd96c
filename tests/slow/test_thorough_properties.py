"""The property tests of the estimators and the extractor with a large example budget: the unit
tier runs them with a small one to stay fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_properties_hold_on_a_large_example_budget():
    env = {**os.environ, "HYPOTHESIS_PROFILE": "thorough"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/unit/test_estimate_properties.py", "tests/unit/test_mentions.py"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
