"""The README's "Notebooks and plots" snippet runs as written and draws its two charts."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import REPO_ROOT


def readme_snippet() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Notebooks and plots", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_plot_snippet_runs():
    code = readme_snippet() + (
        "\nimport matplotlib.pyplot as plt\n"
        "figs = [plt.figure(n) for n in plt.get_fignums()]\n"
        "print('AXES', [type(f.axes[0]).__name__ for f in figs], len(figs))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(" 2"), result.stdout
    assert "loss=" in result.stderr  # verbose=1 drew its progress bar
