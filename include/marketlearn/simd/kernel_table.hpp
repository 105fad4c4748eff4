#pragma once
/// \file
/// A kernel table: every kernel of one architecture and element type, as plain function
/// pointers.
///
/// Higher layers call kernels only through a table, so the same model code runs on the
/// table of the compile-time arch (header-only use) or on the one chosen at run time from
/// the CPU (the Python module). An indirect call per block of rows costs nothing next to
/// the block's work.

#include <cstddef>
#include <cstdint>

#include "marketlearn/simd/kernels.hpp"
#include "marketlearn/simd/sparse_kernels.hpp"
#include "marketlearn/simd/level.hpp"

namespace marketlearn::simd {

/// The CSR kernels of one element type T and index type I (sparse_kernels.hpp).
template <class T, class I>
struct csr_kernel_table {
    T (*linear_loss)(loss_kind kind, const loss_params<T>& p, const T* data, const I* indices,
                     const I* indptr, const std::size_t* rows, std::size_t first,
                     std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept);
    T (*linear_loss_grad)(loss_kind kind, const loss_params<T>& p, const T* data,
                          const I* indices, const I* indptr, const std::size_t* rows,
                          std::size_t first, std::size_t n_rows, const T* y, const T* sw,
                          const T* w, T intercept, T* grad, T* grad_intercept);
    void (*linear_predict)(const T* data, const I* indices, const I* indptr, std::size_t first,
                           std::size_t n_rows, const T* w, T intercept, T* out);
};

template <class T>
struct kernel_table {
    using value_type = T;

    level simd_level;
    T (*dot)(const T* x, const T* y, std::size_t n);
    /// v += a * prev unless prev is null, then x . v, and x . x into *xx, in one pass: the
    /// same bits as axpy followed by dot (a one-row SGD step applies the previous step's
    /// update in the pass that computes its own x . v).
    T (*axpy_dot_and_squared_norm)(T a, const T* prev, T* v, const T* x, std::size_t n, T* xx);
    void (*axpy)(T a, const T* x, T* y, std::size_t n);
    void (*linear_predict)(const T* X, std::size_t n_rows, std::size_t n_cols, const T* w,
                           T intercept, T* out);
    T (*logistic_loss)(const T* X, std::size_t n_cols, const std::size_t* rows,
                       std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept);
    T (*logistic_loss_grad)(const T* X, std::size_t n_cols, const std::size_t* rows,
                            std::size_t n_rows, const T* y, const T* sw, const T* w,
                            T intercept, T* grad, T* grad_intercept);
    /// Any loss_kind (losses.hpp): loss sum over a row set.
    T (*linear_loss)(loss_kind kind, const loss_params<T>& p, const T* X, std::size_t n_cols,
                     const std::size_t* rows, std::size_t n_rows, const T* y, const T* sw,
                     const T* w, T intercept);
    /// Any loss_kind: loss sum, and gradient sums ADDED to grad / *grad_intercept.
    T (*linear_loss_grad)(loss_kind kind, const loss_params<T>& p, const T* X,
                          std::size_t n_cols, const std::size_t* rows, std::size_t n_rows,
                          const T* y, const T* sw, const T* w, T intercept, T* grad,
                          T* grad_intercept);
    /// ||x - y||^2 of two length-n vectors.
    T (*squared_distance)(const T* x, const T* y, std::size_t n);
    /// k-means distances of n_rows rows to transposed, padded centres (kernels.hpp,
    /// squared_distances_kernel): out[i * centre_stride + c].
    void (*squared_distances)(const T* X, std::size_t n_rows, std::size_t n_cols,
                              const T* centres_t, std::size_t centre_stride, T* out);
    /// Nearest of n_centres transposed centres per row: labels, squared distance, and the
    /// second smallest squared distance if `second` is not null.
    void (*nearest_centres)(const T* X, std::size_t n_rows, std::size_t n_cols,
                            const T* centres_t, std::size_t centre_stride, std::size_t n_centres,
                            std::int32_t* labels, T* best, T* second);
    /// nearest_centres by the expansion ||x||^2 - 2 x.c + ||c||^2 (kernels.hpp,
    /// nearest_centres_expanded_kernel): half the work, for rows and centres already
    /// centred on a common point; centre_sq_norms is +inf on the padding.
    void (*nearest_centres_expanded)(const T* X, std::size_t n_rows, std::size_t n_cols,
                                     const T* centres_t, std::size_t centre_stride,
                                     const T* centre_sq_norms, std::size_t n_centres,
                                     std::int32_t* labels, T* best, T* second);
    /// out = X - mu row by row (kernels.hpp, centre_rows_kernel).
    void (*centre_rows)(const T* X, std::size_t n_rows, std::size_t n_cols, const T* mu,
                        T* out);
    /// k-means M-step sums: row i (weight sw[i], or 1) ADDED to sums[labels[i]] in double,
    /// and its weight to weights[labels[i]] (kernels.hpp, add_rows_by_label_kernel).
    void (*add_rows_by_label)(const T* X, std::size_t n_rows, std::size_t n_cols,
                              const std::int32_t* labels, const T* sw, double* sums,
                              double* weights);
    /// Sparse rows with int32 and int64 indices (scipy picks either).
    csr_kernel_table<T, std::int32_t> csr32;
    csr_kernel_table<T, std::int64_t> csr64;
    /// lse[i] = ln(e^a[i] + e^b[i]), w[i] = sigma(b[i] - a[i]) (kernels.hpp).
    void (*log_sum_exp)(const T* a, const T* b, T* lse, T* w, std::size_t n);
    /// Binary probabilities of n decision values as (n, 2) row pairs (kernels.hpp,
    /// logistic_proba_pairs_kernel); returns whether every value is finite.
    bool (*logistic_proba_pairs)(const T* z, std::size_t n, T* out);

    template <class I>
    const csr_kernel_table<T, I>& csr() const noexcept {
        static_assert(std::is_same_v<I, std::int32_t> || std::is_same_v<I, std::int64_t>,
                      "CSR index arrays must be int32 or int64");
        if constexpr (std::is_same_v<I, std::int32_t>) {
            return csr32;
        } else {
            return csr64;
        }
    }
};

/// The level an xsimd architecture tag implements (x86 tags derive from one another:
/// avx512bw from avx512f, fma3<avx2> from avx2). Non-x86 tags report `scalar`.
template <class Arch>
constexpr level level_of() noexcept {
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
        return level::avx512;
    } else if constexpr (std::is_base_of_v<xsimd::avx2, Arch>) {
        return level::avx2;
    } else if constexpr (std::is_base_of_v<xsimd::sse2, Arch> ||
                         std::is_base_of_v<xsimd::avx, Arch>) {
        return level::sse2;
    } else {
        return level::scalar;
    }
}

namespace detail {

template <class Arch, class T, class I>
struct csr_entries {
    static T linear_loss(loss_kind kind, const loss_params<T>& p, const T* data, const I* indices,
                         const I* indptr, const std::size_t* rows, std::size_t first,
                         std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept) {
        return csr_linear_loss_kernel{}(Arch{}, kind, p, data, indices, indptr, rows, first, n_rows,
                                        y, sw, w, intercept);
    }
    static T linear_loss_grad(loss_kind kind, const loss_params<T>& p, const T* data,
                              const I* indices, const I* indptr, const std::size_t* rows,
                              std::size_t first, std::size_t n_rows, const T* y, const T* sw,
                              const T* w, T intercept, T* grad, T* grad_intercept) {
        return csr_linear_loss_grad_kernel{}(Arch{}, kind, p, data, indices, indptr, rows, first,
                                             n_rows, y, sw, w, intercept, grad, grad_intercept);
    }
    static void linear_predict(const T* data, const I* indices, const I* indptr,
                               std::size_t first, std::size_t n_rows, const T* w, T intercept,
                               T* out) {
        csr_linear_predict_kernel{}(Arch{}, data, indices, indptr, first, n_rows, w, intercept, out);
    }
};

template <class Arch, class T, class I>
csr_kernel_table<T, I> make_csr_table() noexcept {
    using e = csr_entries<Arch, T, I>;
    return csr_kernel_table<T, I>{&e::linear_loss, &e::linear_loss_grad, &e::linear_predict};
}

/// Plain functions wrapping the kernel functors, so their addresses fit the table.
template <class Arch, class T>
struct table_entries {
    static T dot(const T* x, const T* y, std::size_t n) { return dot_kernel{}(Arch{}, x, y, n); }
    static T axpy_dot_and_squared_norm(T a, const T* prev, T* v, const T* x, std::size_t n,
                                       T* xx) {
        return axpy_dot_and_squared_norm_kernel{}(Arch{}, a, prev, v, x, n, xx);
    }
    static void axpy(T a, const T* x, T* y, std::size_t n) { axpy_kernel{}(Arch{}, a, x, y, n); }
    static void linear_predict(const T* X, std::size_t n_rows, std::size_t n_cols, const T* w,
                               T intercept, T* out) {
        linear_predict_kernel{}(Arch{}, X, n_rows, n_cols, w, intercept, out);
    }
    static T logistic_loss(const T* X, std::size_t n_cols, const std::size_t* rows,
                           std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept) {
        return logistic_loss_kernel{}(Arch{}, X, n_cols, rows, n_rows, y, sw, w, intercept);
    }
    static T logistic_loss_grad(const T* X, std::size_t n_cols, const std::size_t* rows,
                                std::size_t n_rows, const T* y, const T* sw, const T* w,
                                T intercept, T* grad, T* grad_intercept) {
        return logistic_loss_grad_kernel{}(Arch{}, X, n_cols, rows, n_rows, y, sw, w, intercept,
                                           grad, grad_intercept);
    }
    static T linear_loss(loss_kind kind, const loss_params<T>& p, const T* X, std::size_t n_cols,
                         const std::size_t* rows, std::size_t n_rows, const T* y, const T* sw,
                         const T* w, T intercept) {
        return linear_loss_kernel{}(Arch{}, kind, p, X, n_cols, rows, n_rows, y, sw, w,
                                    intercept);
    }
    static T linear_loss_grad(loss_kind kind, const loss_params<T>& p, const T* X,
                              std::size_t n_cols, const std::size_t* rows, std::size_t n_rows,
                              const T* y, const T* sw, const T* w, T intercept, T* grad,
                              T* grad_intercept) {
        return linear_loss_grad_kernel{}(Arch{}, kind, p, X, n_cols, rows, n_rows, y, sw, w,
                                         intercept, grad, grad_intercept);
    }
    static T squared_distance(const T* x, const T* y, std::size_t n) {
        return squared_distance_kernel{}(Arch{}, x, y, n);
    }
    static void squared_distances(const T* X, std::size_t n_rows, std::size_t n_cols,
                                  const T* centres_t, std::size_t centre_stride, T* out) {
        squared_distances_kernel{}(Arch{}, X, n_rows, n_cols, centres_t, centre_stride, out);
    }
    static void nearest_centres(const T* X, std::size_t n_rows, std::size_t n_cols,
                                const T* centres_t, std::size_t centre_stride,
                                std::size_t n_centres, std::int32_t* labels, T* best, T* second) {
        nearest_centres_kernel{}(Arch{}, X, n_rows, n_cols, centres_t, centre_stride, n_centres,
                                 labels, best, second);
    }
    static void nearest_centres_expanded(const T* X, std::size_t n_rows, std::size_t n_cols,
                                         const T* centres_t, std::size_t centre_stride,
                                         const T* centre_sq_norms, std::size_t n_centres,
                                         std::int32_t* labels, T* best, T* second) {
        nearest_centres_expanded_kernel{}(Arch{}, X, n_rows, n_cols, centres_t, centre_stride,
                                          centre_sq_norms, n_centres, labels, best, second);
    }
    static void centre_rows(const T* X, std::size_t n_rows, std::size_t n_cols, const T* mu,
                            T* out) {
        centre_rows_kernel{}(Arch{}, X, n_rows, n_cols, mu, out);
    }
    static void add_rows_by_label(const T* X, std::size_t n_rows, std::size_t n_cols,
                                  const std::int32_t* labels, const T* sw, double* sums,
                                  double* weights) {
        add_rows_by_label_kernel{}(Arch{}, X, n_rows, n_cols, labels, sw, sums, weights);
    }
    static void log_sum_exp(const T* a, const T* b, T* lse, T* w, std::size_t n) {
        log_sum_exp_kernel{}(Arch{}, a, b, lse, w, n);
    }
    static bool logistic_proba_pairs(const T* z, std::size_t n, T* out) {
        return logistic_proba_pairs_kernel{}(Arch{}, z, n, out);
    }
};

}  // namespace detail

/// Builds the table of one architecture. Instantiate it only in a translation unit
/// compiled with that architecture's flags.
template <class Arch, class T>
kernel_table<T> make_kernel_table() noexcept {
    using entries = detail::table_entries<Arch, T>;
    return kernel_table<T>{level_of<Arch>(),           &entries::dot,
                           &entries::axpy_dot_and_squared_norm,
                           &entries::axpy,             &entries::linear_predict,
                           &entries::logistic_loss,    &entries::logistic_loss_grad,
                           &entries::linear_loss,      &entries::linear_loss_grad,
                           &entries::squared_distance, &entries::squared_distances,
                           &entries::nearest_centres,
                           &entries::nearest_centres_expanded,
                           &entries::centre_rows,
                           &entries::add_rows_by_label,
                           detail::make_csr_table<Arch, T, std::int32_t>(),
                           detail::make_csr_table<Arch, T, std::int64_t>(),
                           &entries::log_sum_exp,
                           &entries::logistic_proba_pairs};
}

}  // namespace marketlearn::simd
