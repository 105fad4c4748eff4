"""Synthetic customer bases drawn from the BG/NBD and Gamma-Gamma models, for the CLV tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The published CDNOW fits (lifetimes docs/Quickstart.md; shared/data/cdnow/PROVENANCE.md).
CDNOW_BGNBD = {"r": 0.242593, "alpha": 4.413532, "a": 0.792886, "b": 2.425752}
CDNOW_BGNBD_SE = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def simulate_bgnbd(n, r, alpha, a, b, T, seed=0, whole_days=False):
    """(frequency, recency, T) of n customers drawn from the BG/NBD model.

    Purchases follow a Poisson process of rate lambda ~ Gamma(r, alpha); after each repeat
    purchase the customer drops out with probability p ~ Beta(a, b). T is a scalar or an
    array (e.g. uniform ages). With whole_days, times are rounded up to whole units.
    """
    rng = np.random.default_rng(seed)
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    dropout_after = rng.geometric(p)  # repeat purchases until (and including) dropout
    possible = rng.poisson(lam * T)  # repeat purchases in (0, T] without dropout
    x = np.minimum(dropout_after, possible)
    # the x-th of `possible` uniform arrival times on (0, T]: T * Beta(x, possible - x + 1)
    tx = np.zeros(n)
    buyers = x > 0
    tx[buyers] = T[buyers] * rng.beta(x[buyers], possible[buyers] - x[buyers] + 1)
    if whole_days:
        T = np.ceil(T)
        tx = np.minimum(np.ceil(tx), T)
    return x.astype(np.float64), tx, T


def cdnow_summary(reference_data):
    return pd.read_csv(reference_data / "cdnow" / "cdnow_customers_summary.csv", index_col="ID")


def cdnow_spend(reference_data):
    return pd.read_csv(
        reference_data / "cdnow" / "cdnow_customers_summary_with_transactions.csv", index_col="ID"
    )
