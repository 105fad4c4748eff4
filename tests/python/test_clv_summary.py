"""summary_from_transactions and calibration_and_holdout_data: the published CDNOW summary
rebuilt from the raw log, hand-checked examples, lifetimes parity and input errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from marketlearn.clv import calibration_and_holdout_data, summary_from_transactions


@pytest.fixture(scope="module")
def cdnow_sample(reference_data):
    return pd.read_csv(
        reference_data / "cdnow" / "CDNOW_sample.csv",
        dtype={"master_customer_id": str, "customer_id": str, "date": str},
    )


@pytest.fixture
def small_log():
    return pd.DataFrame(
        {
            "id": ["a", "a", "a", "b", "c", "c"],
            "date": [
                "2024-01-01",
                "2024-01-01",
                "2024-01-15",
                "2024-01-08",
                "2024-01-02",
                "2024-02-20",
            ],
            "amount": [10.0, 5.0, 20.0, 7.0, 3.0, 99.0],
        }
    )


def test_reproduces_the_published_cdnow_summary(cdnow_sample, reference_data):
    summary = summary_from_transactions(
        cdnow_sample,
        "customer_id",
        "date",
        "dollar_value",
        observation_period_end="1997-09-30",
        freq="W",
        datetime_format="%Y%m%d",
    )
    published = pd.read_csv(
        reference_data / "cdnow" / "cdnow_customers_summary.csv", index_col="ID"
    )
    spend = pd.read_csv(
        reference_data / "cdnow" / "cdnow_customers_summary_with_transactions.csv", index_col="ID"
    )
    summary.index = summary.index.astype(int)
    summary = summary.sort_index()
    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert summary.index.equals(published.index)
    # the published files are rounded to 2 decimals
    np.testing.assert_array_equal(summary["frequency"], published["frequency"])
    np.testing.assert_allclose(summary["recency"], published["recency"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(summary["T"], published["T"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(summary["monetary_value"], spend["zbar"], atol=0.005 + 1e-9)
    assert (summary["frequency"] > 0).sum() == 946
    assert summary["frequency"].sum() == 2457


def test_hand_checked_example(small_log):
    out = summary_from_transactions(
        small_log, "id", "date", "amount", observation_period_end="2024-01-29", freq="W"
    )
    # a: same-day purchases are one occasion (15), repeat on day 14 (20)
    # b: one purchase on day 7 of the period; c: the 2024-02-20 purchase is after the end
    expected = pd.DataFrame(
        {
            "frequency": [1.0, 0.0, 0.0],
            "recency": [2.0, 0.0, 0.0],
            "T": [4.0, 3.0, 27 / 7],
            "monetary_value": [20.0, 0.0, 0.0],
        },
        index=pd.Index(["a", "b", "c"], name="id"),
    )
    pd.testing.assert_frame_equal(out, expected)

    days = summary_from_transactions(small_log, "id", "date")  # end: last transaction
    assert list(days.columns) == ["frequency", "recency", "T"]
    assert days.loc["c", "frequency"] == 1 and days.loc["c", "recency"] == 49
    assert days.loc["a", "T"] == (pd.Timestamp("2024-02-20") - pd.Timestamp("2024-01-01")).days


def test_units_periods_and_first_transaction(small_log):
    weeks = summary_from_transactions(small_log, "id", "date", "amount", freq="W")
    days7 = summary_from_transactions(
        small_log, "id", "date", "amount", freq="D", freq_multiplier=7
    )
    pd.testing.assert_frame_equal(weeks, days7)
    hours = summary_from_transactions(small_log, "id", "date", freq="h", purchase_period="D")
    np.testing.assert_allclose(hours["T"], weeks["T"] * 24 * 7)

    calendar = summary_from_transactions(
        small_log,
        "id",
        "date",
        "amount",
        freq="W",
        purchase_period="W",
        observation_period_end="2024-01-29",
    )
    # calendar weeks start on Monday (2024-01-01 is one): whole weeks between period starts
    assert calendar.loc["a", "recency"] == 2.0 and calendar.loc["a", "T"] == 4.0
    assert calendar.loc["c", "T"] == 4.0

    first = summary_from_transactions(
        small_log, "id", "date", "amount", include_first_transaction=True
    )
    assert first.loc["a", "frequency"] == 2 and first.loc["a", "monetary_value"] == 17.5
    assert first.loc["b", "frequency"] == 1 and first.loc["b", "monetary_value"] == 7.0


def test_calibration_and_holdout(small_log):
    out = calibration_and_holdout_data(
        small_log, "id", "date", "2024-01-10", "2024-02-29", freq="D", amount_col="amount"
    )
    assert list(out.columns) == [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
    ]
    assert list(out.index) == ["a", "b", "c"]
    assert out.loc["a", "frequency_cal"] == 0 and out.loc["a", "T_cal"] == 9
    assert out.loc["a", "frequency_holdout"] == 1 and out.loc["a", "monetary_value_holdout"] == 20
    assert out.loc["b", "frequency_holdout"] == 0 and out.loc["b", "monetary_value_holdout"] == 0
    assert out.loc["c", "frequency_holdout"] == 1 and out.loc["c", "monetary_value_holdout"] == 99
    assert (out["duration_holdout"] == 50).all()

    late = small_log.copy()
    late.loc[len(late)] = ["d", "2024-02-01", 5.0]  # first purchase in the holdout
    out = calibration_and_holdout_data(late, "id", "date", "2024-01-10", freq="W")
    assert "d" not in out.index
    assert out["duration_holdout"].iloc[0] == pytest.approx(41 / 7)


def test_calibration_and_holdout_on_cdnow(cdnow_sample):
    out = calibration_and_holdout_data(
        cdnow_sample,
        "customer_id",
        "date",
        "19970930",
        "19980630",
        freq="W",
        datetime_format="%Y%m%d",
    )
    assert len(out) == 2357
    assert (out["duration_holdout"] == 39).all()
    full = summary_from_transactions(
        cdnow_sample,
        "customer_id",
        "date",
        observation_period_end="1997-09-30",
        freq="W",
        datetime_format="%Y%m%d",
    )
    np.testing.assert_array_equal(out["frequency_cal"], full["frequency"])
    # holdout occasions = distinct days in (1997-09-30, 1998-06-30]
    dates = pd.to_datetime(cdnow_sample["date"], format="%Y%m%d")
    holdout = cdnow_sample[(dates > "1997-09-30") & (dates <= "1998-06-30")]
    assert out["frequency_holdout"].sum() == len(holdout.drop_duplicates(["customer_id", "date"]))


def test_matches_lifetimes_on_the_cdnow_master_log(reference_data):
    utils = pytest.importorskip("lifetimes.utils")
    log = pd.read_csv(
        reference_data / "cdnow" / "CDNOW_master.csv", dtype={"customer_id": str, "date": str}
    )
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    for freq, multiplier, period in (("D", 1, "D"), ("D", 7, "D"), ("W", 1, "W")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = utils.summary_data_from_transaction_data(
                log,
                "customer_id",
                "date",
                "dollar_value",
                observation_period_end="1997-09-30",
                freq=freq,
                freq_multiplier=multiplier,
            ).sort_index()
        ours = summary_from_transactions(
            log,
            "customer_id",
            "date",
            "dollar_value",
            observation_period_end="1997-09-30",
            freq=freq,
            freq_multiplier=multiplier,
            purchase_period=period,
        )
        assert ours.index.equals(theirs.index)
        pd.testing.assert_frame_equal(ours, theirs, check_names=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda df: df.assign(date=["2024-01-01", "not a date", *df["date"][2:]]), "date"),
        (lambda df: df.assign(id=[None, *df["id"][1:]]), "id is missing in row 0"),
        (lambda df: df.assign(amount=[np.nan, *df["amount"][1:]]), "amount=nan in row 0"),
    ],
)
def test_bad_logs_name_the_row(small_log, change, message):
    with pytest.raises(ValueError, match=message):
        summary_from_transactions(change(small_log), "id", "date", "amount")


def test_bad_arguments(small_log):
    with pytest.raises(ValueError, match="freq='M' is not a fixed-length"):
        summary_from_transactions(small_log, "id", "date", freq="M")
    with pytest.raises(ValueError, match="customer_col='who' is not a column"):
        summary_from_transactions(small_log, "who", "date")
    with pytest.raises(ValueError, match="no transactions on or before"):
        summary_from_transactions(small_log, "id", "date", observation_period_end="2020-01-01")
    with pytest.raises(ValueError, match="holdout period is empty"):
        calibration_and_holdout_data(small_log, "id", "date", "2024-03-01", "2024-02-01")
    with pytest.raises(TypeError, match="DataFrame"):
        summary_from_transactions(small_log.to_numpy(), "id", "date")
