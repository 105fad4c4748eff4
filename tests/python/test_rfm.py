"""rfm_table on a hand-made log, CDNOW and Online Retail (France, Germany with a BOM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketlearn import rfm_table


def test_definitions_on_a_small_log():
    tx = pd.DataFrame(
        {
            "customer": ["a", "a", "a", "b", "b", None, "c"],
            "date": [
                "2024-01-01",
                "2024-01-10 09:00",
                "2024-01-10 17:30",
                "2024-01-05",
                "2024-01-06",
                "2024-01-09",
                "2024-01-02",
            ],
            "invoice": ["1", "2", "3", "4", "C5", "6", "7"],
            "amount": [10.0, 30.0, 5.0, 20.0, -20.0, 99.0, 0.0],
        }
    )
    by_day = rfm_table(tx, "customer", "date", "amount")
    # Default end: day after the last purchase (2024-01-11). a bought twice on the 10th:
    # one day, one occasion. b's -20 is a return: excluded. The row without a customer
    # is dropped; c's $0 purchase is a purchase.
    expected = pd.DataFrame(
        {"recency": [1, 6, 9], "frequency": [2, 1, 1], "monetary": [45.0, 20.0, 0.0]},
        index=pd.Index(["a", "b", "c"], name="customer"),
    )
    pd.testing.assert_frame_equal(by_day, expected)

    by_invoice = rfm_table(tx, "customer", "date", "amount", invoice_col="invoice")
    assert by_invoice.loc["a", "frequency"] == 3
    assert by_invoice.loc["b", "frequency"] == 1  # C5 is a cancellation

    net = rfm_table(tx, "customer", "date", "amount", invoice_col="invoice", exclude_returns=False)
    assert net.loc["b", "monetary"] == 0.0 and net.loc["b", "frequency"] == 1

    mean = rfm_table(tx, "customer", "date", "amount", monetary="mean")
    assert mean.loc["a", "monetary"] == 22.5

    cut = rfm_table(tx, "customer", "date", "amount", observation_end="2024-01-05")
    assert list(cut.index) == ["a", "b", "c"]
    assert cut.loc["a", "recency"] == 4 and cut.loc["a", "monetary"] == 10.0
    assert cut.loc["b", "recency"] == 0


def test_errors():
    tx = pd.DataFrame({"c": [1], "d": ["2024-01-01"], "m": [1.0]})
    with pytest.raises(ValueError, match="no column"):
        rfm_table(tx, "customer", "d", "m")
    with pytest.raises(ValueError, match="monetary="):
        rfm_table(tx, "c", "d", "m", monetary="median")
    with pytest.raises(TypeError):
        rfm_table(tx.to_numpy(), "c", "d", "m")


def test_cdnow(reference_data):
    tx = pd.read_csv(reference_data / "cdnow" / "CDNOW_master.csv", dtype={"customer_id": str})
    rfm = rfm_table(tx, "customer_id", "date", "dollar_value")
    assert len(rfm) == 23_570  # every customer (68 only ever paid $0)
    assert rfm.index[0] == "00001"  # zero-padded ids kept
    assert rfm["monetary"].sum() == pytest.approx(tx["dollar_value"].sum())
    # YYYYMMDD integers parse too; end = 1998-06-30 + 1 day.
    as_int = rfm_table(
        pd.read_csv(reference_data / "cdnow" / "CDNOW_master.csv"),
        "customer_id",
        "date",
        "dollar_value",
    )
    np.testing.assert_array_equal(as_int["recency"].to_numpy(), rfm["recency"].to_numpy())
    last = pd.to_datetime(tx.groupby("customer_id")["date"].max().astype(str), format="%Y%m%d")
    np.testing.assert_array_equal(
        rfm["recency"].to_numpy(), (pd.Timestamp("1998-07-01") - last).dt.days.to_numpy()
    )
    days = tx.groupby("customer_id")["date"].nunique()
    np.testing.assert_array_equal(rfm["frequency"].to_numpy(), days.to_numpy())


@pytest.mark.parametrize("country, encoding", [("france", None), ("germany", "utf-8-sig")])
def test_online_retail(reference_data, country, encoding):
    path = reference_data / "online_retail" / f"online_retail_{country}.csv"
    tx = pd.read_csv(path, encoding=encoding)
    assert "InvoiceNo" in tx.columns  # the BOM is not part of the first name
    tx["amount"] = tx["Quantity"] * tx["UnitPrice"]
    rfm = rfm_table(tx, "CustomerID", "InvoiceDate", "amount", invoice_col="InvoiceNo")
    kept = tx[tx["CustomerID"].notna() & ~tx["InvoiceNo"].astype(str).str.startswith("C")]
    kept = kept[kept["amount"] >= 0]
    assert rfm.index.dtype == np.int64  # 12583.0 (blank ids made it float) -> 12583
    assert len(rfm) == kept["CustomerID"].nunique()
    assert rfm["monetary"].sum() == pytest.approx(kept["amount"].sum())
    assert rfm["frequency"].sum() == kept.groupby("CustomerID")["InvoiceNo"].nunique().sum()
    assert rfm["recency"].min() >= 1 and rfm["recency"].max() <= 375
    assert (rfm["monetary"] >= 0).all()
