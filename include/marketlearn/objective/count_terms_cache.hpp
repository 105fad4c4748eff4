#pragma once
/// \file
/// CountTermsCache: the terms of a customer likelihood that depend on the parameters and
/// the customer's purchase count x only, computed once per distinct x in an evaluation.
///
/// Why: those terms are log-gamma and digamma values (tens of nanoseconds each), while
/// a customer base has few distinct counts: CDNOW's 23,570 customers have 60. The BG/NBD
/// and Gamma-Gamma block sums look them up instead of recomputing them per customer.

#include <array>
#include <cmath>
#include <cstddef>

namespace marketlearn::objective {

/// Memo of compute(x) for whole x in [0, N), filled on first use; other x (fractional or
/// large counts) are computed into the caller's `direct` slot each time. One cache per
/// evaluation and thread: it is not synchronized, and the terms depend on the parameters.
template <class Terms, std::size_t N = 256>
class CountTermsCache {
public:
    template <class Compute>
    const Terms& get(double x, Compute&& compute, Terms& direct) {
        if (x >= 0 && x < static_cast<double>(N) && x == std::floor(x)) {
            const auto k = static_cast<std::size_t>(x);
            if (!filled_[k]) {
                table_[k] = compute(x);
                filled_[k] = true;
            }
            return table_[k];
        }
        direct = compute(x);
        return direct;
    }

private:
    std::array<Terms, N> table_;
    std::array<bool, N> filled_{};
};

}  // namespace marketlearn::objective
