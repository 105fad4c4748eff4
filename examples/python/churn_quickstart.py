"""Churn prediction quickstart: marketlearn's ChurnClassifier next to scikit-learn.

Loads IBM's Telco Customer Churn data (bundled with marketlearn), one-hot encodes the
text columns and standardizes the numeric ones, then fits the same L2-regularized
logistic regression twice: ChurnClassifier(alpha) and scikit-learn's
LogisticRegression(C = 1 / (alpha * n_train)), which solve the same problem.

Run:  python examples/python/churn_quickstart.py

Exits with status 1 if the two test AUCs differ by more than 0.005, so the demo is also
a check.
"""

from __future__ import annotations

import sys
import time

from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import marketlearn
from marketlearn import ChurnClassifier
from marketlearn.datasets import load_telco_churn

ALPHA = 1e-4
MAX_AUC_GAP = 0.005


def preprocessor() -> ColumnTransformer:
    # Text columns (contract type, payment method, ...) become one-hot indicators;
    # numeric ones (tenure, charges, SeniorCitizen) are standardized.
    return ColumnTransformer(
        [
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                make_column_selector(dtype_exclude="number"),
            ),
            ("numeric", StandardScaler(), make_column_selector(dtype_include="number")),
        ]
    )


def evaluate(name, model, X_train, X_test, y_train, y_test) -> dict:
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    churn_probability = model.predict_proba(X_test)[:, 1]
    return {
        "model": name,
        "auc": roc_auc_score(y_test, churn_probability),
        "accuracy": accuracy_score(y_test, model.predict(X_test)),
        "fit_seconds": fit_seconds,
    }


def main() -> int:
    X, y = load_telco_churn(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    n_train = len(X_train)

    models = {
        f"marketlearn ChurnClassifier(alpha={ALPHA:g})": ChurnClassifier(alpha=ALPHA),
        f"sklearn LogisticRegression(C={1 / (ALPHA * n_train):.4g})": LogisticRegression(
            C=1.0 / (ALPHA * n_train), max_iter=1000
        ),
    }
    rows = [
        evaluate(
            name,
            Pipeline([("prep", preprocessor()), ("model", model)]),
            X_train,
            X_test,
            y_train,
            y_test,
        )
        for name, model in models.items()
    ]

    print(
        f"Telco churn: {n_train} customers to train, {len(X_test)} to test, "
        f"churn rate {y.mean():.1%}"
    )
    print(
        f"SIMD kernels: {marketlearn.simd_info()['arch']}  (marketlearn {marketlearn.__version__})"
    )
    print()
    width = max(len(row["model"]) for row in rows)
    print(f"{'model':<{width}}  {'test AUC':>8}  {'accuracy':>8}  {'fit time':>9}")
    for row in rows:
        print(
            f"{row['model']:<{width}}  {row['auc']:8.4f}  {row['accuracy']:8.4f}  "
            f"{row['fit_seconds'] * 1e3:7.1f} ms"
        )

    gap = abs(rows[0]["auc"] - rows[1]["auc"])
    print("(fit time: the whole pipeline, preprocessing included)")
    print(f"\nAUC gap: {gap:.2e} (allowed {MAX_AUC_GAP})")
    if gap > MAX_AUC_GAP:
        print("FAIL: marketlearn and scikit-learn disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
