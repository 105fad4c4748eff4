#pragma once
/// \file
/// Adagrad (Duchi, Hazan & Singer, 2011):
///   G <- G + g^2,   w <- w - eta g / (sqrt(G) + eps)
/// Each coordinate gets its own, shrinking step: rare features (a seldom-seen one-hot
/// column) keep large steps while frequent ones settle.

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T>
struct AdagradUpdate {
    T epsilon = T(1e-8);

    AdagradUpdate() = default;
    explicit AdagradUpdate(T epsilon_) : epsilon(epsilon_) {}

    static constexpr const char* name() noexcept { return "adagrad"; }

    void initialize(Eigen::Index n_params, Eigen::Index /*n_penalized*/) {
        require(epsilon > T(0), "epsilon=", epsilon, " must be > 0");
        squares_.setZero(n_params);
    }

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t /*t*/) {
        squares_.array() += g.array().square();
        w.array() -= eta * g.array() / (squares_.array().sqrt() + epsilon);
    }

    /// Per-coordinate step of the last update, for the proximal (L1) operator.
    template <class V>
    void coordinate_steps(V& steps, T eta) const {
        steps = eta / (squares_.array().sqrt() + epsilon);
    }

private:
    Eigen::Matrix<T, Eigen::Dynamic, 1> squares_;
};

}  // namespace marketlearn::optim
