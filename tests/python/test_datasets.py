"""The bundled Telco churn data: parsing, and identity with the upstream file."""

from __future__ import annotations

import gzip
import hashlib
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from marketlearn.datasets import load_telco_churn, telco_churn_provenance

UPSTREAM_SHA256 = "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91"


def bundled_csv_bytes() -> bytes:
    path = resources.files("marketlearn.datasets").joinpath("data").joinpath("telco_churn.csv.gz")
    return gzip.decompress(path.read_bytes())


def test_bundled_file_is_the_upstream_csv():
    assert hashlib.sha256(bundled_csv_bytes()).hexdigest() == UPSTREAM_SHA256
    # ... and the provenance note states that hash.
    assert UPSTREAM_SHA256 in telco_churn_provenance()


def test_same_bytes_as_shared_copy(shared_data):
    shared = shared_data / "telco_churn" / "Telco-Customer-Churn.csv"
    if not shared.is_file():
        pytest.skip(f"{shared} not present")
    assert shared.read_bytes() == bundled_csv_bytes()


def test_return_x_y():
    X, y = load_telco_churn(return_X_y=True)
    assert X.shape == (7043, 19)
    assert X.index.name == "customerID" and X.index.is_unique
    assert "Churn" not in X.columns and "customerID" not in X.columns
    assert y.name == "Churn" and y.dtype == np.int64
    assert y.value_counts().to_dict() == {0: 5174, 1: 1869}
    assert (y.index == X.index).all()


def test_column_parsing():
    X, _ = load_telco_churn(return_X_y=True)
    assert X["TotalCharges"].dtype == np.float64
    assert not X.isna().any().any()
    # The 11 blank TotalCharges are exactly the customers with tenure 0, now 0.0.
    new_customers = X["tenure"] == 0
    assert new_customers.sum() == 11
    assert (X.loc[new_customers, "TotalCharges"] == 0.0).all()
    assert (X.loc[~new_customers, "TotalCharges"] > 0).all()
    assert X["SeniorCitizen"].dtype == np.int64
    assert set(X["SeniorCitizen"].unique()) == {0, 1}
    assert set(X["Contract"].unique()) == {"Month-to-month", "One year", "Two year"}
    numeric = X.select_dtypes(include="number").columns.tolist()
    assert numeric == ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]


def test_bunch_and_numpy_forms():
    bunch = load_telco_churn()
    assert bunch.frame.shape == (7043, 20)
    assert bunch.feature_names == list(bunch.data.columns)
    assert bunch.target_names == ["No", "Yes"]
    assert "IBM" in bunch.DESCR
    X, y = load_telco_churn(return_X_y=True, as_frame=False)
    assert isinstance(X, np.ndarray) and X.shape == (7043, 19)
    assert isinstance(y, np.ndarray) and y.dtype == np.int64


def test_provenance_mentions_licence_and_change():
    text = telco_churn_provenance()
    assert "Apache-2.0" in text
    assert re.search(r"gzip -9", text)
    assert isinstance(load_telco_churn(return_X_y=True)[0], pd.DataFrame)
