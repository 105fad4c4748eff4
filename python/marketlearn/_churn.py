"""ChurnClassifier: L2-regularized logistic regression on marketlearn's C++ core."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._validation import (
    check_fit_sample_weight,
    encode_binary_target,
    seed_from_random_state,
    validate_fit_data,
    validate_predict_data,
)

__all__ = ["ChurnClassifier"]


class ChurnClassifier(ClassifierMixin, BaseEstimator):
    """Churn propensity model: binary logistic regression with an L2 penalty.

    Fits the coefficients ``w`` and intercept ``b`` that minimize

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i \\log\\left(1 + e^{-y_i (x_i \\cdot w + b)}\\right)
        + \\frac{\\alpha}{2} \\lVert w \\rVert^2

    with labels ``y_i`` in {-1, +1} and sample weights ``s_i`` (1 by default); the
    intercept is not penalized. This is the problem scikit-learn's
    ``LogisticRegression(C=1 / (alpha * sum(s)))`` solves, so both reach the same model;
    ``alpha`` keeps its meaning when the number of customers changes.

    The numerics run in C++ (SIMD kernels, GIL released). float32 input is fitted in
    float32; C-contiguous float32/float64 arrays are never copied.

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength of the L2 penalty on the coefficients (not on the intercept); >= 0.
    fit_intercept : bool, default=True
        Whether to fit an intercept (the base churn rate on the log-odds scale).
    solver : {"lbfgs", "gd", "sgd"}, default="lbfgs"
        "lbfgs": limited-memory BFGS on the full data (the default; fast and exact).
        "gd": full-batch gradient descent with step ``eta0`` (schedule below).
        "sgd": mini-batch stochastic gradient descent over epochs; each step uses
        ``batch_size`` rows, the penalty applies in full at every step.
    max_iter : int, default=1000
        Maximum iterations (lbfgs, gd) or epochs over the data (sgd).
    tol : float or None, default=1e-4
        Stop when the objective has improved by less than ``tol`` (relative, as each
        solver defines it) for ``n_iter_no_change`` consecutive iterations/epochs.
        None (or 0) disables this stop and runs ``max_iter`` iterations (lbfgs may still
        stop on a vanishing gradient).
    n_iter_no_change : int, default=5
        Iterations/epochs without sufficient improvement before stopping (gd, sgd).
    batch_size : int, default=1
        Rows per step of the "sgd" solver.
    learning_rate : {"constant", "invscaling"}, default="constant"
        Step size schedule of "gd" and "sgd": ``eta0``, or ``eta0 / t**power_t``.
    eta0 : float, default=0.1
        Initial step size of "gd" and "sgd"; > 0.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule; >= 0.
    shuffle : bool, default=True
        Whether "sgd" visits the rows in a new random order every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the row order of "sgd". Pass an int for reproducible fits.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` and ``intercept_`` instead of zeros.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class (e.g. churned).
    coef_ : ndarray of shape (1, n_features)
        Coefficients, in the dtype of the training data.
    intercept_ : ndarray of shape (1,)
        Intercept (0 when ``fit_intercept=False``), in the dtype of the training data.
    n_iter_ : int
        Iterations (lbfgs, gd) or epochs (sgd) run.
    loss_curve_ : ndarray of shape (n_iter_,)
        The objective after each iteration (lbfgs, gd). For "sgd", the average of the
        mini-batch objectives seen during each epoch (as scikit-learn's SGD reports its
        loss): no extra pass over the data, but not the objective at the final ``coef_``.
    objective_ : float
        The last value of ``loss_curve_``: the objective (penalized weighted mean
        log-loss) at ``coef_``, ``intercept_`` for lbfgs and gd; the last epoch's
        average for "sgd".
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : same model, scikit-learn's solvers.
    sklearn.linear_model.SGDClassifier : stochastic linear models.

    Examples
    --------
    >>> from sklearn.compose import make_column_transformer, make_column_selector
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder, StandardScaler
    >>> from marketlearn import ChurnClassifier
    >>> from marketlearn.datasets import load_telco_churn
    >>> X, y = load_telco_churn(return_X_y=True)
    >>> prep = make_column_transformer(
    ...     (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
    ...     (StandardScaler(), make_column_selector(dtype_include="number")))
    >>> model = make_pipeline(prep, ChurnClassifier(alpha=1e-4)).fit(X, y)
    >>> model.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"lbfgs", "gd", "sgd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling"})],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        alpha=1e-4,
        *,
        fit_intercept=True,
        solver="lbfgs",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=5,
        batch_size=1,
        learning_rate="constant",
        eta0=0.1,
        power_t=0.5,
        shuffle=True,
        random_state=None,
        warm_start=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Numeric features (encode categorical columns first, e.g. with
            ``OneHotEncoder``). float32 stays float32; a C-contiguous float32/float64
            array is used in place, without a copy.
        y : array-like of shape (n_samples,)
            Two distinct labels of any type (e.g. "Yes"/"No", True/False, -1/1).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None means 1 for every sample.

        Returns
        -------
        self : ChurnClassifier
        """
        X, y = validate_fit_data(self, X, y)
        classes, y01 = encode_binary_target(y, X.dtype, estimator_name=type(self).__name__)
        sample_weight = check_fit_sample_weight(sample_weight, X, y01, classes)

        coef_init = intercept_init = None
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape != (1, X.shape[1]):
                raise ValueError(
                    f"warm_start=True needs X with {self.coef_.shape[1]} features, as in "
                    f"the previous fit; got {X.shape[1]}."
                )
            coef_init = np.ascontiguousarray(self.coef_.ravel(), dtype=X.dtype)
            intercept_init = float(self.intercept_[0])

        result = _core.fit_logistic_regression(
            X,
            y01,
            sample_weight,
            alpha=float(self.alpha),
            fit_intercept=bool(self.fit_intercept),
            solver=self.solver,
            max_iter=int(self.max_iter),
            tol=None if self.tol is None else float(self.tol),
            n_iter_no_change=int(self.n_iter_no_change),
            batch_size=int(self.batch_size),
            learning_rate=self.learning_rate,
            eta0=float(self.eta0),
            power_t=float(self.power_t),
            shuffle=bool(self.shuffle),
            random_state=seed_from_random_state(self.random_state),
            coef_init=coef_init,
            intercept_init=intercept_init,
            check_input=False,  # validate_data and the checks above did it
        )

        self.classes_ = classes
        self.coef_ = np.asarray(result["coef"], dtype=X.dtype).reshape(1, -1)
        self.intercept_ = np.array([result["intercept"]], dtype=X.dtype)
        self.n_iter_ = int(result["n_iter"])
        self.loss_curve_ = np.asarray(result["loss_curve"], dtype=X.dtype)
        self.objective_ = float(result["objective"])

        if self.tol is not None and result["stop_reason"] == "max_iter":
            warnings.warn(
                f"{type(self).__name__} (solver={self.solver!r}) did not converge in "
                f"max_iter={self.max_iter} iterations; increase max_iter, or scale the "
                "features (e.g. StandardScaler).",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def decision_function(self, X):
        """Log-odds of the positive class ``classes_[1]``: ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            In X's dtype if float32/float64, else float64.
        """
        check_is_fitted(self)
        X = validate_predict_data(self, X)
        coef = np.ascontiguousarray(self.coef_.ravel(), dtype=X.dtype)
        return _core.linear_decision_function(X, coef, float(self.intercept_[0]))

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            ``[:, 1]`` is the churn probability (of ``classes_[1]``).
        """
        scores = self.decision_function(X)
        # expit(-z) rather than 1 - expit(z): no cancellation for confident positives.
        return np.column_stack((expit(-scores), expit(scores)))

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, finite even where a probability underflows to 0."""
        scores = self.decision_function(X)
        log_proba = np.column_stack((log_expit(-scores), log_expit(scores)))
        # Where predict_proba rounds to exactly 1 in X's dtype, say log(1) = 0 rather than
        # a tiny negative number, so that this equals log(predict_proba) wherever that is
        # finite.
        proba_is_one = np.column_stack((expit(-scores), expit(scores))) == 1
        log_proba[proba_is_one] = 0
        return log_proba

    def predict(self, X):
        """The more likely class of each sample (``classes_[1]`` when the log-odds > 0)."""
        scores = self.decision_function(X)
        return self.classes_[(scores > 0).astype(np.intp)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        return tags
