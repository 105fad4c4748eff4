#pragma once
/// \file
/// Stochastic and mini-batch gradient descent.
///
///   w <- w - eta_t g_B(w),   g_B = unbiased gradient estimate over a mini-batch B
///
/// batch_size = 1 is classic SGD; larger batches trade noise for fewer, vectorized
/// updates. One epoch visits every row once, in a new random order when `shuffle`.
/// The epoch objective is the running average of the mini-batch objectives seen during the
/// epoch (as scikit-learn's SGD reports it): it costs no extra pass over X.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/traits.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/stopping.hpp"

namespace marketlearn::optim {

template <class T, class Schedule = ConstantSchedule<T>>
class SGD {
public:
    struct Options {
        std::size_t max_iter = 1000;  ///< epochs
        T tol = T(1e-3);              ///< objective improvement rule; <= 0 disables
        std::size_t n_iter_no_change = 5;
        std::size_t batch_size = 1;
        bool shuffle = true;
        std::uint64_t seed = 0;
    };

    SGD(Options options, Schedule schedule) : options_(options), schedule_(schedule) {
        require(options_.max_iter > 0, "max_iter=0 must be >= 1");
        require(options_.batch_size > 0, "batch_size=0 must be >= 1");
        require(options_.n_iter_no_change > 0, "n_iter_no_change=0 must be >= 1");
        require(!std::isnan(options_.tol), "tol must not be NaN");
        schedule_.validate();
    }

    template <class Objective, class Vector, class... Callbacks>
    Result<T> optimize(Objective& f, Vector& w, Callbacks&&... callbacks) const {
        objective::check_separable<Objective, Vector>();
        const std::size_t n = f.num_functions();
        std::mt19937_64 rng(options_.seed);
        Vector grad;
        Result<T> result;
        NoImprovementStop<T> stall(options_.tol, options_.n_iter_no_change);
        std::size_t t = 0;  // updates made so far: the schedule's clock
        T epoch_value = 0;
        notify_begin(w, callbacks...);
        for (std::size_t epoch = 1; epoch <= options_.max_iter; ++epoch) {
            if (options_.shuffle) f.shuffle(rng);
            double value_sum = 0;
            T eta = schedule_.rate(t);
            for (std::size_t begin = 0; begin < n; begin += options_.batch_size) {
                const std::size_t count = std::min(options_.batch_size, n - begin);
                const T value = f.evaluate_with_gradient(w, begin, count, grad);
                value_sum += static_cast<double>(value) * static_cast<double>(count);
                eta = schedule_.rate(t++);
                w -= eta * grad;
            }
            epoch_value = static_cast<T>(value_sum / static_cast<double>(n));
            check_not_diverged(epoch_value, epoch, eta);
            result.iterations = epoch;
            if (notify_end_epoch(epoch, epoch_value, w, callbacks...)) {
                result.reason = StopReason::callback;
                break;
            }
            if (stall.update(epoch_value)) {
                result.converged = true;
                result.reason = StopReason::converged_tol;
                break;
            }
        }
        result.objective = epoch_value;
        notify_end(w, result, callbacks...);
        return result;
    }

private:
    Options options_;
    Schedule schedule_;
};

}  // namespace marketlearn::optim
