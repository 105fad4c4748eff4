#pragma once
/// \file
/// Full-batch gradient descent:  w_{t+1} = w_t - eta_t grad F(w_t)  (then prox for L1).
///
/// The first-order loop of sgd.hpp with every row in each step: deterministic, each step
/// one fused pass over X, the exact objective every iteration. Momentum / Nesterov turn
/// it into heavy-ball / accelerated gradient through the Update policy.

#include <cstddef>

#include "marketlearn/optim/sgd.hpp"

namespace marketlearn::optim {

template <class T, class Schedule = ConstantSchedule<T>, class Update = VanillaUpdate<T>>
class GradientDescent {
public:
    struct Options {
        std::size_t max_iter = 1000;
        T tol = T(1e-4);                  ///< objective-improvement rule; <= 0 disables
        std::size_t n_iter_no_change = 5;
        T gradient_tol = T(0);            ///< stop when max |grad_j| <= gradient_tol; 0 disables
        T clip_norm = T(0);
        T clip_value = T(0);
    };

    explicit GradientDescent(Options options, Schedule schedule = Schedule{}, Update update = Update{})
        : loop_(to_loop(options), std::move(schedule), std::move(update)) {}

    template <class Objective, class V, class... Callbacks>
    Result<T> optimize(Objective& f, V& w, Callbacks&&... callbacks) const {
        return loop_.optimize(f, w, std::forward<Callbacks>(callbacks)...);
    }

private:
    using Loop = SGD<T, Schedule, Update>;
    static typename Loop::Options to_loop(const Options& o) {
        typename Loop::Options l;
        l.max_iter = o.max_iter;
        l.tol = o.tol;
        l.n_iter_no_change = o.n_iter_no_change;
        l.batch_size = 0;  // all rows
        l.shuffle = false;
        l.gradient_tol = o.gradient_tol;
        l.clip_norm = o.clip_norm;
        l.clip_value = o.clip_value;
        return l;
    }
    Loop loop_;
};

}  // namespace marketlearn::optim
