"""CustomerSegmenter: scaled k-means with an automatic number of segments and readable
segment profiles."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._choose_k import choose_k
from ._kmeans import KMeans, _check_weights
from ._validation import FLOAT_DTYPES, seed_from_random_state

__all__ = ["CustomerSegmenter"]


def _reject_non_numeric(X, estimator_name):
    """A clear error for text/categorical DataFrame columns, before validate_data's
    generic 'could not convert string to float'."""
    if not isinstance(X, pd.DataFrame):
        return
    bad = [
        str(column)
        for column, dtype in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if bad:
        raise ValueError(
            f"{estimator_name} needs numeric features, but column(s) {bad} are not numeric. "
            "Encode them first, e.g. pandas.get_dummies(X, columns=[...], dtype=float) or "
            "sklearn.preprocessing.OneHotEncoder; note that one-hot columns then weigh in "
            "the distances like any scaled feature."
        )


class CustomerSegmenter(ClusterMixin, BaseEstimator):
    """Customer segmentation in one step: scale, choose the number of segments, k-means,
    and a profile of each segment in the original units.

    1. Standardize every feature (``StandardScaler``), so that spend in dollars does not
       drown out a count of visits (``scale=False`` skips it).
    2. With ``n_segments="auto"``, pick the number of segments with :func:`choose_k`
       over ``k_range`` (``method``: "silhouette", "elbow" or "calinski_harabasz").
    3. Fit :class:`KMeans` on the scaled features.
    4. Number the segments by size (segment 0 is the largest) and describe each one:
       ``segment_profiles_`` holds its size, its share of customers and the mean of every
       ORIGINAL feature.

    Parameters
    ----------
    n_segments : "auto" or int, default="auto"
        Number of segments, or "auto" to choose it.
    k_range : array-like of int or None, default=None
        Candidates for "auto"; None means ``range(2, 11)``.
    method : {"silhouette", "elbow", "calinski_harabasz"}, default="silhouette"
        Criterion for "auto" (see :func:`choose_k`).
    log_features : "all", list of str or int, or None, default=None
        Features to replace by ``log1p`` before scaling (they must be >= 0): spend and
        purchase counts are right-skewed, and on the raw scale a few big spenders would
        get segments of their own. Names need a DataFrame; integers index columns. Only
        the clustering sees the logs: profiles stay in the original units.
    scale : bool, default=True
        Standardize the features before clustering.
    n_init : "auto" or int, default=10
        k-means runs from different k-means++ seeds (the best is kept); more runs give
        more stable segments.
    max_iter : int, default=300
    tol : float, default=1e-4
    algorithm : {"lloyd", "elkan", "hamerly"}, default="lloyd"
        As :class:`KMeans`.
    random_state : int, RandomState instance or None, default=None
    n_jobs : int or None, default=None

    Attributes
    ----------
    n_segments_ : int
        Number of segments fitted.
    labels_ : ndarray of shape (n_samples,), int32
        Segment of each customer (0 = largest segment).
    segment_profiles_ : pandas.DataFrame
        Indexed by segment; columns ``size`` (customers), ``share`` (fraction of customers,
        weighted by ``sample_weight`` if given) and the mean of each original feature
        (weighted likewise).
    cluster_centers_ : ndarray of shape (n_segments_, n_features)
        Segment centres mapped back to the original units (unscaled, ``expm1`` of the
        log features: for those, a geometric-type mean, below the arithmetic mean that
        ``segment_profiles_`` reports).
    inertia_ : float
        k-means inertia in the scaled space.
    n_iter_ : int
        k-means iterations of the kept run.
    choice_ : ChooseKResult or None
        The scores behind an "auto" choice (``choice_.to_frame()`` tabulates them).
    scaler_ : StandardScaler or None
    kmeans_ : KMeans
        The fitted k-means model (on scaled features, its own segment numbering).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    DataFrames must hold numeric (or boolean) columns only; text or categorical columns
    raise a ValueError naming them: encode them first (one-hot), and think about whether
    they belong in a distance at all.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from marketlearn import CustomerSegmenter
    >>> X, _ = make_blobs(n_samples=300, centers=3, random_state=0)
    >>> seg = CustomerSegmenter(random_state=0).fit(X)
    >>> seg.n_segments_
    3
    >>> list(seg.segment_profiles_.columns)
    ['size', 'share', 'x0', 'x1']
    """

    _parameter_constraints: dict = {
        "n_segments": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "k_range": ["array-like", None],
        "method": [StrOptions({"silhouette", "elbow", "calinski_harabasz"})],
        "log_features": [StrOptions({"all"}), "array-like", None],
        "scale": ["boolean"],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "algorithm": [StrOptions({"lloyd", "elkan", "hamerly"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        n_segments="auto",
        *,
        k_range=None,
        method="silhouette",
        log_features=None,
        scale=True,
        n_init=10,
        max_iter=300,
        tol=1e-4,
        algorithm="lloyd",
        random_state=None,
        n_jobs=None,
    ):
        self.n_segments = n_segments
        self.k_range = k_range
        self.method = method
        self.log_features = log_features
        self.scale = scale
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _resolve_log_columns(self, X):
        """Column indices named by log_features."""
        if self.log_features is None:
            return np.array([], dtype=np.intp)
        if isinstance(self.log_features, str):  # "all"
            return np.arange(X.shape[1])
        names = list(getattr(self, "feature_names_in_", []))
        columns = []
        for feature in self.log_features:
            if isinstance(feature, str):
                if feature not in names:
                    raise ValueError(
                        f"log_features names {feature!r}, which is not a column of X "
                        f"(columns: {names or 'none: X has no column names'})."
                    )
                columns.append(names.index(feature))
            else:
                index = int(feature)
                if not 0 <= index < X.shape[1]:
                    raise ValueError(
                        f"log_features has column index {index}, but X has {X.shape[1]} columns."
                    )
                columns.append(index)
        return np.asarray(sorted(set(columns)), dtype=np.intp)

    def _clustering_space(self, X):
        """X as the k-means sees it: log1p of the log features, then standardized."""
        Z = X
        if self._log_columns.size:
            logged = X[:, self._log_columns]
            if np.any(logged < 0):
                raise ValueError(
                    "log_features must be >= 0 (log1p of spend, counts, days); found "
                    f"negative values in column(s) {self._log_columns.tolist()}."
                )
            Z = X.copy()
            Z[:, self._log_columns] = np.log1p(logged)
        if self.scaler_ is not None:
            Z = self.scaler_.transform(Z)
        return np.ascontiguousarray(Z, dtype=X.dtype)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Segment the customers in X.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            One row per customer, numeric features (e.g. :func:`rfm_table`'s recency,
            frequency, monetary).
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Customer weights for the scaler, k-means and the profiles.

        Returns
        -------
        self : CustomerSegmenter
        """
        _reject_non_numeric(X, type(self).__name__)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, order="C", accept_sparse=False)
        sample_weight = _check_weights(sample_weight, X)
        seed = seed_from_random_state(self.random_state)

        self._log_columns = self._resolve_log_columns(X)
        self.scaler_ = None
        Z = self._clustering_space(X)
        if self.scale:
            self.scaler_ = StandardScaler().fit(Z, sample_weight=sample_weight)
            Z = np.ascontiguousarray(self.scaler_.transform(Z), dtype=X.dtype)

        self.choice_ = None
        if self.n_segments == "auto":
            self.choice_ = choose_k(
                Z,
                k_range=range(2, 11) if self.k_range is None else self.k_range,
                method=self.method,
                random_state=seed,
                n_init=self.n_init,
                sample_weight=sample_weight,
                n_jobs=self.n_jobs,
            )
            n_segments = self.choice_.k
        else:
            n_segments = int(self.n_segments)
            if X.shape[0] < n_segments:
                raise ValueError(f"n_samples={X.shape[0]} should be >= n_segments={n_segments}.")

        self.kmeans_ = KMeans(
            n_clusters=n_segments,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            algorithm=self.algorithm,
            random_state=seed,
            n_jobs=self.n_jobs,
        ).fit(Z, sample_weight=sample_weight)

        # Segment 0 is the largest (by weight, then by k-means' own order).
        labels = self.kmeans_.labels_
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
        sizes = np.bincount(labels, weights=w, minlength=n_segments)
        order = np.argsort(-sizes, kind="stable")  # order[new] = old
        self._relabel = np.empty(n_segments, dtype=np.int32)
        self._relabel[order] = np.arange(n_segments, dtype=np.int32)

        self.n_segments_ = n_segments
        self.labels_ = self._relabel[labels]
        self.inertia_ = self.kmeans_.inertia_
        self.n_iter_ = self.kmeans_.n_iter_
        centres = self.kmeans_.cluster_centers_[order]
        if self.scaler_ is not None:
            centres = self.scaler_.inverse_transform(centres)
        if self._log_columns.size:
            centres = np.array(centres, dtype=np.float64)
            centres[:, self._log_columns] = np.expm1(centres[:, self._log_columns])
        self.cluster_centers_ = np.asarray(centres, dtype=X.dtype)
        self.segment_profiles_ = self._profiles(X, w)
        return self

    def _profiles(self, X, w):
        names = (
            [str(name) for name in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(X.shape[1])]
        )
        k = self.n_segments_
        counts = np.bincount(self.labels_, minlength=k)
        weight = np.bincount(self.labels_, weights=w, minlength=k)
        sums = np.zeros((k, X.shape[1]))
        np.add.at(sums, self.labels_, X.astype(np.float64) * w[:, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / weight[:, None]
        profiles = pd.DataFrame(means, columns=names, index=pd.RangeIndex(k, name="segment"))
        profiles.insert(0, "share", weight / weight.sum())
        profiles.insert(0, "size", counts)
        return profiles

    def predict(self, X):
        """Segment of each customer in X (0 = the largest segment at fit time).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Customers, with the numeric features (columns) seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        """
        check_is_fitted(self)
        _reject_non_numeric(X, type(self).__name__)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES, order="C", accept_sparse=False)
        return self._relabel[self.kmeans_.predict(self._clustering_space(X))]

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return ``labels_``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Customers, one numeric feature per column (e.g. an :func:`rfm_table`).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Customer weights.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
            Segment of each customer (0 = the largest).
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
