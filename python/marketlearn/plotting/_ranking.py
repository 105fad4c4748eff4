"""Ranking charts: cumulative gains, lift by decile, Lorenz curve of a value ranking."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..metrics import cumulative_gain_curve, gains_table, gini_score, lorenz_curve
from ._axes import get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_gains", "plot_lift", "plot_lorenz"]


def plot_gains(
    y_true: ArrayLike, y_score: ArrayLike, *, ax: Axes | None = None, label: str = "model"
) -> Axes:
    """Cumulative gains chart: share of all positives reached by contacting the top
    scored share of the list.

    Drawn with the random-targeting diagonal and the perfect ranking (all positives first)
    for reference; from :func:`marketlearn.metrics.cumulative_gain_curve`. Call it again
    with the same ``ax`` and another ``label`` to compare models.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary outcome (1 = converted / churned / responded).
    y_score : array-like of shape (n_samples,)
        Scores; higher means more likely positive.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    label : str, default="model"
        Legend label of the curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    contacted, captured = cumulative_gain_curve(y_true, y_score)
    y = np.asarray(y_true)
    base = float(np.mean(y == np.max(y))) if y.size else 0.0
    fresh = ax is None or not ax.lines
    ax = get_axes(ax)
    ax.plot(contacted, captured, label=label, linewidth=2)
    if fresh:
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="random")
        if 0 < base < 1:
            ax.plot([0, base, 1], [0, 1, 1], color="grey", linestyle=":", label="perfect")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("share of customers contacted (best scores first)")
        ax.set_ylabel("share of all positives captured")
        ax.set_title("Cumulative gains")
        ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return ax


def plot_lift(
    y_true: ArrayLike, y_score: ArrayLike, *, n_bins: int = 10, ax: Axes | None = None
) -> Axes:
    """Lift by score bin (deciles by default), with the cumulative lift as a line.

    Bars: positive rate of each bin divided by the overall rate; line: the same for the
    top bins together. The dashed line at 1 is random targeting. From
    :func:`marketlearn.metrics.gains_table`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary outcome.
    y_score : array-like of shape (n_samples,)
        Scores; higher means more likely positive.
    n_bins : int, default=10
        Number of equal-size bins, best scores first.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    table = gains_table(y_true, y_score, n_bins=n_bins)
    ax = get_axes(ax)
    bins = table.index.to_numpy()
    ax.bar(bins, table["lift"], color="tab:blue", alpha=0.8, label="lift of the bin")
    ax.plot(bins, table["cumulative_lift"], color="tab:orange", marker="o", label="cumulative lift")
    ax.axhline(1.0, color="grey", linestyle="--", label="random")
    ax.set_xticks(bins)
    ax.set_xlabel(f"score bin (1 = best {100 / n_bins:g}%)")
    ax.set_ylabel("lift (bin rate / overall rate)")
    ax.set_title("Lift by score bin")
    ax.legend(loc="upper right")
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def plot_lorenz(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    ax: Axes | None = None,
    label: str = "model",
) -> Axes:
    """Lorenz curve of a value ranking (e.g. predicted lifetime value), with its Gini.

    Customers are ordered from the lowest prediction up; the curve is the cumulative share
    of *actual* value. The oracle curve (ordered by the actual values) and the equality
    diagonal are drawn for reference; the legend gives each Gini
    (:func:`marketlearn.metrics.gini_score`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Actual non-negative value of each customer.
    y_pred : array-like of shape (n_samples,)
        Predicted value used for the ranking.
    sample_weight : array-like of shape (n_samples,), optional
        Customer weights.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    label : str, default="model"
        Legend label of the model curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    fresh = ax is None or not ax.lines
    ax = get_axes(ax)
    x, v = lorenz_curve(y_true, y_pred, sample_weight)
    gini = gini_score(y_true, y_pred, sample_weight)
    ax.plot(x, v, linewidth=2, label=f"{label} (Gini {gini:.3f})")
    if fresh:
        xo, vo = lorenz_curve(y_true, y_true, sample_weight)
        oracle = gini_score(y_true, y_true, sample_weight)
        ax.plot(xo, vo, color="grey", linestyle=":", label=f"oracle (Gini {oracle:.3f})")
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="equality")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("share of customers (lowest predicted value first)")
        ax.set_ylabel("share of actual value")
        ax.set_title("Lorenz curve")
        ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left")
    return ax
