"""KMeans and MiniBatchKMeans: scikit-learn's k-means API on marketlearn's C++ core."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from . import _core
from ._validation import FLOAT_DTYPES, seed_from_random_state

__all__ = ["KMeans", "MiniBatchKMeans"]


def _as_n_jobs(n_jobs) -> int:
    """Threads: None and -1 mean all cores (resolved in C++); results are bitwise the
    same for any count, so the default uses the whole memory bandwidth."""
    return -1 if n_jobs is None else int(n_jobs)


def _check_weights(sample_weight, X):
    """None stays None (all ones, no array made); otherwise X's dtype, >= 0, not all 0."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    if np.any(sample_weight < 0):
        raise ValueError("Negative values in data passed to sample_weight.")
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight must have at least one positive entry; all are zero.")
    return np.ascontiguousarray(sample_weight)


class _BaseKMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """What KMeans and MiniBatchKMeans share: init handling, predict, transform, score."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), callable, "array-like"],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def _check_n_samples(self, X):
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")

    def _resolve_n_init(self, default_for_random):
        """scikit-learn's n_init='auto': one run from k-means++ or given centres, more from
        random rows or a callable. Explicit centres always mean one run."""
        init_is_array = not isinstance(self.init, str) and not callable(self.init)
        if self.n_init == "auto":
            n_init = 1 if (init_is_array or self.init == "k-means++") else default_for_random
        else:
            n_init = int(self.n_init)
        if init_is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init

    def _init_array(self, X):
        """The user's initial centres as an (n_clusters, n_features) C array of X's dtype."""
        centres = check_array(self.init, dtype=X.dtype, copy=True, order="C")
        self._check_centre_shape(X, centres)
        return centres

    def _check_centre_shape(self, X, centres):
        if centres.shape[0] != self.n_clusters:
            raise ValueError(
                f"The shape of the initial centers {centres.shape} does not match the number "
                f"of clusters {self.n_clusters}."
            )
        if centres.shape[1] != X.shape[1]:
            raise ValueError(
                f"The shape of the initial centers {centres.shape} does not match the number "
                f"of features of the data {X.shape[1]}."
            )

    def _callable_init(self, X, random_state):
        centres = self.init(X, self.n_clusters, random_state=random_state)
        centres = check_array(centres, dtype=X.dtype, copy=True, order="C")
        self._check_centre_shape(X, centres)
        return centres

    def _warn_if_fewer_clusters(self):
        # bincount, not np.unique: a sort of every label cost ~5 % of a 100k-row k = 8 fit
        distinct = int(np.count_nonzero(np.bincount(self.labels_, minlength=self.n_clusters)))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than n_clusters "
                f"({self.n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _check_test_data(self, X):
        return validate_data(
            self, X, reset=False, dtype=FLOAT_DTYPES, order="C", accept_sparse=False
        )

    def _centres_like(self, X):
        return np.ascontiguousarray(self.cluster_centers_, dtype=X.dtype)

    def predict(self, X):
        """Index of the nearest centre (the segment) of each sample.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        """
        check_is_fitted(self)
        X = self._check_test_data(X)
        labels, _ = _core.kmeans_assign(X, self._centres_like(X), None, _as_n_jobs(self.n_jobs))
        return labels

    def transform(self, X):
        """Euclidean distance of each sample to each centre.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters), in X's dtype (float32 or
            float64).
        """
        check_is_fitted(self)
        X = self._check_test_data(X)
        return _core.kmeans_transform(X, self._centres_like(X), _as_n_jobs(self.n_jobs))

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return the distances of X to the centres."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the (weighted) inertia of X against the fitted centres: higher is
        better, as scikit-learn's ``KMeans.score``."""
        check_is_fitted(self)
        X = self._check_test_data(X)
        sample_weight = _check_weights(sample_weight, X)
        _, inertia = _core.kmeans_assign(
            X, self._centres_like(X), sample_weight, _as_n_jobs(self.n_jobs)
        )
        return -inertia

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class KMeans(_BaseKMeans):
    """K-means clustering (customer segmentation) on marketlearn's SIMD C++ core.

    Minimizes the inertia ``sum_i w_i ||x_i - c_{label_i}||^2`` with scikit-learn's
    parameters, defaults and semantics: greedy k-means++ seeding (``2 + floor(ln k)``
    candidates per centre), Lloyd iterations that relocate empty clusters to the points
    farthest from their centres, and the stopping rule "no label changed" or
    "sum of squared centre shifts <= tol * mean feature variance". From the same initial
    centres it reaches the same fixed point as ``sklearn.cluster.KMeans``.

    The distance kernel sums squared differences (vectorized across centres), so float32
    data is clustered in float32 without the cancellation of the ``||x||^2 - 2 x.c``
    expansion; sums of coordinates and the inertia are accumulated in float64. Results are
    bitwise the same for any ``n_jobs``. C-contiguous float32/float64 input is not copied.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters (segments).
    init : {"k-means++", "random"}, callable or array-like of shape \
            (n_clusters, n_features), default="k-means++"
        "k-means++": greedy k-means++ on the (weighted) data. "random": ``n_clusters``
        distinct rows drawn with probability proportional to their weight. An array: the
        initial centres (one run). A callable ``init(X, n_clusters, random_state)``
        returning centres.
    n_init : "auto" or int, default="auto"
        Runs from different seeds; the run of lowest inertia is kept. "auto": 1 for
        "k-means++" or an array, 10 for "random" or a callable.
    max_iter : int, default=300
        Maximum iterations per run.
    tol : float, default=1e-4
        Convergence when the sum of squared centre shifts of an iteration is at most
        ``tol`` times the mean over features of the variance of X (weighted by
        ``sample_weight``; scikit-learn uses unweighted variances, which differ only with
        weights). A run also stops when no label changes.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization. An int gives the same model for any ``n_jobs``.
    algorithm : {"lloyd", "elkan", "hamerly"}, default="lloyd"
        "lloyd": all distances every iteration. "hamerly": Hamerly's (2010) bounds skip the
        distance computations that cannot change a label; same result, usually faster for
        many clusters. "elkan" is accepted for scikit-learn compatibility and runs
        Hamerly's algorithm (one lower bound per sample instead of Elkan's one per
        sample and centre: less memory, and faster in the tens of dimensions customer
        data has).
    n_jobs : int or None, default=None
        Threads for the passes over X: None and -1 mean all cores. Results are bitwise
        the same for any value.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centres, in the dtype of the training data.
    labels_ : ndarray of shape (n_samples,), int32
        Index of the nearest centre of each training sample.
    inertia_ : float
        Weighted sum of squared distances of the samples to their centre.
    n_iter_ : int
        Iterations of the kept run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    MiniBatchKMeans : faster, approximate, for large customer bases and streams.
    CustomerSegmenter : scaling, choice of k and readable segment profiles.

    Examples
    --------
    >>> import numpy as np
    >>> from marketlearn import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "algorithm": [StrOptions({"lloyd", "elkan", "hamerly"})],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        algorithm="lloyd",
        n_jobs=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the k-means clustering.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Numeric features. float32 stays float32; a C-contiguous float32/float64 array
            is used in place.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights (e.g. customers represented by a row). Used by the
            k-means++ and "random" seeding too, so integer weights equal repeated rows.

        Returns
        -------
        self : KMeans
        """
        X = validate_data(self, X, dtype=FLOAT_DTYPES, order="C", accept_sparse=False)
        self._check_n_samples(X)
        sample_weight = _check_weights(sample_weight, X)
        n_init = self._resolve_n_init(default_for_random=10)
        common = dict(
            n_clusters=int(self.n_clusters),
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            algorithm=self.algorithm,
            n_jobs=_as_n_jobs(self.n_jobs),
            check_input=False,  # validate_data checked X; _check_weights the weights
        )
        if callable(self.init):
            random_state = check_random_state(self.random_state)
            best = None
            for _ in range(n_init):
                centres = self._callable_init(X, random_state)
                result = _core.fit_kmeans(X, sample_weight, init_centres=centres, **common)
                if best is None or result["inertia"] < best["inertia"]:
                    best = result
            result = best
        elif isinstance(self.init, str):
            result = _core.fit_kmeans(
                X,
                sample_weight,
                init=self.init,
                n_init=n_init,
                random_state=seed_from_random_state(self.random_state),
                **common,
            )
        else:
            result = _core.fit_kmeans(X, sample_weight, init_centres=self._init_array(X), **common)

        self.cluster_centers_ = result["centres"]
        self.labels_ = result["labels"]
        self.inertia_ = float(result["inertia"])
        self.n_iter_ = int(result["n_iter"])
        self._n_features_out = self.cluster_centers_.shape[0]
        self._warn_if_fewer_clusters()
        return self


class MiniBatchKMeans(_BaseKMeans):
    """Mini-batch k-means (Sculley 2010) for large customer bases and streams.

    Each step draws ``batch_size`` rows (with replacement, with probability proportional
    to ``sample_weight``), assigns them to the nearest centre and moves each centre to the
    running mean of all rows it has received: a per-centre learning rate ``1 / count``.
    Centres that starve (count below ``reassignment_ratio`` times the largest) are moved to
    random rows. Early stopping follows scikit-learn (``tol`` on the centre shift,
    ``max_no_improvement`` on the smoothed batch inertia). ``partial_fit`` runs one step
    on the rows it is given, for data that arrives in chunks.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"}, callable or array-like, default="k-means++"
        As :class:`KMeans`, computed on ``init_size`` random rows.
    max_iter : int, default=100
        Maximum passes over the data (epochs): at most ``max_iter * n_samples /
        batch_size`` steps.
    batch_size : int, default=1024
        Rows per step.
    compute_labels : bool, default=True
        After fitting, assign every row (``labels_``) and compute the exact ``inertia_``.
    random_state : int, RandomState instance or None, default=None
    tol : float, default=0.0
        Stop when a step moves the centres by a total squared shift <= ``tol`` times the
        mean (weighted) feature variance; 0 disables.
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch inertia;
        None disables.
    init_size : int or None, default=None
        Rows the initialization sees: None means ``3 * batch_size`` (at least
        ``3 * n_clusters``).
    n_init : "auto" or int, default="auto"
        Initializations tried, each on its own random rows, judged on a common random
        validation subset. "auto": 1 for "k-means++", 3 for "random".
    reassignment_ratio : float, default=0.01
        Fraction of the largest centre count below which a centre is reassigned.
    final_lloyd_steps : int, default=1
        With ``compute_labels``, full-data Lloyd iterations after the mini-batch steps
        (one pass over X each, on top of the labelling pass): each centre becomes the
        (weighted) mean of the customers labelled with it, which is what a segment
        profile reports, and the inertia can only decrease. 0 reproduces scikit-learn's
        algorithm exactly (its centres are running means of the batches seen).
    n_jobs : int or None, default=None
        Threads for large batches and the final labelling pass (None and -1: all cores).

    Attributes
    ----------
    cluster_centers_, labels_, inertia_, n_iter_, n_features_in_, feature_names_in_
        As :class:`KMeans`. Without ``compute_labels``, ``inertia_`` is the smoothed batch
        inertia scaled to the total weight and ``labels_`` is not set.
    n_steps_ : int
        Mini-batch steps run (for ``partial_fit``: the number of calls).
    """

    _parameter_constraints: dict = {
        **_BaseKMeans._parameter_constraints,
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "compute_labels": ["boolean"],
        "max_no_improvement": [Interval(Integral, 0, None, closed="left"), None],
        "init_size": [Interval(Integral, 1, None, closed="left"), None],
        "reassignment_ratio": [Interval(Real, 0, None, closed="left")],
        "final_lloyd_steps": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        max_iter=100,
        batch_size=1024,
        compute_labels=True,
        random_state=None,
        tol=0.0,
        max_no_improvement=10,
        init_size=None,
        n_init="auto",
        reassignment_ratio=0.01,
        final_lloyd_steps=1,
        n_jobs=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.final_lloyd_steps = final_lloyd_steps
        self.n_jobs = n_jobs

    def _options(self):
        return dict(
            n_clusters=int(self.n_clusters),
            batch_size=int(self.batch_size),
            init_size=0 if self.init_size is None else int(self.init_size),
            reassignment_ratio=float(self.reassignment_ratio),
            n_jobs=_as_n_jobs(self.n_jobs),
            check_input=False,
        )

    def _initial_centres(self, X, random_state):
        """Centres for an array or callable init (None: the C++ side seeds)."""
        if isinstance(self.init, str):
            return None
        if callable(self.init):
            return self._callable_init(X, random_state)
        return self._init_array(X)

    def _store_state(self, result):
        self.cluster_centers_ = result["centres"]
        self._counts = result["counts"]
        self._n_since_last_reassign = int(result["n_since_last_reassign"])
        self.n_steps_ = int(result["n_steps"])
        self._n_features_out = self.cluster_centers_.shape[0]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the centres from mini-batches of X.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: rows are drawn into batches with probability
            proportional to them.

        Returns
        -------
        self : MiniBatchKMeans
        """
        X = validate_data(self, X, dtype=FLOAT_DTYPES, order="C", accept_sparse=False)
        self._check_n_samples(X)
        sample_weight = _check_weights(sample_weight, X)
        n_init = self._resolve_n_init(default_for_random=3)
        random_state = check_random_state(self.random_state)
        common = dict(
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            max_no_improvement=0
            if self.max_no_improvement is None
            else int(self.max_no_improvement),
            compute_labels=bool(self.compute_labels),
            final_lloyd_steps=int(self.final_lloyd_steps),
            **self._options(),
        )
        centres = self._initial_centres(X, random_state)
        if centres is None:
            result = _core.fit_minibatch_kmeans(
                X,
                sample_weight,
                init=self.init,
                n_init=n_init,
                random_state=seed_from_random_state(random_state),
                **common,
            )
        else:
            result = _core.fit_minibatch_kmeans(
                X,
                sample_weight,
                init_centres=centres,
                random_state=seed_from_random_state(random_state),
                **common,
            )
        self._store_state(result)
        self.n_iter_ = int(result["n_iter"])
        self.inertia_ = float(result["inertia"])
        if self.compute_labels:
            self.labels_ = result["labels"]
            self._warn_if_fewer_clusters()
        elif hasattr(self, "labels_"):
            del self.labels_
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """One mini-batch step on all rows of X (initializing the model on the first call).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of customers; the first chunk needs at least ``n_clusters`` rows.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : MiniBatchKMeans
        """
        fitted = hasattr(self, "cluster_centers_")
        X = validate_data(
            self, X, dtype=FLOAT_DTYPES, order="C", accept_sparse=False, reset=not fitted
        )
        sample_weight = _check_weights(sample_weight, X)
        if not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        seed = seed_from_random_state(self._random_state)
        if fitted:
            result = _core.partial_fit_minibatch_kmeans(
                X,
                sample_weight,
                random_state=seed,
                centres=np.ascontiguousarray(self.cluster_centers_, dtype=X.dtype),
                counts=np.asarray(self._counts, dtype=np.float64),
                n_since_last_reassign=self._n_since_last_reassign,
                n_steps=self.n_steps_,
                **self._options(),
            )
        else:
            self._check_n_samples(X)
            centres = self._initial_centres(X, self._random_state)
            extra = {} if centres is None else {"init_centres": centres}
            init = self.init if isinstance(self.init, str) else "k-means++"
            result = _core.partial_fit_minibatch_kmeans(
                X, sample_weight, init=init, random_state=seed, **extra, **self._options()
            )
        self._store_state(result)
        if self.compute_labels:
            self.labels_, self.inertia_ = _core.kmeans_assign(
                X, self.cluster_centers_, sample_weight, _as_n_jobs(self.n_jobs)
            )
        return self
