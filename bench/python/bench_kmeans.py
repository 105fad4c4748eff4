"""Fit time and inertia of marketlearn's KMeans against scikit-learn's, from the same
initial centres.

Data: 100,000 x 20 Gaussian blobs (30 overlapping centres, so k-means needs many
iterations). For k in (8, 64) and each dtype, both libraries start from the same
k-means++ centres and run to convergence (tol=1e-4); times are the best of --repeat runs.
scikit-learn is limited to the same number of threads (threadpoolctl).

Run:  python bench/python/bench_kmeans.py [--threads 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

from marketlearn import KMeans, _core, simd_info

CLOCK = time.process_time


def best_time(fit, repeat):
    times, model = [], None
    for _ in range(repeat):
        start = CLOCK()
        model = fit()
        times.append(CLOCK() - start)
    return min(times), model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--d", type=int, default=20)
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    X, _ = make_blobs(args.n, args.d, centers=30, cluster_std=6.0, random_state=0)
    clock = "wall" if args.wall else "CPU"
    print(f"X {args.n} x {args.d}, threads={args.threads}, SIMD {simd_info()['arch']}, {clock} s")
    print("dtype    k  algorithm  marketlearn   scikit-learn  iters (ml/sk)  rel. inertia diff")
    for dtype in (np.float64, np.float32):
        Xd = np.ascontiguousarray(X, dtype=dtype)
        for k in (8, 64):
            init, _ = _core.kmeans_plusplus(Xd, k, random_state=1)
            for ours, theirs in (("lloyd", "lloyd"), ("elkan", "elkan")):
                ml_model = KMeans(k, init=init, algorithm=ours, n_jobs=args.threads)
                sk_model = SkKMeans(k, init=init, n_init=1, algorithm=theirs)
                t_ml, ml = best_time(lambda m=ml_model, x=Xd: m.fit(x), args.repeat)
                with threadpool_limits(args.threads):
                    t_sk, sk = best_time(lambda m=sk_model, x=Xd: m.fit(x), args.repeat)
                gap = (ml.inertia_ - sk.inertia_) / sk.inertia_
                print(
                    f"{np.dtype(dtype).name:8s} {k:2d} {ours:9s} {t_ml:8.3f} s {t_sk:10.3f} s "
                    f"{ml.n_iter_:8d}/{sk.n_iter_:<4d} {gap:14.1e}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
