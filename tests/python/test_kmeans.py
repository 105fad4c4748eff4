"""KMeans and MiniBatchKMeans against scikit-learn, on real (CDNOW RFM) and synthetic data."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import run_python
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

from marketlearn import KMeans, MiniBatchKMeans, _core, rfm_table


@pytest.fixture(scope="module")
def cdnow_rfm(reference_data):
    """Standardized log-RFM of the 23,570 CDNOW customers (real, heavy-tailed data)."""
    tx = pd.read_csv(reference_data / "cdnow" / "CDNOW_master.csv", dtype={"customer_id": str})
    rfm = rfm_table(tx, "customer_id", "date", "dollar_value")
    return np.ascontiguousarray(StandardScaler().fit_transform(np.log1p(rfm.to_numpy(float))))


def overlapping_blobs(n=6000, d=8, centers=10, seed=0):
    X, _ = make_blobs(
        n_samples=n, n_features=d, centers=centers, cluster_std=3.0, random_state=seed
    )
    return np.ascontiguousarray(X)


def exact_inertia(X, centres, labels, sample_weight=None):
    X = np.asarray(X, dtype=np.float64)
    r = ((X - np.asarray(centres, dtype=np.float64)[labels]) ** 2).sum(axis=1)
    return float(r @ (np.ones(len(X)) if sample_weight is None else sample_weight))


def same_init(X, k, seed):
    centres, _ = _core.kmeans_plusplus(X, k, random_state=seed)
    return centres


# ---- the same fixed point as scikit-learn's Lloyd ------------------------------------


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
@pytest.mark.parametrize("k", [3, 8, 20])
def test_same_fixed_point_as_sklearn_on_cdnow_rfm(cdnow_rfm, k, algorithm):
    init = same_init(cdnow_rfm, k, seed=k)
    ours = KMeans(k, init=init, algorithm=algorithm).fit(cdnow_rfm)
    ref = SkKMeans(k, init=init, n_init=1, algorithm="lloyd").fit(cdnow_rfm)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-6, atol=1e-8)
    assert np.mean(ours.labels_ == ref.labels_) > 0.9999


@pytest.mark.parametrize("algorithm", ["lloyd", "hamerly"])
@pytest.mark.parametrize("k", [2, 10, 33])
def test_same_fixed_point_as_sklearn_on_blobs(k, algorithm):
    X = overlapping_blobs()
    init = same_init(X, k, seed=1)
    ours = KMeans(k, init=init, algorithm=algorithm, tol=0).fit(X)
    ref = SkKMeans(k, init=init, n_init=1, tol=0).fit(X)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


def test_same_fixed_point_with_sample_weight():
    X = overlapping_blobs(n=3000)
    w = np.random.default_rng(0).uniform(0.1, 5.0, len(X))
    init = same_init(X, 6, seed=2)
    # tol=0: scikit-learn scales tol by unweighted variances, marketlearn by weighted ones.
    ours = KMeans(6, init=init, tol=0).fit(X, sample_weight=w)
    ref = SkKMeans(6, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)
    assert ours.score(X, sample_weight=w) == pytest.approx(ref.score(X, sample_weight=w), rel=1e-6)


@pytest.mark.parametrize("algorithm", ["lloyd", "hamerly"])
def test_integer_weights_equal_repeated_rows_in_row_order(algorithm):
    # scikit-learn's own check shuffles the weighted rows (see
    # test_sklearn_checks_segmentation.py); in the same order the seeding draws the same
    # points, so the fits agree.
    X = overlapping_blobs(n=600, d=4, centers=5)
    w = np.random.default_rng(1).integers(0, 4, len(X))
    weighted = KMeans(5, random_state=3, n_init=2, algorithm=algorithm).fit(X, sample_weight=w)
    repeated = KMeans(5, random_state=3, n_init=2, algorithm=algorithm).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=1e-9)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-9)
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))

    init = X[:5].copy()
    a = MiniBatchKMeans(5, init=init).partial_fit(X, sample_weight=w)
    b = MiniBatchKMeans(5, init=init).partial_fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-9)


def test_empty_cluster_is_relocated_like_sklearn():
    X = overlapping_blobs(n=2000, d=3, centers=4)
    init = same_init(X, 5, seed=3)
    init[4] = 1e3  # far from every point: empty after the first assignment
    ours = KMeans(5, init=init).fit(X)
    ref = SkKMeans(5, init=init, n_init=1).fit(X)
    assert len(np.unique(ours.labels_)) == 5
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)


def test_float32_stays_float32_and_inertia_is_accurate():
    X = overlapping_blobs().astype(np.float32) + np.float32(1000)  # far from the origin
    model = KMeans(8, random_state=0).fit(X)
    assert model.cluster_centers_.dtype == np.float32
    assert model.transform(X[:5]).dtype == np.float32
    assert model.labels_.dtype == np.int32
    # Differences, not the ||x||^2 - 2 x.c expansion: no cancellation 1000 away from 0.
    assert model.inertia_ == pytest.approx(
        exact_inertia(X, model.cluster_centers_, model.labels_), rel=1e-5
    )


# ---- estimator behaviour -----------------------------------------------------------------


def test_predict_transform_score_match_definitions():
    X = overlapping_blobs(n=1500)
    model = KMeans(7, random_state=1, n_init=3).fit(X)
    distances = cdist(X, model.cluster_centers_)
    np.testing.assert_allclose(model.transform(X), distances, rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X), distances.argmin(axis=1))
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.score(X) == pytest.approx(-model.inertia_, rel=1e-12)
    assert model.fit_predict(X).shape == (len(X),)


def test_random_state_and_n_jobs_give_identical_models():
    X = overlapping_blobs(n=20000)
    for cls, extra in ((KMeans, {"n_init": 2}), (MiniBatchKMeans, {"batch_size": 512})):
        one = cls(8, random_state=5, n_jobs=1, **extra).fit(X)
        two = cls(8, random_state=5, n_jobs=2, **extra).fit(X)
        np.testing.assert_array_equal(one.cluster_centers_, two.cluster_centers_)
        np.testing.assert_array_equal(one.labels_, two.labels_)
        assert one.inertia_ == two.inertia_


def test_n_init_keeps_the_best_run():
    X = overlapping_blobs()
    single = [KMeans(12, init="random", n_init=1, random_state=s).fit(X).inertia_ for s in range(5)]
    best_of_five = KMeans(12, init="random", n_init=5, random_state=0).fit(X).inertia_
    assert best_of_five <= np.median(single)


def test_hamerly_equals_lloyd_and_elkan_is_hamerly():
    X = overlapping_blobs(n=4000)
    runs = {
        a: KMeans(16, algorithm=a, random_state=3).fit(X) for a in ("lloyd", "elkan", "hamerly")
    }
    np.testing.assert_array_equal(runs["lloyd"].labels_, runs["hamerly"].labels_)
    np.testing.assert_array_equal(runs["elkan"].cluster_centers_, runs["hamerly"].cluster_centers_)


def test_errors_are_value_errors():
    X = overlapping_blobs(n=10)
    with pytest.raises(ValueError, match="n_samples=10 should be >= n_clusters=11"):
        KMeans(11).fit(X)
    with pytest.raises(ValueError, match="shape of the initial centers"):
        KMeans(3, init=np.zeros((2, X.shape[1]))).fit(X)
    with pytest.raises(ValueError, match="Negative values"):
        KMeans(2).fit(X, sample_weight=-np.ones(10))
    with pytest.raises(ValueError):
        KMeans(2, algorithm="full").fit(X)
    with pytest.warns(RuntimeWarning, match="performing only one init"):
        KMeans(2, init=X[:2], n_init=3).fit(X)


def test_pandas_input_and_pickle():
    X = overlapping_blobs(n=500, d=3)
    frame = pd.DataFrame(X, columns=["recency", "frequency", "monetary"])
    model = KMeans(4, random_state=0).fit(frame)
    assert list(model.feature_names_in_) == ["recency", "frequency", "monetary"]
    assert list(model.get_feature_names_out()) == [f"kmeans{i}" for i in range(4)]
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(frame), model.labels_)
    assert clone(model).get_params() == model.get_params()


_NO_COPY = """
import json, resource
import numpy as np
from marketlearn import KMeans, MiniBatchKMeans

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

rng = np.random.default_rng(0)
KMeans(4, max_iter=2).fit(rng.standard_normal((500, 32)).astype(np.{dtype}))
MiniBatchKMeans(4, max_iter=1).fit(rng.standard_normal((500, 32)).astype(np.{dtype}))
X = np.empty((1_000_000, 32), dtype=np.{dtype})
for s in range(0, len(X), 50_000):
    X[s:s + 50_000] = rng.standard_normal((50_000, 32))
before = peak()
KMeans(4, max_iter=3, random_state=0).fit(X)
MiniBatchKMeans(4, max_iter=1, random_state=0).fit(X)
print(json.dumps({{"x": X.nbytes, "increase": peak() - before}}))
"""


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_does_not_copy_x(dtype):
    result = run_python(_NO_COPY.format(dtype=dtype))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    # Labels (int32) and per-row distances (dtype) are the only n-sized buffers.
    assert stats["increase"] < 0.5 * stats["x"], stats


# ---- mini-batch ----------------------------------------------------------------------------

#: Single mini-batch runs land in different local minima (inertia spread ~10% across seeds
#: on these data), so "no worse than scikit-learn" is a statement about distributions:
#: over SEEDS, marketlearn must not be significantly worse (one-sided Mann-Whitney U test,
#: p > 0.05) and its median may exceed scikit-learn's by at most the noise of a 21-seed
#: median (2%). docs/segmentation.md records the measured ratios.
MEDIAN_NOISE = 1.02
SEEDS = range(21)


def assert_no_worse(ours, ref, label):
    from scipy.stats import mannwhitneyu

    ratio = np.median(ours) / np.median(ref)
    p_worse = mannwhitneyu(ours, ref, alternative="greater").pvalue
    print(f"{label}: median inertia ratio {ratio:.4f}, P(ours worse) test p={p_worse:.2f}")
    assert ratio <= MEDIAN_NOISE
    assert p_worse > 0.05


@pytest.mark.parametrize("dataset", ["cdnow_rfm", "blobs"])
@pytest.mark.parametrize("k, batch_size", [(8, 1024), (8, 256), (20, 1024)])
def test_minibatch_inertia_no_worse_than_sklearn(request, dataset, k, batch_size):
    X = request.getfixturevalue("cdnow_rfm") if dataset == "cdnow_rfm" else overlapping_blobs(20000)
    ours = [
        MiniBatchKMeans(k, batch_size=batch_size, random_state=s).fit(X).inertia_ for s in SEEDS
    ]
    ref = [
        SkMiniBatchKMeans(k, batch_size=batch_size, random_state=s).fit(X).inertia_ for s in SEEDS
    ]
    assert_no_worse(ours, ref, f"{dataset} k={k} batch={batch_size}")


def test_minibatch_without_final_lloyd_is_sklearns_algorithm():
    X = overlapping_blobs(20000)
    ours = [MiniBatchKMeans(8, random_state=s, final_lloyd_steps=0).fit(X).inertia_ for s in SEEDS]
    ref = [SkMiniBatchKMeans(8, random_state=s).fit(X).inertia_ for s in SEEDS]
    assert np.median(ours) == pytest.approx(np.median(ref), rel=0.02)


def test_partial_fit_streams_as_well_as_sklearn():
    X = overlapping_blobs(20000)
    ours, ref = [], []
    for seed in range(7):
        rng = np.random.default_rng(seed)
        stream, sk_stream = (
            MiniBatchKMeans(8, random_state=seed),
            SkMiniBatchKMeans(8, random_state=seed),
        )
        for _ in range(3):
            for chunk in np.array_split(rng.permutation(len(X)), 40):
                stream.partial_fit(X[chunk])
                sk_stream.partial_fit(X[chunk])
        assert stream.n_steps_ == 120
        assert stream.labels_.shape == (len(X) // 40,)
        ours.append(-stream.score(X))
        ref.append(-sk_stream.score(X))
    assert_no_worse(ours, ref, "partial_fit stream")


def test_minibatch_labels_and_inertia_are_exact():
    X = overlapping_blobs(10000)
    model = MiniBatchKMeans(8, random_state=0, batch_size=300).fit(X)
    np.testing.assert_array_equal(model.labels_, model.predict(X))
    assert model.inertia_ == pytest.approx(
        exact_inertia(X, model.cluster_centers_, model.labels_), rel=1e-10
    )
    assert model.n_steps_ >= 1 and model.n_iter_ >= 1
    lazy = MiniBatchKMeans(8, random_state=0, batch_size=300, compute_labels=False).fit(X)
    assert not hasattr(lazy, "labels_")
    assert lazy.inertia_ > 0


def test_partial_fit_continues_a_fit_and_keeps_dtype():
    X = overlapping_blobs(5000).astype(np.float32)
    model = MiniBatchKMeans(6, random_state=0).fit(X)
    counts = model._counts.copy()
    model.partial_fit(X[:1000])
    assert model.cluster_centers_.dtype == np.float32
    assert model._counts.sum() > counts.sum()
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:100, :3])
