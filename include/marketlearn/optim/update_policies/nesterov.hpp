#pragma once
/// \file
/// Nesterov accelerated gradient, in the form of Sutskever et al. (2013) that needs only
/// the gradient at the current point:
///   v <- mu v - eta g,   w <- w + mu v - eta g
/// The look-ahead corrects momentum before it overshoots. mu in [0, 1), typically 0.9.

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T>
struct NesterovUpdate {
    T momentum = T(0.9);

    NesterovUpdate() = default;
    explicit NesterovUpdate(T momentum_) : momentum(momentum_) {}

    static constexpr const char* name() noexcept { return "nesterov"; }

    void initialize(Eigen::Index n_params, Eigen::Index /*n_penalized*/) {
        require(momentum >= T(0) && momentum < T(1), "momentum=", momentum, " must be in [0, 1)");
        velocity_.setZero(n_params);
    }

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t /*t*/) {
        velocity_ = momentum * velocity_ - eta * g;
        w += momentum * velocity_ - eta * g;
    }

private:
    Eigen::Matrix<T, Eigen::Dynamic, 1> velocity_;
};

}  // namespace marketlearn::optim
