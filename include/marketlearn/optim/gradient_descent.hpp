#pragma once
/// \file
/// Full-batch gradient descent.
///
///   w_{t+1} = w_t - eta_t grad f(w_t)
///
/// Each iteration is one pass over all the data (one fused loss+gradient kernel call per
/// block of rows). Deterministic; the baseline every other method is compared to.

#include <cstddef>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/traits.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/stopping.hpp"

namespace marketlearn::optim {

template <class T, class Schedule = ConstantSchedule<T>>
class GradientDescent {
public:
    struct Options {
        std::size_t max_iter = 1000;
        T tol = T(1e-4);                 ///< objective improvement rule; <= 0 disables
        std::size_t n_iter_no_change = 5;
        T gradient_tol = T(0);           ///< stop when max |grad_j| <= gradient_tol; 0 disables
    };

    GradientDescent(Options options, Schedule schedule) : options_(options), schedule_(schedule) {
        require(options_.max_iter > 0, "max_iter=0 must be >= 1");
        require(options_.n_iter_no_change > 0, "n_iter_no_change=0 must be >= 1");
        require(!std::isnan(options_.tol), "tol must not be NaN");
        schedule_.validate();
    }

    template <class Objective, class Vector, class... Callbacks>
    Result<T> optimize(Objective& f, Vector& w, Callbacks&&... callbacks) const {
        objective::check_differentiable<Objective, Vector>();
        Vector grad;
        Result<T> result;
        NoImprovementStop<T> stall(options_.tol, options_.n_iter_no_change);
        notify_begin(w, callbacks...);
        T value = f.evaluate_with_gradient(w, grad);
        check_not_diverged(value, 0, schedule_.rate(0));
        for (std::size_t it = 1; it <= options_.max_iter; ++it) {
            const T eta = schedule_.rate(it - 1);
            w -= eta * grad;
            value = f.evaluate_with_gradient(w, grad);
            check_not_diverged(value, it, eta);
            result.iterations = it;
            if (notify_end_epoch(it, value, w, callbacks...)) {
                result.reason = StopReason::callback;
                break;
            }
            if (options_.gradient_tol > T(0) && grad.cwiseAbs().maxCoeff() <= options_.gradient_tol) {
                result.converged = true;
                result.reason = StopReason::converged_gradient;
                break;
            }
            if (stall.update(value)) {
                result.converged = true;
                result.reason = StopReason::converged_tol;
                break;
            }
        }
        result.objective = value;
        notify_end(w, result, callbacks...);
        return result;
    }

private:
    Options options_;
    Schedule schedule_;
};

}  // namespace marketlearn::optim
