"""The segmentation example runs on the bundled Online Retail and CDNOW data."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO_ROOT


@pytest.mark.parametrize("args", [[], ["--cdnow", "--method", "elbow"]])
def test_segmentation_rfm(args):
    script = REPO_ROOT / "examples" / "python" / "segmentation_rfm.py"
    result = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checks: ok" in result.stdout
    assert "Number of segments chosen" in result.stdout
