"""Binary log-loss predict_proba, computed by the compiled core in the scoring pass: the
values of scipy's expit on the decision values (to an ulp or two of the exp), X's dtype,
scikit-learn's error for NaN / infinity in X, and the CSR path agreeing with the dense one.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit

from marketlearn import ChurnClassifier, GDClassifier, _core

# The models here are fitted for a few iterations only: their probabilities, not their
# convergence, are under test.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DTYPES = [np.float64, np.float32]


def assert_close_to_expit(proba, z):
    """proba == [expit(-z), expit(z)] to 4 ulp; where the exact value is below the
    smallest normal number, both formulas may flush it to 0 at slightly different z."""
    assert proba.dtype == z.dtype
    assert proba.shape == (len(z), 2)
    assert proba.flags.c_contiguous
    expected = np.column_stack((expit(-z), expit(z)))
    assert np.array_equal(np.isnan(proba), np.isnan(expected))
    finite = ~np.isnan(expected)
    got, want = proba[finite], expected[finite]
    tiny = np.finfo(z.dtype).tiny
    ulp = np.spacing(np.maximum(np.abs(want), tiny)).astype(np.float64)
    error = np.abs(got.astype(np.float64) - want.astype(np.float64))
    assert np.all((error <= 4 * ulp) | ((got <= tiny) & (want <= tiny)))


def scores_with_extremes(dtype, n=4099, seed=0):
    """Ordinary scores and the edges of exp()'s range in float32 (88) and float64 (709)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n) * 10
    edges = [0, -0.0, 1e-30, 30, 40, 87.3, 88, 88.7, 89, 100, 104, 700, 708.39, 708.3964,
             708.3965, 709, 709.8, 710, 745, 800, 1e30]  # fmt: skip
    edges = np.array(edges + [-e for e in edges])
    z[: 3 * len(edges) : 3] = edges
    z[-len(edges) :] = edges
    return z.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binding_matches_expit_on_every_score(dtype):
    z = scores_with_extremes(dtype)
    X = np.ascontiguousarray(z[:, None])  # one column, coef 1: the scores are exactly z
    coef = np.ones(1, dtype=dtype)
    for n_jobs in (1, 2, -1):
        proba, finite = _core.linear_predict_proba(X, coef, 0.0, n_jobs=n_jobs)
        assert finite
        assert_close_to_expit(proba, z)
    # No cancellation: a confident row keeps its small probability.
    confident = (np.abs(z) > 20) & (np.abs(z) < 80)
    assert np.all(proba[confident].min(axis=1) > 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binding_reports_non_finite_scores(dtype):
    z = np.array([1.0, np.inf, -np.inf, np.nan, -2.0], dtype=dtype)
    X = np.ascontiguousarray(z[:, None])
    proba, finite = _core.linear_predict_proba(X, np.ones(1, dtype=dtype), 0.0)
    assert not finite
    assert_close_to_expit(proba, z)
    assert proba[1].tolist() == [0.0, 1.0] and proba[2].tolist() == [1.0, 0.0]
    _, finite = _core.linear_predict_proba(X[[0, 4]], np.ones(1, dtype=dtype), 0.0)
    assert finite


@pytest.mark.parametrize("dtype", DTYPES)
def test_model_proba_is_expit_of_the_decision_function(dtype):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5003, 13)).astype(dtype)
    y = (X[:, 0] > 0).astype(int)
    model = ChurnClassifier(max_iter=5).fit(X, y)
    # Coefficients large enough that many rows sit far past exp()'s range.
    model.coef_ = (rng.standard_normal(model.coef_.shape) * 100).astype(dtype)
    proba = model.predict_proba(X)
    z = model.decision_function(X)
    assert np.abs(z).max() > 800
    assert_close_to_expit(proba, z)
    assert np.array_equal(model.predict(X), model.classes_[(z > 0).astype(int)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_csr_proba_matches_dense(dtype):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2001, 20)).astype(dtype)
    X[rng.random(X.shape) < 0.7] = 0
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = GDClassifier(loss="log_loss", max_iter=5).fit(X, y)
    X_csr = sp.csr_matrix(X)
    dense, sparse = model.predict_proba(X), model.predict_proba(X_csr)
    # Each is expit of its own scores (the sparse kernels sum in another order).
    assert_close_to_expit(dense, model.decision_function(X))
    assert_close_to_expit(sparse, model.decision_function(X_csr))
    np.testing.assert_allclose(sparse, dense, rtol=1e-4 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("sparse", [False, True])
def test_non_finite_x_raises_scikit_learns_error(bad, sparse):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 5))
    model = ChurnClassifier(max_iter=5).fit(X, (X[:, 0] > 0).astype(int))
    X[123, 2] = bad
    Xb = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        model.predict_proba(Xb)


def test_overflowing_scores_of_finite_x_give_probabilities():
    # Finite X whose scores overflow to +-inf: no error, exact 0 and 1 (as expit(+-inf)).
    model = ChurnClassifier(max_iter=5).fit(np.array([[0.0], [1.0]] * 5), [0, 1] * 5)
    model.coef_ = np.array([[1e300]])
    model.intercept_ = np.array([0.0])
    proba = model.predict_proba(np.array([[1e300], [-1e300]]))
    assert proba.tolist() == [[0.0, 1.0], [1.0, 0.0]]
