// Customer lifetime value: BG/NBD and Gamma-Gamma fits, their block sums and
// predictions. float64 only (counts and times need the precision); 1-D arrays are
// bound with noconvert, so a wrong dtype or a non-contiguous array is a TypeError and
// never a silent copy. The GIL is released while C++ computes.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/models/bgnbd.hpp"
#include "marketlearn/models/gamma_gamma.hpp"

namespace marketlearn::python {

namespace {

using Array = py::array_t<double, py::array::c_style>;
using models::BetaGeoParams;
using models::GammaGammaParams;

/// A 1-D float64 C-contiguous view, checked for length `n` when n is given.
const double* data_of(const Array& a, const char* name,
                      std::optional<py::ssize_t> n = std::nullopt) {
    require(a.ndim() == 1, name, " must be 1-dimensional; got ", a.ndim(), " dimensions");
    if (n) {
        require(a.shape(0) == *n, name, " has ", a.shape(0), " entries but frequency has ", *n);
    }
    return a.data();
}

const char* stop_reason_token(optim::StopReason reason) {
    switch (reason) {
        case optim::StopReason::converged_tol: return "converged_tol";
        case optim::StopReason::converged_gradient: return "converged_gradient";
        case optim::StopReason::max_iter: return "max_iter";
        case optim::StopReason::callback: return "callback";
        case optim::StopReason::line_search_failed: return "line_search_failed";
        case optim::StopReason::not_decreasing: return "not_decreasing";
    }
    return "unknown";
}

BetaGeoParams bg_params(const std::array<double, 4>& p) { return {p[0], p[1], p[2], p[3]}; }
GammaGammaParams gg_params(const std::array<double, 3>& p) { return {p[0], p[1], p[2]}; }

void add_result(py::dict& out, const optim::Result<double>& result) {
    out["n_iter"] = result.iterations;
    out["converged"] = result.converged;
    out["stop_reason"] = stop_reason_token(result.reason);
    out["stop_message"] = optim::describe(result.reason);
    out["objective"] = result.objective;
}

py::dict fit_bgnbd(const Array& frequency, const Array& recency, const Array& T,
                   const std::optional<Array>& weights, double penalizer_coef, std::size_t max_iter,
                   double tol, int n_jobs,
                   const std::optional<std::array<double, 4>>& initial_params,
                   bool compute_covariance) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    const double* w = weights ? data_of(*weights, "weights", n) : nullptr;
    models::BetaGeoFitOptions options;
    options.penalizer_coef = penalizer_coef;
    options.max_iter = max_iter;
    options.tol = tol;
    options.n_jobs = n_jobs;
    options.compute_covariance = compute_covariance;
    BetaGeoParams initial;
    if (initial_params) {
        initial = bg_params(*initial_params);
        options.initial = &initial;
    }
    models::BetaGeoFit fit;
    {
        py::gil_scoped_release release;
        fit = models::fit_bgnbd(x, tx, age, w, static_cast<std::size_t>(n), options);
    }
    py::dict out;
    out["params"] =
        std::array<double, 4>{fit.params.r, fit.params.alpha, fit.params.a, fit.params.b};
    out["log_likelihood"] = fit.log_likelihood;
    out["weight_total"] = fit.weight_total;
    out["covariance"] = Eigen::MatrixXd(fit.covariance);
    out["gradient_max"] = fit.gradient_max;
    out["max_abs_log_param"] = fit.max_abs_log_param;
    out["n_unique_rows"] = fit.n_unique_rows;
    add_result(out, fit.result);
    return out;
}

py::dict bgnbd_log_likelihood_sums(const std::array<double, 4>& params, const Array& frequency,
                                   const Array& recency, const Array& T,
                                   const std::optional<Array>& weights, int n_jobs) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    const double* w = weights ? data_of(*weights, "weights", n) : nullptr;
    const BetaGeoParams p = bg_params(params);
    models::detail::require_params(p);
    objective::BetaGeoBlockSums sums;
    {
        py::gil_scoped_release release;
        models::validate_rfm_summary(x, tx, age, w, static_cast<std::size_t>(n));
        sums = objective::bgnbd_sums(p, x, tx, age, w, static_cast<std::size_t>(n), true,
                                     resolve_n_jobs(n_jobs));
    }
    py::dict out;
    out["log_likelihood"] = sums.log_likelihood;
    out["weight"] = sums.weight;
    out["gradient"] = sums.gradient;
    return out;
}

Array bgnbd_log_likelihood_rows(const std::array<double, 4>& params, const Array& frequency,
                                const Array& recency, const Array& T) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    const BetaGeoParams p = bg_params(params);
    models::detail::require_params(p);
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::validate_rfm_summary(x, tx, age, nullptr, static_cast<std::size_t>(n));
        for (py::ssize_t i = 0; i < n; ++i)
            o[i] = objective::bgnbd_log_likelihood(p, x[i], tx[i], age[i]);
    }
    return out;
}

Array bgnbd_probability_alive(const std::array<double, 4>& params, const Array& frequency,
                              const Array& recency, const Array& T) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::bgnbd_probability_alive(bg_params(params), x, tx, age, static_cast<std::size_t>(n),
                                        o);
    }
    return out;
}

Array bgnbd_conditional_expected_purchases(const std::array<double, 4>& params, const Array& t,
                                           const Array& frequency, const Array& recency,
                                           const Array& T, int n_jobs) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* horizon = data_of(t, "t", n);
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::bgnbd_conditional_expected_purchases(bg_params(params), horizon, x, tx, age,
                                                     static_cast<std::size_t>(n), o, n_jobs);
    }
    return out;
}

Array bgnbd_expected_purchases(const std::array<double, 4>& params, const Array& t) {
    const py::ssize_t n = t.size();
    const double* horizon = data_of(t, "t");
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        for (py::ssize_t i = 0; i < n; ++i)
            o[i] = models::bgnbd_expected_purchases(bg_params(params), horizon[i]);
    }
    return out;
}

Array bgnbd_probability_of_purchases(const std::array<double, 4>& params, const Array& t,
                                     const Array& n_purchases) {
    const py::ssize_t n = t.size();
    const double* horizon = data_of(t, "t");
    require(n_purchases.ndim() == 1 && n_purchases.shape(0) == n, "n has ", n_purchases.size(),
            " entries but t has ", n);
    const double* counts = n_purchases.data();
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        for (py::ssize_t i = 0; i < n; ++i) {
            o[i] = models::bgnbd_probability_of_purchases(bg_params(params), horizon[i], counts[i]);
        }
    }
    return out;
}

py::dict fit_gamma_gamma(const Array& frequency, const Array& monetary_value,
                         const std::optional<Array>& weights, double penalizer_coef,
                         std::size_t max_iter, double tol, int n_jobs,
                         const std::optional<std::array<double, 3>>& initial_params,
                         bool compute_covariance) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* m = data_of(monetary_value, "monetary_value", n);
    const double* w = weights ? data_of(*weights, "weights", n) : nullptr;
    models::GammaGammaFitOptions options;
    options.penalizer_coef = penalizer_coef;
    options.max_iter = max_iter;
    options.tol = tol;
    options.n_jobs = n_jobs;
    options.compute_covariance = compute_covariance;
    GammaGammaParams initial;
    if (initial_params) {
        initial = gg_params(*initial_params);
        options.initial = &initial;
    }
    models::GammaGammaFit fit;
    {
        py::gil_scoped_release release;
        fit = models::fit_gamma_gamma(x, m, w, static_cast<std::size_t>(n), options);
    }
    py::dict out;
    out["params"] = std::array<double, 3>{fit.params.p, fit.params.q, fit.params.v};
    out["log_likelihood"] = fit.log_likelihood;
    out["weight_total"] = fit.weight_total;
    out["covariance"] = Eigen::MatrixXd(fit.covariance);
    out["gradient_max"] = fit.gradient_max;
    out["max_abs_log_param"] = fit.max_abs_log_param;
    out["n_unique_rows"] = fit.n_unique_rows;
    add_result(out, fit.result);
    return out;
}

Array gamma_gamma_expected_average_profit(const std::array<double, 3>& params,
                                          const Array& frequency, const Array& monetary_value) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* m = data_of(monetary_value, "monetary_value", n);
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::gamma_gamma_expected_average_profit(gg_params(params), x, m,
                                                    static_cast<std::size_t>(n), o);
    }
    return out;
}

Array customer_lifetime_value(const std::array<double, 4>& purchase_params,
                              const std::array<double, 3>& spend_params, const Array& frequency,
                              const Array& recency, const Array& T, const Array& monetary_value,
                              std::size_t time, double discount_rate, double periods_per_month,
                              int n_jobs) {
    const py::ssize_t n = frequency.size();
    const double* x = data_of(frequency, "frequency");
    const double* tx = data_of(recency, "recency", n);
    const double* age = data_of(T, "T", n);
    const double* m = data_of(monetary_value, "monetary_value", n);
    Array out(n);
    double* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::customer_lifetime_value(bg_params(purchase_params), gg_params(spend_params), x, tx,
                                        age, m, static_cast<std::size_t>(n), time, discount_rate,
                                        periods_per_month, o, n_jobs);
    }
    return out;
}

}  // namespace

void bind_clv(py::module_& m) {
    using namespace pybind11::literals;
    m.def("fit_bgnbd", &fit_bgnbd, py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(), py::arg("weights").noconvert() = py::none(), py::kw_only(),
          "penalizer_coef"_a = 0.0, "max_iter"_a = 1000, "tol"_a = 1e-8, "n_jobs"_a = 1,
          "initial_params"_a = py::none(), "compute_covariance"_a = true, R"pbdoc(
        Fit the BG/NBD model by maximum likelihood (L-BFGS over log-parameters).

        frequency, recency, T, weights: float64 C-contiguous 1-D arrays (not copied).
        Identical rows are aggregated into weights first. Returns a dict: ``params``
        [r, alpha, a, b], ``log_likelihood`` (total), ``weight_total``, ``covariance``
        (4x4, NaN when the Hessian is not positive definite), ``gradient_max``,
        ``max_abs_log_param`` (largest |ln parameter| in scaled units; > 20: unidentified),
        ``n_unique_rows``, ``n_iter``, ``converged``, ``stop_reason``, ``stop_message``,
        ``objective`` (penalized mean negative log-likelihood in the scaled time unit).
        Invalid summaries raise ValueError naming the row and value. GIL released.
    )pbdoc");
    m.def("bgnbd_log_likelihood_sums", &bgnbd_log_likelihood_sums, py::arg("params"),
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(), py::arg("weights").noconvert() = py::none(), py::kw_only(),
          "n_jobs"_a = 1, R"pbdoc(
        Sums of one block of customers at params [r, alpha, a, b]: ``log_likelihood``
        (sum w_i ll_i), ``weight`` (sum w_i) and ``gradient`` (sum w_i d ll_i / d(r, alpha,
        a, b)). Blocks add up: a driver (e.g. Dask) sums them over partitions.
    )pbdoc");
    m.def("bgnbd_log_likelihood_rows", &bgnbd_log_likelihood_rows, py::arg("params"),
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(),
          "Per-customer BG/NBD log-likelihood at params [r, alpha, a, b].");
    m.def("bgnbd_probability_alive", &bgnbd_probability_alive, py::arg("params"),
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(),
          "P(alive | frequency, recency, T) under BG/NBD params [r, alpha, a, b].");
    m.def("bgnbd_conditional_expected_purchases", &bgnbd_conditional_expected_purchases,
          py::arg("params"), py::arg("t").noconvert(), py::arg("frequency").noconvert(),
          py::arg("recency").noconvert(), py::arg("T").noconvert(), py::kw_only(), "n_jobs"_a = 1,
          "Expected repeat purchases in (T, T + t] given the history (one t per customer).");
    m.def("bgnbd_expected_purchases", &bgnbd_expected_purchases, py::arg("params"),
          py::arg("t").noconvert(), "Expected repeat purchases of a new customer within t.");
    m.def("bgnbd_probability_of_purchases", &bgnbd_probability_of_purchases, py::arg("params"),
          py::arg("t").noconvert(), py::arg("n").noconvert(),
          "P(X(t) = n) for a new customer, elementwise over t and n.");
    m.def("fit_gamma_gamma", &fit_gamma_gamma, py::arg("frequency").noconvert(),
          py::arg("monetary_value").noconvert(), py::arg("weights").noconvert() = py::none(),
          py::kw_only(), "penalizer_coef"_a = 0.0, "max_iter"_a = 1000, "tol"_a = 1e-8,
          "n_jobs"_a = 1, "initial_params"_a = py::none(), "compute_covariance"_a = true, R"pbdoc(
        Fit the Gamma-Gamma spend model to returning customers (frequency > 0). Returns a
        dict like fit_bgnbd with ``params`` [p, q, v] and a 3x3 ``covariance``.
    )pbdoc");
    m.def("gamma_gamma_expected_average_profit", &gamma_gamma_expected_average_profit,
          py::arg("params"), py::arg("frequency").noconvert(),
          py::arg("monetary_value").noconvert(),
          "E[spend per transaction | frequency, monetary_value] under params [p, q, v].");
    m.def("customer_lifetime_value", &customer_lifetime_value, py::arg("purchase_params"),
          py::arg("spend_params"), py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(), py::arg("monetary_value").noconvert(), py::kw_only(),
          "time"_a = 12, "discount_rate"_a = 0.01, "periods_per_month"_a = 30.0, "n_jobs"_a = 1,
          R"pbdoc(
        Discounted CLV over `time` monthly steps (lifetimes' formula): BG/NBD purchases
        [r, alpha, a, b] times Gamma-Gamma spend [p, q, v].
    )pbdoc");
}

}  // namespace marketlearn::python
