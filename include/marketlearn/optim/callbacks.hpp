#pragma once
/// \file
/// Callbacks: plain objects passed to optimize(f, w, callbacks...).
///
/// Every hook is optional; an optimizer calls only those a callback has:
///   void begin_optimization(const Vector& w);
///   bool end_epoch(std::size_t epoch, T objective, const Vector& w);  // true stops the run
///   void end_optimization(const Vector& w, const Result<T>& result);
/// An "epoch" is one pass over the data for stochastic methods and one iteration for
/// full-batch methods.

#include <chrono>
#include <cstddef>
#include <limits>
#include <ostream>
#include <type_traits>
#include <utility>
#include <vector>

#include "marketlearn/optim/result.hpp"

namespace marketlearn::optim {

namespace detail {

template <class C, class V, class = void>
struct has_begin : std::false_type {};
template <class C, class V>
struct has_begin<C, V,
                 std::void_t<decltype(std::declval<C&>().begin_optimization(std::declval<const V&>()))>>
    : std::true_type {};

template <class C, class T, class V, class = void>
struct has_end_epoch : std::false_type {};
template <class C, class T, class V>
struct has_end_epoch<C, T, V,
                     std::void_t<decltype(std::declval<C&>().end_epoch(
                         std::size_t{}, std::declval<T>(), std::declval<const V&>()))>>
    : std::true_type {};

template <class C, class T, class V, class = void>
struct has_end : std::false_type {};
template <class C, class T, class V>
struct has_end<C, T, V,
               std::void_t<decltype(std::declval<C&>().end_optimization(
                   std::declval<const V&>(), std::declval<const Result<T>&>()))>>
    : std::true_type {};

}  // namespace detail

template <class V, class... Callbacks>
void notify_begin(const V& w, Callbacks&... callbacks) {
    [[maybe_unused]] auto one = [&](auto& c) {
        if constexpr (detail::has_begin<std::decay_t<decltype(c)>, V>::value) c.begin_optimization(w);
    };
    (one(callbacks), ...);
}

/// Calls every callback's end_epoch (all of them, even after one asked to stop, so
/// histories stay complete); returns true when any asked to stop.
template <class T, class V, class... Callbacks>
bool notify_end_epoch(std::size_t epoch, T objective, const V& w, Callbacks&... callbacks) {
    bool stop = false;
    [[maybe_unused]] auto one = [&](auto& c) {
        if constexpr (detail::has_end_epoch<std::decay_t<decltype(c)>, T, V>::value) {
            stop = static_cast<bool>(c.end_epoch(epoch, objective, w)) || stop;
        }
    };
    (one(callbacks), ...);
    return stop;
}

template <class T, class V, class... Callbacks>
void notify_end(const V& w, const Result<T>& result, Callbacks&... callbacks) {
    [[maybe_unused]] auto one = [&](auto& c) {
        if constexpr (detail::has_end<std::decay_t<decltype(c)>, T, V>::value) {
            c.end_optimization(w, result);
        }
    };
    (one(callbacks), ...);
}

/// Records the objective after every epoch (scikit-learn's loss_curve_).
template <class T>
struct LossHistory {
    std::vector<T> values;

    template <class V>
    bool end_epoch(std::size_t /*epoch*/, T objective, const V& /*w*/) {
        values.push_back(objective);
        return false;
    }
};

/// Stops the run once `seconds` of wall time have passed since it began.
struct TimeLimit {
    double seconds = 60;

    template <class V>
    void begin_optimization(const V& /*w*/) {
        start_ = std::chrono::steady_clock::now();
    }
    template <class T, class V>
    bool end_epoch(std::size_t /*epoch*/, T /*objective*/, const V& /*w*/) {
        const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start_;
        return spent.count() >= seconds;
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// Prints "epoch k: objective v" every `every` epochs to a stream.
struct Progress {
    std::ostream* out = nullptr;
    std::size_t every = 1;

    template <class T, class V>
    bool end_epoch(std::size_t epoch, T objective, const V& /*w*/) {
        if (out != nullptr && every > 0 && epoch % every == 0) {
            *out << "epoch " << epoch << ": objective " << objective << '\n';
        }
        return false;
    }
};

/// Wraps any callable `bool(std::size_t epoch, T objective, const V& w)` (true stops):
/// the quickest way for a C++ user to watch or steer a run.
template <class Fn>
struct FunctionCallback {
    Fn fn;

    template <class T, class V>
    bool end_epoch(std::size_t epoch, T objective, const V& w) {
        return static_cast<bool>(fn(epoch, objective, w));
    }
};
template <class Fn>
FunctionCallback<Fn> make_callback(Fn fn) {
    return FunctionCallback<Fn>{std::move(fn)};
}

/// Early stopping on held-out data, as scikit-learn's SGD: after every epoch `score(w)`
/// (higher is better: accuracy, R^2) is recorded; the run stops once the score has not
/// exceeded best + tol for `patience` epochs.
template <class T, class Score>
struct ValidationEarlyStopping {
    Score score;
    T tol = T(1e-3);
    std::size_t patience = 5;
    std::vector<T> scores;

    ValidationEarlyStopping(Score score_fn, T tol_, std::size_t patience_)
        : score(std::move(score_fn)), tol(tol_), patience(patience_) {}

    template <class V>
    bool end_epoch(std::size_t /*epoch*/, T /*objective*/, const V& w) {
        const T s = static_cast<T>(score(w));
        scores.push_back(s);
        if (s > best_ + (tol > T(0) ? tol : T(0))) {
            stalled_ = 0;
        } else {
            ++stalled_;
        }
        if (s > best_) best_ = s;
        return tol > T(0) && stalled_ >= patience;
    }

private:
    T best_ = -std::numeric_limits<T>::infinity();
    std::size_t stalled_ = 0;
};

}  // namespace marketlearn::optim
