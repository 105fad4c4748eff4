#pragma once
/// \file
/// Linear-model kernels over CSR (compressed sparse row) data: one-hot encoded leads,
/// bag-of-categories features. X is never densified: a row is its non-zeros
/// data[indptr[r] .. indptr[r+1]) at columns indices[...] (scipy.sparse.csr_matrix's layout,
/// int32 or int64 indices).
///
/// Dot products of sparse rows gather w at scattered columns, which SIMD barely helps;
/// the loss and its derivative are still evaluated a register of rows at a time, like the
/// dense kernels, so both paths share losses.hpp and agree to rounding.

#include <algorithm>
#include <cstddef>

#include "marketlearn/simd/kernels.hpp"

namespace marketlearn::simd {

namespace detail {

/// Templated on Arch although it is scalar code: every function a per-arch unit emits must
/// be specific to that arch, or the linker may share one compiled with AVX-512 flags.
template <class Arch, class T, class I>
T sparse_dot(const T* data, const I* indices, I begin, I end, const T* w) noexcept {
    T s0 = 0, s1 = 0;
    I j = begin;
    for (; j + 1 < end; j += 2) {
        s0 += data[j] * w[indices[j]];
        s1 += data[j + 1] * w[indices[j + 1]];
    }
    if (j < end) s0 += data[j] * w[indices[j]];
    return s0 + s1;
}

template <bool WithGradient, loss_kind Kind, class Arch, class T, class I>
T csr_rows(const T* data, const I* indices, const I* indptr, const std::size_t* rows,
           std::size_t first, std::size_t n_rows, const T* y, const T* sw, const T* w, T intercept,
           const loss_params<T>& p, T* grad, T* grad_intercept) noexcept {
    constexpr std::size_t W = lanes<Arch, T>();
    alignas(64) T z[W], yy[W], weight[W], loss[W], dloss[W];
    std::size_t row_of[W];
    T loss_sum = 0, intercept_sum = 0;
    for (std::size_t start = 0; start < n_rows; start += W) {
        const std::size_t count = std::min(W, n_rows - start);
        for (std::size_t k = 0; k < W; ++k) {
            if (k < count) {
                const std::size_t r = rows ? rows[start + k] : first + start + k;
                row_of[k] = r;
                z[k] = sparse_dot<Arch>(data, indices, indptr[r], indptr[r + 1], w) + intercept;
                yy[k] = y[r];
                weight[k] = sw ? sw[r] : T(1);
            } else {  // padding lanes: finite for every loss, weight 0
                row_of[k] = 0;
                z[k] = 0;
                yy[k] = 1;
                weight[k] = 0;
            }
        }
        loss_lanes<Kind, Arch, T>(z, yy, p, loss, dloss);
        for (std::size_t k = 0; k < count; ++k) {
            loss_sum += weight[k] * loss[k];
            if constexpr (WithGradient) {
                const T coef = weight[k] * dloss[k];
                const std::size_t r = row_of[k];
                for (I j = indptr[r]; j < indptr[r + 1]; ++j) grad[indices[j]] += coef * data[j];
                intercept_sum += coef;
            }
        }
    }
    if constexpr (WithGradient) *grad_intercept += intercept_sum;
    return loss_sum;
}

template <bool WithGradient, class Arch, class T, class I>
T csr_rows_any(loss_kind kind, const T* data, const I* indices, const I* indptr,
               const std::size_t* rows, std::size_t first, std::size_t n_rows, const T* y,
               const T* sw, const T* w, T intercept, const loss_params<T>& p, T* grad,
               T* grad_intercept) noexcept {
#define MARKETLEARN_CSR_CASE(K)                                                                  \
    case loss_kind::K:                                                                         \
        return csr_rows<WithGradient, loss_kind::K, Arch, T, I>(data, indices, indptr, rows,     \
                                                                first, n_rows, y, sw, w,         \
                                                                intercept, p, grad, grad_intercept);
    switch (kind) {
        MARKETLEARN_CSR_CASE(logistic)
        MARKETLEARN_CSR_CASE(squared_error)
        MARKETLEARN_CSR_CASE(huber)
        MARKETLEARN_CSR_CASE(hinge)
        MARKETLEARN_CSR_CASE(modified_huber)
        MARKETLEARN_CSR_CASE(poisson)
        MARKETLEARN_CSR_CASE(gamma)
        MARKETLEARN_CSR_CASE(tweedie)
    }
#undef MARKETLEARN_CSR_CASE
    return T(0);
}

}  // namespace detail

/// Loss sum over CSR rows (`rows` index list, or rows first .. first + n_rows when null).
/// y and sw are indexed by absolute row number.
struct csr_linear_loss_kernel {
    template <class Arch, class T, class I>
    T operator()(Arch, loss_kind kind, const loss_params<T>& p, const T* data, const I* indices,
                 const I* indptr, const std::size_t* rows, std::size_t first, std::size_t n_rows,
                 const T* y, const T* sw, const T* w, T intercept) const noexcept {
        return detail::csr_rows_any<false, Arch, T, I>(kind, data, indices, indptr, rows, first,
                                                       n_rows, y, sw, w, intercept, p, nullptr,
                                                       nullptr);
    }
};

/// Loss sum, and gradient sums ADDED to grad (dense, n_cols) and *grad_intercept.
struct csr_linear_loss_grad_kernel {
    template <class Arch, class T, class I>
    T operator()(Arch, loss_kind kind, const loss_params<T>& p, const T* data, const I* indices,
                 const I* indptr, const std::size_t* rows, std::size_t first, std::size_t n_rows,
                 const T* y, const T* sw, const T* w, T intercept, T* grad,
                 T* grad_intercept) const noexcept {
        return detail::csr_rows_any<true, Arch, T, I>(kind, data, indices, indptr, rows, first,
                                                      n_rows, y, sw, w, intercept, p, grad,
                                                      grad_intercept);
    }
};

/// out[i] = X_{first+i} . w + intercept for n_rows CSR rows.
struct csr_linear_predict_kernel {
    template <class Arch, class T, class I>
    void operator()(Arch, const T* data, const I* indices, const I* indptr, std::size_t first,
                    std::size_t n_rows, const T* w, T intercept, T* out) const noexcept {
        for (std::size_t i = 0; i < n_rows; ++i) {
            const std::size_t r = first + i;
            out[i] = detail::sparse_dot<Arch>(data, indices, indptr[r], indptr[r + 1], w) + intercept;
        }
    }
};

}  // namespace marketlearn::simd
