#pragma once
/// \file
/// Learning-rate schedules. A schedule gives eta for the next update from
///   t:     updates already made (0 for the first),
///   epoch: epochs already completed (0 during the first);
/// it may also watch each finished epoch (`end_epoch`) and adapt or ask to stop.

#include <cmath>
#include <cstddef>
#include <limits>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

namespace detail {
template <class T>
void require_rate(T eta0) {
    require(std::isfinite(eta0) && eta0 > T(0), "eta0=", eta0, " must be a finite learning rate > 0");
}
}  // namespace detail

/// eta = eta0.
template <class T>
struct ConstantSchedule {
    T eta0 = T(0.01);

    void validate() const { detail::require_rate(eta0); }
    T rate(std::size_t /*t*/, std::size_t /*epoch*/ = 0) const noexcept { return eta0; }
};

/// eta = eta0 / (t + 1)^power_t (scikit-learn's 'invscaling'). power_t = 0.5 decays
/// slowly enough for SGD to keep exploring and fast enough to settle.
template <class T>
struct InverseScalingSchedule {
    T eta0 = T(0.01);
    T power_t = T(0.5);

    void validate() const {
        detail::require_rate(eta0);
        require(std::isfinite(power_t) && power_t >= T(0), "power_t=", power_t,
                " must be a finite number >= 0");
    }
    T rate(std::size_t t, std::size_t /*epoch*/ = 0) const noexcept {
        return eta0 / std::pow(static_cast<T>(t + 1), power_t);
    }
};

/// Bottou's 'optimal' rate for an L2-regularized objective, as scikit-learn's SGD:
///   eta = 1 / (alpha (t0 + t)),  t0 = 1 / (alpha eta_init),  eta_init = sqrt(1 / sqrt(alpha))
/// (eta_init is the typical weight scale of Bottou's sgd code). The 1/t decay matches
/// the curvature alpha of the penalty; it needs alpha > 0.
template <class T>
struct OptimalSchedule {
    T alpha = T(1e-4);

    void validate() const {
        require(std::isfinite(alpha) && alpha > T(0), "learning_rate='optimal' needs alpha > 0 "
                "(got alpha=", alpha, ")");
    }
    T rate(std::size_t t, std::size_t /*epoch*/ = 0) const noexcept { return rate_at(t, t0()); }

    /// The clock offset: the first rate is 1 / (alpha t0) = eta_init. Depends on alpha
    /// only, so callers stepping many times can compute it once.
    T t0() const noexcept {
        const T eta_init = std::sqrt(T(1) / std::sqrt(alpha));
        return T(1) / (alpha * eta_init);
    }
    /// The rate at update t given t0(): the same value as rate(t), without two square
    /// roots and two divisions per step.
    T rate_at(std::size_t t, T t0) const noexcept {
        return T(1) / (alpha * (t0 + static_cast<T>(t)));
    }
};

/// scikit-learn's 'adaptive': eta stays at eta0 while the epoch objective improves by
/// at least tol; after n_iter_no_change epochs without such improvement it is divided by
/// 5, and the run stops once eta falls below 1e-6. With tol <= 0 (Python's tol=None) an
/// epoch counts as "no improvement" when the objective does not decrease at all, so the
/// rate still anneals; scikit-learn instead never divides then (and never stops).
template <class T>
struct AdaptiveSchedule {
    T eta0 = T(0.01);
    T tol = T(1e-3);
    std::size_t n_iter_no_change = 5;

    void validate() const {
        detail::require_rate(eta0);
        require(n_iter_no_change > 0, "n_iter_no_change=0 must be >= 1");
    }
    T rate(std::size_t /*t*/, std::size_t /*epoch*/ = 0) const noexcept {
        return current_ > T(0) ? current_ : eta0;
    }
    /// Returns true when the rate has become too small to make progress.
    bool end_epoch(std::size_t /*epoch*/, T objective) {
        if (!(current_ > T(0))) current_ = eta0;
        if (objective > best_ - tol) {
            ++stalled_;
        } else {
            stalled_ = 0;
        }
        if (objective < best_) best_ = objective;
        if (stalled_ >= n_iter_no_change) {
            current_ /= T(5);
            stalled_ = 0;
        }
        return current_ < T(1e-6);
    }

private:
    T current_ = T(0);
    T best_ = std::numeric_limits<T>::infinity();
    std::size_t stalled_ = 0;
};

/// eta = eta0 gamma^epoch: a smooth per-epoch decay, gamma in (0, 1].
template <class T>
struct ExponentialSchedule {
    T eta0 = T(0.01);
    T gamma = T(0.95);

    void validate() const {
        detail::require_rate(eta0);
        require(gamma > T(0) && gamma <= T(1), "gamma=", gamma, " must be in (0, 1]");
    }
    T rate(std::size_t /*t*/, std::size_t epoch = 0) const noexcept {
        return eta0 * std::pow(gamma, static_cast<T>(epoch));
    }
};

/// eta = eta0 drop^floor(epoch / step_size): piecewise-constant decay.
template <class T>
struct StepSchedule {
    T eta0 = T(0.01);
    T drop = T(0.5);
    std::size_t step_size = 10;

    void validate() const {
        detail::require_rate(eta0);
        require(drop > T(0) && drop <= T(1), "drop=", drop, " must be in (0, 1]");
        require(step_size > 0, "step_size=0 must be >= 1");
    }
    T rate(std::size_t /*t*/, std::size_t epoch = 0) const noexcept {
        return eta0 * std::pow(drop, static_cast<T>(epoch / step_size));
    }
};

/// Cosine annealing (Loshchilov & Hutter, 2017) over max_epochs:
///   eta = eta_min + (eta0 - eta_min) (1 + cos(pi epoch / max_epochs)) / 2
/// Large steps early, a gentle landing at eta_min at the end of the budget.
template <class T>
struct CosineSchedule {
    T eta0 = T(0.01);
    T eta_min = T(0);
    std::size_t max_epochs = 100;

    void validate() const {
        detail::require_rate(eta0);
        require(eta_min >= T(0) && eta_min <= eta0, "eta_min=", eta_min, " must be in [0, eta0]");
        require(max_epochs > 0, "max_epochs=0 must be >= 1");
    }
    T rate(std::size_t /*t*/, std::size_t epoch = 0) const noexcept {
        const T pi = T(3.14159265358979323846);
        const T progress = std::min(T(1), static_cast<T>(epoch) / static_cast<T>(max_epochs));
        return eta_min + (eta0 - eta_min) * (T(1) + std::cos(pi * progress)) / T(2);
    }
};

}  // namespace marketlearn::optim
