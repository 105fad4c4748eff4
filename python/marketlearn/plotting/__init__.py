"""Charts for the marketing models, drawn with matplotlib.

Every function takes an optional ``ax=`` (draw into your own figure or subplot grid) and
returns the :class:`matplotlib.axes.Axes` it drew on. matplotlib is imported only when a
chart is drawn, and pyplot falls back to the non-interactive Agg backend when there is no
display, so these work on headless servers and CI as well as in Jupyter.

=====================================  ==========================================
:func:`plot_convergence`               loss (and validation score) per epoch
:func:`plot_elbow`                     ``choose_k`` scores with the chosen k
:func:`plot_gains`                     cumulative gains chart
:func:`plot_lift`                      lift by decile
:func:`plot_segment_profiles`          segment profile heat map (index vs. average)
:func:`plot_lorenz`                    Lorenz curve of a value ranking, with Gini
:func:`plot_probability_alive_matrix`  BG/NBD P(alive) by frequency and recency
=====================================  ==========================================
"""

from ._clv import plot_probability_alive_matrix
from ._convergence import plot_convergence
from ._ranking import plot_gains, plot_lift, plot_lorenz
from ._segments import plot_elbow, plot_segment_profiles

__all__ = [
    "plot_convergence",
    "plot_elbow",
    "plot_gains",
    "plot_lift",
    "plot_lorenz",
    "plot_probability_alive_matrix",
    "plot_segment_profiles",
]
