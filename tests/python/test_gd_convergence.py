"""GDClassifier / GDRegressor reach the optima scikit-learn and numpy compute.

Every tolerance below was measured (the comment says what) and carries a margin. The
objective compared is always the one both libraries minimize: mean loss + alpha/2 ||w||^2
(LogisticRegression with C = 1 / (alpha n); the GLM regressors' mean half deviance).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TELCO_ALPHA, penalized_log_loss
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.linear_model import (
    GammaRegressor,
    LogisticRegression,
    PoissonRegressor,
    TweedieRegressor,
)
from sklearn.metrics import mean_tweedie_deviance
from sklearn.preprocessing import StandardScaler

from marketlearn import GDClassifier, GDRegressor

ALPHA = 1e-4


def rel_gap(value: float, reference: float) -> float:
    return (value - reference) / abs(reference)


@pytest.fixture(scope="module")
def standardized():
    """A well-conditioned logistic problem and scikit-learn's optimum on it."""
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, random_state=0)
    X = np.ascontiguousarray(StandardScaler().fit_transform(X))
    ref = LogisticRegression(C=1 / (ALPHA * len(y)), tol=1e-10, max_iter=100_000).fit(X, y)
    return X, y, penalized_log_loss(ref.coef_, ref.intercept_, X, y, ALPHA)


def logistic_gap(model, X, y, reference, alpha=ALPHA):
    value = penalized_log_loss(model.coef_, model.intercept_, X, y, alpha)
    # The C++ objective is the same function as the numpy one.
    assert_allclose(model.objective_, value, rtol=1e-9)
    return rel_gap(value, reference)


# ---- full batch: gd, momentum / nesterov with batch_size = n, L-BFGS ------------------------


@pytest.mark.parametrize(
    "params",
    [
        # Measured gaps: 2e-12 (gd, default eta0=0.5, 500 iterations); 2e-15 and -9e-16
        # (momentum, nesterov: eta0=0.1, 300 iterations).
        dict(optimizer="gd", max_iter=500),
        dict(
            optimizer="momentum", batch_size=10**6, learning_rate="constant", eta0=0.1, max_iter=300
        ),
        dict(
            optimizer="nesterov", batch_size=10**6, learning_rate="constant", eta0=0.1, max_iter=300
        ),
    ],  # fmt: skip
    ids=["gd", "momentum", "nesterov"],
)
def test_full_batch_reaches_logistic_optimum(standardized, params):
    X, y, reference = standardized
    model = GDClassifier(alpha=ALPHA, tol=None, random_state=0, **params).fit(X, y)
    assert model.n_iter_ == params["max_iter"]
    assert abs(logistic_gap(model, X, y, reference)) < 1e-6
    if params["optimizer"] == "gd":
        # Below 2/L the full-batch objective never goes up.
        assert np.all(np.diff(model.loss_curve_) <= 1e-15)


def test_lbfgs_reaches_logistic_optimum(standardized, telco_arrays, telco_sklearn_reference):
    # Measured: 5e-15 (standardized, 16 iterations), 2e-13 (Telco, 145 iterations).
    X, y, reference = standardized
    model = GDClassifier(optimizer="lbfgs", alpha=ALPHA, tol=1e-10).fit(X, y)
    assert abs(logistic_gap(model, X, y, reference)) < 1e-8
    A, _, y_train, _ = telco_arrays
    _, telco_reference = telco_sklearn_reference
    model = GDClassifier(optimizer="lbfgs", alpha=TELCO_ALPHA, tol=1e-10).fit(A, y_train)
    y01 = (y_train == model.classes_[1]).astype(int)
    assert abs(logistic_gap(model, A, y01, telco_reference, TELCO_ALPHA)) < 1e-8


# ---- stochastic optimizers with their defaults, on real churn data -------------------------


@pytest.mark.parametrize("batch_size", [1, 32])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_stochastic_defaults_reach_logistic_optimum(
    telco_arrays, telco_sklearn_reference, optimizer, batch_size
):
    # Defaults (eta0, learning_rate="auto") only; tol=None, at most 300 epochs ("adaptive"
    # ends the run itself, after 50-150 epochs). Measured relative gaps on Telco:
    #   batch_size=1:  sgd 7.5e-5, momentum 8.9e-5, adagrad 2.8e-4, rmsprop 3.0e-4, adam 2.6e-4
    #   batch_size=32: sgd 5.6e-4, momentum 5.9e-4, adagrad 3.8e-4, rmsprop 5.0e-4, adam 3.8e-4
    # (batch_size="auto" is 1 for sgd and momentum, 32 for the others.) scikit-learn's
    # SGDClassifier with its defaults: 7.5e-3 after 200 epochs.
    A, _, y_train, _ = telco_arrays
    _, reference = telco_sklearn_reference
    model = GDClassifier(
        optimizer=optimizer, alpha=TELCO_ALPHA, batch_size=batch_size, tol=None, max_iter=300,
        random_state=0,
    ).fit(A, y_train)  # fmt: skip
    y01 = (y_train == model.classes_[1]).astype(int)
    gap = logistic_gap(model, A, y01, reference, TELCO_ALPHA)
    assert 0 <= gap < 2e-3, gap


@pytest.fixture(scope="module")
def bank_marketing(reference_data):
    """Bank Marketing (45,211 calls), as examples/python/optimizer_report.py prepares it."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.preprocessing import OneHotEncoder

    path = reference_data / "bank_marketing" / "bank-full.csv"
    if path.is_file():
        frame = pd.read_csv(path, sep=";")
        frame["y"] = (frame["y"] == "yes").astype(np.int64)
    else:  # the release bundled with marketlearn: 41,188 calls
        from marketlearn.datasets import load_bank_marketing

        frame = load_bank_marketing().frame.copy()
    y = frame.pop("y").to_numpy(dtype=np.int64)
    prep = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(sparse_output=False),
             make_column_selector(dtype_exclude="number")),
            ("numeric", StandardScaler(), make_column_selector(dtype_include="number")),
        ]
    )  # fmt: skip
    X = np.ascontiguousarray(prep.fit_transform(frame.drop(columns="duration")), np.float64)
    ref = LogisticRegression(C=1 / (ALPHA * len(y)), tol=1e-10, max_iter=100_000).fit(X, y)
    return X, y, penalized_log_loss(ref.coef_, ref.intercept_, X, y, ALPHA)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_stochastic_defaults_on_bank_marketing(bank_marketing, optimizer, reference_data, request):
    # Every default, tol included. Measured gaps: sgd 5.6e-6 (51 epochs), momentum 1.0e-5
    # (39), adagrad 4.0e-4 (7), rmsprop 1.7e-4 (33), adam 1.5e-4 (33). With batch_size=1,
    # Adam stalls at 1.1e-2 here (rare one-hot columns): why "auto" gives it 32 rows.
    X, y, reference = bank_marketing
    bank_full = (reference_data / "bank_marketing" / "bank-full.csv").is_file()
    if optimizer == "adagrad" and not bank_full:
        # A known weakness, kept visible: on the bundled bank-additional-full release,
        # Adagrad's shrinking steps make the default loss-improvement test stop at a gap of
        # 3.7e-3 (4.0e-4 on bank-full). strict: this fails once it is fixed.
        request.applymarker(pytest.mark.xfail(strict=True, reason="Adagrad stops early here"))
    model = GDClassifier(optimizer=optimizer, alpha=ALPHA, random_state=0).fit(X, y)
    assert 0 <= logistic_gap(model, X, y, reference) < 2e-3


# ---- least squares, L1, GLMs -----------------------------------------------------------------


@pytest.fixture(scope="module")
def least_squares():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 10))
    y = X @ rng.standard_normal(10) + 3 + rng.standard_normal(2000)
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)[0]
    return X, y, solution


@pytest.mark.parametrize(
    "params",
    # Measured max relative error: 3e-8 (lbfgs, tol=1e-8), 2e-14 (gd, 500 iterations).
    [dict(optimizer="lbfgs", tol=1e-8), dict(optimizer="gd", tol=None, max_iter=500)],
    ids=["lbfgs", "gd"],
)
def test_least_squares_matches_normal_equations(least_squares, params):
    X, y, solution = least_squares
    for penalty_free in (dict(penalty=None), dict(alpha=0.0)):
        model = GDRegressor(**penalty_free, **params).fit(X, y)
        assert_allclose(np.r_[model.coef_, model.intercept_], solution, rtol=1e-6)
        residual = X @ model.coef_ + model.intercept_[0] - y
        assert_allclose(model.objective_, 0.5 * np.mean(residual**2), rtol=1e-10)


@pytest.mark.parametrize(
    "optimizer, batch_size",
    [("gd", 1), ("sgd", 256), ("adagrad", 256), ("rmsprop", 256), ("adam", 32), ("adam", 256)],
)
def test_l1_sets_irrelevant_features_exactly_to_zero(optimizer, batch_size):
    # Proximal steps zero a weight once its gradient stays inside [-alpha, alpha]: always for
    # full-batch gd; for the stochastic methods when the mini-batch gradient noise is that
    # small. Measured (zeros among the 7 irrelevant features, classifier / regressor):
    # batch_size=256: 7/7 and 7/7 (sgd 7/7 and 1/7: the regressor's small default eta0 has
    # not converged in 300 epochs); batch_size=1: 0-2 of 7, the others at 1e-6 to 1e-5.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((1000, 10))
    signal = X[:, :3] @ np.array([1.5, -2.0, 1.0])
    targets = {
        GDClassifier: (signal + 0.3 * rng.standard_normal(1000) > 0).astype(int),
        GDRegressor: signal + 0.3 * rng.standard_normal(1000),
    }
    params = dict(penalty="l1", alpha=0.05, optimizer=optimizer, batch_size=batch_size,
                  random_state=0, max_iter=300)  # fmt: skip
    if optimizer == "gd":
        params.update(tol=None, eta0=0.1)
    estimators = [GDClassifier] if optimizer == "sgd" else [GDClassifier, GDRegressor]
    for estimator in estimators:
        coef = np.ravel(estimator(**params).fit(X, targets[estimator]).coef_)
        assert np.all(coef[:3] != 0), coef
        assert_array_equal(coef[3:], 0)
    if optimizer == "gd":
        # The composite optimum: an elastic net with a small L1 share keeps more weights.
        enet = GDRegressor(**{**params, "penalty": "elasticnet", "l1_ratio": 0.15})
        assert np.count_nonzero(enet.fit(X, targets[GDRegressor]).coef_) > 3


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_l1_with_momentum_is_refused(optimizer):
    # The core applies the L1 proximal step with eta, while momentum moves the weights by
    # up to eta / (1 - momentum): the run settles at the optimum of a 10x weaker L1 penalty
    # (measured: objective 1.4 % above the optimum, no exact zeros). Refused until fixed.
    X = np.random.default_rng(0).standard_normal((50, 3))
    for penalty in ("l1", "elasticnet"):
        with pytest.raises(ValueError, match="momentum"):
            GDRegressor(optimizer=optimizer, penalty=penalty).fit(X, X[:, 0])
    GDRegressor(optimizer=optimizer, penalty="l2", max_iter=2, tol=None).fit(X, X[:, 0])


@pytest.fixture(scope="module")
def glm_data():
    rng = np.random.default_rng(0)
    n, d = 3000, 8
    X = rng.standard_normal((n, d))
    mu = np.exp(X @ rng.uniform(-0.3, 0.3, d) + 0.5)
    counts = rng.poisson(mu)
    return X, {
        "poisson": counts.astype(float),
        "gamma": rng.gamma(2.0, mu / 2.0),
        # Compound Poisson-Gamma: spend with exact zeros (22 % here).
        "tweedie": np.array([rng.gamma(2.0, 0.5, k).sum() for k in counts]),
    }


@pytest.mark.parametrize(
    "loss, power, reference",
    [
        ("poisson", 1.0, PoissonRegressor),
        ("gamma", 2.0, GammaRegressor),
        ("tweedie", 1.5, lambda **kw: TweedieRegressor(power=1.5, link="log", **kw)),
    ],
    ids=["poisson", "gamma", "tweedie"],
)
def test_glm_matches_sklearn_objective(glm_data, loss, power, reference):
    # scikit-learn's GLM objective is mean half deviance + alpha/2 ||w||^2: ours.
    # Measured relative gaps with tol=1e-8: 4e-16, 2e-16, 0 (with the default tol=1e-3:
    # 9e-7, 1e-8, 2e-9).
    X, targets = glm_data
    y = targets[loss]
    alpha = 1e-3

    def objective(model):
        mean_half_deviance = 0.5 * mean_tweedie_deviance(y, model.predict(X), power=power)
        return mean_half_deviance + 0.5 * alpha * model.coef_ @ model.coef_

    ref = reference(alpha=alpha, tol=1e-12, max_iter=10_000).fit(X, y)
    model = GDRegressor(loss=loss, optimizer="lbfgs", alpha=alpha, tol=1e-8).fit(X, y)
    assert abs(rel_gap(objective(model), objective(ref))) < 1e-6
    assert_allclose(model.objective_, objective(model), rtol=1e-9)
    assert_allclose(model.predict(X), np.exp(X @ model.coef_ + model.intercept_[0]), rtol=1e-12)
    # score is D^2 (deviance explained), as the scikit-learn GLMs report it.
    assert model.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-6)


# ---- threads -------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["gd", "lbfgs"])
def test_n_jobs_gives_bitwise_identical_fits(telco_arrays, optimizer):
    # Full passes run in fixed blocks of 2048 rows reduced in block order: the Telco
    # training set (5282 rows, 3 blocks) gives the same bits on 1 or 2 threads.
    A, _, y_train, _ = telco_arrays
    params = dict(optimizer=optimizer, alpha=TELCO_ALPHA, tol=None, max_iter=50)
    one = GDClassifier(n_jobs=1, **params).fit(A, y_train)
    two = GDClassifier(n_jobs=2, **params).fit(A, y_train)
    assert_array_equal(one.coef_, two.coef_)
    assert_array_equal(one.intercept_, two.intercept_)
    assert_array_equal(one.loss_curve_, two.loss_curve_)
    everything = GDClassifier(n_jobs=-1, **params).fit(A, y_train)
    assert_array_equal(one.coef_, everything.coef_)


# ---- float32 -------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["gd", "lbfgs", "adam"])
def test_float32_fits_reach_the_float64_optimum(standardized, optimizer):
    # Measured relative gaps in float32: gd 2e-8, lbfgs 1e-8, adam 4e-6.
    X, y, reference = standardized
    params = dict(optimizer=optimizer, alpha=ALPHA, random_state=0)
    params.update(dict(tol=None, max_iter=500) if optimizer == "gd" else {})
    model = GDClassifier(**params).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    value = penalized_log_loss(model.coef_, model.intercept_, X, y, ALPHA)
    assert 0 <= rel_gap(value, reference) < 1e-4
