"""GDClassifier / GDRegressor: the estimator API around the optimizers.

Callbacks, errors and warnings, early stopping, class weights, dtypes, partial_fit, warm
starts, persistence, pandas, one-vs-rest probabilities.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.utils.estimator_checks import check_param_validation

from marketlearn import ChurnClassifier, GDClassifier, GDRegressor


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=600, n_features=6, n_informative=4, random_state=0)
    return np.ascontiguousarray(X), y


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=900, n_features=6, n_informative=4, n_classes=3, n_clusters_per_class=1,
        random_state=1,
    )  # fmt: skip
    labels = np.array(["bronze", "gold", "silver"])
    return np.ascontiguousarray(X), labels[y]


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 4))
    return X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + 1 + 0.1 * rng.standard_normal(500)


@pytest.mark.parametrize("estimator", [GDClassifier, GDRegressor, ChurnClassifier])
def test_param_validation_is_complete(estimator):
    check_param_validation(estimator.__name__, estimator())


# ---- callback ------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["lbfgs", "gd", "sgd", "adam"])
def test_callback_sees_every_epoch(binary, optimizer):
    X, y = binary
    seen = []

    def callback(epoch, loss, coef):
        seen.append((epoch, loss, coef))

    model = GDClassifier(optimizer=optimizer, callback=callback, random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert [epoch for epoch, _, _ in seen] == list(range(1, model.n_iter_ + 1))
    assert all(type(loss) is float for _, loss, _ in seen)
    assert_allclose([loss for _, loss, _ in seen], model.loss_curve_, rtol=1e-15)
    assert all(coef.shape == (X.shape[1],) and coef.dtype == np.float64 for *_, coef in seen)
    # Each call gets its own array, holding the coefficients of that epoch.
    assert len({id(coef) for *_, coef in seen}) == len(seen)
    assert_array_equal(seen[-1][2], model.coef_[0])


def test_callback_can_stop_the_fit(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopping is not failing
        model = GDClassifier(
            optimizer="gd", tol=None, callback=lambda epoch, loss, coef: epoch == 3
        ).fit(X, y)
    assert model.n_iter_ == 3
    assert model.loss_curve_.shape == (3,)
    # Truthy values stop too; None and False continue.
    model = GDClassifier(optimizer="gd", tol=None, max_iter=8, callback=lambda *a: None).fit(X, y)
    assert model.n_iter_ == 8
    model = GDClassifier(optimizer="gd", callback=lambda e, *a: np.int64(e >= 2)).fit(X, y)
    assert model.n_iter_ == 2


class _Abort(Exception):
    pass


@pytest.mark.parametrize("optimizer", ["lbfgs", "sgd"])
def test_exception_in_callback_propagates(binary, optimizer):
    X, y = binary
    epochs = []

    def callback(epoch, loss, coef):
        epochs.append(epoch)
        if epoch == 2:
            raise _Abort("stop here")

    model = GDClassifier(optimizer=optimizer, callback=callback, tol=None)
    with pytest.raises(_Abort, match="stop here"):
        model.fit(X, y)
    assert epochs == [1, 2]  # the run stopped at once
    assert not hasattr(model, "coef_")
    with pytest.raises(KeyboardInterrupt):
        GDRegressor(callback=lambda *a: (_ for _ in ()).throw(KeyboardInterrupt)).fit(X, y)


def test_verbose_prints_each_epoch(binary, capsys):
    # verbose=2: the progress bar (stderr) plus one line per epoch (stdout).
    X, y = binary
    GDClassifier(optimizer="gd", tol=None, max_iter=4, verbose=2).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("-- GDClassifier epoch 1: objective ")
    GDClassifier(optimizer="gd", tol=None, max_iter=4).fit(X, y)
    assert capsys.readouterr().out == ""


# ---- errors and warnings -------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "momentum"])
def test_divergence_is_a_value_error_naming_the_learning_rate(regression, optimizer):
    X, y = regression
    model = GDRegressor(optimizer=optimizer, learning_rate="constant", eta0=50.0)
    with pytest.raises(ValueError, match=r"diverged.*learning rate.*eta0"):
        model.fit(X * 100, y)
    assert not hasattr(model, "coef_")  # never NaN coefficients


def test_default_steps_do_not_diverge_on_unscaled_features(regression):
    # eta0=None caps plain and momentum SGD at the step that is stable on the largest row
    # (scikit-learn's SAG rule): amounts in the thousands do not blow up the fit.
    X, y = regression
    X = X * 1000 + 5000
    for optimizer in ("sgd", "momentum", "nesterov"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = GDRegressor(optimizer=optimizer, random_state=0).fit(X, y)
        assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize("optimizer", ["lbfgs", "gd", "sgd", "adagrad", "adam"])
def test_convergence_warning_at_max_iter(binary, optimizer):
    X, y = binary
    params = dict(optimizer=optimizer, tol=1e-12, random_state=0)
    if optimizer == "adam":
        params["learning_rate"] = "constant"  # "adaptive" ends by itself
    with pytest.warns(ConvergenceWarning, match=r"did not converge in max_iter=2"):
        GDClassifier(max_iter=2, **params).fit(X, y)
    # tol=None asks for exactly max_iter epochs: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = GDClassifier(**{**params, "tol": None, "max_iter": 2}).fit(X, y)
    assert model.n_iter_ <= 2


def test_rising_objective_warns_naming_eta0():
    # Least squares with curvature exactly 1: a step of 2.1 overshoots, growing the
    # objective 1.21-fold per iteration; the tol rule stops it before it explodes.
    X = np.where(np.arange(200) % 2, 1.0, -1.0)[:, None]
    y = 0.5 * X[:, 0]
    model = GDRegressor(
        optimizer="gd", penalty=None, fit_intercept=False, learning_rate="constant", eta0=2.1
    )
    with pytest.warns(ConvergenceWarning, match=r"learning rate is too large.*eta0 \(now 2.1\)"):
        model.fit(X, y)
    assert model.loss_curve_[-1] > model.loss_curve_[0]


def test_unsupported_combinations_are_refused(binary, regression):
    X, y = binary
    with pytest.raises(ValueError, match="'lbfgs' needs a smooth objective"):
        GDClassifier(optimizer="lbfgs", penalty="l1").fit(X, y)
    with pytest.raises(ValueError, match="'optimal'.*alpha > 0"):
        GDClassifier(learning_rate="optimal", penalty=None).fit(X, y)
    Xr, yr = regression
    with pytest.raises(ValueError, match="y >= 0"):
        GDRegressor(loss="poisson").fit(Xr, yr)
    with pytest.raises(ValueError, match="y > 0"):
        GDRegressor(loss="gamma").fit(Xr, np.abs(yr) * (np.arange(len(yr)) % 2))


def test_probabilities_only_for_probabilistic_losses(binary):
    X, y = binary
    hinge = GDClassifier(loss="hinge", random_state=0).fit(X, y)
    assert not hasattr(hinge, "predict_proba")
    assert not hasattr(hinge, "predict_log_proba")
    with pytest.raises(AttributeError, match="has no attribute 'predict_proba'"):
        hinge.predict_proba(X)
    assert hasattr(GDClassifier(loss="modified_huber"), "predict_proba")


# ---- early stopping, class weights, sample weights -----------------------------------------


@pytest.mark.parametrize("estimator", [GDClassifier, GDRegressor])
def test_early_stopping_records_validation_scores(binary, regression, estimator):
    X, y = binary if estimator is GDClassifier else regression
    model = estimator(early_stopping=True, random_state=0, max_iter=200).fit(X, y)
    scores = model.validation_scores_
    assert scores.shape == (model.n_iter_,) == model.loss_curve_.shape
    assert model.n_iter_ < 200  # stopped on the held-out score
    full = estimator(optimizer="lbfgs").fit(X, y).score(X, y)
    assert scores.max() > full - 0.1
    # Five epochs without a tol improvement on the best score so far: the rule that
    # stopped it.
    last = range(len(scores) - 5, len(scores))
    assert all(scores[k] <= scores[:k].max() + model.tol for k in last)
    refit = model.set_params(early_stopping=False).fit(X, y)
    assert not hasattr(refit, "validation_scores_")


def test_glm_early_stopping_scores_the_prediction_scale():
    # Poisson counts: the held-out R^2 is computed on mu = exp(X w + b), the prediction, so
    # it matches the R^2 of predict() on comparable data (within noise); on the log scale
    # it would be far off.
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(3)
    X = rng.standard_normal((4000, 4))
    y = rng.poisson(np.exp(X @ [0.4, -0.3, 0.2, 0.0] + 0.5))
    model = GDRegressor(loss="poisson", early_stopping=True, random_state=0, max_iter=100)
    model.fit(X, y)
    assert 0 < model.validation_scores_.max() <= 1
    assert model.validation_scores_.max() == pytest.approx(r2_score(y, model.predict(X)), abs=0.08)
    assert abs(r2_score(y, np.log(model.predict(X))) - model.validation_scores_.max()) > 0.2


def test_early_stopping_for_one_vs_rest(three_classes):
    X, y = three_classes
    model = GDClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == 3
    assert len(model.loss_curve_) == 3
    assert model.n_iter_ == max(len(c) for c in model.loss_curve_)


@pytest.mark.parametrize("data", ["binary", "three_classes"])
def test_class_weight_equals_sample_weight(request, data):
    X, y = request.getfixturevalue(data)
    classes, counts = np.unique(y, return_counts=True)
    balanced = len(y) / (len(classes) * counts)
    per_sample = balanced[np.searchsorted(classes, y)]
    params = dict(optimizer="lbfgs", tol=1e-10)
    a = GDClassifier(class_weight="balanced", **params).fit(X, y)
    b = GDClassifier(**params).fit(X, y, sample_weight=per_sample)
    assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(a.intercept_, b.intercept_, rtol=1e-10, atol=1e-12)
    # A dict, combined with sample weights.
    weights = {classes[0]: 3.0, classes[1]: 0.5}
    sw = np.linspace(0.5, 1.5, len(y))
    c = GDClassifier(class_weight=weights, **params).fit(X, y, sample_weight=sw)
    factor = np.array([weights.get(label, 1.0) for label in y])
    d = GDClassifier(**params).fit(X, y, sample_weight=sw * factor)
    assert_allclose(c.coef_, d.coef_, rtol=1e-10, atol=1e-12)


def test_class_weight_shifts_predictions_to_the_heavy_class(binary):
    X, y = binary
    plain = GDClassifier(optimizer="lbfgs").fit(X, y)
    heavy = GDClassifier(optimizer="lbfgs", class_weight={0: 1.0, 1: 10.0}).fit(X, y)
    assert np.mean(heavy.predict(X) == 1) > np.mean(plain.predict(X) == 1)


# ---- dtypes --------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["lbfgs", "sgd"])
def test_float32_stays_float32(binary, three_classes, regression, optimizer):
    for X, y, estimator in (
        (*binary, GDClassifier),
        (*three_classes, GDClassifier),
        (*regression, GDRegressor),
    ):
        X32 = X.astype(np.float32)
        model = estimator(optimizer=optimizer, random_state=0).fit(X32, y)
        for name in ("coef_", "intercept_"):
            assert getattr(model, name).dtype == np.float32, name
        curves = model.loss_curve_ if isinstance(model.loss_curve_, list) else [model.loss_curve_]
        assert all(curve.dtype == np.float32 for curve in curves)
        assert model.predict(X32).dtype == (np.float32 if estimator is GDRegressor else y.dtype)
        if estimator is GDClassifier:
            assert model.decision_function(X32).dtype == np.float32
            assert model.predict_proba(X32).dtype == np.float32


# ---- partial_fit, warm start ---------------------------------------------------------------


def test_partial_fit_equals_fit_epoch_by_epoch(binary):
    # With a clock-driven schedule and a fixed row order, k partial_fit calls are the k
    # epochs of one fit: the learning-rate clock t_ carries over.
    X, y = binary
    params = dict(learning_rate="invscaling", eta0=0.1, shuffle=False, random_state=0)
    fitted = GDClassifier(max_iter=4, tol=None, **params).fit(X, y)
    stream = GDClassifier(**params)
    for k in range(4):
        stream.partial_fit(X, y, classes=np.unique(y))
        assert stream.t_ == (k + 1) * len(y)
        assert stream.n_iter_ == 1
    assert fitted.t_ == 4 * len(y)
    assert_allclose(stream.coef_, fitted.coef_, rtol=1e-12)
    assert_allclose(stream.intercept_, fitted.intercept_, rtol=1e-12)


def test_auto_batch_size(binary):
    # One row per step for plain and momentum SGD, 32 for the adaptive methods.
    X, y = binary
    n_batches = -(-len(y) // 32)
    for optimizer, updates in [("sgd", len(y)), ("nesterov", len(y)), ("adam", n_batches),
                               ("adagrad", n_batches), ("rmsprop", n_batches)]:  # fmt: skip
        model = GDClassifier(optimizer=optimizer, max_iter=2, tol=None).fit(X, y)
        assert model.t_ == 2 * updates, optimizer
    assert GDClassifier(optimizer="adam", batch_size=1, max_iter=1, tol=None).fit(X, y).t_ == len(y)


def test_partial_fit_for_one_vs_rest_and_regression(three_classes, regression):
    X, y = three_classes
    classes = np.unique(y)
    model = GDClassifier(optimizer="adam", random_state=0)
    for _ in range(20):
        for batch in np.array_split(np.arange(len(y)), 6):  # some batches lack a class
            model.partial_fit(X[batch[:40]], y[batch[:40]], classes=classes)
    assert_array_equal(model.classes_, classes)
    assert model.score(X, y) > GDClassifier(optimizer="lbfgs").fit(X, y).score(X, y) - 0.03
    Xr, yr = regression
    reg = GDRegressor(random_state=0)
    for _ in range(10):
        reg.partial_fit(Xr, yr)
    assert reg.score(Xr, yr) > 0.99
    assert reg.t_ == 10 * len(yr)


def test_partial_fit_errors(binary):
    X, y = binary
    with pytest.raises(ValueError, match="classes must be passed"):
        GDClassifier().partial_fit(X, y)
    model = GDClassifier().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match="not the same"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        GDClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


def test_warm_start_and_coef_init(binary, three_classes):
    X, y = binary
    cold = GDClassifier(optimizer="lbfgs", tol=1e-8).fit(X, y)
    warm = GDClassifier(optimizer="lbfgs", tol=1e-8, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ < first
    assert_allclose(warm.coef_, cold.coef_, rtol=1e-6, atol=1e-8)
    # fit(coef_init=...) from the optimum: nothing left to do.
    again = GDClassifier(optimizer="lbfgs", tol=1e-8).fit(
        X, y, coef_init=cold.coef_, intercept_init=cold.intercept_
    )
    assert again.n_iter_ <= 2
    with pytest.raises(ValueError, match="features"):
        warm.fit(X[:, :3], y)
    with pytest.raises(ValueError, match="coef_init has shape"):
        GDClassifier().fit(X, y, coef_init=np.zeros((2, X.shape[1])))
    X3, y3 = three_classes
    multi = GDClassifier(optimizer="lbfgs").fit(X3, y3)
    restarted = GDClassifier(optimizer="lbfgs").fit(
        X3, y3, coef_init=multi.coef_, intercept_init=multi.intercept_
    )
    assert restarted.n_iter_ <= 2
    reg = GDRegressor(optimizer="lbfgs", warm_start=True)
    Xr = X.copy()
    reg.fit(Xr, X[:, 0])
    n_cold = reg.n_iter_
    assert reg.fit(Xr, X[:, 0]).n_iter_ < n_cold


# ---- persistence, pandas -------------------------------------------------------------------


@pytest.mark.parametrize("estimator", [GDClassifier, GDRegressor])
def test_pickle_and_clone(binary, regression, estimator):
    X, y = binary if estimator is GDClassifier else regression
    model = estimator(optimizer="adam", alpha=1e-3, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    assert_array_equal(restored.loss_curve_, model.loss_curve_)
    assert restored.get_params() == model.get_params()
    fresh = clone(model)
    assert not hasattr(fresh, "coef_")
    assert_array_equal(fresh.fit(X, y).coef_, model.coef_)  # same seed, same fit


def test_dataframe_feature_names(binary):
    X, y = binary
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    for model in (GDClassifier(random_state=0).fit(frame, y), GDRegressor().fit(frame, X[:, 0])):
        assert list(model.feature_names_in_) == list(frame.columns)
        model.predict(frame)
        with pytest.raises(ValueError, match="feature names"):
            model.predict(frame[frame.columns[::-1]])
    streamed = GDRegressor().partial_fit(frame, X[:, 0])
    with pytest.raises(ValueError, match="feature names"):
        streamed.partial_fit(frame[frame.columns[::-1]], X[:, 0])


# ---- predictions ---------------------------------------------------------------------------


def test_one_vs_rest_log_loss_probabilities(three_classes):
    X, y = three_classes
    model = GDClassifier(optimizer="lbfgs").fit(X, y)
    assert model.coef_.shape == (3, X.shape[1]) and model.intercept_.shape == (3,)
    scores = model.decision_function(X)
    assert scores.shape == (len(y), 3)
    assert_allclose(scores, X @ model.coef_.T + model.intercept_, rtol=1e-12, atol=1e-12)
    expected = expit(scores) / expit(scores).sum(axis=1, keepdims=True)  # scikit-learn's OvR
    assert_allclose(model.predict_proba(X), expected, rtol=1e-12)
    assert_allclose(np.exp(model.predict_log_proba(X)), expected, rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[np.argmax(scores, axis=1)])
    assert model.score(X, y) > 0.8
    assert isinstance(model.objective_, np.ndarray) and model.objective_.shape == (3,)


def test_modified_huber_probabilities(binary, three_classes):
    X, y = binary
    model = GDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    positive = (np.clip(model.decision_function(X), -1, 1) + 1) / 2
    assert_allclose(model.predict_proba(X), np.column_stack([1 - positive, positive]))
    X3, y3 = three_classes
    multi = GDClassifier(loss="modified_huber", random_state=0).fit(X3, y3)
    proba = multi.predict_proba(X3)
    raw = (np.clip(multi.decision_function(X3), -1, 1) + 1) / 2
    total = raw.sum(axis=1, keepdims=True)
    expected = np.where(total > 0, raw / np.where(total > 0, total, 1), 1 / 3)
    assert_allclose(proba, expected, rtol=1e-12)
    assert_allclose(proba.sum(axis=1), 1)


def test_regressor_predictions(regression):
    X, y = regression
    model = GDRegressor(optimizer="lbfgs", tol=1e-8).fit(X, y)
    assert model.coef_.shape == (4,) and model.intercept_.shape == (1,)
    assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_[0], rtol=1e-12)
    assert model.score(X, y) == pytest.approx(r2_score(y, model.predict(X)))
    huber = GDRegressor(loss="huber", epsilon=0.5, optimizer="lbfgs").fit(X, y)
    assert huber.score(X, y) > 0.99
    tweedie = GDRegressor(loss="tweedie", power=1.2, optimizer="lbfgs").fit(X, np.exp(y / 4))
    assert np.all(tweedie.predict(X) > 0)
