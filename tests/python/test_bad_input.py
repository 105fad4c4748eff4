"""Bad input is a clear error (ValueError naming the problem), never a wrong model."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_param_validation

from marketlearn import ChurnClassifier, _core


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = np.arange(30) % 2
    return X, y


def test_param_validation_is_complete():
    # scikit-learn's own check: every parameter is constrained, and invalid values raise.
    check_param_validation("ChurnClassifier", ChurnClassifier())


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_x(data, value):
    X, y = data
    X = X.copy()
    X[4, 1] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        ChurnClassifier().fit(X, y)
    model = ChurnClassifier().fit(data[0], y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.predict(X)


@pytest.mark.parametrize("shape", [(0, 3), (5, 0)])
def test_empty_x(shape):
    with pytest.raises(ValueError, match="sample|feature"):
        ChurnClassifier().fit(np.zeros(shape), np.zeros(shape[0]))


def test_one_dimensional_x(data):
    X, y = data
    with pytest.raises(ValueError, match="2D"):
        ChurnClassifier().fit(X[:, 0], y)


def test_mismatched_lengths(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ChurnClassifier().fit(X, y[:-1])


def test_one_class(data):
    X, _ = data
    with pytest.raises(ValueError, match="only one class: 'churned'"):
        ChurnClassifier().fit(X, np.full(len(X), "churned"))


def test_three_classes(data):
    X, _ = data
    with pytest.raises(ValueError, match="Only binary classification is supported.*3 classes"):
        ChurnClassifier().fit(X, np.arange(len(X)) % 3)


def test_continuous_target(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        ChurnClassifier().fit(X, np.linspace(0, 1, len(X)))


@pytest.mark.parametrize("estimator", ["ChurnClassifier", "GDClassifier"])
def test_labels_of_mixed_types(data, estimator):
    import marketlearn

    X, _ = data
    y = np.array(["stay", 1] * (len(X) // 2), dtype=object)
    with pytest.raises(ValueError, match="cannot be sorted.*labels of one type"):
        getattr(marketlearn, estimator)().fit(X, y)


def test_encoded_classes_match_numpy_unique():
    # Two and more classes, numbers and strings: the encoding must be np.unique's inverse.
    from marketlearn._validation import encode_class_target

    rng = np.random.default_rng(1)
    for y in (
        rng.integers(0, 2, 200),
        rng.integers(-3, 4, 200).astype(np.float32),
        np.array(["b", "a", "c", "a"] * 50),
        rng.integers(0, 2, 200).astype(bool),
    ):
        classes, index = encode_class_target(y, estimator_name="test")
        expected_classes, expected_index = np.unique(y, return_inverse=True)
        np.testing.assert_array_equal(classes, expected_classes)
        np.testing.assert_array_equal(index, expected_index)
        assert index.dtype == np.intp


def test_nan_in_target(data):
    X, y = data
    y = y.astype(float)
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ChurnClassifier().fit(X, y)


def test_negative_sample_weight(data):
    X, y = data
    w = np.ones(len(y))
    w[2] = -1
    with pytest.raises(ValueError, match="Negative values in data passed to sample_weight"):
        ChurnClassifier().fit(X, y, sample_weight=w)


def test_all_zero_sample_weight(data):
    X, y = data
    with pytest.raises(ValueError, match="[Ss]ample.weight"):
        ChurnClassifier().fit(X, y, sample_weight=np.zeros(len(y)))


def test_weights_removing_a_class(data):
    X, y = data
    with pytest.raises(ValueError, match="class 1"):
        ChurnClassifier().fit(X, y, sample_weight=(y == 0).astype(float))


@pytest.mark.parametrize("bad", [np.ones(29), np.ones((30, 1)), np.full(30, np.nan)])
def test_malformed_sample_weight(data, bad):
    X, y = data
    with pytest.raises(ValueError):
        ChurnClassifier().fit(X, y, sample_weight=bad)


def test_wrong_number_of_features_at_predict(data):
    X, y = data
    model = ChurnClassifier().fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(ValueError, match="3 features"):
            getattr(model, method)(X[:, :2])


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError):
        ChurnClassifier().predict(data[0])


def test_sparse_x_is_accepted_and_checked(data):
    # Sparse X goes to the CSR kernels (tests/python/test_sparse.py); its values are
    # checked like dense ones.
    X, y = data
    dense = ChurnClassifier(tol=1e-10).fit(X, y)
    sparse = ChurnClassifier(tol=1e-10).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-10)
    bad = sp.csr_matrix(X)
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ChurnClassifier().fit(bad, y)


@pytest.mark.parametrize(
    "param, value",
    [
        ("alpha", -1.0),
        ("alpha", "big"),
        ("optimizer", "newton-cg"),
        ("max_iter", 0),
        ("tol", -1e-3),
        ("n_iter_no_change", 0),
        ("batch_size", 0),
        ("learning_rate", "fastest"),
        ("eta0", 0.0),
        ("power_t", -0.5),
        ("fit_intercept", "yes"),
        ("random_state", "seed"),
    ],
)
def test_invalid_parameter_names_the_parameter(data, param, value):
    X, y = data
    with pytest.raises(ValueError, match=f"'{param}' parameter of ChurnClassifier"):
        ChurnClassifier(**{param: value}).fit(X, y)


# ---- the compiled layer checks too (for direct callers), as ValueError -------------------


def test_core_errors_are_value_errors(data):
    X, y = data
    y = (2 * y - 1).astype(np.float64)
    with pytest.raises(ValueError, match="alpha"):
        _core.fit_linear(X, y, alpha=-1.0)
    with pytest.raises(ValueError, match=r"y\[0\]=0 must be -1 or \+1"):
        _core.fit_linear(X, (y + 1) / 2)
    with pytest.raises(ValueError, match="X contains nan"):
        bad = X.copy()
        bad[2, 2] = np.nan
        _core.fit_linear(bad, y)
    with pytest.raises(ValueError, match="sample_weight"):
        _core.fit_linear(X, y, -np.ones(len(y)))
    with pytest.raises(ValueError, match="optimizer='newton'"):
        _core.fit_linear(X, y, optimizer="newton")
    with pytest.raises(ValueError, match="loss='logistic'"):
        _core.fit_linear(X, y, loss="logistic")
    with pytest.raises(ValueError, match="learning_rate='fast'"):
        _core.fit_linear(X, y, learning_rate="fast")
    with pytest.raises(ValueError, match="y has 29 entries"):
        _core.fit_linear(X, y[:-1])
    with pytest.raises(ValueError, match="coef has 2 entries"):
        _core.linear_decision_function(X, np.zeros(2), 0.0)
    with pytest.raises(ValueError, match="0 rows"):
        _core.fit_linear(X[:0], y[:0])
    with pytest.raises(ValueError, match="callback must be callable"):
        _core.fit_linear(X, y, callback=3)


# =========================================================================================
# The tables: every case of issue 7/8 per estimator family. Each row is (id, a call that
# must raise ValueError, a regex the message must match: the parameter and / or value).
# =========================================================================================

# ruff: noqa: E501  (the case tables read best one case per line)

import json  # noqa: E402
import re  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402

from marketlearn import (  # noqa: E402
    CustomerSegmenter,
    GDClassifier,
    GDRegressor,
    KMeans,
    LeadScorer,
    LTVRegressor,
    MiniBatchKMeans,
    choose_k,
    load_model,
    rfm_table,
    save_model,
)
from marketlearn.clv import BetaGeoModel, GammaGammaModel, summary_from_transactions  # noqa: E402

N = 40
_rng = np.random.default_rng(11)
X0 = _rng.standard_normal((N, 3))
Y_BIN = np.arange(N) % 2
Y_POS = np.exp(X0 @ [0.3, -0.2, 0.1]) + 0.5  # strictly positive: valid for every loss


def _with(X, value, at=(4, 1)):
    X = np.array(X, dtype=float)
    X[at] = value
    return X


def _w(first):
    w = np.ones(N)
    w[0] = first
    return w


def _y(first, base=Y_POS):
    y = np.array(base, dtype=float)
    y[0] = first
    return y


def _check(call, message):
    with pytest.raises(ValueError, match=message):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()


def _table(cases):
    return [pytest.param(call, message, id=name) for name, call, message in cases]


# ---- linear estimators: ChurnClassifier, GDClassifier, GDRegressor, LTVRegressor --------

_LINEAR = {
    "churn": (ChurnClassifier, Y_BIN),
    "gdc": (GDClassifier, Y_BIN),
    "gdr": (GDRegressor, Y_POS),
    "ltv": (LTVRegressor, Y_POS),
}

# Cases every linear estimator shares: (id, fit arguments (X, y, sample_weight) from (X, y), regex).
_LINEAR_FIT = [
    ("X-nan", lambda X, y: (_with(X, np.nan), y, None), r"Input X contains NaN"),
    ("X-inf", lambda X, y: (_with(X, np.inf), y, None), r"Input X contains infinity"),
    ("X-neg-inf", lambda X, y: (_with(X, -np.inf), y, None), r"Input X contains infinity"),
    ("X-float32-nan", lambda X, y: (_with(X, np.nan).astype(np.float32), y, None), r"Input X contains NaN"),
    ("X-no-rows", lambda X, y: (X[:0], y[:0], None), r"0 sample\(s\) \(shape=\(0, 3\)\)"),
    ("X-no-columns", lambda X, y: (X[:, :0], y, None), r"0 feature\(s\) \(shape=\(40, 0\)\)"),
    ("X-1d", lambda X, y: (X[:, 0], y, None), r"Expected 2D array"),
    ("y-shorter", lambda X, y: (X, y[:-1], None), r"inconsistent numbers of samples: \[40, 39\]"),
    ("y-nan", lambda X, y: (X, _y(np.nan, y), None), r"Input y contains NaN"),
    ("y-inf", lambda X, y: (X, _y(np.inf, y), None), r"Input y contains (infinity|NaN)|Unknown label type"),
    ("X-strings", lambda X, y: (np.full((N, 3), "churned"), y, None), r"X must be numeric: could not convert string to float: .*churned"),
    ("X-text-column", lambda X, y: (pd.DataFrame({"plan": ["basic"] * N, "x": 1.0}), y, None), r"X must be numeric: .*'basic'"),
    ("X-complex", lambda X, y: (X.astype(complex), y, None), r"Complex data not supported"),
    ("sample-weight-shorter", lambda X, y: (X, y, np.ones(N - 1)), r"sample_weight.shape == \(39,\), expected \(40,\)"),
    ("sample-weight-negative", lambda X, y: (X, y, _w(-1.0)), r"Negative values in data passed to sample_weight"),
    ("sample-weight-nan", lambda X, y: (X, y, _w(np.nan)), r"Input sample_weight contains NaN"),
    ("sample-weight-inf", lambda X, y: (X, y, _w(np.inf)), r"Input sample_weight contains infinity"),
    ("sample-weight-all-zero", lambda X, y: (X, y, np.zeros(N)), r"([Ss]ample weights|sample_weight) must .*(non-zero|positive)"),
    ("sample-weight-strings", lambda X, y: (X, y, np.full(N, "heavy")), r"sample_weight must be numeric: .*heavy"),
]  # fmt: skip


@pytest.mark.parametrize("estimator", list(_LINEAR))
@pytest.mark.parametrize("make, message", _table(_LINEAR_FIT))
def test_linear_fit_table(estimator, make, message):
    cls, y = _LINEAR[estimator]
    X, y, sw = make(X0, y)
    _check(lambda: cls().fit(X, y, sample_weight=sw), message)


_FIRST_PASS_SETUPS = {
    "lbfgs": dict(optimizer="lbfgs"),
    "gd": dict(optimizer="gd"),
    "sgd-batch-1": dict(optimizer="sgd", batch_size=1),
    "sgd-batch-8": dict(optimizer="sgd", batch_size=8),
    "sgd-batch-8-l1": dict(optimizer="sgd", batch_size=8, penalty="l1"),
    "adam-batch-16": dict(optimizer="adam", batch_size=16),
    # At a NaN decision value the hinge loss and its derivative are 0.
    "sgd-batch-1-hinge": dict(optimizer="sgd", batch_size=1, loss="hinge"),
}


@pytest.mark.parametrize("setup", list(_FIRST_PASS_SETUPS))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("at", [(0, 0), (N - 1, 2), (7, 1)], ids=["first", "last", "weight-0"])
@pytest.mark.parametrize("kind", ["binary", "three-classes", "regression", "csr"])
def test_optimizers_find_non_finite_X_in_their_first_pass(setup, value, at, kind):
    # Without early stopping the separate NaN / infinity pass over X is skipped: the first
    # gradient (lbfgs, gd) or the first epoch (stochastic) carries any non-finite entry
    # (row 7 has weight 0), and the error is scikit-learn's.
    params = dict(_FIRST_PASS_SETUPS[setup], max_iter=1)
    X = _with(X0, value, at=at)
    weight = np.ones(N)
    weight[7] = 0.0
    message = r"Input X contains NaN" if np.isnan(value) else r"Input X contains infinity"
    if kind == "regression":
        if params.get("loss") == "hinge":
            params["loss"] = "huber"
        _check(lambda: GDRegressor(**params).fit(X, Y_POS, sample_weight=weight), message)
        return
    y = np.arange(N) % 3 if kind == "three-classes" else Y_BIN
    if kind == "csr":
        X = sp.csr_array(X)
    _check(lambda: GDClassifier(**params).fit(X, y, sample_weight=weight), message)


def test_full_pass_optimizers_still_name_a_bad_start_on_finite_X():
    # The error of a non-finite first gradient is only replaced when X is at fault.
    X = X0 * 1e300
    with pytest.raises(ValueError) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GDRegressor(optimizer="lbfgs", loss="poisson").fit(
                X, Y_POS, coef_init=np.full(3, 1e300)
            )
    assert "Input X" not in str(info.value)


# Cases of one estimator (targets that are invalid for its loss, class counts).
_LINEAR_TARGETS = [
    ("churn-one-class", lambda: ChurnClassifier().fit(X0, np.full(N, "churned")), r"only one class: 'churned'"),
    ("churn-one-sample", lambda: ChurnClassifier().fit(X0[:1], Y_BIN[:1]), r"only one class: 0"),
    ("churn-three-classes", lambda: ChurnClassifier().fit(X0, np.arange(N) % 3), r"Only binary classification is supported.*3 classes \(0, 1, 2\)"),
    ("churn-continuous", lambda: ChurnClassifier().fit(X0, Y_POS), r"Unknown label type: continuous"),
    ("gdc-one-class", lambda: GDClassifier().fit(X0, np.full(N, "lead")), r"only one class: 'lead'"),
    ("gdc-drops-a-class", lambda: GDClassifier().fit(X0, Y_BIN, sample_weight=(Y_BIN == 0).astype(float)), r"sample_weight is zero for every sample of class 1"),
    ("ltv-tweedie-negative-y", lambda: LTVRegressor().fit(X0, _y(-1.0)), r"(loss='tweedie'|tweedie).*y.*-1"),
    ("ltv-poisson-negative-y", lambda: LTVRegressor(loss="poisson").fit(X0, _y(-2.5)), r"(loss='poisson'|poisson).*y.*-2\.5"),
    ("ltv-gamma-negative-y", lambda: LTVRegressor(loss="gamma").fit(X0, _y(-1.0)), r"(loss='gamma'|gamma).*y.*-1"),
    ("ltv-gamma-zero-y", lambda: LTVRegressor(loss="gamma").fit(X0, _y(0.0)), r"(loss='gamma'|gamma).*y.*0"),
    ("gdr-poisson-negative-y", lambda: GDRegressor(loss="poisson").fit(X0, _y(-1.0)), r"(loss='poisson'|poisson).*y.*-1"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_LINEAR_TARGETS))
def test_linear_target_table(call, message):
    _check(call, message)


def test_linear_degenerate_but_valid_data_fits_finitely():
    # Not errors: one sample for a regressor (the model fits that value), an all-zero
    # target for Tweedie / Poisson (the optimum lies at intercept -> -inf; L-BFGS stops
    # at a finite, very negative intercept and predicts ~0).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = [
            GDRegressor().fit(X0[:1], Y_POS[:1]),
            LTVRegressor().fit(X0[:1], Y_POS[:1]),
            LTVRegressor().fit(X0, np.zeros(N)),
            LTVRegressor(loss="poisson").fit(X0, np.zeros(N)),
        ]
    for model in models:
        assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_).all()
        prediction = model.predict(X0)
        assert np.all(np.isfinite(prediction))
    assert np.all(models[2].predict(X0) < 1e-6)


_LINEAR_PREDICT = [
    ("fewer-features", lambda X: X[:, :2], r"X has 2 features, but \w+ is expecting 3 features"),
    ("more-features", lambda X: np.c_[X, X], r"X has 6 features, but \w+ is expecting 3 features"),
    ("nan", lambda X: _with(X, np.nan), r"Input X contains NaN"),
    ("inf", lambda X: _with(X, np.inf), r"Input X contains infinity"),
    ("no-rows", lambda X: X[:0], r"0 sample\(s\)"),
    ("strings", lambda X: np.full((2, 3), "churned"), r"X must be numeric: .*churned"),
]  # fmt: skip


@pytest.fixture(scope="module")
def linear_fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: cls().fit(X0, y) for name, (cls, y) in _LINEAR.items()}


@pytest.mark.parametrize("estimator", list(_LINEAR))
@pytest.mark.parametrize("make, message", _table(_LINEAR_PREDICT))
def test_linear_predict_table(linear_fitted, estimator, make, message):
    _check(lambda: linear_fitted[estimator].predict(make(X0)), message)


# Hyperparameters: (estimator, parameter, invalid value). The message names both.
_LINEAR_PARAMS = [
    (cls, param, value)
    for cls in (ChurnClassifier, GDClassifier, GDRegressor, LTVRegressor)
    for param, value in [
        ("eta0", 0.0),  # the learning rate must be > 0
        ("eta0", -0.1),
        ("eta0", np.nan),
        ("l1_ratio", -0.1),
        ("l1_ratio", 1.5),
        ("l1_ratio", np.nan),
        ("batch_size", 0),
        ("batch_size", -3),
        ("optimizer", "newton-cg"),  # unknown optimizer
        ("loss", "exotic"),  # unknown loss
        ("learning_rate", "fastest"),
        ("alpha", -1.0),
        ("alpha", np.inf),
        ("max_iter", 0),
        ("tol", -1e-3),
        ("momentum", 1.5),
        ("validation_fraction", 1.0),
    ]
    if not (cls is ChurnClassifier and param == "loss" and False)
] + [
    (GDRegressor, "power", 2.5),
    (LTVRegressor, "power", 1.0),
    (GDRegressor, "epsilon", 0.0),
]


@pytest.mark.parametrize(
    "cls, param, value",
    _LINEAR_PARAMS,
    ids=[f"{c.__name__}-{p}={v!r}" for c, p, v in _LINEAR_PARAMS],
)
def test_linear_hyperparameter_table(cls, param, value):
    y = Y_BIN if cls in (ChurnClassifier, GDClassifier) else Y_POS
    shown = repr(value) if isinstance(value, str) else str(value)
    _check(
        lambda: cls(**{param: value}).fit(X0, y),
        rf"The '{param}' parameter of {cls.__name__} must be .*Got {re.escape(shown)} instead",
    )


# ---- LeadScorer: raw DataFrames -------------------------------------------------------

LEADS = pd.DataFrame(
    {
        "visits": _rng.poisson(3, N).astype(float),
        "source": _rng.choice(["ad", "mail", "web"], N),
    }
)


@pytest.fixture(scope="module")
def lead_scorer():
    return LeadScorer().fit(LEADS, Y_BIN)


_LEADS = [
    ("one-class", lambda s: LeadScorer().fit(LEADS, np.zeros(N)), r"only one class: 0"),
    ("three-classes", lambda s: LeadScorer().fit(LEADS, np.arange(N) % 3), r"(binary|2 classes).*3 classes|Only binary"),
    ("y-shorter", lambda s: LeadScorer().fit(LEADS, Y_BIN[:-1]), r"inconsistent numbers of samples: \[40, 39\]|y has 39"),
    ("y-nan", lambda s: LeadScorer().fit(LEADS, _y(np.nan, Y_BIN)), r"Input y contains NaN"),
    ("no-rows", lambda s: LeadScorer().fit(LEADS.iloc[:0], Y_BIN[:0]), r"0 sample"),
    ("numeric-inf", lambda s: LeadScorer().fit(LEADS.assign(visits=_y(np.inf, LEADS["visits"])), Y_BIN), r"visits.*inf|infinity"),
    ("sample-weight-negative", lambda s: LeadScorer().fit(LEADS, Y_BIN, sample_weight=_w(-1.0)), r"Negative values in data passed to sample_weight"),
    ("sample-weight-nan", lambda s: LeadScorer().fit(LEADS, Y_BIN, sample_weight=_w(np.nan)), r"sample_weight contains NaN"),
    ("predict-missing-column", lambda s: s.predict(LEADS[["visits"]]), r"source"),
    ("predict-extra-column", lambda s: s.predict(LEADS.assign(extra=1.0)), r"extra"),
    ("predict-inf", lambda s: s.predict(LEADS.assign(visits=_y(np.inf, LEADS["visits"]))), r"visits.*inf|infinity"),
    ("unknown-optimizer", lambda s: LeadScorer(optimizer="newton").fit(LEADS, Y_BIN), r"'optimizer' parameter of LeadScorer.*'newton'"),
    ("negative-alpha", lambda s: LeadScorer(alpha=-1.0).fit(LEADS, Y_BIN), r"'alpha' parameter of LeadScorer.*-1\.0"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_LEADS))
def test_lead_scorer_table(lead_scorer, call, message):
    _check(lambda: call(lead_scorer), message)


# ---- k-means, segmentation, choose_k ------------------------------------------------------

_KM = [(name, cls) for name, cls in (("kmeans", KMeans), ("minibatch", MiniBatchKMeans))]
_KMEANS = [
    ("n-clusters-over-n-samples", lambda cls: cls(n_clusters=5).fit(X0[:3]), r"n_samples=3 should be >= n_clusters=5"),
    ("n-clusters-zero", lambda cls: cls(n_clusters=0).fit(X0), r"'n_clusters' parameter of (MiniBatch)?KMeans must be .*Got 0"),
    ("X-nan", lambda cls: cls(n_clusters=2).fit(_with(X0, np.nan)), r"Input X contains NaN"),
    ("X-inf", lambda cls: cls(n_clusters=2).fit(_with(X0, np.inf)), r"Input X contains infinity"),
    ("X-no-rows", lambda cls: cls(n_clusters=2).fit(X0[:0]), r"0 sample\(s\)"),
    ("X-strings", lambda cls: cls(n_clusters=2).fit(np.full((N, 2), "gold")), r"could not convert string to float: .*gold"),
    ("sample-weight-negative", lambda cls: cls(n_clusters=2).fit(X0, sample_weight=_w(-1.0)), r"Negative values in data passed to sample_weight"),
    ("sample-weight-nan", lambda cls: cls(n_clusters=2).fit(X0, sample_weight=_w(np.nan)), r"sample_weight contains NaN"),
    ("sample-weight-shorter", lambda cls: cls(n_clusters=2).fit(X0, sample_weight=np.ones(N - 1)), r"sample_weight.shape == \(39,\), expected \(40,\)"),
    ("init-wrong-shape", lambda cls: cls(n_clusters=2, init=np.zeros((3, 3))).fit(X0), r"initial centers \(3, 3\) does not match the number of clusters 2"),
    ("max-iter-zero", lambda cls: cls(n_clusters=2, max_iter=0).fit(X0), r"'max_iter' parameter .*Got 0"),
    ("tol-negative", lambda cls: cls(n_clusters=2, tol=-1.0).fit(X0), r"'tol' parameter .*Got -1\.0"),
    ("predict-fewer-features", lambda cls: cls(n_clusters=2, random_state=0).fit(X0).predict(X0[:, :2]), r"X has 2 features, but \w+ is expecting 3 features"),
    ("predict-nan", lambda cls: cls(n_clusters=2, random_state=0).fit(X0).predict(_with(X0, np.nan)), r"Input X contains NaN"),
]  # fmt: skip


@pytest.mark.parametrize("cls", [c for _, c in _KM], ids=[n for n, _ in _KM])
@pytest.mark.parametrize("call, message", _table(_KMEANS))
def test_kmeans_table(cls, call, message):
    _check(lambda: call(cls), message)


_KMEANS_ONLY = [
    ("minibatch-batch-size-zero", lambda: MiniBatchKMeans(n_clusters=2, batch_size=0).fit(X0), r"'batch_size' parameter of MiniBatchKMeans must be .*Got 0"),
    ("minibatch-partial-fit-n-clusters-over-n-samples", lambda: MiniBatchKMeans(n_clusters=5).partial_fit(X0[:3]), r"n_samples=3 should be >= n_clusters=5"),
    ("kmeans-unknown-algorithm", lambda: KMeans(n_clusters=2, algorithm="magic").fit(X0), r"'algorithm' parameter of KMeans must be .*'magic'"),
    ("kmeans-unknown-init", lambda: KMeans(n_clusters=2, init="best").fit(X0), r"'init' parameter of KMeans must be .*'best'"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_KMEANS_ONLY))
def test_kmeans_specific_table(call, message):
    _check(call, message)


_SEGMENTS = [
    ("n-segments-over-n-samples", lambda: CustomerSegmenter(n_segments=5).fit(X0[:3]), r"n_samples=3 should be >= n_segments=5"),
    ("X-nan", lambda: CustomerSegmenter(n_segments=2).fit(_with(X0, np.nan)), r"NaN"),
    ("X-inf", lambda: CustomerSegmenter(n_segments=2).fit(_with(X0, np.inf)), r"infinity"),
    ("X-no-rows", lambda: CustomerSegmenter(n_segments=2).fit(X0[:0]), r"0 sample"),
    ("X-text-column", lambda: CustomerSegmenter(n_segments=2).fit(pd.DataFrame({"tier": ["gold"] * N, "x": X0[:, 0]})), r"column\(s\) \['tier'\] are not numeric"),
    ("log-negative", lambda: CustomerSegmenter(n_segments=2, log_features=[0]).fit(_with(X0, -5.0, (0, 0))), r"log_features must be >= 0 .*negative values in column\(s\) \[0\]"),
    ("sample-weight-negative", lambda: CustomerSegmenter(n_segments=2).fit(X0, sample_weight=_w(-1.0)), r"Negative values in data passed to sample_weight"),
    ("n-segments-zero", lambda: CustomerSegmenter(n_segments=0).fit(X0), r"'n_segments' parameter of CustomerSegmenter.*Got 0"),
    ("predict-fewer-features", lambda: CustomerSegmenter(n_segments=2, random_state=0).fit(X0).predict(X0[:, :2]), r"X has 2 features, but \w+ is expecting 3 features"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_SEGMENTS))
def test_segmenter_table(call, message):
    _check(call, message)


_CHOOSE_K = [
    ("X-nan", lambda: choose_k(_with(X0, np.nan), k_range=range(2, 4)), r"Input X contains NaN"),
    ("X-inf", lambda: choose_k(_with(X0, np.inf), k_range=range(2, 4)), r"Input X contains infinity"),
    ("k-over-n-samples", lambda: choose_k(X0[:4], k_range=range(5, 9)), r"needs at least 3 candidate k in \[1, 4\] for n_samples=4"),
    ("k-zero", lambda: choose_k(X0, k_range=[0, 2, 3, 4]), r"k_range holds k=0; every candidate must be >= 1"),
    ("k-fraction", lambda: choose_k(X0, k_range=[2, 2.5, 3, 4]), r"k_range must hold integers; got k=2\.5"),
    ("k-empty", lambda: choose_k(X0, k_range=[]), r"k_range"),
    ("unknown-method", lambda: choose_k(X0, k_range=range(2, 4), method="magic"), r"method.*'magic'"),
    ("X-strings", lambda: choose_k(np.full((N, 2), "gold"), k_range=range(2, 4)), r"could not convert string to float: .*gold"),
    ("sample-weight-negative", lambda: choose_k(X0, k_range=range(2, 6), sample_weight=_w(-1.0)), r"Negative values in data passed to sample_weight"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_CHOOSE_K))
def test_choose_k_table(call, message):
    _check(call, message)


# ---- transactions: rfm_table, summary_from_transactions ---------------------------------

TRANSACTIONS = pd.DataFrame(
    {
        "customer": ["a", "a", "b", "c", "c", "c"],
        "date": pd.to_datetime(
            ["2024-01-01", "2024-02-01", "2024-01-15", "2024-01-03", "2024-03-01", "2024-03-05"]
        ),
        "amount": [10.0, 20.0, 5.0, 7.5, 8.0, 30.0],
    }
)


def _tx(**changes):
    frame = TRANSACTIONS.copy()
    for column, (row, value) in changes.items():
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    return frame


_TRANSACTIONS = [
    ("rfm-missing-column", lambda: rfm_table(TRANSACTIONS, "customer", "day", "amount"), r"day"),
    ("rfm-amount-nan", lambda: rfm_table(_tx(amount=(1, np.nan)), "customer", "date", "amount"), r"transactions\['amount'\] holds 1 missing or non-finite value\(s\), the first nan at index 1"),
    ("rfm-amount-text", lambda: rfm_table(_tx(amount=(1, "ten")), "customer", "date", "amount"), r"transactions\['amount'\] must be numeric: .*'ten'"),
    ("rfm-date-missing", lambda: rfm_table(_tx(date=(1, pd.NaT)), "customer", "date", "amount"), r"date.*(NaT|missing)"),
    ("rfm-no-rows", lambda: rfm_table(TRANSACTIONS.iloc[:0], "customer", "date", "amount"), r"transactions holds no rows"),
    ("rfm-end-before-data", lambda: rfm_table(TRANSACTIONS, "customer", "date", "amount", observation_end="2023-01-01"), r"observation_end=2023-01-01 is before every transaction"),
    ("rfm-unknown-monetary", lambda: rfm_table(TRANSACTIONS, "customer", "date", "amount", monetary="median"), r"monetary.*'median'"),
    ("summary-missing-column", lambda: summary_from_transactions(TRANSACTIONS, "customer", "day"), r"day"),
    ("summary-amount-nan", lambda: summary_from_transactions(_tx(amount=(1, np.nan)), "customer", "date", "amount"), r"amount.*(NaN|missing|finite)"),
    ("summary-date-missing", lambda: summary_from_transactions(_tx(date=(1, pd.NaT)), "customer", "date"), r"date.*(NaT|missing)"),
    ("summary-end-before-data", lambda: summary_from_transactions(TRANSACTIONS, "customer", "date", observation_period_end="2023-01-01"), r"observation_period_end"),
    ("summary-no-rows", lambda: summary_from_transactions(TRANSACTIONS.iloc[:0], "customer", "date"), r"(empty|no transactions|0 rows)"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_TRANSACTIONS))
def test_transactions_table(call, message):
    _check(call, message)


# ---- CLV models: per-customer summaries -----------------------------------------------

F = np.array([0.0, 2.0, 5.0, 1.0, 0.0, 3.0])
R = np.array([0.0, 10.0, 30.0, 4.0, 0.0, 20.0])
T = np.array([40.0, 40.0, 38.0, 35.0, 20.0, 30.0])
M = np.array([0.0, 25.0, 12.0, 40.0, 0.0, 18.0])


def _v(array, i, value):
    array = np.array(array, dtype=float)
    array[i] = value
    return array


@pytest.fixture(scope="module")
def bgnbd():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoModel(penalizer_coef=0.01).fit(F, R, T)


@pytest.fixture(scope="module")
def gamma_gamma():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keep = F > 0
        return GammaGammaModel(penalizer_coef=0.01).fit(F[keep], M[keep])


_CLV = [
    ("bgnbd-recency-over-T", lambda b, g: BetaGeoModel().fit(F, _v(R, 1, 50.0), T), r"recency\[1\]=50.* T\[1\]=40"),
    ("bgnbd-frequency-without-recency", lambda b, g: BetaGeoModel().fit(F, _v(R, 1, 0.0), T), r"frequency\[1\]=2.*recency\[1\]=0"),
    ("bgnbd-negative-frequency", lambda b, g: BetaGeoModel().fit(_v(F, 2, -1.0), R, T), r"frequency\[2\]=-1"),
    ("bgnbd-fractional-frequency", lambda b, g: BetaGeoModel().fit(_v(F, 2, 1.5), R, T), r"frequency\[2\]=1\.5"),
    ("bgnbd-negative-T", lambda b, g: BetaGeoModel().fit(F, R, _v(T, 0, -3.0)), r"T\[0\]=-3"),
    ("bgnbd-nan-recency", lambda b, g: BetaGeoModel().fit(F, _v(R, 3, np.nan), T), r"recency\[3\]=nan|recency.*NaN"),
    ("bgnbd-inf-T", lambda b, g: BetaGeoModel().fit(F, R, _v(T, 3, np.inf)), r"T\[3\]=inf|T.*(infinity|finite)"),
    ("bgnbd-mismatched-lengths", lambda b, g: BetaGeoModel().fit(F, R[:-1], T), r"recency has 5 entries but frequency has 6"),
    ("bgnbd-empty", lambda b, g: BetaGeoModel().fit(F[:0], R[:0], T[:0]), r"(no customers|empty|0 (rows|entries|customers))"),
    ("bgnbd-text", lambda b, g: BetaGeoModel().fit(F.astype(str), R, T), r"frequency must be numeric; got text \(e\.g\. '0\.0'\)"),
    ("bgnbd-negative-weight", lambda b, g: BetaGeoModel().fit(F, R, T, weights=_v(np.ones(6), 0, -1.0)), r"weights\[0\]=-1"),
    ("bgnbd-penalizer-negative", lambda b, g: BetaGeoModel(penalizer_coef=-1.0).fit(F, R, T), r"'penalizer_coef' parameter of BetaGeoModel.*Got -1\.0"),
    ("bgnbd-predict-recency-over-T", lambda b, g: b.predict(10, F, _v(R, 1, 50.0), T), r"recency\[1\]=50.* T\[1\]=40"),
    ("bgnbd-predict-negative-t", lambda b, g: b.predict(-1.0, F, R, T), r"t\[0\]=-1"),
    ("bgnbd-predict-nan-frequency", lambda b, g: b.conditional_probability_alive(_v(F, 0, np.nan), R, T), r"frequency\[0\]=nan|frequency.*NaN"),
    ("bgnbd-initial-params-count", lambda b, g: BetaGeoModel().fit(F, R, T, initial_params=[1.0, 2.0]), r"initial_params needs 4 values"),
    ("gg-negative-monetary", lambda b, g: GammaGammaModel().fit(F[F > 0], _v(M[F > 0], 0, -5.0)), r"monetary_value\[0\]=-5"),
    ("gg-zero-monetary-returning", lambda b, g: GammaGammaModel().fit(F[F > 0], _v(M[F > 0], 0, 0.0)), r"monetary_value\[0\]=0 must be finite and > 0"),
    ("gg-nan-monetary", lambda b, g: GammaGammaModel().fit(F[F > 0], _v(M[F > 0], 1, np.nan)), r"monetary_value\[1\]=nan|monetary_value.*NaN"),
    ("gg-only-new-customers", lambda b, g: GammaGammaModel().fit(np.zeros(4), np.zeros(4)), r"frequency.*> 0|returning"),
    ("gg-mismatched-lengths", lambda b, g: GammaGammaModel().fit(F, M[:-1]), r"monetary_value has 5 entries but frequency has 6"),
    ("gg-predict-negative-monetary", lambda b, g: g.conditional_expected_average_profit(F, _v(M, 1, -2.0)), r"monetary_value\[1\]=-2"),
    ("clv-months-zero", lambda b, g: g.customer_lifetime_value(b, F, R, T, M, time=0), r"time|months"),
    ("clv-negative-discount", lambda b, g: g.customer_lifetime_value(b, F, R, T, M, discount_rate=-1.5), r"discount_rate=-1\.5 must be a finite number > -1"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", _table(_CLV))
def test_clv_table(bgnbd, gamma_gamma, call, message):
    _check(lambda: call(bgnbd, gamma_gamma), message)


# ---- model files ----------------------------------------------------------------------


_FILES = [
    ("unfitted", lambda p: save_model(ChurnClassifier(), p / "m.json"), r"(not fitted|fitted yet)"),
    ("not-marketlearn", lambda p: save_model(__import__("sklearn.linear_model").linear_model.LogisticRegression().fit(X0, Y_BIN), p / "m.json"), r"save_model supports marketlearn estimators.*LogisticRegression"),
    ("lead-scorer-zero-scale", lambda p: load_model(_lead_file(p, "numeric_scale_", 0.0)), r"attributes.numeric_scale_.data\[0\]=0.0 must be > 0"),
    ("lead-scorer-category-not-text", lambda p: load_model(_lead_file(p, "categories_", 1)), r"attributes.categories_.data\[0\] must be a string"),
    ("non-finite-coef", lambda p: save_model(_with_coef(np.nan), p / "m.json"), r"cannot save coef_: it holds NaN or infinity"),
    ("empty-file", lambda p: load_model(_file(p, "")), r"invalid model file .*JSON syntax error at line 1"),
    ("not-json", lambda p: load_model(_file(p, "cos\nsystem\n(S'ls'\ntR.")), r"invalid model file .*JSON syntax error"),
    ("truncated", lambda p: load_model(_file(p, '{"format": "marketlearn-model", "version": 1, ')), r"invalid model file .*JSON syntax error"),
    ("nan-literal", lambda p: load_model(_file(p, '{"format": NaN}')), r"NaN is not allowed in a model file"),
    ("deep-nesting", lambda p: load_model(_file(p, "[" * 100_000 + "]" * 100_000)), r"nested deeper than 64 levels"),
    ("binary-garbage", lambda p: load_model(_file(p, b"\xff\xfe\x00garbage")), r"not UTF-8 text \(byte 0\)"),
    ("wrong-format", lambda p: load_model(_file(p, '{"format": "pickle"}')), r"format='pickle', expected 'marketlearn-model'"),
    ("future-version", lambda p: load_model(_file(p, '{"format": "marketlearn-model", "version": 99}')), r"version 99 is newer than this marketlearn"),
    ("code-as-estimator", lambda p: load_model(_file(p, '{"format": "marketlearn-model", "version": 1, "marketlearn_version": "0", "estimator": "os.system", "family": {}, "params": {}, "attributes": {}}')), r"estimator 'os.system' is not one this marketlearn loads"),
]  # fmt: skip


def _with_coef(value):
    model = ChurnClassifier().fit(X0, Y_BIN)
    model.coef_ = model.coef_.copy()
    model.coef_[0, 0] = value
    return model


def _lead_file(directory, attribute, first):
    """A saved LeadScorer whose attribute's first element is replaced by first."""
    path = directory / "lead.json"
    save_model(LeadScorer().fit(LEADS, Y_BIN), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["attributes"][attribute]["data"][0] = first
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _file(directory, content):
    path = directory / "model.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("call, message", _table(_FILES))
def test_model_file_table(tmp_path, call, message):
    _check(lambda: call(tmp_path), message)


def test_missing_model_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nothing.json")
