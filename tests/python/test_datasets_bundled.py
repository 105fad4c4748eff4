"""The bundled bank, CDNOW and Online Retail data and the synthetic customer generator:
byte identity with the upstream files, parsing, and the size budget of the package data."""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from marketlearn.datasets import (
    bank_marketing_provenance,
    cdnow_provenance,
    load_bank_marketing,
    load_cdnow,
    load_online_retail,
    make_customers,
    online_retail_provenance,
)

DATA = resources.files("marketlearn.datasets").joinpath("data")

#: sha256 of the decompressed files = the upstream files (see the provenance notes).
UPSTREAM = {
    "bank_marketing.csv.gz": "74adfc578bf77a7ff4bb1ba4a9f8709d9e3c6907342959c2c8416847e0afb4d8",
    "cdnow.csv.gz": "3a59389af9f81c6f329587b55d09b709cd678fba4a3503072ca6b28809524a35",
    "cdnow_sample.csv.gz": "9c2390be45f07d310f8b63bf48b7faa29cfd349b5baf4d44d7e408f01a06a382",
    "online_retail_france.csv.gz": (
        "f7259480ee16d2e5aa2dfb86dc9e87cff6e189f0bea39b301fb3d2b3d5e59ddc"
    ),
    "online_retail_germany.csv.gz": (
        "38aa4afd00937158eee8fdde529588e4ec046ecbe9b853b023a33fa975c25581"
    ),
}
PROVENANCE = {
    "bank_marketing.csv.gz": bank_marketing_provenance,
    "cdnow.csv.gz": cdnow_provenance,
    "cdnow_sample.csv.gz": cdnow_provenance,
    "online_retail_france.csv.gz": online_retail_provenance,
    "online_retail_germany.csv.gz": online_retail_provenance,
}
SHARED = {
    "bank_marketing.csv.gz": "bank_marketing/bank-additional-full.csv.gz",
    "cdnow.csv.gz": "cdnow/CDNOW_master.csv",
    "cdnow_sample.csv.gz": "cdnow/CDNOW_sample.csv",
    "online_retail_france.csv.gz": "online_retail/online_retail_france.csv",
    "online_retail_germany.csv.gz": "online_retail/online_retail_germany.csv",
}


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_bundled_file_is_the_upstream_file(name):
    raw = gzip.decompress(DATA.joinpath(name).read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == UPSTREAM[name]
    note = PROVENANCE[name]()
    assert digest in note
    assert "licen" in note.lower() or "terms" in note.lower()


@pytest.mark.parametrize("name", sorted(SHARED))
def test_same_bytes_as_shared_copy(name, shared_data):
    shared = shared_data / SHARED[name]
    if not shared.is_file():
        pytest.skip(f"{shared} not present")
    data = shared.read_bytes()
    if shared.suffix == ".gz":
        data = gzip.decompress(data)
    assert gzip.decompress(DATA.joinpath(name).read_bytes()) == data


def test_package_data_stays_small():
    # The wheel carries every data file: keep the total under 3 MB.
    total = sum(f.stat().st_size for f in _data_dir().iterdir() if f.is_file())
    assert total < 3_000_000, total


def _data_dir():
    from pathlib import Path

    return Path(str(DATA))


def test_bank_marketing():
    bunch = load_bank_marketing()
    assert bunch.data.shape == (41188, 20)
    assert bunch.target.value_counts().to_dict() == {0: 36548, 1: 4640}
    assert "duration" in bunch.feature_names and "y" not in bunch.feature_names
    assert list(bunch.frame.columns) == bunch.feature_names + ["y"]
    assert bunch.data["pdays"].dtype == np.int64
    X, y = load_bank_marketing(return_X_y=True, drop_duration=True)
    assert X.shape == (41188, 19) and "duration" not in X.columns
    Xa, ya = load_bank_marketing(return_X_y=True, as_frame=False)
    assert Xa.shape == (41188, 20) and ya.dtype == np.int64


def test_cdnow():
    log = load_cdnow()
    assert log.shape == (69659, 4)
    assert log["customer_id"].nunique() == 23570
    assert log["customer_id"].str.len().eq(5).all()  # zero-padded ids kept
    assert log["date"].dtype.kind == "M"
    assert log["date"].min() == pd.Timestamp("1997-01-01")
    assert log["date"].max() == pd.Timestamp("1998-06-30")
    assert (log["dollar_value"] == 0).sum() == 80
    sample = load_cdnow(sample=True)
    assert sample.shape == (6919, 5) and sample["customer_id"].nunique() == 2357
    # Every sample purchase is in the full log under the master id.
    merged = sample.merge(
        log, left_on=["master_customer_id", "date", "dollar_value"],
        right_on=["customer_id", "date", "dollar_value"], how="left", indicator=True,
    )  # fmt: skip
    assert (merged["_merge"] == "both").all()


def test_online_retail():
    both = load_online_retail()
    assert both.shape == (8557 + 9495, 8)
    assert list(both.columns) == [
        "InvoiceNo", "StockCode", "Description", "Quantity",
        "InvoiceDate", "UnitPrice", "CustomerID", "Country",
    ]  # fmt: skip
    assert both["InvoiceDate"].dtype.kind == "M"
    germany = load_online_retail("Germany")
    assert len(germany) == 9495 and germany["CustomerID"].notna().all()
    assert germany["CustomerID"].nunique() == 95
    france = load_online_retail(["France"])
    assert france["CustomerID"].isna().sum() == 66 and france["CustomerID"].nunique() == 87
    assert france["InvoiceNo"].nunique() == 461
    total = (france["Quantity"] * france["UnitPrice"]).sum()
    assert total == pytest.approx(197403.90, abs=0.01)
    with pytest.raises(ValueError, match="countries"):
        load_online_retail(["United Kingdom"])


def test_make_customers_shape_and_reproducibility():
    a = make_customers(5000, n_segments=3, churn_rate=0.25, random_state=7)
    b = make_customers(5000, n_segments=3, churn_rate=0.25, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (5000, 10) and a.index.is_unique
    assert set(a["true_segment"]) == {0, 1, 2}
    assert abs(a["churned"].mean() - 0.25) < 0.03
    assert (a["tenure_months"] >= 1).all() and (a["monthly_spend"] > 0).all()
    assert not make_customers(5000, random_state=8).equals(a)


def test_make_customers_churn_is_learnable():
    # The label depends on the features: a plain logistic model must beat chance clearly.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    data = make_customers(20000, random_state=0)
    X = pd.get_dummies(data.drop(columns=["churned", "true_segment"]), dtype=float)
    X = (X - X.mean()) / X.std()
    model = LogisticRegression(max_iter=500).fit(X[:10000], data["churned"][:10000])
    auc = roc_auc_score(data["churned"][10000:], model.predict_proba(X[10000:])[:, 1])
    assert auc > 0.7


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"churn_rate": 1.0}, {"n_segments": 0}])
def test_make_customers_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_customers(**{"n": 10, **kwargs})
