"""Customer segmentation from real transactions: RFM, then k-means segments.

Loads the UCI Online Retail transactions of French customers (default) or the CDNOW CD
sales (``--cdnow``), both bundled with marketlearn (``marketlearn.datasets``), builds one
RFM row per customer with ``rfm_table`` (recency in days, frequency in orders, monetary in
total spend; cancellations and returns left out), lets ``CustomerSegmenter`` choose the
number of segments on log-scaled, standardized RFM, and prints each segment's profile in
plain units with a one-line description.

Run:  python examples/python/segmentation_rfm.py [--cdnow] [--method elbow]

Data: Online Retail (CC BY 4.0, UCI id 352) and CDNOW (Fader & Hardie via lifetimes); see
``marketlearn.datasets.online_retail_provenance()`` and ``cdnow_provenance()``. Exits
with status 1 if a check fails (every customer in exactly one segment, profiles
consistent), so the demo is also a test.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from marketlearn import CustomerSegmenter, rfm_table
from marketlearn.datasets import load_cdnow, load_online_retail


def load_transactions(cdnow: bool):
    """(transactions, column names for rfm_table) of one data set."""
    if cdnow:
        # customer_id stays a zero-padded string ("00001"); date is parsed already.
        tx = load_cdnow()
        return tx, dict(customer_col="customer_id", date_col="date", amount_col="dollar_value")
    tx = load_online_retail(["France"])
    tx["amount"] = tx["Quantity"] * tx["UnitPrice"]  # line value in GBP
    columns = dict(
        customer_col="CustomerID",
        date_col="InvoiceDate",
        amount_col="amount",
        invoice_col="InvoiceNo",
    )
    return tx, columns


def describe(profile: pd.Series, overall: pd.DataFrame) -> str:
    """A marketer's one-liner: each RFM mean against the average customer's."""
    recency = "recent" if profile["recency"] <= overall["recency"].mean() else "lapsed"
    frequency = "frequent" if profile["frequency"] > overall["frequency"].mean() else "occasional"
    spend = "high spend" if profile["monetary"] > overall["monetary"].mean() else "low spend"
    return f"{recency}, {frequency}, {spend}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cdnow", action="store_true", help="CDNOW instead of Online Retail France"
    )
    parser.add_argument(
        "--method", default="silhouette", choices=["silhouette", "elbow", "calinski_harabasz"]
    )
    args = parser.parse_args()

    tx, columns = load_transactions(args.cdnow)
    rfm = rfm_table(tx, **columns)
    currency = "$" if args.cdnow else "GBP "
    print(f"{len(tx):,} transaction lines -> RFM of {len(rfm):,} customers")
    print(rfm.describe().loc[["mean", "50%", "max"]].round(1).to_string(), "\n")

    start = time.perf_counter()
    segmenter = CustomerSegmenter(
        method=args.method, log_features=["frequency", "monetary"], random_state=0
    ).fit(rfm)
    seconds = time.perf_counter() - start
    print(f"Number of segments chosen by {args.method}: {segmenter.n_segments_} ({seconds:.2f} s)")
    print(segmenter.choice_.to_frame().round(3).T.to_string(), "\n")

    profiles = segmenter.segment_profiles_.copy()
    profiles["description"] = [describe(p, rfm) for _, p in profiles.iterrows()]
    table = profiles.rename(
        columns={
            "size": "customers",
            "share": "share %",
            "recency": "days since last order",
            "frequency": "orders" if not args.cdnow else "purchase days",
            "monetary": f"total spend ({currency.strip()})",
        }
    )
    table["share %"] = 100 * table["share %"]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round(1).to_string())

    ok = (
        profiles["size"].sum() == len(rfm)
        and np.isclose(profiles["share"].sum(), 1.0)
        and np.array_equal(segmenter.predict(rfm), segmenter.labels_)
    )
    print("\nchecks:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
