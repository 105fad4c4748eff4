"""Input conversion and result shaping shared by the CLV models.

Python only converts (to float64, C-contiguous, 1-D) and reshapes; the compiled core
checks the values (recency <= T, whole frequencies, ...) and names the offending row
in its ValueError.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from .._validation import reject_text

__all__ = [
    "as_vector",
    "broadcast_vectors",
    "shape_result",
    "check_fit",
    "store_fit",
    "set_parameter_state",
    "summary_frame",
]


def as_vector(values, name) -> np.ndarray:
    """A float64 C-contiguous 1-D array (no copy when it already is one)."""
    if isinstance(values, (pd.DataFrame,)):
        raise ValueError(f"{name} must be 1-dimensional (a column); got a DataFrame.")
    reject_text(values, name)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional; got shape {array.shape}.")
    return np.ascontiguousarray(array)


def broadcast_vectors(named: dict):
    """Broadcast scalars and arrays to one length; returns (arrays, shape, index).

    ``index`` is the index of the first pandas Series among the inputs (for results that
    keep the customers' ids), or None. ``shape`` is () when every input is a scalar.
    """
    index = None
    arrays = []
    for name, values in named.items():
        if index is None and isinstance(values, pd.Series):
            index = values.index
        try:
            arrays.append(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be numeric: {error}") from None
    for name, array in zip(named, arrays):
        if array.ndim > 1:
            raise ValueError(f"{name} must be a scalar or 1-dimensional; got shape {array.shape}.")
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{n}: {a.shape}" for n, a in zip(named, arrays))
        raise ValueError(f"the inputs have different lengths ({shapes}).") from None
    shape = broadcast[0].shape
    vectors = [np.ascontiguousarray(a.reshape(-1)) for a in broadcast]
    if index is not None and len(index) != (shape[0] if shape else 1):
        index = None
    return vectors, shape, index


def shape_result(values: np.ndarray, shape, index, name=None):
    """float for scalar inputs, a Series on the customers' index, else an ndarray."""
    if shape == ():
        return float(values[0])
    if index is not None:
        return pd.Series(values, index=index, name=name)
    return values.reshape(shape)


def check_fit(estimator_name, result, param_names, stacklevel=3):
    """Warn when a fit did not converge or its parameters are not identified."""
    if not result["converged"] and result["gradient_max"] > 1e-4:
        warnings.warn(
            f"{estimator_name} did not converge ({result['stop_message']}; largest gradient "
            f"entry {result['gradient_max']:.2g} after {result['n_iter']} iterations). "
            "Increase max_iter, or add a small penalizer_coef.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    covariance = np.asarray(result["covariance"])
    values = np.asarray(result["params"], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(covariance))
    params = ", ".join(f"{n}={v:.3g}" for n, v in zip(param_names, values))
    if result["max_abs_log_param"] > 20:  # e^20: 5e8 times the data's own scale
        detail = f"a parameter ran towards 0 or infinity ({params})"
    elif not np.all(np.isfinite(se)):
        detail = f"the Hessian of the likelihood is not positive definite at the optimum ({params})"
    elif np.any(se > 100 * values):
        detail = f"standard errors exceed 100 times the estimates ({params})"
    else:
        detail = None
    if detail is not None:
        warnings.warn(
            f"{estimator_name}: {detail}, so the data do not identify every parameter and "
            "standard errors are unreliable (NaN where undefined). Predictions remain "
            "finite; a small penalizer_coef (e.g. 0.001) regularizes the fit.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def set_parameter_state(model, param_names, params, covariance) -> None:
    """Set ``params_``, ``variance_matrix_``, ``standard_errors_`` and
    ``confidence_intervals_`` from the parameter values and their covariance matrix (after
    a fit, or when a model file is loaded)."""
    names = list(param_names)
    model.params_ = dict(zip(names, map(float, params)))
    covariance = np.asarray(covariance, dtype=np.float64)
    model.variance_matrix_ = pd.DataFrame(covariance, index=names, columns=names)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(covariance))
    model.standard_errors_ = dict(zip(names, map(float, se)))
    # Built directly, not selected from summary_frame: each pandas construction costs
    # ~0.2-0.4 ms, a few percent of a CDNOW-sized fit.
    model.confidence_intervals_ = pd.DataFrame(
        _normal_interval(np.array([model.params_[n] for n in names]), se),
        index=pd.Index(names, name="parameter"),
    )


def store_fit(model, result, param_names) -> None:
    """Check a core fit result and set the fitted attributes both CLV models share:
    ``params_``, ``variance_matrix_``, ``standard_errors_``, ``confidence_intervals_``,
    ``log_likelihood_``, ``n_customers_``, ``n_unique_rows_``, ``n_iter_``, ``converged_``."""
    # stacklevel 4: one more than check_fit's default, for this helper's own frame, so the
    # warning is attributed where it was before (fit's caller, scikit-learn's fit wrapper).
    check_fit(type(model).__name__, result, param_names, stacklevel=4)
    set_parameter_state(model, param_names, result["params"], result["covariance"])
    model.log_likelihood_ = float(result["log_likelihood"])
    model.n_customers_ = float(result["weight_total"])
    model.n_unique_rows_ = int(result["n_unique_rows"])
    model.n_iter_ = int(result["n_iter"])
    model.converged_ = bool(result["converged"])


def summary_frame(params: dict, covariance: np.ndarray) -> pd.DataFrame:
    """lifetimes' summary table: coef, se(coef) and a normal 95% interval."""
    names = list(params)
    coef = np.array([params[n] for n in names])
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(covariance))
    return pd.DataFrame(
        {"coef": coef, "se(coef)": se, **_normal_interval(coef, se)},
        index=pd.Index(names, name="parameter"),
    )


def _normal_interval(coef: np.ndarray, se: np.ndarray) -> dict:
    """The columns of a normal 95% interval, as lifetimes reports it."""
    return {"lower 95% bound": coef - 1.96 * se, "upper 95% bound": coef + 1.96 * se}
