"""choose_k: how many customer segments? Elbow (Kneedle), silhouette or Calinski-Harabasz."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._kmeans import KMeans
from ._validation import check_k_candidates

__all__ = ["ChooseKResult", "choose_k", "kneedle"]

#: Above this many samples the silhouette is estimated on a random subset of this size
#: (its cost grows with n^2).
SILHOUETTE_SAMPLE_SIZE = 10_000

_METHODS = ("elbow", "silhouette", "calinski_harabasz")


@dataclass(frozen=True)
class ChooseKResult:
    """What :func:`choose_k` found.

    Attributes
    ----------
    k : int
        The chosen number of clusters.
    k_values : ndarray of int
        The candidates, in increasing order.
    scores : ndarray of float
        One per candidate: the inertia for "elbow" (lower is tighter; the knee is chosen),
        the mean silhouette for "silhouette" or the Calinski-Harabasz index for
        "calinski_harabasz" (higher is better; the maximum is chosen).
    inertias : ndarray of float
        The k-means inertia of every candidate, whatever the method.
    method : str
    """

    k: int
    k_values: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    inertias: np.ndarray = field(repr=False)
    method: str = "elbow"

    def to_frame(self):
        """The candidates as a table.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``k``, columns ``score`` and ``inertia``.
        """
        import pandas as pd

        return pd.DataFrame(
            {"score": self.scores, "inertia": self.inertias},
            index=pd.Index(self.k_values, name="k"),
        )


def kneedle(x, y, *, curve="convex"):
    """Index of the knee of a curve by Kneedle (Satopaa et al., 2011), offline.

    Both axes are scaled to [0, 1]; the difference curve is the vertical gap between the
    curve and the chord joining its first and last points (chord minus curve for a convex
    curve, curve minus chord for a concave one), and the knee is where it is largest. For
    a concave increasing curve this is Kneedle's ``y_n - x_n``; an inertia-versus-k curve
    is convex and decreasing, and its knee (elbow) maximizes ``1 - x_n - y_n``.

    Parameters
    ----------
    x, y : array-like of shape (n,), n >= 3
        x strictly increasing.
    curve : {"convex", "concave"}, default="convex"

    Returns
    -------
    int or None
        Index into x of the knee, or None when no point lies on the knee's side of the
        chord (a straight curve, or one bent the other way, has no knee).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 3:
        raise ValueError("kneedle needs x and y of the same length, at least 3 points.")
    if not np.all(np.diff(x) > 0):
        raise ValueError("kneedle needs strictly increasing x.")
    if curve not in ("convex", "concave"):
        raise ValueError(f"curve={curve!r} is not one of 'convex', 'concave'.")
    span = y.max() - y.min()
    if not np.isfinite(span) or span == 0:
        return None
    x_n = (x - x[0]) / (x[-1] - x[0])
    y_n = (y - y.min()) / span
    chord = y_n[0] + (y_n[-1] - y_n[0]) * x_n
    difference = chord - y_n if curve == "convex" else y_n - chord
    best = int(np.argmax(difference))
    # Rounding can leave the end points a hair off the chord: require a real gap.
    return best if difference[best] > 1e-12 else None


def choose_k(
    X,
    k_range=range(2, 11),
    method="elbow",
    random_state=None,
    *,
    n_init="auto",
    sample_size=None,
    sample_weight=None,
    n_jobs=None,
    elbow_scale="log",
):
    """Choose the number of k-means clusters (customer segments) for X.

    Fits :class:`KMeans` for every k in ``k_range`` and scores it:

    - ``"elbow"``: the knee of the inertia curve, found by Kneedle (:func:`kneedle`):
      after scaling k and the (log) inertia to [0, 1], the k whose inertia lies farthest
      below the straight line from the first to the last candidate. If no candidate lies
      below it (no elbow), the smallest k is returned. By default the curve is the
      logarithm of the inertia (``elbow_scale="log"``): an elbow is where the *relative*
      gain of one more cluster collapses. On the linear curve the first drop (k=2 to 3)
      dominates the scaling and Kneedle stops one cluster early whenever the first
      clusters explain most of the variance (on well-separated blobs with 5 or 7 planted
      clusters it answers 4 and 6; on the log curve, 5 and 7).
    - ``"silhouette"``: the k of largest mean silhouette (``sklearn.metrics.
      silhouette_score``); on more than 10,000 samples it is estimated on a random subset
      (``sample_size``).
    - ``"calinski_harabasz"``: the k of largest Calinski-Harabasz index.

    Scale the features first (e.g. ``StandardScaler``): k-means, and so every criterion
    here, measures plain Euclidean distances. :class:`CustomerSegmenter` does that.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int, default=range(2, 11)
        Candidates (>= 1; >= 2 for silhouette and Calinski-Harabasz, which need two
        clusters; at most n_samples, and n_samples - 1 for silhouette). Candidates that
        are out of reach for this X are dropped.
    method : {"elbow", "silhouette", "calinski_harabasz"}, default="elbow"
    random_state : int, RandomState instance or None, default=None
        Seeds every k-means fit (the same seed for each k) and the silhouette subset.
    n_init : "auto" or int, default="auto"
        Passed to :class:`KMeans`.
    sample_size : int or None, default=None
        Silhouette subset size; None means all samples up to 10,000, else 10,000.
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to the k-means fits (the silhouette and Calinski-Harabasz scores ignore it).
    n_jobs : int or None, default=None
        Threads of the k-means fits.
    elbow_scale : {"log", "linear"}, default="log"
        The inertia curve Kneedle reads for "elbow".

    Returns
    -------
    ChooseKResult
        ``.k``, ``.k_values``, ``.scores``, ``.inertias``, ``.method``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from marketlearn import choose_k
    >>> X, _ = make_blobs(n_samples=600, centers=4, cluster_std=0.6, random_state=0)
    >>> choose_k(X, method="silhouette", random_state=0).k
    4
    """
    if elbow_scale not in ("log", "linear"):
        raise ValueError(f"elbow_scale={elbow_scale!r} is not one of 'log', 'linear'.")
    if method not in _METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, _METHODS))}.")
    X = check_array(X, dtype=[np.float64, np.float32], order="C", input_name="X")
    n_samples = X.shape[0]
    candidates = check_k_candidates(k_range)
    if method == "elbow":
        lowest, highest = 1, n_samples
    else:
        lowest, highest = 2, n_samples - 1 if method == "silhouette" else n_samples
    feasible = [k for k in candidates if lowest <= k <= highest]
    needed = 3 if method == "elbow" else 1
    if len(feasible) < needed:
        raise ValueError(
            f"choose_k(method={method!r}) needs at least {needed} candidate k in "
            f"[{lowest}, {max(highest, lowest)}] for n_samples={n_samples}; k_range gives "
            f"{feasible or 'none'}."
        )
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    inertias, scores = [], []
    for k in feasible:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed, n_jobs=n_jobs)
        with warnings.catch_warnings():
            # More candidates than distinct points is a poor candidate, not a problem.
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = model.fit(X, sample_weight=sample_weight).labels_
        inertias.append(model.inertia_)
        if method == "silhouette":
            size = sample_size
            if size is None and n_samples > SILHOUETTE_SAMPLE_SIZE:
                size = SILHOUETTE_SAMPLE_SIZE
            if len(np.unique(labels)) < 2:
                scores.append(-1.0)  # all in one cluster (duplicate points): worst score
            else:
                scores.append(
                    float(silhouette_score(X, labels, sample_size=size, random_state=seed))
                )
        elif method == "calinski_harabasz":
            scores.append(
                float(calinski_harabasz_score(X, labels)) if len(np.unique(labels)) > 1 else 0.0
            )
    k_values = np.asarray(feasible, dtype=np.int64)
    inertias = np.asarray(inertias, dtype=np.float64)
    if method == "elbow":
        scores = inertias
        curve = inertias
        if elbow_scale == "log":
            # A perfect fit (inertia 0: k >= distinct points) must not become -inf.
            curve = np.log(np.maximum(inertias, 1e-12 * max(inertias.max(), 1e-300)))
        knee = kneedle(k_values, curve, curve="convex")
        k = int(k_values[0] if knee is None else k_values[knee])
    else:
        scores = np.asarray(scores, dtype=np.float64)
        k = int(k_values[int(np.argmax(scores))])
    return ChooseKResult(k=k, k_values=k_values, scores=scores, inertias=inertias, method=method)
