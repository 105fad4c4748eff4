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
///   d/dalpha = (1-w) (rT - x alpha) / (alpha (alpha+T)) + w (r t_x - x alpha) / (alpha (alpha+t_x))
///   d/da     = -(psi(a+b+x) - psi(a+b)) + w / a
///   d/db     = psi(b+x) - psi(b) - (psi(a+b+x) - psi(a+b)) - w / (b + x - 1)
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
    double log_likelihood = 0;             ///< sum_i w_i ll_i
    double weight = 0;                     ///< sum_i w_i
    std::array<double, 4> gradient{};      ///< sum_i w_i d ll_i / d(r, alpha, a, b)

    BetaGeoBlockSums& operator+=(const BetaGeoBlockSums& other) noexcept {
        log_likelihood += other.log_likelihood;
        weight += other.weight;
        for (std::size_t k = 0; k < 4; ++k) gradient[k] += other.gradient[k];
        return *this;
    }
};

namespace detail {

/// Per-evaluation constants of the BG/NBD likelihood (they do not depend on the customer).
struct BetaGeoConstants {
    BetaGeoParams p;
    double log_a;

    explicit BetaGeoConstants(const BetaGeoParams& params) : p(params), log_a(std::log(params.a)) {}
};

}  // namespace detail

/// Log-likelihood of one customer (x repeat purchases, last at t_x, observed for T) and,
/// when `gradient` is not null, its gradient with respect to (r, alpha, a, b).
/// Inputs must be valid (see models::validate_rfm_summary); parameters > 0.
inline double bgnbd_log_likelihood(const BetaGeoParams& params, double x, double t_x, double T,
                                   double* gradient = nullptr) noexcept {
    using namespace special;
    const double r = params.r, alpha = params.alpha, a = params.a, b = params.b;
    const double log1p_T = std::log1p(T / alpha);
    const double B3 = -r * log1p_T - (x > 0 ? x * std::log(alpha + T) : 0.0);
    const double common = log_gamma_ratio(r, x) + log_gamma_ratio(b, x) - log_gamma_ratio(a + b, x);
    double ll, w = 0, log1p_tx = 0;
    if (x > 0) {
        log1p_tx = std::log1p(t_x / alpha);
        const double B4 = -r * log1p_tx - x * std::log(alpha + t_x) + std::log(a) - std::log(b + x - 1);
        ll = common + log_sum_exp(B3, B4);
        w = sigmoid(B4 - B3);
    } else {
        ll = common + B3;
    }
    if (gradient != nullptr) {
        const double psi_ab = digamma_difference(a + b, x);
        gradient[0] = digamma_difference(r, x) - (1 - w) * log1p_T - w * log1p_tx;
        gradient[1] = (1 - w) * (r * T - x * alpha) / (alpha * (alpha + T));
        if (w > 0) gradient[1] += w * (r * t_x - x * alpha) / (alpha * (alpha + t_x));
        gradient[2] = -psi_ab + w / a;
        gradient[3] = digamma_difference(b, x) - psi_ab - (x > 0 ? w / (b + x - 1) : 0.0);
    }
    return ll;
}

/// sum_i w_i ll_i (and the gradient sums) over customers [0, n) of one block. `weight`
/// may be null (weight 1 each). This is the unit of work a driver distributes.
inline BetaGeoBlockSums bgnbd_block_sums(const BetaGeoParams& params, const double* frequency,
                                         const double* recency, const double* age,
                                         const double* weight, std::size_t n,
                                         bool with_gradient = true) noexcept {
    BetaGeoBlockSums sums;
    double g[4];
    for (std::size_t i = 0; i < n; ++i) {
        const double wi = weight != nullptr ? weight[i] : 1.0;
        const double ll =
            bgnbd_log_likelihood(params, frequency[i], recency[i], age[i], with_gradient ? g : nullptr);
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
        parts[k] = bgnbd_block_sums(params, frequency + begin, recency + begin, age + begin,
                                    weight != nullptr ? weight + begin : nullptr, size,
                                    with_gradient);
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
        : frequency_(frequency), recency_(recency), age_(age), weight_(weight), n_(n),
          penalizer_(penalizer_coef), n_threads_(n_threads) {}

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
