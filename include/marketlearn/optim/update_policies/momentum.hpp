#pragma once
/// \file
/// Heavy-ball momentum (Polyak):
///   v <- mu v - eta g,   w <- w + v
/// Averages successive gradients, so steps speed up along consistent directions and
/// oscillations across a narrow valley cancel. mu in [0, 1), typically 0.9.

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T>
struct MomentumUpdate {
    T momentum = T(0.9);

    MomentumUpdate() = default;
    explicit MomentumUpdate(T momentum_) : momentum(momentum_) {}

    static constexpr const char* name() noexcept { return "momentum"; }

    void initialize(Eigen::Index n_params, Eigen::Index /*n_penalized*/) {
        require(momentum >= T(0) && momentum < T(1), "momentum=", momentum, " must be in [0, 1)");
        velocity_.setZero(n_params);
    }

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t /*t*/) {
        velocity_ = momentum * velocity_ - eta * g;
        w += velocity_;
    }

private:
    Eigen::Matrix<T, Eigen::Dynamic, 1> velocity_;
};

}  // namespace marketlearn::optim
