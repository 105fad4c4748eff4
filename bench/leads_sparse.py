"""Fit times on sparse and dense data: marketlearn vs scikit-learn, median of 3.

One-hot Bank Marketing (CSR from LeadScorer's encoding, and the same matrix dense) and a
synthetic 300,000 x 200,000 CSR matrix with 10 non-zeros per row (3 epochs).
Usage: python bench/leads_sparse.py [--repeats 3] [--skip-big]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score

from marketlearn import GDClassifier, LeadScorer

warnings.simplefilter("ignore", ConvergenceWarning)


def timed(make, X, y, repeats):
    times, model = [], None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def bank(repeats):
    root = os.environ.get("MARKETLEARN_SHARED_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[2] / "shared" / "data"
    df = pd.read_csv(base / "bank_marketing" / "bank-full.csv", sep=";").drop(columns="duration")
    X, y = df.drop(columns="y"), (df["y"] == "yes").astype(int).to_numpy()
    scorer = LeadScorer().fit(X, y)
    Z = sp.csr_matrix(scorer.encode(X))
    alpha = 1e-4
    C = 1 / (alpha * len(y))
    models = {
        "marketlearn GDClassifier lbfgs": lambda: GDClassifier(optimizer="lbfgs", tol=1e-4),
        "marketlearn GDClassifier adam": lambda: GDClassifier(optimizer="adam", random_state=0),
        "sklearn LogisticRegression lbfgs": lambda: LogisticRegression(C=C, max_iter=5000),
        "sklearn LogisticRegression saga": lambda: LogisticRegression(
            C=C, solver="saga", max_iter=5000
        ),
        "sklearn SGDClassifier log_loss": lambda: SGDClassifier(
            loss="log_loss", alpha=alpha, random_state=0
        ),
    }
    for label, data in (("one-hot Bank CSR", Z), ("one-hot Bank dense", Z.toarray())):
        print(f"\n{label}: {data.shape[0]} x {data.shape[1]}")
        for name, make in models.items():
            seconds, model = timed(make, data, y, repeats)
            auc = roc_auc_score(y, model.decision_function(data))
            print(f"  {name:36s} {seconds:7.3f} s   train AUC {auc:.4f}")


def big(repeats):
    n, d, k = 300_000, 200_000, 10
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(
        (
            np.ones(n * k),
            rng.integers(0, d, n * k, dtype=np.int32),
            np.arange(0, n * k + 1, k, dtype=np.int32),
        ),
        shape=(n, d),
    )
    w = np.zeros(d)
    w[:2000] = rng.standard_normal(2000) * 3
    y = (X @ w + rng.logistic(size=n) > 0).astype(int)
    models = {
        "marketlearn GDClassifier adam b256": lambda: GDClassifier(
            optimizer="adam", batch_size=256, max_iter=3, tol=None, random_state=0
        ),
        # (No batch_size=1 SGD here: every step updates all 200,000 weights (the L2
        # term is dense), 900,000 steps per epoch; scikit-learn's SGD keeps w = scale * v
        # to make such steps O(nnz of the row).)
        "marketlearn GDClassifier lbfgs 30it": lambda: GDClassifier(
            optimizer="lbfgs", tol=1e-8, max_iter=30
        ),
        "sklearn SGDClassifier 3 epochs": lambda: SGDClassifier(
            loss="log_loss", max_iter=3, tol=None, random_state=0
        ),
        "sklearn LogisticRegression lbfgs 30it": lambda: LogisticRegression(
            C=1 / (1e-4 * n), max_iter=30
        ),
        "sklearn LogisticRegression saga 3ep": lambda: LogisticRegression(
            C=1 / (1e-4 * n), solver="saga", max_iter=3
        ),
    }
    print(f"\nsynthetic CSR {n} x {d}, {k} nnz/row")
    for name, make in models.items():
        seconds, model = timed(make, X, y, repeats)
        acc = model.score(X[:50_000], y[:50_000])
        print(f"  {name:36s} {seconds:7.3f} s   train accuracy {acc:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-bank", action="store_true")
    args = parser.parse_args()
    if not args.skip_bank:
        bank(args.repeats)
    if not args.skip_big:
        big(args.repeats)
