"""Model files for the families beyond linear classifiers (format version 2): LTVRegressor
(linear, log link), KMeans / MiniBatchKMeans ("kmeans"), BetaGeoModel ("bgnbd"),
GammaGammaModel ("gamma_gamma"). LeadScorer and CustomerSegmenter: see
test_model_files_pipelines.py.

Each family: a Python round trip predicts exactly the same values, pickle still works,
the C++ reader (through _core.load_model_file_predict) predicts the same within 1e-12,
and malformed files are ValueErrors naming the problem in both readers.
"""

# ruff: noqa: E501  (the case table reads best one case per line)

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from marketlearn import (
    KMeans,
    LTVRegressor,
    MiniBatchKMeans,
    _core,
    load_model,
    save_model,
)
from marketlearn.clv import BetaGeoModel, GammaGammaModel

RNG = np.random.default_rng(7)


def _ltv_data():
    X = RNG.standard_normal((300, 4))
    mean = np.exp(X @ [0.4, -0.3, 0.1, 0.0] + 1.0)
    return X, RNG.poisson(mean) * RNG.gamma(2.0, 5.0, 300)


def _customers(n=400):
    frequency = RNG.poisson(1.5, n).astype(float)
    T = RNG.uniform(20, 50, n)
    recency = np.where(frequency > 0, T * RNG.uniform(0.05, 1.0, n), 0.0)
    monetary = np.where(frequency > 0, RNG.gamma(3.0, 12.0, n), 0.0)
    return frequency, recency, T, monetary


@pytest.fixture(scope="module")
def ltv_models():
    X, y = _ltv_data()
    return X, {
        "tweedie": LTVRegressor().fit(X, y),
        "poisson": LTVRegressor(loss="poisson").fit(X, y),
        "gamma": LTVRegressor(loss="gamma").fit(X, y + 1.0),
        "float32": LTVRegressor().fit(X.astype(np.float32), y.astype(np.float32)),
    }


@pytest.fixture(scope="module")
def kmeans_models():
    X = np.concatenate([RNG.normal(c, 1.0, (100, 3)) for c in (0.0, 6.0, 12.0)])
    frame = pd.DataFrame(X, columns=["recency", "frequency", "monetary"])
    return X, {
        "kmeans": KMeans(3, random_state=0).fit(X),
        "kmeans-frame": KMeans(4, random_state=1, algorithm="elkan").fit(frame),
        "kmeans-float32": KMeans(3, random_state=0).fit(X.astype(np.float32)),
        "minibatch": MiniBatchKMeans(3, random_state=0, batch_size=64).fit(X),
    }


@pytest.fixture(scope="module")
def clv_models():
    frequency, recency, T, monetary = _customers()
    returning = frequency > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a parameter may run away on synthetic data
        bgnbd = BetaGeoModel(penalizer_coef=0.001).fit(frequency, recency, T)
        gg = GammaGammaModel().fit(frequency[returning], monetary[returning])
    return (frequency, recency, T, monetary), bgnbd, gg


def _round_trip(model, tmp_path, name="model.json"):
    path = tmp_path / name
    save_model(model, path)
    return path, load_model(path)


# ---- LTVRegressor: the linear family with the log link --------------------------------


@pytest.mark.parametrize("key", ["tweedie", "poisson", "gamma", "float32"])
def test_ltv_round_trip_and_cpp_reader(tmp_path, ltv_models, key):
    X, models = ltv_models
    model = models[key]
    path, loaded = _round_trip(model, tmp_path)
    Xd = X.astype(model.coef_.dtype)
    assert type(loaded) is LTVRegressor
    assert loaded.get_params()["loss"] == model.loss
    np.testing.assert_array_equal(loaded.predict(Xd), model.predict(Xd))
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.coef_.dtype == model.coef_.dtype
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(loaded)).predict(Xd), model.predict(Xd))

    doc = json.loads(path.read_text())
    assert doc["version"] == 1  # the linear family is readable by version-1 readers
    assert doc["family"] == {"name": "linear", "loss": model.loss, "link": "log"}
    cpp = _core.load_model_predict(str(path), np.ascontiguousarray(X, dtype=np.float64))
    assert cpp["link"] == "log"
    expected = model.predict(X.astype(np.float64))
    np.testing.assert_allclose(cpp["predict"], expected, rtol=1e-12, atol=0)
    generic = _core.load_model_file_predict(str(path), X=np.ascontiguousarray(X, dtype=np.float64))
    assert generic["family"] == "linear" and generic["version"] == 1
    np.testing.assert_allclose(generic["predict"], expected, rtol=1e-12, atol=0)


# ---- k-means ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["kmeans", "kmeans-frame", "kmeans-float32", "minibatch"])
def test_kmeans_round_trip_and_cpp_reader(tmp_path, kmeans_models, key):
    X, models = kmeans_models
    model = models[key]
    path, loaded = _round_trip(model, tmp_path)
    assert type(loaded) is type(model)
    Xin = X.astype(model.cluster_centers_.dtype)
    if hasattr(model, "feature_names_in_"):
        Xin = pd.DataFrame(Xin, columns=model.feature_names_in_)
        np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    np.testing.assert_array_equal(loaded.cluster_centers_, model.cluster_centers_)
    assert loaded.cluster_centers_.dtype == model.cluster_centers_.dtype
    np.testing.assert_array_equal(loaded.predict(Xin), model.predict(Xin))
    np.testing.assert_array_equal(loaded.transform(Xin), model.transform(Xin))
    assert loaded.score(Xin) == model.score(Xin)
    assert loaded.inertia_ == model.inertia_
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(loaded)).predict(Xin), model.predict(Xin)
    )

    doc = json.loads(path.read_text())
    assert doc["version"] == 2
    assert doc["family"] == {"name": "kmeans"}
    cpp = _core.load_model_file_predict(str(path), X=np.ascontiguousarray(X, dtype=np.float64))
    assert cpp["family"] == "kmeans" and cpp["estimator"] == type(model).__name__
    # C++ computes in float64; a float32 model's labels agree away from near-ties, which
    # these well-separated clusters do not have.
    np.testing.assert_array_equal(cpp["labels"], model.predict(Xin))


def test_minibatch_partial_fit_continues_exactly_after_loading(tmp_path, kmeans_models):
    X, _ = kmeans_models
    model = MiniBatchKMeans(3, random_state=0, batch_size=64).fit(X)
    _, loaded = _round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded._counts, model._counts)
    assert loaded.n_steps_ == model.n_steps_
    # The same random stream on both sides: partial_fit on a copy vs on the loaded model.
    for m in (model, loaded):
        m._random_state = np.random.RandomState(5)
        m.partial_fit(X[:100])
    np.testing.assert_array_equal(loaded.cluster_centers_, model.cluster_centers_)


# ---- CLV models -------------------------------------------------------------------------


def test_bgnbd_round_trip_and_cpp_reader(tmp_path, clv_models):
    (frequency, recency, T, _), model, _ = clv_models
    path, loaded = _round_trip(model, tmp_path)
    assert type(loaded) is BetaGeoModel
    assert loaded.params_ == model.params_
    t = np.full_like(frequency, 12.0)
    expected = model.predict(t, frequency, recency, T)
    np.testing.assert_array_equal(loaded.predict(t, frequency, recency, T), expected)
    np.testing.assert_array_equal(
        loaded.conditional_probability_alive(frequency, recency, T),
        model.conditional_probability_alive(frequency, recency, T),
    )
    pd.testing.assert_frame_equal(loaded.summary, model.summary)
    assert loaded.converged_ == model.converged_
    assert pickle.loads(pickle.dumps(loaded)).params_ == model.params_

    doc = json.loads(path.read_text())
    assert doc["version"] == 2
    assert doc["family"] == {"name": "bgnbd", "parameters": ["r", "alpha", "a", "b"]}
    cpp = _core.load_model_file_predict(str(path), t=t, frequency=frequency, recency=recency, T=T)
    np.testing.assert_allclose(cpp["expected_purchases"], expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        cpp["probability_alive"],
        model.conditional_probability_alive(frequency, recency, T),
        rtol=1e-12,
        atol=0,
    )


def test_bgnbd_without_covariance_loads_with_nan_standard_errors(tmp_path, clv_models):
    _, model, _ = clv_models
    path = tmp_path / "m.json"
    save_model(model, path)
    doc = json.loads(path.read_text())
    del doc["attributes"]["variance_matrix_"]  # what a fit with a singular Hessian writes
    path.write_text(json.dumps(doc))
    loaded = load_model(path)
    assert loaded.params_ == model.params_
    assert all(np.isnan(v) for v in loaded.standard_errors_.values())


def test_gamma_gamma_round_trip_and_cpp_reader(tmp_path, clv_models):
    (frequency, _, _, monetary), _, model = clv_models
    path, loaded = _round_trip(model, tmp_path)
    assert type(loaded) is GammaGammaModel
    assert loaded.params_ == model.params_
    expected = model.conditional_expected_average_profit(frequency, monetary)
    np.testing.assert_array_equal(
        loaded.conditional_expected_average_profit(frequency, monetary), expected
    )
    pd.testing.assert_frame_equal(loaded.summary, model.summary)
    doc = json.loads(path.read_text())
    assert doc["family"] == {"name": "gamma_gamma", "parameters": ["p", "q", "v"]}
    cpp = _core.load_model_file_predict(str(path), frequency=frequency, monetary_value=monetary)
    np.testing.assert_allclose(cpp["expected_average_profit"], expected, rtol=1e-12, atol=0)


# ---- malformed files of the new families -------------------------------------------------


def _mutated(tmp_path, path, change):
    doc = json.loads(path.read_text())
    change(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    return bad


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(doc):
        node = doc
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value

    return change


def _delete(*keys):
    def change(doc):
        node = doc
        for k in keys[:-1]:
            node = node[k]
        del node[keys[-1]]

    return change


# (fixture, model key, change, Python message, C++ message or None when only Python checks)
BAD_FAMILY_FILES = [
    ("kmeans", _set("version", 1), "version 1 has no family 'kmeans'", "needs version 2"),
    ("kmeans", _set("family", "name", "linear"), "family is", "lacks the required"),
    ("kmeans", _set("params", "n_clusters", 4), r"cluster_centers_ has shape \[3, 3\], expected \[4, 3\]", None),
    ("kmeans", _set("params", "n_clusters", 0), "params: The 'n_clusters' parameter", None),
    ("kmeans", _set("attributes", "n_features_in_", 2), r"expected \[3, 2\]", r"shape must be \[n_clusters >= 1, 2\]"),
    ("kmeans", _set("attributes", "cluster_centers_", "dtype", "int64"), "dtype is 'int64'", "integer for dtype int64"),
    ("kmeans", _set("attributes", "cluster_centers_", "data", 0, "0.5"), r"cluster_centers_.data\[0\] must be a number", r"data\[0\] must be a number"),
    ("kmeans", _delete("attributes", "cluster_centers_"), "lacks the required attribute 'cluster_centers_'", "lacks the required attribute"),
    ("kmeans", _set("attributes", "inertia_", -1.0), "inertia_=-1.0 must be >= 0", None),
    ("kmeans", _set("attributes", "labels_", [1, 2]), "unknown attribute 'labels_'", "must be a scalar or"),
    ("minibatch", _set("attributes", "counts_", "data", 0, -3.0), "counts_ must be >= 0", None),
    ("minibatch", _delete("attributes", "n_since_last_reassign_"), "go together", None),
    ("bgnbd", _set("attributes", "params_", "data", 1, -4.4), r"params_.data\[1\] \(alpha=-4.4\) must be > 0", r"\(alpha=-4.4\) must be > 0"),
    ("bgnbd", _set("attributes", "params_", "data", 0, 0), r"\(r=0.0\) must be > 0", r"\(r=0\) must be > 0"),
    ("bgnbd", _set("attributes", "params_", "shape", [3]), "data has 4 elements but the shape", "has 4 elements but the shape says 3"),
    ("bgnbd", _set("family", "parameters", ["r", "a", "alpha", "b"]), "family is", r"must be \[r, alpha, a, b\]"),
    ("bgnbd", _set("estimator", "__import__('os')"), "is not one this marketlearn loads", "is not a class name"),
    ("bgnbd", _set("attributes", "converged_", "yes"), "converged_ must be true or false", None),
    ("bgnbd", _set("attributes", "variance_matrix_", "shape", [2, 8]), r"variance_matrix_ has shape \[2, 8\], expected \[4, 4\]", None),
    ("gamma_gamma", _set("family", "name", "bgnbd"), "family is", r"must be \[r, alpha, a, b\]"),
    ("gamma_gamma", _set("attributes", "params_", "dtype", "float32"), r"params_.dtype is .float32.", "is not a float32 value|params_.dtype must be float64"),
    ("gamma_gamma", _set("version", 3), "newer than this marketlearn", "newer than this reader"),
]  # fmt: skip


@pytest.mark.parametrize(
    "which, change, python_message, cpp_message",
    BAD_FAMILY_FILES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_FAMILY_FILES)],
)
def test_bad_family_file_is_rejected(
    tmp_path, kmeans_models, clv_models, which, change, python_message, cpp_message
):
    model = {
        "kmeans": kmeans_models[1]["kmeans"],
        "minibatch": kmeans_models[1]["minibatch"],
        "bgnbd": clv_models[1],
        "gamma_gamma": clv_models[2],
    }[which]
    path = tmp_path / "good.json"
    save_model(model, path)
    bad = _mutated(tmp_path, path, change)
    with pytest.raises(ValueError, match="invalid model file .*" + python_message):
        load_model(bad)
    if cpp_message is not None:
        frequency = np.ones(2)
        with pytest.raises(ValueError, match=cpp_message):
            _core.load_model_file_predict(
                str(bad),
                X=np.zeros((2, 3)),
                t=frequency,
                frequency=frequency,
                recency=frequency,
                T=frequency * 2,
                monetary_value=frequency,
            )


def test_serve_model_example_serves_kmeans_segments(tmp_path, kmeans_models):
    import subprocess

    from test_model_files import _serve_model_binary

    X, models = kmeans_models
    model = models["kmeans-frame"]
    path = tmp_path / "segments.json"
    save_model(model, path)
    frame = pd.DataFrame(X, columns=model.feature_names_in_)
    # Columns by name, in another order, plus one the model does not use.
    csv = frame[["monetary", "recency", "frequency"]].assign(customer="x")
    csv.to_csv(tmp_path / "rows.csv", index=False, float_format="%.17g")
    result = subprocess.run(
        [_serve_model_binary(), str(path), str(tmp_path / "rows.csv")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(__import__("io").StringIO(result.stdout))
    assert list(out.columns) == ["segment"]
    np.testing.assert_array_equal(out["segment"].to_numpy(), model.predict(frame))
    # A CLV model file is refused with a message naming its family.
    bgnbd = tmp_path / "bgnbd.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f, r, T, _ = _customers(50)
        save_model(BetaGeoModel(penalizer_coef=0.01).fit(f, r, T), bgnbd)
    refused = subprocess.run(
        [_serve_model_binary(), str(bgnbd), "-"], input="a\n1\n",
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "'bgnbd' family" in refused.stderr
