"""LTVRegressor: scikit-learn's TweedieRegressor optimum, positive predictions, checks."""

import numpy as np
import pytest
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor
from sklearn.metrics import mean_tweedie_deviance
from sklearn.utils.estimator_checks import parametrize_with_checks

from marketlearn import LTVRegressor, metrics


def _spend(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    mean = np.exp(X @ [0.5, -0.3, 0.2, 0.0] + 3.0)
    orders = rng.poisson(mean / 25)
    y = np.array([rng.gamma(2.0, 12.5, k).sum() for k in orders])  # exact zeros included
    return X, y


def _objective(model_coef, intercept, X, y, alpha, power):
    mu = np.exp(X @ model_coef + intercept)
    return 0.5 * mean_tweedie_deviance(y, mu, power=power) + 0.5 * alpha * model_coef @ model_coef


@pytest.mark.parametrize(
    "loss, power, reference",
    [
        ("tweedie", 1.5, lambda a: TweedieRegressor(power=1.5, link="log", alpha=a)),
        ("tweedie", 1.2, lambda a: TweedieRegressor(power=1.2, link="log", alpha=a)),
        ("poisson", 1.0, lambda a: PoissonRegressor(alpha=a)),
        ("gamma", 2.0, lambda a: GammaRegressor(alpha=a)),
    ],
)
@pytest.mark.parametrize("alpha", [1e-4, 1.0])
def test_reaches_scikit_learn_glm_optimum(loss, power, reference, alpha):
    X, y = _spend()
    if loss == "gamma":
        X, y = X[y > 0], y[y > 0]
    if loss == "poisson":
        y = np.round(y / 10)
    extra = {"power": power} if loss == "tweedie" else {}
    ours = LTVRegressor(loss=loss, alpha=alpha, tol=1e-10, **extra).fit(X, y)
    theirs = reference(alpha).set_params(tol=1e-12, max_iter=10_000).fit(X, y)
    f_ours = _objective(ours.coef_, ours.intercept_[0], X, y, alpha, power)
    f_theirs = _objective(theirs.coef_, theirs.intercept_, X, y, alpha, power)
    assert (f_ours - f_theirs) / f_theirs < 1e-4
    assert abs(f_ours - f_theirs) / f_theirs < 1e-8  # in fact the same optimum


def test_predictions_positive_and_rank_customers():
    X, y = _spend(seed=1)
    model = LTVRegressor().fit(X, y)
    pred = model.predict(X)
    assert pred.dtype == np.float64 and np.all(pred > 0)
    assert metrics.gini_score(y, pred) > 0.2
    assert model.score(X, y) > 0.1  # D^2 (fraction of deviance explained)
    model32 = LTVRegressor().fit(X.astype(np.float32), y.astype(np.float32))
    assert model32.coef_.dtype == np.float32
    np.testing.assert_allclose(model32.coef_, model.coef_, rtol=1e-3, atol=1e-4)


def test_negative_target_is_rejected_with_a_clear_message():
    X, y = _spend()
    y[3] = -1.0
    with pytest.raises(ValueError, match="y >= 0"):
        LTVRegressor().fit(X, y)


@parametrize_with_checks([LTVRegressor()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
