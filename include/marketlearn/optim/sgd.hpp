#pragma once
/// \file
/// The first-order loop: every gradient-descent variant is this loop with an update
/// policy (update_policies/) and a learning-rate schedule (schedules.hpp).
///
///   for each epoch:                    (one pass over the data)
///     for each mini-batch B:           (batch_size rows; all rows when batch_size = 0)
///       g   <- clip(gradient of the smooth part F over B)
///       w   <- Update(w, g, eta_t)     (vanilla, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW)
///       w   <- prox_{eta_t G}(w)       (only if the objective has a non-smooth part, e.g. L1)
///
/// batch_size = 1 is classic SGD, larger batches are mini-batch SGD, 0 is full-batch
/// gradient descent (each step one fused pass over X, possibly threaded). With mini-batches
/// the epoch objective is the running average of the batch objectives seen during the
/// epoch, as scikit-learn's SGD reports it: no extra pass over X. With full batches it is
/// the exact objective.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/traits.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/clipping.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/stopping.hpp"
#include "marketlearn/optim/update_policies/adagrad.hpp"
#include "marketlearn/optim/update_policies/adam.hpp"
#include "marketlearn/optim/update_policies/momentum.hpp"
#include "marketlearn/optim/update_policies/nesterov.hpp"
#include "marketlearn/optim/update_policies/rmsprop.hpp"
#include "marketlearn/optim/update_policies/vanilla.hpp"

namespace marketlearn::optim {

namespace detail {

template <class F, class V, class = void>
struct has_proximal : std::false_type {};
template <class F, class V>
struct has_proximal<F, V,
                    std::void_t<decltype(std::declval<const F&>().proximal(
                                    std::declval<V&>(), std::declval<typename V::Scalar>())),
                                decltype(std::declval<const F&>().nonsmooth(std::declval<const V&>()))>>
    : std::true_type {};

template <class F, class = void>
struct has_num_features : std::false_type {};
template <class F>
struct has_num_features<F, std::void_t<decltype(std::declval<const F&>().num_features())>>
    : std::true_type {};

template <class U, class V, class = void>
struct has_coordinate_steps : std::false_type {};
template <class U, class V>
struct has_coordinate_steps<U, V,
                            std::void_t<decltype(std::declval<const U&>().coordinate_steps(
                                std::declval<V&>(), std::declval<typename V::Scalar>()))>>
    : std::true_type {};

/// Objectives that run plain one-row SGD steps on scaled weights (w = scale * v).
template <class F, class V, class = void>
struct has_scaled_sgd : std::false_type {};
template <class F, class V>
struct has_scaled_sgd<
    F, V,
    std::void_t<decltype(std::declval<const F&>().scaled_sgd_epoch(
        std::declval<V&>(), std::declval<typename V::Scalar (&)()>()))>>
    : std::true_type {};

template <class S, class T, class = void>
struct has_schedule_end_epoch : std::false_type {};
template <class S, class T>
struct has_schedule_end_epoch<
    S, T, std::void_t<decltype(std::declval<S&>().end_epoch(std::size_t{}, std::declval<T>()))>>
    : std::true_type {};

}  // namespace detail

template <class T, class Schedule = ConstantSchedule<T>, class Update = VanillaUpdate<T>>
class SGD {
public:
    struct Options {
        std::size_t max_iter = 1000;  ///< epochs
        T tol = T(1e-3);              ///< objective-improvement rule; <= 0 disables
        std::size_t n_iter_no_change = 5;
        std::size_t batch_size = 1;   ///< rows per update; 0 = all rows (full batch)
        bool shuffle = true;          ///< new random row order each epoch (mini-batches)
        std::uint64_t seed = 0;
        T gradient_tol = T(0);        ///< full batch: stop when max |g_j| <= it; 0 disables
        T clip_norm = T(0);           ///< see clipping.hpp; 0 disables
        T clip_value = T(0);
        /// Updates already made by earlier runs (partial_fit): the schedules' clock starts
        /// here, so a decaying rate keeps decaying across calls.
        std::size_t initial_t = 0;
    };

    explicit SGD(Options options, Schedule schedule = Schedule{}, Update update = Update{})
        : options_(options), schedule_(std::move(schedule)), update_(std::move(update)) {
        require(options_.max_iter > 0, "max_iter=0 must be >= 1");
        require(options_.n_iter_no_change > 0, "n_iter_no_change=0 must be >= 1");
        require(!std::isnan(options_.tol), "tol must not be NaN");
        require(options_.gradient_tol >= T(0), "gradient_tol=", options_.gradient_tol,
                " must be >= 0");
        schedule_.validate();
        GradientClipping<T>{options_.clip_norm, options_.clip_value}.validate();
    }

    const Options& options() const noexcept { return options_; }

private:
    /// Whether an epoch can run as scaled one-row steps (see LinearObjective::
    /// scaled_sgd_epoch): plain SGD, batches of one row, no clipping and no L1 step.
    template <class Objective, class V>
    bool plain_one_row_steps(const Objective& f, const GradientClipping<T>& clip) const {
        if constexpr (std::is_same_v<Update, VanillaUpdate<T>> &&
                      detail::has_scaled_sgd<Objective, V>::value) {
            bool l1 = false;
            if constexpr (detail::has_proximal<Objective, V>::value) l1 = f.has_nonsmooth_part();
            return options_.batch_size == 1 && clip.max_norm == T(0) && clip.max_value == T(0) &&
                   !l1;
        } else {
            (void)f;
            (void)clip;
            return false;
        }
    }

public:

    /// Minimizes f from w (updated in place). Throws marketlearn::invalid_argument, naming
    /// the learning rate, if the objective diverges.
    template <class Objective, class V, class... Callbacks>
    Result<T> optimize(Objective& f, V& w, Callbacks&&... callbacks) const {
        const bool full_batch = options_.batch_size == 0;
        objective::check_differentiable<Objective, V>();
        if constexpr (objective::detail::has_num_functions<Objective>::value) {
            if (!full_batch) objective::check_separable<Objective, V>();
        }
        constexpr bool composite = detail::has_proximal<Objective, V>::value;

        Update update = update_;      // per-run state (moments, velocities)
        Schedule schedule = schedule_;  // per-run state (adaptive rate)
        const GradientClipping<T> clip{options_.clip_norm, options_.clip_value};
        Eigen::Index n_penalized = w.size();
        if constexpr (detail::has_num_features<Objective>::value) {
            n_penalized = static_cast<Eigen::Index>(f.num_features());
        }
        update.initialize(w.size(), n_penalized);

        std::mt19937_64 rng(options_.seed);
        NoImprovementStop<T> stall(options_.tol, options_.n_iter_no_change);
        V grad, steps;
        Result<T> result;
        std::size_t t = options_.initial_t;  // updates made: the schedules' clock
        T first_value = std::numeric_limits<T>::quiet_NaN();
        T value = 0;
        T previous_value = std::numeric_limits<T>::infinity();
        std::size_t rising = 0;  // epochs left in the window since the objective last rose
        notify_begin(w, callbacks...);

        auto take_step = [&](T eta) {
            clip.apply(grad);
            ++t;
            // Update policies count their own steps (Adam's bias correction): their state
            // starts fresh each run, so they see t relative to this run's start.
            update.step(w, grad, eta, t - options_.initial_t);
            if constexpr (composite) {
                if constexpr (detail::has_coordinate_steps<Update, V>::value) {
                    if (f.has_nonsmooth_part()) {
                        update.coordinate_steps(steps, eta);
                        f.proximal(w, steps);
                    }
                } else {
                    f.proximal(w, eta);
                }
            }
        };
        auto nonsmooth = [&]() -> T {
            if constexpr (composite) {
                return f.nonsmooth(w);
            } else {
                return T(0);
            }
        };

        T smooth = full_batch ? f.evaluate_with_gradient(w, grad) : T(0);
        if (full_batch) {
            // As in LBFGS: a non-finite X shows in the first full gradient (c * NaN,
            // c * inf, 0 * inf), and callers that skip a separate check rely on this.
            require(std::isfinite(smooth) && grad.allFinite(),
                    "the objective or its gradient is not finite at the starting coefficients; "
                    "check the data (X must not contain NaN or infinity) and the initial values");
        }
        // Stochastic runs see every row once in their first epoch, and a non-finite entry
        // of X makes its row's contribution non-finite (c * NaN, c * inf, 0 * inf): in a
        // mini-batch's gradient, or in a one-row step's value (scaled_sgd_epoch). Callers
        // that skip a separate NaN / infinity pass over X rely on this check, done after
        // the first epoch (an L1 proximal step would turn NaN weights into zeros, so the
        // gradients are checked, not the weights).
        bool nonfinite_gradient = false;
        for (std::size_t epoch = 1; epoch <= options_.max_iter; ++epoch) {
            T eta = schedule.rate(t, epoch - 1);
            if (full_batch) {
                take_step(eta);
                smooth = f.evaluate_with_gradient(w, grad);
                value = smooth + nonsmooth();
            } else {
                const std::size_t n = f.num_functions();
                if (options_.shuffle) f.shuffle(rng);
                double sum = 0;
                if (plain_one_row_steps<Objective, V>(f, clip)) {
                    // The steps of the loop below (vanilla update, no clipping, no L1) with
                    // the L2 shrinkage folded into a scale: O(row), not O(features), each.
                    if constexpr (detail::has_scaled_sgd<Objective, V>::value) {
                        sum = f.scaled_sgd_epoch(w, [&] {
                            eta = schedule.rate(t, epoch - 1);
                            ++t;
                            return eta;
                        });
                    }
                } else {
                    for (std::size_t begin = 0; begin < n; begin += options_.batch_size) {
                        const std::size_t count = std::min(options_.batch_size, n - begin);
                        sum += static_cast<double>(f.evaluate_with_gradient(w, begin, count, grad)) *
                               static_cast<double>(count);
                        if (epoch == 1 && !grad.allFinite()) nonfinite_gradient = true;
                        eta = schedule.rate(t, epoch - 1);
                        take_step(eta);
                    }
                }
                value = static_cast<T>(sum / static_cast<double>(n)) + nonsmooth();
                if (nonfinite_gradient) {
                    throw_invalid_argument(
                        "the optimization diverged: a gradient became non-finite in the first "
                        "epoch, with learning rate ", eta, "; check that X has no NaN or "
                        "infinity; use a smaller learning rate (eta0), e.g. ", eta / 10,
                        ", or scale the features");
                }
            }
            check_not_diverged(value, epoch, eta, first_value);
            if (epoch == 1) first_value = value;
            result.iterations = epoch;

            if (notify_end_epoch(epoch, value, w, callbacks...)) {
                result.reason = StopReason::callback;
                break;
            }
            if (full_batch && options_.gradient_tol > T(0) && !has_l1(f) &&
                grad.cwiseAbs().maxCoeff() <= options_.gradient_tol) {
                result.converged = true;
                result.reason = StopReason::converged_gradient;
                break;
            }
            // Full-batch objectives decrease monotonically for a small enough step; one that
            // rose recently has not converged, however flat it looks.
            rising = (full_batch && epoch > 1 && value > previous_value) ? options_.n_iter_no_change
                                                                         : (rising > 0 ? rising - 1 : 0);
            previous_value = value;
            bool stop;
            if constexpr (detail::has_schedule_end_epoch<Schedule, T>::value) {
                stop = schedule.end_epoch(epoch, value);  // the schedule owns the tol rule
            } else {
                stop = stall.update(value);
            }
            if (stop) {
                result.converged = rising == 0;
                result.reason = rising == 0 ? StopReason::converged_tol : StopReason::not_decreasing;
                break;
            }
        }
        // The epoch values of mini-batch runs are running averages; report the exact
        // objective at the result (one more pass over X).
        result.objective = full_batch ? value : f.evaluate(w) + nonsmooth();
        result.updates = t;
        notify_end(w, result, callbacks...);
        return result;
    }

private:
    template <class Objective>
    static bool has_l1(const Objective& f) {
        if constexpr (detail::has_proximal<Objective, Eigen::Matrix<T, Eigen::Dynamic, 1>>::value) {
            return f.has_nonsmooth_part();
        } else {
            return false;
        }
    }

    Options options_;
    Schedule schedule_;
    Update update_;
};

// Named optimizers: the loop with one update policy each.
template <class T, class Schedule = ConstantSchedule<T>>
using Momentum = SGD<T, Schedule, MomentumUpdate<T>>;
template <class T, class Schedule = ConstantSchedule<T>>
using Nesterov = SGD<T, Schedule, NesterovUpdate<T>>;
template <class T, class Schedule = ConstantSchedule<T>>
using Adagrad = SGD<T, Schedule, AdagradUpdate<T>>;
template <class T, class Schedule = ConstantSchedule<T>>
using RMSprop = SGD<T, Schedule, RMSpropUpdate<T>>;
template <class T, class Schedule = ConstantSchedule<T>>
using Adam = SGD<T, Schedule, AdamUpdate<T>>;
template <class T, class Schedule = ConstantSchedule<T>>
using AdamW = SGD<T, Schedule, AdamWUpdate<T>>;

}  // namespace marketlearn::optim
