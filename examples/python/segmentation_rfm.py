"""Customer segmentation from real transactions: RFM, then k-means segments.

Reads the UCI Online Retail transactions of French customers (default) or the CDNOW CD
sales (``--cdnow``) from the project's shared data folder, builds one RFM row per
customer with ``rfm_table`` (recency in days, frequency in orders, monetary in total
spend; cancellations and returns left out), lets ``CustomerSegmenter`` choose the number
of segments on log-scaled, standardized RFM, and prints each segment's profile in
plain units with a one-line description.

Run:  python examples/python/segmentation_rfm.py [--cdnow] [--method elbow]

Data: ../shared/data next to the repository, or the folder named by the environment
variable MARKETLEARN_SHARED_DATA (Online Retail: CC BY 4.0, UCI id 352; CDNOW: see its
PROVENANCE.md). Exits with status 1 if a check fails (every customer in exactly one
segment, profiles consistent), so the demo is also a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from marketlearn import CustomerSegmenter, rfm_table


def shared_data() -> Path:
    env = os.environ.get("MARKETLEARN_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def load_transactions(cdnow: bool):
    """(transactions, column names for rfm_table) of one data set."""
    root = shared_data()
    if cdnow:
        # customer_id is zero-padded ("00001"): keep it a string. date is YYYYMMDD.
        tx = pd.read_csv(root / "cdnow" / "CDNOW_master.csv", dtype={"customer_id": str})
        return tx, dict(customer_col="customer_id", date_col="date", amount_col="dollar_value")
    tx = pd.read_csv(root / "online_retail" / "online_retail_france.csv")
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

    if not shared_data().is_dir():
        print(f"shared data not found at {shared_data()}; set MARKETLEARN_SHARED_DATA")
        return 0
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
