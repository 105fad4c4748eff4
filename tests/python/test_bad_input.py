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

