"""BetaGeoModel: the published CDNOW fit and check values (shared/data/cdnow/PROVENANCE.md),
weights, output shapes, input errors, robustness and scale, lifetimes parity."""

from __future__ import annotations

import pickle
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from clv_helpers import CDNOW_BGNBD, CDNOW_BGNBD_SE, cdnow_summary, simulate_bgnbd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from marketlearn.clv import BetaGeoModel

PARAMS = ("r", "alpha", "a", "b")


@pytest.fixture(scope="module")
def cdnow(reference_data):
    return cdnow_summary(reference_data)


@pytest.fixture(scope="module")
def fitted(cdnow):
    return BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture
def rounded():
    """The model with lifetimes' test parameters (0.243, 4.414, 0.793, 2.426)."""
    model = BetaGeoModel()
    model.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    return model


def test_cdnow_fit_matches_the_published_parameters(fitted):
    assert fitted.converged_
    for name in PARAMS:
        assert fitted.params_[name] == pytest.approx(CDNOW_BGNBD[name], rel=1e-5)
        assert fitted.standard_errors_[name] == pytest.approx(CDNOW_BGNBD_SE[name], rel=1e-3)
    assert fitted.log_likelihood_ == pytest.approx(-9582.43, abs=0.01)  # Fader et al.: -9582.4
    assert fitted.n_customers_ == 2357
    assert fitted.n_unique_rows_ < 2357  # identical rows were aggregated

    summary = fitted.summary
    assert list(summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    assert list(summary.index) == list(PARAMS)
    np.testing.assert_allclose(
        summary["upper 95% bound"] - summary["coef"], 1.96 * summary["se(coef)"]
    )
    cov = fitted.variance_matrix_.to_numpy()
    np.testing.assert_allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_published_check_values(fitted, rounded):
    # "Hardie Excel sheet": t = 39, x = 2, t_x = 30.43, T = 38.86
    assert fitted.conditional_expected_number_of_purchases_up_to_time(
        39, 2, 30.43, 38.86
    ) == pytest.approx(1.226, abs=1e-3)
    times = [0.1429, 1, 3, 31.8571, 32, 78]
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    np.testing.assert_allclose(
        fitted.expected_number_of_purchases_up_to_time(times), expected, atol=1e-3
    )
    # R BTYD docs, with the rounded parameters
    assert rounded.probability_of_n_purchases_up_to_time(2, 10) == pytest.approx(
        1.07869e-07, rel=1e-5
    )
    assert rounded.probability_of_n_purchases_up_to_time(39, 0) == pytest.approx(
        0.5737864, abs=1e-7
    )
    pmf = rounded.probability_of_n_purchases_up_to_time(30, np.arange(11, 21))
    np.testing.assert_allclose(
        pmf,
        [
            0.0019995214,
            0.0015170236,
            0.0011633150,
            0.0009003148,
            0.0007023638,
            0.0005517902,
            0.0004361913,
            0.0003467171,
            0.0002769613,
            0.0002222260,
        ],
        atol=1e-10,
    )


def test_probability_alive(fitted, cdnow):
    p = fitted.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(p, pd.Series) and p.index.equals(cdnow.index)
    assert (p[cdnow["frequency"] == 0] == 1).all()
    r, alpha, a, b = (fitted.params_[n] for n in PARAMS)
    x, tx, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    buyers = x > 0
    direct = 1 / (
        1
        + a / (b + x[buyers] - 1) * ((alpha + T[buyers]) / (alpha + tx[buyers])) ** (r + x[buyers])
    )
    np.testing.assert_allclose(p[buyers], direct, rtol=1e-13)
    # far beyond the data: no overflow, no 0/0
    assert 0 <= fitted.conditional_probability_alive(1000, 1, 1e12) < 1e-6


def test_expected_purchases_limits_and_monotonicity(fitted):
    assert fitted.conditional_expected_number_of_purchases_up_to_time(0, 3, 10, 20) == 0
    horizons = np.array([1e-6, 0.5, 1, 10, 52, 520, 5200])
    values = fitted.conditional_expected_number_of_purchases_up_to_time(horizons, 3, 10, 20)
    assert np.all(np.diff(values) > 0) and np.all(np.isfinite(values))
    small = fitted.conditional_expected_number_of_purchases_up_to_time(1e-6, 0, 0, 20)
    r, alpha = fitted.params_["r"], fitted.params_["alpha"]
    assert small == pytest.approx(r * 1e-6 / (alpha + 20), rel=1e-5)  # E ~ s u for small t


def test_matches_hypergeometric_form_of_the_paper(fitted, cdnow):
    hyp2f1 = pytest.importorskip("scipy.special").hyp2f1
    r, alpha, a, b = (fitted.params_[n] for n in PARAMS)
    x, tx, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    for t in (1.0, 39.0, 156.0):
        z = t / (alpha + T + t)
        numerator = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - hyp2f1(r + x, b + x, a + b + x - 1, z)
                * ((alpha + T) / (alpha + T + t)) ** (r + x)
            )
        )
        denominator = 1 + (x > 0) * a / (b + np.maximum(x, 1) - 1) * (
            (alpha + T) / (alpha + tx)
        ) ** (r + x)
        ours = fitted.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T)
        np.testing.assert_allclose(ours, numerator / denominator, rtol=1e-9)


def test_weights_equal_repeated_rows(cdnow):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    weighted = BetaGeoModel().fit(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )
    plain = BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name in PARAMS:
        assert weighted.params_[name] == pytest.approx(plain.params_[name], rel=1e-7)
    assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-12)
    assert weighted.n_customers_ == 2357


def test_penalizer_shrinks_and_matches_lifetimes(cdnow):
    penalized = BetaGeoModel(penalizer_coef=0.1).fit(
        cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    plain = BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert penalized.log_likelihood_ < plain.log_likelihood_
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.BetaGeoFitter(penalizer_coef=0.1).fit(
            cdnow["frequency"], cdnow["recency"], cdnow["T"]
        )
    for name in PARAMS:
        assert penalized.params_[name] == pytest.approx(theirs.params_[name], rel=1e-4)


def test_lifetimes_parity_on_cdnow(fitted, cdnow):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name in PARAMS:
        assert fitted.params_[name] == pytest.approx(theirs.params_[name], rel=1e-5)
        assert fitted.standard_errors_[name] == pytest.approx(
            theirs.standard_errors_[name], rel=1e-4
        )
    theirs.params_ = pd.Series(fitted.params_)  # same parameters: the formulas agree
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for t in (1, 39, 156):
        np.testing.assert_allclose(
            fitted.conditional_expected_number_of_purchases_up_to_time(t, *args),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, *args),
            rtol=1e-10,
        )
    np.testing.assert_allclose(
        fitted.conditional_probability_alive(*args),
        theirs.conditional_probability_alive(*args),
        rtol=1e-12,
    )


def test_output_types(fitted, cdnow):
    assert isinstance(fitted.conditional_probability_alive(2, 30.0, 38.0), float)
    arrays = [cdnow[c].to_numpy() for c in ("frequency", "recency", "T")]
    out = fitted.conditional_expected_number_of_purchases_up_to_time(10, *arrays)
    assert isinstance(out, np.ndarray) and out.shape == (2357,)
    per_customer = fitted.conditional_expected_number_of_purchases_up_to_time(
        np.full(2357, 10.0), cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    assert isinstance(per_customer, pd.Series) and per_customer.index.equals(cdnow.index)
    np.testing.assert_allclose(per_customer.to_numpy(), out)
    assert fitted.predict(10, *arrays) == pytest.approx(out)
    # float32 and integer inputs are converted once
    as32 = [a.astype(np.float32) for a in arrays]
    assert np.all(np.isfinite(fitted.conditional_probability_alive(*as32)))


def test_block_sums_compose(fitted, cdnow):
    x, tx, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    whole = fitted.log_likelihood_sums(x, tx, T)
    halves = [
        fitted.log_likelihood_sums(x[s], tx[s], T[s]) for s in (slice(0, 1000), slice(1000, None))
    ]
    assert whole["log_likelihood"] == pytest.approx(fitted.log_likelihood_, rel=1e-12)
    assert sum(h["log_likelihood"] for h in halves) == pytest.approx(
        whole["log_likelihood"], rel=1e-13
    )
    assert sum(h["weight"] for h in halves) == whole["weight"] == 2357
    np.testing.assert_allclose(
        np.add(*[h["gradient"] for h in halves]), whole["gradient"], atol=1e-8
    )
    np.testing.assert_allclose(whole["gradient"], 0, atol=1e-3)  # at the optimum


def test_clone_and_pickle(fitted):
    assert clone(fitted).get_params() == {
        "max_iter": 1000,
        "n_jobs": 1,
        "penalizer_coef": 0.0,
        "tol": 1e-8,
    }
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.params_ == fitted.params_
    assert restored.conditional_probability_alive(
        2, 30.0, 38.0
    ) == fitted.conditional_probability_alive(2, 30.0, 38.0)


@pytest.mark.parametrize(
    "x, tx, T, message",
    [
        ([1, 2], [5.0, 1.0], [3.0, 4.0], r"recency\[0\]=5 is greater than T\[0\]=3"),
        ([0, 2], [0.0, 0.0], [3.0, 4.0], r"frequency\[1\]=2 > 0 with recency\[1\]=0"),
        ([0, 0], [0.0, 1.0], [3.0, 4.0], r"recency\[1\]=1 with frequency\[1\]=0"),
        ([-1, 0], [0.0, 0.0], [3.0, 4.0], r"frequency\[0\]=-1 must be >= 0"),
        ([1.5, 0], [1.0, 0.0], [3.0, 4.0], r"frequency\[0\]=1.5 must be a whole number"),
        ([0, 0], [0.0, 0.0], [3.0, -4.0], r"T\[1\]=-4 must be >= 0"),
        ([1, 0], [np.nan, 0.0], [3.0, 4.0], r"recency\[0\]=nan must be finite"),
        ([1, 0], [1.0, 0.0], [np.inf, 4.0], r"T\[0\]=inf must be finite"),
        ([1, 0], [1.0, 0.0], [3.0], r"T has 1 entries but frequency has 2"),
    ],
)
def test_invalid_summaries_name_the_value(x, tx, T, message):
    with pytest.raises(ValueError, match=message):
        BetaGeoModel().fit(x, tx, T)


def test_invalid_prediction_input_and_parameters(fitted):
    with pytest.raises(ValueError, match=r"recency\[0\]=9 is greater than T\[0\]=5"):
        fitted.conditional_probability_alive(1, 9.0, 5.0)
    with pytest.raises(ValueError, match=r"t\[0\]=-1 must be >= 0"):
        fitted.conditional_expected_number_of_purchases_up_to_time(-1, 1, 2.0, 5.0)
    with pytest.raises(ValueError, match="different lengths"):
        fitted.conditional_probability_alive([1, 2], [1.0, 2.0, 3.0], [5.0, 5.0])
    with pytest.raises(ValueError, match="weights"):
        BetaGeoModel().fit([1, 0], [1.0, 0.0], [3.0, 4.0], weights=[-1, 1])
    with pytest.raises(ValueError, match="penalizer_coef"):
        BetaGeoModel(penalizer_coef=-1).fit([1, 0], [1.0, 0.0], [3.0, 4.0])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BetaGeoModel().conditional_probability_alive(1, 1.0, 2.0)


def test_recovers_simulated_parameters():
    rng = np.random.default_rng(5)
    truth = {"r": 0.5, "alpha": 10.0, "a": 1.2, "b": 3.0}
    x, tx, T = simulate_bgnbd(200_000, *truth.values(), rng.uniform(20, 100, 200_000), seed=6)
    model = BetaGeoModel().fit(x, tx, T)
    for name in PARAMS:
        z = (model.params_[name] - truth[name]) / model.standard_errors_[name]
        assert abs(z) < 4.5, (name, model.params_[name], model.standard_errors_[name])


def test_a_million_customers_fit_fast():
    rng = np.random.default_rng(1)
    n = 1_000_000
    x, tx, T = simulate_bgnbd(
        n, 0.25, 28.0, 0.8, 2.5, rng.uniform(30, 365, n), seed=2, whole_days=True
    )
    start = time.perf_counter()
    model = BetaGeoModel().fit(x, tx, T)
    seconds = time.perf_counter() - start
    assert model.converged_ and model.n_customers_ == n
    assert model.params_["r"] == pytest.approx(0.25, rel=0.05)
    assert seconds < 30, seconds  # ~1.5 s on one core here; generous for shared CI machines
    start = time.perf_counter()
    expected = model.conditional_expected_number_of_purchases_up_to_time(90, x, tx, T)
    assert np.all(np.isfinite(expected)) and time.perf_counter() - start < 30


def test_extreme_inputs_stay_finite():
    # frequency 0 everywhere but one customer: the likelihood does not identify every
    # parameter; the fit must still end finite, with a warning
    n = 2000
    x, tx, T = np.zeros(n), np.zeros(n), np.linspace(1, 100, n)
    x[0], tx[0], T[0] = 3, 20.0, 40.0
    with pytest.warns(ConvergenceWarning, match="do not identify every parameter"):
        model = BetaGeoModel().fit(x, tx, T)
    values = [*model.params_.values(), model.log_likelihood_]
    assert np.all(np.isfinite(values))
    for out in (
        model.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T),
        model.conditional_probability_alive(x, tx, T),
    ):
        assert np.all(np.isfinite(out))

    # huge T (1e10 time units) and huge frequencies
    x = np.array([0, 5, 2, 40, 10_000], dtype=float)
    tx = np.array([0, 1e9, 3e8, 9.9e9, 5e9])
    T = np.array([1e10, 1e10, 5e9, 1e10, 1e10])
    model = BetaGeoModel().fit(np.tile(x, 50), np.tile(tx, 50), np.tile(T, 50))
    assert np.all(np.isfinite(list(model.params_.values())))
    out = model.conditional_expected_number_of_purchases_up_to_time(1e10, x, tx, T)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)

    # no repeat purchases at all: a and b are not identified (singular Hessian)
    with pytest.warns(ConvergenceWarning, match="not positive definite"):
        model = BetaGeoModel().fit(np.zeros(100), np.zeros(100), np.linspace(1, 50, 100))
    assert np.isnan(model.standard_errors_["a"])
    assert np.all(np.isfinite(list(model.params_.values())))
    assert model.conditional_expected_number_of_purchases_up_to_time(10, 0, 0, 5) >= 0


def test_core_binding_is_strict_and_releases_the_gil(cdnow):
    from concurrent.futures import ThreadPoolExecutor

    from marketlearn import _core

    x, tx, T = (
        np.ascontiguousarray(cdnow[c].to_numpy(np.float64)) for c in ("frequency", "recency", "T")
    )
    with pytest.raises(TypeError):  # noconvert: float32 is not silently copied
        _core.fit_bgnbd(x.astype(np.float32), tx, T)
    with pytest.raises(TypeError):  # nor is a strided view
        _core.fit_bgnbd(np.repeat(x, 2)[::2], tx, T)
    serial = _core.fit_bgnbd(x, tx, T)["params"]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _core.fit_bgnbd(x, tx, T)["params"], range(8)))
    assert all(r == serial for r in results)


def test_default_fits_of_the_full_cdnow_log_converge(reference_data):
    """The full CDNOW log (23,570 customers, weeks): the default tol=1e-8 lies at the
    rounding of the mean log-likelihood, whose terms cancel to near 0 in the fit's units.
    The fits must end converged at the optimum: they used to report converged_=False
    after two line searches that could not succeed (a third of the BG/NBD fit's time)."""
    from marketlearn.clv import GammaGammaModel, summary_from_transactions

    log = pd.read_csv(
        reference_data / "cdnow" / "CDNOW_master.csv", dtype={"customer_id": str, "date": str}
    )
    s = summary_from_transactions(
        log, "customer_id", "date", "dollar_value", freq="W", datetime_format="%Y%m%d"
    )
    bg = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    assert bg.converged_
    # lifetimes 0.11.3's BetaGeoFitter on the same summary (bench/RESULTS.md case)
    lifetimes_fit = {"r": 0.26712777, "alpha": 5.98649252, "a": 0.48351691, "b": 2.1116081}
    for name, value in lifetimes_fit.items():
        assert bg.params_[name] == pytest.approx(value, rel=1e-5)
    returning = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    gg = GammaGammaModel().fit(returning["frequency"], returning["monetary_value"])
    assert gg.converged_
