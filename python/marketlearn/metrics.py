"""Metrics marketing teams read: gains and lift for ranking leads, deviance and
Lorenz/Gini for value (LTV) models.

scikit-learn has ROC AUC, deviances and D^2; it has no gains table, lift or cumulative
gain curve (scikit-learn issue #10003), and no Lorenz curve or Gini for regression
rankings. Deviances and D^2 are re-exported from scikit-learn rather than re-written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import d2_tweedie_score, mean_tweedie_deviance
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "cumulative_gain_curve",
    "d2_tweedie_score",
    "gains_table",
    "gini_score",
    "lift_score",
    "lorenz_curve",
    "mean_tweedie_deviance",
]


def _binary_target_and_score(y_true, y_score):
    y_true = column_or_1d(y_true)
    y_score = column_or_1d(y_score).astype(np.float64, copy=False)
    check_consistent_length(y_true, y_score)
    if y_true.shape[0] == 0:
        raise ValueError("y_true is empty; at least one sample is required")
    if not np.all(np.isfinite(y_score)):
        raise ValueError("y_score contains NaN or infinity")
    labels = np.unique(y_true)
    if not np.all(np.isin(labels, [0, 1, False, True])):
        raise ValueError(
            f"y_true must hold binary 0/1 (or bool) labels; got values {labels[:5].tolist()}"
        )
    y = y_true.astype(np.float64)
    if y.sum() == 0:
        raise ValueError("y_true has no positive (1) sample; gains and lift are undefined")
    return y, y_score


def _order_by_score(y_score):
    # Highest score first; ties broken by original position so results are reproducible.
    return np.lexsort((np.arange(y_score.shape[0]), -y_score))


def cumulative_gain_curve(y_true: ArrayLike, y_score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Share of all positives captured when contacting the top-scored share of the base.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary outcome, 0/1 or bool (1 = converted, churned, responded).
    y_score : array-like of shape (n_samples,)
        Scores; higher means more likely positive. Ties keep the input order.

    Returns
    -------
    fraction_contacted : ndarray of shape (n_samples + 1,)
        0, 1/n, ..., 1.
    fraction_of_positives : ndarray of shape (n_samples + 1,)
        Share of all positives among the top-scored ``fraction_contacted``; from 0 to 1
        (a random ranking follows the diagonal).

    See Also
    --------
    marketlearn.plotting.plot_gains : The chart of this curve.
    """
    y, score = _binary_target_and_score(y_true, y_score)
    captured = np.cumsum(y[_order_by_score(score)])
    n = y.shape[0]
    fraction_contacted = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    fraction_captured = np.concatenate([[0.0], captured / captured[-1]])
    return fraction_contacted, fraction_captured


def lift_score(y_true: ArrayLike, y_score: ArrayLike, fraction: float = 0.1) -> float:
    """Lift at the top ``fraction`` of the ranking.

    The positive rate among the top-scored ``ceil(fraction * n)`` samples divided by the
    overall positive rate (1 = no better than random).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary outcome, 0/1 or bool.
    y_score : array-like of shape (n_samples,)
        Scores; higher means more likely positive.
    fraction : float, default=0.1
        Share of the ranking contacted, in (0, 1].

    Returns
    -------
    float
        The lift; e.g. 3.0 means the top ``fraction`` holds three times the average rate.
    """
    if not (0 < fraction <= 1):
        raise ValueError(f"fraction={fraction!r} must be in (0, 1]")
    y, score = _binary_target_and_score(y_true, y_score)
    top = max(1, int(np.ceil(fraction * y.shape[0])))
    return float(y[_order_by_score(score)][:top].mean() / y.mean())


def gains_table(y_true: ArrayLike, y_score: ArrayLike, n_bins: int = 10) -> pd.DataFrame:
    """Gains table by score bin (decile by default), best bin first.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary outcome, 0/1 or bool.
    y_score : array-like of shape (n_samples,)
        Scores; higher means more likely positive.
    n_bins : int, default=10
        Number of bins of (as nearly as possible) equal size.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``bin`` (1 = best scores), with columns ``count``, ``positives``,
        ``rate`` (positive rate in the bin), ``cumulative_positives``, ``cumulative_gain``
        (share of all positives captured so far), ``lift`` (bin rate / overall rate),
        ``cumulative_lift``, and ``min_score`` / ``max_score`` of the bin.

    See Also
    --------
    marketlearn.plotting.plot_lift : Lift per bin as a chart.
    """
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins={n_bins!r} must be a positive integer")
    y, score = _binary_target_and_score(y_true, y_score)
    n = y.shape[0]
    if n_bins > n:
        raise ValueError(f"n_bins={n_bins} is larger than the number of samples ({n})")
    order = _order_by_score(score)
    y_sorted, s_sorted = y[order], score[order]
    bins = np.array_split(np.arange(n), n_bins)
    overall = y.mean()
    rows = []
    cum_pos = 0.0
    cum_count = 0
    for i, idx in enumerate(bins, start=1):
        pos = float(y_sorted[idx].sum())
        cum_pos += pos
        cum_count += idx.shape[0]
        rate = pos / idx.shape[0]
        rows.append(
            {
                "bin": i,
                "count": int(idx.shape[0]),
                "positives": int(pos),
                "rate": rate,
                "cumulative_positives": int(cum_pos),
                "cumulative_gain": cum_pos / y.sum(),
                "lift": rate / overall,
                "cumulative_lift": (cum_pos / cum_count) / overall,
                "min_score": float(s_sorted[idx].min()),
                "max_score": float(s_sorted[idx].max()),
            }
        )
    return pd.DataFrame(rows).set_index("bin")


def lorenz_curve(
    y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve of a value ranking (e.g. predicted LTV).

    Customers are ordered from the *lowest* predicted value up; the curve gives the
    cumulative share of actual value against the cumulative share of customers (weighted).
    A model that ranks well bows far below the diagonal.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Actual value of each customer; non-negative, not all 0.
    y_pred : array-like of shape (n_samples,)
        Predicted value, used only for the order.
    sample_weight : array-like of shape (n_samples,), default=None
        Customer weights.

    Returns
    -------
    cumulative_share_of_customers : ndarray of shape (n_samples + 1,)
    cumulative_share_of_value : ndarray of shape (n_samples + 1,)
        Both start at 0 and end at 1.

    See Also
    --------
    marketlearn.plotting.plot_lorenz : The chart, with the Gini in its legend.
    """
    y_true = column_or_1d(y_true).astype(np.float64)
    y_pred = column_or_1d(y_pred).astype(np.float64)
    check_consistent_length(y_true, y_pred)
    if y_true.shape[0] == 0:
        raise ValueError("y_true is empty; at least one sample is required")
    if not (np.all(np.isfinite(y_true)) and np.all(np.isfinite(y_pred))):
        raise ValueError("y_true and y_pred must be finite")
    if np.any(y_true < 0):
        raise ValueError("y_true must be non-negative for a Lorenz curve (it is a value)")
    w = _check_sample_weight(sample_weight, y_true)
    order = np.lexsort((np.arange(y_pred.shape[0]), y_pred))
    value = np.cumsum((y_true * w)[order])
    if value[-1] <= 0:
        raise ValueError("y_true sums to 0; the Lorenz curve is undefined")
    people = np.cumsum(w[order])
    return (
        np.concatenate([[0.0], people / people[-1]]),
        np.concatenate([[0.0], value / value[-1]]),
    )


def gini_score(
    y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None
) -> float:
    """Gini index of a value ranking: 1 - 2 x (area under the Lorenz curve).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Actual non-negative value of each customer.
    y_pred : array-like of shape (n_samples,)
        Predicted value, used only for the order.
    sample_weight : array-like of shape (n_samples,), default=None
        Customer weights.

    Returns
    -------
    float
        0 for a random ranking; larger is better, up to the Gini of the actual values (an
        oracle ranking). Trapezoidal rule on :func:`lorenz_curve`.
    """
    x, v = lorenz_curve(y_true, y_pred, sample_weight)
    return float(1.0 - 2.0 * np.trapezoid(v, x))
