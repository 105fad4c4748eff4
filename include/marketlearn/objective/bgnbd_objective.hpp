#pragma once
/// \file
/// The BG/NBD (beta-geometric / negative binomial) log-likelihood of Fader, Hardie & Lee
/// (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2), eq. (6),
/// with its analytic gradient; its sum over a block of customers; and the objective the
/// optimizer minimizes.
///
/// For a customer with x repeat purchases, the last at t_x, observed for T:
///
///   ll = ln G(r+x) - ln G(r) + r ln a_ + ln B(a, b+x) - ln B(a, b)
///        + ln[ (a_+T)^-(r+x) + [x > 0] a/(b+x-1) (a_+t_x)^-(r+x) ]
///
/// (a_ = alpha). The last term is a log-sum-exp of
///   B3 = -r ln(1 + T/alpha) - x ln(alpha + T)
///   B4 = -r ln(1 + t_x/alpha) - x ln(alpha + t_x) + ln a - ln(b + x - 1)   (x > 0 only)
/// after moving r ln alpha inside, so nothing overflows or cancels; x = 0 rows have only
/// B3. With w = sigma(B4 - B3), the weight of the "still alive at t_x" branch, the
/// gradient is
///
///   d/dr     = psi(r+x) - psi(r) - (1-w) ln(1 + T/alpha) - w ln(1 + t_x/alpha)
///   d/dalpha = (1-w) (rT - x alpha) / (alpha (alpha+T)) + w (r t_x - x alpha) / (alpha
///   (alpha+t_x)) d/da     = -(psi(a+b+x) - psi(a+b)) + w / a d/db     = psi(b+x) - psi(b) -
///   (psi(a+b+x) - psi(a+b)) - w / (b + x - 1)
///
/// Sums over blocks of customers compose (DESIGN.md, "Room to scale out"): a driver adds
/// the BetaGeoBlockSums of its partitions and hands the total to the same optimizer.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/special_functions.hpp"

namespace marketlearn::objective {

/// BG/NBD parameters: purchase rates lambda ~ Gamma(shape r, rate alpha), dropout
/// probabilities p ~ Beta(a, b). alpha is in the time unit of recency and T.
struct BetaGeoParams {
    double r = 1;
    double alpha = 1;
    double a = 1;
    double b = 1;
};

/// Sums over a block of customers: what a partition returns to a driver.
struct BetaGeoBlockSums {
    double log_likelihood = 0;         ///< sum_i w_i ll_i
    double weight = 0;                 ///< sum_i w_i
    std::array<double, 4> gradient{};  ///< sum_i w_i d ll_i / d(r, alpha, a, b)

    BetaGeoBlockSums& operator+=(const BetaGeoBlockSums& other) noexcept {
        log_likelihood += other.log_likelihood;
        weight += other.weight;
        for (std::size_t k = 0; k < 4; ++k) gradient[k] += other.gradient[k];
        return *this;
    }
};

/// The parts of one customer's log-likelihood and gradient that depend on the
/// parameters and the frequency x only: a customer base has few distinct x, so block
/// sums compute them once per x, not once per customer.
struct BetaGeoFrequencyTerms {
    double log_gamma_terms = 0;  ///< lnG(r+x) - lnG(r) + lnG(b+x) - lnG(b) - lnG(a+b+x) + lnG(a+b)
    double log_branch = 0;       ///< ln a - ln(b + x - 1)                  (x > 0)
    double inv_b_x1 = 0;         ///< 1 / (b + x - 1)                       (x > 0)
    double d_r = 0;              ///< psi(r+x) - psi(r)
    double d_ab = 0;             ///< psi(a+b+x) - psi(a+b)
    double d_b = 0;              ///< psi(b+x) - psi(b)
};

inline BetaGeoFrequencyTerms bgnbd_frequency_terms(const BetaGeoParams& p, double x,
                                                   bool with_gradient) noexcept {
    using namespace special;
    BetaGeoFrequencyTerms f;
    f.log_gamma_terms =
        log_gamma_ratio(p.r, x) + log_gamma_ratio(p.b, x) - log_gamma_ratio(p.a + p.b, x);
    if (x > 0) {
        f.log_branch = std::log(p.a) - std::log(p.b + x - 1);
        f.inv_b_x1 = 1 / (p.b + x - 1);
    }
    if (with_gradient) {
        f.d_r = digamma_difference(p.r, x);
        f.d_ab = digamma_difference(p.a + p.b, x);
        f.d_b = digamma_difference(p.b, x);
    }
    return f;
}

/// Log-likelihood of one customer given its frequency terms (bgnbd_frequency_terms of the
/// same params and x) and, when `gradient` is not null, its gradient.
inline double bgnbd_log_likelihood(const BetaGeoParams& params, const BetaGeoFrequencyTerms& f,
                                   double x, double t_x, double T, double* gradient) noexcept {
    const double r = params.r, alpha = params.alpha, a = params.a;
    const double log1p_T = std::log1p(T / alpha);
    const double B3 = -r * log1p_T - (x > 0 ? x * std::log(alpha + T) : 0.0);
    double ll, w = 0, log1p_tx = 0;
    if (x > 0) {
        log1p_tx = std::log1p(t_x / alpha);
        const double B4 = -r * log1p_tx - x * std::log(alpha + t_x) + f.log_branch;
        ll = f.log_gamma_terms + special::log_sum_exp(B3, B4);
        w = special::sigmoid(B4 - B3);
    } else {
        ll = f.log_gamma_terms + B3;
    }
    if (gradient != nullptr) {
        gradient[0] = f.d_r - (1 - w) * log1p_T - w * log1p_tx;
        gradient[1] = (1 - w) * (r * T - x * alpha) / (alpha * (alpha + T));
        if (w > 0) gradient[1] += w * (r * t_x - x * alpha) / (alpha * (alpha + t_x));
        gradient[2] = -f.d_ab + w / a;
        gradient[3] = f.d_b - f.d_ab - w * f.inv_b_x1;
    }
    return ll;
}

/// Log-likelihood of one customer (x repeat purchases, last at t_x, observed for T) and,
/// when `gradient` is not null, its gradient with respect to (r, alpha, a, b).
/// Inputs must be valid (see models::validate_rfm_summary); parameters > 0.
inline double bgnbd_log_likelihood(const BetaGeoParams& params, double x, double t_x, double T,
                                   double* gradient = nullptr) noexcept {
    return bgnbd_log_likelihood(params, bgnbd_frequency_terms(params, x, gradient != nullptr), x,
                                t_x, T, gradient);
}

/// sum_i w_i ll_i (and the gradient sums) over customers [0, n) of one block. `weight`
/// may be null (weight 1 each). This is the unit of work a driver distributes.
inline BetaGeoBlockSums bgnbd_block_sums(const BetaGeoParams& params, const double* frequency,
                                         const double* recency, const double* age,
                                         const double* weight, std::size_t n,
                                         bool with_gradient = true) noexcept {
    // Frequency terms of x = 0..cached-1, filled on first use.
    constexpr std::size_t cached = 256;
    std::array<BetaGeoFrequencyTerms, cached> table;
    std::array<bool, cached> filled{};
    BetaGeoBlockSums sums;
    double g[4];
    for (std::size_t i = 0; i < n; ++i) {
        const double x = frequency[i];
        const double wi = weight != nullptr ? weight[i] : 1.0;
        BetaGeoFrequencyTerms direct;
        const BetaGeoFrequencyTerms* terms = &direct;
        if (x >= 0 && x < static_cast<double>(cached) && x == std::floor(x)) {
            const auto k = static_cast<std::size_t>(x);
            if (!filled[k]) {
                table[k] = bgnbd_frequency_terms(params, x, with_gradient);
                filled[k] = true;
            }
            terms = &table[k];
        } else {
            direct = bgnbd_frequency_terms(params, x, with_gradient);
        }
        const double ll = bgnbd_log_likelihood(params, *terms, x, recency[i], age[i],
                                               with_gradient ? g : nullptr);
        sums.log_likelihood += wi * ll;
        sums.weight += wi;
        if (with_gradient) {
            for (std::size_t k = 0; k < 4; ++k) sums.gradient[k] += wi * g[k];
        }
    }
    return sums;
}

/// The same sums over many customers, cut into fixed blocks reduced in block order, so
/// the result is bitwise identical for any number of threads.
inline BetaGeoBlockSums bgnbd_sums(const BetaGeoParams& params, const double* frequency,
                                   const double* recency, const double* age, const double* weight,
                                   std::size_t n, bool with_gradient, std::size_t n_threads) {
    constexpr std::size_t block = 4096;
    const std::size_t n_blocks = (n + block - 1) / block;
    std::vector<BetaGeoBlockSums> parts(n_blocks);
    parallel_for_blocks(n_blocks, n_threads, [&](std::size_t k) {
        const std::size_t begin = k * block, size = std::min(block, n - begin);
        parts[k] =
            bgnbd_block_sums(params, frequency + begin, recency + begin, age + begin,
                             weight != nullptr ? weight + begin : nullptr, size, with_gradient);
    });
    BetaGeoBlockSums total;
    for (const auto& part : parts) total += part;
    return total;
}

/// What L-BFGS minimizes for a BG/NBD fit, over u = ln(r, alpha, a, b):
///
///   f(u) = -(1/W) sum_i w_i ll_i(e^u) + c ||e^u||^2
///
/// the weighted mean negative log-likelihood plus lifetimes' L2 penalty
/// (penalizer_coef c) on the parameters themselves. The log scale keeps every parameter
/// positive without constraints. Outside |u_k| <= max_log_param the objective is +inf:
/// the line search backs off, so a fit whose likelihood keeps rising towards a boundary
/// (an unidentified parameter) stops at a large but finite value instead of overflowing.
class BetaGeoObjective {
public:
    using Vector = Eigen::VectorXd;
    static constexpr double max_log_param = 30.0;

    /// Views the arrays (not copied; they must outlive the objective). `weight` may be null.
    BetaGeoObjective(const double* frequency, const double* recency, const double* age,
                     const double* weight, std::size_t n, double penalizer_coef = 0,
                     std::size_t n_threads = 1)
        : frequency_(frequency),
          recency_(recency),
          age_(age),
          weight_(weight),
          n_(n),
          penalizer_(penalizer_coef),
          n_threads_(n_threads) {}

    static BetaGeoParams params_from_log(const Vector& u) noexcept {
        return {std::exp(u[0]), std::exp(u[1]), std::exp(u[2]), std::exp(u[3])};
    }

    double evaluate(const Vector& u) const {
        if (!in_domain(u)) return std::numeric_limits<double>::infinity();
        const BetaGeoParams p = params_from_log(u);
        const auto sums = bgnbd_sums(p, frequency_, recency_, age_, weight_, n_, false, n_threads_);
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    double evaluate_with_gradient(const Vector& u, Vector& grad) const {
        grad.resize(4);
        if (!in_domain(u)) {
            grad.setZero();
            return std::numeric_limits<double>::infinity();
        }
        const BetaGeoParams p = params_from_log(u);
        const auto sums = bgnbd_sums(p, frequency_, recency_, age_, weight_, n_, true, n_threads_);
        const double theta[4] = {p.r, p.alpha, p.a, p.b};
        for (int k = 0; k < 4; ++k) {
            // chain rule for the log scale: d/du_k = theta_k d/dtheta_k
            grad[k] = -theta[k] * sums.gradient[static_cast<std::size_t>(k)] / sums.weight +
                      2 * penalizer_ * theta[k] * theta[k];
        }
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    std::size_t num_customers() const noexcept { return n_; }

private:
    static bool in_domain(const Vector& u) noexcept {
        return u.size() == 4 && u.allFinite() && u.cwiseAbs().maxCoeff() <= max_log_param;
    }
    double penalty(const BetaGeoParams& p) const noexcept {
        return penalizer_ * (p.r * p.r + p.alpha * p.alpha + p.a * p.a + p.b * p.b);
    }

    const double* frequency_;
    const double* recency_;
    const double* age_;
    const double* weight_;
    std::size_t n_;
    double penalizer_;
    std::size_t n_threads_;
};

}  // namespace marketlearn::objective
