"""BetaGeoModel: the BG/NBD purchase model on marketlearn's C++ core."""

from __future__ import annotations

from numbers import Integral, Real

import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .. import _core
from ._common import as_vector, broadcast_vectors, shape_result, store_fit, summary_frame

__all__ = ["BetaGeoModel"]

_PARAM_NAMES = ("r", "alpha", "a", "b")


class BetaGeoModel(BaseEstimator):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    While "alive", a customer buys as a Poisson process with rate ``lambda``; after each
    purchase they become inactive with probability ``p``. Across customers
    ``lambda ~ Gamma(r, alpha)`` and ``p ~ Beta(a, b)``. The model is fitted to each
    customer's ``frequency`` (repeat purchases), ``recency`` (time of the last purchase
    after the first) and ``T`` (time since the first purchase), e.g. from
    :func:`marketlearn.clv.summary_from_transactions`.

    The likelihood (paper, eq. 6) is maximized by marketlearn's L-BFGS in C++ with
    analytic gradients over log-parameters; identical (frequency, recency, T) rows are
    aggregated into weights first, so millions of customers fit in seconds. The API
    follows ``lifetimes.BetaGeoFitter``.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty ``penalizer_coef * (r^2 + alpha'^2 + a^2 + b^2)`` added to the mean
        negative log-likelihood, with ``alpha' = alpha / max(T)`` (lifetimes' penalty,
        including its time scaling, so the same value gives the same fit). Use a small
        value (e.g. 0.001) when parameters run away on small or degenerate data.
    max_iter : int, default=1000
        Maximum L-BFGS iterations.
    tol : float, default=1e-8
        Stop when every entry of the gradient of the mean negative log-likelihood (with
        respect to the log-parameters) is at most ``tol``.
    n_jobs : int, default=1
        Threads for the likelihood and prediction passes (-1: all cores). Results do
        not depend on it.

    Attributes
    ----------
    params_ : dict
        ``{"r", "alpha", "a", "b"}``; ``alpha`` is in the time unit of ``T``.
    standard_errors_ : dict
        Asymptotic standard errors: square roots of the diagonal of the inverse Hessian
        of the negative log-likelihood at the optimum (numerical Hessian of the analytic
        gradient). NaN when the Hessian is not positive definite.
    variance_matrix_ : pandas.DataFrame
        The full 4 x 4 covariance matrix of the parameters.
    confidence_intervals_ : pandas.DataFrame
        ``params_ -/+ 1.96 standard_errors_``.
    log_likelihood_ : float
        Total log-likelihood at ``params_`` (sum over customers, weights applied).
    n_customers_ : float
        Total weight (the number of customers when unweighted).
    n_unique_rows_ : int
        Distinct (frequency, recency, T) rows the fit actually ran on.
    n_iter_ : int
        L-BFGS iterations.
    converged_ : bool
        Whether L-BFGS met its convergence test.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers the
    Easy Way: An Alternative to the Pareto/NBD Model". Marketing Science 24(2), 275-284.

    Examples
    --------
    >>> import pandas as pd
    >>> from marketlearn.clv import BetaGeoModel
    >>> data = pd.read_csv("cdnow_customers_summary.csv")  # doctest: +SKIP
    >>> bgf = BetaGeoModel().fit(data["frequency"], data["recency"], data["T"])  # doctest: +SKIP
    >>> bgf.params_  # doctest: +SKIP
    {'r': 0.2426, 'alpha': 4.4135, 'a': 0.7929, 'b': 2.4258}
    """

    _parameter_constraints: dict = {
        "penalizer_coef": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral],
    }

    def __init__(self, penalizer_coef=0.0, *, max_iter=1000, tol=1e-8, n_jobs=1):
        self.penalizer_coef = penalizer_coef
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, frequency, recency, T, weights=None, initial_params=None):
        """Fit the model to per-customer summaries.

        Parameters
        ----------
        frequency : array-like of shape (n_customers,)
            Number of repeat purchases (whole numbers >= 0).
        recency : array-like of shape (n_customers,)
            Time from the first to the last purchase (0 when frequency is 0; > 0
            otherwise; at most T).
        T : array-like of shape (n_customers,)
            Time from the first purchase to the end of the observation period.
        weights : array-like of shape (n_customers,), optional
            Number of customers each row stands for (e.g. counts of identical rows).
        initial_params : dict or sequence of 4 floats, optional
            Starting (r, alpha, a, b); default: lifetimes' start.

        Returns
        -------
        self : BetaGeoModel
        """
        x = as_vector(frequency, "frequency")
        tx = as_vector(recency, "recency")
        age = as_vector(T, "T")
        w = None if weights is None else as_vector(weights, "weights")
        for name, array in (("recency", tx), ("T", age), ("weights", w)):
            if array is not None and array.shape != x.shape:
                raise ValueError(
                    f"{name} has {array.shape[0]} entries but frequency has {x.shape[0]}."
                )
        init = None
        if initial_params is not None:
            if isinstance(initial_params, dict):
                initial_params = [initial_params[n] for n in _PARAM_NAMES]
            init = [float(v) for v in initial_params]
            if len(init) != 4:
                raise ValueError(
                    f"initial_params needs 4 values (r, alpha, a, b); got {len(init)}."
                )
        result = _core.fit_bgnbd(
            x,
            tx,
            age,
            w,
            penalizer_coef=float(self.penalizer_coef),
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            n_jobs=int(self.n_jobs),
            initial_params=init,
        )
        store_fit(self, result, _PARAM_NAMES)
        return self

    # ---- fitted state -------------------------------------------------------------------

    def _params(self):
        check_is_fitted(self, "params_")
        return [self.params_[n] for n in _PARAM_NAMES]

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% intervals (lifetimes' ``summary``)."""
        check_is_fitted(self, "params_")
        return summary_frame(self.params_, self.variance_matrix_.to_numpy())

    # ---- predictions ----------------------------------------------------------------------

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | frequency, recency, T): the probability that the customer is still
        active at the end of their observation period (Fader, Hardie & Lee 2008, note 021).

        1 for customers without repeat purchases (the model lets customers drop out
        only after a purchase).

        Parameters
        ----------
        frequency, recency, T : float or array-like of shape (n_customers,)
            Repeat purchases, time of the last purchase after the first, and age (time
            since the first purchase), in the time unit of the fit; scalars broadcast.

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        (x, tx, age), shape, index = broadcast_vectors(
            {"frequency": frequency, "recency": recency, "T": T}
        )
        values = _core.bgnbd_probability_alive(self._params(), x, tx, age)
        return shape_result(values, shape, index, "probability_alive")

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected number of repeat purchases in the next ``t`` time units of a
        customer with history (frequency, recency, T) (paper, eq. 10).

        ``t`` is a scalar or one horizon per customer, in the unit of ``T``. Computed as
        P(alive) times the expected purchases of an alive customer, by numerical
        integration over the dropout probability (accurate to ~1e-10 for all parameter
        values; the paper's hypergeometric form is not evaluated).

        Parameters
        ----------
        t : float or array-like of shape (n_customers,)
            Horizon, in the time unit of ``T``.
        frequency, recency, T : float or array-like of shape (n_customers,)
            Repeat purchases, time of the last purchase after the first, and age (time
            since the first purchase), in the time unit of the fit; scalars broadcast.

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        (h, x, tx, age), shape, index = broadcast_vectors(
            {"t": t, "frequency": frequency, "recency": recency, "T": T}
        )
        values = _core.bgnbd_conditional_expected_purchases(
            self._params(), h, x, tx, age, n_jobs=int(self.n_jobs)
        )
        return shape_result(values, shape, index, "expected_purchases")

    def predict(self, t, frequency, recency, T):
        """Alias of :meth:`conditional_expected_number_of_purchases_up_to_time`.

        Parameters
        ----------
        t : float or array-like of shape (n_customers,)
            Horizon, in the time unit of ``T``.
        frequency, recency, T : float or array-like of shape (n_customers,)
            Repeat purchases, time of the last purchase after the first, and age (time
            since the first purchase), in the time unit of the fit; scalars broadcast.

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        return self.conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases of a new customer within ``t`` of the first purchase
        (paper, eq. 9).

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the time unit of the fit.

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        (h,), shape, index = broadcast_vectors({"t": t})
        values = _core.bgnbd_expected_purchases(self._params(), h)
        return shape_result(values, shape, index, "expected_purchases")

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n): probability that a new customer makes exactly ``n`` repeat
        purchases within ``t`` of the first purchase (paper, eq. 8).

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the time unit of the fit.
        n : int or array-like of int
            Number of repeat purchases; broadcasts with ``t``.

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        (h, k), shape, index = broadcast_vectors({"t": t, "n": n})
        values = _core.bgnbd_probability_of_purchases(self._params(), h, k)
        return shape_result(values, shape, index, "probability")

    def log_likelihood_sums(self, frequency, recency, T, weights=None):
        """Sums over one block of customers at the fitted parameters.

        Blocks add up, so a driver can evaluate the likelihood of a partitioned customer
        base (e.g. on Dask).

        Parameters
        ----------
        frequency, recency, T : float or array-like of shape (n_customers,)
            Repeat purchases, time of the last purchase after the first, and age (time
            since the first purchase), in the time unit of the fit; scalars broadcast.
        weights : array-like of shape (n_customers,), default=None
            Customer weights (e.g. counts of identical histories).

        Returns
        -------
        dict
            ``log_likelihood`` (float), ``weight`` (float) and ``gradient`` (with respect
            to r, alpha, a, b).
        """
        x = as_vector(frequency, "frequency")
        tx = as_vector(recency, "recency")
        age = as_vector(T, "T")
        w = None if weights is None else as_vector(weights, "weights")
        return _core.bgnbd_log_likelihood_sums(
            self._params(), x, tx, age, w, n_jobs=int(self.n_jobs)
        )
