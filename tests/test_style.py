"""The code's format and lint rules are part of the test suite (issue 14: `ruff format --check` clean), so a
change that drifts from them fails CI instead of waiting for someone to run ruff by hand."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args", [["format", "--check", "--quiet"], ["check", "--quiet"]], ids=["format", "lint"])
def test_ruff(args):
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
