#pragma once
/// \file
/// Plain gradient step:  w <- w - eta g.

#include <Eigen/Core>

namespace marketlearn::optim {

template <class T>
struct VanillaUpdate {
    static constexpr const char* name() noexcept { return "sgd"; }

    /// n_params coordinates; the first n_penalized are coefficients (the rest: intercept).
    void initialize(Eigen::Index /*n_params*/, Eigen::Index /*n_penalized*/) {}

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t /*t*/) {
        w -= eta * g;
    }
};

}  // namespace marketlearn::optim
