#pragma once
/// \file
/// Pointwise losses of a linear model's decision value z against a target y, written once
/// for a scalar T or an xsimd batch, so the fused kernels evaluate a register of rows at
/// a time with vector exp/log.
///
/// Each loss gives the value l(z, y) and its derivative dl/dz. Classification losses take
/// y in {-1, +1}; regression losses take the raw target. GLM losses use the log link
/// (mu = e^z, so predictions are never negative) and are *half deviances*, constants
/// included, as in scikit-learn's Poisson/Gamma/Tweedie regressors: the loss is 0 at a
/// perfect prediction, so objectives compare across libraries.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "marketlearn/simd/always_inline.hpp"

namespace marketlearn::simd {

/// Which loss a linear kernel evaluates.
enum class loss_kind : int {
    logistic = 0,        ///< log(1 + e^{-yz})
    squared_error = 1,   ///< (z - y)^2 / 2
    huber = 2,           ///< r^2/2 if |r| <= eps else eps |r| - eps^2/2, r = z - y
    hinge = 3,           ///< max(0, 1 - yz)
    modified_huber = 4,  ///< max(0, 1 - yz)^2 if yz >= -1 else -4yz
    poisson = 5,         ///< half deviance, log link: e^z - yz + y log y - y
    gamma = 6,           ///< half deviance, log link: z - log y + y e^{-z} - 1
    tweedie = 7,         ///< half deviance, log link, power p in (1, 2)
};

inline constexpr int n_loss_kinds = 8;

/// Whether a loss has terms in y alone (pointwise_loss::constant): the GLM half deviances.
constexpr bool has_loss_constant(loss_kind kind) noexcept {
    return kind == loss_kind::poisson || kind == loss_kind::gamma || kind == loss_kind::tweedie;
}

/// Parameters some losses read: Huber's epsilon, Tweedie's power.
template <class T>
struct loss_params {
    T epsilon = T(0.1);
    T power = T(1.5);
    /// false: the GLM losses leave out their terms in y alone (pointwise_loss::constant,
    /// a log and for Tweedie an exp per row). They do not move the optimum, so a full
    /// pass adds their sum, computed once per fit, instead of once per row and evaluation.
    bool with_constant = true;
};

namespace detail {

// Branch-free choice that works for bool (scalar) and batch_bool (SIMD) conditions.
template <class T>
T pick(bool condition, T if_true, T if_false) noexcept {
    return condition ? if_true : if_false;
}
template <class T, class A>
xsimd::batch<T, A> pick(const xsimd::batch_bool<T, A>& condition, const xsimd::batch<T, A>& if_true,
                        const xsimd::batch<T, A>& if_false) noexcept {
    return xsimd::select(condition, if_true, if_false);
}

/// y log y with 0 log 0 = 0 (the Poisson deviance constant).
template <class V>
V ylogy(const V& y) noexcept {
    const V zero(0);
    return pick(y > zero, y * xsimd::log(pick(y > zero, y, V(1))), zero);
}

/// e^x, for x of any value. xsimd 8.1's exp converts round(x / ln 2) to an integer; for
/// NaN or |x| beyond the int64 range that conversion is undefined behaviour in C++ on
/// arches without a packed double -> int64 instruction (sse2, avx2), though x86 then
/// patches the result (UBSan reports it; found by fuzzing fit_linear). Clamping to
/// [-1000, 1000] first gives the same values (e^x is 0 or inf well inside), NaN stays NaN.
/// NaN is found with isnan, not x != x: xsimd 8.1's != is an ordered compare on avx and
/// avx512 (false for NaN), so there a NaN was clamped to -1000 and came out as e^x = 0.
template <class V>
V exp_bounded(const V& x) noexcept {
    const auto is_nan = xsimd::isnan(x);
    const V bounded = xsimd::min(xsimd::max(x, V(-1000.0)), V(1000.0));
    return pick(is_nan, x, V(xsimd::exp(pick(is_nan, V(0.0), bounded))));
}

/// e^x for x <= 0 (or NaN), flushed to 0 below the smallest normal T.
///
/// float: xsimd's exp. double: xsimd 8.1's exp converts k = round(x / ln 2) to int64,
/// which sse2 and avx2 lack and xsimd emulates lane by lane -- most of the time of a
/// predict_proba kernel. Here k is rounded by adding 1.5 * 2^52 (k lands in the low
/// mantissa bits), 2^k is built by integer adds on the exponent bits, and e^r for the
/// remainder |r| <= ln 2 / 2 is its Taylor series to r^13 (truncation < 1e-17 relative):
/// about an ulp, all in vector registers.
template <class Arch>
MARKETLEARN_ALWAYS_INLINE xsimd::batch<float, Arch> exp_nonpositive(
    const xsimd::batch<float, Arch>& x) noexcept {
    return exp_bounded(x);
}
template <class Arch>
MARKETLEARN_ALWAYS_INLINE xsimd::batch<double, Arch> exp_nonpositive(
    const xsimd::batch<double, Arch>& x) noexcept {
    using batch = xsimd::batch<double, Arch>;
    using ints = xsimd::batch<std::int64_t, Arch>;
    // ln of the smallest normal double: below it e^x is not normal (2^k needs k >= -1022).
    const double lowest = -708.3964185322641;
    const batch shifter(6755399441055744.0);  // 1.5 * 2^52
    const batch xc = xsimd::max(x, batch(lowest));  // NaN and -inf become `lowest` here
    const batch kd = xsimd::fma(xc, batch(1.4426950408889634), shifter);  // 1 / ln 2
    const batch k = kd - shifter;
    // x - k ln 2 in two steps (Cody-Waite): k * ln2_hi is exact for |k| < 2^21.
    batch r = xsimd::fnma(k, batch(6.93147180369123816490e-01), xc);
    r = xsimd::fnma(k, batch(1.90821492927058770002e-10), r);
    // Horner, 1/13! down to 1/0!, written out: a loop over an array of constants is not
    // always unrolled at -O2.
    batch p(1.0 / 6227020800.0);
    p = xsimd::fma(p, r, batch(1.0 / 479001600.0));
    p = xsimd::fma(p, r, batch(1.0 / 39916800.0));
    p = xsimd::fma(p, r, batch(1.0 / 3628800.0));
    p = xsimd::fma(p, r, batch(1.0 / 362880.0));
    p = xsimd::fma(p, r, batch(1.0 / 40320.0));
    p = xsimd::fma(p, r, batch(1.0 / 5040.0));
    p = xsimd::fma(p, r, batch(1.0 / 720.0));
    p = xsimd::fma(p, r, batch(1.0 / 120.0));
    p = xsimd::fma(p, r, batch(1.0 / 24.0));
    p = xsimd::fma(p, r, batch(1.0 / 6.0));
    p = xsimd::fma(p, r, batch(0.5));
    p = xsimd::fma(p, r, batch(1.0));
    p = xsimd::fma(p, r, batch(1.0));
    const ints k_int = xsimd::bitwise_cast<ints>(kd) - xsimd::bitwise_cast<ints>(shifter);
    const batch scale = xsimd::bitwise_cast<batch>((k_int + ints(1023)) << 52);
    const batch result = xsimd::select(x < batch(lowest), batch(0.0), p * scale);
    return xsimd::select(xsimd::isnan(x), x, result);
}

/// Scalar e^x for x <= 0 (or NaN): exp_bounded.
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
T exp_nonpositive(T x) noexcept {
    return exp_bounded(x);
}

/// sum_{k=1}^{K} x^{k-1} / (2k + 1) = 1/3 + x/5 + ... by Horner's rule, written out at
/// compile time (I = 0 .. K-2).
template <class V, class T, std::size_t... I>
MARKETLEARN_ALWAYS_INLINE V odd_reciprocal_tail(const V& x, std::index_sequence<I...>) noexcept {
    constexpr std::size_t K = sizeof...(I) + 1;
    V p(T(1) / T(2 * K + 1));
    ((p = xsimd::fma(p, x, V(T(1) / T(2 * (K - 1 - I) + 1)))), ...);
    return p;
}

/// ln(1 + e) for e in [0, 1] (or NaN): the one logarithm of the logistic loss and of a
/// two-branch log-sum-exp, whose argument is always an e^{-|m|}. Library log1p serves any
/// argument: xsimd 8.1's costs about as much per register as three scalar glibc calls.
/// Here ln(1 + e) = 2 atanh(s) with s = e / (2 + e) in [0, 1/3] (no cancellation), and
/// atanh(s) = s + s^3/3 + s^5/5 + ... converges fast there: the terms after s^{2K+1} stay below 2^-53 (double, K = 16) or
/// 2^-24 (float, K = 7) relative to the first, so the result is within a few ulps.
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE xsimd::batch<T, Arch> log1p_unit(const xsimd::batch<T, Arch>& e) noexcept {
    using V = xsimd::batch<T, Arch>;
    constexpr std::size_t K = std::is_same_v<T, float> ? 7 : 16;
    const V s = e / (V(T(2)) + e);
    const V s2 = s * s;
    const V tail = odd_reciprocal_tail<V, T>(s2, std::make_index_sequence<K - 1>{});
    // 2 (s + s^3 tail): s goes in last, for the last bits.
    return V(T(2)) * xsimd::fma(s * s2, tail, s);
}
/// Scalar ln(1 + e): the C library's, faster than the series here (one-row SGD steps, where
/// the series' division and chain of 15 FMAs cost more than glibc's log1p).
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
T log1p_unit(T e) noexcept {
    return std::log1p(e);
}

/// lse = ln(e^a + e^b) and w = e^b / (e^a + e^b) = sigma(b - a), from the one
/// exponential e^-|b - a|, for a scalar or a batch: the log-likelihood of a two-branch
/// mixture and the posterior weight of its second branch. b = -inf gives lse = a, w = 0
/// exactly; a must be finite.
template <class V>
void log_sum_exp_weight(const V& a, const V& b, V& lse, V& w) noexcept {
    const V d = b - a;
    const V e = exp_nonpositive(V(-xsimd::abs(d)));
    const V one(1);
    lse = xsimd::max(a, b) + log1p_unit(e);
    w = pick(d >= V(0), one, e) / (one + e);
}

}  // namespace detail

/// Evaluates loss `Kind` at decision values z (scalar or batch) against targets y.
template <loss_kind Kind>
struct pointwise_loss {
    template <class V, class T>
    static void eval(const V& z, const V& y, const loss_params<T>& p, V& loss, V& dloss) noexcept {
        using detail::pick;
        const V zero(T(0)), one(T(1));
        if constexpr (Kind == loss_kind::logistic) {
            // log1p(e^{-|m|}) + max(-m, 0) never overflows. One exponential serves both:
            // with e = e^{-|m|} in [0, 1], 1 / (1 + e^{m}) is e / (1 + e) for m > 0 and
            // 1 / (1 + e) otherwise (m = +inf gives e = 0, so dloss = -0).
            const V m = y * z;
            const V e = detail::exp_nonpositive(V(-xsimd::abs(m)));
            loss = detail::log1p_unit(e) + xsimd::max(-m, zero);
            dloss = -y * pick(m > zero, e, one) / (one + e);
        } else if constexpr (Kind == loss_kind::squared_error) {
            const V r = z - y;
            loss = T(0.5) * r * r;
            dloss = r;
        } else if constexpr (Kind == loss_kind::huber) {
            const V r = z - y;
            const V a = xsimd::abs(r);
            const V eps(p.epsilon);
            const auto inside = a <= eps;
            loss = pick(inside, T(0.5) * r * r, eps * a - T(0.5) * eps * eps);
            dloss = pick(inside, r, pick(r > zero, eps, -eps));
        } else if constexpr (Kind == loss_kind::hinge) {
            const V m = y * z;
            const auto active = m < one;
            loss = pick(active, one - m, zero);
            dloss = pick(active, -y, zero);
        } else if constexpr (Kind == loss_kind::modified_huber) {
            const V m = y * z;
            const V gap = one - m;
            const auto linear = m < V(T(-1));
            const auto active = m < one;
            loss = pick(linear, T(-4) * m, pick(active, gap * gap, zero));
            dloss = pick(linear, T(-4) * y, pick(active, T(-2) * y * gap, zero));
        } else if constexpr (Kind == loss_kind::poisson) {
            const V mu = detail::exp_bounded(z);
            loss = mu - y * z;
            dloss = mu - y;
        } else if constexpr (Kind == loss_kind::gamma) {
            const V y_over_mu = y * detail::exp_bounded(-z);
            loss = z + y_over_mu;
            dloss = one - y_over_mu;
        } else {
            static_assert(Kind == loss_kind::tweedie, "unknown loss_kind");
            // mu^{1-p} = e^{(1-p) z}, mu^{2-p} = e^{(2-p) z}
            const T p1 = T(1) - p.power, p2 = T(2) - p.power;
            const V a = detail::exp_bounded(p1 * z), b = detail::exp_bounded(p2 * z);
            loss = b / p2 - y * a / p1;
            dloss = b - y * a;
        }
        if constexpr (has_constant) {
            if (p.with_constant) loss += constant(y, p);
        }
    }

    static constexpr bool has_constant = has_loss_constant(Kind);

    /// The loss's terms in y alone, which make a GLM loss a half deviance (0 at a perfect
    /// prediction): y log y - y (Poisson), -log y - 1 (Gamma), y^{2-p} / ((1-p)(2-p))
    /// (Tweedie, 0 for y = 0); 0 for the other losses.
    template <class V, class T>
    static V constant(const V& y, const loss_params<T>& p) noexcept {
        using detail::pick;
        const V zero(T(0)), one(T(1));
        if constexpr (Kind == loss_kind::poisson) {
            return detail::ylogy(y) - y;
        } else if constexpr (Kind == loss_kind::gamma) {
            // y > 0 is checked by the caller; log(y) of a padding lane sees y = 1.
            return -xsimd::log(y) - one;
        } else if constexpr (Kind == loss_kind::tweedie) {
            const T p1 = T(1) - p.power, p2 = T(2) - p.power;
            const V y_p2 = pick(y > zero, detail::exp_bounded(p2 * xsimd::log(pick(y > zero, y, one))), zero);
            return y_p2 / (p1 * p2);
        } else {
            return zero;
        }
    }
};

/// pointwise_loss<kind>::constant of one target, for a loss chosen at run time.
template <class T>
T loss_constant(loss_kind kind, T y, const loss_params<T>& p) noexcept {
    switch (kind) {
        case loss_kind::poisson:
            return pointwise_loss<loss_kind::poisson>::constant(y, p);
        case loss_kind::gamma:
            return pointwise_loss<loss_kind::gamma>::constant(y, p);
        case loss_kind::tweedie:
            return pointwise_loss<loss_kind::tweedie>::constant(y, p);
        default:
            return T(0);
    }
}

}  // namespace marketlearn::simd
