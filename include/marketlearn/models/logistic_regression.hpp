#pragma once
/// \file
/// L2-regularized logistic regression: the churn model, and the model-layer entry point
/// both the Python module and C++ users call.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear.hpp"
#include "marketlearn/models/linear_model.hpp"
#include "marketlearn/optim/result.hpp"

namespace marketlearn::models {

enum class Solver {
    lbfgs,  ///< L-BFGS, full batch: the default, reaches the optimum in few passes
    gd,     ///< gradient descent, full batch
    sgd,    ///< (mini-batch) stochastic gradient descent, see batch_size
};

enum class LearningRate { constant, invscaling };

template <class T>
struct LogisticRegressionOptions {
    T alpha = T(1e-4);  ///< L2 strength on the coefficients (intercept not penalized)
    bool fit_intercept = true;
    Solver solver = Solver::lbfgs;
    std::size_t max_iter = 1000;  ///< iterations (lbfgs, gd) or epochs (sgd)
    /// lbfgs: stop when max |gradient_j| <= tol; gd, sgd: stop when the objective fails to
    /// improve by tol for n_iter_no_change epochs. tol <= 0 disables the rule.
    T tol = T(1e-4);
    std::size_t n_iter_no_change = 5;
    std::size_t batch_size = 1;  ///< sgd only
    LearningRate learning_rate = LearningRate::constant;  ///< gd, sgd
    T eta0 = T(0.1);
    T power_t = T(0.5);
    bool shuffle = true;
    std::uint64_t random_state = 0;
    /// Check X, y and sample_weight values (finite, labels 0/1, weights >= 0). Callers
    /// that validated already (the Python layer) skip the extra pass over X.
    bool check_input = true;
};

template <class T>
struct LogisticRegressionFit {
    LinearModel<T> model;
    optim::Result<T> result;
    std::vector<T> loss_curve;  ///< objective after each iteration / epoch
};

/// Fits P(y = 1 | x) = sigma(x . coef + intercept) by minimizing
///   (1 / W) sum_i sw_i log(1 + exp(-s_i (x_i . coef + intercept))) + (alpha / 2) ||coef||^2,
/// s_i = 2 y_i - 1, W = sum_i sw_i: scikit-learn's LogisticRegression with C = 1 / (alpha W).
///
/// X is row-major n_rows x n_cols and is read in place, never copied. y holds 0/1 labels;
/// sample_weight may be nullptr. `warm_start`, when given, is the starting point.
/// Extra callbacks (see optim/callbacks.hpp) observe or stop the run. A preset of
/// fit_linear (models/linear.hpp) with the logistic loss and an L2 penalty.
template <class T, class... Callbacks>
LogisticRegressionFit<T> fit_logistic_regression(const T* X, std::size_t n_rows,
                                                 std::size_t n_cols, const T* y,
                                                 identity_t<const T*> sample_weight,
                                                 const LogisticRegressionOptions<T>& options,
                                                 identity_t<const LinearModel<T>*> warm_start = nullptr,
                                                 Callbacks&&... callbacks) {
    require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
    require(y != nullptr, "y must not be null");
    std::vector<T> signs(n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) {
        if (options.check_input) {
            require(y[i] == T(0) || y[i] == T(1), "y[", i, "]=", y[i],
                    " is not a binary label; labels must be 0 or 1");
        }
        signs[i] = y[i] > T(0.5) ? T(1) : T(-1);
    }
    LinearFitOptions<T> o;
    o.loss = simd::loss_kind::logistic;
    o.alpha = options.alpha;
    o.l1_ratio = T(0);
    o.fit_intercept = options.fit_intercept;
    o.optimizer = options.solver == Solver::lbfgs ? Optimizer::lbfgs
                  : options.solver == Solver::gd  ? Optimizer::gd
                                                  : Optimizer::sgd;
    o.batch_size = options.batch_size;
    o.schedule.kind = options.learning_rate == LearningRate::constant ? optim::ScheduleKind::constant
                                                                      : optim::ScheduleKind::invscaling;
    o.schedule.eta0 = options.eta0;
    o.schedule.power_t = options.power_t;
    o.max_iter = options.max_iter;
    o.tol = options.tol;
    o.n_iter_no_change = options.n_iter_no_change;
    o.shuffle = options.shuffle;
    o.random_state = options.random_state;
    o.check_input = options.check_input;
    LinearFit<T> fit = fit_linear(X, n_rows, n_cols, signs.data(), sample_weight, o, warm_start,
                                  std::forward<Callbacks>(callbacks)...);
    return LogisticRegressionFit<T>{std::move(fit.model), fit.result, std::move(fit.loss_curve)};
}

}  // namespace marketlearn::models
