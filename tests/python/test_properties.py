"""Property tests (hypothesis) over shapes, dtypes and values: whatever valid data comes
in, the estimators give finite, well-formed outputs, deterministically, and the kernels
agree with numpy. Examples are few (max_examples <= 40) so the suite stays fast."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from marketlearn import ChurnClassifier, GDClassifier, GDRegressor, KMeans, LTVRegressor, _core
from marketlearn.clv import BetaGeoModel

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DTYPES = st.sampled_from([np.float32, np.float64])


@st.composite
def design(draw, min_rows=2, max_rows=40, max_cols=5):
    """(X, dtype): any shape, dtype float32 / float64, values of moderate to huge
    magnitude, sometimes with a constant or a duplicated (collinear) column."""
    dtype = draw(DTYPES)
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_cols))
    magnitude = draw(st.sampled_from([1.0, 1e3, 1e-3, 1e15 if dtype == np.float32 else 1e100]))
    values = draw(
        hnp.arrays(
            np.float64,
            (n, d),
            elements=st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False),
        )
    )
    X = values * magnitude
    shape = draw(st.sampled_from(["plain", "constant", "collinear"]))
    if shape == "constant":
        X[:, 0] = magnitude
    elif shape == "collinear" and d >= 2:
        X[:, 1] = 2.0 * X[:, 0]
    return np.ascontiguousarray(X, dtype=dtype)


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def _fit_or_clear_error(fn):
    """The fitted model, or None for a ValueError that names a remedy (divergence on
    extreme scales); any other outcome fails."""
    try:
        return _quiet(fn)
    except ValueError as e:
        message = str(e)
        assert "diverged" in message or "too large" in message, message
        return None


@SETTINGS
@given(X=design(), seed=st.integers(0, 2**16), cls=st.sampled_from([ChurnClassifier, GDClassifier]))
def test_classifier_probabilities_are_valid_and_fit_is_deterministic(X, seed, cls):
    y = np.random.default_rng(seed).integers(0, 2, len(X))
    assume(0 < y.sum() < len(y))
    model = _fit_or_clear_error(lambda: cls(random_state=0).fit(X, y))
    if model is None:
        return
    assert model.coef_.dtype == X.dtype  # float32 in, float32 model
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
    proba = model.predict_proba(X)
    assert proba.dtype == X.dtype
    assert proba.shape == (len(X), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    tolerance = 1e-6 if X.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=tolerance)
    assert set(np.unique(model.predict(X))) <= {0, 1}
    again = _quiet(lambda: cls(random_state=0).fit(X, y))
    np.testing.assert_array_equal(again.coef_, model.coef_)


@SETTINGS
@given(X=design(), seed=st.integers(0, 2**16), loss=st.sampled_from(["squared_error", "huber"]))
def test_regressor_predictions_are_finite(X, seed, loss):
    y = np.random.default_rng(seed).standard_normal(len(X))
    model = _fit_or_clear_error(lambda: GDRegressor(loss=loss, random_state=0).fit(X, y))
    if model is None:
        return
    assert np.all(np.isfinite(model.coef_))
    prediction = model.predict(X)
    assert prediction.dtype == X.dtype
    assert not np.any(np.isnan(prediction))


@SETTINGS
@given(
    X=design(max_rows=30),
    seed=st.integers(0, 2**16),
    loss=st.sampled_from(["tweedie", "poisson", "gamma"]),
)
def test_ltv_predictions_are_positive(X, seed, loss):
    rng = np.random.default_rng(seed)
    y = rng.gamma(2.0, 3.0, len(X)) if loss == "gamma" else rng.poisson(2.0, len(X)) * 1.0
    model = _fit_or_clear_error(lambda: LTVRegressor(loss=loss).fit(X, y))
    if model is None:
        return
    assert np.all(np.isfinite(model.coef_))
    prediction = model.predict(X)
    assert not np.any(np.isnan(prediction))
    assert np.all(prediction >= 0)


@SETTINGS
@given(X=design(min_rows=1), k=st.integers(1, 6), seed=st.integers(0, 1000))
def test_kmeans_labels_in_range_and_inertia_non_negative(X, k, seed):
    assume(k <= len(X))
    model = _quiet(lambda: KMeans(k, random_state=seed, n_init=1).fit(X))
    assert model.cluster_centers_.shape == (k, X.shape[1])
    assert model.cluster_centers_.dtype == X.dtype
    assert np.all(np.isfinite(model.cluster_centers_))
    assert model.inertia_ >= 0
    labels = model.predict(X)
    assert labels.min() >= 0 and labels.max() < k
    # labels_ and predict agree up to ties (duplicate points can give duplicate centres,
    # and fit keeps a point's label on an exact tie): the same distance either way.
    centres = model.cluster_centers_
    np.testing.assert_array_equal(centres[labels], centres[model.labels_])
    again = _quiet(lambda: KMeans(k, random_state=seed, n_init=1).fit(X))
    np.testing.assert_array_equal(again.cluster_centers_, model.cluster_centers_)


@st.composite
def customers(draw):
    n = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    frequency = rng.poisson(draw(st.floats(0.1, 20.0)), n).astype(float)
    T = rng.uniform(draw(st.floats(0.5, 10.0)), draw(st.floats(10.0, 1000.0)), n)
    recency = np.where(frequency > 0, T * rng.uniform(1e-6, 1.0, n), 0.0)
    return frequency, recency, T


@SETTINGS
@given(
    data=customers(),
    params=st.tuples(*[st.floats(1e-3, 1e3) for _ in range(4)]),
    t=st.floats(0.0, 1e4),
)
def test_bgnbd_expectations_finite_and_non_negative(data, params, t):
    frequency, recency, T = data
    model = BetaGeoModel()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), params))
    expected = model.predict(t, frequency, recency, T)
    alive = model.conditional_probability_alive(frequency, recency, T)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert np.all((alive >= 0) & (alive <= 1))
    if t == 0:
        np.testing.assert_array_equal(expected, 0.0)


@SETTINGS
@given(data=customers())
def test_bgnbd_fit_is_finite(data):
    frequency, recency, T = data
    assume(frequency.sum() > 0 and len(frequency) >= 2)
    model = _quiet(lambda: BetaGeoModel(penalizer_coef=0.01).fit(frequency, recency, T))
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
    assert np.all(np.isfinite(model.predict(10.0, frequency, recency, T)))


@SETTINGS
@given(X=design(min_rows=1, max_rows=64, max_cols=40), seed=st.integers(0, 2**16))
def test_linear_kernel_matches_numpy(X, seed):
    assume(np.max(np.abs(X)) < 1e30)
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal(X.shape[1]).astype(X.dtype)
    intercept = float(rng.standard_normal())
    out = _core.linear_decision_function(X, coef, intercept)
    reference = X.astype(np.float64) @ coef.astype(np.float64) + intercept
    # Sums in another order: bounded by the sum of |terms| times the dtype's epsilon.
    scale = np.abs(X.astype(np.float64)) @ np.abs(coef.astype(np.float64)) + abs(intercept)
    eps = np.finfo(X.dtype).eps
    assert np.all(np.abs(out - reference) <= 4 * X.shape[1] * eps * scale + eps)


@SETTINGS
@given(
    X=design(min_rows=1, max_rows=50, max_cols=6), k=st.integers(1, 5), seed=st.integers(0, 2**16)
)
def test_kmeans_assign_kernel_matches_numpy(X, k, seed):
    assume(np.max(np.abs(X)) < 1e15)
    rng = np.random.default_rng(seed)
    centres = np.ascontiguousarray(X[rng.integers(0, len(X), k)])
    labels, inertia = _core.kmeans_assign(X, centres, None, 1)
    X64, C64 = X.astype(np.float64), centres.astype(np.float64)
    distances = ((X64[:, None, :] - C64[None, :, :]) ** 2).sum(axis=2)
    best = distances.min(axis=1)
    chosen = distances[np.arange(len(X)), labels]
    # The kernel's choice is a nearest centre up to rounding of the distance expansion.
    eps = np.finfo(X.dtype).eps
    bound = 16 * eps * ((X64**2).sum(axis=1) + (C64**2).sum(axis=1).max()) + 1e-300
    assert np.all(chosen - best <= bound)
    assert inertia >= 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_in_float32_out_for_transforms(dtype):
    X = np.random.default_rng(0).standard_normal((20, 3)).astype(dtype)
    model = KMeans(2, random_state=0).fit(X)
    assert model.transform(X).dtype == dtype
    assert ChurnClassifier().fit(X, np.arange(20) % 2).decision_function(X).dtype == dtype


@SETTINGS
@given(
    base=hnp.arrays(np.int8, st.integers(1, 200), elements=st.integers(0, 3)),
    dtype=st.sampled_from([np.bool_, np.int8, np.uint8, np.int32, np.int64, np.uint64]),
    shift=st.sampled_from(["none", "negative", "wide", "beyond_intp"]),
)
def test_class_labels_equal_numpy_unique(base, dtype, shift):
    """The bincount path for integer labels gives np.unique's classes and dtype, for
    negative labels, spans too wide to count and values beyond intp alike."""
    from marketlearn._validation import _sorted_labels

    labels = base.astype(dtype)
    if shift == "negative":
        labels = base.astype(np.int64) - 2
    elif shift == "wide":
        labels = base.astype(np.int64) * 70_000
    elif shift == "beyond_intp":
        labels = base.astype(np.uint64) + np.uint64(2**63)
    ours, theirs = _sorted_labels(labels), np.unique(labels)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
