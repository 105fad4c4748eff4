"""Input checks shared by marketlearn's estimators: one place, so every estimator
accepts and rejects the same things with the same messages.

The goal is to hand the compiled core arrays it can use as they are: float32 or
float64, C-contiguous, finite. A C-contiguous array of one of those dtypes passes
through without a copy; anything else is converted here, once.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "FLOAT_DTYPES",
    "validate_fit_data",
    "validate_partial_fit_data",
    "validate_predict_data",
    "encode_binary_target",
    "encode_class_target",
    "check_fit_sample_weight",
    "seed_from_random_state",
    "check_k_candidates",
    "numeric_column",
    "reject_text",
]

#: dtypes the compiled core has kernels for; the first one is the conversion target.
FLOAT_DTYPES = [np.float64, np.float32]


def _naming_the_input(input_name, estimator, call):
    """call(), with numpy's and scikit-learn's conversion errors saying which input and
    what to do: "could not convert string to float: 'Yes'" alone names neither."""
    try:
        return call()
    except ValueError as e:
        message = str(e)
        if message.startswith("could not convert"):
            raise ValueError(
                f"{input_name} must be numeric: {message}. Encode text columns first "
                "(e.g. with OneHotEncoder)."
            ) from e
        if message.startswith("Complex data not supported"):
            raise ValueError(
                f"Complex data not supported: {input_name} has complex values; "
                f"{type(estimator).__name__} needs real numbers."
            ) from None
        raise


def validate_fit_data(estimator, X, y, *, accept_sparse=False, ensure_all_finite=True):
    """Validate X and y for ``fit``; sets ``n_features_in_`` and ``feature_names_in_``.

    X comes back float32 or float64 (its own dtype if it is one of those) and
    C-contiguous, finite, 2-D, non-empty; it is the caller's buffer when no conversion
    was needed. ``accept_sparse="csr"``: scipy sparse X comes back as CSR (other formats
    are converted, never densified), its values float32/float64 and finite.
    ``ensure_all_finite=False`` leaves X's NaN / infinity check to a caller whose first
    pass over X detects them (y is always checked).
    """
    return _naming_the_input(
        "X",
        estimator,
        lambda: validate_data(
            estimator,
            X,
            y,
            dtype=FLOAT_DTYPES,
            order="C",
            accept_sparse=accept_sparse,
            ensure_all_finite=ensure_all_finite,
            y_numeric=False,
            multi_output=False,
        ),
    )


def validate_partial_fit_data(estimator, X, y, *, reset, accept_sparse=False):
    """validate_fit_data for a first ``partial_fit`` call (``reset=True``); later calls
    check X against what the first one saw (n_features, feature names)."""
    if reset:
        return validate_fit_data(estimator, X, y, accept_sparse=accept_sparse)
    return validate_data(
        estimator,
        X,
        y,
        reset=False,
        dtype=FLOAT_DTYPES,
        order="C",
        accept_sparse=accept_sparse,
        y_numeric=False,
        multi_output=False,
    )


def validate_predict_data(estimator, X, *, accept_sparse=False, ensure_all_finite=True):
    """Validate X for prediction against what ``fit`` saw (n_features, feature names).
    ``ensure_all_finite=False`` is for callers that detect NaN / infinity themselves."""
    return _naming_the_input(
        "X",
        estimator,
        lambda: validate_data(
            estimator,
            X,
            reset=False,
            dtype=FLOAT_DTYPES,
            order="C",
            accept_sparse=accept_sparse,
            ensure_all_finite=ensure_all_finite,
        ),
    )


def _show(label) -> str:
    """repr of a label as the user wrote it ('Yes', not np.str_('Yes'))."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def _sorted_labels(y):
    """np.unique(y) for a 1-d y. Integer and bool labels in a small range are counted
    (min, max, np.bincount: ~2 ms on a million labels) instead of hashed: numpy 2's
    np.unique of a million int64 or bool labels takes 16-17 ms, a tenth of an L-BFGS fit
    at 1M x 100."""
    if isinstance(y, np.ndarray) and y.dtype.kind in "biu" and y.size > 0:
        low, high = int(y.min()), int(y.max())
        intp = np.iinfo(np.intp)
        if intp.min <= low and high <= intp.max and high - low < 1 << 16:
            offsets = y.astype(np.intp, copy=False)
            counts = np.bincount(offsets - low if low != 0 else offsets)
            return (np.flatnonzero(counts) + low).astype(y.dtype, copy=False)
    return np.unique(y)


def _classes_and_type(y):
    """(sorted unique labels, scikit-learn's type_of_target) of a 1-d target, raising
    scikit-learn's error for targets that are not classes (continuous, multi-output...).

    The type is taken of the unique labels: for a 1-d y it depends only on them (their
    dtype, count, whether floats are whole, NaN), and type_of_target(y) would compute
    np.unique(y) again: 9-30 ms on a million labels, a tenth of a whole L-BFGS fit.
    """
    try:
        classes = _sorted_labels(y)
    except TypeError as e:  # labels that do not order, e.g. a mix of str and int
        raise ValueError(
            f"The class labels in y cannot be sorted ({e}); use labels of one type, "
            "e.g. all strings."
        ) from e
    y_type = type_of_target(classes, input_name="y")
    if y_type not in ("binary", "multiclass"):
        check_classification_targets(y)  # raises its own error, naming the type
    return classes, y_type


def encode_binary_target(y, dtype, *, estimator_name):
    """Check that y holds exactly two classes and encode it as 0/1.

    Labels may be any two values ``np.unique`` can order (strings, bools, integers,
    e.g. ``{-1, 1}``); the larger one is the positive class (encoded 1).

    Returns
    -------
    classes : ndarray of shape (2,)
    y01 : ndarray of shape (n_samples,) and the given float dtype
    """
    classes, y_type = _classes_and_type(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator_name} needs samples of 2 classes, but the data contains only one "
            f"class: {_show(classes[0])}."
        )
    if y_type != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {y_type}: "
            f"{classes.shape[0]} classes ({', '.join(_show(c) for c in classes)}); "
            f"{estimator_name} predicts one of two classes (e.g. churned or not)."
        )
    y01 = np.asarray(y == classes[1], dtype=dtype)
    return classes, y01


def encode_class_target(y, *, estimator_name):
    """Check classification targets (two or more classes) and encode them as indices.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Sorted unique labels.
    y_index : ndarray of shape (n_samples,) of intp
        ``classes[y_index] == y``.
    """
    y = np.ravel(y)
    classes, _ = _classes_and_type(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator_name} needs samples of at least 2 classes, but the data contains "
            f"only one class: {_show(classes[0])}."
        )
    # np.unique's inverse sorts the labels (19 ms on a million floats, 76 ms on int64);
    # the classes are sorted, so a label's index is a binary search, or for two classes
    # one comparison.
    if classes.shape[0] == 2:
        y_index = (y == classes[1]).astype(np.intp)
    else:
        y_index = np.searchsorted(classes, y).astype(np.intp, copy=False)
    return classes, y_index


def check_fit_sample_weight(sample_weight, X, y_index=None, classes=None):
    """Validate sample weights for ``fit``: None stays None (all ones, no array made).

    Weights become a C-contiguous array of X's dtype. Negative, non-finite or all-zero
    weights are rejected; for classifiers (``y_index`` and ``classes`` given, as from
    :func:`encode_class_target`; a 0/1 target for two classes works too) so are weights
    that leave a class with zero total weight (its model would see no example of it).
    """
    if sample_weight is None:
        return None
    # Negative weights are checked here, not through _check_sample_weight's keyword,
    # whose name changed across the scikit-learn versions we support.
    try:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    except ValueError as e:
        if str(e).startswith("could not convert"):
            raise ValueError(f"sample_weight must be numeric: {e}") from e
        raise
    if np.any(sample_weight < 0):
        raise ValueError("Negative values in data passed to sample_weight.")
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight must have at least one positive entry; all are zero.")
    if classes is not None:
        for k, label in enumerate(classes):
            if not np.any(sample_weight[y_index == k] > 0):
                raise ValueError(
                    f"sample_weight is zero for every sample of class {_show(label)}: "
                    "every class needs positive weight."
                )
    return np.ascontiguousarray(sample_weight)


def seed_from_random_state(random_state) -> int:
    """An integer seed for the C++ random engine, drawn from ``random_state``
    (None, an int or a ``np.random.RandomState``), as scikit-learn's SGD does."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_k_candidates(k_range) -> list:
    """Sorted distinct candidate numbers of clusters: each an integer >= 1 (a k above
    n_samples is the caller's to drop, as it depends on X)."""
    try:
        values = list(k_range)
    except TypeError:
        raise ValueError(f"k_range must be an iterable of integers; got {k_range!r}.") from None
    for k in values:
        if isinstance(k, bool) or not isinstance(k, (Integral, np.integer)):
            raise ValueError(f"k_range must hold integers; got k={k!r}.")
        if k < 1:
            raise ValueError(f"k_range holds k={int(k)}; every candidate must be >= 1.")
    return sorted({int(k) for k in values})


def reject_text(values, name):
    """ValueError if values (array-like) hold strings: numpy would turn '2.0' into 2.0,
    hiding a column read as text."""
    array = np.asarray(values)
    if array.dtype.kind in "USa":
        first = array.ravel()[0] if array.size else ""
        raise ValueError(f"{name} must be numeric; got text (e.g. {_show(first)}).")
    if array.dtype.kind == "O":
        for v in array.ravel():
            if isinstance(v, (str, bytes)):
                raise ValueError(f"{name} must be numeric; got text (e.g. {v!r}).")


def numeric_column(frame, column, *, table="transactions"):
    """frame[column] as float64, every value a finite number; errors name the column
    and the first bad row."""
    import pandas as pd

    try:
        values = pd.to_numeric(frame[column], errors="raise").astype(np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{table}[{column!r}] must be numeric: {e}") from None
    bad = ~np.isfinite(values.to_numpy())
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{table}[{column!r}] holds {int(bad.sum())} missing or non-finite value(s), the "
            f"first {float(values.iloc[i])!r} at index {values.index[i]!r}."
        )
    return values
