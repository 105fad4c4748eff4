#pragma once
/// \file
/// What an optimizer returns, and why it stopped.

#include <cstddef>

namespace marketlearn::optim {

enum class StopReason {
    converged_tol,       ///< the objective stopped improving by more than tol
    converged_gradient,  ///< the gradient's largest entry fell to gradient_tol
    max_iter,            ///< the iteration budget ran out first (not converged)
    callback,            ///< a callback asked to stop
    line_search_failed,  ///< L-BFGS could not find a step that lowers the objective
    not_decreasing,      ///< the objective stalled while still rising: the step is too large
};

inline const char* describe(StopReason reason) noexcept {
    switch (reason) {
        case StopReason::converged_tol: return "converged: objective change below tol";
        case StopReason::converged_gradient: return "converged: gradient below tolerance";
        case StopReason::max_iter: return "max_iter reached";
        case StopReason::callback: return "stopped by a callback";
        case StopReason::line_search_failed:
            return "line search found no decrease (converged if the gradient is at working "
                   "precision)";
        case StopReason::not_decreasing:
            return "not converged: the objective stopped decreasing while it still rose "
                   "between iterations; the learning rate is too large";
    }
    return "unknown";
}

template <class T>
struct Result {
    /// Objective value at the returned coordinates (exact: stochastic methods evaluate it
    /// once more at the end; their per-epoch history is a running average).
    T objective = 0;
    std::size_t iterations = 0;  ///< epochs (stochastic methods) or iterations
    std::size_t updates = 0;     ///< the schedule clock at the end (first-order methods)
    bool converged = false;
    StopReason reason = StopReason::max_iter;
};

}  // namespace marketlearn::optim
