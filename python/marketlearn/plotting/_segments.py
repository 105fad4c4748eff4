"""Segmentation charts: the k-selection curve and segment profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._axes import get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_elbow", "plot_segment_profiles"]

_SCORE_LABELS = {
    "elbow": "inertia (within-segment sum of squares)",
    "silhouette": "mean silhouette",
    "calinski_harabasz": "Calinski-Harabasz index",
}


def _format_mean(value: float) -> str:
    """Readable in a cell: 5,638 rather than 5.64e+03; 3 significant digits below 1000."""
    if not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def plot_elbow(result: Any, *, ax: Axes | None = None) -> Axes:
    """Plot the score of every candidate k from :func:`marketlearn.choose_k`, with the
    chosen k marked.

    Parameters
    ----------
    result : ChooseKResult or CustomerSegmenter
        What :func:`~marketlearn.choose_k` returned, or a segmenter fitted with
        ``n_segments="auto"`` (its ``choice_`` is used).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    choice = getattr(result, "choice_", result)
    if choice is None or not hasattr(choice, "k_values"):
        raise ValueError(
            "plot_elbow needs a ChooseKResult (from choose_k) or a CustomerSegmenter fitted "
            "with n_segments='auto'."
        )
    ax = get_axes(ax)
    k_values = np.asarray(choice.k_values)
    scores = np.asarray(choice.scores, dtype=float)
    ax.plot(k_values, scores, marker="o", label=choice.method)
    chosen = scores[np.flatnonzero(k_values == choice.k)[0]]
    ax.axvline(choice.k, color="tab:red", linestyle="--", alpha=0.6)
    ax.plot(
        [choice.k],
        [chosen],
        marker="o",
        markersize=12,
        markerfacecolor="none",
        markeredgecolor="tab:red",
        markeredgewidth=2,
        linestyle="none",
        label=f"chosen k = {choice.k}",
    )
    ax.set_xticks(k_values)
    ax.set_xlabel("number of segments k")
    ax.set_ylabel(_SCORE_LABELS.get(choice.method, "score"))
    ax.set_title(f"Choosing k ({choice.method})")
    ax.legend(loc="best")
    ax.grid(True, alpha=0.3)
    return ax


def plot_segment_profiles(
    segmenter: Any,
    *,
    features: list[str] | None = None,
    ax: Axes | None = None,
    cmap: str = "RdBu_r",
) -> Axes:
    """Heat map of segment profiles: each feature's segment mean as an index against the
    customer-base mean (100 = average), annotated with the mean itself.

    Indexing makes features of very different units comparable in one picture, as
    marketers read profile tables ("segment 2 spends 3x the average"). Rows are labelled
    with the segment's share of customers.

    Parameters
    ----------
    segmenter : CustomerSegmenter or pandas.DataFrame
        A fitted segmenter (its ``segment_profiles_`` is used) or such a profile table:
        one row per segment, columns ``size``, ``share`` and one mean per feature.
    features : list of str, optional
        Which feature columns to show (default: all).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    cmap : str, default="RdBu_r"
        Diverging colour map, centred on the index 100.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import TwoSlopeNorm

    profiles = getattr(segmenter, "segment_profiles_", segmenter)
    if not isinstance(profiles, pd.DataFrame) or "share" not in profiles.columns:
        raise ValueError(
            "plot_segment_profiles needs a fitted CustomerSegmenter or its "
            "segment_profiles_ DataFrame (columns size, share, then feature means)."
        )
    names = features or [c for c in profiles.columns if c not in ("size", "share")]
    means = profiles[names].to_numpy(dtype=float)
    share = profiles["share"].to_numpy(dtype=float)
    overall = share @ means / share.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(overall != 0, 100.0 * means / overall, np.nan)
    if ax is None:
        ax = get_axes(None, figsize=(1.2 * len(names) + 2.5, 0.6 * len(profiles) + 1.8))
    # An index runs from 0 up: blue below the average, red above, each side on its own
    # scale (TwoSlopeNorm), so "half the average" and "twice the average" both stand out.
    top = float(np.nanmax(index)) if np.isfinite(index).any() else 200.0
    norm = TwoSlopeNorm(vmin=0.0, vcenter=100.0, vmax=max(top, 200.0))
    image = ax.imshow(index, cmap=cmap, aspect="auto", norm=norm)
    for i in range(means.shape[0]):
        for j in range(means.shape[1]):
            strong = np.isfinite(index[i, j]) and abs(norm(index[i, j]) - 0.5) > 0.35
            ax.text(
                j,
                i,
                _format_mean(means[i, j]),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if strong else "black",
            )
    ax.set_xticks(range(len(names)), labels=names, rotation=30, ha="right")
    ax.set_yticks(
        range(len(profiles)), labels=[f"{seg} ({s:.0%})" for seg, s in zip(profiles.index, share)]
    )
    ax.set_ylabel("segment (share of customers)")
    ax.set_title("Segment profiles (colour: index vs. average = 100; text: mean)")
    ax.figure.colorbar(image, ax=ax, label="index (100 = average)")
    return ax
