#pragma once
/// \file
/// A schedule chosen at run time (from Python or a config file), delegating to the typed
/// schedules of schedules.hpp. Keeps one instantiation of the optimizer loop per update
/// policy instead of one per (policy, schedule) pair.

#include <cstddef>

#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/stopping.hpp"

namespace marketlearn::optim {

enum class ScheduleKind { constant, invscaling, optimal, adaptive, exponential, step, cosine };

template <class T>
struct ScheduleSpec {
    ScheduleKind kind = ScheduleKind::constant;
    T eta0 = T(0.01);
    T power_t = T(0.5);      ///< invscaling
    T alpha = T(1e-4);       ///< optimal
    T gamma = T(0.95);       ///< exponential
    T drop = T(0.5);         ///< step
    std::size_t step_size = 10;
    T eta_min = T(0);        ///< cosine
    std::size_t max_epochs = 100;
    T tol = T(1e-3);         ///< the objective-improvement rule (adaptive: when to divide)
    std::size_t n_iter_no_change = 5;
};

template <class T>
class AnySchedule {
public:
    explicit AnySchedule(const ScheduleSpec<T>& spec)
        : spec_(spec), stall_(spec.tol, spec.n_iter_no_change) {
        adaptive_.eta0 = spec.eta0;
        adaptive_.tol = spec.tol;
        adaptive_.n_iter_no_change = spec.n_iter_no_change;
        // rate() runs once per one-row SGD step: the constant part of 'optimal' is set here
        // (only for 'optimal': other schedules may have alpha = 0, where t0 is undefined).
        if (spec.kind == ScheduleKind::optimal) optimal_t0_ = OptimalSchedule<T>{spec.alpha}.t0();
    }

    void validate() const {
        switch (spec_.kind) {
            case ScheduleKind::constant: ConstantSchedule<T>{spec_.eta0}.validate(); break;
            case ScheduleKind::invscaling:
                InverseScalingSchedule<T>{spec_.eta0, spec_.power_t}.validate();
                break;
            case ScheduleKind::optimal: OptimalSchedule<T>{spec_.alpha}.validate(); break;
            case ScheduleKind::adaptive: adaptive_.validate(); break;
            case ScheduleKind::exponential:
                ExponentialSchedule<T>{spec_.eta0, spec_.gamma}.validate();
                break;
            case ScheduleKind::step:
                StepSchedule<T>{spec_.eta0, spec_.drop, spec_.step_size}.validate();
                break;
            case ScheduleKind::cosine:
                CosineSchedule<T>{spec_.eta0, spec_.eta_min, spec_.max_epochs}.validate();
                break;
        }
    }

    T rate(std::size_t t, std::size_t epoch) const {
        switch (spec_.kind) {
            case ScheduleKind::constant: return spec_.eta0;
            case ScheduleKind::invscaling:
                return InverseScalingSchedule<T>{spec_.eta0, spec_.power_t}.rate(t, epoch);
            case ScheduleKind::optimal:
                return OptimalSchedule<T>{spec_.alpha}.rate_at(t, optimal_t0_);
            case ScheduleKind::adaptive: return adaptive_.rate(t, epoch);
            case ScheduleKind::exponential:
                return ExponentialSchedule<T>{spec_.eta0, spec_.gamma}.rate(t, epoch);
            case ScheduleKind::step:
                return StepSchedule<T>{spec_.eta0, spec_.drop, spec_.step_size}.rate(t, epoch);
            case ScheduleKind::cosine:
                return CosineSchedule<T>{spec_.eta0, spec_.eta_min, spec_.max_epochs}.rate(t, epoch);
        }
        return spec_.eta0;
    }

    /// The stopping rule: adaptive divides the rate and stops when it is tiny; the others
    /// stop after n_iter_no_change epochs without a tol improvement.
    bool end_epoch(std::size_t epoch, T objective) {
        if (spec_.kind == ScheduleKind::adaptive) return adaptive_.end_epoch(epoch, objective);
        return stall_.update(objective);
    }

private:
    ScheduleSpec<T> spec_;
    T optimal_t0_ = 0;
    AdaptiveSchedule<T> adaptive_;
    NoImprovementStop<T> stall_;
};

}  // namespace marketlearn::optim
