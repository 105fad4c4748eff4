"""Training curves of the gradient-descent estimators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._axes import get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_convergence"]


def _as_curves(values: Any) -> list[np.ndarray]:
    """One curve per binary problem: a single array, or a list for one-vs-rest fits."""
    if isinstance(values, (list, tuple)):
        return [np.asarray(v, dtype=float) for v in values]
    return [np.asarray(values, dtype=float)]


def plot_convergence(model: Any, *, ax: Axes | None = None, log_scale: bool = False) -> Axes:
    """Plot the training objective per epoch and, if recorded, the validation score.

    Works with every estimator that records ``loss_curve_`` (GDClassifier, GDRegressor,
    ChurnClassifier, LTVRegressor, and LeadScorer through its fitted model). The
    validation score (``validation_scores_``, recorded with ``early_stopping=True``) goes
    on a second y axis on the right, since its scale differs from the loss.

    Parameters
    ----------
    model : estimator
        A fitted estimator with ``loss_curve_`` (or with an ``estimator_``/``model_`` that
        has one).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    log_scale : bool, default=False
        Log scale for the loss axis (helps when the first epochs dominate).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with the loss curve(s); the validation axis is ``ax.right_ax`` when drawn.

    Examples
    --------
    >>> from marketlearn import GDClassifier
    >>> from marketlearn.plotting import plot_convergence
    >>> model = GDClassifier(early_stopping=True).fit(X, y)  # doctest: +SKIP
    >>> plot_convergence(model)  # doctest: +SKIP
    """
    source = model
    for attr in ("estimator_", "model_"):
        if not hasattr(source, "loss_curve_") and hasattr(source, attr):
            source = getattr(source, attr)
    if not hasattr(source, "loss_curve_"):
        raise ValueError(
            f"{type(model).__name__} has no loss_curve_: fit it first (plot_convergence "
            "needs a gradient-descent estimator such as GDClassifier)."
        )
    ax = get_axes(ax)
    losses = _as_curves(source.loss_curve_)
    classes = getattr(source, "classes_", None)
    for i, curve in enumerate(losses):
        label = "training loss" if len(losses) == 1 else f"training loss, class {classes[i]!r}"
        ax.plot(
            np.arange(1, curve.size + 1),
            curve,
            marker="." if curve.size < 50 else None,
            label=label,
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("objective (loss + penalty)")
    if log_scale:
        ax.set_yscale("log")
    handles, labels = ax.get_legend_handles_labels()
    if hasattr(source, "validation_scores_"):
        right = ax.twinx()
        for curve in _as_curves(source.validation_scores_):
            (line,) = right.plot(
                np.arange(1, curve.size + 1),
                curve,
                color="tab:orange",
                linestyle="--",
                label="validation score",
            )
        right.set_ylabel("validation score (higher is better)")
        handles.append(line)
        labels.append("validation score")
        ax.right_ax = right
    ax.legend(handles, labels, loc="best")
    ax.set_title(f"{type(model).__name__}: convergence")
    ax.grid(True, alpha=0.3)
    return ax
