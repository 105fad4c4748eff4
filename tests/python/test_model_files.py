"""Model files: save_model / load_model round-trip exactly, the C++ reader predicts the
same values, and every malformed file is a ValueError from both readers."""

# ruff: noqa: E501  (the case tables read best one case per line)

from __future__ import annotations

import io
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

import marketlearn
from marketlearn import ChurnClassifier, _core, load_model, save_model
from marketlearn._io import FORMAT_VERSION, MAX_VALUES


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    X = rng.standard_normal((120, 4))
    y = (X @ [1.5, -2.0, 0.5, 0.0] + 0.3 * rng.standard_normal(120) > 0).astype(int)
    return X, y


@pytest.fixture()
def saved(tmp_path, data):
    """(path, model, X) for a ChurnClassifier fitted on pandas input with string labels."""
    X, y = data
    frame = pd.DataFrame(X, columns=["tenure", "charges", "calls", "age"])
    labels = pd.Series(np.where(y == 1, "Yes", "No"))
    model = ChurnClassifier(alpha=1e-3).fit(frame, labels)
    path = tmp_path / "churn.json"
    save_model(model, path)
    return path, model, frame


def assert_same_model(a, b):
    for name in ("coef_", "intercept_", "classes_"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype or (x.dtype.kind == y.dtype.kind == "U"), name
        assert x.shape == y.shape, name
        assert np.array_equal(x, y), name
    assert a.n_features_in_ == b.n_features_in_
    assert a.get_params() == b.get_params()


def cpp_predictions(path, X):
    return _core.load_model_predict(os.fspath(path), np.ascontiguousarray(X, dtype=np.float64))


# ---- round trips --------------------------------------------------------------------------


def test_round_trip_pandas_string_labels(saved):
    path, model, frame = saved
    loaded = load_model(path)
    assert type(loaded) is ChurnClassifier
    assert_same_model(model, loaded)
    assert list(loaded.feature_names_in_) == ["tenure", "charges", "calls", "age"]
    assert loaded.n_iter_ == model.n_iter_
    assert loaded.objective_ == model.objective_
    assert np.array_equal(loaded.loss_curve_, model.loss_curve_)
    assert np.array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
    assert np.array_equal(loaded.predict(frame), model.predict(frame))
    # Feature-name checks still apply to the loaded model.
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame[["charges", "tenure", "calls", "age"]])


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1]),
        np.array([-1, 1], dtype=np.int32),
        np.array([False, True]),
        np.array(["stay", "churn"]),
        np.array([0.0, 1.0]),
        np.array(["No", "Yes"], dtype=object),
        np.array([10, 20], dtype=np.uint8),
    ],
    ids=lambda a: str(a.dtype),
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_labels_and_dtypes(tmp_path, data, labels, dtype):
    X, y = data
    X = X.astype(dtype)
    model = ChurnClassifier(fit_intercept=dtype == np.float64).fit(X, labels[y])
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert_same_model(model, loaded)
    assert loaded.coef_.dtype == dtype
    assert loaded.classes_.dtype == model.classes_.dtype
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert np.array_equal(loaded.decision_function(X), model.decision_function(X))


def test_file_is_the_documented_json(saved):
    path, model, _ = saved
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert list(doc) == [
        "format", "version", "marketlearn_version", "estimator", "family", "params", "attributes",
    ]  # fmt: skip
    assert doc["format"] == "marketlearn-model"
    # Linear models are still written as version 1, so older readers keep reading them.
    assert doc["version"] == 1 and FORMAT_VERSION == 2
    assert doc["marketlearn_version"] == marketlearn.__version__
    assert doc["estimator"] == "ChurnClassifier"
    assert doc["family"] == {"name": "linear", "loss": "log_loss", "link": "logit"}
    assert doc["params"] == model.get_params()
    coef = doc["attributes"]["coef_"]
    assert coef == {"dtype": "float64", "shape": [1, 4], "data": model.coef_.ravel().tolist()}
    assert doc["attributes"]["classes_"]["data"] == ["No", "Yes"]


def test_float32_written_as_exact_float64_values(tmp_path, data):
    X, y = data
    model = ChurnClassifier().fit(X.astype(np.float32), y)
    save_model(model, tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    written = np.array(doc["attributes"]["coef_"]["data"])
    assert np.array_equal(written, model.coef_.astype(np.float64).ravel())
    assert np.array_equal(written.astype(np.float32), model.coef_.ravel())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=6))
def test_any_finite_double_round_trips_exactly_in_python_and_cpp(tmp_path_factory, values):
    coef = np.array(values, dtype=np.float64)
    model = ChurnClassifier()
    model.classes_ = np.array([0, 1])
    model.coef_ = coef.reshape(1, -1)
    model.intercept_ = np.zeros(1)
    model.n_features_in_ = coef.size
    path = tmp_path_factory.mktemp("hyp") / "m.json"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.coef_.tobytes() == model.coef_.tobytes()
    # The C++ reader parses every number to the same double: with X = identity rows and
    # intercept 0, the decision function is exactly the coefficients, up to the sign of
    # zero: a -0.0 coefficient plus the +0.0 terms of the sum is +0.0 under IEEE rules.
    cpp = cpp_predictions(path, np.eye(coef.size))
    assert cpp["decision_function"].tobytes() == (coef + 0.0).tobytes()


# ---- the C++ reader predicts what Python predicts ----------------------------------------


def test_cpp_reader_matches_python(saved):
    path, model, frame = saved
    cpp = cpp_predictions(path, frame.to_numpy())
    assert cpp["estimator"] == "ChurnClassifier"
    assert (cpp["loss"], cpp["link"], cpp["dtype"]) == ("log_loss", "logit", "float64")
    assert cpp["classes"] == ["No", "Yes"]
    assert cpp["feature_names"] == ["tenure", "charges", "calls", "age"]
    np.testing.assert_allclose(
        cpp["decision_function"], model.decision_function(frame), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        cpp["predict_proba"], model.predict_proba(frame), rtol=1e-12, atol=1e-12
    )
    assert np.array_equal(model.classes_[cpp["class_index"]], model.predict(frame))
    assert cpp["predict"] is None


def test_cpp_reader_matches_python_on_telco(tmp_path, telco_arrays):
    A_train, A_test, y_train, _ = telco_arrays
    model = ChurnClassifier(alpha=1e-4).fit(A_train, y_train)
    save_model(model, tmp_path / "telco.json")
    cpp = cpp_predictions(tmp_path / "telco.json", A_test)
    np.testing.assert_allclose(
        cpp["predict_proba"], model.predict_proba(A_test), rtol=1e-12, atol=1e-12
    )
    assert cpp["classes"] == [str(c) for c in model.classes_]


@pytest.mark.parametrize(
    "labels, expected",
    [
        (np.array([-1, 1]), ["-1", "1"]),
        (np.array([False, True]), ["False", "True"]),
        (np.array([0.0, 1.0]), ["0.0", "1.0"]),
    ],
)
def test_cpp_labels_are_python_str(tmp_path, data, labels, expected):
    X, y = data
    save_model(ChurnClassifier().fit(X, labels[y]), tmp_path / "m.json")
    assert cpp_predictions(tmp_path / "m.json", X)["classes"] == expected


def test_cpp_reader_float32_model(tmp_path, data):
    X, y = data
    model = ChurnClassifier().fit(X.astype(np.float32), y)
    save_model(model, tmp_path / "m.json")
    cpp = cpp_predictions(tmp_path / "m.json", X)
    assert cpp["dtype"] == "float32"
    # float64 input: Python converts the float32 coefficients to float64, as C++ does.
    np.testing.assert_allclose(cpp["predict_proba"], model.predict_proba(X), rtol=1e-12, atol=1e-12)


# ---- GDClassifier / GDRegressor (once marketlearn has them) ------------------------------


def _gd(name):
    cls = getattr(marketlearn, name, None)
    if cls is None:
        pytest.skip(f"marketlearn.{name} is not in this version")
    return cls


@pytest.mark.parametrize("loss", ["log_loss", "modified_huber", "hinge"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_gd_classifier_files(tmp_path, data, loss, n_classes):
    GDClassifier = _gd("GDClassifier")
    X, y = data
    labels = np.array(["bronze", "silver", "gold"])[(y + (X[:, 3] > 0.5)) % n_classes]
    model = GDClassifier(loss=loss, random_state=0, max_iter=20, tol=None).fit(X, labels)
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert_same_model(model, loaded)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    cpp = cpp_predictions(tmp_path / "m.json", X)
    np.testing.assert_allclose(
        cpp["decision_function"], model.decision_function(X), rtol=1e-12, atol=1e-12
    )
    if loss == "hinge":
        assert cpp["predict_proba"] is None
    else:
        np.testing.assert_allclose(
            cpp["predict_proba"], model.predict_proba(X), rtol=1e-12, atol=1e-12
        )
    assert np.array_equal(model.classes_[cpp["class_index"]], model.predict(X))


@pytest.mark.parametrize("loss", ["squared_error", "poisson", "gamma"])
def test_gd_regressor_files(tmp_path, data, loss):
    GDRegressor = _gd("GDRegressor")
    X, _ = data
    y = np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1]) + 0.1
    model = GDRegressor(loss=loss, optimizer="lbfgs").fit(X, y)
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert np.array_equal(loaded.coef_, model.coef_)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    cpp = cpp_predictions(tmp_path / "m.json", X)
    assert cpp["link"] == ("identity" if loss == "squared_error" else "log")
    np.testing.assert_allclose(cpp["predict"], model.predict(X), rtol=1e-12, atol=1e-12)


# ---- pickle keeps working -------------------------------------------------------------------


def test_pickle_round_trip_of_fitted_and_loaded_models(saved):
    path, model, frame = saved
    for m in (model, load_model(path)):
        clone = pickle.loads(pickle.dumps(m))
        assert_same_model(m, clone)
        assert np.array_equal(clone.predict_proba(frame), m.predict_proba(frame))


# ---- saving: what cannot be saved ---------------------------------------------------------


def test_save_unfitted_model(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(ChurnClassifier(), tmp_path / "m.json")
    assert not list(tmp_path.iterdir())


def test_save_foreign_estimator(tmp_path, data):
    X, y = data
    with pytest.raises(ValueError, match="supports marketlearn estimators.*LogisticRegression"):
        save_model(LogisticRegression().fit(X, y), tmp_path / "m.json")

    class MyChurn(ChurnClassifier):
        pass

    with pytest.raises(ValueError, match="MyChurn"):
        save_model(MyChurn().fit(X, y), tmp_path / "m.json")


def test_non_json_parameter_is_left_out_with_a_warning(tmp_path, data):
    X, y = data
    model = ChurnClassifier(random_state=np.random.RandomState(0)).fit(X, y)
    with pytest.warns(UserWarning, match="random_state"):
        save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert loaded.random_state is None
    assert np.array_equal(loaded.coef_, model.coef_)


def test_save_replaces_the_file_atomically(tmp_path, saved):
    path, model, _ = saved
    path.write_text("old")
    save_model(model, path)
    assert load_model(path).n_features_in_ == 4
    assert sorted(p.name for p in path.parent.iterdir()) == ["churn.json"]
    with pytest.raises(OSError):
        save_model(model, tmp_path / "missing-dir" / "m.json")
    assert not (tmp_path / "missing-dir").exists()


# ---- loading: every malformed file is a ValueError, from both readers -------------------


def _mutate(doc, change):
    doc = json.loads(json.dumps(doc))
    change(doc)
    return doc


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def change(doc):
        for k in keys[:-1]:
            doc = doc[k]
        doc[keys[-1]] = value

    return change


def _delete(*keys):
    def change(doc):
        for k in keys[:-1]:
            doc = doc[k]
        del doc[keys[-1]]

    return change


COEF = ("attributes", "coef_")


def _set_with_message(*args):
    *path_and_value, message = args
    return _set(*path_and_value), message


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param(*_set_with_message("format", "pickle", "not a marketlearn model file"), id="wrong-format"),
        pytest.param(*_set_with_message("version", 3, "newer than"), id="newer-version"),
        pytest.param(*_set_with_message("version", 0, "version"), id="version-zero"),
        pytest.param(*_set_with_message("version", 1.0, "version must be an integer"), id="version-float"),
        pytest.param(*_set_with_message("version", True, "version must be an integer"), id="version-bool"),
        pytest.param(_delete("params"), "params", id="missing-params"),
        pytest.param(*_set_with_message("extra", 1, "unknown key"), id="unknown-top-key"),
        pytest.param(*_set_with_message("estimator", "os.system", "estimator"), id="unknown-estimator"),
        pytest.param(*_set_with_message("family", "name", "kmeans", "family"), id="other-family"),
        pytest.param(*_set_with_message("family", "loss", "hinge", "family"), id="family-loss-mismatch"),
        pytest.param(*_set_with_message("family", "link", "log", "link"), id="family-link-mismatch"),
        pytest.param(*_set_with_message("params", [1], "params must be"), id="params-not-object"),
        pytest.param(*_set_with_message("attributes", [1], "attributes must be"), id="attributes-not-object"),
        pytest.param(_delete("attributes", "coef_"), "coef_", id="missing-coef"),
        pytest.param(_delete("attributes", "classes_"), "classes_", id="missing-classes"),
        pytest.param(_delete("attributes", "n_features_in_"), "n_features_in_", id="missing-n-features"),
        pytest.param(*_set_with_message("attributes", "n_features_in_", 0, "n_features_in_"), id="n-features-zero"),
        pytest.param(*_set_with_message("attributes", "n_features_in_", 5, "coef_"), id="n-features-mismatch"),
        pytest.param(*_set_with_message("attributes", "n_features_in_", "4", "n_features_in_"), id="n-features-string"),
        pytest.param(*_set_with_message(*COEF, [1.0, 2.0], "coef_"), id="coef-not-array-object"),
        pytest.param(*_set_with_message(*COEF, "shape", [4], "coef_"), id="coef-wrong-shape"),
        pytest.param(*_set_with_message(*COEF, "shape", [1, 4, 1], "dimensions"), id="coef-3d"),
        pytest.param(*_set_with_message(*COEF, "shape", [1, -4], "coef_.shape"), id="coef-negative-shape"),
        pytest.param(*_set_with_message(*COEF, "shape", [1 << 40, 1 << 40], "coef_.shape"), id="coef-huge-shape"),
        pytest.param(*_set_with_message(*COEF, "shape", [1, MAX_VALUES + 1], "coef_.shape"), id="coef-over-limit"),
        pytest.param(*_set_with_message(*COEF, "data", [1.0, 2.0, 3.0], "coef_.data"), id="coef-data-length"),
        pytest.param(*_set_with_message(*COEF, "data", [1.0, "2", 3.0, 4.0], r"coef_.data\[1\]"), id="coef-string"),
        pytest.param(*_set_with_message(*COEF, "data", [1.0, None, 3.0, 4.0], r"coef_.data\[1\]"), id="coef-null"),
        pytest.param(*_set_with_message(*COEF, "data", [1.0, True, 3.0, 4.0], r"coef_.data\[1\]"), id="coef-bool"),
        pytest.param(*_set_with_message(*COEF, "data", [1.0, [2.0], 3.0, 4.0], r"coef_.data\[1\]"), id="coef-nested"),
        pytest.param(*_set_with_message(*COEF, "dtype", "int64", "coef_"), id="coef-int-dtype"),
        pytest.param(*_set_with_message(*COEF, "dtype", "complex128", "dtype"), id="coef-bad-dtype"),
        pytest.param(*_set_with_message(*COEF, "dtype", "float32", "float32"), id="coef-not-float32"),
        pytest.param(*_set_with_message(*COEF, "order", "C", "order"), id="coef-extra-key"),
        pytest.param(*_set_with_message("attributes", "intercept_", "shape", [2], "intercept_"), id="intercept-shape"),
        pytest.param(*_set_with_message("attributes", "classes_", {"dtype": "str", "shape": [1], "data": ["a"]}, "2 classes"), id="one-class"),
        pytest.param(*_set_with_message("attributes", "classes_", {"dtype": "str", "shape": [3], "data": ["a", "b", "c"]}, "classes|coef_"), id="three-classes"),
        pytest.param(*_set_with_message("attributes", "classes_", "data", ["No", None], r"classes_.data\[1\]"), id="class-null"),
        pytest.param(*_set_with_message("attributes", "feature_names_in_", "data", ["a", "b", 3, "d"], "feature_names_in_"), id="feature-name-number"),
        pytest.param(*_set_with_message("attributes", "n_iter_", [1, 2], "n_iter_"), id="attribute-list"),
    ],
)  # fmt: skip
def test_bad_document_is_rejected_by_both_readers(tmp_path, saved, change, message):
    path, _, frame = saved
    doc = _mutate(json.loads(path.read_text(encoding="utf-8")), change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as python_error:
        load_model(bad)
    assert "invalid model file" in str(python_error.value)
    with pytest.raises(ValueError, match=message):
        cpp_predictions(bad, frame.to_numpy())


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param(*_set_with_message("params", "gamma", 3, "unknown parameter 'gamma'"), id="unknown-param"),
        pytest.param(*_set_with_message("params", "alpha", -1.0, "'alpha' parameter"), id="invalid-param"),
        pytest.param(*_set_with_message("params", "optimizer", "newton", "'optimizer' parameter"), id="invalid-optimizer"),
        pytest.param(*_set_with_message("attributes", "classes_", "data", ["No", "No"], "twice"), id="duplicate-class"),
        pytest.param(*_set_with_message("attributes", "loss_", 1.0, "unknown attribute"), id="unknown-attribute"),
        pytest.param(*_set_with_message("attributes", "intercept_", "dtype", "float32", "same dtype|float32"), id="mixed-dtypes"),
    ],
)  # fmt: skip
def test_python_reader_checks_estimator_semantics(tmp_path, saved, change, message):
    """What only the Python reader knows: the estimator's parameters and attributes.
    (The C++ reader predicts from the family block and ignores params.)"""
    path, _, _ = saved
    doc = _mutate(json.loads(path.read_text(encoding="utf-8")), change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_model(bad)


@pytest.mark.parametrize(
    "text, message",
    [
        (b"", "JSON syntax error at line 1, column 1"),
        (b"{", "line 1"),
        (b'{"format": "marketlearn-model",}', "line 1"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b'{"coef": NaN}', "NaN"),
        (b'{"coef": Infinity}', "Infinity"),
        (b'{"coef": 1e999}', "out of range"),
        (b"\xef\xbb\xbf{}", "BOM|byte-order"),
        (b'{"s": "\xff"}', "UTF-8"),
        (b'{"s": "\\ud800"}', "surrogate"),
        (b"[" * 100_000 + b"]" * 100_000, "nest"),
        (b"[1] [2]", "Extra data|after the JSON value"),
    ],
)
def test_malformed_json(tmp_path, text, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(text)
    with pytest.raises(ValueError, match=message):
        load_model(bad)
    with pytest.raises(ValueError):
        cpp_predictions(bad, np.zeros((1, 4)))


def test_oversized_file(tmp_path, monkeypatch):
    from marketlearn import _io

    monkeypatch.setattr(_io, "MAX_FILE_BYTES", 100)
    bad = tmp_path / "big.json"
    bad.write_text(" " * 101 + "{}")
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        load_model(bad)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.json")
    with pytest.raises(ValueError, match="cannot be opened"):
        cpp_predictions(tmp_path / "nope.json", np.zeros((1, 4)))


def test_cpp_reader_checks_x(saved):
    path, _, frame = saved
    with pytest.raises(ValueError, match="X has 3 features, but the model was fitted with 4"):
        cpp_predictions(path, frame.to_numpy()[:, :3])


# ---- the C++ example binary serves a Python-written file --------------------------------


def _serve_model_binary():
    """examples/cpp/serve_model as built by .ci/test (build/ci) or a developer build."""
    from conftest import REPO_ROOT

    candidates = [os.environ.get("MARKETLEARN_SERVE_MODEL", "")]
    candidates += [
        str(REPO_ROOT / "build" / b / "examples" / "cpp" / "serve_model") for b in ("ci", "dev")
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("serve_model is not built (cmake -DMARKETLEARN_BUILD_EXAMPLES=ON)")


def test_serve_model_example_prints_python_predictions(tmp_path, saved):
    import subprocess

    path, model, frame = saved
    # Columns in another order plus one the model does not use: selected by name.
    csv = frame[["age", "calls", "tenure", "charges"]].assign(
        customer=[f"c{i}" for i in range(len(frame))]
    )
    csv.to_csv(tmp_path / "rows.csv", index=False, float_format="%.17g")
    result = subprocess.run(
        [_serve_model_binary(), str(path), str(tmp_path / "rows.csv")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(io.StringIO(result.stdout), dtype={"prediction": str})
    assert list(out.columns) == ["prediction", "proba_No", "proba_Yes"]
    assert np.array_equal(out["prediction"].to_numpy(), model.predict(frame).astype(str))
    np.testing.assert_allclose(
        out[["proba_No", "proba_Yes"]].to_numpy(),
        model.predict_proba(frame),
        rtol=1e-12,
        atol=1e-12,
    )
    bad = subprocess.run(
        [_serve_model_binary(), str(path), "-"], input="tenure,charges\n1,2\n",
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "no column 'calls'" in bad.stderr
