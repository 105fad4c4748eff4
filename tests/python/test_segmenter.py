"""CustomerSegmenter: scaling, automatic k, profiles in original units, DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from marketlearn import CustomerSegmenter, KMeans


@pytest.fixture
def customers():
    """Three planted groups on very different scales (days, counts, dollars)."""
    X, _ = make_blobs(n_samples=900, centers=3, n_features=3, cluster_std=0.5, random_state=4)
    X = (X - X.min(axis=0)) * np.array([30.0, 1.0, 500.0])
    return pd.DataFrame(X, columns=["recency", "frequency", "monetary"])


def test_auto_finds_the_planted_segments_and_profiles_them(customers):
    seg = CustomerSegmenter(random_state=0).fit(customers)
    assert seg.n_segments_ == 3
    profiles = seg.segment_profiles_
    assert list(profiles.columns) == ["size", "share", "recency", "frequency", "monetary"]
    assert profiles.index.name == "segment"
    assert profiles["size"].sum() == len(customers)
    assert profiles["share"].sum() == pytest.approx(1.0)
    # Segment 0 is the largest; profiles are means in the original units.
    assert list(profiles["size"]) == sorted(profiles["size"], reverse=True)
    for s in range(3):
        members = customers[seg.labels_ == s]
        assert profiles.loc[s, "size"] == len(members)
        np.testing.assert_allclose(
            profiles.loc[s, ["recency", "frequency", "monetary"]], members.mean()
        )
    np.testing.assert_allclose(seg.cluster_centers_, profiles.iloc[:, 2:].to_numpy(), rtol=1e-8)
    np.testing.assert_array_equal(seg.predict(customers), seg.labels_)
    assert seg.choice_.k == 3


def test_scaling_matters(customers):
    scaled = CustomerSegmenter(n_segments=3, random_state=0).fit(customers)
    raw = CustomerSegmenter(n_segments=3, scale=False, random_state=0).fit(customers)
    # Unscaled, dollars dominate the distances; scaled, every feature counts.
    assert scaled.inertia_ != raw.inertia_
    assert scaled.scaler_ is not None and raw.scaler_ is None
    assert scaled.choice_ is None


def test_fixed_number_of_segments_and_weights(customers):
    w = np.random.default_rng(0).integers(1, 4, len(customers)).astype(float)
    seg = CustomerSegmenter(n_segments=4, random_state=0).fit(customers, sample_weight=w)
    assert seg.n_segments_ == 4
    profiles = seg.segment_profiles_
    assert profiles["share"].sum() == pytest.approx(1.0)
    s0 = seg.labels_ == 0
    assert profiles.loc[0, "share"] == pytest.approx(w[s0].sum() / w.sum())
    assert profiles.loc[0, "monetary"] == pytest.approx(
        np.average(customers["monetary"][s0], weights=w[s0])
    )


def test_log_features_keep_profiles_in_original_units(customers):
    seg = CustomerSegmenter(n_segments=3, log_features=["frequency", "monetary"], random_state=0)
    seg.fit(customers)
    members = customers[seg.labels_ == 0]
    assert seg.segment_profiles_.loc[0, "monetary"] == pytest.approx(members["monetary"].mean())
    # Centres of log features are expm1 of the mean log: at most the arithmetic mean.
    assert seg.cluster_centers_[0, 2] <= members["monetary"].mean() + 1e-9
    with pytest.raises(ValueError, match="not a column"):
        CustomerSegmenter(log_features=["spend"]).fit(customers)
    with pytest.raises(ValueError, match=">= 0"):
        CustomerSegmenter(log_features="all").fit(customers - 10_000)
    by_index = CustomerSegmenter(n_segments=3, log_features=[1, 2], random_state=0).fit(customers)
    np.testing.assert_array_equal(by_index.labels_, seg.labels_)


def test_non_numeric_columns_are_a_clear_error(customers):
    frame = customers.assign(country=["FR", "DE", "UK"] * 300)
    with pytest.raises(ValueError, match=r"column\(s\) \['country'\] are not numeric"):
        CustomerSegmenter().fit(frame)
    encoded = pd.get_dummies(frame, columns=["country"], dtype=float)
    assert CustomerSegmenter(n_segments=3, random_state=0).fit(encoded).n_segments_ == 3


def test_matches_kmeans_on_the_scaled_data(customers):
    from sklearn.preprocessing import StandardScaler

    seg = CustomerSegmenter(n_segments=3, random_state=0, n_init=1).fit(customers.to_numpy())
    Z = StandardScaler().fit_transform(customers.to_numpy())
    km = KMeans(3, init=seg.kmeans_.cluster_centers_).fit(Z)
    assert seg.inertia_ == pytest.approx(km.inertia_, rel=1e-9)
    assert list(seg.segment_profiles_.columns[2:]) == ["x0", "x1", "x2"]


def test_too_few_customers():
    with pytest.raises(ValueError, match="n_samples=1"):
        CustomerSegmenter().fit(np.ones((1, 3)))
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_segments=3"):
        CustomerSegmenter(n_segments=3).fit(np.arange(6.0).reshape(2, 3))
