#pragma once
/// \file
/// BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
/// Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284):
/// fit_bgnbd (maximum likelihood by L-BFGS) and the model's predictions.
///
/// Model: while alive, a customer buys as a Poisson process of rate lambda; after every
/// purchase they drop out with probability p; across customers lambda ~ Gamma(r, alpha)
/// and p ~ Beta(a, b). Data per customer: x repeat purchases, the last at t_x, observed
/// for T time units since the first purchase.
///
/// Predictions (eq. numbers of the paper and of Hardie's notes):
///   P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))
///                          (note 021)
///   E[X(t)]              = expected_purchases_given_alive(r, a, b, t / alpha)        (eq. 9)
///   E[Y(t) | x, t_x, T]  = P(alive) * expected_purchases_given_alive(r + x, a, b + x, t / (alpha +
///   T))
///                                                                                   (eq. 10)
///   P(X(t) = n)          = eq. 8
/// where expected_purchases_given_alive(s, a, beta, u) = E[(1 - (1 + p u)^-s) / p] for
/// p ~ Beta(a, beta): an alive customer with rate lambda and dropout p buys
/// (1 - e^(-lambda p t)) / p times in expectation over the next t, and the posterior of
/// lambda is Gamma(r + x, alpha + T). The paper writes this expectation with a Gauss
/// hypergeometric function, (a + beta - 1)/(a - 1) [1 - (1 + u)^-s 2F1(s, beta; a + beta - 1;
/// u / (1 + u))], which cancels catastrophically near a = 1, has poles when a + beta <= 1
/// and converges slowly for large u. We integrate the expectation numerically instead
/// (see detail::expected_purchases_given_alive): defined and accurate for every a, beta > 0.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/special_functions.hpp"
#include "marketlearn/models/customer_summary.hpp"
#include "marketlearn/objective/bgnbd_objective.hpp"
#include "marketlearn/optim/lbfgs.hpp"
#include "marketlearn/optim/numerical_hessian.hpp"
#include "marketlearn/optim/result.hpp"

namespace marketlearn::models {

using objective::BetaGeoParams;

struct BetaGeoFitOptions {
    /// lifetimes' L2 penalty c (r^2 + alpha'^2 + a^2 + b^2) added to the mean negative
    /// log-likelihood, with alpha' = alpha / max(T) as lifetimes scales it.
    double penalizer_coef = 0;
    std::size_t max_iter = 1000;
    /// L-BFGS stops when every entry of the gradient of the mean negative log-likelihood
    /// (over log-parameters) is at most tol.
    double tol = 1e-8;
    int n_jobs = 1;
    bool compute_covariance = true;
    /// Starting parameters (in the units of T); default: lifetimes' start, e^0.1 for every
    /// parameter after scaling time so that max(T) = 1.
    const BetaGeoParams* initial = nullptr;
};

struct BetaGeoFit {
    BetaGeoParams params;
    double log_likelihood = 0;  ///< sum_i w_i ll_i at params, in the units of T
    double weight_total = 0;    ///< sum_i w_i (the number of customers when unweighted)
    /// Covariance of (r, alpha, a, b): inverse Hessian of the total penalized negative
    /// log-likelihood; NaN when that Hessian is not positive definite.
    Eigen::Matrix4d covariance =
        Eigen::Matrix4d::Constant(std::numeric_limits<double>::quiet_NaN());
    optim::Result<double> result;
    double gradient_max = 0;  ///< max |gradient| of the objective at the end
    /// max |ln theta_k| in the fit's scaled units (time / max T, money / mean): beyond ~20
    /// a parameter ran towards 0 or infinity, i.e. the data do not identify it.
    double max_abs_log_param = 0;
    std::size_t n_unique_rows = 0;  ///< distinct (x, t_x, T) rows after aggregation
    double time_scale = 1;          ///< the fit ran on times multiplied by this (1 / max T)
};

namespace detail {

inline Eigen::Matrix4d covariance_from_log_hessian(const Eigen::Matrix4d& H_log,
                                                   const Eigen::Vector4d& g_log,
                                                   const Eigen::Vector4d& theta) {
    // F(u) with theta = e^u: d2F/du_i du_j = theta_i theta_j d2F/dtheta_i dtheta_j
    // + [i = j] dF/du_i, so Cov(theta) = H_theta^-1 = D (H_u - diag(g_u))^-1 D.
    Eigen::Matrix4d H = H_log;
    H.diagonal() -= g_log;
    Eigen::Matrix4d cov = Eigen::Matrix4d::Constant(std::numeric_limits<double>::quiet_NaN());
    if (!H.allFinite()) return cov;
    const Eigen::LLT<Eigen::Matrix4d> llt(H);  // fails unless positive definite
    if (llt.info() != Eigen::Success) return cov;
    const Eigen::Matrix4d inv = llt.solve(Eigen::Matrix4d::Identity());
    cov = theta.asDiagonal() * inv * theta.asDiagonal();
    return cov;
}

/// Minimizes a CLV objective (a mean negative log-likelihood over log-parameters) by
/// L-BFGS from u, gradient tolerance tol.
///
/// The likelihood's terms, of both signs, can cancel to near 0 in f, so L-BFGS is told
/// their size (Options::value_scale, from the objective's term_scale) to judge rounding.
/// That size is measured at the start; when the optimum's terms are much smaller (a far
/// initial guess), a second run from the optimum with their size there makes the final
/// stopping test the optimum's own.
template <class Objective>
optim::Result<double> minimize_negative_log_likelihood(const Objective& f, Eigen::VectorXd& u,
                                                       std::size_t max_iter, double tol) {
    typename optim::LBFGS<double>::Options lo;
    lo.max_iter = max_iter;
    lo.gradient_tol = tol;
    lo.value_scale = std::max(1.0, f.term_scale(u));
    optim::Result<double> result = optim::LBFGS<double>(lo).optimize(f, u);
    const double end_scale = std::max(1.0, f.term_scale(u));
    if (end_scale < lo.value_scale / 2 && result.iterations < max_iter) {
        lo.value_scale = end_scale;
        lo.max_iter = max_iter - result.iterations;
        // Without curvature pairs its first steps follow -g and may lower f by little
        // although the optimum is not reached: only the gradient and working precision
        // end this run, not the objective's change.
        lo.tol = 0;
        const optim::Result<double> polish = optim::LBFGS<double>(lo).optimize(f, u);
        result.iterations += polish.iterations;
        result.objective = polish.objective;
        result.converged = polish.converged;
        result.reason = polish.reason;
    }
    return result;
}

}  // namespace detail

/// Fits the BG/NBD model to per-customer summaries by maximum likelihood.
///
/// frequency x (whole repeat-purchase counts), recency t_x and age T (same time unit) of n
/// customers; `weight` (may be null) counts customers per row. Identical rows are first
/// collapsed into weights (models::aggregate_identical_rows), times are scaled so that
/// max T = 1 (as lifetimes does, for conditioning), and L-BFGS minimizes
/// objective::BetaGeoObjective over log-parameters from e^0.1. Throws
/// marketlearn::invalid_argument for invalid summaries (see validate_rfm_summary).
inline BetaGeoFit fit_bgnbd(const double* frequency, const double* recency, const double* age,
                            const double* weight, std::size_t n,
                            const BetaGeoFitOptions& options = {}) {
    validate_rfm_summary(frequency, recency, age, weight, n);
    require(std::isfinite(options.penalizer_coef) && options.penalizer_coef >= 0,
            "penalizer_coef=", options.penalizer_coef, " must be a finite number >= 0");
    require(options.max_iter > 0, "max_iter=0 must be >= 1");
    require(std::isfinite(options.tol) && options.tol >= 0, "tol=", options.tol,
            " must be a finite number >= 0");

    auto rows = aggregate_identical_rows<3>({frequency, recency, age}, weight, n);
    const std::size_t m = rows.size();
    const auto& x = rows.columns[0];
    const auto& tx = rows.columns[1];
    const auto& T = rows.columns[2];
    const double max_T = *std::max_element(T.begin(), T.end());
    require(max_T > 0,
            "every customer has T=0 (first purchase at the end of the period); the "
            "model needs customers observed for some time");
    const double scale = 1.0 / max_T;
    std::vector<double> tx_scaled(m), T_scaled(m);
    for (std::size_t i = 0; i < m; ++i) {
        tx_scaled[i] = tx[i] * scale;
        T_scaled[i] = T[i] * scale;
    }
    const std::size_t threads = resolve_n_jobs(options.n_jobs);
    objective::BetaGeoObjective f(x.data(), tx_scaled.data(), T_scaled.data(), rows.weight.data(),
                                  m, options.penalizer_coef, threads);

    Eigen::VectorXd u = Eigen::VectorXd::Constant(4, 0.1);
    if (options.initial != nullptr) {
        const BetaGeoParams& p0 = *options.initial;
        for (double v : {p0.r, p0.alpha, p0.a, p0.b}) {
            require(std::isfinite(v) && v > 0, "initial parameter ", v, " must be finite and > 0");
        }
        u << std::log(p0.r), std::log(p0.alpha * scale), std::log(p0.a), std::log(p0.b);
    }

    BetaGeoFit fit;
    fit.result = detail::minimize_negative_log_likelihood(f, u, options.max_iter, options.tol);

    Eigen::VectorXd g;
    f.evaluate_with_gradient(u, g);
    fit.gradient_max = g.cwiseAbs().maxCoeff();
    fit.max_abs_log_param = u.cwiseAbs().maxCoeff();
    fit.params = objective::BetaGeoObjective::params_from_log(u);
    fit.params.alpha /= scale;
    fit.time_scale = scale;
    fit.n_unique_rows = m;
    const auto sums = objective::bgnbd_sums(fit.params, x.data(), tx.data(), T.data(),
                                            rows.weight.data(), m, false, threads);
    fit.log_likelihood = sums.log_likelihood;
    fit.weight_total = sums.weight;
    if (options.compute_covariance) {
        // Hessian of the total (not mean) objective: the sample size sets the precision.
        const Eigen::Matrix4d H = optim::numerical_hessian(f, u) * sums.weight;
        const Eigen::Vector4d g_total = g * sums.weight;
        const Eigen::Vector4d theta(fit.params.r, fit.params.alpha, fit.params.a, fit.params.b);
        fit.covariance = detail::covariance_from_log_hessian(H, g_total, theta);
    }
    return fit;
}

// ---- predictions ------------------------------------------------------------------------

/// P(alive | x, t_x, T) (Fader, Hardie & Lee, note 021): 1 when x = 0, otherwise
/// 1 / (1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)), computed as a logistic
/// function of the log-odds so it neither overflows nor rounds to 0/0.
inline double bgnbd_probability_alive(const BetaGeoParams& p, double x, double t_x,
                                      double T) noexcept {
    if (x == 0) return 1.0;
    const double log_odds_dead =
        (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x)) + std::log(p.a) - std::log(p.b + x - 1);
    return special::sigmoid(-log_odds_dead);
}

namespace detail {

/// E[(1 - (1 + p u)^-s) / p] for p ~ Beta(a, beta), s, a, beta > 0, u >= 0, by
/// numerical integration (see expected_purchases_given_alive for what it is).
///
/// The integral runs over y = logit(p) = mode + c sinh(t): the Beta density in y
/// is log-concave with mode ln(a / beta) and width c = sqrt(1/a + 1/beta); the sinh map
/// makes its exponential tails (and the p^(a-1) spike at 0 when a < 1) decay double
/// exponentially in t, so the trapezoidal rule converges geometrically. The range is cut
/// where analytic tail bounds fall below 1e-17 of the result, and the step is halved
/// until two successive sums agree to 1e-13 (relative). The log-density is evaluated
/// relative to its mode (a ln(p/p*) + beta ln(q/q*) by log1p/expm1, plus the exact
/// log-density at the mode), so a, beta ~ 1e7 do not leave 1e-9 rounding noise that
/// would keep the refinement from converging. About 100-500 integrand evaluations;
/// accurate to ~1e-11 for every parameter value tested (a in [0.02, 150], beta up to 1e6,
/// u up to 1e3, against 40-digit arithmetic).
inline double expected_purchases_quadrature(double s, double a, double beta, double u) {
    if (!(u > 0)) return 0.0;
    if (std::isinf(u)) {
        return a > 1 ? (a + beta - 1) / (a - 1) : std::numeric_limits<double>::infinity();
    }
    using namespace special;
    const double log_norm = log_beta(a, beta);
    const double mode = std::log(a / beta);
    const double width = std::sqrt(1 / a + 1 / beta);
    const double g_max = s * u;                            // g(p) at p -> 0
    const double g_min = -std::expm1(-s * std::log1p(u));  // g(1) <= result
    const double log_tol = std::log(1e-17);

    // Tails: P(p < eps) <= eps^a / (a B), P(1 - p < eps) <= eps^beta / (beta B) (up to
    // factors near 1), and the integrand there is at most g_max resp. the result.
    const double log_eps_left =
        std::min(-1e-3, (log_tol + std::log(g_min / g_max) + std::log(a) + log_norm) / a);
    const double log_eps_right = std::min(-1e-3, (log_tol + std::log(beta) + log_norm) / beta);
    auto logit_of_log = [](double log_eps) {  // logit(eps) from ln eps
        return log_eps - std::log(-std::expm1(log_eps));
    };
    const double y_left = std::min(logit_of_log(log_eps_left), mode - width);
    const double y_right = std::max(-logit_of_log(log_eps_right), mode + width);
    const double t_left = std::asinh((y_left - mode) / width);
    const double t_right = std::asinh((y_right - mode) / width);

    // ln density(y) = C + a ln(p / p*) + beta ln(q / q*) with p* = sigma(mode) = a/(a+beta),
    // q* = 1 - p*, and C = a ln p* + beta ln q* - ln B(a, beta), the log-density at the mode
    // (by Stirling, C = ln(a beta / (a + beta)) / 2 - ln(2 pi) / 2 - corrections, without
    // the cancellation of three terms of size a + beta).
    double C;
    if (std::min(a, beta) >= special::detail::large_argument) {
        C = 0.5 * std::log(a * beta / (a + beta)) - 0.5 * std::log(2 * pi) -
            (special::detail::stirling_correction(a) + special::detail::stirling_correction(beta) -
             special::detail::stirling_correction(a + beta));
    } else {
        C = -a * std::log1p(beta / a) - beta * std::log1p(a / beta) - log_norm;
    }
    const double p_star = a / (a + beta), q_star = beta / (a + beta);
    const double log_p_star = -std::log1p(beta / a), log_q_star = -std::log1p(a / beta);
    // ln(1 + A expm1(w)) for A in (0, 1), with (1 - A) / A = ratio, for any w
    auto log1p_scaled_expm1 = [](double A, double log_A, double ratio, double w) {
        if (w <= 30) return std::log1p(A * std::expm1(w));
        return w + log_A + std::log1p(ratio * std::exp(-w));
    };
    auto integrand = [&](double t) {
        const double dy = width * std::sinh(t);  // y - mode
        const double log_p = log_sigmoid(mode + dy);
        const double p = std::exp(log_p);
        const double pu = p * u;
        const double g =
            pu < 1e-8 ? g_max * (1 - 0.5 * (s + 1) * pu) : -std::expm1(-s * std::log1p(pu)) / p;
        // ln(p / p*) = -ln(1 + q* expm1(-dy)), ln(q / q*) = -ln(1 + p* expm1(dy))
        const double log_p_ratio = -log1p_scaled_expm1(q_star, log_q_star, p_star / q_star, -dy);
        const double log_q_ratio = -log1p_scaled_expm1(p_star, log_p_star, q_star / p_star, dy);
        const double log_density = C + a * log_p_ratio + beta * log_q_ratio;
        return g * std::exp(log_density) * width * std::cosh(t);
    };

    std::size_t intervals = 32;
    double h = (t_right - t_left) / static_cast<double>(intervals);
    double sum = 0.5 * (integrand(t_left) + integrand(t_right));
    for (std::size_t k = 1; k < intervals; ++k)
        sum += integrand(t_left + static_cast<double>(k) * h);
    double estimate = sum * h;
    for (int level = 0; level < 8; ++level) {
        double extra = 0;
        for (std::size_t k = 0; k < intervals; ++k) {
            extra += integrand(t_left + (static_cast<double>(k) + 0.5) * h);
        }
        sum += extra;
        intervals *= 2;
        h /= 2;
        const double refined = sum * h;
        const bool done = std::abs(refined - estimate) <= 1e-13 * std::abs(refined);
        estimate = refined;
        if (done) break;
    }
    return estimate;
}

/// The same expectation by a convergent series, when one is both fast and free of
/// cancellation; returns false (and leaves `out` alone) otherwise.
///
/// Small u (u <= 1/2 and s u <= 1/2): expanding (1 + p u)^-s and taking E[p^(k-1)] =
/// (a)_(k-1) / (a + beta)_(k-1) gives the alternating series
///   sum_{k>=1} (-1)^(k+1) (s)_k u^k (a)_(k-1) / (k! (a + beta)_(k-1)),
/// whose terms shrink by a factor <= 1/2 from the first one: no cancellation.
/// Otherwise, with z = u / (1 + u), c = a + beta - 1 > 0 and e = a - 1, Euler's
/// transformation of the paper's 2F1 (DLMF 15.8.1) splits off the factor e that makes the
/// hypergeometric form cancel at a = 1:
///   c [ (1 - (1 - z)^e) / e - (1 - z)^e sum_{k>=1} (c - s)_k (a)_(k-1) z^k / ((c)_k k!) ],
/// used for z <= 0.95 when the sum of the terms' magnitudes is at most 1e3 times the
/// result (so at most ~1e-13 relative error); the quadrature covers the rest.
inline bool expected_purchases_series(double s, double a, double beta, double u, double& out) {
    constexpr int max_terms = 3000;
    if (u <= 0.5 && s * u <= 0.5) {
        double term = s * u, sum = 0;
        for (int k = 1; k < max_terms; ++k) {
            sum += term;
            if (std::abs(term) <= 1e-17 * std::abs(sum)) {
                out = sum;
                return true;
            }
            const double kd = k;
            term *= -u * (s + kd) * (a + kd - 1) / ((kd + 1) * (a + beta + kd - 1));
        }
        return false;
    }
    const double z = u / (1 + u);
    const double c = a + beta - 1;
    // terms peak near k = a z: beyond a few hundred, the quadrature is cheaper
    if (!(z <= 0.95) || !(c > 0.5) || !(a * z <= 300)) return false;
    const double L = -std::log1p(u);  // ln(1 - z)
    const double e = a - 1;
    const double head = e == 0 ? -L : -std::expm1(e * L) / e;
    double term = (c - s) * z / c, sum = 0, magnitude = 0;
    bool converged = false;
    for (int k = 1; k < max_terms; ++k) {
        sum += term;
        magnitude += std::abs(term);
        if (std::abs(term) <= 1e-17 * std::abs(sum) || term == 0) {
            converged = true;
            break;
        }
        const double kd = k;
        term *= (c - s + kd) * (a + kd - 1) * z / ((c + kd) * (kd + 1));
    }
    if (!converged) return false;
    const double weight = std::exp(e * L);
    const double value = c * (head - weight * sum);
    if (!(value > 0) || c * (std::abs(head) + weight * magnitude) > 1e3 * value) return false;
    out = value;
    return true;
}

/// E[(1 - (1 + p u)^-s) / p] for p ~ Beta(a, beta), s, a, beta > 0, u >= 0: the expected
/// number of purchases over the next t of a customer known to be alive, with
/// u = t / (alpha + T), s = r + x and beta = b + x (see the file comment). A series where
/// it is safe (expected_purchases_series, ~0.3 us), numerical integration elsewhere
/// (expected_purchases_quadrature, ~30 us).
inline double expected_purchases_given_alive(double s, double a, double beta, double u) {
    if (!(u > 0)) return 0.0;
    double out;
    if (std::isfinite(u) && expected_purchases_series(s, a, beta, u, out)) return out;
    return expected_purchases_quadrature(s, a, beta, u);
}

/// Evaluates fn(k0, k1, k2) once per distinct key triple of n rows and writes it to
/// out[i] for every row: predictions for a customer base repeat few (x, T, t) triples.
template <class Fn>
void for_distinct_triples(const double* k0, const double* k1, const double* k2, std::size_t n,
                          double* out, std::size_t n_threads, Fn&& fn) {
    DistinctRowIndex<3> index(n / 4);
    std::vector<std::array<double, 3>> keys;
    std::vector<std::size_t> slot(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto [id, inserted] = index.insert({bits_of(k0[i]), bits_of(k1[i]), bits_of(k2[i])});
        if (inserted) keys.push_back({k0[i], k1[i], k2[i]});
        slot[i] = id;
    }
    std::vector<double> values(keys.size());
    constexpr std::size_t block = 64;
    const std::size_t n_blocks = (keys.size() + block - 1) / block;
    parallel_for_blocks(n_blocks, n_threads, [&](std::size_t b) {
        const std::size_t end = std::min(keys.size(), (b + 1) * block);
        for (std::size_t k = b * block; k < end; ++k)
            values[k] = fn(keys[k][0], keys[k][1], keys[k][2]);
    });
    for (std::size_t i = 0; i < n; ++i) out[i] = values[slot[i]];
}

inline void require_params(const BetaGeoParams& p) {
    for (double v : {p.r, p.alpha, p.a, p.b}) {
        require(std::isfinite(v) && v > 0, "BG/NBD parameter ", v, " must be finite and > 0");
    }
}

inline void require_horizon(const double* t, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        require(t[i] >= 0 && !std::isnan(t[i]), "t[", i, "]=", t[i],
                " must be >= 0 (a prediction horizon in the units of T)");
    }
}

}  // namespace detail

/// P(alive) for n customers (validated summaries) into out[0, n).
inline void bgnbd_probability_alive(const BetaGeoParams& params, const double* frequency,
                                    const double* recency, const double* age, std::size_t n,
                                    double* out) {
    detail::require_params(params);
    validate_rfm_summary(frequency, recency, age, nullptr, n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = bgnbd_probability_alive(params, frequency[i], recency[i], age[i]);
    }
}

/// Expected repeat purchases in (T, T + t] of each of n customers given their history
/// (eq. 10): E[Y(t) | x, t_x, T] = P(alive) * expected_purchases_given_alive(r + x, a,
/// b + x, t / (alpha + T)). t holds one horizon per customer.
inline void bgnbd_conditional_expected_purchases(const BetaGeoParams& params, const double* t,
                                                 const double* frequency, const double* recency,
                                                 const double* age, std::size_t n, double* out,
                                                 int n_jobs = 1) {
    detail::require_params(params);
    validate_rfm_summary(frequency, recency, age, nullptr, n);
    detail::require_horizon(t, n);
    detail::for_distinct_triples(
        frequency, age, t, n, out, resolve_n_jobs(n_jobs), [&](double x, double T, double horizon) {
            return detail::expected_purchases_given_alive(params.r + x, params.a, params.b + x,
                                                          horizon / (params.alpha + T));
        });
    for (std::size_t i = 0; i < n; ++i) {
        if (frequency[i] > 0)
            out[i] *= bgnbd_probability_alive(params, frequency[i], recency[i], age[i]);
    }
}

/// Expected repeat purchases of a new customer within t of their first purchase (eq. 9).
inline double bgnbd_expected_purchases(const BetaGeoParams& params, double t) {
    detail::require_params(params);
    detail::require_horizon(&t, 1);
    return detail::expected_purchases_given_alive(params.r, params.a, params.b, t / params.alpha);
}

/// P(X(t) = n): probability that a new customer makes exactly n repeat purchases within t
/// of the first (eq. 8):
///   B(a, b+n)/B(a, b) NB(n) + [n > 0] B(a+1, b+n-1)/B(a, b) (1 - sum_{j<n} NB(j)),
/// NB(j) = G(r+j)/(G(r) j!) (alpha/(alpha+t))^r (t/(alpha+t))^j. The negative-binomial
/// tail is summed directly when it is the smaller part, so it does not cancel.
inline double bgnbd_probability_of_purchases(const BetaGeoParams& params, double t, double n) {
    using namespace special;
    detail::require_params(params);
    detail::require_horizon(&t, 1);
    require(n >= 0 && n == std::floor(n) && std::isfinite(n), "n=", n,
            " must be a whole number of purchases >= 0");
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    const double r = params.r, a = params.a, b = params.b;
    const double log_1mq = -std::log1p(t / params.alpha);  // ln(alpha / (alpha + t))
    const double log_q = std::log(t / (params.alpha + t));
    auto log_nb = [&](double j) {
        return log_gamma_ratio(r, j) - log_gamma(j + 1) + r * log_1mq + j * log_q;
    };
    const double log_B = log_beta(a, b);
    double prob = std::exp(log_beta(a, b + n) - log_B + log_nb(n));
    if (n > 0) {
        double head = 0, term = std::exp(r * log_1mq);
        for (double j = 0; j < n; ++j) {
            head += term;
            term *= std::exp(log_q) * (r + j) / (j + 1);
        }
        double tail;
        if (head <= 0.5) {
            tail = 1 - head;
        } else {
            tail = 0;
            double term_j = std::exp(log_nb(n));
            const double q = std::exp(log_q);
            for (double j = n; j < n + 1e8; ++j) {
                tail += term_j;
                if (term_j <= 1e-17 * tail) break;
                term_j *= q * (r + j) / (j + 1);
            }
        }
        prob += std::exp(log_beta(a + 1, b + n - 1) - log_B) * tail;
    }
    return prob;
}

}  // namespace marketlearn::models
