"""Frozen encoders: fitted preprocessing held as plain arrays.

``load_model`` rebuilds LeadScorer and CustomerSegmenter with these instead of
scikit-learn's fitted ColumnTransformer / StandardScaler, whose fitted state could only
be restored by setting scikit-learn's private attributes. Each ``transform`` repeats the
arithmetic scikit-learn's transformer does (same operations in the same order, same
dtypes, same sparse structure), so a loaded model predicts exactly what the saved one
did.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.validation import FLOAT_DTYPES

__all__ = ["FrozenStandardScaler", "FrozenLeadEncoder"]


def _standardize(X, mean, scale):
    """``(X - mean) / scale`` in place, as StandardScaler.transform does it: two in-place
    steps with mean and scale first cast to X's dtype, so float32 input rounds the way
    scikit-learn's does."""
    X -= mean.astype(X.dtype, copy=False)
    X /= scale.astype(X.dtype, copy=False)
    return X


class FrozenStandardScaler:
    """The transform of a fitted ``StandardScaler(with_mean=True, with_std=True)``.

    Parameters
    ----------
    mean : ndarray of shape (n_features,)
        The fitted ``mean_``.
    scale : ndarray of shape (n_features,)
        The fitted ``scale_`` (> 0; constant features have scale 1).
    """

    def __init__(self, mean, scale):
        self.mean_ = np.asarray(mean)
        self.scale_ = np.asarray(scale)
        self.n_features_in_ = len(self.mean_)

    def transform(self, X):
        """Standardized copy of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            float32 for float32 input, else float64 (as StandardScaler).
        """
        X = check_array(X, dtype=FLOAT_DTYPES, copy=True, ensure_all_finite="allow-nan")
        return _standardize(X, self.mean_, self.scale_)


class FrozenLeadEncoder:
    """The transform of LeadScorer's fitted ColumnTransformer.

    Numeric columns: missing values replaced by the fitted median, then standardized.
    Categorical columns (already text, missing as NaN): missing values replaced by the
    fitted most frequent category, then one-hot encoded against the fitted categories; a
    category not among them encodes as all zeros (``handle_unknown="ignore"``). The
    numeric block comes first, then one block per categorical column, as in the
    ColumnTransformer.

    Parameters
    ----------
    numeric : list of str
        Numeric column names (of the frame passed to :meth:`transform`).
    fill, mean, scale : ndarray of shape (len(numeric),)
        Imputation value, mean and scale of each numeric column.
    categorical : list of str
        Categorical column names.
    categorical_fill : list of str
        Imputation value of each categorical column.
    categories : list of list of str
        Fitted categories of each categorical column, in one-hot column order.
    sparse_output : bool
        Whether the ColumnTransformer returned CSR (its ``sparse_output_``).
    """

    def __init__(
        self, numeric, fill, mean, scale, categorical, categorical_fill, categories, sparse_output
    ):
        self.numeric = list(numeric)
        self.fill = np.asarray(fill, dtype=np.float64)
        self.mean = np.asarray(mean)
        self.scale = np.asarray(scale)
        self.categorical = list(categorical)
        self.categorical_fill = list(categorical_fill)
        self.categories = [list(c) for c in categories]
        self.sparse_output = bool(sparse_output)
        self._index = [{value: k for k, value in enumerate(c)} for c in self.categories]

    def _numeric_block(self, frame):
        # The conversion SimpleImputer does (float32 stays float32, the rest float64).
        X = check_array(
            frame[self.numeric], dtype=FLOAT_DTYPES, copy=True, ensure_all_finite="allow-nan"
        )
        missing = np.isnan(X)
        if missing.any():
            rows, cols = np.nonzero(missing)
            X[rows, cols] = self.fill[cols]
        return _standardize(X, self.mean, self.scale)

    def _onehot_block(self, frame, j):
        name = self.categorical[j]
        index = self._index[j]
        values = frame[name].to_numpy(dtype=object)
        n = len(values)
        columns = np.full(n, -1, dtype=np.intp)
        for i, value in enumerate(values):
            if not isinstance(value, str):  # NaN: missing
                value = self.categorical_fill[j]
            columns[i] = index.get(value, -1)
        known = columns >= 0
        indptr = np.concatenate(([0], np.cumsum(known)))
        return sp.csr_matrix(
            (np.ones(int(known.sum())), columns[known], indptr),
            shape=(n, len(self.categories[j])),
        )

    def transform(self, frame):
        """The encoded matrix.

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns named as ``numeric`` and ``categorical``; categorical values as str
            or NaN (LeadScorer's ``_categorical_as_text``).

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_samples, n_encoded_features)
        """
        blocks = []
        if self.numeric:
            blocks.append(self._numeric_block(frame))
        blocks += [self._onehot_block(frame, j) for j in range(len(self.categorical))]
        # What ColumnTransformer._hstack does with the same blocks.
        if self.sparse_output:
            return sp.hstack(blocks).tocsr()
        return np.hstack([b.toarray() if sp.issparse(b) else b for b in blocks])
