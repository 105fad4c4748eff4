"""LeadScorer: scikit-learn compatibility, raw DataFrames (categoricals, NaN), scores,
ranking and reason codes, and AUC against scikit-learn on Bank Marketing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.estimator_checks import parametrize_with_checks

from marketlearn import LeadScorer


@parametrize_with_checks([LeadScorer(), LeadScorer(optimizer="adam", random_state=0)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _leads(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "age": rng.integers(20, 70, n).astype(float),
            "visits": rng.poisson(3, n).astype(float),
            "job": rng.choice(["retired", "student", "admin.", "technician"], n),
            "channel": pd.Categorical(rng.choice(["web", "phone", "event"], n)),
            "newsletter": rng.random(n) < 0.3,
        },
        index=pd.Index([f"lead{i}" for i in range(n)], name="lead_id"),
    )
    z = (
        -1.5 + 0.5 * X["visits"] - 0.02 * (X["age"] - 45)
        + np.where(X["job"] == "student", 1.0, 0.0)
        + np.where(X["channel"] == "event", 0.8, 0.0) + 0.5 * X["newsletter"]
    )  # fmt: skip
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    X.loc[X.sample(frac=0.05, random_state=1).index, "age"] = np.nan
    X.loc[X.sample(frac=0.05, random_state=2).index, "job"] = None
    return X, y


def test_dataframe_with_categoricals_and_nan():
    X, y = _leads()
    scorer = LeadScorer().fit(X, y)
    assert list(scorer.classes_) == ["no", "yes"]
    assert list(scorer.feature_names_in_) == list(X.columns)
    names = list(scorer.get_feature_names_out())
    assert names[:2] == ["age", "visits"]
    assert "job=student" in names and "channel=event" in names and "newsletter=True" in names
    assert scorer.coef_.shape == (len(names),)
    proba = scorer.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.all(np.isfinite(proba))
    assert scorer.score(X, y) > 0.6
    # The planted effects come out with the right signs.
    coef = dict(zip(names, scorer.coef_))
    assert coef["visits"] > 0 and coef["job=student"] > coef["job=retired"]
    # Unseen categories and missing values at prediction time are fine.
    new = X.iloc[:3].copy()
    new["job"] = ["astronaut", None, "student"]
    new.loc[new.index[0], "visits"] = np.nan
    assert np.all(np.isfinite(scorer.decision_function(new)))


def test_same_model_as_sklearn_pipeline():
    from sklearn.linear_model import LogisticRegression

    X, y = _leads(seed=3)
    alpha = 1e-3
    scorer = LeadScorer(alpha=alpha, tol=1e-10).fit(X, y)
    Z = scorer.encode(X)
    assert Z.shape == (len(X), len(scorer.get_feature_names_out()))
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(Z, y)
    np.testing.assert_allclose(scorer.coef_, ref.coef_.ravel(), atol=1e-6)
    np.testing.assert_allclose(scorer.decision_function(X), ref.decision_function(Z), atol=1e-6)


def test_class_weight_and_sample_weight():
    from sklearn.linear_model import LogisticRegression

    X, y = _leads(seed=4)
    balanced = LeadScorer(class_weight="balanced", tol=1e-10).fit(X, y)
    plain = LeadScorer(tol=1e-10).fit(X, y)
    # Balanced weights lift the rare class's probabilities on average towards 1/2.
    assert balanced.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean() or (
        np.mean(y == "yes") > 0.5
    )
    w = np.where(y == "yes", 5.0, 1.0)
    weighted = LeadScorer(alpha=1e-3, tol=1e-10).fit(X, y, sample_weight=w)
    Z = weighted.encode(X)
    ref = LogisticRegression(C=1 / (1e-3 * w.sum()), tol=1e-12, max_iter=10_000)
    ref.fit(Z, y, sample_weight=w)
    np.testing.assert_allclose(weighted.coef_, ref.coef_.ravel(), atol=1e-6)


def test_scores_ordered_like_probabilities():
    X, y = _leads(seed=5)
    scorer = LeadScorer().fit(X, y)
    p = scorer.predict_proba(X)[:, 1]
    scores = scorer.score_leads(X)
    assert scores.dtype == np.int64 and scores.min() >= 0 and scores.max() <= 100
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(scores[order]) >= 0)  # never a lower score for a higher p
    np.testing.assert_array_equal(scores, np.floor(100 * p + 0.5).astype(int))
    ranked = scorer.rank_leads(X)
    assert list(ranked.columns) == ["score", "probability", "rank"]
    assert ranked.index.name == "lead_id" and set(ranked.index) == set(X.index)
    assert list(ranked["rank"]) == list(range(1, len(X) + 1))
    assert np.all(np.diff(ranked["probability"].to_numpy()) <= 0)
    assert np.all(np.diff(ranked["score"].to_numpy()) <= 0)
    top = scorer.rank_leads(X, top=10)
    pd.testing.assert_frame_equal(top, ranked.iloc[:10])
    # Arrays work too (index 0..n-1).
    scorer_np = LeadScorer().fit(X[["age", "visits"]].to_numpy(), y)
    assert list(scorer_np.rank_leads(X[["age", "visits"]].to_numpy()[:5]).columns) == [
        "score", "probability", "rank"
    ]  # fmt: skip


def test_explain_contributions_sum_to_decision_function():
    X, y = _leads(seed=6)
    scorer = LeadScorer().fit(X, y)
    sample = X.iloc[:50]
    reasons = scorer.explain(sample, top_n=None)
    total = reasons.groupby("lead", sort=False)["contribution"].sum()
    decision = pd.Series(scorer.decision_function(sample), index=sample.index)
    np.testing.assert_allclose(
        total.reindex(sample.index, fill_value=0.0) + scorer.intercept_, decision, atol=1e-10
    )
    top3 = scorer.explain(sample, top_n=3)
    assert list(top3.columns) == ["lead", "rank", "feature", "value", "contribution", "direction"]
    assert top3.groupby("lead").size().max() == 3
    first = top3[top3["lead"] == sample.index[0]]
    assert list(first["rank"]) == [1, 2, 3]
    assert np.all(np.diff(np.abs(first["contribution"].to_numpy())) <= 0)
    assert set(top3["direction"]) <= {"up", "down"}
    assert np.all((top3["contribution"] > 0) == (top3["direction"] == "up"))
    # Readable names and raw values: "job=student" with value "student".
    jobs = top3[top3["feature"].str.startswith("job=")]
    for _, row in jobs.iterrows():
        assert row["feature"] == f"job={row['value']}"


def test_bank_marketing_auc_close_to_sklearn(reference_data):
    path = reference_data / "bank_marketing" / "bank-full.csv"
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from marketlearn.metrics import lift_score

    if path.is_file():
        bank = pd.read_csv(path, sep=";").drop(columns="duration")
        X, y = bank.drop(columns="y"), (bank["y"] == "yes").astype(int)
    else:  # the release bundled with marketlearn: 41,188 calls
        from marketlearn.datasets import load_bank_marketing

        X, y = load_bank_marketing(return_X_y=True, drop_duration=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    alpha = 1e-4
    scorer = LeadScorer(alpha=alpha).fit(X_train, y_train)
    auc = roc_auc_score(y_test, scorer.predict_proba(X_test)[:, 1])
    reference = make_pipeline(
        ColumnTransformer([
            ("numeric", StandardScaler(), make_column_selector(dtype_include="number")),
            ("categorical", OneHotEncoder(handle_unknown="ignore"),
             make_column_selector(dtype_exclude="number")),
        ]),
        LogisticRegression(C=1 / (alpha * len(y_train)), max_iter=5000),
    ).fit(X_train, y_train)  # fmt: skip
    auc_sklearn = roc_auc_score(y_test, reference.predict_proba(X_test)[:, 1])
    lift = lift_score(y_test, scorer.predict_proba(X_test)[:, 1], fraction=0.1)
    print(
        f"Bank Marketing test AUC: LeadScorer {auc:.4f}, scikit-learn {auc_sklearn:.4f}; "
        f"lift at top decile {lift:.2f}"
    )
    assert auc >= auc_sklearn - 0.005
    assert lift > 2.5
