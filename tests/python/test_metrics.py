"""Gains, lift, Lorenz and Gini against hand-computed and limiting cases."""

import numpy as np
import pytest

from marketlearn import metrics


def test_gains_table_hand_computed():
    # 10 samples, 4 positives; scores rank the positives 1st, 2nd, 5th and 9th.
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 0])
    s = np.linspace(1.0, 0.1, 10)
    table = metrics.gains_table(y, s, n_bins=5)
    assert table["count"].tolist() == [2, 2, 2, 2, 2]
    assert table["positives"].tolist() == [2, 0, 1, 0, 1]
    np.testing.assert_allclose(table["cumulative_gain"], [0.5, 0.5, 0.75, 0.75, 1.0])
    np.testing.assert_allclose(table["lift"], [2.5, 0.0, 1.25, 0.0, 1.25])
    np.testing.assert_allclose(table["cumulative_lift"].iloc[-1], 1.0)


def test_lift_perfect_and_random():
    y = np.r_[np.ones(10), np.zeros(90)]
    assert metrics.lift_score(y, -np.arange(100.0), fraction=0.1) == pytest.approx(10.0)
    assert metrics.lift_score(y, np.arange(100.0), fraction=0.1) == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    lifts = [metrics.lift_score(y, rng.random(100), 0.5) for _ in range(200)]
    assert np.mean(lifts) == pytest.approx(1.0, abs=0.1)


def test_cumulative_gain_curve_endpoints_and_monotone():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    x, g = metrics.cumulative_gain_curve(y, rng.random(500))
    assert (x[0], g[0], x[-1], g[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(g) >= 0)


def test_lorenz_and_gini_limits():
    value = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    oracle = metrics.gini_score(value, value)
    assert oracle > 0.4
    assert metrics.gini_score(value, -value) < 0  # ranked backwards
    assert metrics.gini_score(np.ones(50), np.arange(50.0)) == pytest.approx(0.0, abs=1e-12)
    x, v = metrics.lorenz_curve(value, value)
    assert (x[0], v[0], x[-1], v[-1]) == (0.0, 0.0, 1.0, 1.0)


def test_weighted_lorenz_equals_repetition():
    y = np.array([1.0, 2.0, 5.0])
    p = np.array([0.5, 1.0, 3.0])
    w = np.array([2, 1, 3])
    assert metrics.gini_score(y, p, sample_weight=w) == pytest.approx(
        metrics.gini_score(np.repeat(y, w), np.repeat(p, w))
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: metrics.gains_table([0, 0, 0], [0.1, 0.2, 0.3]), "no positive"),
        (lambda: metrics.gains_table([0, 1, 2], [0.1, 0.2, 0.3]), "binary"),
        (lambda: metrics.gains_table([0, 1], [0.1, np.nan]), "NaN"),
        (lambda: metrics.gains_table([0, 1], [0.1, 0.2], n_bins=3), "n_bins"),
        (lambda: metrics.lift_score([0, 1], [0.1, 0.2], fraction=0), "fraction"),
        (lambda: metrics.lorenz_curve([-1.0, 2.0], [0.1, 0.2]), "non-negative"),
        (lambda: metrics.gains_table([], []), "empty"),
    ],
)
def test_bad_input_is_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
