"""marketlearn vs scikit-learn on identical data, in one process, interleaved.

    python bench/compare.py                 # full run (~10-20 min on 2 cores)
    python bench/compare.py --quick         # small sizes, 3 repeats (~1-2 min)

Every case times both libraries on the same arrays, alternating them repetition by
repetition so background noise hits both alike, and reports the **median** times and
their ratio (scikit-learn / marketlearn: above 1 means marketlearn is faster). A memory
bandwidth probe runs in the same process, so throughput-bound cases are also shown as a
fraction of what this machine can stream. Results go to bench/results.json and
bench/RESULTS.md (regenerated, never hand-edited), with versions, threads and the BLAS.

Cases: L2 logistic (L-BFGS, float64/float32), plain SGD epochs, mini-batch and full-batch
gradient passes, predict_proba, KMeans (lloyd, elkan; k = 8, 64, same init) and
MiniBatchKMeans, Tweedie and Poisson GLMs, and, against lifetimes (`pip install
lifetimes`, or the `bench` extra; skipped with a note when absent), BG/NBD and
Gamma-Gamma on the CDNOW master log plus a 10-million-customer BG/NBD fit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.linear_model import (
    LogisticRegression,
    PoissonRegressor,
    SGDClassifier,
    TweedieRegressor,
)
from sklearn.metrics import roc_auc_score

import marketlearn
from marketlearn import ChurnClassifier, GDClassifier, KMeans, LTVRegressor, MiniBatchKMeans

try:  # peer of the BG/NBD and Gamma-Gamma cases; optional (`pip install lifetimes`)
    import lifetimes
except ImportError:
    lifetimes = None

HERE = Path(__file__).resolve().parent


# ---- machine --------------------------------------------------------------------------
def read_bandwidth_gbs(n_bytes: int, repeats: int, threads: int = 1) -> float:
    """Read bandwidth: float64 sums over n_bytes, split over `threads` threads (numpy's
    pairwise SIMD reduction is bound by memory, not arithmetic, at this size, and it
    releases the GIL). The all-cores figure is the limit for the threaded passes."""
    from concurrent.futures import ThreadPoolExecutor

    a = np.ones(n_bytes // 8)
    parts = np.array_split(a, threads)
    a.sum()  # touch the pages
    times = []
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(repeats):
            t = time.perf_counter()
            list(pool.map(np.sum, parts))
            times.append(time.perf_counter() - t)
    return n_bytes / statistics.median(times) / 1e9


def system_info() -> dict:
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "marketlearn": marketlearn.__version__,
        "lifetimes": getattr(lifetimes, "__version__", None),
        "simd": marketlearn.simd_info(),
    }
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
            for p in threadpool_info()
        ]
    except ImportError:  # threadpoolctl comes with scikit-learn; keep the harness robust
        info["threadpools"] = []
    return info


# ---- helpers ----------------------------------------------------------------------------
def logistic_data(n, d, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    w = rng.standard_normal(d) / np.sqrt(d)
    p = 1 / (1 + np.exp(-(X.astype(np.float64) @ w)))
    y = (rng.random(n) < p).astype(np.int64)
    return X, y


def l2_logistic_objective(X, y, coef, intercept, alpha):
    z = X.astype(np.float64) @ np.asarray(coef, np.float64).ravel() + float(np.ravel(intercept)[0])
    s = 2.0 * y - 1.0
    return float(
        np.mean(np.logaddexp(0.0, -s * z)) + 0.5 * alpha * np.dot(coef.ravel(), coef.ravel())
    )


def interleaved(fns: dict, repeats: int) -> dict:
    """Times each callable `repeats` times, alternating between them; returns the medians
    and the last return value of each."""
    times = {k: [] for k in fns}
    out = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            # A pause before each timed call: OpenBLAS and OpenMP worker threads keep
            # spinning on the cores for up to ~0.1 s after a call returns, which would
            # slow whichever call comes next (a thread pool's cost billed to the other
            # library). The pause is outside the timed region and the same for both.
            time.sleep(0.25)
            t = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}, times, out


# ---- cases ------------------------------------------------------------------------------
def case_l2_logistic(n, d, dtype, repeats, alpha=1e-4, target_gap=1e-6):
    """Time to reach scikit-learn lbfgs's objective (at its default tol) within
    target_gap relative: marketlearn runs at the loosest gradient tolerance that gets
    there, found by untimed calibration fits (the tolerance is reported)."""
    X, y = logistic_data(n, d, dtype)
    C = 1.0 / (alpha * n)
    f_target = l2_logistic_objective(X, y, *_coef(LogisticRegression(C=C).fit(X, y)), alpha)
    for tol in (1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6):
        m = ChurnClassifier(alpha=alpha, optimizer="lbfgs", tol=tol).fit(X, y)
        if (l2_logistic_objective(X, y, *_coef(m), alpha) - f_target) / abs(f_target) <= target_gap:
            break
    sk = lambda: LogisticRegression(C=C).fit(X, y)  # noqa: E731
    ml = lambda: ChurnClassifier(alpha=alpha, optimizer="lbfgs", tol=tol).fit(X, y)  # noqa: E731
    med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    f_sk = l2_logistic_objective(X, y, *_coef(out["scikit-learn"]), alpha)
    f_ml = l2_logistic_objective(X, y, *_coef(out["marketlearn"]), alpha)
    auc = {k: roc_auc_score(y, m.decision_function(X)) for k, m in out.items()}
    return {
        "case": f"L2 logistic fit {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "relative_objective_gap": (f_ml - f_sk) / abs(f_sk),
            "marketlearn_tol": tol,
            "iterations_marketlearn": int(out["marketlearn"].n_iter_),
            "iterations_scikit-learn": int(np.max(out["scikit-learn"].n_iter_)),
            "auc_marketlearn": auc["marketlearn"],
            "auc_scikit-learn": auc["scikit-learn"],
        },
    }


def _coef(model):
    return model.coef_, model.intercept_


def case_sgd_epochs(n, d, repeats, epochs=5):
    """Plain SGD (one sample per update), log loss, 'optimal' rate, fixed epoch count."""
    X, y = logistic_data(n, d, np.float64, seed=1)
    common = dict(alpha=1e-4, max_iter=epochs, tol=None, random_state=0)
    sk = lambda: SGDClassifier(loss="log_loss", learning_rate="optimal", **common).fit(X, y)  # noqa: E731
    ml = lambda: GDClassifier(  # noqa: E731
        loss="log_loss", optimizer="sgd", batch_size=1, learning_rate="optimal", **common
    ).fit(X, y)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: the epoch count is the point
        med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    auc = {k: roc_auc_score(y, m.decision_function(X)) for k, m in out.items()}
    return {
        "case": f"SGD batch_size=1, {epochs} epochs, {n:,}x{d}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {"auc_marketlearn": auc["marketlearn"], "auc_scikit-learn": auc["scikit-learn"]},
    }


def case_stream(n, d, dtype, repeats, bandwidth, optimizer, batch_size, epochs=5, shuffle=True):
    """Epochs over X: mini-batch SGD (rows shuffled, or in storage order: a stream) or
    full-batch gradient passes; reported as the read throughput of X against the measured
    bandwidth (scikit-learn has no equivalent)."""
    X, y = logistic_data(n, d, dtype, seed=2)
    est = GDClassifier(
        optimizer=optimizer,
        batch_size=batch_size,
        max_iter=epochs,
        tol=None,
        learning_rate="constant",
        eta0=0.01,
        shuffle=shuffle,
        random_state=0,
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med, raw, _ = interleaved({"marketlearn": lambda: est.fit(X, y)}, repeats)
    # Every read of X counts: full-batch gradient descent also evaluates the starting
    # point, and a mini-batch run ends with one full pass for the exact objective it
    # reports: epochs + 1 passes either way. (X's NaN / infinity check rides on the first
    # pass or epoch, not on a pass of its own.)
    passes = epochs + 1
    gbs = X.nbytes * passes / med["marketlearn"] / 1e9
    label = (
        "full-batch gradient passes"
        if optimizer == "gd"
        else f"mini-batch SGD (batch {batch_size}, {'shuffled' if shuffle else 'storage order'})"
    )
    return {
        "case": f"{label}, {epochs} epochs, {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": None,
        "quality": {"X_read_GBps": gbs, "fraction_of_bandwidth": gbs / bandwidth},
    }


def case_predict_proba(n, d, repeats, bandwidth, dtype=np.float64):
    X, y = logistic_data(n, d, dtype, seed=3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few iterations give realistic coefficients
        sk_model = LogisticRegression(max_iter=5).fit(X[:10000], y[:10000])
        ml_model = ChurnClassifier(max_iter=5).fit(X[:10000], y[:10000])
    ml_model.coef_ = sk_model.coef_.copy()
    ml_model.intercept_ = sk_model.intercept_.copy()
    med, raw, out = interleaved(
        {
            "scikit-learn": lambda: sk_model.predict_proba(X),
            "marketlearn": lambda: ml_model.predict_proba(X),
        },
        repeats,
    )
    gbs = X.nbytes / med["marketlearn"] / 1e9
    return {
        "case": f"predict_proba {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "max_abs_difference": float(np.max(np.abs(out["scikit-learn"] - out["marketlearn"]))),
            "X_read_GBps": gbs,
            "fraction_of_bandwidth": gbs / bandwidth,
        },
    }


def inertia(X, centres):
    """Sum of squared distances to the nearest centre, in float64, the same formula for
    both libraries' centres (their own inertia_ attributes differ in float32 rounding)."""
    X64 = np.asarray(X, np.float64)
    C = np.asarray(centres, np.float64)
    best = np.full(len(X64), np.inf)
    for c in C:  # k passes of n x d: cheap next to the fits, and no n x k matrix
        best = np.minimum(best, ((X64 - c) ** 2).sum(axis=1))
    return float(best.sum())


def kmeans_data(n, d, dtype):
    # 30 overlapping blobs, so k-means needs tens of iterations for k = 8 and 64.
    X, _ = make_blobs(n, d, centers=30, cluster_std=6.0, random_state=0)
    return np.ascontiguousarray(X, dtype=dtype)


def case_kmeans(n, d, k, dtype, algorithm, repeats):
    """Lloyd / Elkan k-means from the same k-means++ centres to convergence (tol 1e-4),
    all cores for both (scikit-learn's OpenMP, marketlearn n_jobs=-1)."""
    X = kmeans_data(n, d, dtype)
    init = marketlearn._core.kmeans_plusplus(X, k, random_state=1)[0]
    sk = lambda: SkKMeans(k, init=init, n_init=1, algorithm=algorithm).fit(X)  # noqa: E731
    ml = lambda: KMeans(k, init=init, algorithm=algorithm, n_jobs=-1).fit(X)  # noqa: E731
    med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    i_sk = inertia(X, out["scikit-learn"].cluster_centers_)
    i_ml = inertia(X, out["marketlearn"].cluster_centers_)
    return {
        "case": f"KMeans {algorithm} k={k} {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "relative_inertia_gap": (i_ml - i_sk) / i_sk,
            "iterations_marketlearn": int(out["marketlearn"].n_iter_),
            "iterations_scikit-learn": int(out["scikit-learn"].n_iter_),
        },
    }


def case_minibatch_kmeans(n, d, k, repeats, batch_size=1024, epochs=20):
    """Mini-batch k-means, same init and settings (batch 1024, <= 20 epochs, scikit-learn's
    early stopping); the inertia is that of the returned centres on all of X."""
    X = kmeans_data(n, d, np.float64)
    init = marketlearn._core.kmeans_plusplus(X, k, random_state=1)[0]
    common = dict(init=init, batch_size=batch_size, max_iter=epochs, random_state=0, n_init=1)
    sk = lambda: SkMiniBatchKMeans(k, **common).fit(X)  # noqa: E731
    ml = lambda: MiniBatchKMeans(k, n_jobs=-1, **common).fit(X)  # noqa: E731
    med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    i_sk = inertia(X, out["scikit-learn"].cluster_centers_)
    i_ml = inertia(X, out["marketlearn"].cluster_centers_)
    return {
        "case": f"MiniBatchKMeans k={k} batch {batch_size} {n:,}x{d} float64",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {"relative_inertia_gap": (i_ml - i_sk) / i_sk},
    }


def tweedie_data(n, d, seed=4):
    """Customer spend: a Poisson number of orders of Gamma-distributed size (Tweedie
    1 < p < 2), with a log-linear mean in standardized features."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) * 0.3 / np.sqrt(d)
    mean = np.exp(X @ w + 1.0)
    orders = rng.poisson(mean / 2.0)
    y = np.where(orders > 0, rng.gamma(2.0 * np.maximum(orders, 1), 1.0), 0.0)
    return X, y, orders.astype(np.float64)


def glm_objective(X, y, coef, intercept, alpha, power):
    """scikit-learn's objective: mean half deviance + alpha / 2 ||w||^2."""
    from sklearn.metrics import mean_tweedie_deviance

    mu = np.exp(X @ np.ravel(coef) + float(np.ravel(intercept)[0]))
    return 0.5 * mean_tweedie_deviance(y, mu, power=power) + 0.5 * alpha * float(
        np.dot(np.ravel(coef), np.ravel(coef))
    )


def case_glm(n, d, loss, repeats, alpha=1e-4):
    """Tweedie (power 1.5) or Poisson GLM with log link, both libraries' L-BFGS at their
    default tolerance; quality is the gap of marketlearn's objective to scikit-learn's."""
    X, spend, orders = tweedie_data(n, d)
    if loss == "tweedie":
        y, power = spend, 1.5
        sk = lambda: TweedieRegressor(power=power, link="log", alpha=alpha).fit(X, y)  # noqa: E731
        ml = lambda: LTVRegressor("tweedie", power=power, alpha=alpha).fit(X, y)  # noqa: E731
    else:
        y, power = orders, 1.0
        sk = lambda: PoissonRegressor(alpha=alpha).fit(X, y)  # noqa: E731
        ml = lambda: LTVRegressor("poisson", alpha=alpha).fit(X, y)  # noqa: E731
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's lbfgs max_iter=100 warning
        med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    f = {name: glm_objective(X, y, m.coef_, m.intercept_, alpha, power) for name, m in out.items()}
    return {
        "case": f"{'Tweedie p=1.5' if loss == 'tweedie' else 'Poisson'} GLM {n:,}x{d}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "relative_objective_gap": (f["marketlearn"] - f["scikit-learn"])
            / abs(f["scikit-learn"])
        },
    }


def shared_data_dir() -> Path:
    root = os.environ.get("MARKETLEARN_SHARED_DATA")
    return Path(root) if root else HERE.parents[1] / "shared" / "data"


def cdnow_master_summary():
    """Per-customer frequency / recency / T (weeks) and mean repeat spend of the full
    CDNOW log (23,570 customers), observed to the log's last day."""
    import pandas as pd

    from marketlearn.clv import summary_from_transactions

    path = shared_data_dir() / "cdnow" / "CDNOW_master.csv"
    if not path.exists():
        return None
    log = pd.read_csv(path, dtype={"customer_id": str, "date": str})
    return summary_from_transactions(
        log, "customer_id", "date", "dollar_value", freq="W", datetime_format="%Y%m%d"
    )


def peer_or_note(case):
    if lifetimes is None:
        print(
            f"{case}: lifetimes is not installed (pip install lifetimes): timing marketlearn only",
            flush=True,
        )
    return lifetimes is not None


def max_relative_difference(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def clv_case(case, ours, theirs, their_params, repeats, note):
    """One CLV fit against lifetimes' (when installed), interleaved: medians, the ratio
    and the largest relative difference of the fitted parameters (lifetimes' columns
    `their_params`, in the order of marketlearn's params_)."""
    import warnings

    fns = {"marketlearn": ours}
    if peer_or_note(note):
        fns["lifetimes"] = theirs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med, raw, out = interleaved(fns, repeats)
    ours_params = np.array(list(out["marketlearn"].params_.values()))
    quality = {"params_marketlearn": ", ".join(f"{v:.4g}" for v in ours_params)}
    result = {"case": case, "median_s": med, "runs_s": raw, "ratio": None, "quality": quality}
    if "lifetimes" in out:
        theirs_params = out["lifetimes"].params_[their_params].to_numpy()
        quality["max_relative_param_difference"] = max_relative_difference(
            ours_params, theirs_params
        )
        result["ratio"] = med["lifetimes"] / med["marketlearn"]
        result["peer"] = "lifetimes"
    return result


def case_bgnbd_cdnow(repeats, summary):
    from marketlearn.clv import BetaGeoModel

    data = tuple(summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    return clv_case(
        f"BG/NBD fit, CDNOW master ({len(summary):,} customers)",
        lambda: BetaGeoModel(n_jobs=-1).fit(*data),
        lambda: lifetimes.BetaGeoFitter().fit(*data),
        ["r", "alpha", "a", "b"],
        repeats,
        "BG/NBD CDNOW",
    )


def case_gamma_gamma_cdnow(repeats, summary):
    from marketlearn.clv import GammaGammaModel

    # Returning customers with a positive mean repeat spend (master has a few zero-value
    # transactions; the Gamma-Gamma model needs spend > 0).
    returning = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    data = (returning["frequency"].to_numpy(), returning["monetary_value"].to_numpy())
    return clv_case(
        f"Gamma-Gamma fit, CDNOW master ({len(returning):,} returning customers)",
        lambda: GammaGammaModel().fit(*data),
        lambda: lifetimes.GammaGammaFitter().fit(*data),
        ["p", "q", "v"],
        repeats,
        "Gamma-Gamma CDNOW",
    )


def case_bgnbd_large(n, repeats):
    """BG/NBD on a synthetic customer base drawn from the model (ages in whole days, as
    summaries of transaction logs have): marketlearn alone, all cores."""
    sys.path.insert(0, str(HERE.parent / "tests" / "python"))
    from clv_helpers import simulate_bgnbd

    from marketlearn.clv import BetaGeoModel

    rng = np.random.default_rng(1)
    data = simulate_bgnbd(n, 0.25, 28.0, 0.8, 2.5, rng.uniform(30, 365, n), seed=n, whole_days=True)
    med, raw, out = interleaved(
        {"marketlearn": lambda: BetaGeoModel(n_jobs=-1).fit(*data)}, repeats
    )
    params = list(out["marketlearn"].params_.values())
    return {
        "case": f"BG/NBD fit, synthetic {n:,} customers",
        "median_s": med,
        "runs_s": raw,
        "ratio": None,
        "quality": {
            "params_marketlearn": ", ".join(f"{v:.4g}" for v in params),
            "true_params": "0.25, 28, 0.8, 2.5",
        },
    }


PEAK_MEMORY_CHILD = """
import resource, sys, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from marketlearn import ChurnClassifier

def rss_bytes():  # resident set now
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

# X built in place, 10,000 rows at a time, so the process peak before the fit is X itself.
n, d, dtype, lib = int(sys.argv[1]), int(sys.argv[2]), np.dtype(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(5)
w = rng.standard_normal(d) / np.sqrt(d)
X = np.empty((n, d), dtype=dtype)
y = np.empty(n, dtype=np.int64)
for start in range(0, n, 10_000):
    block = rng.standard_normal((min(10_000, n - start), d))
    X[start : start + len(block)] = block
    y[start : start + len(block)] = rng.random(len(block)) < 1 / (1 + np.exp(-(block @ w)))
del block
warnings.simplefilter("ignore")
# Restart the peak (VmHWM) here: getrusage's ru_maxrss would also carry the peak of the
# parent process that forked this one.
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = rss_bytes()
if lib == "marketlearn":
    ChurnClassifier(alpha=1e-4, optimizer="lbfgs", tol=1e-5).fit(X, y)
else:
    LogisticRegression(C=1.0 / (1e-4 * n)).fit(X, y)
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
print(max(0, peak - before))
"""


def case_peak_memory(n, d, dtype):
    """Memory a fit adds on top of the resident C-contiguous X (and y): the peak resident
    set (VmHWM, reset just before the fit) of a fresh process minus its resident set just
    before the fit. Linux only."""
    import subprocess

    extra = {}
    for lib in ("marketlearn", "scikit-learn"):
        out = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY_CHILD, str(n), str(d), np.dtype(dtype).name, lib],
            capture_output=True,
            text=True,
            check=True,
        )
        extra[lib] = int(out.stdout.strip().splitlines()[-1])
    x_bytes = n * d * np.dtype(dtype).itemsize
    return {
        "case": f"peak memory of an L2 logistic fit beyond X, {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": {},
        "runs_s": {},
        "ratio": None,
        "quality": {
            "X_MB": x_bytes / 1e6,
            "extra_MB_marketlearn": extra["marketlearn"] / 1e6,
            "extra_fraction_of_X_marketlearn": extra["marketlearn"] / x_bytes,
            "extra_MB_scikit-learn": extra["scikit-learn"] / 1e6,
        },
    }


# ---- report -----------------------------------------------------------------------------
def markdown(report: dict) -> str:
    s = report["system"]
    lines = [
        "# Benchmark results",
        "",
        "Regenerated by `python bench/compare.py` — do not edit by hand. Ratio = scikit-learn "
        "median time / marketlearn median time (> 1: marketlearn faster); medians of "
        f"{report['repeats']} interleaved runs in one process.",
        "",
        f"- machine: {s['platform']}, {s['cpu_count']} cores, SIMD `{s['simd']['arch']}` "
        f"(available: {', '.join(s['simd']['available'])})",
        f"- read bandwidth (numpy sums over {report['bandwidth_bytes'] // 2**20} MiB): "
        f"**{report['bandwidth_GBps']:.1f} GB/s** on all cores "
        f"({report['bandwidth_1_thread_GBps']:.1f} GB/s on one); fraction_of_bandwidth is "
        "against the all-cores figure",
        f"- versions: Python {s['python']}, numpy {s['numpy']}, scikit-learn {s['scikit-learn']}, "
        f"marketlearn {s['marketlearn']}, lifetimes {s['lifetimes'] or 'not installed'}",
        "- thread pools: "
        + ", ".join(
            f"{p['internal_api']} {p.get('version')} x{p['num_threads']}" for p in s["threadpools"]
        ),
        "",
        "| case | marketlearn (s) | peer (s) | ratio | quality |",
        "|---|---:|---:|---:|---|",
    ]
    for c in report["cases"]:
        m = c["median_s"]
        q = ", ".join(
            f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in c["quality"].items()
        )
        peer = c.get("peer", "scikit-learn")
        theirs = f"{m[peer]:.3f} ({peer})" if peer in m else "—"
        ratio = f"**{c['ratio']:.2f}x**" if c["ratio"] else "—"
        ours = f"{m['marketlearn']:.3f}" if "marketlearn" in m else "—"
        lines.append(f"| {c['case']} | {ours} | {theirs} | {ratio} | {q} |")
    for note in report.get("notes", []):
        lines += ["", f"- {note}"]
    return "\n".join(lines) + "\n"


def float32_speedups(cases):
    """One note per case run in both dtypes: marketlearn's float64 time over its float32
    time, i.e. float32's throughput in rows per second as a multiple of float64's (the
    target is >= 1.7x where a pass is bound by memory bandwidth)."""
    by_name = {c["case"]: c for c in cases if "marketlearn" in c["median_s"]}
    notes = []
    for name, c64 in by_name.items():
        c32 = by_name.get(name.replace("float64", "float32"))
        if "float64" not in name or c32 is None:
            continue
        speedup = c64["median_s"]["marketlearn"] / c32["median_s"]["marketlearn"]
        label = name.replace(" float64", "")
        notes.append(f"float32 throughput / float64, {label}: {speedup:.2f}x")
    return notes


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--json", default=str(HERE / "results.json"))
    ap.add_argument("--markdown", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    scale = 10 if args.quick else 1
    bw_bytes = (256 if args.quick else 1024) * 2**20

    bandwidth_1 = read_bandwidth_gbs(bw_bytes, max(repeats, 5))
    bandwidth = max(bandwidth_1, read_bandwidth_gbs(bw_bytes, max(repeats, 5), os.cpu_count()))
    print(
        f"read bandwidth: {bandwidth_1:.1f} GB/s (1 thread), {bandwidth:.1f} GB/s (all cores)",
        flush=True,
    )
    cases = []
    plan = [
        lambda: case_l2_logistic(100_000 // scale, 20, np.float64, repeats),
        lambda: case_l2_logistic(100_000 // scale, 20, np.float32, repeats),
        lambda: case_l2_logistic(1_000_000 // scale, 100, np.float64, repeats),
        lambda: case_l2_logistic(1_000_000 // scale, 100, np.float32, repeats),
        lambda: case_sgd_epochs(100_000 // scale, 100, repeats),
        lambda: case_stream(1_000_000 // scale, 100, np.float64, repeats, bandwidth, "sgd", 256),
        lambda: case_stream(1_000_000 // scale, 100, np.float32, repeats, bandwidth, "sgd", 256),
        lambda: case_stream(
            1_000_000 // scale, 100, np.float64, repeats, bandwidth, "sgd", 256, shuffle=False
        ),
        lambda: case_stream(1_000_000 // scale, 100, np.float64, repeats, bandwidth, "gd", 1),
        lambda: case_stream(1_000_000 // scale, 100, np.float32, repeats, bandwidth, "gd", 1),
        lambda: case_predict_proba(1_000_000 // scale, 100, repeats, bandwidth),
        lambda: case_predict_proba(1_000_000 // scale, 100, repeats, bandwidth, np.float32),
        lambda: case_peak_memory(1_000_000 // scale, 100, np.float64),
    ]
    for k in (8, 64):
        for algorithm in ("lloyd", "elkan"):
            plan.append(
                lambda k=k, a=algorithm: case_kmeans(
                    100_000 // scale, 20, k, np.float64, a, repeats
                )
            )
        plan.append(lambda k=k: case_minibatch_kmeans(1_000_000 // scale, 20, k, repeats))
    plan += [
        lambda: case_glm(1_000_000 // scale, 20, "tweedie", repeats),
        lambda: case_glm(1_000_000 // scale, 20, "poisson", repeats),
    ]
    summary = cdnow_master_summary()
    notes = []
    if summary is None:
        notes.append("CDNOW master not found (MARKETLEARN_SHARED_DATA): BG/NBD cases skipped")
        print(notes[-1], flush=True)
    else:
        plan += [
            lambda: case_bgnbd_cdnow(repeats, summary),
            lambda: case_gamma_gamma_cdnow(repeats, summary),
        ]
    if lifetimes is None:
        notes.append("lifetimes not installed: BG/NBD and Gamma-Gamma timed without a peer")
    plan.append(lambda: case_bgnbd_large(10_000_000 // scale**2, max(1, repeats // 2)))
    for run in plan:
        result = run()
        cases.append(result)
        print(
            f"{result['case']}: {result['median_s']} ratio {result['ratio']} {result['quality']}",
            flush=True,
        )

    notes += float32_speedups(cases)
    report = {
        "system": system_info(),
        "repeats": repeats,
        "bandwidth_bytes": bw_bytes,
        "bandwidth_GBps": bandwidth,
        "bandwidth_1_thread_GBps": bandwidth_1,
        "cases": cases,
        "notes": notes,
    }
    Path(args.json).write_text(json.dumps(report, indent=2, default=float))
    Path(args.markdown).write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
