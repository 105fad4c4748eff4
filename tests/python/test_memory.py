"""Fitting never copies a C-contiguous float32/float64 X.

The big-array check runs in a fresh process so that peak RSS (ru_maxrss) measures this
fit alone: X (1,000,000 x 64) is allocated first, so the peak before fitting is about
X.nbytes, and a copy of X anywhere in validation, binding or C++ would raise the peak by
another X.nbytes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_python

from marketlearn import ChurnClassifier, _core
from marketlearn._validation import validate_fit_data, validate_predict_data

_PEAK_RSS = """
import json, resource, sys, warnings
import numpy as np
from marketlearn import ChurnClassifier

def peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

dtype = np.dtype(sys.argv[1]) if len(sys.argv) > 1 else np.dtype("{dtype}")
n, d = 1_000_000, 64
# Warm up imports and code paths on a small problem first.
rng = np.random.default_rng(0)
small = rng.standard_normal((200, d)).astype(dtype)
warnings.simplefilter("ignore")
ChurnClassifier(max_iter=3).fit(small, np.arange(200) % 2)
X = np.empty((n, d), dtype=dtype)
for start in range(0, n, 50_000):  # fill in chunks: no full-size temporary
    X[start:start + 50_000] = rng.standard_normal((50_000, d), dtype=np.float32)
y = (X[:, 0] + X[:, 1] > 0).astype(np.int8)
before = peak_bytes()
model = ChurnClassifier(optimizer="{optimizer}", max_iter=3).fit(X, y)
after_fit = peak_bytes()
model.predict_proba(X[:100_000])
print(json.dumps({{"x_nbytes": X.nbytes, "before": before, "after_fit": after_fit,
                  "coef_dtype": str(model.coef_.dtype), "n_iter": model.n_iter_}}))
"""


@pytest.mark.parametrize("optimizer", ["lbfgs", "sgd"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_does_not_copy_big_x(dtype, optimizer):
    result = run_python(_PEAK_RSS.format(dtype=dtype, optimizer=optimizer))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    increase = stats["after_fit"] - stats["before"]
    print(
        f"{dtype} {optimizer}: X {stats['x_nbytes'] / 2**20:.0f} MiB, peak before fit "
        f"{stats['before'] / 2**20:.0f} MiB, increase during fit {increase / 2**20:.1f} MiB"
    )
    assert stats["coef_dtype"] == dtype
    assert increase < 0.25 * stats["x_nbytes"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_validation_returns_the_callers_buffer(dtype):
    rng = np.random.default_rng(0)
    X = np.ascontiguousarray(rng.standard_normal((50, 4)), dtype=dtype)
    y = np.arange(50) % 2
    X_checked, _ = validate_fit_data(ChurnClassifier(), X, y)
    assert X_checked.dtype == dtype
    assert np.shares_memory(X_checked, X)
    assert X_checked.__array_interface__["data"][0] == X.__array_interface__["data"][0]
    model = ChurnClassifier().fit(X, y)
    X_predict = validate_predict_data(model, X)
    assert X_predict.__array_interface__["data"][0] == X.__array_interface__["data"][0]


def test_validation_converts_other_layouts_once():
    X = np.asfortranarray(np.random.default_rng(0).standard_normal((50, 4)))
    X_checked, _ = validate_fit_data(ChurnClassifier(), X, np.arange(50) % 2)
    assert X_checked.flags.c_contiguous and not np.shares_memory(X_checked, X)
    Xi = np.arange(200, dtype=np.int64).reshape(50, 4)
    X_checked, _ = validate_fit_data(ChurnClassifier(), Xi, np.arange(50) % 2)
    assert X_checked.dtype == np.float64


@pytest.mark.parametrize(
    "bad_X",
    [
        lambda X: X.astype(np.float32),  # dtype differs from y's
        lambda X: np.asfortranarray(X),  # column-major
        lambda X: X[:, ::2],  # strided columns
        lambda X: X.astype(np.int64),
    ],
    ids=["float32-vs-float64-y", "fortran", "strided", "int64"],
)
def test_binding_refuses_to_convert(bad_X):
    # The compiled layer never copies behind the caller's back: it raises instead.
    X = np.random.default_rng(0).standard_normal((40, 6))
    y = (2 * (np.arange(40) % 2) - 1).astype(np.float64)
    with pytest.raises(TypeError):
        _core.fit_linear(bad_X(X), y)
    with pytest.raises(TypeError):
        _core.linear_decision_function(bad_X(X), np.zeros(bad_X(X).shape[1]), 0.0)
