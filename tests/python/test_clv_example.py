"""The CLV example runs on the bundled CDNOW sample and reproduces the published fits."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO_ROOT


def test_clv_cdnow_example():
    script = REPO_ROOT / "examples" / "python" / "clv_cdnow.py"
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CHECK published fits reproduced" in result.stdout
    assert "top 10 customers by 12-month CLV" in result.stdout
