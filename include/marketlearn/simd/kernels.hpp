#pragma once
/// \file
/// SIMD kernels: one functor template per kernel, over an xsimd architecture tag.
///
/// The same source serves every instruction set: a translation unit compiled with
/// AVX-512 flags instantiates `operator()(xsimd::avx512bw, ...)`, one with no flags
/// instantiates `operator()(xsimd::sse2, ...)`. Kernels take raw pointers and sizes, never
/// Eigen objects, because Eigen's own alignment assumptions change with -m flags.
///
/// `scalar_arch` selects a plain C++ body for targets xsimd does not cover.
///
/// Linear-model kernels see labels as y in {-1, +1} and optional sample weights `sw`
/// (nullptr means weight 1). A row set is either contiguous (`rows == nullptr`: rows
/// 0..n_rows-1 of X) or the index list `rows[0..n_rows)`; y and sw are indexed like X.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "marketlearn/simd/losses.hpp"

namespace marketlearn::simd {

/// Architecture tag for the portable, unvectorized bodies.
struct scalar_arch {
    static constexpr const char* name() noexcept { return "scalar"; }
};

namespace detail {

template <class Arch>
constexpr bool is_scalar_v = std::is_same_v<Arch, scalar_arch>;

/// Number of lanes of a T register on Arch (1 for scalar).
template <class Arch, class T>
constexpr std::size_t lanes() noexcept {
    if constexpr (is_scalar_v<Arch>) {
        return 1;
    } else {
        return xsimd::batch<T, Arch>::size;
    }
}


/// Calls f(std::integral_constant<std::size_t, I>{}) for I = 0 .. N-1, unrolled at compile
/// time whatever the optimization level (GCC's -O2 does not unroll loops whose body
/// indexes an array of registers, and the array then lives in memory).
template <class F, std::size_t... I>
MARKETLEARN_ALWAYS_INLINE void unrolled(F&& f, std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
}
template <std::size_t N, class F>
MARKETLEARN_ALWAYS_INLINE void unrolled(F&& f) {
    unrolled(std::forward<F>(f), std::make_index_sequence<N>{});
}

/// x . y with four independent accumulators, so consecutive FMAs do not wait on each
/// other's latency. With `WithNorm` it also returns x . x in `xx`, from the same loads of
/// x (a second set of accumulators): one-row SGD steps need both, and a second pass over
/// the row would cost as much as the dot itself. With `Update`, y is first moved to
/// y + a * prev, element by element as `axpy` does, and the new y is stored and used:
/// a one-row SGD step then applies the previous step's update in the same pass over the
/// coefficients as its own dot product, and that dot product does not wait on the
/// previous step's stores. The x . y part is the same sum in the same order in every
/// variant, so they agree bit for bit with `axpy` followed by `dot`.
template <bool WithNorm, bool Update, class Arch, class T>
MARKETLEARN_ALWAYS_INLINE T dot_impl(const T* x, std::conditional_t<Update, T*, const T*> y,
                                     std::size_t n, T* xx, T a, const T* prev) noexcept {
    if constexpr (is_scalar_v<Arch>) {
        const auto y_at = [&](std::size_t i) {
            if constexpr (Update) y[i] += a * prev[i];
            return y[i];
        };
        T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        T q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        std::size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += x[i] * y_at(i);
            s1 += x[i + 1] * y_at(i + 1);
            s2 += x[i + 2] * y_at(i + 2);
            s3 += x[i + 3] * y_at(i + 3);
            if constexpr (WithNorm) {
                q0 += x[i] * x[i];
                q1 += x[i + 1] * x[i + 1];
                q2 += x[i + 2] * x[i + 2];
                q3 += x[i + 3] * x[i + 3];
            }
        }
        for (; i < n; ++i) {
            s0 += x[i] * y_at(i);
            if constexpr (WithNorm) q0 += x[i] * x[i];
        }
        if constexpr (WithNorm) *xx = (q0 + q1) + (q2 + q3);
        return (s0 + s1) + (s2 + s3);
    } else {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        const batch va(a);
        const auto y_at = [&](std::size_t i) {
            if constexpr (Update) {
                const batch yi =
                    xsimd::fma(va, batch::load_unaligned(prev + i), batch::load_unaligned(y + i));
                yi.store_unaligned(y + i);
                return yi;
            } else {
                return batch::load_unaligned(y + i);
            }
        };
        batch acc[4], q[4];
        unrolled<4>([&](auto u) { acc[u] = q[u] = batch(T(0)); });
        std::size_t i = 0;
        for (; i + 4 * W <= n; i += 4 * W) {
            unrolled<4>([&](auto u) {
                const batch xi = batch::load_unaligned(x + i + u * W);
                acc[u] = xsimd::fma(xi, y_at(i + u * W), acc[u]);
                if constexpr (WithNorm) q[u] = xsimd::fma(xi, xi, q[u]);
            });
        }
        for (; i + W <= n; i += W) {
            const batch xi = batch::load_unaligned(x + i);
            acc[0] = xsimd::fma(xi, y_at(i), acc[0]);
            if constexpr (WithNorm) q[0] = xsimd::fma(xi, xi, q[0]);
        }
        T tail = 0, tail_q = 0;
        for (; i < n; ++i) {
            if constexpr (Update) y[i] += a * prev[i];
            tail += x[i] * y[i];
            if constexpr (WithNorm) tail_q += x[i] * x[i];
        }
        if constexpr (WithNorm) *xx = xsimd::hadd((q[0] + q[1]) + (q[2] + q[3])) + tail_q;
        return xsimd::hadd((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail;
    }
}

template <class Arch, class T>
T dot(const T* x, const T* y, std::size_t n) noexcept {
    return dot_impl<false, false, Arch, T>(x, y, n, nullptr, T(0), nullptr);
}

/// The one pass of a one-row SGD step over its coefficients v: when `prev` is not null,
/// v += a * prev first (the previous step's update, left pending); then returns x . v
/// and x . x into *xx.
template <class Arch, class T>
T axpy_dot_and_squared_norm(T a, const T* prev, T* v, const T* x, std::size_t n,
                            T* xx) noexcept {
    return prev ? dot_impl<true, true, Arch, T>(x, v, n, xx, a, prev)
                : dot_impl<true, false, Arch, T>(x, v, n, xx, a, nullptr);
}

/// y += a * x.
template <class Arch, class T>
void axpy(T a, const T* x, T* y, std::size_t n) noexcept {
    std::size_t i = 0;
    if constexpr (!is_scalar_v<Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        const batch va(a);
        for (; i + W <= n; i += W) {
            xsimd::fma(va, batch::load_unaligned(x + i), batch::load_unaligned(y + i))
                .store_unaligned(y + i);
        }
    }
    for (; i < n; ++i) y[i] += a * x[i];
}

/// Loss and derivative for one register of decision values (lanes<Arch, T>() of them).
template <loss_kind Kind, class Arch, class T>
void loss_lanes(const T* z, const T* y, const loss_params<T>& p, T* loss, T* dloss) noexcept {
    if constexpr (is_scalar_v<Arch>) {
        pointwise_loss<Kind>::eval(z[0], y[0], p, loss[0], dloss[0]);
    } else {
        using batch = xsimd::batch<T, Arch>;
        batch l, d;
        pointwise_loss<Kind>::eval(batch::load_unaligned(z), batch::load_unaligned(y), p, l, d);
        l.store_unaligned(loss);
        d.store_unaligned(dloss);
    }
}

/// Decision values of one register's worth of rows (W = lanes): z[k] = row[k] . w.
///
/// The W dot products run side by side, one accumulator register per row, so each
/// register of w is loaded once for W rows and the W chains of FMAs hide each other's
/// latency; `haddp` then folds the W accumulators into one register whose lane k is row
/// k's sum, ready for the vector loss, with no trip through memory. Fewer than 8 lanes
/// (avx2 double, sse2) unroll two column registers per step: an FMA unit pair with a
/// 4-cycle latency (Zen 4, recent Intel) needs 8 chains in flight, and with 4 the row
/// dots ran at half the FMA rate (avx2 double, rows in L2: 1.x faster with 8).
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE xsimd::batch<T, Arch> dot_rows(const T* const* row, const T* w,
                                                         std::size_t n_cols) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    constexpr std::size_t U = W >= 8 ? 1 : 2;  // column registers per step
    batch acc[U][W];
    unrolled<U>([&](auto u) { unrolled<W>([&](auto k) { acc[u][k] = batch(T(0)); }); });
    std::size_t j = 0;
    for (; j + U * W <= n_cols; j += U * W) {
        unrolled<U>([&](auto u) {
            const batch wj = batch::load_unaligned(w + j + u * W);
            unrolled<W>([&](auto k) {
                acc[u][k] = xsimd::fma(batch::load_unaligned(row[k] + j + u * W), wj, acc[u][k]);
            });
        });
    }
    if constexpr (U > 1) {
        for (; j + W <= n_cols; j += W) {
            const batch wj = batch::load_unaligned(w + j);
            unrolled<W>([&](auto k) {
                acc[0][k] = xsimd::fma(batch::load_unaligned(row[k] + j), wj, acc[0][k]);
            });
        }
        unrolled<W>([&](auto k) { acc[0][k] += acc[1][k]; });
    }
    alignas(64) T tail[W] = {};
    for (; j < n_cols; ++j) {
        const T wj = w[j];
        for (std::size_t k = 0; k < W; ++k) tail[k] += row[k][j] * wj;
    }
    return xsimd::haddp(acc[0]) + batch::load_aligned(tail);
}

/// grad += sum_k coef[k] row[k] over one register's worth of rows: each register of grad
/// is loaded and stored once for W rows instead of once per row.
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE void axpy_rows(const T* coef, const T* const* row, T* grad,
                                         std::size_t n_cols) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    batch c[W];
    unrolled<W>([&](auto k) { c[k] = batch(coef[k]); });
    std::size_t j = 0;
    for (; j + W <= n_cols; j += W) {
        batch g = batch::load_unaligned(grad + j);
        unrolled<W>([&](auto k) { g = xsimd::fma(c[k], batch::load_unaligned(row[k] + j), g); });
        g.store_unaligned(grad + j);
    }
    for (; j < n_cols; ++j) {
        T g = grad[j];
        for (std::size_t k = 0; k < W; ++k) g += coef[k] * row[k][j];
        grad[j] = g;
    }
}

/// Asks for the cache lines of a row that an index list will visit next: a shuffled
/// mini-batch jumps around X, which the hardware prefetcher cannot guess.
template <class T>
MARKETLEARN_ALWAYS_INLINE void prefetch_row(const T* row, std::size_t n_cols) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    constexpr std::size_t per_line = 64 / sizeof(T);
    // The first lines are what the prefetcher misses; past ~16 it follows the stream.
    const std::size_t n = std::min<std::size_t>(16 * per_line, n_cols);
    for (std::size_t j = 0; j < n; j += per_line) __builtin_prefetch(row + j, 0, 3);
#else
    (void)row;
    (void)n_cols;
#endif
}

/// Asks for the cache line of one value (a scattered row's target or weight).
template <class T>
MARKETLEARN_ALWAYS_INLINE void prefetch_value(const T* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 3);
#else
    (void)p;
#endif
}

/// Asks for a contiguous span of X some groups ahead of the one being processed.
template <class T>
MARKETLEARN_ALWAYS_INLINE void prefetch_span(const T* p, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    constexpr std::size_t per_line = 64 / sizeof(T);
    for (std::size_t j = 0; j < n; j += per_line) __builtin_prefetch(p + j, 0, 0);
#else
    (void)p;
    (void)n;
#endif
}
inline constexpr std::size_t kAhead = 4;
inline constexpr std::size_t kAheadIndexed = 2;

/// Shared body of the linear-model loss kernels: rows are taken in groups of one
/// register's width. The group's decision values come out of `dot_rows` as one register,
/// the loss and its derivative are computed with vector exp/log (one exp per group, not
/// per row), and `axpy_rows` adds the group's gradient while its rows are still in L1:
/// X is streamed from memory once per call.
template <bool WithGradient, loss_kind Kind, class Arch, class T>
T linear_rows(const T* X, std::size_t n_cols, const std::size_t* rows, std::size_t n_rows,
              const T* y, const T* sw, const T* w, T intercept, const loss_params<T>& p,
              T* grad, T* grad_intercept) noexcept {
    if constexpr (is_scalar_v<Arch>) {
        T loss_sum = 0;
        T intercept_sum = 0;
        for (std::size_t i = 0; i < n_rows; ++i) {
            const std::size_t r = rows ? rows[i] : i;
            const T* x = X + r * n_cols;
            const T z = dot<Arch, T>(x, w, n_cols) + intercept;
            const T weight = sw ? sw[r] : T(1);
            T loss, dloss;
            pointwise_loss<Kind>::eval(z, y[r], p, loss, dloss);
            loss_sum += weight * loss;
            if constexpr (WithGradient) {
                axpy<Arch, T>(weight * dloss, x, grad, n_cols);
                intercept_sum += weight * dloss;
            }
        }
        if constexpr (WithGradient) *grad_intercept += intercept_sum;
        return loss_sum;
    } else {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        alignas(64) T yy[W], weight[W], coef[W];
        const T* row_ptr[W];
        batch loss_acc(T(0)), intercept_acc(T(0));
        const batch b(intercept);
        std::size_t start = 0;
        for (; start + W <= n_rows; start += W) {
            for (std::size_t k = 0; k < W; ++k) {
                const std::size_t r = rows ? rows[start + k] : start + k;
                row_ptr[k] = X + r * n_cols;
                yy[k] = y[r];
                weight[k] = sw ? sw[r] : T(1);
            }
            if (rows && start + kAheadIndexed * W < n_rows) {
                // Rows two groups ahead: one group's work is shorter than a trip to DRAM.
                const std::size_t ahead = start + kAheadIndexed * W;
                const std::size_t next = std::min(W, n_rows - ahead);
                for (std::size_t k = 0; k < next; ++k) {
                    const std::size_t r = rows[ahead + k];
                    prefetch_row(X + r * n_cols, n_cols);
                    // The row's target and weight are as scattered as the row (a miss on
                    // y[r] stalled the group as long as the row's own lines).
                    prefetch_value(y + r);
                    if (sw) prefetch_value(sw + r);
                }
            } else if (!rows && start + kAhead * W < n_rows) {
                prefetch_span(X + (start + kAhead * W) * n_cols, W * n_cols);
            }
            const batch z = dot_rows<Arch, T>(row_ptr, w, n_cols) + b;
            batch loss, dloss;
            pointwise_loss<Kind>::eval(z, batch::load_aligned(yy), p, loss, dloss);
            const batch wt = batch::load_aligned(weight);
            loss_acc = xsimd::fma(wt, loss, loss_acc);
            if constexpr (WithGradient) {
                const batch c = wt * dloss;
                c.store_aligned(coef);
                intercept_acc += c;
                axpy_rows<Arch, T>(coef, row_ptr, grad, n_cols);
            }
        }
        // The last n_rows % W rows (all of them for a one-row SGD step) one at a time:
        // padding a register of rows would cost W dot products for one.
        T tail_loss = 0, tail_intercept = 0;
        for (; start < n_rows; ++start) {
            const std::size_t r = rows ? rows[start] : start;
            const T* x = X + r * n_cols;
            const T weight_r = sw ? sw[r] : T(1);
            T loss, dloss;
            pointwise_loss<Kind>::eval(dot<Arch, T>(x, w, n_cols) + intercept, y[r], p, loss,
                                       dloss);
            tail_loss += weight_r * loss;
            if constexpr (WithGradient) {
                axpy<Arch, T>(weight_r * dloss, x, grad, n_cols);
                tail_intercept += weight_r * dloss;
            }
        }
        if constexpr (WithGradient) *grad_intercept += xsimd::hadd(intercept_acc) + tail_intercept;
        return xsimd::hadd(loss_acc) + tail_loss;
    }
}

/// Runs `linear_rows` for a loss chosen at run time: one switch per call, not per row.
template <bool WithGradient, class Arch, class T>
T linear_rows_any(loss_kind kind, const T* X, std::size_t n_cols, const std::size_t* rows,
                  std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept,
                  const loss_params<T>& p, T* grad, T* grad_intercept) noexcept {
#define MARKETLEARN_LOSS_CASE(K)                                                              \
    case loss_kind::K:                                                                      \
        return linear_rows<WithGradient, loss_kind::K, Arch, T>(X, n_cols, rows, n_rows, y, sw, \
                                                                w, intercept, p, grad,       \
                                                                grad_intercept);
    switch (kind) {
        MARKETLEARN_LOSS_CASE(logistic)
        MARKETLEARN_LOSS_CASE(squared_error)
        MARKETLEARN_LOSS_CASE(huber)
        MARKETLEARN_LOSS_CASE(hinge)
        MARKETLEARN_LOSS_CASE(modified_huber)
        MARKETLEARN_LOSS_CASE(poisson)
        MARKETLEARN_LOSS_CASE(gamma)
        MARKETLEARN_LOSS_CASE(tweedie)
    }
#undef MARKETLEARN_LOSS_CASE
    return T(0);
}

/// ||x - y||^2 with four independent accumulators. Differences, not the expansion
/// ||x||^2 - 2 x.y + ||y||^2: no cancellation when x and y are far from the origin and
/// close to each other (unscaled spend data, float32).
template <class Arch, class T>
T squared_distance(const T* x, const T* y, std::size_t n) noexcept {
    if constexpr (is_scalar_v<Arch>) {
        T s0 = 0, s1 = 0;
        std::size_t i = 0;
        for (; i + 2 <= n; i += 2) {
            const T d0 = x[i] - y[i], d1 = x[i + 1] - y[i + 1];
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i < n; ++i) s0 += (x[i] - y[i]) * (x[i] - y[i]);
        return s0 + s1;
    } else {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        batch a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
        std::size_t i = 0;
        for (; i + 4 * W <= n; i += 4 * W) {
            const batch d0 = batch::load_unaligned(x + i) - batch::load_unaligned(y + i);
            const batch d1 = batch::load_unaligned(x + i + W) - batch::load_unaligned(y + i + W);
            const batch d2 =
                batch::load_unaligned(x + i + 2 * W) - batch::load_unaligned(y + i + 2 * W);
            const batch d3 =
                batch::load_unaligned(x + i + 3 * W) - batch::load_unaligned(y + i + 3 * W);
            a0 = xsimd::fma(d0, d0, a0);
            a1 = xsimd::fma(d1, d1, a1);
            a2 = xsimd::fma(d2, d2, a2);
            a3 = xsimd::fma(d3, d3, a3);
        }
        for (; i + W <= n; i += W) {
            const batch d = batch::load_unaligned(x + i) - batch::load_unaligned(y + i);
            a0 = xsimd::fma(d, d, a0);
        }
        T tail = 0;
        for (; i < n; ++i) tail += (x[i] - y[i]) * (x[i] - y[i]);
        return xsimd::hadd((a0 + a1) + (a2 + a3)) + tail;
    }
}

/// One tile of squared distances: R rows of X against C registers' worth of centres,
/// accumulated over all features. The R x C accumulators stay in registers for the whole
/// pass; each centre register loaded is reused by R rows, each broadcast row value by C
/// registers. acc[r * C + c] holds the distances of row r to centres c*W .. c*W + W-1.
template <class Arch, class T, std::size_t R, std::size_t C>
MARKETLEARN_ALWAYS_INLINE void distance_tile(const T* X, std::size_t n_cols, const T* centres_t, std::size_t centre_stride,
                   xsimd::batch<T, Arch> (&acc)[R * C]) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    unrolled<R * C>([&](auto a) { acc[a] = batch(T(0)); });
    for (std::size_t j = 0; j < n_cols; ++j) {
        const T* cj = centres_t + j * centre_stride;
        batch centre[C];
        unrolled<C>([&](auto c) { centre[c] = batch::load_unaligned(cj + c * W); });
        unrolled<R>([&](auto r) {
            const batch xr(X[r * n_cols + j]);
            unrolled<C>([&](auto c) {
                const batch d = xr - centre[c];
                acc[r * C + c] = xsimd::fma(d, d, acc[r * C + c]);
            });
        });
    }
}

/// Registers per tile: a lone row has no other rows to hide FMA latency behind.
template <std::size_t R>
inline constexpr std::size_t tile_registers = R == 1 ? 4 : 2;

/// Distances of R rows to every padded centre, written to out (row stride centre_stride).
template <class Arch, class T, std::size_t R>
void squared_distance_rows(const T* X, std::size_t n_cols, const T* centres_t,
                           std::size_t centre_stride, T* out) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    constexpr std::size_t C = tile_registers<R>;
    std::size_t c0 = 0;
    for (; c0 + C * W <= centre_stride; c0 += C * W) {
        batch acc[R * C];
        distance_tile<Arch, T, R, C>(X, n_cols, centres_t + c0, centre_stride, acc);
        unrolled<R * C>([&](auto a) {
            acc[a].store_unaligned(out + (a / C) * centre_stride + c0 + (a % C) * W);
        });
    }
    for (; c0 < centre_stride; c0 += W) {
        batch acc[R];
        distance_tile<Arch, T, R, 1>(X, n_cols, centres_t + c0, centre_stride, acc);
        unrolled<R>([&](auto r) { acc[r].store_unaligned(out + r * centre_stride + c0); });
    }
}

/// Per row and lane: the smallest distance seen, the centre it belongs to (as T: exact
/// below 2^24 centres) and the second smallest, over the centres of that lane.
template <class Arch, class T>
struct nearest_lanes {
    xsimd::batch<T, Arch> best, index, second;
};

/// Folds one register of distances (centres first .. first+W-1) into a row's running
/// nearest_lanes. Lanes past the last centre (padding) are ignored. Strict < keeps the
/// earlier centre on ties, as scikit-learn's argmin.
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE void fold_nearest(nearest_lanes<Arch, T>& s, xsimd::batch<T, Arch> d, std::size_t first,
                  std::size_t n_centres, const xsimd::batch<T, Arch>& iota) noexcept {
    using batch = xsimd::batch<T, Arch>;
    const batch index = iota + batch(static_cast<T>(first));
    if (first + batch::size > n_centres) {
        d = xsimd::select(index < batch(static_cast<T>(n_centres)), d,
                          batch(std::numeric_limits<T>::infinity()));
    }
    const auto closer = d < s.best;
    s.second = xsimd::select(closer, s.best, xsimd::min(s.second, d));
    s.best = xsimd::select(closer, d, s.best);
    s.index = xsimd::select(closer, index, s.index);
}

/// Lanes to one answer: the smallest distance (smallest centre index on ties) and the
/// second smallest over all centres.
///
/// Branch-free: which lane wins is as unpredictable as the data, and with few centres
/// (k = 8 is two avx2 registers per row) mispredicted branches here cost more than the
/// distances themselves; the selects below compile to conditional moves.
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE void reduce_nearest(const nearest_lanes<Arch, T>& s,
                                              std::int32_t& label, T& best, T* second) noexcept {
    constexpr std::size_t W = xsimd::batch<T, Arch>::size;
    alignas(64) T b[W], idx[W], sec[W];
    s.best.store_aligned(b);
    s.index.store_aligned(idx);
    s.second.store_aligned(sec);
    T best_value = b[0], best_index = idx[0], best_second = sec[0];
    std::size_t pick = 0;
    for (std::size_t l = 1; l < W; ++l) {
        const bool better = (b[l] < best_value) | ((b[l] == best_value) & (idx[l] < best_index));
        best_value = better ? b[l] : best_value;
        best_index = better ? idx[l] : best_index;
        best_second = better ? sec[l] : best_second;
        pick = better ? l : pick;
    }
    label = static_cast<std::int32_t>(best_index);
    best = best_value;
    if (second) {
        T s2 = best_second;
        for (std::size_t l = 0; l < W; ++l) {
            const T other = l != pick ? b[l] : std::numeric_limits<T>::infinity();
            s2 = other < s2 ? other : s2;
        }
        *second = s2;
    }
}

/// The scalar reference's argmin over d[0..n) (the first on ties, as scikit-learn's) and
/// the second smallest value, into `second` (+inf for n = 1).
template <class T>
std::size_t argmin_and_second(const T* d, std::size_t n, T& second) noexcept {
    std::size_t arg = 0;
    second = std::numeric_limits<T>::infinity();
    for (std::size_t c = 1; c < n; ++c) {
        if (d[c] < d[arg]) {
            second = d[arg];
            arg = c;
        } else if (d[c] < second) {
            second = d[c];
        }
    }
    return arg;
}

/// Nearest centre of R rows, without writing the distances anywhere.
template <class Arch, class T, std::size_t R>
void nearest_rows(const T* X, std::size_t n_cols, const T* centres_t, std::size_t centre_stride,
                  std::size_t n_centres, std::int32_t* labels, T* best, T* second) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    constexpr std::size_t C = tile_registers<R>;
    alignas(64) T lane_numbers[W];
    for (std::size_t l = 0; l < W; ++l) lane_numbers[l] = static_cast<T>(l);
    const batch iota = batch::load_aligned(lane_numbers);
    const batch inf(std::numeric_limits<T>::infinity());
    nearest_lanes<Arch, T> state[R];
    for (std::size_t r = 0; r < R; ++r) state[r] = {inf, batch(T(0)), inf};
    // Registers that hold at least one real centre (never past centre_stride, a multiple
    // of W); registers of padding only are skipped.
    const std::size_t used = (n_centres + W - 1) / W * W;
    std::size_t c0 = 0;
    for (; c0 + C * W <= used; c0 += C * W) {
        batch acc[R * C];
        distance_tile<Arch, T, R, C>(X, n_cols, centres_t + c0, centre_stride, acc);
        unrolled<R * C>([&](auto a) {
            fold_nearest<Arch, T>(state[a / C], acc[a], c0 + (a % C) * W, n_centres, iota);
        });
    }
    for (; c0 < used; c0 += W) {
        batch acc[R];
        distance_tile<Arch, T, R, 1>(X, n_cols, centres_t + c0, centre_stride, acc);
        unrolled<R>([&](auto r) { fold_nearest<Arch, T>(state[r], acc[r], c0, n_centres, iota); });
    }
    for (std::size_t r = 0; r < R; ++r) {
        reduce_nearest<Arch, T>(state[r], labels[r], best[r], second ? second + r : nullptr);
    }
}


/// Keeps a register's value in a register: GCC otherwise folds the centre loads of
/// dot_tile into every FMA as memory operands, one load per row x register instead of one
/// per register, and the tile becomes load-bound (16 loads for 12 FMAs at 4 x 3).
template <class Arch, class T>
MARKETLEARN_ALWAYS_INLINE void in_register(xsimd::batch<T, Arch>& v) noexcept {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    auto r = static_cast<typename xsimd::batch<T, Arch>::register_type>(v);
    asm("" : "+x"(r));
    v = r;
#else
    (void)v;
#endif
}

/// One tile of inner products for the expanded distance: R rows of X against C registers'
/// worth of centres, acc[r * C + c] = sum_j X[r, j] * centres_t[j, c*W .. c*W + W-1].
/// One FMA per row x centre x feature (distance_tile does a subtract and an FMA).
template <class Arch, class T, std::size_t R, std::size_t C>
MARKETLEARN_ALWAYS_INLINE void dot_tile(const T* X, std::size_t n_cols, const T* centres_t,
                                        std::size_t centre_stride,
                                        xsimd::batch<T, Arch> (&acc)[R * C]) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    unrolled<R * C>([&](auto a) { acc[a] = batch(T(0)); });
    for (std::size_t j = 0; j < n_cols; ++j) {
        const T* cj = centres_t + j * centre_stride;
        batch centre[C];
        unrolled<C>([&](auto c) {
            centre[c] = batch::load_unaligned(cj + c * W);
            in_register(centre[c]);
        });
        unrolled<R>([&](auto r) {
            const batch xr(X[r * n_cols + j]);
            unrolled<C>([&](auto c) { acc[r * C + c] = xsimd::fma(xr, centre[c], acc[r * C + c]); });
        });
    }
}

/// fold_nearest for partial distances ||c||^2 - 2 x.c whose padding lanes are +inf already
/// (the caller's +inf norms): no mask, and the second smallest only when asked for.
template <bool WithSecond, class Arch, class T>
MARKETLEARN_ALWAYS_INLINE void fold_nearest_unmasked(nearest_lanes<Arch, T>& s,
                                                     xsimd::batch<T, Arch> d,
                                                     xsimd::batch<T, Arch> index) noexcept {
    const auto closer = d < s.best;
    if constexpr (WithSecond) s.second = xsimd::select(closer, s.best, xsimd::min(s.second, d));
    s.best = xsimd::select(closer, d, s.best);
    s.index = xsimd::select(closer, index, s.index);
}

/// Nearest centre of R centred rows by the expansion ||x||^2 - 2 x.c + ||c||^2: the argmin
/// is taken over ||c||^2 - 2 x.c (as scikit-learn's), ||x||^2 is added to the winners only.
template <class Arch, class T, std::size_t R, std::size_t C, bool WithSecond>
void nearest_rows_expanded(const T* X, std::size_t n_cols, const T* centres_t,
                           std::size_t centre_stride, const T* centre_sq_norms,
                           std::size_t n_centres, std::int32_t* labels, T* best,
                           T* second) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    alignas(64) T lane_numbers[W];
    for (std::size_t l = 0; l < W; ++l) lane_numbers[l] = static_cast<T>(l);
    const batch iota = batch::load_aligned(lane_numbers);
    const batch inf(std::numeric_limits<T>::infinity());
    const batch minus_two(T(-2));
    nearest_lanes<Arch, T> state[R];
    for (std::size_t r = 0; r < R; ++r) state[r] = {inf, batch(T(0)), inf};
    const std::size_t used = (n_centres + W - 1) / W * W;
    std::size_t c0 = 0;
    // Tiles of C registers, then of 2 and 1 for what is left (a lone register has only R
    // accumulators, too few to hide FMA latency).
    auto tiles = [&](auto width) {
        constexpr std::size_t CC = decltype(width)::value;
        for (; c0 + CC * W <= used; c0 += CC * W) {
            batch acc[R * CC];
            dot_tile<Arch, T, R, CC>(X, n_cols, centres_t + c0, centre_stride, acc);
            batch norms[CC], index[CC];
            unrolled<CC>([&](auto c) {
                norms[c] = batch::load_unaligned(centre_sq_norms + c0 + c * W);
                index[c] = iota + batch(static_cast<T>(c0 + c * W));
            });
            unrolled<R * CC>([&](auto a) {
                fold_nearest_unmasked<WithSecond, Arch, T>(
                    state[a / CC], xsimd::fma(minus_two, acc[a], norms[a % CC]), index[a % CC]);
            });
        }
    };
    tiles(std::integral_constant<std::size_t, C>{});
    if constexpr (C > 2) tiles(std::integral_constant<std::size_t, 2>{});
    if constexpr (C > 1) tiles(std::integral_constant<std::size_t, 1>{});
    for (std::size_t r = 0; r < R; ++r) {
        T partial_best, partial_second;
        reduce_nearest<Arch, T>(state[r], labels[r], partial_best,
                                WithSecond ? &partial_second : nullptr);
        if (!WithSecond && !best) continue;  // labels only: no ||x||^2
        const T xx = dot<Arch, T>(X + r * n_cols, X + r * n_cols, n_cols);
        best[r] = std::max(T(0), partial_best + xx);
        if constexpr (WithSecond) second[r] = std::max(T(0), partial_second + xx);
    }
}

/// Rows of the expanded nearest-centre kernel, R at a time, then one at a time.
template <class Arch, class T, std::size_t R, std::size_t C, bool WithSecond>
void nearest_expanded_rows(const T* X, std::size_t n_rows, std::size_t n_cols, const T* centres_t,
                           std::size_t centre_stride, const T* centre_sq_norms,
                           std::size_t n_centres, std::int32_t* labels, T* best,
                           T* second) noexcept {
    std::size_t i = 0;
    for (; i + R <= n_rows; i += R) {
        nearest_rows_expanded<Arch, T, R, C, WithSecond>(
            X + i * n_cols, n_cols, centres_t, centre_stride, centre_sq_norms, n_centres,
            labels + i, best ? best + i : nullptr, WithSecond ? second + i : nullptr);
    }
    for (; i < n_rows; ++i) {
        nearest_rows_expanded<Arch, T, 1, 2 * C, WithSecond>(
            X + i * n_cols, n_cols, centres_t, centre_stride, centre_sq_norms, n_centres,
            labels + i, best ? best + i : nullptr, WithSecond ? second + i : nullptr);
    }
}

}  // namespace detail

/// Inner product of two length-n vectors.
struct dot_kernel {
    template <class Arch, class T>
    T operator()(Arch, const T* x, const T* y, std::size_t n) const noexcept {
        return detail::dot<Arch, T>(x, y, n);
    }
};

/// A one-row SGD step's pass over its coefficients v: v += a * prev when prev is not
/// null (the previous step's pending update), then x . v, and x . x into *xx.
struct axpy_dot_and_squared_norm_kernel {
    template <class Arch, class T>
    T operator()(Arch, T a, const T* prev, T* v, const T* x, std::size_t n,
                 T* xx) const noexcept {
        return detail::axpy_dot_and_squared_norm<Arch, T>(a, prev, v, x, n, xx);
    }
};

/// y <- y + a x over n elements.
struct axpy_kernel {
    template <class Arch, class T>
    void operator()(Arch, T a, const T* x, T* y, std::size_t n) const noexcept {
        detail::axpy<Arch, T>(a, x, y, n);
    }
};

/// out[i] = X_i . w + intercept for the n_rows contiguous rows of a row-major X.
///
/// Rows of at least four registers go one after the other, each a dot product with four
/// accumulator registers: X is then one sequential stream that the hardware prefetcher
/// follows by itself. Measured on avx2 (1M x 100 doubles, medians): 45-49 ms on one
/// thread and 25-30 ms on two, against 54-60 and 30-32 ms for a register of rows side
/// by side with software prefetch (the layout the loss kernels need, to share one vector
/// exp per register of rows); a plain sum over X took 39-41 and 26-27 ms. Shorter rows
/// would leave the dot's registers idle, so they keep the side-by-side layout.
struct linear_predict_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* X, std::size_t n_rows, std::size_t n_cols, const T* w,
                    T intercept, T* out) const noexcept {
        std::size_t i = 0;
        if constexpr (!detail::is_scalar_v<Arch>) {
            using batch = xsimd::batch<T, Arch>;
            constexpr std::size_t W = batch::size;
            if (n_cols < 4 * W) {
                const T* row_ptr[W];
                for (; i + W <= n_rows; i += W) {
                    for (std::size_t k = 0; k < W; ++k) row_ptr[k] = X + (i + k) * n_cols;
                    if (i + (detail::kAhead + 1) * W <= n_rows) {
                        detail::prefetch_span(X + (i + detail::kAhead * W) * n_cols, W * n_cols);
                    }
                    (detail::dot_rows<Arch, T>(row_ptr, w, n_cols) + batch(intercept))
                        .store_unaligned(out + i);
                }
            }
        }
        for (; i < n_rows; ++i) {
            out[i] = detail::dot<Arch, T>(X + i * n_cols, w, n_cols) + intercept;
        }
    }
};

/// Binary class probabilities from n decision values, as pairs: out[2i] = s(-z[i]) and
/// out[2i + 1] = s(z[i]) with s(t) = 1 / (1 + e^{-t}), row-major (n, 2) like Python's
/// predict_proba.
///
/// Values match scipy's expit to an ulp or two (the exp's and the division's rounding).
/// Neither column is computed as 1 - the other: with e = e^{-|z|}, the larger
/// probability is 1 / (1 + e) and the smaller e / (1 + e), so a confident row keeps its
/// small probability (1 - s(z) would cancel to 0), and e never overflows. z = +-inf gives
/// exactly 0 and 1; NaN stays NaN. Results below the smallest normal T are flushed to 0
/// (as the exp of expit's 1 / (1 + e^{|z|}) overflows there).
///
/// Returns whether every z[i] is finite: a caller that skipped checking X for NaN and
/// infinity learns here whether it must (a non-finite entry makes its row's z non-finite).
struct logistic_proba_pairs_kernel {
    template <class Arch, class T>
    bool operator()(Arch, const T* z, std::size_t n, T* out) const noexcept {
        if constexpr (detail::is_scalar_v<Arch>) {
            bool finite = true;
            for (std::size_t i = 0; i < n; ++i) {
                finite = finite && std::isfinite(z[i]);
                out[2 * i] = T(1) / (T(1) + std::exp(z[i]));
                out[2 * i + 1] = T(1) / (T(1) + std::exp(-z[i]));
            }
            return finite;
        } else {
            using batch = xsimd::batch<T, Arch>;
            constexpr std::size_t W = batch::size;
            const batch one(T(1));
            // z * 0 is 0 for finite z and NaN for inf or NaN; the sum remembers any NaN.
            batch nonfinite(T(0));
            alignas(64) T zz[W], neg[W], pos[W];
            // The last n % W values go through the same vector formula, padded, so a
            // value's probabilities do not depend on where it falls in the array.
            for (std::size_t i = 0; i < n; i += W) {
                const std::size_t m = std::min(W, n - i);
                batch zi;
                if (m == W) {
                    zi = batch::load_unaligned(z + i);
                } else {
                    for (std::size_t k = 0; k < W; ++k) zz[k] = k < m ? z[i + k] : T(0);
                    zi = batch::load_aligned(zz);
                }
                nonfinite += zi * T(0);
                const batch e = detail::exp_nonpositive(-xsimd::abs(zi));
                const batch d = one + e;
                const batch big = one / d, small = e / d;
                const auto positive = zi >= T(0);
                xsimd::select(positive, small, big).store_aligned(neg);
                xsimd::select(positive, big, small).store_aligned(pos);
                // Interleaved through memory: xsimd 8.1's zip_lo / zip_hi work within
                // 128-bit halves on avx and avx512, so they would not give row order.
                for (std::size_t k = 0; k < m; ++k) {
                    out[2 * (i + k)] = neg[k];
                    out[2 * (i + k) + 1] = pos[k];
                }
            }
            return xsimd::hadd(nonfinite) == T(0);
        }
    }
};

/// Returns sum_i sw_i log(1 + exp(-y_i (X_i . w + intercept))) over a row set.
struct logistic_loss_kernel {
    template <class Arch, class T>
    T operator()(Arch, const T* X, std::size_t n_cols, const std::size_t* rows,
                 std::size_t n_rows, const T* y, const T* sw, const T* w,
                 T intercept) const noexcept {
        return detail::linear_rows<false, loss_kind::logistic, Arch, T>(
            X, n_cols, rows, n_rows, y, sw, w, intercept, loss_params<T>{}, nullptr, nullptr);
    }
};

/// Fused logistic loss and gradient over a row set, reading X once.
///
/// Returns sum_i sw_i loss_i and ADDS sum_i sw_i dloss_i X_i to grad[0..n_cols) and
/// sum_i sw_i dloss_i to *grad_intercept: sums, not means, so blocks (threads, data
/// partitions) can be added up by the caller in any fixed order.
struct logistic_loss_grad_kernel {
    template <class Arch, class T>
    T operator()(Arch, const T* X, std::size_t n_cols, const std::size_t* rows,
                 std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept, T* grad,
                 T* grad_intercept) const noexcept {
        return detail::linear_rows<true, loss_kind::logistic, Arch, T>(
            X, n_cols, rows, n_rows, y, sw, w, intercept, loss_params<T>{}, grad, grad_intercept);
    }
};

/// Sum of sw_i l(X_i . w + intercept, y_i) over a row set, for any loss_kind.
struct linear_loss_kernel {
    template <class Arch, class T>
    T operator()(Arch, loss_kind kind, const loss_params<T>& p, const T* X, std::size_t n_cols,
                 const std::size_t* rows, std::size_t n_rows, const T* y, const T* sw, const T* w,
                 T intercept) const noexcept {
        return detail::linear_rows_any<false, Arch, T>(kind, X, n_cols, rows, n_rows, y, sw, w,
                                                       intercept, p, nullptr, nullptr);
    }
};

/// Fused loss sum and gradient sums for any loss_kind, reading X once; same contract as
/// logistic_loss_grad_kernel (returns the loss sum, ADDS to grad and *grad_intercept).
struct linear_loss_grad_kernel {
    template <class Arch, class T>
    T operator()(Arch, loss_kind kind, const loss_params<T>& p, const T* X, std::size_t n_cols,
                 const std::size_t* rows, std::size_t n_rows, const T* y, const T* sw, const T* w,
                 T intercept, T* grad, T* grad_intercept) const noexcept {
        return detail::linear_rows_any<true, Arch, T>(kind, X, n_cols, rows, n_rows, y, sw, w,
                                                      intercept, p, grad, grad_intercept);
    }
};

/// ||x - y||^2 over n elements (summed differences, no cancellation).
struct squared_distance_kernel {
    template <class Arch, class T>
    T operator()(Arch, const T* x, const T* y, std::size_t n) const noexcept {
        return detail::squared_distance<Arch, T>(x, y, n);
    }
};

/// Squared Euclidean distances of the n_rows contiguous rows of a row-major X to a set of
/// centres, for k-means.
///
/// Centres come TRANSPOSED and padded: `centres_t[j * centre_stride + c]` is feature j of
/// centre c, and `centre_stride` is a multiple of `centre_stride_multiple<T>` (64 bytes),
/// so every arch's registers tile it exactly. Writes
/// `out[i * centre_stride + c] = sum_j (X[i, j] - centres_t[j, c])^2` for every c <
/// centre_stride; the padding columns are distances to whatever the padding holds (zeros,
/// by convention), which callers ignore.
///
/// The distances are sums of squared differences, vectorized across centres: exact where
/// the ||x||^2 - 2 x.c + ||c||^2 expansion loses digits (data far from the origin, float32),
/// and without a separate pass for the norms.
struct squared_distances_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* X, std::size_t n_rows, std::size_t n_cols, const T* centres_t,
                    std::size_t centre_stride, T* out) const noexcept {
        if constexpr (detail::is_scalar_v<Arch>) {
            for (std::size_t i = 0; i < n_rows; ++i) {
                T* row_out = out + i * centre_stride;
                for (std::size_t c = 0; c < centre_stride; ++c) row_out[c] = T(0);
                for (std::size_t j = 0; j < n_cols; ++j) {
                    const T xj = X[i * n_cols + j];
                    const T* cj = centres_t + j * centre_stride;
                    for (std::size_t c = 0; c < centre_stride; ++c) {
                        const T d = xj - cj[c];
                        row_out[c] += d * d;
                    }
                }
            }
        } else {
            constexpr std::size_t R = 4;
            std::size_t i = 0;
            for (; i + R <= n_rows; i += R) {
                detail::squared_distance_rows<Arch, T, R>(X + i * n_cols, n_cols, centres_t,
                                                          centre_stride, out + i * centre_stride);
            }
            for (; i < n_rows; ++i) {
                detail::squared_distance_rows<Arch, T, 1>(X + i * n_cols, n_cols, centres_t,
                                                          centre_stride, out + i * centre_stride);
            }
        }
    }
};

/// lse[i] = ln(e^a[i] + e^b[i]) and w[i] = sigma(b[i] - a[i]) for i < n (see
/// detail::log_sum_exp_weight): the per-customer step of mixture likelihoods such as
/// BG/NBD's, whose exp and log1p dominate a fit once everything else is cached.
struct log_sum_exp_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* a, const T* b, T* lse, T* w, std::size_t n) const noexcept {
        std::size_t i = 0;
        if constexpr (!detail::is_scalar_v<Arch>) {
            using batch = xsimd::batch<T, Arch>;
            for (; i + batch::size <= n; i += batch::size) {
                batch l, weight;
                detail::log_sum_exp_weight(batch::load_unaligned(a + i),
                                           batch::load_unaligned(b + i), l, weight);
                l.store_unaligned(lse + i);
                weight.store_unaligned(w + i);
            }
        }
        for (; i < n; ++i) detail::log_sum_exp_weight(a[i], b[i], lse[i], w[i]);
    }
};

/// Nearest centre of each of the n_rows contiguous rows of a row-major X, for k-means:
/// the distances of squared_distances_kernel (same centre layout), reduced in registers.
///
/// Writes labels[i] (the nearest of the first n_centres centres; the smallest index on
/// ties), best[i] (its squared distance) and, if `second` is not null, second[i] (the
/// second smallest squared distance; +inf when n_centres == 1).
struct nearest_centres_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* X, std::size_t n_rows, std::size_t n_cols, const T* centres_t,
                    std::size_t centre_stride, std::size_t n_centres, std::int32_t* labels,
                    T* best, T* second) const noexcept {
        if constexpr (detail::is_scalar_v<Arch>) {
            std::vector<T> d(centre_stride);
            for (std::size_t i = 0; i < n_rows; ++i) {
                squared_distances_kernel{}(Arch{}, X + i * n_cols, 1, n_cols, centres_t,
                                           centre_stride, d.data());
                T s;
                const std::size_t arg = detail::argmin_and_second(d.data(), n_centres, s);
                labels[i] = static_cast<std::int32_t>(arg);
                best[i] = d[arg];
                if (second) second[i] = s;
            }
        } else {
            constexpr std::size_t R = 4;
            std::size_t i = 0;
            for (; i + R <= n_rows; i += R) {
                detail::nearest_rows<Arch, T, R>(X + i * n_cols, n_cols, centres_t, centre_stride,
                                                 n_centres, labels + i, best + i,
                                                 second ? second + i : nullptr);
            }
            for (; i < n_rows; ++i) {
                detail::nearest_rows<Arch, T, 1>(X + i * n_cols, n_cols, centres_t, centre_stride,
                                                 n_centres, labels + i, best + i,
                                                 second ? second + i : nullptr);
            }
        }
    }
};

/// Nearest centre of each of the n_rows contiguous rows of a row-major X by the expansion
/// ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2: one FMA per row x centre x feature, half the
/// work of nearest_centres_kernel's differences, for k-means with many centres.
///
/// Same centre layout as nearest_centres_kernel, plus `centre_sq_norms[c]` = ||c||^2 for
/// c < centre_stride, +inf on the padding (c >= n_centres) so that padding never wins.
/// Writes labels[i] (the nearest centre by ||c||^2 - 2 x.c, the smallest index on ties),
/// best[i] = max(0, ||x||^2 - 2 x.c + ||c||^2) and, if `second` is not null, second[i]
/// (likewise for the second smallest; +inf when n_centres == 1). `best` may be null when
/// `second` is: labels only, without the pass over each row for ||x||^2 (Lloyd's E-step
/// needs nothing else).
///
/// The expansion cancels: its absolute error is about eps (||x||^2 + ||c||^2), not eps
/// ||x - c||^2. Callers centre X and the centres on a common point (the data mean) first,
/// so that this stays small next to the distances that decide labels; distances that must
/// be exact (bounds, reported inertia) come from nearest_centres_kernel or
/// squared_distance_kernel.
struct nearest_centres_expanded_kernel {
    /// Tile shape: 4 rows x 2 registers of centres (8 accumulators, 2 centre registers,
    /// 1 broadcast). Measured on avx2 (Zen, one thread, 100,000 x 20 doubles, blocks of 64
    /// rows): 4 x 2 is 1.9x the exact kernel at k = 8 and 1.6x at k = 64, while 4 x 3,
    /// 3 x 4, 2 x 6, 6 x 2, 5 x 2 and 8 x 1 are 0.8-1.3x (remainder registers that fall
    /// out of 3-wide tiles, and more per-tile folding). avx512 has not been measured and
    /// uses the same shape.
    static constexpr std::size_t tile_rows = 4;
    static constexpr std::size_t tile_registers = 2;

    template <class Arch, class T>
    void operator()(Arch, const T* X, std::size_t n_rows, std::size_t n_cols, const T* centres_t,
                    std::size_t centre_stride, const T* centre_sq_norms, std::size_t n_centres,
                    std::int32_t* labels, T* best, T* second) const noexcept {
        if constexpr (detail::is_scalar_v<Arch>) {
            std::vector<T> partial(n_centres);
            for (std::size_t i = 0; i < n_rows; ++i) {
                const T* x = X + i * n_cols;
                T xx = 0;
                for (std::size_t j = 0; j < n_cols; ++j) xx += x[j] * x[j];
                for (std::size_t c = 0; c < n_centres; ++c) {
                    T s = 0;
                    for (std::size_t j = 0; j < n_cols; ++j) s += x[j] * centres_t[j * centre_stride + c];
                    partial[c] = centre_sq_norms[c] - T(2) * s;
                }
                T s2;
                const std::size_t arg = detail::argmin_and_second(partial.data(), n_centres, s2);
                labels[i] = static_cast<std::int32_t>(arg);
                if (best) best[i] = std::max(T(0), partial[arg] + xx);
                if (second) second[i] = std::max(T(0), s2 + xx);
            }
        } else {
            constexpr std::size_t R = tile_rows, C = tile_registers;
            if (second) {
                // best is required with second
                detail::nearest_expanded_rows<Arch, T, R, C, true>(
                    X, n_rows, n_cols, centres_t, centre_stride, centre_sq_norms, n_centres,
                    labels, best, second);
            } else {
                detail::nearest_expanded_rows<Arch, T, R, C, false>(
                    X, n_rows, n_cols, centres_t, centre_stride, centre_sq_norms, n_centres,
                    labels, best, nullptr);
            }
        }
    }
};

/// out = X - mu, row by row, for the n_rows contiguous rows of a row-major X: rows centred
/// on a common point before the expanded distance kernel (models/kmeans_sums.hpp).
///
/// A plain loop on purpose: it lives in the table so that each level's unit compiles it
/// with that level's registers (the Python module's own code is built for baseline
/// x86-64, where this loop ran two doubles at a time and took a fifth of a k = 8 Lloyd
/// fit).
struct centre_rows_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* __restrict X, std::size_t n_rows, std::size_t n_cols,
                    const T* __restrict mu, T* __restrict out) const noexcept {
        for (std::size_t i = 0; i < n_rows; ++i) {
            const T* __restrict x = X + i * n_cols;
            T* __restrict o = out + i * n_cols;
            for (std::size_t j = 0; j < n_cols; ++j) o[j] = x[j] - mu[j];
        }
    }
};

/// The M-step sums of k-means: for each of the n_rows contiguous rows of X in order, with
/// c = labels[i] and w = sw[i] (1 when sw is null), sums[c * n_cols + j] += w * X[i, j]
/// in double precision and weights[c] += w. Weight-1 rows are added without a multiply,
/// so unweighted sums are the same additions in the same order on every level (bit for
/// bit); a weighted row's w * x + s may be one fused multiply-add where the level has it.
///
/// A plain loop for the reason centre_rows_kernel gives; float rows are widened to double
/// as they are added.
struct add_rows_by_label_kernel {
    template <class Arch, class T>
    void operator()(Arch, const T* __restrict X, std::size_t n_rows, std::size_t n_cols,
                    const std::int32_t* __restrict labels, const T* __restrict sw,
                    double* __restrict sums, double* __restrict weights) const noexcept {
        for (std::size_t i = 0; i < n_rows; ++i) {
            const T* __restrict x = X + i * n_cols;
            const auto c = static_cast<std::size_t>(labels[i]);
            double* __restrict s = sums + c * n_cols;
            const double w = sw ? static_cast<double>(sw[i]) : 1.0;
            if (w == 1.0) {
                for (std::size_t j = 0; j < n_cols; ++j) s[j] += static_cast<double>(x[j]);
            } else {
                for (std::size_t j = 0; j < n_cols; ++j) s[j] += w * static_cast<double>(x[j]);
            }
            weights[c] += w;
        }
    }
};

/// The padding unit of `squared_distances_kernel`'s centre stride: 64 bytes of T, the
/// widest register of any supported arch.
template <class T>
inline constexpr std::size_t centre_stride_multiple = 64 / sizeof(T);

/// The smallest valid centre stride for k centres.
template <class T>
constexpr std::size_t centre_stride_for(std::size_t k) noexcept {
    constexpr std::size_t m = centre_stride_multiple<T>;
    return ((k + m - 1) / m) * m;
}

}  // namespace marketlearn::simd
