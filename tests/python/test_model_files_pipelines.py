"""Model files for the estimators with fitted preprocessing: LeadScorer ("lead_scorer")
and CustomerSegmenter ("customer_segmenter").

A round trip on mixed-type data (text, numbers, booleans, NaN, categories unseen in fit)
gives exactly the same encoded matrix, probabilities, decision function, call list and
reason codes; the segmenter the same segments, centres and profiles. Malformed files are
ValueErrors naming the field; the C++ reader refuses both families by name.
"""

# ruff: noqa: E501  (the case table reads best one case per line)

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from marketlearn import CustomerSegmenter, LeadScorer, _core, load_model, save_model
from marketlearn._frozen_encoders import FrozenLeadEncoder, FrozenStandardScaler

RNG = np.random.default_rng(11)


def _leads(n, rng):
    X = pd.DataFrame({
        "visits": rng.poisson(4, n).astype(float),
        "spend": rng.gamma(2.0, 40.0, n),
        "source": rng.choice(["ads", "mail", "web", "partner"], n).astype(object),
        "plan": pd.Categorical(rng.choice(["free", "pro", "team"], n)),
        "newsletter": rng.choice([True, False], n),
        "age": rng.integers(18, 75, n),
    })  # fmt: skip
    X.loc[rng.random(n) < 0.15, "spend"] = np.nan
    X.loc[rng.random(n) < 0.1, "source"] = None
    y = (0.4 * X["visits"] - 0.01 * X["age"].to_numpy() + rng.normal(0, 1, n) > 1.2).astype(int)
    return X, y.to_numpy()


@pytest.fixture(scope="module")
def lead_data():
    X, y = _leads(400, RNG)
    X_new, _ = _leads(120, np.random.default_rng(12))
    # At predict time: categories never seen in fit, and missing values in every kind of
    # column, including ones that had none in fit.
    X_new.loc[:9, "source"] = "tiktok"
    X_new["plan"] = X_new["plan"].cat.add_categories(["enterprise"])
    X_new.loc[10:14, "plan"] = "enterprise"
    X_new.loc[15:19, "visits"] = np.nan
    X_new.loc[20:24, "source"] = np.nan
    X_new.index = X_new.index + 1000  # ranks and reasons carry X's index
    return X, y, X_new


def _round_trip(model, tmp_path, name="model.json"):
    path = tmp_path / name
    save_model(model, path)
    return load_model(path), path


def _assert_same_matrix(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    if sp.issparse(a):
        a, b = a.tocsr(), b.tocsr()
        np.testing.assert_array_equal(a.indptr, b.indptr)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.data, b.data)
    else:
        np.testing.assert_array_equal(a, b)


def _assert_same_scorer(original, loaded, X, frozen=True):
    assert isinstance(loaded.preprocessor_, FrozenLeadEncoder) == frozen
    _assert_same_matrix(original.encode(X), loaded.encode(X))
    assert np.array_equal(original.predict_proba(X), loaded.predict_proba(X))
    assert np.array_equal(original.decision_function(X), loaded.decision_function(X))
    assert np.array_equal(original.predict(X), loaded.predict(X))
    assert np.array_equal(original.score_leads(X), loaded.score_leads(X))
    pd.testing.assert_frame_equal(original.rank_leads(X), loaded.rank_leads(X))
    pd.testing.assert_frame_equal(original.rank_leads(X, top=7), loaded.rank_leads(X, top=7))
    pd.testing.assert_frame_equal(original.explain(X), loaded.explain(X))
    pd.testing.assert_frame_equal(original.explain(X, top_n=None), loaded.explain(X, top_n=None))
    assert np.array_equal(original.get_feature_names_out(), loaded.get_feature_names_out())
    assert np.array_equal(original.classes_, loaded.classes_)
    assert np.array_equal(original.coef_, loaded.coef_)
    assert original.intercept_ == loaded.intercept_
    assert original.n_iter_ == loaded.n_iter_


# ---- LeadScorer -------------------------------------------------------------------------


def test_lead_scorer_round_trip_is_exact(lead_data, tmp_path):
    X, y, X_new = lead_data
    scorer = LeadScorer().fit(X, y)
    loaded, path = _round_trip(scorer, tmp_path)
    _assert_same_scorer(scorer, loaded, X_new)
    _assert_same_scorer(scorer, loaded, X)
    # The unseen categories really were unseen, and encode as all zeros.
    names = list(scorer.get_feature_names_out())
    assert "source=tiktok" not in names and "plan=enterprise" not in names
    Z = loaded.encode(X_new.loc[[1000]]).toarray()[0]
    assert not any(Z[names.index(f"source={c}")] for c in ("ads", "mail", "web", "partner"))
    doc = json.loads(path.read_text())
    assert doc["family"] == {"name": "lead_scorer"} and doc["version"] == 2
    assert doc["attributes"]["categorical_columns_"]["data"] == [2, 3, 4]
    # A loaded model saves to the same file.
    save_model(loaded, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()


def test_lead_scorer_variants_round_trip(lead_data, tmp_path):
    X, y, X_new = lead_data
    numeric = ["visits", "spend", "age"]
    cases = {
        # Dense output: no categorical columns.
        "numeric-only": (LeadScorer().fit(X[numeric], y), X_new[numeric]),
        "categorical-only": (
            LeadScorer().fit(X[["source", "plan"]], y),
            X_new[["source", "plan"]],
        ),
        # No column names: an object array (text and numbers), labels "0", "1", ...
        "array": (
            LeadScorer().fit(X[["visits", "source"]].to_numpy(), y),
            X_new[["visits", "source"]].to_numpy(),
        ),
        "weighted-l1": (
            LeadScorer(penalty="l1", alpha=1e-3, optimizer="adam", random_state=0).fit(
                X, y, sample_weight=RNG.uniform(0.5, 2.0, len(y))
            ),
            X_new,
        ),
        "string-labels": (LeadScorer().fit(X, np.where(y == 1, "won", "lost")), X_new),
    }
    for name, (scorer, X_test) in cases.items():
        loaded, _ = _round_trip(scorer, tmp_path, f"{name}.json")
        _assert_same_scorer(scorer, loaded, X_test)
    assert not sp.issparse(cases["numeric-only"][0].encode(X_new[numeric]))


def test_lead_scorer_pickle_still_works(lead_data, tmp_path):
    X, y, X_new = lead_data
    scorer = LeadScorer().fit(X, y)
    _assert_same_scorer(scorer, pickle.loads(pickle.dumps(scorer)), X_new, frozen=False)
    loaded, _ = _round_trip(scorer, tmp_path)
    _assert_same_scorer(scorer, pickle.loads(pickle.dumps(loaded)), X_new)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_loaded_lead_scorer_checks_its_input(lead_data, tmp_path):
    X, y, X_new = lead_data
    loaded, _ = _round_trip(LeadScorer().fit(X, y), tmp_path)
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict_proba(X_new.rename(columns={"visits": "clicks"}))
    with pytest.raises(ValueError, match="features"):
        loaded.predict_proba(X_new.iloc[:, :3].to_numpy())


# ---- CustomerSegmenter ------------------------------------------------------------------


def _customers(n, rng):
    return pd.DataFrame({
        "recency": rng.uniform(1, 365, n),
        "frequency": rng.poisson(3, n).astype(float),
        "monetary": rng.gamma(2.0, 60.0, n),
    })  # fmt: skip


@pytest.mark.parametrize(
    "params, as_array, dtype",
    [
        (dict(random_state=0, k_range=[2, 3, 4]), False, np.float64),
        (
            dict(n_segments=3, log_features=["frequency", "monetary"], random_state=1),
            False,
            np.float64,
        ),
        (dict(n_segments=4, scale=False, random_state=2), True, np.float64),
        (dict(n_segments=3, log_features="all", random_state=3), True, np.float32),
    ],
)
def test_segmenter_round_trip_is_exact(tmp_path, params, as_array, dtype):
    X, X_new = _customers(300, RNG), _customers(80, np.random.default_rng(5))
    if as_array:
        X, X_new = X.to_numpy(dtype), X_new.to_numpy(dtype)
    weights = RNG.uniform(0.5, 2.0, 300)
    segmenter = CustomerSegmenter(**params).fit(X, sample_weight=weights)
    loaded, path = _round_trip(segmenter, tmp_path)
    assert np.array_equal(segmenter.predict(X_new), loaded.predict(X_new))
    assert np.array_equal(segmenter.predict(X), segmenter.labels_)
    assert np.array_equal(loaded.predict(X), segmenter.labels_)
    assert loaded.predict(X_new).dtype == segmenter.predict(X_new).dtype
    pd.testing.assert_frame_equal(segmenter.segment_profiles_, loaded.segment_profiles_)
    assert np.array_equal(segmenter.cluster_centers_, loaded.cluster_centers_)
    assert loaded.cluster_centers_.dtype == segmenter.cluster_centers_.dtype
    assert loaded.n_segments_ == segmenter.n_segments_
    assert loaded.inertia_ == segmenter.inertia_ and loaded.n_iter_ == segmenter.n_iter_
    assert loaded.choice_ is None  # documented: the choice scores are not saved
    if params.get("scale", True):
        assert isinstance(loaded.scaler_, FrozenStandardScaler)
        Z = np.asarray(X_new, dtype=dtype)
        assert np.array_equal(segmenter.scaler_.transform(Z), loaded.scaler_.transform(Z))
    else:
        assert loaded.scaler_ is None
    assert json.loads(path.read_text())["family"] == {"name": "customer_segmenter"}
    again = pickle.loads(pickle.dumps(loaded))
    assert np.array_equal(again.predict(X_new), segmenter.predict(X_new))


def test_segmenter_files_are_refused_by_the_cpp_reader(tmp_path):
    segmenter = CustomerSegmenter(n_segments=2, random_state=0).fit(_customers(50, RNG))
    save_model(segmenter, tmp_path / "seg.json")
    X = np.zeros((1, 3))
    with pytest.raises(ValueError, match="family.name is 'customer_segmenter'; this reader loads"):
        _core.load_model_file_predict(str(tmp_path / "seg.json"), X=X)


def test_lead_scorer_files_are_refused_by_the_cpp_reader(lead_data, tmp_path):
    X, y, _ = lead_data
    save_model(LeadScorer().fit(X[["visits"]], y), tmp_path / "lead.json")
    with pytest.raises(ValueError, match="family.name is 'lead_scorer'; this reader loads"):
        _core.load_model_file_predict(str(tmp_path / "lead.json"), X=np.zeros((1, 1)))


# ---- malformed files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(lead_data, tmp_path_factory):
    X, y, _ = lead_data
    directory = tmp_path_factory.mktemp("pipelines")
    save_model(LeadScorer().fit(X, y), directory / "lead.json")
    seg = CustomerSegmenter(n_segments=3, log_features=[1], random_state=0).fit(
        _customers(200, RNG)
    )
    save_model(seg, directory / "seg.json")
    return {
        "lead": json.loads((directory / "lead.json").read_text()),
        "seg": json.loads((directory / "seg.json").read_text()),
    }


def _set(name, value, data=True):
    """An edit of attributes[name] (its data when the attribute is an array)."""

    def edit(attributes):
        if value is _DELETE:
            del attributes[name]
        elif data:
            attributes[name]["data"] = value(attributes[name]["data"])
        else:
            attributes[name] = value(attributes[name])

    return edit


_DELETE = object()


def _put(index, value):
    return lambda data: [value if i == index else v for i, v in enumerate(data)]


_MALFORMED = [
    # LeadScorer
    ("lead", _set("numeric_mean_", _DELETE), r"lacks the required attribute 'numeric_mean_'"),
    ("lead", _set("categories_", _DELETE), r"lacks the required attribute 'categories_'"),
    ("lead", _set("sparse_output_", lambda v: "yes", data=False), r"attributes.sparse_output_ must be true or false"),
    ("lead", _set("numeric_fill_", _put(0, "median")), r"attributes.numeric_fill_.data\[0\] must be a number"),
    ("lead", _set("categories_", _put(0, 3)), r"attributes.categories_.data\[0\] must be a string"),
    ("lead", _set("categorical_fill_", lambda d: d[:-1]), r"attributes.categorical_fill_.data has 2 elements but the shape \[3\]"),
    ("lead", _set("numeric_scale_", lambda v: {**v, "shape": [2], "data": v["data"][:2]}, data=False), r"attributes.numeric_scale_ has shape \[2\], expected \[3\]"),
    ("lead", _set("numeric_scale_", _put(1, 0.0)), r"attributes.numeric_scale_.data\[1\]=0.0 must be > 0"),
    ("lead", _set("numeric_scale_", _put(1, -2.0)), r"attributes.numeric_scale_.data\[1\]=-2.0 must be > 0"),
    ("lead", _set("category_counts_", _put(0, 0)), r"attributes.category_counts_ must be >= 1"),
    ("lead", _set("category_counts_", _put(0, 9)), r"attributes.categories_ has shape"),
    ("lead", _set("categories_", lambda d: [d[1], d[0], *d[2:]]), r"categories_ of categorical column 0 must be sorted and distinct"),
    ("lead", _set("numeric_columns_", _put(2, 7)), r"numeric_columns_ holds a value outside \[0, 6\)"),
    ("lead", _set("numeric_columns_", _put(2, 4)), r"must split the 6 columns"),
    ("lead", _set("categorical_columns_", lambda d: d[::-1]), r"categorical_columns_ must be strictly increasing"),
    ("lead", _set("column_labels_", _put(0, "clicks")), r"column_labels_ must be the feature_names_in_"),
    ("lead", _set("coef_", lambda v: {**v, "shape": [1, 3], "data": v["data"][:3]}, data=False), r"attributes.coef_ has shape \[1, 3\], expected \[1, 12\]"),
    ("lead", _set("classes_", lambda v: {**v, "shape": [3], "data": [0, 1, 2]}, data=False), r"classes_ has 3 classes"),
    ("lead", _set("intercept_", _put(0, "NaN")), r"attributes.intercept_.data\[0\] must be a number"),
    # CustomerSegmenter
    ("seg", _set("scaler_scale_", _DELETE), r"scaler_mean_ and scaler_scale_ go together"),
    ("seg", _set("kmeans_centers_", _DELETE), r"lacks the required attribute 'kmeans_centers_'"),
    ("seg", _set("n_segments_", lambda v: 2.5, data=False), r"attributes.n_segments_ must be an integer"),
    ("seg", _set("n_segments_", lambda v: 4, data=False), r"attributes.kmeans_centers_ has shape \[3, 3\], expected \[4, 3\]"),
    ("seg", _set("relabel_", _put(0, 1)), r"relabel_ must be a permutation of 0..2"),
    ("seg", _set("log_columns_", lambda d: [5]), r"log_columns_ holds a value outside \[0, 3\)"),
    ("seg", _set("scaler_scale_", _put(2, 0)), r"attributes.scaler_scale_.data\[2\]=0.0 must be > 0"),
    ("seg", _set("segment_means_", lambda d: d[:-1]), r"attributes.segment_means_.data has 8 elements but the shape \[3, 3\] says 9"),
    ("seg", _set("segment_shares_", _put(0, 1.5)), r"segment_shares_ must be within \[0, 1\]"),
    ("seg", _set("segment_sizes_", _put(0, "many")), r"attributes.segment_sizes_.data\[0\] must be an integer"),
    ("seg", _set("cluster_centers_", _put(0, None)), r"attributes.cluster_centers_.data\[0\] must be a number"),
]  # fmt: skip


@pytest.mark.parametrize("which, edit, message", _MALFORMED)
def test_malformed_files_name_the_field(saved, tmp_path, which, edit, message):
    doc = json.loads(json.dumps(saved[which]))
    edit(doc["attributes"])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"invalid model file .*" + message):
        load_model(path)


def test_nan_is_refused_where_json_has_none(saved, tmp_path):
    text = json.dumps(saved["lead"]).replace(
        '"numeric_fill_": {"dtype": "float64", "shape": [3], "data": [',
        '"numeric_fill_": {"dtype": "float64", "shape": [3], "data": [NaN, ',
        1,
    )
    assert "NaN" in text
    (tmp_path / "nan.json").write_text(text)
    with pytest.raises(ValueError, match="NaN is not allowed in a model file"):
        load_model(tmp_path / "nan.json")


def test_scale_param_must_match_the_saved_scaler(saved, tmp_path):
    doc = json.loads(json.dumps(saved["seg"]))
    doc["params"]["scale"] = False
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="scaler_mean_ is present but params.scale is false"):
        load_model(tmp_path / "bad.json")
    doc["params"]["n_segments"] = 5
    doc["params"]["scale"] = True
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="n_segments_=3 but params.n_segments is not 3"):
        load_model(tmp_path / "bad.json")
