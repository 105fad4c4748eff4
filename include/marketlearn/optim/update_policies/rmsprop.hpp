#pragma once
/// \file
/// RMSprop (Tieleman & Hinton, 2012):
///   E <- rho E + (1 - rho) g^2,   w <- w - eta g / (sqrt(E) + eps)
/// Adagrad with a forgetting average, so steps do not shrink to nothing. rho ~ 0.9.

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T>
struct RMSpropUpdate {
    T rho = T(0.9);
    T epsilon = T(1e-8);

    RMSpropUpdate() = default;
    RMSpropUpdate(T rho_, T epsilon_) : rho(rho_), epsilon(epsilon_) {}

    static constexpr const char* name() noexcept { return "rmsprop"; }

    void initialize(Eigen::Index n_params, Eigen::Index /*n_penalized*/) {
        require(rho >= T(0) && rho < T(1), "rho=", rho, " must be in [0, 1)");
        require(epsilon > T(0), "epsilon=", epsilon, " must be > 0");
        mean_square_.setZero(n_params);
    }

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t /*t*/) {
        mean_square_ = rho * mean_square_ + (T(1) - rho) * g.cwiseAbs2();
        w.array() -= eta * g.array() / (mean_square_.array().sqrt() + epsilon);
    }

    template <class V>
    void coordinate_steps(V& steps, T eta) const {
        steps = eta / (mean_square_.array().sqrt() + epsilon);
    }

private:
    Eigen::Matrix<T, Eigen::Dynamic, 1> mean_square_;
};

}  // namespace marketlearn::optim
