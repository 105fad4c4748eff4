"""SIMD level selection: what simd_info reports, forcing a level, and equal results
across levels. The level is fixed per process, so each case runs in a fresh one."""

from __future__ import annotations

import json
import os

import pytest
from conftest import run_python
from numpy.testing import assert_allclose

import marketlearn

LEVELS = ["avx512", "avx2", "sse2"]  # best first
XSIMD_ARCH = {"avx512": "avx512bw", "avx2": "fma3<avx2>", "sse2": "sse2"}

# Fits a model and scores fixed coefficients in float64 and float32; prints JSON.
_FIT_AND_SCORE = """
import json, numpy as np, marketlearn
from marketlearn import ChurnClassifier, _core
rng = np.random.default_rng(0)
X = rng.standard_normal((3001, 37))
y = (X @ rng.standard_normal(37) + 0.5 * rng.standard_normal(3001) > 0).astype(int)
coef = rng.standard_normal(37)
out = {"info": marketlearn.simd_info()}
for optimizer in ("lbfgs", "gd", "sgd"):
    m = ChurnClassifier(optimizer=optimizer, alpha=1e-2, tol=1e-10, max_iter=200, random_state=0,
                        learning_rate="constant", eta0=0.1)
    m.fit(X, y)
    out[optimizer] = {"coef": m.coef_.ravel().tolist(), "intercept": float(m.intercept_[0]),
                   "proba": m.predict_proba(X)[:, 1].tolist()}
out["decision64"] = _core.linear_decision_function(X, coef, 0.25).tolist()
out["decision32"] = _core.linear_decision_function(
    X.astype(np.float32), coef.astype(np.float32), 0.25).astype(float).tolist()
print(json.dumps(out))
"""


def run_level(level: str | None) -> dict:
    result = run_python(_FIT_AND_SCORE, {"MARKETLEARN_SIMD": level})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def default_run():
    return run_level(None)


def test_simd_info_keys_and_values():
    info = marketlearn.simd_info()
    assert set(info) == {"arch", "xsimd_arch", "available", "forced"}
    assert info["available"], "at least one level must run"
    assert all(level in LEVELS for level in info["available"])
    assert info["available"] == sorted(info["available"], key=LEVELS.index)
    assert info["arch"] in info["available"]
    assert info["xsimd_arch"] == XSIMD_ARCH[info["arch"]]
    assert info["forced"] == (os.environ.get("MARKETLEARN_SIMD") or None)
    if info["forced"] is None:
        assert info["arch"] == info["available"][0]
    # Every x86-64 CPU has SSE2, the floor of the dispatch list.
    assert info["available"][-1] == "sse2"


def test_default_is_best_available(default_run):
    info = default_run["info"]
    assert info["forced"] is None
    assert info["arch"] == info["available"][0]


@pytest.mark.parametrize("level", LEVELS)
def test_forced_level_gives_same_results(default_run, level):
    available = default_run["info"]["available"]
    if level not in available:
        pytest.skip(f"{level} is not available on this machine ({available})")
    forced = run_level(level)
    assert forced["info"]["arch"] == level
    assert forced["info"]["forced"] == level
    assert forced["info"]["xsimd_arch"] == XSIMD_ARCH[level]
    # Same coefficients, different summation order: agreement to rounding.
    assert_allclose(forced["decision64"], default_run["decision64"], rtol=1e-12, atol=1e-12)
    assert_allclose(forced["decision32"], default_run["decision32"], rtol=1e-5, atol=1e-5)
    for optimizer in ("lbfgs", "gd", "sgd"):
        assert_allclose(
            forced[optimizer]["proba"], default_run[optimizer]["proba"], rtol=1e-10, atol=1e-12
        )
        assert_allclose(
            forced[optimizer]["coef"], default_run[optimizer]["coef"], rtol=1e-10, atol=1e-12
        )


def test_forcing_a_missing_level_falls_back(default_run):
    available = default_run["info"]["available"]
    missing = [level for level in LEVELS if level not in available]
    if not missing:
        pytest.skip("this machine runs every level")
    info = run_level(missing[0])["info"]
    # A forced level only lowers the choice: asking for more gives the best there is.
    assert info["arch"] == available[0]


@pytest.mark.parametrize("value", ["avx9000", "SSE2", "fast"])
def test_unknown_level_is_a_value_error(value):
    code = """
import numpy as np, marketlearn
from marketlearn import ChurnClassifier
errors = []
for attempt in range(2):  # the error repeats, it is not cached as a level
    try:
        marketlearn.simd_info()
    except ValueError as e:
        errors.append(str(e))
try:
    ChurnClassifier().fit(np.eye(4), [0, 1, 0, 1])
except ValueError as e:
    errors.append(str(e))
print(len(errors)); print(errors[0])
"""
    result = run_python(code, {"MARKETLEARN_SIMD": value})
    assert result.returncode == 0, result.stderr
    count, message = result.stdout.splitlines()[:2]
    assert count == "3"
    assert "MARKETLEARN_SIMD" in message and value in message
