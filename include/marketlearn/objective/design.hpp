#pragma once
/// \file
/// Design matrices: how an objective reaches its rows. A design is a non-owning view
/// (pointers + shape) that runs the loss kernels over a set of rows, either an index list
/// (`rows`) or the contiguous rows first .. first + count. Targets y and weights sw are
/// indexed by absolute row number.
///
/// DenseDesign: row-major X (numpy C order). CsrDesign: scipy.sparse CSR arrays, never
/// densified.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "marketlearn/core/error.hpp"
#include "marketlearn/simd/kernel_table.hpp"

namespace marketlearn::objective {

/// "No row": a one-row SGD step with no update left pending from the step before.
inline constexpr std::size_t no_row = static_cast<std::size_t>(-1);

template <class T>
struct DenseDesign {
    const T* X = nullptr;
    std::size_t n_rows = 0;
    std::size_t n_cols = 0;

    T loss(const simd::kernel_table<T>& k, simd::loss_kind kind, const simd::loss_params<T>& p,
           const std::size_t* rows, std::size_t first, std::size_t count, const T* y, const T* sw,
           const T* w, T b) const {
        if (rows != nullptr) return k.linear_loss(kind, p, X, n_cols, rows, count, y, sw, w, b);
        return k.linear_loss(kind, p, X + first * n_cols, n_cols, nullptr, count, y + first,
                             sw ? sw + first : nullptr, w, b);
    }

    T loss_grad(const simd::kernel_table<T>& k, simd::loss_kind kind,
                const simd::loss_params<T>& p, const std::size_t* rows, std::size_t first,
                std::size_t count, const T* y, const T* sw, const T* w, T b, T* grad,
                T* grad_b) const {
        if (rows != nullptr) {
            return k.linear_loss_grad(kind, p, X, n_cols, rows, count, y, sw, w, b, grad, grad_b);
        }
        return k.linear_loss_grad(kind, p, X + first * n_cols, n_cols, nullptr, count, y + first,
                                  sw ? sw + first : nullptr, w, b, grad, grad_b);
    }

    /// x_r . w
    T dot_row(const simd::kernel_table<T>& k, std::size_t r, const T* w) const {
        return k.dot(X + r * n_cols, w, n_cols);
    }

    /// Asks the cache for row r ahead of its use: rows visited in shuffled order are
    /// scattered over X, so each one-row SGD step would otherwise wait on memory. Always
    /// inlined, as LinearObjective::prefetch_step says why.
    MARKETLEARN_ALWAYS_INLINE void prefetch_row(std::size_t r) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        const char* p = reinterpret_cast<const char*>(X + r * n_cols);
        const std::size_t bytes = std::min<std::size_t>(n_cols * sizeof(T), 2048);
        for (std::size_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b, 0, 3);
#else
        (void)r;
#endif
    }

    /// v += c x_prev unless prev is no_row (the previous step's pending update), then
    /// returns x_r . v, and ||x_r||^2 into xx: one pass over v and over each row.
    T axpy_dot_row_and_squared_norm(const simd::kernel_table<T>& k, std::size_t prev, T c, T* v,
                                    std::size_t r, T& xx) const {
        return k.axpy_dot_and_squared_norm(c, prev == no_row ? nullptr : X + prev * n_cols, v,
                                           X + r * n_cols, n_cols, &xx);
    }

    /// v += c x_r
    void axpy_row(const simd::kernel_table<T>& k, std::size_t r, T c, T* v) const {
        k.axpy(c, X + r * n_cols, v, n_cols);
    }

    /// out[i] = x_{first+i} . w + b
    void predict(const simd::kernel_table<T>& k, std::size_t first, std::size_t count, const T* w,
                 T b, T* out) const {
        k.linear_predict(X + first * n_cols, count, n_cols, w, b, out);
    }

    /// Throws marketlearn::invalid_argument naming the first non-finite entry.
    void require_finite() const {
        for (std::size_t i = 0, total = n_rows * n_cols; i < total; ++i) {
            if (!std::isfinite(X[i])) {
                throw_invalid_argument("X contains ", X[i], " at row ", i / n_cols, ", column ",
                                       i % n_cols, "; all values must be finite");
            }
        }
    }
};

template <class T, class I>
struct CsrDesign {
    const T* data = nullptr;
    const I* indices = nullptr;
    const I* indptr = nullptr;  ///< n_rows + 1 offsets into data / indices
    std::size_t n_rows = 0;
    std::size_t n_cols = 0;

    T loss(const simd::kernel_table<T>& k, simd::loss_kind kind, const simd::loss_params<T>& p,
           const std::size_t* rows, std::size_t first, std::size_t count, const T* y, const T* sw,
           const T* w, T b) const {
        return k.template csr<I>().linear_loss(kind, p, data, indices, indptr, rows, first, count,
                                               y, sw, w, b);
    }

    T loss_grad(const simd::kernel_table<T>& k, simd::loss_kind kind,
                const simd::loss_params<T>& p, const std::size_t* rows, std::size_t first,
                std::size_t count, const T* y, const T* sw, const T* w, T b, T* grad,
                T* grad_b) const {
        return k.template csr<I>().linear_loss_grad(kind, p, data, indices, indptr, rows, first,
                                                    count, y, sw, w, b, grad, grad_b);
    }

    T dot_row(const simd::kernel_table<T>& /*k*/, std::size_t r, const T* w) const {
        return simd::detail::sparse_dot<simd::scalar_arch>(data, indices, indptr[r], indptr[r + 1], w);
    }

    MARKETLEARN_ALWAYS_INLINE void prefetch_row(std::size_t r) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(data + indptr[r], 0, 3);
        __builtin_prefetch(indices + indptr[r], 0, 3);
#else
        (void)r;
#endif
    }

    /// v += c x_prev unless prev is no_row, then x_r . v, and ||x_r||^2 into xx. The two
    /// rows touch different coefficients, so there is no pass to share as in DenseDesign.
    /// The norm's loop reads only the row's values, which the dot product has just brought
    /// into cache.
    T axpy_dot_row_and_squared_norm(const simd::kernel_table<T>& k, std::size_t prev, T c, T* v,
                                    std::size_t r, T& xx) const {
        if (prev != no_row) axpy_row(k, prev, c, v);
        const T* w = v;
        T s = 0;
        for (I j = indptr[r]; j < indptr[r + 1]; ++j) s += data[j] * data[j];
        xx = s;
        return dot_row(k, r, w);
    }

    /// v += c x_r, touching only the row's non-zeros.
    void axpy_row(const simd::kernel_table<T>& /*k*/, std::size_t r, T c, T* v) const {
        for (I j = indptr[r]; j < indptr[r + 1]; ++j) v[indices[j]] += c * data[j];
    }

    void predict(const simd::kernel_table<T>& k, std::size_t first, std::size_t count, const T* w,
                 T b, T* out) const {
        k.template csr<I>().linear_predict(data, indices, indptr, first, count, w, b, out);
    }

    /// Checks the CSR structure (so kernels never read out of bounds) and the values.
    void require_finite() const {
        require(indptr != nullptr && (n_rows == 0 || (data != nullptr && indices != nullptr)),
                "CSR arrays must not be null");
        require(indptr[0] == 0, "CSR indptr[0]=", indptr[0], " must be 0");
        for (std::size_t r = 0; r < n_rows; ++r) {
            require(indptr[r + 1] >= indptr[r], "CSR indptr must be non-decreasing (row ", r, ")");
        }
        const auto nnz = static_cast<std::size_t>(indptr[n_rows]);
        for (std::size_t j = 0; j < nnz; ++j) {
            require(indices[j] >= 0 && static_cast<std::size_t>(indices[j]) < n_cols,
                    "CSR column index ", indices[j], " is outside [0, ", n_cols, ")");
            if (!std::isfinite(data[j])) {
                throw_invalid_argument("X contains ", data[j], " (non-zero ", j,
                                       "); all values must be finite");
            }
        }
    }
};

}  // namespace marketlearn::objective
