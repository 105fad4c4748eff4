#pragma once
/// \file
/// What an optimizer needs from a cost function, checked at compile time with readable
/// messages (C++17 detection idiom; no base class to inherit from).
///
/// A differentiable objective f(w) provides
///   T evaluate(const Vector& w) const;
///   T evaluate_with_gradient(const Vector& w, Vector& grad) const;
/// A separable one (a sum over rows, for stochastic methods) also provides
///   std::size_t num_functions() const;
///   T evaluate_with_gradient(const Vector& w, std::size_t begin, std::size_t batch_size,
///                            Vector& grad) const;
///   void shuffle(std::mt19937_64& rng);

#include <cstddef>
#include <random>
#include <type_traits>
#include <utility>

namespace marketlearn::objective {

namespace detail {

template <class F, class V, class = void>
struct has_evaluate : std::false_type {};
template <class F, class V>
struct has_evaluate<F, V,
                    std::void_t<decltype(std::declval<const F&>().evaluate(std::declval<const V&>()))>>
    : std::true_type {};

template <class F, class V, class = void>
struct has_evaluate_with_gradient : std::false_type {};
template <class F, class V>
struct has_evaluate_with_gradient<
    F, V,
    std::void_t<decltype(std::declval<const F&>().evaluate_with_gradient(
        std::declval<const V&>(), std::declval<V&>()))>> : std::true_type {};

template <class F, class = void>
struct has_num_functions : std::false_type {};
template <class F>
struct has_num_functions<F, std::void_t<decltype(std::declval<const F&>().num_functions())>>
    : std::true_type {};

template <class F, class V, class = void>
struct has_batch_gradient : std::false_type {};
template <class F, class V>
struct has_batch_gradient<
    F, V,
    std::void_t<decltype(std::declval<const F&>().evaluate_with_gradient(
        std::declval<const V&>(), std::size_t{}, std::size_t{}, std::declval<V&>()))>>
    : std::true_type {};

template <class F, class = void>
struct has_shuffle : std::false_type {};
template <class F>
struct has_shuffle<F, std::void_t<decltype(std::declval<F&>().shuffle(
                          std::declval<std::mt19937_64&>()))>> : std::true_type {};

}  // namespace detail

/// Fails compilation with a sentence, not a page of template errors, when F cannot be
/// minimized by a full-batch method (gradient descent, L-BFGS).
template <class F, class Vector>
constexpr void check_differentiable() {
    static_assert(detail::has_evaluate<F, Vector>::value,
                  "marketlearn: the objective needs `T evaluate(const Vector& w) const`");
    static_assert(detail::has_evaluate_with_gradient<F, Vector>::value,
                  "marketlearn: the objective needs "
                  "`T evaluate_with_gradient(const Vector& w, Vector& grad) const`");
}

/// Same for stochastic methods, which visit the objective's terms in mini-batches.
template <class F, class Vector>
constexpr void check_separable() {
    check_differentiable<F, Vector>();
    static_assert(detail::has_num_functions<F>::value,
                  "marketlearn: a separable objective needs "
                  "`std::size_t num_functions() const` (the number of terms, e.g. rows)");
    static_assert(detail::has_batch_gradient<F, Vector>::value,
                  "marketlearn: a separable objective needs `T evaluate_with_gradient(const "
                  "Vector& w, std::size_t begin, std::size_t batch_size, Vector& grad) const`");
    static_assert(detail::has_shuffle<F>::value,
                  "marketlearn: a separable objective needs `void shuffle(std::mt19937_64& rng)` "
                  "(it may do nothing if the terms need no shuffling)");
}

}  // namespace marketlearn::objective
