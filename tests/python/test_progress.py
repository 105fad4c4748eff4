"""verbose=1 shows a tqdm progress bar with the current loss; verbose=0 prints nothing and
never builds a hook (the fit keeps the GIL released)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from marketlearn import ChurnClassifier, GDClassifier, GDRegressor, LeadScorer
from marketlearn._progress import make_epoch_hook


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] - X[:, 1] + rng.normal(size=400) > 0).astype(int)
    return X, y


@pytest.mark.parametrize(
    "make",
    [
        lambda: GDClassifier(optimizer="sgd", max_iter=7, tol=None, random_state=0),
        lambda: GDRegressor(optimizer="adam", max_iter=7, tol=None, random_state=0),
        lambda: ChurnClassifier(optimizer="sgd", max_iter=7, tol=None, random_state=0),
        lambda: LeadScorer(optimizer="sgd", max_iter=7, tol=None, random_state=0),
    ],
)
def test_verbose_0_prints_nothing_at_all(make, data, capfd):
    X, y = data
    make().fit(X, y)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("optimizer", ["sgd", "lbfgs"])
def test_verbose_1_shows_a_bar_with_the_loss(optimizer, data, capfd):
    X, y = data
    model = GDClassifier(optimizer=optimizer, max_iter=7, tol=None, random_state=0, verbose=1)
    model.fit(X, y)
    out, err = capfd.readouterr()
    assert out == ""  # the bar goes to stderr; no per-epoch lines at verbose=1
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    n = len(model.loss_curve_)
    assert re.search(rf"GDClassifier.*\b{n}/7\b.*loss=", final), final
    shown = float(re.search(r"loss=([0-9.e+-]+)", final).group(1))
    assert shown == pytest.approx(model.loss_curve_[-1], rel=1e-5)
    assert "stopped=max_iter" in final  # tol=None: the run used its whole budget


def test_one_bar_per_class_for_one_vs_rest(capfd):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = np.argmax(X, axis=1)
    GDClassifier(max_iter=5, tol=None, random_state=0, verbose=1).fit(X, y)
    err = capfd.readouterr().err
    for label in (0, 1, 2):
        assert f"[class {label}]" in err


def test_no_hook_without_verbose_or_callback():
    # None tells the core not to take the GIL at all during the fit.
    assert make_epoch_hook(0, None, 10, "x") is None
    hook = make_epoch_hook(0, lambda *a: True, 10, "x")
    assert hook is not None and hook.bar is None
    assert hook(1, 0.5, np.zeros(2)) is True


def test_bar_is_closed_when_the_fit_fails(data, capfd):
    X, y = data

    def boom(epoch, loss, coef):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        GDClassifier(max_iter=5, verbose=1, callback=boom).fit(X, y)
    assert "GDClassifier" in capfd.readouterr().err


def test_lead_scorer_bar_is_named_after_it(data, capfd):
    X, y = data
    LeadScorer(max_iter=5, tol=None, verbose=1).fit(X, y)
    err = capfd.readouterr().err
    assert "LeadScorer" in err and "GDClassifier" not in err
