"""GammaGammaModel and customer lifetime value: the published CDNOW fit and check values,
lifetimes parity, the discounted-sum formula and input errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from clv_helpers import CDNOW_GAMMA_GAMMA, cdnow_spend

from marketlearn.clv import BetaGeoModel, GammaGammaModel


@pytest.fixture(scope="module")
def spend(reference_data):
    return cdnow_spend(reference_data)


@pytest.fixture(scope="module")
def returning(spend):
    return spend[spend["x"] > 0]


@pytest.fixture(scope="module")
def fitted(returning):
    return GammaGammaModel().fit(returning["x"], returning["zbar"])


@pytest.fixture(scope="module")
def purchases(spend):
    return BetaGeoModel().fit(spend["x"], spend["t_x"], spend["T"])


def test_cdnow_fit_matches_the_published_parameters(fitted, returning):
    assert len(returning) == 946 and fitted.converged_
    for name, value in CDNOW_GAMMA_GAMMA.items():  # published to 2 decimals
        assert fitted.params_[name] == pytest.approx(value, abs=0.01)
    assert fitted.params_["v"] == pytest.approx(15.45, abs=0.005)  # Quickstart prints 15.45
    assert all(np.isfinite(list(fitted.standard_errors_.values())))
    assert list(fitted.summary.index) == ["p", "q", "v"]
    assert fitted.n_customers_ == 946


def test_expected_average_profit_check_values(returning, spend, fitted):
    model = GammaGammaModel()
    model.params_ = dict(CDNOW_GAMMA_GAMMA)
    first10 = spend.iloc[:10]
    np.testing.assert_allclose(
        model.conditional_expected_average_profit(first10["x"], first10["zbar"]),
        [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17],
        atol=0.1,
    )
    # lifetimes docs/Quickstart.md, over all 2357 customers with the fitted parameters
    profit = fitted.conditional_expected_average_profit(spend["x"], spend["zbar"])
    assert profit.mean() == pytest.approx(35.2529588256, rel=1e-6)
    assert returning["zbar"].mean() == pytest.approx(35.078551797, rel=1e-9)
    p, q, v = (fitted.params_[n] for n in ("p", "q", "v"))
    assert fitted.conditional_expected_average_profit(0, 0) == pytest.approx(p * v / (q - 1))


def test_clv_is_the_discounted_monthly_sum(fitted, purchases, spend):
    args = (spend["x"], spend["t_x"], spend["T"])
    clv = fitted.customer_lifetime_value(
        purchases, *args, spend["zbar"], time=12, discount_rate=0.01, freq="W"
    )
    assert isinstance(clv, pd.Series) and clv.index.equals(spend.index)
    profit = fitted.conditional_expected_average_profit(spend["x"], spend["zbar"]).to_numpy()
    by_hand = np.zeros(len(spend))
    for k in range(1, 13):
        now = purchases.conditional_expected_number_of_purchases_up_to_time(
            k * 4.345, *args
        ).to_numpy()
        before = purchases.conditional_expected_number_of_purchases_up_to_time(
            (k - 1) * 4.345, *args
        ).to_numpy()
        by_hand += profit * (now - before) / 1.01**k
    np.testing.assert_allclose(clv.to_numpy(), by_hand, rtol=1e-12)
    assert np.all(clv > 0)
    # longer horizons are worth more, higher discount rates less
    longer = fitted.customer_lifetime_value(purchases, *args, spend["zbar"], time=24, freq="W")
    dearer = fitted.customer_lifetime_value(
        purchases, *args, spend["zbar"], discount_rate=0.05, freq="W"
    )
    assert np.all(longer > clv) and np.all(dearer < clv)


def test_clv_with_any_transaction_model(fitted, purchases, spend):
    class Wrapped:  # duck typing: any model with the lifetimes prediction method
        def conditional_expected_number_of_purchases_up_to_time(self, t, x, tx, T):
            return purchases.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T)

    args = (spend["x"], spend["t_x"], spend["T"], spend["zbar"])
    np.testing.assert_allclose(
        fitted.customer_lifetime_value(Wrapped(), *args, freq="W").to_numpy(),
        fitted.customer_lifetime_value(purchases, *args, freq="W").to_numpy(),
        rtol=1e-12,
    )
    with pytest.raises(TypeError, match="conditional_expected_number_of_purchases_up_to_time"):
        fitted.customer_lifetime_value(object(), *args)


def test_lifetimes_parity(fitted, purchases, returning, spend):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.GammaGammaFitter().fit(returning["x"], returning["zbar"])
        bgf = lifetimes.BetaGeoFitter().fit(spend["x"], spend["t_x"], spend["T"])
    for name in ("p", "q", "v"):
        assert fitted.params_[name] == pytest.approx(theirs.params_[name], rel=1e-5)
    theirs.params_ = pd.Series(fitted.params_)
    bgf.params_ = pd.Series(purchases.params_)
    args = (spend["x"], spend["t_x"], spend["T"], spend["zbar"])
    for freq in ("W", "D"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = theirs.customer_lifetime_value(
                bgf, *args, time=12, discount_rate=0.01, freq=freq
            )
        ours = fitted.customer_lifetime_value(
            purchases, *args, time=12, discount_rate=0.01, freq=freq
        )
        np.testing.assert_allclose(ours.to_numpy(), expected.to_numpy(), rtol=1e-9)


def test_weights_and_penalizer(returning):
    counts = returning.groupby(["x", "zbar"]).size().reset_index(name="n")
    weighted = GammaGammaModel().fit(counts["x"], counts["zbar"], weights=counts["n"])
    plain = GammaGammaModel().fit(returning["x"], returning["zbar"])
    for name in ("p", "q", "v"):
        assert weighted.params_[name] == pytest.approx(plain.params_[name], rel=1e-7)
    penalized = GammaGammaModel(penalizer_coef=0.01).fit(returning["x"], returning["zbar"])
    assert penalized.log_likelihood_ < plain.log_likelihood_
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.GammaGammaFitter(penalizer_coef=0.01).fit(
            returning["x"], returning["zbar"]
        )
    for name in ("p", "q", "v"):
        assert penalized.params_[name] == pytest.approx(theirs.params_[name], rel=1e-4)


def test_money_scale_does_not_matter(returning):
    cents = GammaGammaModel().fit(returning["x"], returning["zbar"] * 100)
    dollars = GammaGammaModel().fit(returning["x"], returning["zbar"])
    assert cents.params_["p"] == pytest.approx(dollars.params_["p"], rel=1e-6)
    assert cents.params_["q"] == pytest.approx(dollars.params_["q"], rel=1e-6)
    assert cents.params_["v"] == pytest.approx(100 * dollars.params_["v"], rel=1e-6)
    huge = GammaGammaModel().fit(returning["x"], returning["zbar"] * 1e9)
    assert huge.params_["v"] == pytest.approx(1e9 * dollars.params_["v"], rel=1e-5)


@pytest.mark.parametrize(
    "x, m, message",
    [
        ([1, 2], [10.0, 0.0], r"monetary_value\[1\]=0 must be finite and > 0"),
        ([1, 2], [10.0, -3.0], r"monetary_value\[1\]=-3"),
        ([0, 2], [0.0, 5.0], r"frequency\[0\]=0 must be a whole number > 0.*frequency > 0"),
        ([1, 2], [np.nan, 5.0], r"monetary_value\[0\]=nan"),
        ([1, 2], [1.0], r"monetary_value has 1 entries but frequency has 2"),
    ],
)
def test_invalid_input_names_the_value(x, m, message):
    with pytest.raises(ValueError, match=message):
        GammaGammaModel().fit(x, m)


def test_invalid_clv_arguments(fitted, purchases):
    args = (purchases, [1, 0], [5.0, 0.0], [10.0, 10.0], [20.0, 0.0])
    with pytest.raises(ValueError, match="time=0"):
        fitted.customer_lifetime_value(*args, time=0)
    with pytest.raises(ValueError, match="freq='Y'"):
        fitted.customer_lifetime_value(*args, freq="Y")
    with pytest.raises(ValueError, match="discount_rate"):
        fitted.customer_lifetime_value(*args, discount_rate=-2)
    with pytest.raises(ValueError, match=r"monetary_value\[0\]=0 with frequency\[0\]=1"):
        fitted.customer_lifetime_value(purchases, [1, 0], [5.0, 0.0], [10.0, 10.0], [0.0, 0.0])
