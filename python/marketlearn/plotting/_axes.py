"""Axes helper shared by the plots: reuse the caller's Axes or open a new figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported lazily: plain fits never pay for it
    from matplotlib.axes import Axes

__all__ = ["get_axes"]


def get_axes(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.4)) -> Axes:
    """``ax`` itself, or the Axes of a new pyplot figure of ``figsize`` when ``ax`` is None.

    pyplot picks a non-interactive backend (Agg) on its own when there is no display, so
    this is safe on CI and servers; in Jupyter the inline backend shows the figure.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax
