"""Sparse (scipy CSR) input for GDClassifier and GDRegressor: the same models as on dense
input, every optimizer, float32 / int64 indices, other formats converted, and a
300,000 x 200,000 fit in bounded memory (never densified)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import run_python

from marketlearn import GDClassifier, GDRegressor, _core
from marketlearn._gd import OPTIMIZERS


def _data(seed=0, n=400, d=12, density=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X[rng.random((n, d)) > density] = 0.0
    z = X @ rng.standard_normal(d) + 0.2
    y_class = (z + 0.5 * rng.standard_normal(n) > 0).astype(int)
    y_reg = z + 0.1 * rng.standard_normal(n)
    return X, y_class, y_reg


@pytest.mark.parametrize("Estimator", [GDClassifier, GDRegressor])
def test_lbfgs_sparse_equals_dense(Estimator):
    X, y_class, y_reg = _data()
    y = y_class if Estimator is GDClassifier else y_reg
    dense = Estimator(optimizer="lbfgs", tol=1e-12, max_iter=1000).fit(X, y)
    for fmt in (sp.csr_matrix, sp.csr_array):
        sparse = Estimator(optimizer="lbfgs", tol=1e-12, max_iter=1000).fit(fmt(X), y)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(sparse.predict(fmt(X)), dense.predict(X), rtol=0, atol=1e-10)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("Estimator", [GDClassifier, GDRegressor])
def test_every_optimizer_same_path_on_sparse(Estimator, optimizer):
    # Same seed, same row order: the sparse kernels take the same steps as the dense
    # ones, up to summation order.
    X, y_class, y_reg = _data(seed=1)
    y = y_class if Estimator is GDClassifier else y_reg
    params = dict(optimizer=optimizer, random_state=0, max_iter=20, tol=None)
    if optimizer != "lbfgs":
        params["batch_size"] = 16
    dense = Estimator(**params).fit(X, y)
    sparse = Estimator(**params).fit(sp.csr_array(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        sparse.decision_function(sp.csr_array(X)) if Estimator is GDClassifier
        else sparse.predict(sp.csr_array(X)),
        dense.decision_function(X) if Estimator is GDClassifier else dense.predict(X),
        rtol=1e-6, atol=1e-8,
    )  # fmt: skip


def test_float32_int64_indices_and_other_formats():
    X, y, _ = _data(seed=2)
    ref = GDClassifier(optimizer="lbfgs", tol=1e-12).fit(X, y)
    X64 = sp.csr_array(X)
    X64.indices = X64.indices.astype(np.int64)
    X64.indptr = X64.indptr.astype(np.int64)
    model = GDClassifier(optimizer="lbfgs", tol=1e-12).fit(X64, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-10)
    for fmt in (sp.csc_matrix, sp.coo_array, sp.lil_matrix):
        model = GDClassifier(optimizer="lbfgs", tol=1e-12).fit(fmt(X), y)
        np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-10)
    X32 = sp.csr_matrix(X.astype(np.float32))
    model32 = GDClassifier(optimizer="lbfgs").fit(X32, y)
    assert model32.coef_.dtype == np.float32
    assert model32.decision_function(X32).dtype == np.float32
    dense32 = GDClassifier(optimizer="lbfgs").fit(X.astype(np.float32), y)
    np.testing.assert_allclose(model32.coef_, dense32.coef_, rtol=1e-4, atol=1e-4)


def test_unsorted_indices_and_duplicates_add():
    rng = np.random.default_rng(3)
    n, d = 200, 6
    rows = np.repeat(np.arange(n), 5)
    cols = rng.integers(0, d, rows.size)  # duplicates within a row on purpose
    vals = rng.standard_normal(rows.size)
    y = rng.integers(0, 2, n)
    # CSR with unsorted, duplicated column indices, built directly (scipy keeps them).
    order = np.lexsort((rng.random(rows.size), rows))
    raw = sp.csr_matrix((vals[order], cols[order], np.arange(0, rows.size + 1, 5)), shape=(n, d))
    assert not raw.has_canonical_format
    canonical = raw.copy()
    canonical.sum_duplicates()
    a = GDClassifier(optimizer="lbfgs", tol=1e-12).fit(raw, y)
    b = GDClassifier(optimizer="lbfgs", tol=1e-12).fit(canonical.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-10)


def test_partial_fit_sparse():
    X, y, y_reg = _data(seed=4)
    Xs = sp.csr_array(X)
    clf = GDClassifier(optimizer="adam", random_state=0)
    for _ in range(5):
        clf.partial_fit(Xs, y, classes=[0, 1])
    assert clf.score(Xs, y) > 0.8
    reg = GDRegressor(optimizer="adam", random_state=0)
    for _ in range(20):
        reg.partial_fit(Xs, y_reg)
    assert reg.score(Xs, y_reg) > 0.8


def test_binding_checks_csr_structure():
    X = sp.csr_matrix(np.eye(3))
    y = np.array([1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="outside"):
        _core.fit_linear_csr(X.data, X.indices, X.indptr, 2, y)
    with pytest.raises(TypeError):  # int16 indices: refused, not converted
        _core.fit_linear_csr(X.data, X.indices.astype(np.int16), X.indptr.astype(np.int16), 3, y)
    bad_indptr = np.array([0, 2, 1, 3], dtype=X.indptr.dtype)
    with pytest.raises(ValueError, match="non-decreasing"):
        _core.linear_decision_function_csr(X.data, X.indices, bad_indptr, 3, np.zeros(3), 0.0)


_BIG_SPARSE = """
import json, resource, time, warnings
import numpy as np
import scipy.sparse as sp
from marketlearn import GDClassifier

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

n, d, k = 300_000, 200_000, 10
rng = np.random.default_rng(0)
indices = rng.integers(0, d, n * k, dtype=np.int32)
data = np.ones(n * k)
indptr = np.arange(0, n * k + 1, k, dtype=np.int32)
X = sp.csr_matrix((data, indices, indptr), shape=(n, d))
w = np.zeros(d)
w[:2000] = rng.standard_normal(2000) * 3
z = X @ w
y = (z + rng.logistic(size=n) > 0).astype(np.int8)
GDClassifier(optimizer="adam", max_iter=1).fit(X[:1000], y[:1000])  # warm up code paths
before = peak()
start = time.perf_counter()
model = GDClassifier(optimizer="adam", batch_size=256, max_iter=3, tol=None, random_state=0)
model.fit(X, y)
seconds = time.perf_counter() - start
accuracy = model.score(X[:50_000], y[:50_000])
print(json.dumps({"before": before, "after": peak(), "seconds": seconds,
                  "accuracy": accuracy, "n_iter": model.n_iter_,
                  "x_bytes": X.data.nbytes + X.indices.nbytes + X.indptr.nbytes}))
"""


def test_300k_by_200k_csr_fits_in_bounded_memory():
    result = run_python(_BIG_SPARSE)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    increase = stats["after"] - stats["before"]
    print(
        f"300k x 200k CSR (10 nnz/row, {stats['x_bytes'] / 2**20:.0f} MiB): Adam 3 epochs "
        f"{stats['seconds']:.1f} s, peak RSS increase {increase / 2**20:.0f} MiB, "
        f"accuracy {stats['accuracy']:.3f}"
    )
    assert stats["n_iter"] == 3
    # A dense float64 copy would be 480 GB; the fit itself needs O(nnz + n_features).
    assert increase < 2 * 2**30
    assert stats["accuracy"] > 0.6
