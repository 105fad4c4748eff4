"""LTVRegressor: the customer-value preset of GDRegressor (Tweedie GLM, log link, L-BFGS)."""

from __future__ import annotations

from ._gd import GDRegressor

__all__ = ["LTVRegressor"]


class LTVRegressor(GDRegressor):
    """Customer lifetime value from customer features: a log-link GLM.

    Spend per customer is non-negative, right-skewed and often exactly zero (customers
    who never come back). A Tweedie distribution with ``1 < power < 2`` models exactly
    that (a Poisson number of purchases of Gamma-distributed size), and the log link
    makes every prediction positive and effects multiplicative ("+20 % for premium
    customers"). This preset of :class:`GDRegressor` minimizes

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i\\, d(y_i, e^{x_i \\cdot w + b}) / 2
        + \\frac{\\alpha}{2} \\lVert w \\rVert^2,

    the mean half deviance plus an L2 penalty: scikit-learn's ``TweedieRegressor(power,
    link="log", alpha)`` objective, solved by L-BFGS to the same optimum. Use it next to
    the transaction-log models of :mod:`marketlearn.clv` (BG/NBD + Gamma-Gamma) when you
    have customer attributes rather than only purchase histories.

    Parameters
    ----------
    loss : {"tweedie", "gamma", "poisson", "squared_error", "huber"}, default="tweedie"
        "tweedie" (``power``, default 1.5): spend with exact zeros. "gamma": strictly
        positive amounts (e.g. value of returning customers). "poisson": counts (orders).
        "squared_error" / "huber": plain (robust) least squares on the raw value, for
        comparison; predictions may then be negative.
    power : float, default=1.5
        Tweedie power, in (1, 2).
    alpha : float, default=1e-4
        L2 penalty strength (scikit-learn's TweedieRegressor defaults to 1.0, a strong
        penalty for standardized features; pass ``alpha=1.0`` to reproduce it).
    optimizer : str, default="lbfgs"
        Any optimizer of :class:`GDRegressor`; L-BFGS reaches the optimum in a few
        dozen passes. The other parameters are those of :class:`GDRegressor`.
    tol : float or None, default=1e-4
        L-BFGS stops when the largest gradient entry is at most ``tol``.

    Attributes
    ----------
    coef_, intercept_, n_iter_, loss_curve_, objective_ :
        As in :class:`GDRegressor`; ``exp(coef_[j])`` is the multiplicative effect of a
        one-unit change in feature ``j`` on expected value.

    See Also
    --------
    marketlearn.metrics.gini_score, marketlearn.metrics.lorenz_curve :
        how well the model ranks customers by value.
    marketlearn.metrics.mean_tweedie_deviance, marketlearn.metrics.d2_tweedie_score
    sklearn.linear_model.TweedieRegressor : the same model, scikit-learn's solver.

    Examples
    --------
    >>> import numpy as np
    >>> from marketlearn import LTVRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((2000, 3))
    >>> mean = np.exp(X @ [0.5, -0.3, 0.0] + 3.0)
    >>> y = rng.poisson(mean / 20) * rng.gamma(2.0, 10.0, 2000)  # orders x order size
    >>> model = LTVRegressor().fit(X, y)
    >>> bool((model.predict(X) > 0).all())
    True
    """

    def __init__(
        self,
        loss="tweedie",
        *,
        power=1.5,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        optimizer="lbfgs",
        batch_size="auto",
        learning_rate="auto",
        eta0=None,
        power_t=0.25,
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
        warm_start=False,
        n_jobs=None,
        callback=None,
        epsilon=0.1,
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
            warm_start=warm_start,
            n_jobs=n_jobs,
            callback=callback,
            epsilon=epsilon,
            power=power,
        )
