"""The Python examples run and pass their own checks."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO_ROOT


def test_churn_quickstart():
    script = REPO_ROOT / "examples" / "python" / "churn_quickstart.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AUC gap" in result.stdout
