"""Bad input is a clear error (ValueError naming the parameter or the value), never a
wrong model: one table of every case of issue 7/8 that applies to ChurnClassifier."""

# ruff: noqa: E501  (the case tables read best one case per line)

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_param_validation

from marketlearn import ChurnClassifier, _core

N = 30


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, 3))
    y = np.arange(N) % 2
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    return ChurnClassifier().fit(*data)


def with_value(X, value, at=(4, 1)):
    X = np.array(X, dtype=float)
    X[at] = value
    return X


def weights(first):
    w = np.ones(N)
    w[0] = first
    return w


# (id, fit arguments from (X, y) -> (X, y, sample_weight), regex the ValueError matches)
FIT_CASES = [
    # non-finite X
    ("X-nan", lambda X, y: (with_value(X, np.nan), y, None), r"Input X contains NaN"),
    ("X-inf", lambda X, y: (with_value(X, np.inf), y, None), r"Input X contains infinity"),
    ("X-neg-inf", lambda X, y: (with_value(X, -np.inf), y, None), r"Input X contains infinity"),
    ("X-float32-nan", lambda X, y: (with_value(X, np.nan).astype(np.float32), y, None), r"Input X contains NaN"),
    # empty input, one sample
    ("X-no-rows", lambda X, y: (X[:0], y[:0], None), r"0 sample\(s\) \(shape=\(0, 3\)\)"),
    ("X-no-columns", lambda X, y: (X[:, :0], y, None), r"0 feature\(s\) \(shape=\(30, 0\)\)"),
    ("one-sample", lambda X, y: (X[:1], y[:1], None), r"only one class: 0"),
    ("X-1d", lambda X, y: (X[:, 0], y, None), r"Expected 2D array"),
    ("X-3d", lambda X, y: (X[:, :, None], y, None), r"dim 3"),
    # mismatched lengths
    ("y-shorter", lambda X, y: (X, y[:-1], None), r"inconsistent numbers of samples: \[30, 29\]"),
    ("y-2d", lambda X, y: (X, np.c_[y, y], None), r"y should be a 1d array, got an array of shape \(30, 2\)"),
    ("sample-weight-shorter", lambda X, y: (X, y, np.ones(N - 1)), r"sample_weight.shape == \(29,\), expected \(30,\)"),
    ("sample-weight-2d", lambda X, y: (X, y, np.ones((N, 1))), r"[Ss]ample.weight"),
    # non-numeric dtypes
    ("X-strings", lambda X, y: (np.full((N, 3), "churned"), y, None), r"X must be numeric: could not convert string to float: .*churned"),
    ("X-text-column", lambda X, y: (pd.DataFrame({"plan": ["basic"] * N, "x": 1.0}), y, None), r"X must be numeric: .*'basic'.*OneHotEncoder"),
    ("X-complex", lambda X, y: (X.astype(complex), y, None), r"Complex data not supported: X has complex values"),
    ("sample-weight-strings", lambda X, y: (X, y, np.full(N, "heavy")), r"sample_weight must be numeric: .*heavy"),
    # targets: one class, more than two, not classes, NaN
    ("y-one-class", lambda X, y: (X, np.full(N, "churned"), None), r"only one class: 'churned'"),
    ("y-three-classes", lambda X, y: (X, np.arange(N) % 3, None), r"Only binary classification is supported.*3 classes \(0, 1, 2\)"),
    ("y-continuous", lambda X, y: (X, np.linspace(0, 1, N), None), r"Unknown label type: continuous"),
    ("y-nan", lambda X, y: (X, np.where(y == 1, np.nan, 0.0), None), r"Input y contains NaN"),
    # sample weights: negative, non-finite, all zero, a class without weight
    ("sample-weight-negative", lambda X, y: (X, y, weights(-1.0)), r"Negative values in data passed to sample_weight"),
    ("sample-weight-nan", lambda X, y: (X, y, weights(np.nan)), r"Input sample_weight contains NaN"),
    ("sample-weight-inf", lambda X, y: (X, y, weights(np.inf)), r"Input sample_weight contains infinity"),
    ("sample-weight-all-zero", lambda X, y: (X, y, np.zeros(N)), r"([Ss]ample weights|sample_weight) must .*(non-zero|positive)"),
    ("sample-weight-drops-a-class", lambda X, y: (X, y, (y == 0).astype(float)), r"sample_weight is zero for every sample of class 1"),
]  # fmt: skip


@pytest.mark.parametrize(
    "make, message", [pytest.param(make, msg, id=name) for name, make, msg in FIT_CASES]
)
def test_fit_rejects(data, make, message):
    X, y, sample_weight = make(*data)
    with pytest.raises(ValueError, match=message):
        ChurnClassifier().fit(X, y, sample_weight=sample_weight)


# (id, X for prediction from the training X, regex)
PREDICT_CASES = [
    ("X-nan", lambda X: with_value(X, np.nan), r"Input X contains NaN"),
    ("X-inf", lambda X: with_value(X, np.inf), r"Input X contains infinity"),
    ("fewer-features", lambda X: X[:, :2], r"X has 2 features, but ChurnClassifier is expecting 3 features"),
    ("more-features", lambda X: np.c_[X, X], r"X has 6 features, but ChurnClassifier is expecting 3 features"),
    ("no-rows", lambda X: X[:0], r"0 sample\(s\)"),
    ("1d", lambda X: X[0], r"Expected 2D array"),
    ("strings", lambda X: np.full((2, 3), "churned"), r"X must be numeric: .*churned"),
    ("complex", lambda X: X.astype(complex), r"Complex data not supported: X"),
]  # fmt: skip


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
@pytest.mark.parametrize(
    "make, message", [pytest.param(make, msg, id=name) for name, make, msg in PREDICT_CASES]
)
def test_predict_rejects(data, fitted, method, make, message):
    with pytest.raises(ValueError, match=message):
        getattr(fitted, method)(make(data[0]))


# (parameter, invalid value): the message names both, as scikit-learn's constraints do.
PARAM_CASES = [
    ("eta0", 0.0),  # the learning rate: must be > 0
    ("eta0", -0.1),
    ("eta0", np.nan),
    ("eta0", np.inf),
    ("batch_size", 0),
    ("batch_size", -3),
    ("batch_size", 1.5),
    ("solver", "adam"),  # unknown optimizer
    ("solver", "newton-cg"),
    ("learning_rate", "optimal"),
    ("alpha", -1.0),
    ("alpha", np.nan),
    ("alpha", np.inf),
    ("alpha", "big"),
    ("max_iter", 0),
    ("max_iter", np.inf),
    ("tol", -1e-3),
    ("tol", np.nan),
    ("n_iter_no_change", 0),
    ("power_t", -0.5),
    ("power_t", np.inf),
    ("fit_intercept", "yes"),
    ("shuffle", 2),
    ("warm_start", None),
    ("random_state", "seed"),
]


@pytest.mark.parametrize("param, value", PARAM_CASES, ids=lambda v: repr(v))
def test_invalid_hyperparameter_names_parameter_and_value(data, param, value):
    shown = repr(value) if isinstance(value, str) else str(value)
    pattern = (
        rf"The '{param}' parameter of ChurnClassifier must be .*Got {re.escape(shown)} instead"
    )
    with pytest.raises(ValueError, match=pattern):
        ChurnClassifier(**{param: value}).fit(*data)


def test_param_validation_is_complete():
    # scikit-learn's own check: every parameter is constrained, and invalid values raise.
    check_param_validation("ChurnClassifier", ChurnClassifier())


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError):
        ChurnClassifier().predict(data[0])


def test_sparse_x_is_refused(data):
    X, y = data
    with pytest.raises(TypeError, match="[Ss]parse"):
        ChurnClassifier().fit(sp.csr_matrix(X), y)


def test_warm_start_with_other_features(data):
    X, y = data
    model = ChurnClassifier(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start=True needs X with 3 features.*got 2"):
        model.fit(X[:, :2], y)


# ---- the compiled layer checks too (for direct callers), as ValueError -------------------

CORE_CASES = [
    ("alpha", lambda X, y: _core.fit_logistic_regression(X, y, alpha=-1.0), r"alpha=-1"),
    ("labels", lambda X, y: _core.fit_logistic_regression(X, 2 * y - 1), r"y\[0\]=-1"),
    ("X-nan", lambda X, y: _core.fit_logistic_regression(with_value(X, np.nan, (2, 2)), y), r"X contains nan"),
    ("sample-weight", lambda X, y: _core.fit_logistic_regression(X, y, -np.ones(N)), r"sample_weight\[0\]=-1"),
    ("solver", lambda X, y: _core.fit_logistic_regression(X, y, solver="newton"), r"solver='newton'"),
    ("learning-rate", lambda X, y: _core.fit_logistic_regression(X, y, learning_rate="fast"), r"learning_rate='fast'"),
    ("batch-size", lambda X, y: _core.fit_logistic_regression(X, y, solver="sgd", batch_size=0), r"batch_size=0"),
    ("eta0", lambda X, y: _core.fit_logistic_regression(X, y, solver="sgd", eta0=0.0), r"eta0"),
    ("y-length", lambda X, y: _core.fit_logistic_regression(X, y[:-1]), r"y has 29 entries"),
    ("coef-length", lambda X, y: _core.linear_decision_function(X, np.zeros(2), 0.0), r"coef has 2 entries"),
    ("no-rows", lambda X, y: _core.fit_logistic_regression(X[:0], y[:0]), r"0 rows"),
]  # fmt: skip


@pytest.mark.parametrize(
    "call, message", [pytest.param(call, msg, id=name) for name, call, msg in CORE_CASES]
)
def test_core_errors_are_value_errors(data, call, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        call(X, y.astype(np.float64))
