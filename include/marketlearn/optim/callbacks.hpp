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

#include <cstddef>
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
    auto one = [&](auto& c) {
        if constexpr (detail::has_begin<std::decay_t<decltype(c)>, V>::value) c.begin_optimization(w);
    };
    (one(callbacks), ...);
}

/// Calls every callback's end_epoch (all of them, even after one asked to stop, so
/// histories stay complete); returns true when any asked to stop.
template <class T, class V, class... Callbacks>
bool notify_end_epoch(std::size_t epoch, T objective, const V& w, Callbacks&... callbacks) {
    bool stop = false;
    auto one = [&](auto& c) {
        if constexpr (detail::has_end_epoch<std::decay_t<decltype(c)>, T, V>::value) {
            stop = static_cast<bool>(c.end_epoch(epoch, objective, w)) || stop;
        }
    };
    (one(callbacks), ...);
    return stop;
}

template <class T, class V, class... Callbacks>
void notify_end(const V& w, const Result<T>& result, Callbacks&... callbacks) {
    auto one = [&](auto& c) {
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

}  // namespace marketlearn::optim
