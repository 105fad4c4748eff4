#pragma once
/// \file
/// Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019).
///   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
///   m^ = m / (1 - b1^t),      v^ = v / (1 - b2^t)
///   w <- w - eta m^ / (sqrt(v^) + eps)                    (Adam)
///   w <- w - eta m^ / (sqrt(v^) + eps) - eta lambda w     (AdamW: decoupled weight decay
///                                                          on the coefficients only)
/// Adam needs little tuning (eta ~ 1e-3); AdamW keeps the shrinkage out of the adaptive
/// scaling, so every coefficient decays at the same rate.

#include <cmath>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

template <class T, bool Decoupled>
struct AdamFamilyUpdate {
    T beta1 = T(0.9);
    T beta2 = T(0.999);
    T epsilon = T(1e-8);
    T weight_decay = T(0);  ///< AdamW's lambda (ignored by Adam)

    AdamFamilyUpdate() = default;
    AdamFamilyUpdate(T beta1_, T beta2_, T epsilon_, T weight_decay_)
        : beta1(beta1_), beta2(beta2_), epsilon(epsilon_), weight_decay(weight_decay_) {}

    static constexpr const char* name() noexcept { return Decoupled ? "adamw" : "adam"; }

    void initialize(Eigen::Index n_params, Eigen::Index n_penalized) {
        require(beta1 >= T(0) && beta1 < T(1), "beta1=", beta1, " must be in [0, 1)");
        require(beta2 >= T(0) && beta2 < T(1), "beta2=", beta2, " must be in [0, 1)");
        require(epsilon > T(0), "epsilon=", epsilon, " must be > 0");
        require(weight_decay >= T(0), "weight_decay=", weight_decay, " must be >= 0");
        m_.setZero(n_params);
        v_.setZero(n_params);
        n_penalized_ = n_penalized;
    }

    template <class V>
    void step(V& w, const V& g, T eta, std::size_t t) {
        m_ = beta1 * m_ + (T(1) - beta1) * g;
        v_ = beta2 * v_ + (T(1) - beta2) * g.cwiseAbs2();
        const T tt = static_cast<T>(t);
        bias1_ = T(1) - std::pow(beta1, tt);
        bias2_ = T(1) - std::pow(beta2, tt);
        if constexpr (Decoupled) {
            if (weight_decay > T(0)) w.head(n_penalized_) *= T(1) - eta * weight_decay;
        }
        w.array() -= eta * (m_.array() / bias1_) / ((v_.array() / bias2_).sqrt() + epsilon);
    }

    template <class V>
    void coordinate_steps(V& steps, T eta) const {
        steps = eta / ((v_.array() / bias2_).sqrt() + epsilon);
    }

private:
    Eigen::Matrix<T, Eigen::Dynamic, 1> m_, v_;
    Eigen::Index n_penalized_ = 0;
    T bias1_ = T(1), bias2_ = T(1);
};

template <class T>
using AdamUpdate = AdamFamilyUpdate<T, false>;
template <class T>
using AdamWUpdate = AdamFamilyUpdate<T, true>;

}  // namespace marketlearn::optim
