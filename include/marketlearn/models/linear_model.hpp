#pragma once
/// \file
/// A fitted linear model: coefficients and intercept, and the predictions they make.

#include <cstddef>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/loss/logistic.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

template <class T>
struct LinearModel {
    std::vector<T> coef;  ///< one weight per feature
    T intercept = 0;

    std::size_t n_features() const noexcept { return coef.size(); }

    /// out[i] = X_i . coef + intercept for row-major X with n_features() columns.
    void decision_function(const T* X, std::size_t n_rows, T* out) const {
        require(!coef.empty(), "the model has no coefficients; fit it first");
        if (n_rows == 0) return;
        simd::kernels<T>().linear_predict(X, n_rows, coef.size(), coef.data(), intercept, out);
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
