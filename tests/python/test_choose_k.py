"""choose_k recovers planted numbers of clusters; Kneedle on known curves."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from marketlearn import ChooseKResult, choose_k, kneedle


def planted_blobs(k, seed, n=1500, d=4):
    X, _ = make_blobs(
        n_samples=n,
        n_features=d,
        centers=k,
        cluster_std=0.7,
        center_box=(-15, 15),
        random_state=seed,
    )
    return X


@pytest.mark.parametrize("method", ["elbow", "silhouette", "calinski_harabasz"])
@pytest.mark.parametrize("planted", [3, 4, 5, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_recovers_planted_k_on_separated_blobs(method, planted, seed):
    result = choose_k(planted_blobs(planted, seed), method=method, random_state=0)
    assert result.k == planted
    assert result.method == method
    np.testing.assert_array_equal(result.k_values, np.arange(2, 11))
    assert np.all(np.diff(result.inertias) < 0)  # more clusters, less inertia


def test_result_shapes_and_frame():
    result = choose_k(
        planted_blobs(4, 0), k_range=[6, 2, 4, 3], method="silhouette", random_state=0
    )
    assert isinstance(result, ChooseKResult)
    np.testing.assert_array_equal(result.k_values, [2, 3, 4, 6])
    assert result.scores.shape == result.inertias.shape == (4,)
    assert result.k == result.k_values[np.argmax(result.scores)]
    frame = result.to_frame()
    assert list(frame.columns) == ["score", "inertia"] and frame.index.name == "k"


def test_elbow_scores_are_inertias_and_linear_scale_is_available():
    X = planted_blobs(5, 0)
    log = choose_k(X, method="elbow", random_state=0)
    linear = choose_k(X, method="elbow", random_state=0, elbow_scale="linear")
    np.testing.assert_array_equal(log.scores, log.inertias)
    np.testing.assert_allclose(log.inertias, linear.inertias)
    # The linear curve's first drop dominates its scaling: Kneedle stops one cluster early.
    assert (log.k, linear.k) == (5, 4)


def test_silhouette_subsamples_large_data():
    X = planted_blobs(3, 0, n=12_000, d=2)
    result = choose_k(X, k_range=range(2, 5), method="silhouette", random_state=0, sample_size=2000)
    assert result.k == 3


def test_deterministic_for_a_seed():
    X = planted_blobs(4, 1)
    a = choose_k(X, method="calinski_harabasz", random_state=3)
    b = choose_k(X, method="calinski_harabasz", random_state=3)
    np.testing.assert_array_equal(a.scores, b.scores)


def test_bad_arguments():
    X = planted_blobs(3, 0, n=30)
    with pytest.raises(ValueError, match="method="):
        choose_k(X, method="gap")
    with pytest.raises(ValueError, match="at least 3 candidate"):
        choose_k(X, k_range=[2, 3], method="elbow")
    with pytest.raises(ValueError, match="n_samples=2"):
        choose_k(X[:2], method="silhouette")
    # Candidates out of reach are dropped, not errors.
    assert (
        choose_k(X[:6], k_range=range(2, 11), method="silhouette", random_state=0).k_values.max()
        == 5
    )


def test_kneedle_on_known_curves():
    x = np.arange(1, 11)
    # 1/x: convex, decreasing; the knee is where the curve bends most relative to the chord.
    assert kneedle(x, 1.0 / x) == 2
    # A concave increasing curve (log: largest gap above the chord at x = 4) and a
    # hockey stick.
    assert kneedle(x, np.log(x), curve="concave") == 3
    assert kneedle(x, np.r_[10, 5, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]) == 2
    # No knee: a straight line, a flat line, or a curve bent the other way.
    assert kneedle(x, -2.0 * x) is None
    assert kneedle(x, np.ones(10)) is None
    assert kneedle(x, -(x**2.0)) is None
    with pytest.raises(ValueError):
        kneedle([1, 2], [3, 4])
    with pytest.raises(ValueError):
        kneedle([1, 3, 2], [3, 2, 1])
