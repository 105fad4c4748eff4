"""Input checks shared by marketlearn's estimators: one place, so every estimator
accepts and rejects the same things with the same messages.

The goal is to hand the compiled core arrays it can use as they are: float32 or
float64, C-contiguous, finite. A C-contiguous array of one of those dtypes passes
through without a copy; anything else is converted here, once.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "FLOAT_DTYPES",
    "validate_fit_data",
    "validate_predict_data",
    "encode_binary_target",
    "check_fit_sample_weight",
    "seed_from_random_state",
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


def validate_fit_data(estimator, X, y):
    """Validate X and y for ``fit``; sets ``n_features_in_`` and ``feature_names_in_``.

    X comes back float32 or float64 (its own dtype if it is one of those) and
    C-contiguous, finite, 2-D, non-empty; it is the caller's buffer when no conversion
    was needed.
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
            accept_sparse=False,
            y_numeric=False,
            multi_output=False,
        ),
    )


def validate_predict_data(estimator, X):
    """Validate X for prediction against what ``fit`` saw (n_features, feature names)."""
    return _naming_the_input(
        "X",
        estimator,
        lambda: validate_data(
            estimator, X, reset=False, dtype=FLOAT_DTYPES, order="C", accept_sparse=False
        ),
    )


def _show(label) -> str:
    """repr of a label as the user wrote it ('Yes', not np.str_('Yes'))."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def encode_binary_target(y, dtype, *, estimator_name):
    """Check that y holds exactly two classes and encode it as 0/1.

    Labels may be any two values ``np.unique`` can order (strings, bools, integers,
    e.g. ``{-1, 1}``); the larger one is the positive class (encoded 1).

    Returns
    -------
    classes : ndarray of shape (2,)
    y01 : ndarray of shape (n_samples,) and the given float dtype
    """
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator_name} needs samples of 2 classes, but the data contains only one "
            f"class: {_show(classes[0])}."
        )
    y_type = type_of_target(y, input_name="y")
    if y_type != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {y_type}: "
            f"{classes.shape[0]} classes ({', '.join(_show(c) for c in classes)}); "
            f"{estimator_name} predicts one of two classes (e.g. churned or not)."
        )
    y01 = np.asarray(y == classes[1], dtype=dtype)
    return classes, y01


def check_fit_sample_weight(sample_weight, X, y01, classes):
    """Validate sample weights for ``fit``: None stays None (all ones, no array made).

    Weights become a C-contiguous array of X's dtype. Negative, non-finite or all-zero
    weights are rejected, as are weights that leave one class with zero total weight
    (the problem would have a single class).
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
    for label, mask in ((classes[0], y01 == 0), (classes[1], y01 == 1)):
        if not np.any(sample_weight[mask] > 0):
            raise ValueError(
                f"sample_weight is zero for every sample of class {_show(label)}: at least 2 "
                "classes need positive weight."
            )
    return sample_weight


def seed_from_random_state(random_state) -> int:
    """An integer seed for the C++ random engine, drawn from ``random_state``
    (None, an int or a ``np.random.RandomState``), as scikit-learn's SGD does."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
