"""The example notebooks are committed without outputs and run top to bottom.

Each notebook is executed with nbclient in a fresh kernel of this interpreter, with
matplotlib's inline backend (it renders with Agg, so no display is needed) so that every
chart becomes a PNG output; the test checks the expected charts are there and not blank.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time

import numpy as np
import pytest
from conftest import REPO_ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = REPO_ROOT / "examples" / "notebooks"
#: Charts each notebook must render (figures with several Axes count once).
EXPECTED_FIGURES = {
    "churn.ipynb": 2,  # convergence; gains + lift
    "segmentation.ipynb": 3,  # elbow; profiles; profiles at scale
    "lead_scoring.ipynb": 2,  # gains + lift; campaign profit
    "ltv.ipynb": 3,  # P(alive) matrix; holdout check; Lorenz
}


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED_FIGURES)


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{name}: clear the outputs before committing "
                "(python examples/notebooks/make_notebooks.py writes them clean)"
            )


@pytest.fixture
def kernel_of_this_python(tmp_path, monkeypatch):
    """A kernelspec that runs *this* interpreter (the one marketlearn is installed in),
    found before any user-wide "python3" kernel that may point elsewhere."""
    spec = tmp_path / "kernels" / "marketlearn-test"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "marketlearn tests",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "marketlearn-test"


def drawn_share(png: bytes) -> float:
    import matplotlib.pyplot as plt

    pixels = plt.imread(io.BytesIO(png))
    differs = np.any(np.abs(pixels - pixels[0, 0]) > 0.05, axis=-1)
    return float(differs.mean())


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_runs_and_renders_its_charts(name, monkeypatch, kernel_of_this_python):
    # The kernel inherits this environment: the inline backend draws with Agg (headless)
    # and emits every figure as image/png, which is what we check below.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name=kernel_of_this_python,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds:.1f} s")

    images = [
        base64.b64decode(output["data"]["image/png"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(images) == EXPECTED_FIGURES[name]
    for png in images:
        assert drawn_share(png) > 0.03
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
