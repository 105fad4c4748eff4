"""GammaGammaModel: spend per transaction, and customer lifetime value."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .. import _core
from ._bgnbd import BetaGeoModel
from ._common import as_vector, broadcast_vectors, shape_result, store_fit, summary_frame

__all__ = ["GammaGammaModel"]

_PARAM_NAMES = ("p", "q", "v")

#: Time units of T per month, as lifetimes' customer_lifetime_value defines them.
_PERIODS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 720.0, "h": 720.0}


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005; Fader &
    Hardie 2013, note 025).

    A customer's transaction values are Gamma(p, nu) around their own mean p / nu, and
    ``nu ~ Gamma(q, v)`` across customers. Fitted on returning customers (frequency > 0)
    with their mean repeat spend; assumes spend is independent of purchase frequency
    (check: the correlation of frequency and monetary_value should be near 0).

    The likelihood (note 025, eq. 1a) is maximized by L-BFGS in C++ with analytic
    gradients over log-parameters. The API follows ``lifetimes.GammaGammaFitter``.

    Parameters
    ----------
    penalizer_coef : float, default=0.0
        L2 penalty ``penalizer_coef * (p^2 + q^2 + v^2)`` added to the mean negative
        log-likelihood (as in lifetimes).
    max_iter : int, default=1000
        Maximum L-BFGS iterations.
    tol : float, default=1e-8
        Gradient tolerance (mean negative log-likelihood, log-parameters).
    n_jobs : int, default=1
        Threads for the likelihood passes (-1: all cores).

    Attributes
    ----------
    params_ : dict
        ``{"p", "q", "v"}``; ``v`` is in the money unit of ``monetary_value``.
    standard_errors_, variance_matrix_, confidence_intervals_, log_likelihood_,
    n_customers_, n_unique_rows_, n_iter_, converged_ :
        As in :class:`BetaGeoModel`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "RFM and CLV: Using Iso-Value
    Curves for Customer Base Analysis". Journal of Marketing Research 42(4), 415-430.
    Fader, P. S. and Hardie, B. G. S. (2013). "The Gamma-Gamma Model of Monetary Value".
    http://brucehardie.com/notes/025/
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
    def fit(self, frequency, monetary_value, weights=None, initial_params=None):
        """Fit the model to returning customers.

        Parameters
        ----------
        frequency : array-like of shape (n_customers,)
            Number of repeat purchases, whole numbers > 0 (select ``frequency > 0``).
        monetary_value : array-like of shape (n_customers,)
            Mean value of the repeat purchases, > 0.
        weights : array-like of shape (n_customers,), optional
            Number of customers each row stands for.
        initial_params : dict or sequence of 3 floats, optional
            Starting (p, q, v).

        Returns
        -------
        self : GammaGammaModel
        """
        x = as_vector(frequency, "frequency")
        m = as_vector(monetary_value, "monetary_value")
        w = None if weights is None else as_vector(weights, "weights")
        for name, array in (("monetary_value", m), ("weights", w)):
            if array is not None and array.shape != x.shape:
                raise ValueError(
                    f"{name} has {array.shape[0]} entries but frequency has {x.shape[0]}."
                )
        init = None
        if initial_params is not None:
            if isinstance(initial_params, dict):
                initial_params = [initial_params[n] for n in _PARAM_NAMES]
            init = [float(v) for v in initial_params]
            if len(init) != 3:
                raise ValueError(f"initial_params needs 3 values (p, q, v); got {len(init)}.")
        result = _core.fit_gamma_gamma(
            x,
            m,
            w,
            penalizer_coef=float(self.penalizer_coef),
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            n_jobs=int(self.n_jobs),
            initial_params=init,
        )
        store_fit(self, result, _PARAM_NAMES)
        return self

    def _params(self):
        check_is_fitted(self, "params_")
        return [self.params_[n] for n in _PARAM_NAMES]

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% intervals."""
        check_is_fitted(self, "params_")
        return summary_frame(self.params_, self.variance_matrix_.to_numpy())

    def conditional_expected_average_profit(self, frequency, monetary_value):
        """Expected spend per future transaction given the customer's history:

        ``E[M | x, m] = p (v + x m) / (p x + q - 1)`` (note 025, eq. 5), a weighted
        average of the population mean ``p v / (q - 1)`` and the customer's own mean
        ``m``. Customers with frequency 0 (and monetary_value 0) get the population mean.
        Infinite when ``p x + q <= 1``.

        Parameters
        ----------
        frequency : float or array-like of shape (n_customers,)
            Repeat purchases.
        monetary_value : float or array-like of shape (n_customers,)
            Mean value of the repeat purchases (0 when there are none).

        Returns
        -------
        float, pandas.Series or ndarray
            A float for scalars, a Series on the index of a pandas input, an ndarray
            otherwise.
        """
        (x, m), shape, index = broadcast_vectors(
            {"frequency": frequency, "monetary_value": monetary_value}
        )
        values = _core.gamma_gamma_expected_average_profit(self._params(), x, m)
        return shape_result(values, shape, index, "expected_average_profit")

    def customer_lifetime_value(
        self,
        transaction_model,
        frequency,
        recency,
        T,
        monetary_value,
        time=12,
        discount_rate=0.01,
        freq="D",
    ):
        """Discounted customer lifetime value over the next ``time`` months.

        lifetimes' formula: in monthly steps k = 1..time,

        ``CLV = sum_k E[M | x, m] (E[Y(k f)] - E[Y((k-1) f)]) / (1 + discount_rate)^k``

        where ``E[Y(t)]`` is ``transaction_model``'s expected number of purchases in the
        next t (given frequency, recency, T), ``E[M | x, m]`` is
        :meth:`conditional_expected_average_profit` and f converts a month to the unit of
        T: 30 for "D", 4.345 for "W", 1 for "M", 720 for "H".

        Parameters
        ----------
        transaction_model : BetaGeoModel or any object with
            ``conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)``
            (e.g. a lifetimes fitter). A BetaGeoModel runs entirely in C++.
        frequency, recency, T, monetary_value : array-like of shape (n_customers,)
            The customers' summaries (monetary_value 0 for frequency 0 is fine).
        time : int, default=12
            Months ahead.
        discount_rate : float, default=0.01
            Monthly discount rate (0.01 is about 12.7 % a year).
        freq : {"D", "W", "M", "H"}, default="D"
            Unit of T and recency.

        Returns
        -------
        pandas.Series or ndarray
            CLV per customer in the money unit of monetary_value; a Series on the index
            of a pandas input.
        """
        if freq not in _PERIODS_PER_MONTH:
            raise ValueError(f"freq={freq!r} must be one of {sorted(_PERIODS_PER_MONTH)}.")
        if not isinstance(time, Integral) or isinstance(time, bool) or time < 1:
            raise ValueError(f"time={time!r} must be a whole number of months >= 1.")
        if not (np.isfinite(discount_rate) and discount_rate > -1):
            raise ValueError(f"discount_rate={discount_rate!r} must be a finite number > -1.")
        factor = _PERIODS_PER_MONTH[freq]
        (x, tx, age, m), shape, index = broadcast_vectors(
            {"frequency": frequency, "recency": recency, "T": T, "monetary_value": monetary_value}
        )
        if isinstance(transaction_model, BetaGeoModel):
            values = _core.customer_lifetime_value(
                transaction_model._params(),
                self._params(),
                x,
                tx,
                age,
                m,
                time=int(time),
                discount_rate=float(discount_rate),
                periods_per_month=factor,
                n_jobs=int(self.n_jobs),
            )
        else:
            predict = getattr(
                transaction_model, "conditional_expected_number_of_purchases_up_to_time", None
            )
            if predict is None:
                raise TypeError(
                    "transaction_model needs a conditional_expected_number_of_purchases_up_to_time"
                    f"(t, frequency, recency, T) method; got {type(transaction_model).__name__}."
                )
            spend = _core.gamma_gamma_expected_average_profit(self._params(), x, m)
            values = np.zeros_like(x)
            previous = np.zeros_like(x)
            for k in range(1, int(time) + 1):
                current = np.asarray(predict(k * factor, x, tx, age), dtype=np.float64)
                values += spend * (current - previous) / (1 + discount_rate) ** k
                previous = current
        return shape_result(values, shape, index, "clv")
