#pragma once
/// \file
/// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value
/// Curves for Customer Base Analysis", JMR 42(4), 415-430; Fader & Hardie 2013, "The
/// Gamma-Gamma Model of Monetary Value", brucehardie.com note 025): fit_gamma_gamma,
/// the conditional expected spend per transaction and the customer lifetime value that
/// combines it with the BG/NBD purchase forecast.
///
///   E[M | x, m] = p (v + x m) / (p x + q - 1)                 (note 025, eq. 5)
///
/// a weighted mean of the population mean p v / (q - 1) and the customer's own mean m,
/// the weight on m growing with x. It is +inf when p x + q <= 1 (q <= 1 makes the
/// population mean infinite).
///
/// Customer lifetime value over `months` months, as lifetimes computes it: monthly
/// steps, each month's expected purchases times the expected spend, discounted
/// monthly at `discount_rate`:
///
///   CLV = sum_{k=1..months} E[M | x, m] (E[Y(k f) | x, t_x, T] - E[Y((k-1) f) | x, t_x, T])
///                           / (1 + discount_rate)^k
///
/// with f = time units per month (30 for days, 4.345 for weeks, 1 for months, 720 for
/// hours: lifetimes' factors).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/models/bgnbd.hpp"
#include "marketlearn/models/customer_summary.hpp"
#include "marketlearn/objective/gamma_gamma_objective.hpp"
#include "marketlearn/optim/lbfgs.hpp"
#include "marketlearn/optim/numerical_hessian.hpp"
#include "marketlearn/optim/result.hpp"

namespace marketlearn::models {

using objective::GammaGammaParams;

struct GammaGammaFitOptions {
    /// lifetimes' L2 penalty c (p^2 + q^2 + v^2) on the mean negative log-likelihood.
    double penalizer_coef = 0;
    std::size_t max_iter = 1000;
    double tol = 1e-8;  ///< L-BFGS gradient tolerance on the mean objective (log-parameters)
    int n_jobs = 1;
    bool compute_covariance = true;
    /// Starting parameters; default e^0.1 each after scaling money to mean 1.
    const GammaGammaParams* initial = nullptr;
};

struct GammaGammaFit {
    GammaGammaParams params;
    double log_likelihood = 0;  ///< sum_i w_i ll_i in the data's money units
    double weight_total = 0;
    /// Covariance of (p, q, v) from the inverse Hessian of the total penalized negative
    /// log-likelihood; NaN when it is not positive definite.
    Eigen::Matrix3d covariance =
        Eigen::Matrix3d::Constant(std::numeric_limits<double>::quiet_NaN());
    optim::Result<double> result;
    double gradient_max = 0;
    double max_abs_log_param = 0;  ///< see BetaGeoFit
    std::size_t n_unique_rows = 0;
    double money_scale = 1;  ///< the fit ran on monetary values times this (1 / weighted mean)
};

/// Fits the Gamma-Gamma model to returning customers (frequency x > 0 whole, mean repeat
/// spend m > 0) by maximum likelihood: identical rows become weights, money is scaled
/// to weighted mean 1 for conditioning (the penalty still applies to v in the data's
/// units, as in lifetimes) and L-BFGS minimizes objective::GammaGammaObjective over
/// log-parameters. Throws marketlearn::invalid_argument for invalid input.
inline GammaGammaFit fit_gamma_gamma(const double* frequency, const double* monetary_value,
                                     const double* weight, std::size_t n,
                                     const GammaGammaFitOptions& options = {}) {
    validate_spend_summary(frequency, monetary_value, weight, n);
    require(std::isfinite(options.penalizer_coef) && options.penalizer_coef >= 0,
            "penalizer_coef=", options.penalizer_coef, " must be a finite number >= 0");
    require(options.max_iter > 0, "max_iter=0 must be >= 1");
    require(std::isfinite(options.tol) && options.tol >= 0, "tol=", options.tol,
            " must be a finite number >= 0");

    auto rows = aggregate_identical_rows<2>({frequency, monetary_value}, weight, n);
    const std::size_t k = rows.size();
    const auto& x = rows.columns[0];
    const auto& m = rows.columns[1];
    double total = 0, weighted = 0;
    for (std::size_t i = 0; i < k; ++i) {
        total += rows.weight[i];
        weighted += rows.weight[i] * m[i];
    }
    const double scale = total / weighted;
    std::vector<double> m_scaled(k);
    for (std::size_t i = 0; i < k; ++i) m_scaled[i] = m[i] * scale;
    const std::size_t threads = resolve_n_jobs(options.n_jobs);
    objective::GammaGammaObjective f(x.data(), m_scaled.data(), rows.weight.data(), k,
                                     options.penalizer_coef, scale, threads);

    Eigen::VectorXd u = Eigen::VectorXd::Constant(3, 0.1);
    if (options.initial != nullptr) {
        const GammaGammaParams& p0 = *options.initial;
        for (double v : {p0.p, p0.q, p0.v}) {
            require(std::isfinite(v) && v > 0, "initial parameter ", v, " must be finite and > 0");
        }
        u << std::log(p0.p), std::log(p0.q), std::log(p0.v * scale);
    }

    GammaGammaFit fit;
    fit.result = detail::minimize_negative_log_likelihood(f, u, options.max_iter, options.tol);

    Eigen::VectorXd g;
    f.evaluate_with_gradient(u, g);
    fit.gradient_max = g.cwiseAbs().maxCoeff();
    fit.max_abs_log_param = u.cwiseAbs().maxCoeff();
    fit.params = objective::GammaGammaObjective::params_from_log(u);
    fit.params.v /= scale;
    fit.money_scale = scale;
    fit.n_unique_rows = k;
    const auto sums = objective::gamma_gamma_sums(fit.params, x.data(), m.data(),
                                                  rows.weight.data(), k, false, threads);
    fit.log_likelihood = sums.log_likelihood;
    fit.weight_total = sums.weight;
    if (options.compute_covariance) {
        Eigen::Matrix3d H = optim::numerical_hessian(f, u) * sums.weight;
        H.diagonal() -= g * sums.weight;  // see detail::covariance_from_log_hessian
        if (H.allFinite()) {
            const Eigen::LLT<Eigen::Matrix3d> llt(H);
            if (llt.info() == Eigen::Success) {
                const Eigen::Vector3d theta(fit.params.p, fit.params.q, fit.params.v);
                fit.covariance = theta.asDiagonal() * llt.solve(Eigen::Matrix3d::Identity()) *
                                 theta.asDiagonal();
            }
        }
    }
    return fit;
}

/// E[M | x, m] = p (v + x m) / (p x + q - 1): expected spend per future transaction of
/// a customer with x repeat purchases of mean value m (x = 0: the population mean
/// p v / (q - 1)). +inf when p x + q <= 1.
inline double gamma_gamma_expected_average_profit(const GammaGammaParams& params, double x,
                                                  double m) noexcept {
    const double denominator = params.p * x + params.q - 1;
    if (!(denominator > 0)) return std::numeric_limits<double>::infinity();
    return params.p * (params.v + x * m) / denominator;
}

namespace detail {

inline void require_params(const GammaGammaParams& p) {
    for (double v : {p.p, p.q, p.v}) {
        require(std::isfinite(v) && v > 0, "Gamma-Gamma parameter ", v, " must be finite and > 0");
    }
}

inline void require_monetary_values(const double* frequency, const double* monetary_value,
                                    std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = frequency[i], m = monetary_value[i];
        require(std::isfinite(x) && x >= 0, "frequency[", i, "]=", x, " must be finite and >= 0");
        require(std::isfinite(m) && m >= 0, "monetary_value[", i, "]=", m,
                " must be finite and >= 0");
        require(!(x > 0 && m == 0), "monetary_value[", i, "]=0 with frequency[", i, "]=", x,
                " > 0; a returning customer's mean repeat spend must be > 0");
    }
}

}  // namespace detail

/// E[M | x, m] for n customers into out[0, n).
inline void gamma_gamma_expected_average_profit(const GammaGammaParams& params,
                                                const double* frequency,
                                                const double* monetary_value, std::size_t n,
                                                double* out) {
    detail::require_params(params);
    detail::require_monetary_values(frequency, monetary_value, n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = gamma_gamma_expected_average_profit(params, frequency[i], monetary_value[i]);
    }
}

/// Discounted customer lifetime value (file comment) of n customers into out[0, n):
/// purchases from the BG/NBD model `purchases`, spend per purchase from the Gamma-Gamma
/// model `spend`. months >= 1 monthly steps of `periods_per_month` time units of T.
inline void customer_lifetime_value(const BetaGeoParams& purchases, const GammaGammaParams& spend,
                                    const double* frequency, const double* recency,
                                    const double* age, const double* monetary_value, std::size_t n,
                                    std::size_t months, double discount_rate,
                                    double periods_per_month, double* out, int n_jobs = 1) {
    detail::require_params(purchases);
    detail::require_params(spend);
    validate_rfm_summary(frequency, recency, age, nullptr, n);
    detail::require_monetary_values(frequency, monetary_value, n);
    require(months >= 1, "time=", months, " must be >= 1 (months)");
    require(std::isfinite(discount_rate) && discount_rate > -1, "discount_rate=", discount_rate,
            " must be a finite number > -1 (monthly)");
    require(std::isfinite(periods_per_month) && periods_per_month > 0,
            "periods_per_month=", periods_per_month, " must be a finite number > 0");

    // sum_k d^k (I_k - I_{k-1}) once per distinct (x, T); P(alive) and E[M] per customer.
    const std::vector<double> zeros(n, 0.0);
    detail::for_distinct_triples(
        frequency, age, zeros.data(), n, out, resolve_n_jobs(n_jobs),
        [&](double x, double T, double) {
            double previous = 0, total = 0, discount = 1;
            for (std::size_t k = 1; k <= months; ++k) {
                const double t = static_cast<double>(k) * periods_per_month;
                const double current = detail::expected_purchases_given_alive(
                    purchases.r + x, purchases.a, purchases.b + x, t / (purchases.alpha + T));
                discount /= 1 + discount_rate;
                total += (current - previous) * discount;
                previous = current;
            }
            return total;
        });
    for (std::size_t i = 0; i < n; ++i) {
        const double alive = bgnbd_probability_alive(purchases, frequency[i], recency[i], age[i]);
        const double value =
            gamma_gamma_expected_average_profit(spend, frequency[i], monetary_value[i]);
        out[i] *= alive * value;
    }
}

}  // namespace marketlearn::models
