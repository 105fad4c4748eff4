#pragma once
/// \file
/// A fitted linear model: coefficients and intercept, and the predictions they make.

#include <algorithm>
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
        require(!coef.empty(), "the model has no coefficients; fit it first");
        if (n_rows == 0) return;
        const auto& kernels = simd::kernels<T>();
        const std::size_t d = coef.size();
        // ~1 MB of X per block: long enough that a thread start is noise.
        const std::size_t block = std::max<std::size_t>(1024, (std::size_t{1} << 20) / (d * sizeof(T)));
        const std::size_t n_blocks = (n_rows + block - 1) / block;
        parallel_for_blocks(n_blocks, n_threads, [&](std::size_t b) {
            const std::size_t begin = b * block;
            const std::size_t count = std::min(block, n_rows - begin);
            kernels.linear_predict(X + begin * d, count, d, coef.data(), intercept, out + begin);
        });
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
};

}  // namespace marketlearn::models
