"""Numerically hostile but valid data: huge feature values, perfectly collinear columns,
separable classes without a penalty. Every fit ends with finite coefficients and finite
predictions, or with a ValueError that says what to do; never NaN silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from marketlearn import ChurnClassifier, GDClassifier, GDRegressor, KMeans, LTVRegressor

RNG = np.random.default_rng(3)
X = RNG.standard_normal((60, 3))
Y = (X[:, 0] > 0).astype(int)  # separable by the first feature
COLLINEAR = np.c_[X, X[:, 0], 2.0 * X[:, 0] - X[:, 1]]

OPTIMIZERS = ["lbfgs", "sgd", "adam", "gd"]


def _fit_or_clear_error(make):
    """The fitted model, or None when the fit raised a ValueError that names the remedy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning is expected on such data
        try:
            return make()
        except ValueError as e:
            message = str(e)
            assert ("diverged" in message or "too large" in message) and "eta0" in message, message
            return None


def _assert_finite_model(model, X):
    if model is None:
        return
    assert np.all(np.isfinite(model.coef_)), model.coef_
    assert np.all(np.isfinite(model.intercept_))
    if hasattr(model, "predict_proba") and getattr(model, "loss", "log_loss") == "log_loss":
        proba = model.predict_proba(X)
        assert np.all(np.isfinite(proba))
        assert np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    else:
        prediction = model.predict(X)
        if prediction.dtype.kind == "f":
            # A linear score of 1e150-sized features can exceed the double range; a
            # prediction may then be +-inf but is never NaN.
            assert not np.any(np.isnan(prediction))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("scale", [1e150, 1e300])
def test_huge_feature_values(optimizer, scale):
    Xh = X * scale
    for make in (
        lambda: ChurnClassifier(optimizer=optimizer).fit(Xh, Y),
        lambda: GDClassifier(loss="hinge", optimizer=optimizer).fit(Xh, Y),
        lambda: GDRegressor(optimizer=optimizer).fit(Xh, X[:, 0]),
        lambda: LTVRegressor(optimizer=optimizer).fit(Xh, np.exp(X[:, 0])),
    ):
        _assert_finite_model(_fit_or_clear_error(make), Xh)


def test_huge_values_at_prediction_give_probabilities():
    model = ChurnClassifier().fit(X, Y)
    proba = model.predict_proba(X * 1e300)
    assert np.all(np.isfinite(proba))
    np.testing.assert_array_equal(np.sort(np.unique(proba)), [0.0, 1.0])
    log_proba = model.predict_log_proba(X * 1e300)
    assert not np.any(np.isnan(log_proba))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_perfectly_collinear_columns(optimizer):
    for make in (
        lambda: ChurnClassifier(optimizer=optimizer).fit(COLLINEAR, Y),
        lambda: GDRegressor(alpha=0.0, optimizer=optimizer).fit(COLLINEAR, X[:, 1]),
        lambda: LTVRegressor(alpha=0.0, optimizer=optimizer).fit(COLLINEAR, np.exp(X[:, 0])),
    ):
        model = _fit_or_clear_error(make)
        _assert_finite_model(model, COLLINEAR)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_separable_data_without_penalty(optimizer):
    # The log-loss optimum is at infinity; the optimizer stops at max_iter / tol with
    # large but finite weights and probabilities in [0, 1].
    model = _fit_or_clear_error(lambda: ChurnClassifier(alpha=0.0, optimizer=optimizer).fit(X, Y))
    _assert_finite_model(model, X)
    if model is not None:
        assert np.mean(model.predict(X) == Y) == 1.0
    gd = _fit_or_clear_error(
        lambda: GDClassifier(penalty=None, optimizer=optimizer, max_iter=2000).fit(X, Y)
    )
    _assert_finite_model(gd, X)


def test_constant_columns_and_constant_target():
    Xc = np.c_[X, np.full(len(X), 7.0)]
    _assert_finite_model(ChurnClassifier().fit(Xc, Y), Xc)
    model = GDRegressor(optimizer="lbfgs", alpha=0.0, tol=1e-10).fit(X, np.full(len(X), 3.0))
    np.testing.assert_allclose(model.predict(X), 3.0, atol=1e-6)


@pytest.mark.parametrize("scale", [1e150, 1e300])
def test_kmeans_huge_values(scale):
    model = KMeans(3, random_state=0).fit(X * scale)
    assert np.all(np.isfinite(model.cluster_centers_))
    assert np.isfinite(model.inertia_) or model.inertia_ == np.inf
    labels = model.predict(X * scale)
    assert labels.min() >= 0 and labels.max() < 3
