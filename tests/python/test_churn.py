"""ChurnClassifier: agreement with scikit-learn on real churn data, and the estimator API.

Tolerances below were measured on this data (see the comments) and carry a margin.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import TELCO_ALPHA, make_telco_preprocessor, penalized_log_loss
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from marketlearn import ChurnClassifier


def rel_gap(value: float, reference: float) -> float:
    return (value - reference) / abs(reference)


@pytest.fixture(scope="module")
def small_problem():
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=5, random_state=0, class_sep=0.8
    )
    return np.ascontiguousarray(X), y


# ---- agreement with scikit-learn on Telco ------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_telco_auc_matches_sklearn(telco_arrays, telco_sklearn_reference, dtype):
    # Measured: |AUC gap| = 4e-5 (float64), 8e-5 (float32); AUC about 0.844.
    A_train, A_test, y_train, y_test = telco_arrays
    reference, _ = telco_sklearn_reference
    model = ChurnClassifier(alpha=TELCO_ALPHA).fit(A_train.astype(dtype), y_train)
    auc = roc_auc_score(y_test, model.decision_function(A_test.astype(dtype)))
    auc_ref = roc_auc_score(y_test, reference.decision_function(A_test))
    assert auc > 0.83
    assert abs(auc - auc_ref) < 0.005


def test_telco_lbfgs_objective_matches_sklearn(telco_arrays, telco_sklearn_reference):
    A_train, _, y_train, _ = telco_arrays
    _, objective_ref = telco_sklearn_reference
    # Tight tolerance: measured relative gap 4e-10 (tol=1e-6) and 1e-14 (tol=1e-8).
    tight = ChurnClassifier(alpha=TELCO_ALPHA, tol=1e-8).fit(A_train, y_train)
    objective = penalized_log_loss(tight.coef_, tight.intercept_, A_train, y_train, TELCO_ALPHA)
    assert abs(rel_gap(objective, objective_ref)) < 1e-6
    # The C++ objective is the same function.
    assert_allclose(tight.objective_, objective, rtol=1e-10)
    # Default tol=1e-4 (on the largest gradient entry, as scikit-learn's lbfgs): measured
    # gap 7.4e-5, scikit-learn's own default gives 7.6e-5.
    default = ChurnClassifier(alpha=TELCO_ALPHA).fit(A_train, y_train)
    objective = penalized_log_loss(default.coef_, default.intercept_, A_train, y_train, TELCO_ALPHA)
    assert -1e-12 < rel_gap(objective, objective_ref) < 2e-4


def test_telco_gd_reaches_sklearn_objective(telco_arrays, telco_sklearn_reference):
    # Full-batch gradient descent converges slowly (one-hot columns are collinear with the
    # intercept; only alpha keeps the problem strictly convex). Measured with eta0=1:
    # relative gap 2.0e-4 after 2000 iterations, 1.6e-4 after 3000.
    A_train, _, y_train, _ = telco_arrays
    _, objective_ref = telco_sklearn_reference
    model = ChurnClassifier(
        alpha=TELCO_ALPHA, optimizer="gd", eta0=1.0, max_iter=2000, tol=None
    ).fit(A_train, y_train)
    objective = penalized_log_loss(model.coef_, model.intercept_, A_train, y_train, TELCO_ALPHA)
    assert model.n_iter_ == 2000
    assert 0 <= rel_gap(objective, objective_ref) < 1e-3
    assert_allclose(model.objective_, objective, rtol=1e-10)
    # Small enough steps: the objective never goes up.
    assert np.all(np.diff(model.loss_curve_) <= 1e-12)


def test_telco_sgd_reaches_sklearn_objective(telco_arrays, telco_sklearn_reference):
    # Measured: relative gap 1.2e-3 and AUC gap 1.2e-3 (batch_size=16, eta0=0.02, 50 epochs).
    A_train, A_test, y_train, y_test = telco_arrays
    reference, objective_ref = telco_sklearn_reference
    model = ChurnClassifier(
        alpha=TELCO_ALPHA,
        optimizer="sgd",
        batch_size=16,
        learning_rate="constant",
        eta0=0.02,
        max_iter=50,
        tol=None,
        random_state=0,
    ).fit(A_train, y_train)
    objective = penalized_log_loss(model.coef_, model.intercept_, A_train, y_train, TELCO_ALPHA)
    assert 0 <= rel_gap(objective, objective_ref) < 5e-3
    auc = roc_auc_score(y_test, model.decision_function(A_test))
    auc_ref = roc_auc_score(y_test, reference.decision_function(A_test))
    assert abs(auc - auc_ref) < 0.005
    assert model.n_iter_ == 50 and model.loss_curve_.shape == (50,)


def test_sgd_is_reproducible_with_random_state(small_problem):
    X, y = small_problem
    params = dict(optimizer="sgd", random_state=3, max_iter=5, tol=None)
    a = ChurnClassifier(**params).fit(X, y)
    b = ChurnClassifier(**params).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    c = ChurnClassifier(**{**params, "random_state": 4}).fit(X, y)
    assert not np.array_equal(a.coef_, c.coef_)


def test_invscaling_schedule_fits(small_problem):
    X, y = small_problem
    model = ChurnClassifier(
        optimizer="sgd", learning_rate="invscaling", eta0=0.5, power_t=0.5, random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.75


# ---- labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["stayed", "churned"]),
        np.array([False, True]),
        np.array([-1, 1]),
        np.array([0.0, 1.0]),
        np.array(["No", "Yes"], dtype=object),
    ],
    ids=["str", "bool", "pm1", "float", "object"],
)
def test_any_two_labels(small_problem, labels):
    X, y01 = small_problem
    reference = ChurnClassifier().fit(X, y01)
    classes = np.sort(labels)  # classes_[1] is the positive class
    y = classes[y01]
    model = ChurnClassifier().fit(X, y)
    assert_array_equal(model.classes_, classes)
    assert_allclose(model.coef_, reference.coef_, rtol=1e-12, atol=1e-14)
    assert_array_equal(model.predict(X), classes[reference.predict(X)])
    assert model.predict(X).dtype == classes.dtype


def test_labels_from_pandas_categorical(small_problem):
    X, y01 = small_problem
    y = pd.Series(pd.Categorical(np.where(y01 == 1, "Yes", "No")))
    model = ChurnClassifier().fit(X, y)
    assert list(model.classes_) == ["No", "Yes"]


# ---- sample weights ----------------------------------------------------------------------


def test_integer_weights_equal_repetition(telco_arrays):
    A_train, _, y_train, _ = telco_arrays
    rng = np.random.default_rng(0)
    X, y = A_train[:1500], y_train[:1500]
    weights = rng.integers(0, 4, size=len(y))
    repeated = ChurnClassifier(alpha=1e-3, tol=1e-10).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    weighted = ChurnClassifier(alpha=1e-3, tol=1e-10).fit(X, y, sample_weight=weights)
    # Same optimum. The one-hot columns are collinear with the intercept, so only the
    # small L2 term curves the objective along that direction: both fits stop where the
    # line search finds the objective flat to rounding (max |gradient| ~1e-8, a move of
    # 5e-6 along that direction changes the objective by ~1e-13), and the two runs, equal
    # in exact arithmetic, part ways in rounding on the way there. Measured: coefficients
    # 4.6e-6 apart, probabilities 1.2e-6 relative, objectives 7e-14.
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-5, atol=2e-5)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5, atol=1e-8)
    assert_allclose(weighted.objective_, repeated.objective_, rtol=1e-10)


def test_uniform_weights_change_nothing(small_problem):
    X, y = small_problem
    plain = ChurnClassifier(tol=1e-10).fit(X, y)
    scaled = ChurnClassifier(tol=1e-10).fit(X, y, sample_weight=np.full(len(y), 3.5))
    # alpha is relative to the weighted mean loss: scaling all weights is a no-op.
    assert_allclose(scaled.coef_, plain.coef_, rtol=1e-8, atol=1e-10)


def test_weighted_objective_matches_numpy(small_problem):
    X, y = small_problem
    w = np.random.default_rng(1).uniform(0.1, 2.0, size=len(y))
    model = ChurnClassifier(alpha=1e-2, tol=1e-10).fit(X, y, sample_weight=w)
    assert_allclose(
        model.objective_,
        penalized_log_loss(model.coef_, model.intercept_, X, y, 1e-2, w),
        rtol=1e-12,
    )


# ---- dtypes, pandas, persistence, composition ----------------------------------------------


def test_float32_stays_float32(small_problem):
    X, y = small_problem
    X32 = X.astype(np.float32)
    model = ChurnClassifier().fit(X32, y)
    assert model.coef_.dtype == np.float32
    assert model.intercept_.dtype == np.float32
    assert model.loss_curve_.dtype == np.float32
    assert model.decision_function(X32).dtype == np.float32
    assert model.predict_proba(X32).dtype == np.float32
    assert model.predict_log_proba(X32).dtype == np.float32
    model64 = ChurnClassifier().fit(X, y)
    assert model64.coef_.dtype == np.float64
    # float32 L-BFGS stops on its objective-change rule earlier (measured max diff 2.6e-4).
    assert_allclose(model.coef_, model64.coef_, rtol=1e-2, atol=1e-3)
    # A float64 model scores float64 data in float64.
    assert model.decision_function(X).dtype == np.float64


def test_integer_input_is_fitted_as_float64(small_problem):
    X, y = small_problem
    Xi = np.round(X * 10).astype(np.int32)
    model = ChurnClassifier().fit(Xi, y)
    assert model.coef_.dtype == np.float64


def test_predict_proba_is_consistent(small_problem):
    X, y = small_problem
    model = ChurnClassifier().fit(X, y)
    proba = model.predict_proba(X)
    decision = model.decision_function(X)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-decision)), rtol=1e-14)
    assert_allclose(decision, X @ model.coef_.ravel() + model.intercept_[0], rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[(proba[:, 1] > 0.5).astype(int)])
    assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)


def test_extreme_scores_have_finite_log_proba(small_problem):
    X, y = small_problem
    model = ChurnClassifier().fit(X, y)
    far = np.ascontiguousarray(X[:3] * 1e4)
    log_proba = model.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba))


def test_dataframe_sets_feature_names(telco_frames):
    X_train, _, y_train, _ = telco_frames
    numeric = X_train[["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]]
    numeric = (numeric - numeric.mean()) / numeric.std()
    model = ChurnClassifier().fit(numeric, y_train)
    assert list(model.feature_names_in_) == list(numeric.columns)
    assert model.n_features_in_ == 4
    model.predict(numeric)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(numeric[numeric.columns[::-1]])


def test_pickle_and_clone_round_trip(small_problem):
    X, y = small_problem
    model = ChurnClassifier(alpha=1e-3, optimizer="sgd", random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored.get_params() == model.get_params()
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "coef_")
    assert_array_equal(fresh.fit(X, y).coef_, model.coef_)


def test_pipeline_with_grid_search(telco_frames):
    X_train, X_test, y_train, y_test = telco_frames
    pipeline = make_pipeline(make_telco_preprocessor(), ChurnClassifier())
    search = GridSearchCV(
        pipeline,
        {"churnclassifier__alpha": [1e-4, 1e-2, 1.0]},
        scoring="roc_auc",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X_train, y_train)
    assert search.best_params_["churnclassifier__alpha"] in (1e-4, 1e-2)
    assert roc_auc_score(y_test, search.predict_proba(X_test)[:, 1]) > 0.83
    # Strong penalty shrinks coefficients.
    strong = clone(pipeline).set_params(churnclassifier__alpha=1.0).fit(X_train, y_train)
    weak = search.best_estimator_
    assert np.linalg.norm(strong[-1].coef_) < np.linalg.norm(weak[-1].coef_)


# ---- fitting options -----------------------------------------------------------------------


def test_fit_intercept_false(small_problem):
    X, y = small_problem
    model = ChurnClassifier(fit_intercept=False).fit(X, y)
    assert model.intercept_.shape == (1,) and model.intercept_[0] == 0
    assert_allclose(model.decision_function(X), X @ model.coef_.ravel(), rtol=1e-12)


def test_warm_start_continues(small_problem):
    X, y = small_problem
    cold = ChurnClassifier(tol=1e-8).fit(X, y)
    warm = ChurnClassifier(tol=1e-8, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ < first
    assert_allclose(warm.coef_, cold.coef_, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="features"):
        warm.fit(X[:, :3], y)


def test_attributes(small_problem):
    X, y = small_problem
    model = ChurnClassifier().fit(X, y)
    assert model.coef_.shape == (1, X.shape[1])
    assert isinstance(model.n_iter_, int) and model.n_iter_ >= 1
    assert model.loss_curve_.shape == (model.n_iter_,)
    assert model.objective_ == pytest.approx(model.loss_curve_[-1])
    assert model.n_features_in_ == X.shape[1]


@pytest.mark.parametrize("optimizer", ["lbfgs", "gd", "sgd"])
def test_convergence_warning_when_max_iter_hit(small_problem, optimizer):
    X, y = small_problem
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ChurnClassifier(optimizer=optimizer, max_iter=1, tol=1e-12, random_state=0).fit(X, y)
    # tol=None asks for exactly max_iter iterations: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = ChurnClassifier(optimizer=optimizer, max_iter=2, tol=None, random_state=0).fit(X, y)
    assert model.n_iter_ <= 2


def test_batch_size_larger_than_data(small_problem):
    X, y = small_problem
    model = ChurnClassifier(optimizer="sgd", batch_size=10_000, eta0=1.0, random_state=0)
    model.fit(X, y)
    assert model.score(X, y) > 0.75
