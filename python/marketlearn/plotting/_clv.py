"""CLV charts: the probability-alive matrix of a fitted BG/NBD model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._axes import get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_probability_alive_matrix"]


def plot_probability_alive_matrix(
    bgnbd_model: Any,
    *,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    T: float | None = None,
    ax: Axes | None = None,
    cmap: str = "viridis",
) -> Axes:
    """Heat map of P(alive) over frequency and recency for customers of age ``T``.

    As lifetimes' ``plot_probability_alive_matrix``: frequent buyers who bought recently
    are almost surely alive; frequent buyers who have not bought for a long time have
    probably churned. Each cell is
    ``bgnbd_model.conditional_probability_alive(frequency, recency, T)``.

    Parameters
    ----------
    bgnbd_model : marketlearn.clv.BetaGeoModel
        A fitted model.
    max_frequency : int, optional
        Largest number of repeat purchases shown. Default: the fit's largest frequency
        when the model recorded it (``max_frequency_``), else 20.
    max_recency : float, optional
        Largest recency shown, in the model's time unit. Default: ``T``.
    T : float, optional
        Customer age (time since first purchase) of the matrix. Default: the fit's
        largest ``T`` when recorded (``max_T_``), else ``max_recency``, else 52.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    cmap : str, default="viridis"
        Colour map.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not hasattr(bgnbd_model, "params_"):
        raise ValueError("plot_probability_alive_matrix needs a fitted BetaGeoModel")
    if max_frequency is None:
        max_frequency = int(getattr(bgnbd_model, "max_frequency_", 20))
    if T is None:
        T = float(getattr(bgnbd_model, "max_T_", max_recency if max_recency else 52.0))
    if max_recency is None:
        max_recency = T
    if max_recency > T:
        raise ValueError(f"max_recency={max_recency} exceeds T={T}: recency is at most T")
    frequency = np.arange(max_frequency + 1, dtype=float)
    # Cell centres: a repeat buyer's recency is > 0, so the grid avoids exactly 0.
    recency = (np.arange(60) + 0.5) * float(max_recency) / 60
    f_grid, r_grid = np.meshgrid(frequency, recency, indexing="ij")
    # Recency is only defined (> 0) after a repeat purchase: the frequency-0 row is the
    # model's value at recency 0 for every column.
    r_grid[0, :] = 0.0
    alive = np.asarray(
        bgnbd_model.conditional_probability_alive(f_grid.ravel(), r_grid.ravel(), float(T)),
        dtype=float,
    ).reshape(f_grid.shape)
    ax = get_axes(ax)
    image = ax.imshow(
        alive,
        origin="lower",
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        extent=(0.0, float(max_recency), -0.5, max_frequency + 0.5),
    )
    ax.set_xlabel(f"recency (time of last purchase; customer age T = {T:g})")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title("Probability a customer is alive,\nby frequency and recency")
    ax.figure.colorbar(image, ax=ax, label="P(alive)")
    return ax
