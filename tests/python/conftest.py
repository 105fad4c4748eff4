"""Shared fixtures for the Python tests.

Data: the bundled data sets (always available, they ship in the package) and the
project's shared data folder (../shared/data next to the repository, or the directory
named by MARKETLEARN_SHARED_DATA).

- ``shared_data``: the shared folder itself; tests that compare against it (e.g. bundled
  bytes == shared bytes) skip when it is absent.
- ``reference_data``: the shared folder when present, else the same layout rebuilt from
  the bundled data plus tests/data, so the real-data tests run on any machine. Files the
  package does not ship (bank-full.csv) are missing from the rebuilt folder; tests that
  need them skip.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Penalty used for every Telco comparison with scikit-learn.
TELCO_ALPHA = 1e-4


def shared_data_dir() -> Path:
    """Where the project's shared data sets live (may not exist)."""
    env = os.environ.get("MARKETLEARN_SHARED_DATA")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}; set MARKETLEARN_SHARED_DATA")
    return path


#: Shared-folder path -> bundled file it is byte-identical to (checked by test_datasets*).
_BUNDLED_AS_SHARED = {
    "telco_churn/Telco-Customer-Churn.csv": "telco_churn.csv.gz",
    "cdnow/CDNOW_master.csv": "cdnow.csv.gz",
    "cdnow/CDNOW_sample.csv": "cdnow_sample.csv.gz",
    "online_retail/online_retail_france.csv": "online_retail_france.csv.gz",
    "online_retail/online_retail_germany.csv": "online_retail_germany.csv.gz",
    "bank_marketing/bank-additional-full.csv.gz": "bank_marketing.csv.gz",
}


@pytest.fixture(scope="session")
def reference_data(tmp_path_factory) -> Path:
    path = shared_data_dir()
    if path.is_dir():
        return path
    from importlib.resources import files

    bundled = files("marketlearn.datasets") / "data"
    root = tmp_path_factory.mktemp("reference_data")
    for target, source in _BUNDLED_AS_SHARED.items():
        out = root / target
        out.parent.mkdir(parents=True, exist_ok=True)
        with (bundled / source).open("rb") as raw:
            if target.endswith(".gz"):
                out.write_bytes(raw.read())
            else:
                with gzip.open(raw) as unpacked, out.open("wb") as sink:
                    shutil.copyfileobj(unpacked, sink)
    shutil.copytree(REPO_ROOT / "tests" / "data" / "cdnow", root / "cdnow", dirs_exist_ok=True)
    return root


def make_telco_preprocessor() -> ColumnTransformer:
    """One-hot for text columns, standardization for numeric ones (dense output)."""
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


@pytest.fixture(scope="session")
def telco_frames():
    """Raw Telco features/target, split 75/25 stratified with random_state=0."""
    from marketlearn.datasets import load_telco_churn

    X, y = load_telco_churn(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="session")
def telco_arrays(telco_frames):
    """(X_train, X_test, y_train, y_test) after preprocessing: float64, C-contiguous."""
    X_train, X_test, y_train, y_test = telco_frames
    prep = make_telco_preprocessor().fit(X_train)
    A_train = np.ascontiguousarray(prep.transform(X_train), dtype=np.float64)
    A_test = np.ascontiguousarray(prep.transform(X_test), dtype=np.float64)
    return A_train, A_test, y_train.to_numpy(), y_test.to_numpy()


def penalized_log_loss(coef, intercept, X, y01, alpha, sample_weight=None) -> float:
    """The objective ChurnClassifier minimizes, in float64 numpy (independent of C++)."""
    from scipy.special import log_expit

    coef = np.asarray(coef, dtype=np.float64).ravel()
    z = np.asarray(X, dtype=np.float64) @ coef + float(np.ravel(intercept)[0])
    signs = 2.0 * np.asarray(y01, dtype=np.float64) - 1.0
    w = np.ones(len(z)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    return float(np.sum(w * -log_expit(signs * z)) / np.sum(w) + 0.5 * alpha * coef @ coef)


@pytest.fixture(scope="session")
def telco_sklearn_reference(telco_arrays):
    """scikit-learn's LogisticRegression on the same problem, solved very tightly."""
    from sklearn.linear_model import LogisticRegression

    A_train, _, y_train, _ = telco_arrays
    model = LogisticRegression(
        C=1.0 / (TELCO_ALPHA * A_train.shape[0]), tol=1e-12, max_iter=100_000
    ).fit(A_train, y_train)
    objective = penalized_log_loss(model.coef_, model.intercept_, A_train, y_train, TELCO_ALPHA)
    return model, objective


def run_python(code: str, env_updates: dict | None = None, timeout: float = 600):
    """Run `code` in a fresh interpreter (SIMD level and peak RSS are per process).

    env_updates maps variable -> value, or -> None to remove it. Returns the
    CompletedProcess; stdout/stderr are text.
    """
    env = dict(os.environ)
    for key, value in (env_updates or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
