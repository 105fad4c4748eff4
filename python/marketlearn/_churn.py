"""ChurnClassifier: the churn preset of GDClassifier (L2 logistic regression, L-BFGS)."""

from __future__ import annotations

from ._gd import GDClassifier

__all__ = ["ChurnClassifier"]


class ChurnClassifier(GDClassifier):
    """Churn propensity model: binary logistic regression with an L2 penalty.

    A preset of :class:`GDClassifier` (same parameters and attributes) whose defaults
    fit churn data well: ``loss="log_loss"``, ``penalty="l2"``, ``optimizer="lbfgs"``,
    ``alpha=1e-4``, ``tol=1e-4``; two classes only. Fits the coefficients ``w`` and
    intercept ``b`` that minimize

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
        Strength of the penalty on the coefficients (not on the intercept); >= 0.
    loss, penalty, l1_ratio, fit_intercept, optimizer, batch_size, learning_rate, eta0, \
power_t, momentum, beta1, beta2, clip_norm, clip_value, max_iter, shuffle, verbose, \
random_state, early_stopping, validation_fraction, n_iter_no_change, class_weight, \
warm_start, n_jobs, callback
        As in :class:`GDClassifier`; the defaults differ only for ``optimizer``
        ("lbfgs": L-BFGS on the full data, fast and exact) and ``tol``.
    tol : float or None, default=1e-4
        "lbfgs" and "gd" stop when the largest gradient entry is at most ``tol`` (as
        scikit-learn's lbfgs); the stochastic optimizers when the objective has not
        improved by ``tol`` for ``n_iter_no_change`` epochs. None disables the rule.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class (e.g. churned).
    coef_ : ndarray of shape (1, n_features)
        Coefficients, in the dtype of the training data.
    intercept_ : ndarray of shape (1,)
        Intercept (0 when ``fit_intercept=False``), in the dtype of the training data.
    n_iter_ : int
        Iterations (lbfgs, gd) or epochs (the stochastic optimizers) run.
    t_ : int
        Updates made so far (the learning-rate clock, continued by ``partial_fit``).
    loss_curve_ : ndarray of shape (n_iter_,)
        The objective after each iteration (lbfgs, gd). For the stochastic optimizers,
        the average of the mini-batch objectives seen during each epoch (as
        scikit-learn's SGD reports its loss).
    objective_ : float
        The objective (penalized weighted mean log-loss) at ``coef_``, ``intercept_``.
    validation_scores_ : ndarray of shape (n_iter_,)
        With ``early_stopping``: the accuracy on the held-out rows after each epoch.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    GDClassifier : the general estimator (any optimizer, loss and penalty; multiclass).
    sklearn.linear_model.LogisticRegression : same model, scikit-learn's solvers.

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

    _binary_only = True

    def __init__(
        self,
        alpha=1e-4,
        *,
        loss="log_loss",
        penalty="l2",
        l1_ratio=0.15,
        fit_intercept=True,
        optimizer="lbfgs",
        batch_size="auto",
        learning_rate="auto",
        eta0=None,
        power_t=0.5,
        momentum=0.9,
        beta1=0.9,
        beta2=0.999,
        clip_norm=None,
        clip_value=None,
        max_iter=1000,
        tol=1e-4,
        shuffle=True,
        verbose=0,
        random_state=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        n_jobs=None,
        callback=None,
    ):
        super().__init__(
            loss=loss,
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            optimizer=optimizer,
            batch_size=batch_size,
            learning_rate=learning_rate,
            eta0=eta0,
            power_t=power_t,
            momentum=momentum,
            beta1=beta1,
            beta2=beta2,
            clip_norm=clip_norm,
            clip_value=clip_value,
            max_iter=max_iter,
            tol=tol,
            shuffle=shuffle,
            verbose=verbose,
            random_state=random_state,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            class_weight=class_weight,
            warm_start=warm_start,
            n_jobs=n_jobs,
            callback=callback,
        )
