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
/// (a_ = alpha). With L(t) = ln(1 + t/alpha), the last term is a log-sum-exp of
///
///   B3 = -(r+x) L(T) - x ln alpha
///   B4 = -(r+x) L(t_x) - x ln alpha + ln a - ln(b + x - 1)      (x > 0 only)
///
/// after moving r ln alpha inside, so nothing overflows or cancels; x = 0 rows have only
/// B3. With w = sigma(B4 - B3), the weight of the "still alive at t_x" branch, and
/// q(t) = 1 / (alpha + t), the gradient is
///
///   d/dr     = psi(r+x) - psi(r) - (1-w) L(T) - w L(t_x)
///   d/dalpha = r/alpha - (r+x) [(1-w) q(T) + w q(t_x)]
///   d/da     = -(psi(a+b+x) - psi(a+b)) + w/a
///   d/db     = psi(b+x) - psi(b) - (psi(a+b+x) - psi(a+b)) - w/(b + x - 1)
///
/// Cost: the lgamma/digamma terms depend on the parameters and x only, L and q on alpha
/// and one time only. A customer base has few distinct frequencies and, with times in
/// days or weeks, few distinct times, so the objective computes those terms once per
/// distinct value (BetaGeoTimeTable) and each customer costs one exp and one log1p.
///
/// Sums over blocks of customers compose (DESIGN.md, "Room to scale out"): a driver adds
/// the BetaGeoBlockSums of its partitions and hands the total to the same optimizer.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/distinct_rows.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/special_functions.hpp"
#include "marketlearn/objective/count_terms_cache.hpp"
#include "marketlearn/simd/dispatch.hpp"

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
    /// sum_i w_i |ll_i|: the size of what log_likelihood is summed from (terms of both
    /// signs cancel in it), which sets its rounding.
    double abs_log_likelihood = 0;
    double weight = 0;  ///< sum_i w_i
    std::array<double, 4> gradient{};  ///< sum_i w_i d ll_i / d(r, alpha, a, b)

    BetaGeoBlockSums& operator+=(const BetaGeoBlockSums& other) noexcept {
        log_likelihood += other.log_likelihood;
        abs_log_likelihood += other.abs_log_likelihood;
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

/// The parts of a customer's terms that depend on alpha and one of its times t (recency
/// or age) only: L(t) = ln(1 + t/alpha) and q(t) = 1/(alpha + t).
struct BetaGeoTimeTerms {
    double log1p_ratio = 0;  ///< L(t)
    double inverse_sum = 0;  ///< q(t)
};

inline BetaGeoTimeTerms bgnbd_time_terms(double alpha, double t) noexcept {
    return {std::log1p(t / alpha), 1 / (alpha + t)};
}

/// The log-weights of a customer's two branches, "dropped out by T" and "alive at t_x",
/// without their common -x ln alpha: {B3 + x ln alpha, B4 + x ln alpha}; the second is
/// -inf when x = 0 (no such branch).
inline std::pair<double, double> bgnbd_branch_logs(const BetaGeoParams& params,
                                                   const BetaGeoFrequencyTerms& f, double x,
                                                   const BetaGeoTimeTerms& recency,
                                                   const BetaGeoTimeTerms& age) noexcept {
    const double s = params.r + x;
    return {-s * age.log1p_ratio, x > 0 ? -s * recency.log1p_ratio + f.log_branch
                                        : -std::numeric_limits<double>::infinity()};
}

/// A customer's log-likelihood and (when `gradient` is not null) gradient from
/// lse = ln(e^b3 + e^b4) and w = sigma(b4 - b3) of its branch_logs {b3, b4}.
inline double bgnbd_customer_terms(const BetaGeoParams& params, const BetaGeoFrequencyTerms& f,
                                   double log_alpha, double x, const BetaGeoTimeTerms& recency,
                                   const BetaGeoTimeTerms& age, double lse, double w,
                                   double* gradient) noexcept {
    if (gradient != nullptr) {
        const double s = params.r + x;
        gradient[0] = f.d_r - (1 - w) * age.log1p_ratio - w * recency.log1p_ratio;
        gradient[1] = params.r / params.alpha -
                      s * ((1 - w) * age.inverse_sum + (w > 0 ? w * recency.inverse_sum : 0.0));
        gradient[2] = -f.d_ab + w / params.a;
        gradient[3] = f.d_b - f.d_ab - w * f.inv_b_x1;
    }
    return lse + f.log_gamma_terms - x * log_alpha;
}

/// Log-likelihood of one customer with x repeat purchases from its frequency terms
/// (bgnbd_frequency_terms of the same params and x), the time terms of its recency and
/// age (bgnbd_time_terms of the same alpha) and ln alpha; and, when `gradient` is not
/// null, its gradient with respect to (r, alpha, a, b).
inline double bgnbd_log_likelihood(const BetaGeoParams& params, const BetaGeoFrequencyTerms& f,
                                   double log_alpha, double x, const BetaGeoTimeTerms& recency,
                                   const BetaGeoTimeTerms& age, double* gradient) noexcept {
    const auto [b3, b4] = bgnbd_branch_logs(params, f, x, recency, age);
    double lse, w;
    simd::detail::log_sum_exp_weight(b3, b4, lse, w);
    return bgnbd_customer_terms(params, f, log_alpha, x, recency, age, lse, w, gradient);
}

/// Log-likelihood of one customer (x repeat purchases, last at t_x, observed for T) and,
/// when `gradient` is not null, its gradient with respect to (r, alpha, a, b).
/// Inputs must be valid (see models::validate_rfm_summary); parameters > 0.
inline double bgnbd_log_likelihood(const BetaGeoParams& params, double x, double t_x, double T,
                                   double* gradient = nullptr) noexcept {
    return bgnbd_log_likelihood(params, bgnbd_frequency_terms(params, x, gradient != nullptr),
                                std::log(params.alpha), x, bgnbd_time_terms(params.alpha, t_x),
                                bgnbd_time_terms(params.alpha, T), gradient);
}

namespace detail {

/// sum_i w_i ll_i (and the gradient sums) over customers [0, n) of one block, with the time
/// terms of customer i from time_terms(i) -> {recency terms, age terms}: computed on the
/// spot, or looked up in a BetaGeoTimeTable.
template <class TimeTermsOf>
BetaGeoBlockSums bgnbd_block_sums(const BetaGeoParams& params, const double* frequency,
                                  const double* weight, std::size_t n, bool with_gradient,
                                  TimeTermsOf&& time_terms) {
    CountTermsCache<BetaGeoFrequencyTerms> cache;
    auto frequency_terms = [&](double x, BetaGeoFrequencyTerms& direct) {
        return &cache.get(
            x, [&](double xx) { return bgnbd_frequency_terms(params, xx, with_gradient); }, direct);
    };
    // Customers go in chunks: branch logs per customer, then the exp and log1p of the
    // whole chunk in one vector kernel, then each customer's sums. Chunks are padded to a
    // multiple of 8 (b4 = -inf), so every arch's registers tile them without a scalar tail
    // and a customer's terms do not depend on where its chunk starts.
    constexpr std::size_t chunk = 64, pad = 8;
    const auto& kernels = simd::kernels<double>();
    const double log_alpha = std::log(params.alpha);
    std::array<double, chunk> b3, b4, lse, w;
    std::array<BetaGeoFrequencyTerms, chunk> direct;
    std::array<const BetaGeoFrequencyTerms*, chunk> f;
    std::array<std::pair<BetaGeoTimeTerms, BetaGeoTimeTerms>, chunk> times;
    BetaGeoBlockSums sums;
    double g[4];
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t m = std::min(chunk, n - begin);
        for (std::size_t j = 0; j < m; ++j) {
            f[j] = frequency_terms(frequency[begin + j], direct[j]);
            times[j] = time_terms(begin + j);
            std::tie(b3[j], b4[j]) =
                bgnbd_branch_logs(params, *f[j], frequency[begin + j], times[j].first,
                                  times[j].second);
        }
        const std::size_t padded = (m + pad - 1) / pad * pad;
        for (std::size_t j = m; j < padded; ++j) {
            b3[j] = 0;
            b4[j] = -std::numeric_limits<double>::infinity();
        }
        kernels.log_sum_exp(b3.data(), b4.data(), lse.data(), w.data(), padded);
        for (std::size_t j = 0; j < m; ++j) {
            const std::size_t i = begin + j;
            const double wi = weight != nullptr ? weight[i] : 1.0;
            const double ll =
                bgnbd_customer_terms(params, *f[j], log_alpha, frequency[i], times[j].first,
                                     times[j].second, lse[j], w[j], with_gradient ? g : nullptr);
            sums.log_likelihood += wi * ll;
            sums.abs_log_likelihood += wi * std::abs(ll);
            sums.weight += wi;
            if (with_gradient) {
                for (std::size_t k = 0; k < 4; ++k) sums.gradient[k] += wi * g[k];
            }
        }
    }
    return sums;
}

/// block_sums(begin, size) over fixed blocks of n customers, reduced in block order, so
/// the total is bitwise identical for any number of threads. A block is ~0.2 ms of work,
/// well above the cost of starting a thread, so small customer bases (CDNOW's 11k
/// distinct rows) run on one thread instead of paying for threads every evaluation.
template <class BlockSums>
BetaGeoBlockSums bgnbd_blocked_sums(std::size_t n, std::size_t n_threads, BlockSums&& block_sums) {
    constexpr std::size_t block = 16384;
    const std::size_t n_blocks = (n + block - 1) / block;
    std::vector<BetaGeoBlockSums> parts(n_blocks);
    parallel_for_blocks(n_blocks, n_threads, [&](std::size_t k) {
        const std::size_t begin = k * block;
        parts[k] = block_sums(begin, std::min(block, n - begin));
    });
    BetaGeoBlockSums total;
    for (const auto& part : parts) total += part;
    return total;
}

}  // namespace detail

/// sum_i w_i ll_i (and the gradient sums) over customers [0, n) of one block. `weight`
/// may be null (weight 1 each). This is the unit of work a driver distributes.
inline BetaGeoBlockSums bgnbd_block_sums(const BetaGeoParams& params, const double* frequency,
                                         const double* recency, const double* age,
                                         const double* weight, std::size_t n,
                                         bool with_gradient = true) {
    return detail::bgnbd_block_sums(params, frequency, weight, n, with_gradient, [&](std::size_t i) {
        return std::pair{bgnbd_time_terms(params.alpha, recency[i]),
                         bgnbd_time_terms(params.alpha, age[i])};
    });
}

/// The same sums over many customers, cut into fixed blocks reduced in block order, so
/// the result is bitwise identical for any number of threads.
inline BetaGeoBlockSums bgnbd_sums(const BetaGeoParams& params, const double* frequency,
                                   const double* recency, const double* age, const double* weight,
                                   std::size_t n, bool with_gradient, std::size_t n_threads) {
    return detail::bgnbd_blocked_sums(n, n_threads, [&](std::size_t begin, std::size_t size) {
        return bgnbd_block_sums(params, frequency + begin, recency + begin, age + begin,
                                weight != nullptr ? weight + begin : nullptr, size, with_gradient);
    });
}

/// The distinct values among customers' recencies and ages, with each customer's two
/// indices into them: the time terms of an evaluation are then computed once per
/// distinct time (a few hundred for times in days), not twice per customer.
class BetaGeoTimeTable {
public:
    BetaGeoTimeTable(const double* recency, const double* age, std::size_t n)
        : recency_id_(n), age_id_(n) {
        require(n <= std::numeric_limits<std::uint32_t>::max() / 2, "BG/NBD fit of ", n,
                " distinct customer rows: at most 2^31 are supported");
        DistinctRowIndex<1> index(std::min<std::size_t>(n, 4096));
        auto id_of = [&](double t) {
            const auto [id, inserted] = index.insert({marketlearn::detail::bits_of(t)});
            if (inserted) times_.push_back(t);
            return static_cast<std::uint32_t>(id);
        };
        for (std::size_t i = 0; i < n; ++i) {
            recency_id_[i] = id_of(recency[i]);
            age_id_[i] = id_of(age[i]);
        }
    }

    /// Time terms of every distinct time for this alpha, then the block sums of customers
    /// [0, n) looking them up.
    BetaGeoBlockSums sums(const BetaGeoParams& params, const double* frequency,
                          const double* weight, bool with_gradient, std::size_t n_threads) const {
        std::vector<BetaGeoTimeTerms> terms(times_.size());
        for (std::size_t k = 0; k < times_.size(); ++k) {
            terms[k] = bgnbd_time_terms(params.alpha, times_[k]);
        }
        return detail::bgnbd_blocked_sums(
            recency_id_.size(), n_threads, [&](std::size_t begin, std::size_t size) {
                const std::uint32_t* recency = recency_id_.data() + begin;
                const std::uint32_t* age = age_id_.data() + begin;
                return detail::bgnbd_block_sums(
                    params, frequency + begin, weight != nullptr ? weight + begin : nullptr, size,
                    with_gradient,
                    [&](std::size_t i) { return std::pair{terms[recency[i]], terms[age[i]]}; });
            });
    }

    std::size_t num_distinct_times() const noexcept { return times_.size(); }

private:
    std::vector<double> times_;
    std::vector<std::uint32_t> recency_id_, age_id_;
};

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

    /// Views frequency and weight (not copied; they must outlive the objective) and
    /// indexes the distinct times of recency and age. `weight` may be null.
    BetaGeoObjective(const double* frequency, const double* recency, const double* age,
                     const double* weight, std::size_t n, double penalizer_coef = 0,
                     std::size_t n_threads = 1)
        : frequency_(frequency),
          times_(recency, age, n),
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
        const auto sums = times_.sums(p, frequency_, weight_, false, n_threads_);
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    double evaluate_with_gradient(const Vector& u, Vector& grad) const {
        grad.resize(4);
        if (!in_domain(u)) {
            grad.setZero();
            return std::numeric_limits<double>::infinity();
        }
        const BetaGeoParams p = params_from_log(u);
        const auto sums = times_.sums(p, frequency_, weight_, true, n_threads_);
        const double theta[4] = {p.r, p.alpha, p.a, p.b};
        for (int k = 0; k < 4; ++k) {
            // chain rule for the log scale: d/du_k = theta_k d/dtheta_k
            grad[k] = -theta[k] * sums.gradient[static_cast<std::size_t>(k)] / sums.weight +
                      2 * penalizer_ * theta[k] * theta[k];
        }
        return -sums.log_likelihood / sums.weight + penalty(p);
    }

    /// The size of the terms f(u) is summed from: sum_i w_i |ll_i| / W plus the penalty.
    /// f itself can be near 0 where they cancel; its rounding follows this (what
    /// LBFGS::Options::value_scale asks for).
    double term_scale(const Vector& u) const {
        if (!in_domain(u)) return 1.0;
        const BetaGeoParams p = params_from_log(u);
        const auto sums = times_.sums(p, frequency_, weight_, false, n_threads_);
        return sums.abs_log_likelihood / sums.weight + penalty(p);
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
    BetaGeoTimeTable times_;
    const double* weight_;
    std::size_t n_;
    double penalizer_;
    std::size_t n_threads_;
};

}  // namespace marketlearn::objective
