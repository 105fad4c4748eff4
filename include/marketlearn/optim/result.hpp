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
};

inline const char* describe(StopReason reason) noexcept {
    switch (reason) {
        case StopReason::converged_tol: return "converged: objective change below tol";
        case StopReason::converged_gradient: return "converged: gradient below tolerance";
        case StopReason::max_iter: return "max_iter reached";
        case StopReason::callback: return "stopped by a callback";
        case StopReason::line_search_failed: return "line search found no decrease";
    }
    return "unknown";
}

template <class T>
struct Result {
    T objective = 0;             ///< objective value at the returned coordinates
    std::size_t iterations = 0;  ///< epochs (stochastic methods) or iterations
    bool converged = false;
    StopReason reason = StopReason::max_iter;
};

}  // namespace marketlearn::optim
