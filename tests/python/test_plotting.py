"""Every chart renders to a non-blank PNG on the headless Agg backend, into a new figure or
a given Axes, and rejects inputs it cannot draw."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # headless, whatever the environment says

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from marketlearn import CustomerSegmenter, GDClassifier, GDRegressor, choose_k  # noqa: E402
from marketlearn.clv import BetaGeoModel  # noqa: E402
from marketlearn.plotting import (  # noqa: E402
    plot_convergence,
    plot_elbow,
    plot_gains,
    plot_lift,
    plot_lorenz,
    plot_probability_alive_matrix,
    plot_segment_profiles,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def non_background_share(ax) -> float:
    """Share of pixels that differ from the figure's corner (background) colour."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    pixels = plt.imread(buffer)
    assert pixels.ndim == 3 and pixels.shape[0] > 50 and pixels.shape[1] > 50
    background = pixels[0, 0]
    differs = np.any(np.abs(pixels - background) > 0.05, axis=-1)
    return float(differs.mean())


def assert_drawn(ax, minimum=0.03):
    share = non_background_share(ax)
    assert share > minimum, f"only {share:.1%} of the pixels are drawn"


def test_blank_detector_can_fail():
    _, ax = plt.subplots()
    ax.set_axis_off()
    assert non_background_share(ax) < 0.001


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    score = rng.random(2000)
    y = (rng.random(2000) < 0.05 + 0.4 * score).astype(int)
    return y, score


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 4))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=600) > 0).astype(int)
    return X, y


def test_convergence(binary):
    X, y = binary
    model = GDClassifier(optimizer="sgd", max_iter=15, tol=None, random_state=0).fit(X, y)
    ax = plot_convergence(model)
    assert len(ax.lines) == 1 and ax.lines[0].get_ydata().size == 15
    assert_drawn(ax)


def test_convergence_with_validation_scores(binary):
    X, y = binary
    model = GDClassifier(early_stopping=True, max_iter=30, random_state=0).fit(X, y)
    ax = plot_convergence(model)
    assert hasattr(ax, "right_ax") and len(ax.right_ax.lines) == 1
    assert_drawn(ax)


def test_convergence_one_vs_rest_and_given_axes():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = np.argmax(X, axis=1)
    model = GDClassifier(max_iter=10, tol=None, random_state=0).fit(X, y)
    fig, axes = plt.subplots(1, 2)
    ax = plot_convergence(model, ax=axes[1], log_scale=True)
    assert ax is axes[1] and len(ax.lines) == 3
    assert_drawn(ax)


def test_convergence_needs_a_fitted_gd_model():
    with pytest.raises(ValueError, match="loss_curve_"):
        plot_convergence(GDRegressor())


def test_elbow():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0], [8, 0], [0, 8], [8, 8]])
    X = np.vstack([c + rng.normal(size=(150, 2)) for c in centres])
    result = choose_k(X, k_range=range(2, 8), random_state=0)
    ax = plot_elbow(result)
    assert f"chosen k = {result.k}" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert_drawn(ax)


def test_gains_lift_and_lorenz(scored):
    y, score = scored
    assert_drawn(plot_gains(y, score))
    ax = plot_lift(y, score)
    assert len(ax.patches) == 10
    assert_drawn(ax)
    value = np.maximum(0, score * 100 + np.random.default_rng(4).normal(0, 20, score.size))
    ax = plot_lorenz(value, score)
    assert any("Gini" in t.get_text() for t in ax.get_legend().get_texts())
    assert_drawn(ax)


def test_gains_compares_models_on_one_axes(scored):
    y, score = scored
    ax = plot_gains(y, score, label="model A")
    plot_gains(y, np.random.default_rng(5).random(y.size), ax=ax, label="model B")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("random") == 1 and "model A" in labels and "model B" in labels


def test_segment_profiles():
    rng = np.random.default_rng(6)
    X = pd.DataFrame(
        {
            "recency": np.r_[rng.exponential(10, 200), rng.exponential(200, 200)],
            "frequency": np.r_[rng.poisson(12, 200), rng.poisson(1, 200)],
            "monetary": np.r_[rng.lognormal(6, 0.3, 200), rng.lognormal(3, 0.3, 200)],
        }
    )
    segmenter = CustomerSegmenter(n_segments=3, random_state=0).fit(X)
    ax = plot_segment_profiles(segmenter)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["recency", "frequency", "monetary"]
    assert_drawn(ax, minimum=0.2)
    # A profile DataFrame works too.
    assert_drawn(plot_segment_profiles(segmenter.segment_profiles_, features=["monetary"]))
    with pytest.raises(ValueError, match="segment_profiles_"):
        plot_segment_profiles(X)


def test_probability_alive_matrix():
    rng = np.random.default_rng(7)
    T = rng.uniform(20, 40, 500)
    frequency = rng.poisson(2, 500).astype(float)
    recency = np.where(frequency > 0, T * rng.uniform(0, 1, 500), 0.0)
    model = BetaGeoModel(penalizer_coef=0.001).fit(frequency, recency, T)
    ax = plot_probability_alive_matrix(model, max_frequency=10, T=40)
    image = ax.images[0].get_array()
    assert image.shape == (11, 60)
    # Column 0 is recency 0: a frequent buyer who stopped right away is likely gone.
    assert image[10, 0] < image[10, -1]
    assert_drawn(ax, minimum=0.2)
    with pytest.raises(ValueError, match="exceeds T"):
        plot_probability_alive_matrix(model, max_recency=50, T=40)
    with pytest.raises(ValueError, match="fitted"):
        plot_probability_alive_matrix(BetaGeoModel())


def test_convergence_reaches_through_lead_scorer():
    from marketlearn import LeadScorer
    from marketlearn.datasets import make_customers

    data = make_customers(2000, random_state=0)
    scorer = LeadScorer().fit(data.drop(columns=["churned", "true_segment"]), data["churned"])
    ax = plot_convergence(scorer)
    assert ax.get_title() == "LeadScorer: convergence"
    assert ax.lines[0].get_ydata().size == len(scorer.model_.loss_curve_)
    assert_drawn(ax)
