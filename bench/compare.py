"""marketlearn vs scikit-learn on identical data, in one process, interleaved.

    python bench/compare.py                 # full run (~10-20 min on 2 cores)
    python bench/compare.py --quick         # small sizes, 3 repeats (~1-2 min)

Every case times both libraries on the same arrays, alternating them repetition by
repetition so background noise hits both alike, and reports the **median** times and
their ratio (scikit-learn / marketlearn: above 1 means marketlearn is faster). A memory
bandwidth probe runs in the same process, so throughput-bound cases are also shown as a
fraction of what this machine can stream. Results go to bench/results.json and
bench/RESULTS.md (regenerated, never hand-edited), with versions, threads and the BLAS.
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
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score

import marketlearn
from marketlearn import ChurnClassifier, GDClassifier

HERE = Path(__file__).resolve().parent


# ---- machine --------------------------------------------------------------------------
def read_bandwidth_gbs(n_bytes: int, repeats: int) -> float:
    """Single-thread read bandwidth: a float64 sum over n_bytes (numpy's pairwise SIMD
    reduction is bound by memory, not arithmetic, at this size)."""
    a = np.ones(n_bytes // 8)
    a.sum()  # touch the pages
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        a.sum()
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
            t = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}, times, out


# ---- cases ------------------------------------------------------------------------------
def case_l2_logistic(n, d, dtype, repeats, alpha=1e-4):
    """Time to reach scikit-learn lbfgs's objective (its default tol) within 1e-6."""
    X, y = logistic_data(n, d, dtype)
    C = 1.0 / (alpha * n)
    sk = lambda: LogisticRegression(C=C).fit(X, y)  # noqa: E731
    ml = lambda: ChurnClassifier(alpha=alpha, optimizer="lbfgs", tol=1e-5).fit(X, y)  # noqa: E731
    med, raw, out = interleaved({"scikit-learn": sk, "marketlearn": ml}, repeats)
    f_sk = l2_logistic_objective(
        X, y, out["scikit-learn"].coef_, out["scikit-learn"].intercept_, alpha
    )
    f_ml = l2_logistic_objective(
        X, y, out["marketlearn"].coef_, out["marketlearn"].intercept_, alpha
    )
    auc = {k: roc_auc_score(y, m.decision_function(X)) for k, m in out.items()}
    return {
        "case": f"L2 logistic fit {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "relative_objective_gap": (f_ml - f_sk) / abs(f_sk),
            "auc_marketlearn": auc["marketlearn"],
            "auc_scikit-learn": auc["scikit-learn"],
        },
    }


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


def case_stream(n, d, dtype, repeats, bandwidth, optimizer, batch_size, epochs=5):
    """Epochs that stream X: mini-batch SGD or full-batch gradient passes; reported as the
    read throughput of X against the measured bandwidth (scikit-learn has no equivalent)."""
    X, y = logistic_data(n, d, dtype, seed=2)
    est = GDClassifier(
        optimizer=optimizer,
        batch_size=batch_size,
        max_iter=epochs,
        tol=None,
        learning_rate="constant",
        eta0=0.01,
        random_state=0,
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med, raw, _ = interleaved({"marketlearn": lambda: est.fit(X, y)}, repeats)
    gbs = X.nbytes * epochs / med["marketlearn"] / 1e9
    label = (
        "full-batch gradient passes"
        if optimizer == "gd"
        else f"mini-batch SGD (batch {batch_size})"
    )
    return {
        "case": f"{label}, {epochs} epochs, {n:,}x{d} {np.dtype(dtype).name}",
        "median_s": med,
        "runs_s": raw,
        "ratio": None,
        "quality": {"X_read_GBps": gbs, "fraction_of_bandwidth": gbs / bandwidth},
    }


def case_predict_proba(n, d, repeats, bandwidth):
    X, y = logistic_data(n, d, np.float64, seed=3)
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
        "case": f"predict_proba {n:,}x{d}",
        "median_s": med,
        "runs_s": raw,
        "ratio": med["scikit-learn"] / med["marketlearn"],
        "quality": {
            "max_abs_difference": float(np.max(np.abs(out["scikit-learn"] - out["marketlearn"]))),
            "X_read_GBps": gbs,
            "fraction_of_bandwidth": gbs / bandwidth,
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
        f"- read bandwidth (1 thread, numpy sum over {report['bandwidth_bytes'] // 2**20} MiB): "
        f"**{report['bandwidth_GBps']:.1f} GB/s**",
        f"- versions: Python {s['python']}, numpy {s['numpy']}, scikit-learn {s['scikit-learn']}, "
        f"marketlearn {s['marketlearn']}",
        "- thread pools: "
        + ", ".join(
            f"{p['internal_api']} {p.get('version')} x{p['num_threads']}" for p in s["threadpools"]
        ),
        "",
        "| case | marketlearn (s) | scikit-learn (s) | ratio | quality |",
        "|---|---:|---:|---:|---|",
    ]
    for c in report["cases"]:
        m = c["median_s"]
        q = ", ".join(
            f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in c["quality"].items()
        )
        sk = f"{m['scikit-learn']:.3f}" if "scikit-learn" in m else "—"
        ratio = f"**{c['ratio']:.2f}x**" if c["ratio"] else "—"
        lines.append(f"| {c['case']} | {m['marketlearn']:.3f} | {sk} | {ratio} | {q} |")
    return "\n".join(lines) + "\n"


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

    bandwidth = read_bandwidth_gbs(bw_bytes, max(repeats, 5))
    print(f"read bandwidth: {bandwidth:.1f} GB/s", flush=True)
    cases = []
    plan = [
        lambda: case_l2_logistic(100_000 // scale, 20, np.float64, repeats),
        lambda: case_l2_logistic(100_000 // scale, 20, np.float32, repeats),
        lambda: case_l2_logistic(1_000_000 // scale, 100, np.float64, repeats),
        lambda: case_l2_logistic(1_000_000 // scale, 100, np.float32, repeats),
        lambda: case_sgd_epochs(100_000 // scale, 100, repeats),
        lambda: case_stream(1_000_000 // scale, 100, np.float64, repeats, bandwidth, "sgd", 256),
        lambda: case_stream(1_000_000 // scale, 100, np.float32, repeats, bandwidth, "sgd", 256),
        lambda: case_stream(1_000_000 // scale, 100, np.float64, repeats, bandwidth, "gd", 1),
        lambda: case_predict_proba(1_000_000 // scale, 100, repeats, bandwidth),
    ]
    for run in plan:
        result = run()
        cases.append(result)
        print(f"{result['case']}: {result['median_s']} ratio {result['ratio']}", flush=True)

    report = {
        "system": system_info(),
        "repeats": repeats,
        "bandwidth_bytes": bw_bytes,
        "bandwidth_GBps": bandwidth,
        "cases": cases,
    }
    Path(args.json).write_text(json.dumps(report, indent=2, default=float))
    Path(args.markdown).write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
