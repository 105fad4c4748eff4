"""Lead scoring on Bank Marketing: which clients to call first for a term deposit.

LeadScorer is fitted on the raw DataFrame (numeric and text columns) and compared with a
scikit-learn LogisticRegression pipeline on the same encoding and penalty
(C = 1 / (alpha n_train)). Prints test AUC of both, lift at the top decile, the decile
gains table and the top 10 leads with their three strongest reasons. Exits non-zero if
LeadScorer's AUC is more than 0.005 below scikit-learn's.

Data: bank-full.csv of the UCI Bank Marketing set (Moro et al. 2014, CC BY 4.0), from
$MARKETLEARN_SHARED_DATA or ../shared/data (the README's measurements use it). Without
that folder, the ``bank-additional-full`` release bundled with marketlearn
(``marketlearn.datasets.load_bank_marketing``) is used instead, and the output says so.
``duration`` (call length) is dropped: it is known only after the call, so it leaks the
outcome.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from marketlearn import LeadScorer
from marketlearn.datasets import load_bank_marketing
from marketlearn.metrics import gains_table, lift_score

ALPHA = 1e-4


def data_path() -> Path:
    root = os.environ.get("MARKETLEARN_SHARED_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[3] / "shared" / "data"
    return base / "bank_marketing" / "bank-full.csv"


def main() -> int:
    path = data_path()
    if path.exists():
        bank = pd.read_csv(path, sep=";").drop(columns="duration")
        X, y = bank.drop(columns="y"), (bank["y"] == "yes").astype(int)
        print(f"data: {path}")
    else:
        X, y = load_bank_marketing(return_X_y=True, drop_duration=True)
        print(f"data: {path} not found; using the bundled bank-additional-full release")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )

    start = time.perf_counter()
    scorer = LeadScorer(alpha=ALPHA).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    p = scorer.predict_proba(X_test)[:, 1]

    start = time.perf_counter()
    reference = make_pipeline(
        ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             make_column_selector(dtype_include="number")),
            ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                          OneHotEncoder(handle_unknown="ignore")),
             make_column_selector(dtype_exclude="number")),
        ]),
        LogisticRegression(C=1 / (ALPHA * len(y_train)), max_iter=5000),
    ).fit(X_train, y_train)  # fmt: skip
    seconds_sklearn = time.perf_counter() - start
    auc = roc_auc_score(y_test, p)
    auc_sklearn = roc_auc_score(y_test, reference.predict_proba(X_test)[:, 1])

    print(
        f"Bank Marketing: {len(X_train)} training / {len(X_test)} test clients, "
        f"{y.mean():.1%} subscribed"
    )
    print(
        f"Test AUC   LeadScorer {auc:.4f} (fit {seconds:.2f} s)   "
        f"scikit-learn LogisticRegression {auc_sklearn:.4f} (fit {seconds_sklearn:.2f} s)"
    )
    print(f"Lift at the top decile: {lift_score(y_test, p, fraction=0.1):.2f}")
    print("\nDecile gains table (test set, best decile first):")
    with pd.option_context(
        "display.width", 160, "display.max_columns", None, "display.precision", 3
    ):
        print(gains_table(y_test, p, n_bins=10))

    top = scorer.rank_leads(X_test, top=10)
    reasons = scorer.explain(X_test.loc[top.index], top_n=3)
    print("\nTop 10 leads and their 3 strongest reasons (log-odds contributions):")
    for row in top.itertuples():
        lead = row.Index
        mine = reasons[reasons["lead"] == lead]
        text = "; ".join(  # numeric reasons show the lead's value: "balance=12000"
            (r.feature if "=" in r.feature else f"{r.feature}={r.value:g}")
            + f" ({r.contribution:+.2f})"
            for r in mine.itertuples(index=False)
        )
        print(f"  #{row.rank:<2d} client {lead:>5}  score {row.score:3d}  {text}")

    gap = auc_sklearn - auc
    print(f"\nAUC gap (scikit-learn - LeadScorer): {gap:+.4f}")
    if gap > 0.005:
        print("FAIL: LeadScorer's AUC is more than 0.005 below scikit-learn's")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
