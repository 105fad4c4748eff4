#pragma once
/// \file
/// The Gamma-Gamma spend log-likelihood (Fader, Hardie & Lee 2005, "RFM and CLV: Using
/// Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie 2013, "The
/// Gamma-Gamma Model of Monetary Value", brucehardie.com note 025, eq. 1a), its analytic
/// gradient, block sums and the objective L-BFGS minimizes.
///
/// A returning customer's x repeat transactions have values z_j ~ Gamma(p, nu) with
/// nu ~ Gamma(q, v) across customers; with mean repeat spend m and y = x m,
///
///   ll = ln G(px + q) - ln G(px) - ln G(q) + q ln v + (px - 1) ln m + px ln x
///        - (px + q) ln(y + v)
///      = -ln B(px, q) - ln m - px ln(1 + v/y) - q ln(1 + y/v)
///
/// (the second form is what is computed: no large terms cancel). Gradient:
///
///   d/dp = x [psi(px + q) - psi(px) - ln(1 + v/y)]
///   d/dq = psi(px + q) - psi(q) - ln(1 + y/v)
///   d/dv = (q y - p x v) / (v (y + v))

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/special_functions.hpp"
#include "marketlearn/objective/count_terms_cache.hpp"

namespace marketlearn::objective {

/// Gamma-Gamma parameters: transaction values ~ Gamma(shape p, rate nu), nu ~ Gamma(shape
/// q, rate v). v is in money units.
struct GammaGammaParams {
    double p = 1;
    double q = 1;
    double v = 1;
};

/// Sums over a block of returning customers.
struct GammaGammaBlockSums {
    double log_likelihood = 0;         ///< sum_i w_i ll_i
    /// sum_i w_i |ll_i|: the size of what log_likelihood is summed from (terms of both
    /// signs cancel in it), which sets its rounding.
    double abs_log_likelihood = 0;
    double weight = 0;  ///< sum_i w_i
    std::array<double, 3> gradient{};  ///< sum_i w_i d ll_i / d(p, q, v)

    GammaGammaBlockSums& operator+=(const GammaGammaBlockSums& other) noexcept {
        log_likelihood += other.log_likelihood;
        abs_log_likelihood += other.abs_log_likelihood;
        weight += other.weight;
        for (std::size_t k = 0; k < 3; ++k) gradient[k] += other.gradient[k];
        return *this;
    }
};

/// The parts of a customer's log-likelihood and gradient that depend on the parameters
/// and the repeat-purchase count x only (looked up per distinct x by the block sums).
struct GammaGammaFrequencyTerms {
    double log_beta = 0;  ///< ln B(px, q)
    double d_p = 0;       ///< psi(px + q) - psi(px)
    double d_q = 0;       ///< psi(px + q) - psi(q)
};

inline GammaGammaFrequencyTerms gamma_gamma_frequency_terms(const GammaGammaParams& params,
                                                            double x, bool with_gradient) noexcept {
    using namespace special;
    const double px = params.p * x;
    GammaGammaFrequencyTerms f;
    f.log_beta = log_beta(px, params.q);
    if (with_gradient) {
        f.d_p = digamma_difference(px, params.q);
        f.d_q = digamma_difference(params.q, px);
    }
    return f;
}

/// Log-likelihood of one returning customer (x > 0 repeat purchases of mean value m > 0)
/// from its frequency terms (gamma_gamma_frequency_terms of the same params and x) and,
/// when `gradient` is not null, its gradient with respect to (p, q, v).
inline double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                         const GammaGammaFrequencyTerms& f, double x, double m,
                                         double* gradient) noexcept {
    const double p = params.p, q = params.q, v = params.v;
    const double px = p * x, y = x * m;
    const double log1p_v_y = std::log1p(v / y), log1p_y_v = std::log1p(y / v);
    const double ll = -f.log_beta - std::log(m) - px * log1p_v_y - q * log1p_y_v;
    if (gradient != nullptr) {
        gradient[0] = x * (f.d_p - log1p_v_y);
        gradient[1] = f.d_q - log1p_y_v;
        gradient[2] = (q * y - px * v) / (v * (y + v));
    }
    return ll;
}

/// Log-likelihood of one returning customer (x > 0 repeat purchases of mean value m > 0)
/// and, when `gradient` is not null, its gradient with respect to (p, q, v).
inline double gamma_gamma_log_likelihood(const GammaGammaParams& params, double x, double m,
                                         double* gradient = nullptr) noexcept {
    return gamma_gamma_log_likelihood(
        params, gamma_gamma_frequency_terms(params, x, gradient != nullptr), x, m, gradient);
}

inline GammaGammaBlockSums gamma_gamma_block_sums(const GammaGammaParams& params,
                                                  const double* frequency,
                                                  const double* monetary_value,
                                                  const double* weight, std::size_t n,
                                                  bool with_gradient = true) noexcept {
    CountTermsCache<GammaGammaFrequencyTerms> cache;
    auto terms = [&](double x) { return gamma_gamma_frequency_terms(params, x, with_gradient); };
    GammaGammaFrequencyTerms direct;
    GammaGammaBlockSums sums;
    double g[3];
    for (std::size_t i = 0; i < n; ++i) {
        const double wi = weight != nullptr ? weight[i] : 1.0;
        const double x = frequency[i];
        const double ll = gamma_gamma_log_likelihood(params, cache.get(x, terms, direct), x,
                                                     monetary_value[i], with_gradient ? g : nullptr);
        sums.log_likelihood += wi * ll;
        sums.abs_log_likelihood += wi * std::abs(ll);
        sums.weight += wi;
        if (with_gradient) {
            for (std::size_t k = 0; k < 3; ++k) sums.gradient[k] += wi * g[k];
        }
    }
    return sums;
}

/// Block sums over many customers, reduced in block order (bitwise the same for any
/// number of threads).
inline GammaGammaBlockSums gamma_gamma_sums(const GammaGammaParams& params, const double* frequency,
                                            const double* monetary_value, const double* weight,
                                            std::size_t n, bool with_gradient,
                                            std::size_t n_threads) {
    constexpr std::size_t block = 4096;
    const std::size_t n_blocks = (n + block - 1) / block;
    std::vector<GammaGammaBlockSums> parts(n_blocks);
    parallel_for_blocks(n_blocks, n_threads, [&](std::size_t k) {
        const std::size_t begin = k * block, size = std::min(block, n - begin);
        parts[k] = gamma_gamma_block_sums(params, frequency + begin, monetary_value + begin,
                                          weight != nullptr ? weight + begin : nullptr, size,
                                          with_gradient);
    });
    GammaGammaBlockSums total;
    for (const auto& part : parts) total += part;
    return total;
}

/// f(u) = -(1/W) sum_i w_i ll_i(e^u) + c ||(p, q, v / money_scale)||^2 over u = ln(p, q, v).
///
/// The data may be given in scaled money units (m * money_scale) for conditioning; the
/// penalty then applies to v in the original units, as lifetimes' penalizer does. +inf
/// outside |u_k| <= max_log_param (see BetaGeoObjective).
class GammaGammaObjective {
public:
    using Vector = Eigen::VectorXd;
    static constexpr double max_log_param = 30.0;

    GammaGammaObjective(const double* frequency, const double* monetary_value, const double* weight,
                        std::size_t n, double penalizer_coef = 0, double money_scale = 1,
                        std::size_t n_threads = 1)
        : frequency_(frequency),
          monetary_value_(monetary_value),
          weight_(weight),
          n_(n),
          penalizer_(penalizer_coef),
          money_scale_(money_scale),
          n_threads_(n_threads) {}

    static GammaGammaParams params_from_log(const Vector& u) noexcept {
        return {std::exp(u[0]), std::exp(u[1]), std::exp(u[2])};
    }

    double evaluate(const Vector& u) const {
        if (!in_domain(u)) return std::numeric_limits<double>::infinity();
        const GammaGammaParams p = params_from_log(u);
        const auto sums =
            gamma_gamma_sums(p, frequency_, monetary_value_, weight_, n_, false, n_threads_);
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    double evaluate_with_gradient(const Vector& u, Vector& grad) const {
        grad.resize(3);
        if (!in_domain(u)) {
            grad.setZero();
            return std::numeric_limits<double>::infinity();
        }
        const GammaGammaParams p = params_from_log(u);
        const auto sums =
            gamma_gamma_sums(p, frequency_, monetary_value_, weight_, n_, true, n_threads_);
        const double v0 = p.v / money_scale_;
        const double theta[3] = {p.p, p.q, p.v};
        const double penalty_grad[3] = {2 * penalizer_ * p.p * p.p, 2 * penalizer_ * p.q * p.q,
                                        2 * penalizer_ * v0 * v0};
        for (int k = 0; k < 3; ++k) {
            grad[k] = -theta[k] * sums.gradient[static_cast<std::size_t>(k)] / sums.weight +
                      penalty_grad[k];
        }
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    /// The size of the terms f(u) is summed from (see BetaGeoObjective::term_scale).
    double term_scale(const Vector& u) const {
        if (!in_domain(u)) return 1.0;
        const GammaGammaParams p = params_from_log(u);
        const auto sums =
            gamma_gamma_sums(p, frequency_, monetary_value_, weight_, n_, false, n_threads_);
        return sums.abs_log_likelihood / sums.weight + penalty(p);
    }

private:
    static bool in_domain(const Vector& u) noexcept {
        return u.size() == 3 && u.allFinite() && u.cwiseAbs().maxCoeff() <= max_log_param;
    }
    double penalty(const GammaGammaParams& p) const noexcept {
        const double v0 = p.v / money_scale_;
        return penalizer_ * (p.p * p.p + p.q * p.q + v0 * v0);
    }

    const double* frequency_;
    const double* monetary_value_;
    const double* weight_;
    std::size_t n_;
    double penalizer_;
    double money_scale_;
    std::size_t n_threads_;
};

}  // namespace marketlearn::objective
