"""The Python examples run and pass their own checks."""

from __future__ import annotations

import os
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


def test_optimizer_report(reference_data):
    script = REPO_ROOT / "examples" / "python" / "optimizer_report.py"
    result = subprocess.run(
        [sys.executable, str(script), "--repeats", "1", "--budget", "3"],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "MARKETLEARN_SHARED_DATA": str(reference_data)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("| GDClassifier")]
    assert len(table) == 9  # every optimizer


def test_lead_scoring_bank(reference_data):
    script = REPO_ROOT / "examples" / "python" / "lead_scoring_bank.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "MARKETLEARN_SHARED_DATA": str(reference_data)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AUC gap" in result.stdout and "Top 10 leads" in result.stdout


def test_lead_scoring_bank_on_bundled_data(tmp_path):
    # Without the shared data folder the example falls back to the bundled release.
    script = REPO_ROOT / "examples" / "python" / "lead_scoring_bank.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "MARKETLEARN_SHARED_DATA": str(tmp_path / "absent")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "using the bundled bank-additional-full release" in result.stdout
    assert "AUC gap" in result.stdout and "Top 10 leads" in result.stdout
