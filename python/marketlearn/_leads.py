"""LeadScorer: lead scoring on raw tables (numeric and categorical columns), with the
outputs a sales team acts on: 0-100 scores, a ranked call list and reason codes."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._gd import OPTIMIZERS, SCHEDULES, GDClassifier
from ._validation import encode_binary_target

__all__ = ["LeadScorer"]


class LeadScorer(ClassifierMixin, BaseEstimator):
    """Lead conversion model: L2 logistic regression on one-hot / standardized features.

    Takes a raw pandas DataFrame — numeric columns and categorical ones (object,
    ``category``, ``bool`` or string dtype), missing values allowed — or a numeric array,
    and encodes it with scikit-learn's own transformers:

    - numeric columns: ``SimpleImputer(strategy="median")`` then ``StandardScaler``
      (fitted with ``sample_weight`` when given);
    - categorical columns: ``SimpleImputer(strategy="most_frequent")`` then
      ``OneHotEncoder(handle_unknown="ignore")`` (sparse output). Categories are compared
      as text (``True`` and ``"True"`` are one category); categories not seen in ``fit``
      encode as all zeros.

    The encoded matrix (scipy CSR when there are categorical columns) goes to a
    :class:`GDClassifier` with ``loss="log_loss"`` on the sparse kernels, never densified.
    Minimizes ``(1 / sum s) sum_i s_i log(1 + exp(-y_i z_i)) + alpha / 2 ||w||^2``, so
    ``LogisticRegression(C=1 / (alpha * sum(s)))`` on the same encoding has the same
    optimum.

    Parameters
    ----------
    alpha : float, default=1e-4
        L2 penalty strength (``penalty="l2"``); >= 0.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
    l1_ratio : float, default=0.15
    optimizer : str, default="lbfgs"
        Any optimizer of :class:`GDClassifier` ("lbfgs": exact, full batch; "adam" or
        "sgd" for very large data).
    batch_size, learning_rate, eta0, max_iter, tol, early_stopping, random_state, n_jobs,
    verbose, callback
        Passed to :class:`GDClassifier` (``tol`` defaults to 1e-4 here).
    class_weight : dict, "balanced" or None, default=None
        Weights per class, e.g. "balanced" when conversions are rare.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        ``classes_[1]`` is the converted (positive) class.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Input column names (DataFrames with string column names).
    preprocessor_ : ColumnTransformer or FrozenLeadEncoder
        The fitted encoding (a FrozenLeadEncoder, the same transform held as plain
        arrays, in a model read by :func:`load_model`).
    model_ : GDClassifier
        The fitted model on the encoded features.
    coef_ : ndarray of shape (n_encoded_features,)
        Coefficients on the encoded scale (one per name of :meth:`get_feature_names_out`).
    intercept_ : float
    n_iter_ : int
        Iterations (epochs) the optimizer ran.

    Examples
    --------
    >>> import pandas as pd
    >>> from marketlearn import LeadScorer
    >>> X = pd.DataFrame({"visits": [1, 8, 2, 9, 3, 7], "source": list("aabbab")})
    >>> scorer = LeadScorer().fit(X, [0, 1, 0, 1, 0, 1])
    >>> scorer.score_leads(X).tolist()
    [0, 100, 0, 100, 0, 100]
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [StrOptions({"auto", *SCHEDULES})],
        "eta0": [Interval(Real, 0, None, closed="neither"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "callback": [callable, None],
    }

    def __init__(
        self,
        *,
        alpha=1e-4,
        penalty="l2",
        l1_ratio=0.15,
        optimizer="lbfgs",
        batch_size="auto",
        learning_rate="auto",
        eta0=None,
        max_iter=1000,
        tol=1e-4,
        early_stopping=False,
        class_weight=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
        callback=None,
    ):
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.callback = callback

    # ---- input -------------------------------------------------------------------------

    def _frame(self, X, y=None, *, reset):
        """X as a DataFrame with the fit-time column labels (and y, checked, if given).

        DataFrames keep their dtypes (validate_data only checks names / n_features);
        arrays go through check_array (2-D, non-empty; NaN allowed, it is imputed).
        """
        if isinstance(X, pd.DataFrame):
            if y is None:
                validate_data(self, X, reset=reset, skip_check_array=True)
            else:
                X, y = validate_data(self, X, y, reset=reset, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while a "
                    "minimum of 1 is required."
                )
            if X.shape[1] == 0:
                raise ValueError(
                    f"Found array with 0 feature(s) (shape={X.shape}) while a "
                    "minimum of 1 is required."
                )
            frame = X
        else:
            kwargs = dict(
                reset=reset, dtype=None, ensure_all_finite="allow-nan", accept_sparse=False
            )
            if y is None:
                X = validate_data(self, X, **kwargs)
            else:
                X, y = validate_data(self, X, y, **kwargs)
            frame = pd.DataFrame(X)
            if X.dtype == object:
                frame = frame.infer_objects()
        if reset:
            self._columns = [f"x{j}" for j in range(frame.shape[1])]
            self._labels = [str(c) for c in frame.columns]
        frame = frame.set_axis(self._columns, axis=1)
        if y is not None:
            y = column_or_1d(y, warn=True)
            check_consistent_length(frame, y)
        return frame, y

    def _split_columns(self, frame):
        """(numeric, categorical) column positions, from the fit-time dtypes."""
        numeric, categorical = [], []
        for j, (name, dtype) in enumerate(frame.dtypes.items()):
            if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
                if pd.api.types.is_datetime64_any_dtype(dtype):
                    raise TypeError(
                        f"column {self._labels[j]!r} has dtype {dtype}; LeadScorer takes "
                        "numeric and categorical columns (derive e.g. days since a date first)"
                    )
                categorical.append(name)
            else:
                numeric.append(name)
        return numeric, categorical

    def _categorical_as_text(self, frame):
        """Categorical columns as object columns of str, missing as NaN (for the imputer):
        mixed Python types (bool, int, str) then sort and encode consistently."""
        if not self._categorical:
            return frame
        frame = frame.copy()
        for name in self._categorical:
            col = frame[name]
            missing = col.isna().to_numpy()
            text = col.astype(object).map(str).to_numpy(dtype=object)
            text[missing] = np.nan
            frame[name] = text
        return frame

    def _make_preprocessor(self):
        parts = []
        if self._numeric:
            parts.append((
                "numeric",
                Pipeline([
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("scale", StandardScaler().set_fit_request(sample_weight=True)),
                ]),
                self._numeric,
            ))  # fmt: skip
        if self._categorical:
            parts.append((
                "categorical",
                Pipeline([
                    ("impute", SimpleImputer(strategy="most_frequent",
                                             keep_empty_features=True)),
                    ("onehot", OneHotEncoder(handle_unknown="ignore")),
                ]),
                self._categorical,
            ))  # fmt: skip
        # sparse_threshold=1: CSR whenever a one-hot block is present.
        return ColumnTransformer(parts, sparse_threshold=1.0)

    def _encode(self, X):
        check_is_fitted(self)
        frame, _ = self._frame(X, reset=False)
        return self.preprocessor_.transform(self._categorical_as_text(frame)), frame

    def encode(self, X):
        """The encoded features the model sees.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_leads, n_encoded_features)
            CSR when there are categorical columns (else dense), columns named by
            :meth:`get_feature_names_out`.
        """
        return self._encode(X)[0]

    # ---- fitting -----------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the encoding and the model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_features)
            Raw features: numeric and categorical columns, NaN allowed.
        y : array-like of shape (n_leads,)
            Two classes (converted or not); the larger label is the positive class.
        sample_weight : array-like of shape (n_leads,), default=None

        Returns
        -------
        self : object
        """
        frame, y = self._frame(X, y, reset=True)
        encode_binary_target(y, np.float64, estimator_name=type(self).__name__)
        self._numeric, self._categorical = self._split_columns(frame)
        frame = self._categorical_as_text(frame)
        with config_context(enable_metadata_routing=True):
            preprocessor = self._make_preprocessor()
            if sample_weight is None:
                Z = preprocessor.fit_transform(frame)
            else:
                sample_weight = np.asarray(sample_weight, dtype=np.float64)
                Z = preprocessor.fit_transform(frame, sample_weight=sample_weight)
        self.preprocessor_ = preprocessor
        self.model_ = GDClassifier(
            loss="log_loss",
            penalty=self.penalty,
            alpha=self.alpha,
            l1_ratio=self.l1_ratio,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            eta0=self.eta0,
            max_iter=self.max_iter,
            tol=self.tol,
            early_stopping=self.early_stopping,
            class_weight=self.class_weight,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            callback=self.callback,
        )
        # The verbose progress bar names the estimator the user called, not the inner one.
        self.model_._progress_label = type(self).__name__
        self.model_.fit(Z, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.coef_ = self.model_.coef_.ravel()
        self.intercept_ = float(self.model_.intercept_[0])
        self.n_iter_ = self.model_.n_iter_
        self._feature_names, self._feature_sources = self._readable_names()
        return self

    def _readable_names(self):
        """Encoded feature names a salesperson reads ("job=retired", "age") and the input
        column position each comes from, in the order of the encoded columns."""
        numeric, categories = [], []
        for kind, transformer, columns in self.preprocessor_.transformers_:
            if kind == "numeric":
                numeric = list(columns)
            elif kind == "categorical":
                encoder = transformer.named_steps["onehot"]
                categories = list(zip(columns, encoder.categories_))
        return self._names_of(numeric, categories)

    def _names_of(self, numeric, categories):
        """_readable_names from plain data: numeric column names, then (categorical column
        name, its categories) pairs (load_model rebuilds the names with this)."""
        names, sources = [], []
        position = {name: j for j, name in enumerate(self._columns)}
        for c in numeric:
            names.append(self._labels[position[c]])
            sources.append(position[c])
        for c, values in categories:
            for value in values:
                names.append(f"{self._labels[position[c]]}={value}")
                sources.append(position[c])
        return np.asarray(names, dtype=object), np.asarray(sources, dtype=np.intp)

    def get_feature_names_out(self, input_features=None):
        """Readable names of the encoded features, one per entry of ``coef_``.

        Parameters
        ----------
        input_features : None
            Unused; present for scikit-learn compatibility (the names come from ``fit``).

        Returns
        -------
        ndarray of str of shape (n_encoded_features,)
            ``"column=category"`` for one-hot columns, the column name for numeric ones.
        """
        check_is_fitted(self)
        return self._feature_names.copy()

    # ---- prediction --------------------------------------------------------------------

    def decision_function(self, X):
        """Log-odds of conversion, ``Z @ coef_ + intercept_`` on the encoded features.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        ndarray of shape (n_leads,)
        """
        Z, _ = self._encode(X)
        return self.model_.decision_function(Z)

    def predict_proba(self, X):
        """Probabilities of ``classes_[0]`` and ``classes_[1]`` (converted).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        ndarray of shape (n_leads, 2)
        """
        Z, _ = self._encode(X)
        return self.model_.predict_proba(Z)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, finite even where a probability underflows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        ndarray of shape (n_leads, 2)
        """
        Z, _ = self._encode(X)
        return self.model_.predict_log_proba(Z)

    def predict(self, X):
        """``classes_[1]`` where the conversion probability exceeds 0.5.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        ndarray of shape (n_leads,)
            Labels from ``classes_``.
        """
        Z, _ = self._encode(X)
        return self.model_.predict(Z)

    # ---- what a sales team reads -------------------------------------------------------

    def score_leads(self, X):
        """Integer lead scores 0-100: ``floor(100 p + 0.5)`` (round half up) of the
        conversion probability ``p``.

        Rounding is monotone, so a higher probability never gets a lower score; leads
        whose probabilities differ by less than 0.01 may share a score (rank_leads orders
        those by probability, then by input position).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit`` (text and numbers).

        Returns
        -------
        ndarray of shape (n_leads,) of int64
        """
        p = self.predict_proba(X)[:, 1].astype(np.float64)
        return np.floor(100.0 * p + 0.5).astype(np.int64)

    def rank_leads(self, X, top=None):
        """The call list: leads sorted best first.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Leads with the raw columns seen in ``fit``.
        top : int, default=None
            Return only the first ``top`` leads.

        Returns
        -------
        pandas.DataFrame
            Indexed like X (0..n-1 for arrays), columns ``score`` (0-100),
            ``probability`` and ``rank`` (1 = call first). Ties in probability keep the
            input order, so the ranking is reproducible.
        """
        p = self.predict_proba(X)[:, 1].astype(np.float64)
        score = np.floor(100.0 * p + 0.5).astype(np.int64)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(p))
        order = np.lexsort((np.arange(len(p)), -p))
        if top is not None:
            if not isinstance(top, (Integral, np.integer)) or top < 1:
                raise ValueError(f"top={top!r} must be a positive integer or None")
            order = order[:top]
        return pd.DataFrame(
            {"score": score[order], "probability": p[order], "rank": np.arange(1, len(order) + 1)},
            index=index[order],
        )

    def explain(self, X, top_n=3):
        """Reason codes: per lead, the encoded features that move its score most.

        The contribution of encoded feature j to lead i is ``coef_[j] * z_ij`` on the
        encoded scale: for a numeric column, its effect relative to an average lead
        (standardized value 0); for a category, its effect relative to a lead without it.
        For every lead, ``intercept_`` plus all its contributions is its decision
        function (log-odds).

        Parameters
        ----------
        X : DataFrame or array-like
        top_n : int or None, default=3
            Reasons per lead, largest ``|contribution|`` first; None: all non-zero ones.

        Returns
        -------
        DataFrame with columns ``lead`` (X's index label), ``rank`` (1..top_n),
        ``feature`` ("job=retired", "age"), ``value`` (the lead's raw value of that
        column), ``contribution`` (log-odds) and ``direction`` ("up" or "down").
        """
        if top_n is not None and (not isinstance(top_n, (Integral, np.integer)) or top_n < 1):
            raise ValueError(f"top_n={top_n!r} must be a positive integer or None")
        Z, frame = self._encode(X)
        contrib = sp.csr_array(Z).multiply(self.coef_.reshape(1, -1)).tocsr()
        contrib.eliminate_zeros()
        n = contrib.shape[0]
        rows, cols, values, ranks = [], [], [], []
        for i in range(n):
            start, end = contrib.indptr[i], contrib.indptr[i + 1]
            c, v = contrib.indices[start:end], contrib.data[start:end]
            order = np.lexsort((c, -np.abs(v)))  # ties: encoded column order
            if top_n is not None:
                order = order[:top_n]
            rows.append(np.full(len(order), i))
            cols.append(c[order])
            values.append(v[order])
            ranks.append(np.arange(1, len(order) + 1))
        rows = np.concatenate(rows) if rows else np.empty(0, np.intp)
        cols = np.concatenate(cols) if cols else np.empty(0, np.intp)
        values = np.concatenate(values).astype(np.float64) if values else np.empty(0)
        ranks = np.concatenate(ranks) if ranks else np.empty(0, np.intp)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(n)
        raw = X if isinstance(X, pd.DataFrame) else frame
        sources = self._feature_sources[cols]
        raw_values = [raw.iat[r, s] for r, s in zip(rows, sources)]
        return pd.DataFrame(
            {
                "lead": index[rows],
                "rank": ranks,
                "feature": self._feature_names[cols],
                "value": pd.Series(raw_values, dtype=object),
                "contribution": values,
                "direction": np.where(values > 0, "up", "down"),
            }
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = False
        return tags
