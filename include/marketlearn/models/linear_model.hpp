#pragma once
/// \file
/// A fitted linear model: coefficients and intercept, and the predictions they make.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/loss/logistic.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

template <class T>
struct LinearModel {
    std::vector<T> coef;  ///< one weight per feature
    T intercept = 0;

    std::size_t n_features() const noexcept { return coef.size(); }

    /// out[i] = X_i . coef + intercept for row-major X with n_features() columns.
    /// `n_threads` threads share the rows in fixed blocks; every row's value is computed
    /// the same way whatever the count, so the output is bitwise the same.
    void decision_function(const T* X, std::size_t n_rows, T* out,
                           std::size_t n_threads = 1) const {
        const auto& kernels = simd::kernels<T>();
        const std::size_t d = coef.size();
        for_row_blocks(n_rows, n_threads, [&](std::size_t begin, std::size_t count) {
            kernels.linear_predict(X + begin * d, count, d, coef.data(), intercept, out + begin);
        });
    }

    /// Binary class probabilities, row-major (n_rows, 2): out[2i] = sigma(-z_i) and
    /// out[2i + 1] = sigma(z_i), z_i = X_i . coef + intercept, each computed directly (no
    /// 1 - p cancellation; simd::logistic_proba_pairs_kernel). Returns whether every z_i
    /// is finite, so a caller can skip checking X for NaN / infinity beforehand.
    ///
    /// One pass over X: each block's decision values go to a block-sized buffer that is
    /// still in cache when the probabilities are computed from it; z is never written out.
    /// Blocks and threads as decision_function: bitwise the same for any n_threads.
    bool predict_proba_pairs(const T* X, std::size_t n_rows, T* out,
                             std::size_t n_threads = 1) const {
        const auto& kernels = simd::kernels<T>();
        const std::size_t d = coef.size();
        std::atomic<bool> finite{true};
        for_row_blocks(n_rows, n_threads, [&](std::size_t begin, std::size_t count) {
            std::vector<T> z(count);
            kernels.linear_predict(X + begin * d, count, d, coef.data(), intercept, z.data());
            if (!kernels.logistic_proba_pairs(z.data(), count, out + 2 * begin)) {
                finite.store(false, std::memory_order_relaxed);
            }
        });
        return finite.load();
    }

    /// out[i] = X_i . coef + intercept for n_rows CSR rows (scipy layout, int32/int64
    /// indices); X is never densified.
    template <class I>
    void decision_function_csr(const T* data, const I* indices, const I* indptr,
                               std::size_t n_rows, T* out) const {
        require(!coef.empty(), "the model has no coefficients; fit it first");
        if (n_rows == 0) return;
        simd::kernels<T>().template csr<I>().linear_predict(data, indices, indptr, 0, n_rows,
                                                            coef.data(), intercept, out);
    }

    /// out[i] = P(y = 1 | X_i) = sigma(X_i . coef + intercept).
    void predict_proba(const T* X, std::size_t n_rows, T* out) const {
        decision_function(X, n_rows, out);
        for (std::size_t i = 0; i < n_rows; ++i) out[i] = loss::sigmoid(out[i]);
    }

private:
    /// Calls fn(begin, count) for each fixed block of rows of a dense X, on up to
    /// n_threads threads. ~1 MB of X per block: long enough that a thread start is noise,
    /// short enough that a block's outputs stay in cache.
    template <class Fn>
    void for_row_blocks(std::size_t n_rows, std::size_t n_threads, Fn&& fn) const {
        require(!coef.empty(), "the model has no coefficients; fit it first");
        if (n_rows == 0) return;
        const std::size_t d = coef.size();
        const std::size_t block = std::max<std::size_t>(1024, (std::size_t{1} << 20) / (d * sizeof(T)));
        const std::size_t n_blocks = (n_rows + block - 1) / block;
        parallel_for_blocks(n_blocks, n_threads, [&](std::size_t b) {
            const std::size_t begin = b * block;
            fn(begin, std::min(block, n_rows - begin));
        });
    }
};

}  // namespace marketlearn::models
