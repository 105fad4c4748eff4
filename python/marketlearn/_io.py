"""Model files: ``save_model`` / ``load_model`` in a versioned JSON format.

A model file holds the estimator's name, its parameters and its fitted attributes as
plain JSON (docs/model_files.md has the specification). Loading executes no code: the
estimator class comes from a fixed table of marketlearn estimators, every value is
checked (format, version, keys, types, dtypes, shapes, finiteness, sizes) and a bad file
is a ValueError that says what is wrong and where. The C++ reader
``marketlearn::io::load_model`` (include/marketlearn/io/model_file.hpp) reads the same
files.

Each estimator family plugs in through an adapter that says which attributes it saves,
their dtypes and shapes, and the family block (for linear models: loss and link) that
lets a reader predict without knowing the estimator's parameters. LeadScorer and
CustomerSegmenter save their fitted scikit-learn preprocessing as plain arrays and load
with marketlearn's frozen encoders in its place: restoring scikit-learn's own objects
would mean setting their private attributes.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Callable

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["save_model", "load_model", "FORMAT_NAME", "FORMAT_VERSION"]

#: The value of "format" in every model file.
FORMAT_NAME = "marketlearn-model"
#: The newest format version; this marketlearn reads every version from 1 up to it. A
#: file is written with the oldest version that can hold its family (the linear family:
#: 1, so older readers keep reading linear models), see _FAMILY_VERSIONS.
FORMAT_VERSION = 2
#: The format version that introduced each family.
_FAMILY_VERSIONS = {
    "linear": 1,
    "kmeans": 2,
    "bgnbd": 2,
    "gamma_gamma": 2,
    # Added to version 2 without a version bump: a reader that predates them refuses them
    # by family or estimator name, and nothing else in version 2 changed.
    "lead_scorer": 2,
    "customer_segmenter": 2,
}

# Bounds on what load_model accepts (the C++ reader's json::Limits has the same defaults),
# so that a hostile file cannot exhaust memory or the stack.
MAX_FILE_BYTES = 64 << 20
MAX_VALUES = 1 << 22  # JSON values in the whole document; elements of one array
MAX_DEPTH = 64
MAX_STRING_BYTES = 1 << 20

_TOP_KEYS = (
    "format",
    "version",
    "marketlearn_version",
    "estimator",
    "family",
    "params",
    "attributes",
)
_FLOAT_DTYPES = ("float64", "float32")
_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_LABEL_DTYPES = (*_FLOAT_DTYPES, *_INT_DTYPES, "bool", "str", "object")


class _FileError(ValueError):
    """A problem in a model file; load_model adds the file name."""


# ---- adapters: what each estimator family saves -----------------------------------------


@dataclass(frozen=True)
class _Attribute:
    """One fitted attribute: a scalar ("int", "float") or an "array" with allowed dtypes
    and an expected shape computed from the others (see _LinearAdapter.shape_of)."""

    name: str
    kind: str
    required: bool = True
    dtypes: tuple = ()
    #: The estimator's attribute when it differs from the name in the file (private
    #: state such as MiniBatchKMeans._counts).
    source: str | None = None

    @property
    def attribute(self) -> str:
        return self.source or self.name


@dataclass(frozen=True)
class _LinearAdapter:
    """Linear models: coef_, intercept_ (and classes_ for classifiers) define prediction;
    the family block names the loss and the link so that a reader needs nothing else."""

    estimator: str
    module: str
    classifier: bool
    loss_of: Callable[[dict], str]
    #: ChurnClassifier: exactly two classes. None: any number >= 2 (one-vs-rest).
    max_classes: int | None = None
    #: Diagnostics saved beside what prediction needs.
    extra: tuple = ()
    family_name: str = field(default="linear", init=False)

    @property
    def attributes(self) -> tuple:
        attrs = [
            _Attribute("n_features_in_", "int"),
            _Attribute("coef_", "array", dtypes=_FLOAT_DTYPES),
            _Attribute("intercept_", "array", dtypes=_FLOAT_DTYPES),
            _Attribute("feature_names_in_", "array", required=False, dtypes=("object", "str")),
        ]
        if self.classifier:
            attrs.insert(1, _Attribute("classes_", "array", dtypes=_LABEL_DTYPES))
        return (*attrs, *self.extra)

    def family(self, params: dict) -> dict:
        loss = self.loss_of(params)
        if self.classifier:
            link = "logit" if loss == "log_loss" else "identity"
        else:
            link = "log" if loss in ("poisson", "gamma", "tweedie") else "identity"
        return {"name": self.family_name, "loss": loss, "link": link}

    def shape_of(self, name: str, values: dict, params: dict) -> tuple | None:
        """Expected shape of an array attribute, given those decoded before it."""
        n_features = values["n_features_in_"]
        if name == "classes_":
            return None  # checked in check()
        n_outputs = 1
        if self.classifier:
            n_classes = len(values["classes_"])
            n_outputs = 1 if n_classes == 2 else n_classes
        if name == "coef_":
            return (n_outputs, n_features) if self.classifier else (n_features,)
        if name == "intercept_":
            return (n_outputs,)
        if name == "feature_names_in_":
            return (n_features,)
        return None

    def check_classes(self, classes: np.ndarray) -> None:
        if classes.ndim != 1 or len(classes) < 2:
            raise _FileError(
                f"attributes.classes_ must be 1-D with at least 2 classes, got shape "
                f"{list(classes.shape)}"
            )
        if self.max_classes is not None and len(classes) > self.max_classes:
            raise _FileError(
                f"attributes.classes_ has {len(classes)} classes; {self.estimator} predicts "
                f"{self.max_classes}"
            )
        if len(set(classes.tolist())) != len(classes):
            raise _FileError("attributes.classes_ holds a label twice")

    def check(self, values: dict) -> None:
        if values["coef_"].dtype != values["intercept_"].dtype:
            raise _FileError(
                f"attributes.coef_ ({values['coef_'].dtype}) and attributes.intercept_ "
                f"({values['intercept_'].dtype}) must have the same dtype"
            )
        _check_feature_names(values)

    def value_of(self, model, attr: _Attribute):
        return getattr(model, attr.attribute)

    def install(self, model, values: dict) -> None:
        for attr in self.attributes:
            if attr.name in values:
                setattr(model, attr.attribute, values[attr.name])


def _check_feature_names(values: dict) -> None:
    names = values.get("feature_names_in_")
    if names is not None and not all(isinstance(n, str) for n in names.tolist()):
        raise _FileError("attributes.feature_names_in_ must hold strings")


def _gd_classifier_loss(params: dict) -> str:
    return params.get("loss", "log_loss")


def _gd_regressor_loss(params: dict) -> str:
    return params.get("loss", "squared_error")


@dataclass(frozen=True)
class _KMeansAdapter:
    """k-means: prediction is the index of the nearest row of cluster_centers_
    (squared Euclidean distance, the first centre on ties). MiniBatchKMeans also saves
    the running state partial_fit continues from."""

    estimator: str
    module: str
    minibatch: bool = False
    family_name: str = field(default="kmeans", init=False)
    classifier: bool = field(default=False, init=False)

    @property
    def attributes(self) -> tuple:
        attrs = [
            _Attribute("n_features_in_", "int"),
            _Attribute("cluster_centers_", "array", dtypes=_FLOAT_DTYPES),
            _Attribute("feature_names_in_", "array", required=False, dtypes=("object", "str")),
            _Attribute("inertia_", "float", required=False),
            _Attribute("n_iter_", "int", required=False),
        ]
        if self.minibatch:
            attrs += [
                _Attribute("n_steps_", "int", required=False),
                _Attribute(
                    "counts_", "array", required=False, dtypes=("float64",), source="_counts"
                ),
                _Attribute(
                    "n_since_last_reassign_", "int", required=False, source="_n_since_last_reassign"
                ),
            ]
        return tuple(attrs)

    def family(self, params: dict) -> dict:
        return {"name": self.family_name}

    def shape_of(self, name: str, values: dict, params: dict) -> tuple | None:
        n_clusters = params["n_clusters"]
        if name == "cluster_centers_":
            return (n_clusters, values["n_features_in_"])
        if name == "feature_names_in_":
            return (values["n_features_in_"],)
        if name == "counts_":
            return (n_clusters,)
        return None

    def check(self, values: dict) -> None:
        _check_feature_names(values)
        counts = values.get("counts_")
        if counts is not None and np.any(counts < 0):
            raise _FileError("attributes.counts_ must be >= 0")
        inertia = values.get("inertia_")
        if inertia is not None and inertia < 0:
            raise _FileError(f"attributes.inertia_={inertia} must be >= 0")
        if self.minibatch and ("counts_" in values) != ("n_since_last_reassign_" in values):
            raise _FileError("attributes.counts_ and n_since_last_reassign_ go together")

    def value_of(self, model, attr: _Attribute):
        return getattr(model, attr.attribute)

    def install(self, model, values: dict) -> None:
        for attr in self.attributes:
            if attr.name in values:
                setattr(model, attr.attribute, values[attr.name])
        model._n_features_out = values["cluster_centers_"].shape[0]
        if self.minibatch and "counts_" not in values:
            # Without the running counts, partial_fit restarts the averaging as if every
            # centre had been seen once: predictions are exact, later updates approximate.
            model._counts = np.ones(values["cluster_centers_"].shape[0])
            model._n_since_last_reassign = 0
            if "n_steps_" not in values:
                model.n_steps_ = 0


@dataclass(frozen=True)
class _ClvAdapter:
    """BG/NBD and Gamma-Gamma: the fitted parameters (params_, in a fixed order) define
    every prediction; the covariance and fit diagnostics are saved beside them."""

    estimator: str
    module: str
    family_name: str
    param_names: tuple
    classifier: bool = field(default=False, init=False)

    @property
    def attributes(self) -> tuple:
        return (
            _Attribute("params_", "array", dtypes=("float64",)),
            _Attribute("variance_matrix_", "array", required=False, dtypes=("float64",)),
            _Attribute("log_likelihood_", "float", required=False),
            _Attribute("n_customers_", "float", required=False),
            _Attribute("n_unique_rows_", "int", required=False),
            _Attribute("n_iter_", "int", required=False),
            _Attribute("converged_", "bool", required=False),
        )

    def family(self, params: dict) -> dict:
        return {"name": self.family_name, "parameters": list(self.param_names)}

    def shape_of(self, name: str, values: dict, params: dict) -> tuple | None:
        k = len(self.param_names)
        return {"params_": (k,), "variance_matrix_": (k, k)}.get(name)

    def check(self, values: dict) -> None:
        params = values["params_"]
        if not np.all(params > 0):
            i = int(np.flatnonzero(~(params > 0))[0])
            value = float(params[i])
            raise _FileError(
                f"attributes.params_.data[{i}] ({self.param_names[i]}={value!r}) must be > 0"
            )

    def value_of(self, model, attr: _Attribute):
        if attr.name == "params_":
            return np.array([model.params_[n] for n in self.param_names], dtype=np.float64)
        if attr.name == "variance_matrix_":
            covariance = model.variance_matrix_.to_numpy(dtype=np.float64)
            # The fit leaves the covariance all NaN when the Hessian is not positive
            # definite; JSON has no NaN, so the file then has no covariance at all.
            return covariance if np.all(np.isfinite(covariance)) else None
        return getattr(model, attr.name)

    def install(self, model, values: dict) -> None:
        from .clv._common import set_parameter_state

        k = len(self.param_names)
        covariance = values.get("variance_matrix_", np.full((k, k), np.nan))
        set_parameter_state(model, self.param_names, values["params_"], covariance)
        for attr in self.attributes[2:]:
            if attr.name in values:
                setattr(model, attr.name, values[attr.name])


def _strictly_increasing(values: np.ndarray, path: str, low: int, high: int) -> None:
    """values 1-D, strictly increasing, within [low, high)."""
    if values.ndim != 1:
        raise _FileError(f"{path} must be 1-D, got shape {list(values.shape)}")
    if values.size and (values[0] < low or values[-1] >= high):
        raise _FileError(f"{path} holds a value outside [{low}, {high})")
    if np.any(np.diff(values) <= 0):
        raise _FileError(f"{path} must be strictly increasing")


def _check_positive(values: dict, name: str) -> None:
    array = values.get(name)
    if array is not None and not np.all(array > 0):
        i = int(np.flatnonzero(~(array > 0))[0])
        raise _FileError(f"attributes.{name}.data[{i}]={float(array.flat[i])!r} must be > 0")


@dataclass(frozen=True)
class _LeadScorerAdapter:
    """LeadScorer: its fitted ColumnTransformer as plain arrays (per numeric column the
    median, mean and scale; per categorical column the most frequent value and the
    categories as text) and the inner logistic model as the linear family saves it.
    load_model rebuilds the encoding as a FrozenLeadEncoder."""

    estimator: str = "LeadScorer"
    module: str = "marketlearn._leads"
    family_name: str = field(default="lead_scorer", init=False)
    classifier: bool = field(default=True, init=False)

    @property
    def attributes(self) -> tuple:
        # source names an attribute the model has; value_of computes the saved value.
        pre = "preprocessor_"
        return (
            _Attribute("n_features_in_", "int"),
            _Attribute("feature_names_in_", "array", required=False, dtypes=("object", "str")),
            _Attribute("column_labels_", "array", dtypes=("str",), source="_labels"),
            _Attribute("numeric_columns_", "array", dtypes=("int64",), source=pre),
            _Attribute("numeric_fill_", "array", dtypes=("float64",), source=pre),
            _Attribute("numeric_mean_", "array", dtypes=_FLOAT_DTYPES, source=pre),
            _Attribute("numeric_scale_", "array", dtypes=_FLOAT_DTYPES, source=pre),
            _Attribute("categorical_columns_", "array", dtypes=("int64",), source=pre),
            _Attribute("categorical_fill_", "array", dtypes=("str",), source=pre),
            _Attribute("category_counts_", "array", dtypes=("int64",), source=pre),
            _Attribute("categories_", "array", dtypes=("str",), source=pre),
            _Attribute("sparse_output_", "bool", source=pre),
            _Attribute("classes_", "array", dtypes=_LABEL_DTYPES),
            _Attribute("coef_", "array", dtypes=_FLOAT_DTYPES, source="model_"),
            _Attribute("intercept_", "array", dtypes=_FLOAT_DTYPES, source="model_"),
            _Attribute("n_iter_", "int", required=False),
        )

    def family(self, params: dict) -> dict:
        return {"name": self.family_name}

    def _state(self, model) -> dict:
        """The plain-data encoding of a fitted (or loaded) LeadScorer."""
        position = {name: j for j, name in enumerate(model._columns)}
        pre = model.preprocessor_
        numeric, categorical, fill, mean, scale, cat_fill, categories = [], [], [], [], [], [], []
        if hasattr(pre, "transformers_"):  # the fitted ColumnTransformer
            for kind, transformer, columns in pre.transformers_:
                if kind == "numeric":
                    numeric = list(columns)
                    fill = transformer.named_steps["impute"].statistics_
                    mean = transformer.named_steps["scale"].mean_
                    scale = transformer.named_steps["scale"].scale_
                elif kind == "categorical":
                    categorical = list(columns)
                    cat_fill = transformer.named_steps["impute"].statistics_.tolist()
                    categories = [c.tolist() for c in transformer.named_steps["onehot"].categories_]
            sparse_output = pre.sparse_output_
        else:  # a FrozenLeadEncoder (a loaded model saved again)
            numeric, categorical = pre.numeric, pre.categorical
            fill, mean, scale = pre.fill, pre.mean, pre.scale
            cat_fill, categories = pre.categorical_fill, pre.categories
            sparse_output = pre.sparse_output
        for name, values in (("categorical_fill_", cat_fill), ("categories_", categories)):
            flat = [v for c in values for v in c] if name == "categories_" else values
            if not all(isinstance(v, str) for v in flat):
                raise ValueError(f"cannot save {name}: it holds a value that is not text")
        return {
            "numeric_columns_": np.array([position[c] for c in numeric], dtype=np.int64),
            "numeric_fill_": np.asarray(fill, dtype=np.float64),
            # Without numeric columns these are empty lists: float64 gives them a dtype.
            # Otherwise the scaler's own dtype is kept, as StandardScaler computes with it.
            "numeric_mean_": mean if numeric else np.zeros(0),
            "numeric_scale_": scale if numeric else np.zeros(0),
            "categorical_columns_": np.array([position[c] for c in categorical], dtype=np.int64),
            "categorical_fill_": np.array(cat_fill, dtype=str),
            "category_counts_": np.array([len(c) for c in categories], dtype=np.int64),
            "categories_": np.array([v for c in categories for v in c], dtype=str),
            "sparse_output_": bool(sparse_output),
        }

    def value_of(self, model, attr: _Attribute):
        if attr.name == "column_labels_":
            return np.array(model._labels, dtype=str)
        if attr.name in ("coef_", "intercept_"):
            return getattr(model.model_, attr.name)
        if attr.source == "preprocessor_":
            return self._state(model)[attr.name]
        return getattr(model, attr.name)

    def shape_of(self, name: str, values: dict, params: dict) -> tuple | None:
        n = values["n_features_in_"]
        if name in ("feature_names_in_", "column_labels_"):
            return (n,)
        if name in ("numeric_fill_", "numeric_mean_", "numeric_scale_"):
            return values["numeric_columns_"].shape
        if name in ("categorical_fill_", "category_counts_"):
            return values["categorical_columns_"].shape
        if name == "categories_":
            counts = values["category_counts_"]
            if np.any(counts < 1):
                raise _FileError("attributes.category_counts_ must be >= 1")
            return (int(counts.sum()),)
        if name == "coef_":
            return (1, len(values["numeric_columns_"]) + len(values["categories_"]))
        if name == "intercept_":
            return (1,)
        return None

    def check_classes(self, classes: np.ndarray) -> None:
        _ADAPTERS["ChurnClassifier"].check_classes(classes)
        if len(classes) != 2:
            raise _FileError(f"attributes.classes_ has {len(classes)} classes; LeadScorer has 2")

    def check(self, values: dict) -> None:
        _check_feature_names(values)
        n = values["n_features_in_"]
        numeric, categorical = values["numeric_columns_"], values["categorical_columns_"]
        _strictly_increasing(numeric, "attributes.numeric_columns_", 0, n)
        _strictly_increasing(categorical, "attributes.categorical_columns_", 0, n)
        if sorted([*numeric.tolist(), *categorical.tolist()]) != list(range(n)):
            raise _FileError(
                "attributes.numeric_columns_ and categorical_columns_ must split the "
                f"{n} columns, each column in exactly one"
            )
        names = values.get("feature_names_in_")
        if names is not None and [str(v) for v in names] != values["column_labels_"].tolist():
            raise _FileError("attributes.column_labels_ must be the feature_names_in_")
        _check_positive(values, "numeric_scale_")
        if values["numeric_mean_"].dtype != values["numeric_scale_"].dtype:
            raise _FileError("attributes.numeric_mean_ and numeric_scale_ differ in dtype")
        start = 0
        for j, count in enumerate(values["category_counts_"].tolist()):
            block = values["categories_"][start : start + count].tolist()
            if any(a >= b for a, b in zip(block, block[1:])):
                raise _FileError(
                    f"attributes.categories_ of categorical column {j} must be sorted and "
                    "distinct (as OneHotEncoder holds them)"
                )
            start += count
        if values["sparse_output_"] and not len(categorical):
            raise _FileError("attributes.sparse_output_ is true without categorical columns")
        if values["coef_"].dtype != values["intercept_"].dtype:
            raise _FileError("attributes.coef_ and attributes.intercept_ differ in dtype")

    def install(self, model, values: dict) -> None:
        from ._frozen_encoders import FrozenLeadEncoder
        from ._gd import GDClassifier

        n = values["n_features_in_"]
        model.n_features_in_ = n
        if "feature_names_in_" in values:
            model.feature_names_in_ = values["feature_names_in_"]
        model._columns = [f"x{j}" for j in range(n)]
        model._labels = values["column_labels_"].tolist()
        model._numeric = [model._columns[j] for j in values["numeric_columns_"].tolist()]
        model._categorical = [model._columns[j] for j in values["categorical_columns_"].tolist()]
        counts = values["category_counts_"].tolist()
        flat = values["categories_"].tolist()
        bounds = np.concatenate(([0], np.cumsum(counts))).astype(int)
        categories = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        model.preprocessor_ = FrozenLeadEncoder(
            model._numeric,
            values["numeric_fill_"],
            values["numeric_mean_"],
            values["numeric_scale_"],
            model._categorical,
            values["categorical_fill_"].tolist(),
            categories,
            values["sparse_output_"],
        )
        inner = GDClassifier(loss="log_loss", **model.get_params(deep=False))
        inner._progress_label = type(model).__name__
        inner.classes_ = values["classes_"]
        inner.coef_ = values["coef_"]
        inner.intercept_ = values["intercept_"]
        inner.n_features_in_ = values["coef_"].shape[1]
        if "n_iter_" in values:
            inner.n_iter_ = model.n_iter_ = values["n_iter_"]
        model.model_ = inner
        model.classes_ = inner.classes_
        model.coef_ = inner.coef_.ravel()
        model.intercept_ = float(inner.intercept_[0])
        model._feature_names, model._feature_sources = model._names_of(
            model._numeric, list(zip(model._categorical, categories))
        )


@dataclass(frozen=True)
class _SegmenterAdapter:
    """CustomerSegmenter: the log1p columns, the scaler's mean and scale, the k-means
    centres in the scaled space with the renumbering to segments (0 = largest), and the
    outputs of fit a user reads (centres in original units, segment profiles). load_model
    rebuilds the scaler as a FrozenStandardScaler. Not saved: labels_ (one per training
    customer) and choice_ (None after loading)."""

    estimator: str = "CustomerSegmenter"
    module: str = "marketlearn._segmenter"
    family_name: str = field(default="customer_segmenter", init=False)
    classifier: bool = field(default=False, init=False)

    @property
    def attributes(self) -> tuple:
        return (
            _Attribute("n_features_in_", "int"),
            _Attribute("feature_names_in_", "array", required=False, dtypes=("object", "str")),
            _Attribute("n_segments_", "int"),
            _Attribute("log_columns_", "array", dtypes=("int64",), source="_log_columns"),
            _Attribute("scaler_mean_", "array", False, _FLOAT_DTYPES, source="scaler_"),
            _Attribute("scaler_scale_", "array", False, _FLOAT_DTYPES, source="scaler_"),
            _Attribute("kmeans_centers_", "array", dtypes=_FLOAT_DTYPES, source="kmeans_"),
            _Attribute("relabel_", "array", dtypes=("int32",), source="_relabel"),
            _Attribute("cluster_centers_", "array", dtypes=_FLOAT_DTYPES),
            _Attribute("inertia_", "float", required=False),
            _Attribute("n_iter_", "int", required=False),
            _Attribute("segment_sizes_", "array", dtypes=("int64",), source="segment_profiles_"),
            _Attribute("segment_shares_", "array", dtypes=("float64",), source="segment_profiles_"),
            _Attribute("segment_means_", "array", dtypes=("float64",), source="segment_profiles_"),
        )

    def family(self, params: dict) -> dict:
        return {"name": self.family_name}

    def value_of(self, model, attr: _Attribute):
        name = attr.name
        if name == "log_columns_":
            return np.asarray(model._log_columns, dtype=np.int64)
        if name in ("scaler_mean_", "scaler_scale_"):
            scaler = model.scaler_
            return None if scaler is None else (scaler.mean_ if "mean" in name else scaler.scale_)
        if name == "kmeans_centers_":
            return model.kmeans_.cluster_centers_
        if name == "relabel_":
            return np.asarray(model._relabel, dtype=np.int32)
        profiles = model.segment_profiles_
        if name == "segment_sizes_":
            return profiles["size"].to_numpy(dtype=np.int64)
        if name == "segment_shares_":
            return profiles["share"].to_numpy(dtype=np.float64)
        if name == "segment_means_":
            return profiles.iloc[:, 2:].to_numpy(dtype=np.float64)
        return getattr(model, name)

    def shape_of(self, name: str, values: dict, params: dict) -> tuple | None:
        n, k = values["n_features_in_"], values.get("n_segments_")
        return {
            "feature_names_in_": (n,),
            "scaler_mean_": (n,),
            "scaler_scale_": (n,),
            "kmeans_centers_": (k, n),
            "relabel_": (k,),
            "cluster_centers_": (k, n),
            "segment_sizes_": (k,),
            "segment_shares_": (k,),
            "segment_means_": (k, n),
        }.get(name)

    def check(self, values: dict) -> None:
        _check_feature_names(values)
        n, k = values["n_features_in_"], values["n_segments_"]
        if k < 1:
            raise _FileError(f"attributes.n_segments_={k} must be >= 1")
        _strictly_increasing(values["log_columns_"], "attributes.log_columns_", 0, n)
        if ("scaler_mean_" in values) != ("scaler_scale_" in values):
            raise _FileError("attributes.scaler_mean_ and scaler_scale_ go together")
        _check_positive(values, "scaler_scale_")
        if sorted(values["relabel_"].tolist()) != list(range(k)):
            raise _FileError(f"attributes.relabel_ must be a permutation of 0..{k - 1}")
        if np.any(values["segment_sizes_"] < 0):
            raise _FileError("attributes.segment_sizes_ must be >= 0")
        shares = values["segment_shares_"]
        if np.any((shares < 0) | (shares > 1)):
            raise _FileError("attributes.segment_shares_ must be within [0, 1]")
        inertia = values.get("inertia_")
        if inertia is not None and inertia < 0:
            raise _FileError(f"attributes.inertia_={inertia} must be >= 0")

    def install(self, model, values: dict) -> None:
        import pandas as pd

        from ._frozen_encoders import FrozenStandardScaler
        from ._kmeans import KMeans

        params = model.get_params(deep=False)
        if "scaler_mean_" in values and not params["scale"]:
            raise _FileError("attributes.scaler_mean_ is present but params.scale is false")
        if "scaler_mean_" not in values and params["scale"]:
            raise _FileError("attributes lacks scaler_mean_ and scaler_scale_ (params.scale)")
        k = values["n_segments_"]
        if params["n_segments"] != "auto" and params["n_segments"] != k:
            raise _FileError(f"attributes.n_segments_={k} but params.n_segments is not {k}")
        n = values["n_features_in_"]
        model.n_features_in_ = n
        if "feature_names_in_" in values:
            model.feature_names_in_ = values["feature_names_in_"]
        model._log_columns = values["log_columns_"].astype(np.intp)
        model.scaler_ = (
            FrozenStandardScaler(values["scaler_mean_"], values["scaler_scale_"])
            if "scaler_mean_" in values
            else None
        )
        kmeans = KMeans(
            n_clusters=k,
            n_init=params["n_init"],
            max_iter=params["max_iter"],
            tol=params["tol"],
            algorithm=params["algorithm"],
            n_jobs=params["n_jobs"],
        )
        inner = {"n_features_in_": n, "cluster_centers_": values["kmeans_centers_"]}
        for name in ("inertia_", "n_iter_"):
            if name in values:
                inner[name] = values[name]
        _ADAPTERS["KMeans"].install(kmeans, inner)
        model.kmeans_ = kmeans
        model._relabel = values["relabel_"]
        model.n_segments_ = k
        model.choice_ = None
        model.cluster_centers_ = values["cluster_centers_"]
        for name in ("inertia_", "n_iter_"):
            if name in values:
                setattr(model, name, values[name])
        names = (
            [str(v) for v in values["feature_names_in_"]]
            if "feature_names_in_" in values
            else [f"x{j}" for j in range(n)]
        )
        profiles = pd.DataFrame(
            values["segment_means_"], columns=names, index=pd.RangeIndex(k, name="segment")
        )
        profiles.insert(0, "share", values["segment_shares_"])
        profiles.insert(0, "size", values["segment_sizes_"])
        model.segment_profiles_ = profiles


_ADAPTERS = {
    a.estimator: a
    for a in (
        _LinearAdapter(
            "ChurnClassifier",
            "marketlearn._churn",
            classifier=True,
            loss_of=lambda params: "log_loss",
            max_classes=2,
            extra=(
                _Attribute("n_iter_", "int", required=False),
                _Attribute("objective_", "float", required=False),
                _Attribute("loss_curve_", "array", required=False, dtypes=_FLOAT_DTYPES),
            ),
        ),
        # The general gradient-descent estimators (marketlearn._gd); they load once that
        # module exists in the installed marketlearn.
        _LinearAdapter(
            "GDClassifier",
            "marketlearn._gd",
            classifier=True,
            loss_of=_gd_classifier_loss,
            extra=(_Attribute("n_iter_", "int", required=False),),
        ),
        _LinearAdapter(
            "GDRegressor",
            "marketlearn._gd",
            classifier=False,
            loss_of=_gd_regressor_loss,
            extra=(_Attribute("n_iter_", "int", required=False),),
        ),
        _LinearAdapter(
            "LTVRegressor",
            "marketlearn._ltv",
            classifier=False,
            loss_of=lambda params: params.get("loss", "tweedie"),
            extra=(
                _Attribute("n_iter_", "int", required=False),
                _Attribute("objective_", "float", required=False),
            ),
        ),
        _KMeansAdapter("KMeans", "marketlearn._kmeans"),
        _KMeansAdapter("MiniBatchKMeans", "marketlearn._kmeans", minibatch=True),
        _ClvAdapter("BetaGeoModel", "marketlearn.clv._bgnbd", "bgnbd", ("r", "alpha", "a", "b")),
        _ClvAdapter(
            "GammaGammaModel", "marketlearn.clv._gamma_gamma", "gamma_gamma", ("p", "q", "v")
        ),
        _LeadScorerAdapter(),
        _SegmenterAdapter(),
    )
}


def _estimator_class(adapter):
    try:
        return getattr(importlib.import_module(adapter.module), adapter.estimator)
    except (ImportError, AttributeError):
        raise _FileError(
            f"estimator {adapter.estimator!r} is not available in this marketlearn version"
        ) from None


# ---- encoding ---------------------------------------------------------------------------


def _json_scalar(value):
    """value as a JSON scalar (None, bool, int, finite float, str), or raise TypeError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, (bool, str)):
            return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(value):
        return float(value)
    raise TypeError(type(value).__name__)


def _encode_param(value):
    """A parameter as JSON: a scalar, or a list / str-keyed dict of scalars."""
    if isinstance(value, (list, tuple)):
        return [_json_scalar(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("dict with non-string keys")
        return {k: _json_scalar(v) for k, v in value.items()}
    return _json_scalar(value)


def _encode_array(name: str, array) -> dict:
    array = np.asarray(array)
    if array.ndim > 2:
        raise ValueError(f"cannot save {name}: {array.ndim} dimensions (at most 2)")
    kind = array.dtype.kind
    if kind == "f":
        dtype = array.dtype.name
        if dtype not in _FLOAT_DTYPES:
            raise ValueError(f"cannot save {name}: dtype {dtype} (float32 or float64 only)")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"cannot save {name}: it holds NaN or infinity")
        # float32 values are written as the float64 numbers they are: exact both ways.
        data = array.astype(np.float64).ravel().tolist()
    elif kind in "iu":
        dtype = array.dtype.name
        if dtype not in _INT_DTYPES:
            raise ValueError(f"cannot save {name}: dtype {dtype}")
        data = array.ravel().tolist()
    elif kind == "b":
        dtype, data = "bool", array.ravel().tolist()
    elif kind == "U":
        dtype, data = "str", array.ravel().tolist()
    elif kind == "O":
        dtype = "object"
        try:
            data = [_json_scalar(v) for v in array.ravel()]
        except TypeError as e:
            raise ValueError(f"cannot save {name}: it holds a value of type {e}") from None
        if any(v is None for v in data):
            raise ValueError(f"cannot save {name}: it holds None")
    else:
        raise ValueError(f"cannot save {name}: dtype {array.dtype} is not supported")
    return {"dtype": dtype, "shape": list(array.shape), "data": data}


def _model_document(model) -> dict:
    name = type(model).__name__
    adapter = _ADAPTERS.get(name)
    if adapter is None or type(model) is not _estimator_class(adapter):
        supported = ", ".join(sorted(_ADAPTERS))
        raise ValueError(
            f"save_model supports marketlearn estimators ({supported}); got "
            f"{type(model).__module__}.{type(model).__qualname__}"
        )
    check_is_fitted(model)
    from . import __version__

    params, omitted = {}, []
    for key, value in model.get_params(deep=False).items():
        try:
            params[key] = _encode_param(value)
        except TypeError:
            omitted.append(key)
    if omitted:
        warnings.warn(
            f"save_model: the parameters {', '.join(omitted)} are not JSON values (e.g. a "
            "callable or a RandomState); the file leaves them out and load_model gives them "
            "their defaults. Predictions are unaffected.",
            UserWarning,
            stacklevel=3,
        )

    attributes = {}
    for attr in adapter.attributes:
        if not hasattr(model, attr.attribute):
            if attr.required:
                raise ValueError(f"cannot save {type(model).__name__}: no {attr.name}")
            continue
        value = adapter.value_of(model, attr)
        if value is None and not attr.required:
            continue
        if attr.kind == "array":
            attributes[attr.name] = _encode_array(attr.name, value)
        elif attr.kind == "bool":
            attributes[attr.name] = bool(value)
        elif attr.kind == "int":
            attributes[attr.name] = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                if attr.required:
                    raise ValueError(f"cannot save {attr.name}={value}: not finite")
                continue
            attributes[attr.name] = value

    family = adapter.family(params)
    return {
        "format": FORMAT_NAME,
        "version": _FAMILY_VERSIONS[family["name"]],
        "marketlearn_version": __version__,
        "estimator": adapter.estimator,
        "family": family,
        "params": params,
        "attributes": attributes,
    }


def _dumps(value) -> str:
    # Floats are written by float.__repr__: the shortest text that reads back to the
    # same double, so a file round-trips exactly.
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def _format_document(doc: dict) -> str:
    """One line per top-level key, per parameter and per attribute: readable and
    diff-able, while long arrays stay on one line."""
    lines = ["{"]
    keys = list(doc)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = doc[key]
        if key in ("params", "attributes") and value:
            lines.append(f"  {_dumps(key)}: {{")
            members = list(value.items())
            for j, (name, member) in enumerate(members):
                inner = "," if j < len(members) - 1 else ""
                lines.append(f"    {_dumps(name)}: {_dumps(member)}{inner}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {_dumps(key)}: {_dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save_model(model, path) -> None:
    """Save a fitted marketlearn estimator to a JSON model file.

    The file (format "marketlearn-model", version 1 for linear models, 2 for the other
    families; see docs/model_files.md) holds the
    estimator's name, its parameters and its fitted attributes. Coefficients are written
    exactly (float32 models as the float64 values of their float32 coefficients), so
    :func:`load_model` — or the C++ reader ``marketlearn::io::load_model`` — gives a
    model that predicts the same values. The file is replaced atomically: a reader never
    sees a half-written model.

    Parameters
    ----------
    model : fitted marketlearn estimator
        ChurnClassifier, GDClassifier, GDRegressor, LTVRegressor, KMeans,
        MiniBatchKMeans, clv.BetaGeoModel, clv.GammaGammaModel, LeadScorer or
        CustomerSegmenter. The last two save their fitted preprocessing as plain data
        (imputation values, means, scales, categories) and load with it as a frozen
        encoder (marketlearn._frozen_encoders) that transforms exactly as the fitted
        scikit-learn transformers did.
        scikit-learn Pipelines are not supported: save the final estimator and keep the
        preprocessing with your own tools.
    path : str or os.PathLike

    Raises
    ------
    ValueError
        The estimator is not supported, not fitted, or holds values JSON cannot carry
        (NaN or infinite coefficients).

    Warns
    -----
    UserWarning
        When a parameter is not a JSON value (a callable, a RandomState): it is left out
        and takes its default on loading.
    """
    text = _format_document(_model_document(model))
    path = os.fspath(path)
    # Write beside the target, then rename: readers see the old file or the new one.
    temporary = f"{path}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
    created = False
    try:
        with open(temporary, "x", encoding="utf-8", newline="\n") as f:
            created = True
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if created and os.path.exists(temporary):
            os.remove(temporary)
        raise


# ---- decoding ---------------------------------------------------------------------------


def _reject_constant(name):
    raise _FileError(f"{name} is not allowed in a model file (JSON has no NaN or infinity)")


def _unique_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise _FileError(f"duplicate key {key!r} in an object")
        result[key] = value
    return result


def _check_tree(root) -> None:
    """What the C++ reader's limits enforce: depth, value count, string size and UTF-8,
    finite numbers; iterative, so no recursion limit applies."""
    count = 0
    stack = [(root, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _FileError(f"more than {MAX_VALUES} JSON values")
        if isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise _FileError(f"JSON nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_string(key)
                stack.append((item, depth + 1))
        elif isinstance(value, str):
            _check_string(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise _FileError("a number is out of range for a double")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 64:
            raise _FileError(f"the integer {value} is out of range")


def _check_string(s: str) -> None:
    try:
        size = len(s.encode("utf-8"))
    except UnicodeEncodeError:
        raise _FileError("a string holds a lone surrogate (invalid Unicode)") from None
    if size > MAX_STRING_BYTES:
        raise _FileError(f"a string is longer than {MAX_STRING_BYTES} bytes")


def _type_name(value) -> str:
    return "null" if value is None else type(value).__name__


def _expect(value, types, path: str, what: str):
    """value if it is one of types, else a _FileError; bool is not an int here."""
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool) and bool not in types:
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        raise _FileError(f"{path} must be {what}, not {_type_name(value)} ({_short(value)})")
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_keys(obj: dict, path: str, allowed, required) -> None:
    for key in required:
        if key not in obj:
            raise _FileError(f"{path} lacks the required key {key!r}")
    for key in obj:
        if key not in allowed:
            raise _FileError(f"{path} has an unknown key {_short(key)}")


def _decode_array(node, path: str, dtypes: tuple) -> np.ndarray:
    _expect(node, dict, path, 'an object {"dtype", "shape", "data"}')
    _check_keys(node, path, ("dtype", "shape", "data"), ("dtype", "shape", "data"))
    dtype = _expect(node["dtype"], str, f"{path}.dtype", "a string")
    if dtype not in dtypes:
        raise _FileError(f"{path}.dtype is {_short(dtype)}; expected one of {', '.join(dtypes)}")
    shape = _expect(node["shape"], list, f"{path}.shape", "a list")
    if len(shape) > 2:
        raise _FileError(f"{path}.shape has {len(shape)} dimensions (at most 2)")
    size = 1
    for d, n in enumerate(shape):
        _expect(n, int, f"{path}.shape[{d}]", "an integer")
        if n < 0:
            raise _FileError(f"{path}.shape[{d}]={n} is negative")
        size *= n
        if size > MAX_VALUES:
            raise _FileError(f"{path}.shape {shape} has more than {MAX_VALUES} elements")
    data = _expect(node["data"], list, f"{path}.data", "a list")
    if len(data) != size:
        raise _FileError(f"{path}.data has {len(data)} elements but the shape {shape} says {size}")

    if dtype in _FLOAT_DTYPES:
        for i, x in enumerate(data):
            _expect(x, (int, float), f"{path}.data[{i}]", "a number")
            if isinstance(x, int) and abs(x) > 1 << 53:
                raise _FileError(f"{path}.data[{i}]={x} is not exactly a float64")
        array = np.array(data, dtype=np.float64)
        if dtype == "float32":
            with np.errstate(over="ignore"):
                as32 = array.astype(np.float32)
            bad = np.flatnonzero(as32.astype(np.float64) != array)
            if bad.size:
                i = int(bad[0])
                raise _FileError(f"{path}.data[{i}]={data[i]!r} is not a float32 value")
            array = as32
    elif dtype in _INT_DTYPES:
        info = np.iinfo(dtype)
        for i, x in enumerate(data):
            _expect(x, int, f"{path}.data[{i}]", "an integer")
            if not info.min <= x <= info.max:
                raise _FileError(f"{path}.data[{i}]={x} is out of range for {dtype}")
        array = np.array(data, dtype=dtype)
    elif dtype == "bool":
        for i, x in enumerate(data):
            _expect(x, bool, f"{path}.data[{i}]", "true or false")
        array = np.array(data, dtype=bool)
    elif dtype == "str":
        for i, x in enumerate(data):
            _expect(x, str, f"{path}.data[{i}]", "a string")
        array = np.array(data, dtype=str) if data else np.array([], dtype="<U1")
    else:  # object: JSON scalars as they are
        for i, x in enumerate(data):
            _expect(x, (str, int, float, bool), f"{path}.data[{i}]", "a string, number or boolean")
        array = np.empty(len(data), dtype=object)
        array[:] = data
    return array.reshape(shape)


def _decode_document(doc, source: str):
    _expect(doc, dict, "the document", "a JSON object")
    if doc.get("format") != FORMAT_NAME:
        if "format" not in doc:
            raise _FileError(f"not a marketlearn model file (no 'format': {FORMAT_NAME!r})")
        raise _FileError(
            f"not a marketlearn model file (format={_short(doc['format'])}, expected "
            f"{FORMAT_NAME!r})"
        )
    # The version before the other keys: a newer version may have other keys.
    if "version" not in doc:
        raise _FileError("the document lacks the required key 'version'")
    version = _expect(doc["version"], int, "version", "an integer")
    if version > FORMAT_VERSION:
        raise _FileError(
            f"version {version} is newer than this marketlearn, which reads versions up to "
            f"{FORMAT_VERSION}; upgrade marketlearn to load it"
        )
    if version < 1:
        raise _FileError(f"version {version} is not a valid format version (>= 1)")
    _check_keys(doc, "the document", _TOP_KEYS, _TOP_KEYS)
    _expect(doc["marketlearn_version"], str, "marketlearn_version", "a string")
    name = _expect(doc["estimator"], str, "estimator", "a string")
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        raise _FileError(
            f"estimator {_short(name)} is not one this marketlearn loads "
            f"({', '.join(sorted(_ADAPTERS))})"
        )
    cls = _estimator_class(adapter)

    # Parameters: only the estimator's own, JSON values, then its own constraints.
    params = _expect(doc["params"], dict, "params", "an object")
    known = cls().get_params(deep=False)
    for key, value in params.items():
        if key not in known:
            raise _FileError(f"params has an unknown parameter {_short(key)} for {name}")
        if isinstance(value, list):
            for v in value:
                _expect(v, (str, int, float, bool, type(None)), f"params.{key}[]", "a scalar")
        elif isinstance(value, dict):
            for v in value.values():
                _expect(v, (str, int, float, bool, type(None)), f"params.{key}{{}}", "a scalar")
    model = cls(**params)
    try:
        model._validate_params()
    except (ValueError, TypeError) as e:
        raise _FileError(f"params: {e}") from None

    family = _expect(doc["family"], dict, "family", "an object")
    expected = adapter.family(model.get_params(deep=False))
    if family != expected:
        raise _FileError(f"family is {_short(family)} but {name} with these params is {expected}")
    if version < _FAMILY_VERSIONS[expected["name"]]:
        raise _FileError(
            f"version {version} has no family {expected['name']!r} (it came with version "
            f"{_FAMILY_VERSIONS[expected['name']]})"
        )

    attributes = _expect(doc["attributes"], dict, "attributes", "an object")
    spec = {a.name: a for a in adapter.attributes}
    for key in attributes:
        if key not in spec:
            raise _FileError(f"attributes has an unknown attribute {_short(key)} for {name}")
    values = {}
    for attr in adapter.attributes:  # in dependency order: shapes refer to earlier ones
        path = f"attributes.{attr.name}"
        if attr.name not in attributes:
            if attr.required:
                raise _FileError(f"attributes lacks the required attribute {attr.name!r}")
            continue
        node = attributes[attr.name]
        if attr.kind == "int":
            value = _expect(node, int, path, "an integer")
            low, high = (1, MAX_VALUES) if attr.name == "n_features_in_" else (0, (1 << 63) - 1)
            if not low <= value <= high:
                raise _FileError(f"{path}={value} is out of range")
        elif attr.kind == "float":
            value = float(_expect(node, (int, float), path, "a number"))
        elif attr.kind == "bool":
            value = _expect(node, bool, path, "true or false")
        else:
            value = _decode_array(node, path, attr.dtypes)
            shape = adapter.shape_of(attr.name, values, model.get_params(deep=False))
            if shape is not None and value.shape != shape:
                raise _FileError(f"{path} has shape {list(value.shape)}, expected {list(shape)}")
        values[attr.name] = value
        if attr.name == "classes_":
            adapter.check_classes(value)
    adapter.check(values)
    adapter.install(model, values)
    return model


def load_model(path):
    """Load an estimator saved by :func:`save_model`.

    The file is checked completely before anything is built: the format name and
    version, the estimator (one of marketlearn's own; nothing is imported or executed
    by name from the file), every parameter against the estimator's constraints, and
    every attribute's dtype, shape and values (coefficients finite). Files up to
    64 MiB are read.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    estimator
        A fitted estimator (e.g. :class:`ChurnClassifier`) that predicts what the saved
        one predicted.

    Raises
    ------
    ValueError
        The file is not a valid marketlearn model file; the message names the file, the
        key and the problem.
    OSError
        The file cannot be read.
    """
    source = os.fspath(path)
    with open(source, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise _FileError(f"larger than {MAX_FILE_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _FileError(f"not UTF-8 text (byte {e.start})") from None
        try:
            doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as e:
            raise _FileError(
                f"JSON syntax error at line {e.lineno}, column {e.colno}: {e.msg}"
            ) from None
        except RecursionError:
            raise _FileError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        _check_tree(doc)
        return _decode_document(doc, source)
    except _FileError as e:
        raise ValueError(f"invalid model file {source!r}: {e}") from None
    except ValueError as e:  # e.g. an integer too long for int()
        raise ValueError(f"invalid model file {source!r}: {e}") from None
