"""Plain one-row SGD runs on scaled weights (w = scale * v, the L2 shrinkage folded into
the scale, as scikit-learn's WeightVector): the same steps as the generic mini-batch loop,
which a (never binding) clip_norm forces. Dense and CSR, both dtypes, weights, losses."""

import numpy as np
import pytest
import scipy.sparse as sp

from marketlearn import GDClassifier, GDRegressor

# Clipping the gradient norm at 1e30 changes no step but takes the generic loop.
GENERIC = {"clip_norm": 1e30}


def _data(dtype, sparse, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 12))
    X[rng.random(X.shape) < 0.6] = 0.0  # sparse-looking either way
    w = rng.standard_normal(12)
    y_class = (X @ w + 0.3 * rng.standard_normal(300) > 0).astype(int)
    y_value = X @ w + 0.1 * rng.standard_normal(300)
    X = X.astype(dtype)
    return (sp.csr_matrix(X) if sparse else X), y_class, y_value, rng.uniform(0.2, 3.0, 300)


def _close(dtype):
    return {"rtol": 1e-9, "atol": 1e-11} if dtype == np.float64 else {"rtol": 2e-4, "atol": 1e-5}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("loss", ["log_loss", "hinge", "modified_huber"])
@pytest.mark.parametrize("learning_rate", ["optimal", "invscaling", "constant"])
def test_classifier_scaled_steps_match_generic_loop(dtype, sparse, loss, learning_rate):
    X, y, _, sample_weight = _data(dtype, sparse)
    common = dict(
        loss=loss,
        optimizer="sgd",
        batch_size=1,
        learning_rate=learning_rate,
        eta0=0.05,
        # Not smaller: with 'optimal' the first rates are 1 / (alpha t0), and with hinge-like
        # losses such big steps amplify rounding differences (a row on either side of the
        # kink) until the two runs no longer compare at 1e-4 in float32.
        alpha=1e-2,
        max_iter=4,
        tol=None,
        random_state=3,
    )
    fast = GDClassifier(**common).fit(X, y, sample_weight=sample_weight)
    slow = GDClassifier(**common, **GENERIC).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(fast.coef_, slow.coef_, **_close(dtype))
    np.testing.assert_allclose(fast.intercept_, slow.intercept_, **_close(dtype))
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, **_close(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("loss", ["squared_error", "huber"])
def test_regressor_scaled_steps_match_generic_loop(dtype, sparse, loss):
    X, _, y, _ = _data(dtype, sparse, seed=1)
    common = dict(
        loss=loss,
        optimizer="sgd",
        batch_size=1,
        learning_rate="invscaling",
        eta0=0.01,
        alpha=1e-2,
        max_iter=3,
        tol=None,
        random_state=0,
        fit_intercept=not sparse,
    )
    fast = GDRegressor(**common).fit(X, y)
    slow = GDRegressor(**common, **GENERIC).fit(X, y)
    np.testing.assert_allclose(fast.coef_, slow.coef_, **_close(dtype))
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, **_close(dtype))


def test_large_steps_fold_the_scale_back_into_the_weights():
    # eta * alpha >= 1: the shrink factor is <= 0, so the scale cannot carry it; the step
    # folds it into v (and the result still equals the generic loop's).
    X, y, _, _ = _data(np.float64, False)
    common = dict(
        optimizer="sgd",
        batch_size=1,
        learning_rate="constant",
        eta0=2.0,
        alpha=0.75,
        max_iter=2,
        tol=None,
        random_state=0,
    )
    fast = GDClassifier(**common).fit(X, y)
    slow = GDClassifier(**common, **GENERIC).fit(X, y)
    np.testing.assert_allclose(fast.coef_, slow.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.intercept_, slow.intercept_, rtol=1e-9, atol=1e-12)


def test_many_steps_of_strong_decay_stay_accurate():
    # A long run where the scale would underflow without renormalization ('optimal' rate
    # with a large alpha shrinks w by 1 - 1/(t + t0) per step).
    rng = np.random.default_rng(5)
    X = rng.standard_normal((20_000, 8))
    y = (X[:, 0] + 0.5 * rng.standard_normal(20_000) > 0).astype(int)
    common = dict(optimizer="sgd", batch_size=1, alpha=0.5, max_iter=3, tol=None, random_state=0)
    fast = GDClassifier(**common).fit(X, y)
    slow = GDClassifier(**common, **GENERIC).fit(X, y)
    np.testing.assert_allclose(fast.coef_, slow.coef_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-8)
