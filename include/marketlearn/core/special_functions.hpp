#pragma once
/// \file
/// Guarded special functions for the likelihoods of the customer-lifetime models:
/// log-gamma, digamma, their differences, log-beta and log-sum-exp.
///
/// "Guarded" means: defined (or an honest NaN / infinity) for every double input, no
/// hidden global state (std::lgamma writes the global `signgam`, a data race when block
/// sums run on threads), and accurate where a naive difference of two large values would
/// cancel: lnG(z + x) - lnG(z) and psi(z + x) - psi(z) for large z use Stirling's series
/// for the difference itself, so a fit can wander to b = 1e12 and still see an exact
/// objective.

#include <cmath>
#include <limits>

#if defined(__GLIBC__) || defined(__APPLE__)
#include <math.h>  // lgamma_r (POSIX, re-entrant)
#endif

namespace marketlearn::special {

inline constexpr double pi = 3.14159265358979323846;

/// ln |Gamma(x)| without touching the global `signgam`.
inline double log_gamma(double x) noexcept {
#if defined(__GLIBC__) || defined(__APPLE__)
    int sign = 0;
    return ::lgamma_r(x, &sign);
#else
    return std::lgamma(x);  // MSVC's lgamma keeps no global state
#endif
}

namespace detail {

/// Stirling's correction lnG(y) - [(y - 1/2) ln y - y + ln(2 pi)/2] for y >= 15
/// (Abramowitz & Stegun 6.1.41); the first omitted term is below 2e-16.
inline double stirling_correction(double y) noexcept {
    const double f = 1.0 / (y * y);
    return (1.0 / 12.0 +
            f * (-1.0 / 360.0 + f * (1.0 / 1260.0 + f * (-1.0 / 1680.0 + f * (1.0 / 1188.0))))) /
           y;
}

/// psi(y) - (ln y - 1/(2y)) for y >= 10: -sum_k B_2k / (2k y^2k) (A&S 6.3.18), through
/// B_12; the first omitted term is below 1e-15 at y = 10.
inline double digamma_asymptotic_tail(double y) noexcept {
    const double f = 1.0 / (y * y);
    return -f * (1.0 / 12.0 +
                 f * (-1.0 / 120.0 +
                      f * (1.0 / 252.0 +
                           f * (-1.0 / 240.0 + f * (1.0 / 132.0 + f * (-691.0 / 32760.0))))));
}

inline constexpr double large_argument = 15.0;

}  // namespace detail

/// The digamma function psi(x) = d/dx ln Gamma(x), for every real x.
///
/// x > 0: recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic
/// series. x < 0: reflection psi(x) = psi(1 - x) - pi / tan(pi x). Poles (0, -1, ...)
/// and NaN give NaN; +inf gives +inf.
inline double digamma(double x) noexcept {
    if (std::isnan(x)) return x;
    if (x == std::numeric_limits<double>::infinity()) return x;
    if (x <= 0.0) {
        if (x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
        return digamma(1.0 - x) - pi / std::tan(pi * x);
    }
    double shift = 0.0;
    while (x < 10.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    return shift + std::log(x) - 0.5 / x + detail::digamma_asymptotic_tail(x);
}

/// lnG(z + x) - lnG(z) for z > 0, x >= 0, without cancellation when z is large.
inline double log_gamma_ratio(double z, double x) noexcept {
    if (x == 0.0) return 0.0;
    if (z >= detail::large_argument) {
        // [(y - 1/2) ln y - y] from z to z + x, rearranged so nothing large cancels.
        const double y = z + x;
        return (z - 0.5) * std::log1p(x / z) + x * std::log(y) - x +
               detail::stirling_correction(y) - detail::stirling_correction(z);
    }
    return log_gamma(z + x) - log_gamma(z);
}

/// psi(z + x) - psi(z) for z > 0, x >= 0, without cancellation when z is large.
inline double digamma_difference(double z, double x) noexcept {
    if (x == 0.0) return 0.0;
    if (z >= detail::large_argument) {
        const double y = z + x;
        return std::log1p(x / z) + 0.5 * x / (z * y) + detail::digamma_asymptotic_tail(y) -
               detail::digamma_asymptotic_tail(z);
    }
    return digamma(z + x) - digamma(z);
}

/// ln B(a, b) = lnG(a) + lnG(b) - lnG(a + b) for a, b > 0, accurate for large arguments.
inline double log_beta(double a, double b) noexcept {
    const double small = a < b ? a : b;
    const double large = a < b ? b : a;
    if (small >= detail::large_argument) {
        // Both large: Stirling for all three terms, grouped to avoid cancellation.
        const double sum = a + b;
        return 0.5 * std::log(2.0 * pi) + (a - 0.5) * std::log(a / sum) +
               (b - 0.5) * std::log(b / sum) - 0.5 * std::log(sum) +
               detail::stirling_correction(a) + detail::stirling_correction(b) -
               detail::stirling_correction(sum);
    }
    return log_gamma(small) - log_gamma_ratio(large, small);
}

/// ln(e^a + e^b), exact when one argument is -inf and without overflow.
inline double log_sum_exp(double a, double b) noexcept {
    const double m = a > b ? a : b;
    if (m == -std::numeric_limits<double>::infinity()) return m;
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
    return m + std::log1p(std::exp(-std::abs(a - b)));
}

/// ln(1 + e^x) without overflow.
inline double softplus(double x) noexcept {
    return (x > 0.0 ? x : 0.0) + std::log1p(std::exp(-std::abs(x)));
}

/// ln sigma(x) = -ln(1 + e^-x), the log of the logistic function.
inline double log_sigmoid(double x) noexcept { return -softplus(-x); }

/// sigma(x) = 1 / (1 + e^-x) without overflow.
inline double sigmoid(double x) noexcept {
    if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

}  // namespace marketlearn::special
