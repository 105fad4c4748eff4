#pragma once
/// \file
/// Scalar forms of the logistic loss, for code off the hot path (predict_proba,
/// reporting). The hot path is the fused kernel in simd/kernels.hpp.

#include <cmath>

namespace marketlearn::loss {

/// sigma(z) = 1 / (1 + e^{-z}), evaluated so that e^{.} never overflows.
template <class T>
T sigmoid(T z) noexcept {
    if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
}

/// log(1 + e^{-m}) for a margin m = y z, y in {-1, +1}: log1p(e^{-|m|}) + max(-m, 0).
template <class T>
T logistic_loss(T margin) noexcept {
    return std::log1p(std::exp(-std::abs(margin))) + (margin < T(0) ? -margin : T(0));
}

}  // namespace marketlearn::loss
