#pragma once
/// \file
/// Learning-rate schedules: eta as a function of the number t of updates already made.

#include <cmath>
#include <cstddef>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

/// eta_t = eta0.
template <class T>
struct ConstantSchedule {
    T eta0 = T(0.01);

    void validate() const {
        require(std::isfinite(eta0) && eta0 > T(0), "eta0=", eta0,
                " must be a finite learning rate > 0");
    }
    T rate(std::size_t /*t*/) const noexcept { return eta0; }
};

/// eta_t = eta0 / (t + 1)^power_t  (scikit-learn's 'invscaling', t counted from 0).
/// power_t = 0.5 is the classic Robbins-Monro-compatible decay for SGD.
template <class T>
struct InverseScalingSchedule {
    T eta0 = T(0.01);
    T power_t = T(0.5);

    void validate() const {
        require(std::isfinite(eta0) && eta0 > T(0), "eta0=", eta0,
                " must be a finite learning rate > 0");
        require(std::isfinite(power_t) && power_t >= T(0), "power_t=", power_t,
                " must be a finite number >= 0");
    }
    T rate(std::size_t t) const noexcept {
        return eta0 / std::pow(static_cast<T>(t + 1), power_t);
    }
};

}  // namespace marketlearn::optim
