#pragma once
/// \file
/// L2-regularized logistic regression as a separable objective over dense rows.
///
///   f(w, b) = (1 / W) sum_i sw_i log(1 + exp(-y_i (x_i . w + b))) + (alpha / 2) ||w||^2
///
/// with W = sum_i sw_i and y_i in {-1, +1}; the intercept b is not penalized. This is
/// scikit-learn's LogisticRegression objective divided by C W, i.e. C = 1 / (alpha W).
///
/// X is a view (pointer + shape) on the caller's row-major data: it is never copied.
/// Shuffling permutes a visiting order of row indices instead.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/block_sums.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::objective {

template <class T>
class LogisticObjective {
public:
    using Scalar = T;
    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

    /// Rows per kernel call in full passes. Fixed, so a sum is always accumulated in the
    /// same order (and, later, split across threads the same way): results do not depend
    /// on how the work is scheduled. Block partial sums also keep float accumulation error
    /// at O(block + n / block) eps instead of O(n) eps.
    static constexpr std::size_t block_rows = 2048;

    /// `y` holds labels in {-1, +1}; `sample_weight` may be nullptr (all ones). Neither X,
    /// y nor sample_weight is copied: they must outlive the objective.
    LogisticObjective(const T* X, std::size_t n_rows, std::size_t n_cols, const T* y,
                      const T* sample_weight, T alpha, bool fit_intercept)
        : X_(X), n_rows_(n_rows), n_cols_(n_cols), y_(y), sw_(sample_weight), alpha_(alpha),
          fit_intercept_(fit_intercept), kernels_(simd::kernels<T>()) {
        require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
        require(n_cols > 0, "X has 0 columns (n_features=0); at least one is required");
        require(std::isfinite(alpha) && alpha >= T(0), "alpha=", alpha,
                " must be a finite number >= 0");
        if (sw_ == nullptr) {
            total_weight_ = static_cast<double>(n_rows);
        } else {
            total_weight_ = 0;
            for (std::size_t i = 0; i < n_rows; ++i) total_weight_ += sw_[i];
        }
        require(total_weight_ > 0, "sample_weight sums to ", total_weight_,
                "; it must have a positive sum");
    }

    std::size_t num_parameters() const noexcept { return n_cols_ + (fit_intercept_ ? 1 : 0); }
    std::size_t num_functions() const noexcept { return n_rows_; }
    T alpha() const noexcept { return alpha_; }
    bool fit_intercept() const noexcept { return fit_intercept_; }
    double total_weight() const noexcept { return total_weight_; }

    /// Objective value over all rows.
    T evaluate(const Vector& w) const {
        check_size(w);
        double loss = 0;
        for (std::size_t begin = 0; begin < n_rows_; begin += block_rows) {
            const std::size_t count = std::min(block_rows, n_rows_ - begin);
            loss += kernels_.logistic_loss(X_ + begin * n_cols_, n_cols_, nullptr, count,
                                           y_ + begin, sw_ ? sw_ + begin : nullptr, w.data(),
                                           intercept(w));
        }
        return static_cast<T>(loss / total_weight_) + penalty(w);
    }

    /// Objective value and gradient over all rows, in one pass over X.
    T evaluate_with_gradient(const Vector& w, Vector& grad) const {
        check_size(w);
        grad.setZero(num_parameters());
        block_grad_.resize(static_cast<Eigen::Index>(n_cols_));
        double loss = 0;
        double grad_intercept = 0;
        for (std::size_t begin = 0; begin < n_rows_; begin += block_rows) {
            const std::size_t count = std::min(block_rows, n_rows_ - begin);
            block_grad_.setZero();
            T block_intercept = 0;
            loss += kernels_.logistic_loss_grad(X_ + begin * n_cols_, n_cols_, nullptr, count,
                                                y_ + begin, sw_ ? sw_ + begin : nullptr,
                                                w.data(), intercept(w), block_grad_.data(),
                                                &block_intercept);
            grad.head(n_cols_) += block_grad_;
            grad_intercept += block_intercept;
        }
        const T scale = static_cast<T>(1.0 / total_weight_);
        grad.head(n_cols_) *= scale;
        grad.head(n_cols_) += alpha_ * w.head(n_cols_);
        if (fit_intercept_) grad[n_cols_] = static_cast<T>(grad_intercept / total_weight_);
        return static_cast<T>(loss / total_weight_) + penalty(w);
    }

    /// Mini-batch estimate over rows [begin, begin + batch_size) of the current visiting
    /// order: an unbiased estimate of the full objective and gradient. Sample weights are
    /// scaled by n / W rather than normalized per batch, so a weight still counts when the
    /// batch holds a single row.
    T evaluate_with_gradient(const Vector& w, std::size_t begin, std::size_t batch_size,
                             Vector& grad) const {
        check_size(w);
        require(batch_size > 0 && begin + batch_size <= n_rows_, "batch [", begin, ", ",
                begin + batch_size, ") is outside the ", n_rows_, " rows");
        grad.setZero(num_parameters());
        T grad_intercept = 0;
        const T loss = pass(w, begin, batch_size, grad.data(), &grad_intercept);
        const T scale = static_cast<T>(static_cast<double>(n_rows_) /
                                       (total_weight_ * static_cast<double>(batch_size)));
        grad.head(n_cols_) *= scale;
        grad.head(n_cols_) += alpha_ * w.head(n_cols_);
        if (fit_intercept_) grad[n_cols_] = grad_intercept * scale;
        return loss * scale + penalty(w);
    }

    /// Unnormalized sums over `count` rows of the current order starting at `begin`:
    /// what a driver adds up across blocks or data partitions before normalizing.
    /// Sets grad_sum (size num_parameters()) to sum_i sw_i dloss_i [x_i, 1]; no penalty.
    BlockSums<T> sum_over_block(const Vector& w, std::size_t begin, std::size_t count,
                                Vector& grad_sum) const {
        check_size(w);
        require(begin + count <= n_rows_, "block [", begin, ", ", begin + count,
                ") is outside the ", n_rows_, " rows");
        grad_sum.setZero(num_parameters());
        T grad_intercept = 0;
        BlockSums<T> sums;
        sums.loss = pass(w, begin, count, grad_sum.data(), &grad_intercept);
        if (fit_intercept_) grad_sum[n_cols_] = grad_intercept;
        for (std::size_t i = 0; i < count; ++i) sums.weight += weight_of(row_at(begin + i));
        return sums;
    }

    /// Draws a new visiting order for mini-batches; the full objective is unchanged.
    void shuffle(std::mt19937_64& rng) {
        if (order_.size() != n_rows_) {
            order_.resize(n_rows_);
            std::iota(order_.begin(), order_.end(), std::size_t{0});
        }
        std::shuffle(order_.begin(), order_.end(), rng);
    }

    /// The L2 penalty (alpha / 2) ||w||^2 on the coefficients only.
    T penalty(const Vector& w) const {
        return alpha_ == T(0) ? T(0) : T(0.5) * alpha_ * w.head(n_cols_).squaredNorm();
    }

private:
    T intercept(const Vector& w) const noexcept { return fit_intercept_ ? w[n_cols_] : T(0); }
    std::size_t row_at(std::size_t position) const noexcept {
        return order_.empty() ? position : order_[position];
    }
    double weight_of(std::size_t row) const noexcept { return sw_ ? sw_[row] : 1.0; }

    void check_size(const Vector& w) const {
        require(static_cast<std::size_t>(w.size()) == num_parameters(), "coefficient vector has ",
                w.size(), " entries; this objective has ", num_parameters());
    }

    /// Loss sum over positions [begin, begin + count) of the visiting order, adding the
    /// gradient sums to grad / *grad_intercept.
    T pass(const Vector& w, std::size_t begin, std::size_t count, T* grad,
           T* grad_intercept) const {
        if (order_.empty()) {
            return kernels_.logistic_loss_grad(X_ + begin * n_cols_, n_cols_, nullptr, count,
                                               y_ + begin, sw_ ? sw_ + begin : nullptr,
                                               w.data(), intercept(w), grad, grad_intercept);
        }
        return kernels_.logistic_loss_grad(X_, n_cols_, order_.data() + begin, count, y_, sw_,
                                           w.data(), intercept(w), grad, grad_intercept);
    }

    const T* X_;
    std::size_t n_rows_;
    std::size_t n_cols_;
    const T* y_;
    const T* sw_;
    T alpha_;
    bool fit_intercept_;
    const simd::kernel_table<T>& kernels_;
    double total_weight_ = 0;
    std::vector<std::size_t> order_;
    mutable Vector block_grad_;
};

}  // namespace marketlearn::objective
