"""Fit times of marketlearn.clv against lifetimes (median of repeated runs).

BG/NBD on the CDNOW summary (2,357 customers) and on synthetic customer bases drawn from
the BG/NBD model with ages in whole days (as summaries from transaction logs have);
Gamma-Gamma on CDNOW's returning customers. lifetimes is timed as documented (one row
per customer) and also on rows pre-aggregated into weights (its documented speed-up);
marketlearn always takes one row per customer and aggregates internally.

    python bench/python/clv_vs_lifetimes.py [--sizes 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "python"))
from clv_helpers import simulate_bgnbd  # noqa: E402

from marketlearn.clv import BetaGeoModel, GammaGammaModel  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--data",
        default=os.environ.get(
            "MARKETLEARN_SHARED_DATA", str(Path(__file__).resolve().parents[3] / "shared" / "data")
        ),
    )
    args = parser.parse_args()
    try:
        import lifetimes
    except ImportError:
        lifetimes = None
        print("lifetimes is not installed: timing marketlearn only")
    warnings.simplefilter("ignore")

    rows = []

    def record(case, n, tool, seconds, params):
        rows.append(
            {
                "case": case,
                "customers": n,
                "tool": tool,
                "seconds": seconds,
                "params": ", ".join(f"{v:.4g}" for v in params),
            }
        )
        print(f"{case:<28} {n:>9} {tool:<28} {seconds:9.3f} s   {rows[-1]['params']}", flush=True)

    cdnow = pd.read_csv(Path(args.data) / "cdnow" / "cdnow_customers_summary.csv")
    x, tx, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    datasets = [("BG/NBD CDNOW", x, tx, T)]
    rng = np.random.default_rng(1)
    for n in args.sizes:
        sx, stx, sT = simulate_bgnbd(
            n, 0.25, 28.0, 0.8, 2.5, rng.uniform(30, 365, n), seed=n, whole_days=True
        )
        datasets.append(("BG/NBD synthetic (days)", sx, stx, sT))

    for case, fx, ftx, fT in datasets:
        data = (fx, ftx, fT)
        n = len(fx)
        seconds, model = median_time(lambda d=data: BetaGeoModel().fit(*d), args.repeat)
        record(case, n, "marketlearn", seconds, model.params_.values())
        if lifetimes is None:
            continue
        seconds, fitter = median_time(lambda d=data: lifetimes.BetaGeoFitter().fit(*d), args.repeat)
        record(case, n, "lifetimes", seconds, fitter.params_.to_numpy())

        def aggregated(d=data):
            groups = pd.DataFrame({"x": d[0], "tx": d[1], "T": d[2]}).value_counts()
            groups = groups.reset_index(name="w")
            return lifetimes.BetaGeoFitter().fit(
                groups["x"], groups["tx"], groups["T"], weights=groups["w"]
            )

        seconds, fitter = median_time(aggregated, args.repeat)
        record(case, n, "lifetimes (rows aggregated)", seconds, fitter.params_.to_numpy())

    spend = pd.read_csv(Path(args.data) / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    spend = spend[spend["x"] > 0]
    seconds, model = median_time(
        lambda: GammaGammaModel().fit(spend["x"], spend["zbar"]), args.repeat
    )
    record("Gamma-Gamma CDNOW", len(spend), "marketlearn", seconds, model.params_.values())
    if lifetimes is not None:
        seconds, fitter = median_time(
            lambda: lifetimes.GammaGammaFitter().fit(spend["x"], spend["zbar"]), args.repeat
        )
        record("Gamma-Gamma CDNOW", len(spend), "lifetimes", seconds, fitter.params_.to_numpy())

    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
