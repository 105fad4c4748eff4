#pragma once
/// \file
/// Stopping rules shared by the optimizers.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "marketlearn/core/error.hpp"

namespace marketlearn::optim {

/// scikit-learn's SGD rule: stop after `patience` consecutive epochs whose objective is
/// not below (best so far - tol). tol <= 0 disables it.
template <class T>
class NoImprovementStop {
public:
    NoImprovementStop(T tol, std::size_t patience) : tol_(tol), patience_(patience) {}

    /// Records one epoch's objective; true when the run should stop.
    bool update(T objective) noexcept {
        if (!(tol_ > T(0))) return false;
        if (objective > best_ - tol_) {
            ++stalled_;
        } else {
            stalled_ = 0;
        }
        if (objective < best_) best_ = objective;
        return stalled_ >= patience_;
    }

private:
    T tol_;
    std::size_t patience_;
    T best_ = std::numeric_limits<T>::infinity();
    std::size_t stalled_ = 0;
};

/// A step-size method has diverged when its objective turns non-finite or explodes
/// (grows beyond `explode_factor` times its starting size): say which learning rate did
/// it and what to do, rather than return NaN or huge coefficients.
template <class T>
void check_not_diverged(T objective, std::size_t iteration, T learning_rate,
                        T initial_objective = std::numeric_limits<T>::quiet_NaN(),
                        T explode_factor = T(1e8)) {
    const bool exploded = std::isfinite(initial_objective) &&
                          std::abs(objective) > explode_factor * std::max(T(1), std::abs(initial_objective));
    if (std::isfinite(objective) && !exploded) return;
    // A NaN objective may also come from the data: callers that leave X's NaN / infinity
    // check to the first epoch (sgd.hpp) end up here.
    throw_invalid_argument("the optimization diverged: the objective became ", objective,
                          " at iteration ", iteration, " with learning rate ", learning_rate,
                          std::isfinite(objective) ? "" : "; check that X has no NaN or infinity",
                          "; use a smaller learning rate (eta0), e.g. ", learning_rate / 10,
                          ", or scale the features");
}

}  // namespace marketlearn::optim
