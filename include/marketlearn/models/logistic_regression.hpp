#pragma once
/// \file
/// L2-regularized logistic regression: the churn model, and the model-layer entry point
/// both the Python module and C++ users call.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear_model.hpp"
#include "marketlearn/objective/logistic_objective.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/gradient_descent.hpp"
#include "marketlearn/optim/lbfgs.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/sgd.hpp"

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

namespace detail {

template <class T>
void validate_logistic_input(const T* X, std::size_t n_rows, std::size_t n_cols, const T* y,
                             const T* sample_weight, const LogisticRegressionOptions<T>& o) {
    require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
    require(n_cols > 0, "X has 0 columns (n_features=0); at least one is required");
    require(X != nullptr && y != nullptr, "X and y must not be null");
    require(std::isfinite(o.alpha) && o.alpha >= T(0), "alpha=", o.alpha,
            " must be a finite number >= 0");
    require(o.max_iter > 0, "max_iter=", o.max_iter, " must be >= 1");
    require(o.n_iter_no_change > 0, "n_iter_no_change=", o.n_iter_no_change, " must be >= 1");
    require(o.batch_size > 0, "batch_size=", o.batch_size, " must be >= 1");
    require(!std::isnan(o.tol), "tol must not be NaN");
    if (o.solver != Solver::lbfgs) {
        require(std::isfinite(o.eta0) && o.eta0 > T(0), "eta0=", o.eta0,
                " must be a finite learning rate > 0");
        require(std::isfinite(o.power_t) && o.power_t >= T(0), "power_t=", o.power_t,
                " must be a finite number >= 0");
    }
    if (!o.check_input) return;
    const std::size_t total = n_rows * n_cols;
    for (std::size_t k = 0; k < total; ++k) {
        if (!std::isfinite(X[k])) {
            throw_invalid_argument("X contains ", X[k], " at row ", k / n_cols, ", column ",
                                  k % n_cols, "; all values must be finite");
        }
    }
    for (std::size_t i = 0; i < n_rows; ++i) {
        require(y[i] == T(0) || y[i] == T(1), "y[", i, "]=", y[i],
                " is not a binary label; labels must be 0 or 1");
    }
    if (sample_weight != nullptr) {
        for (std::size_t i = 0; i < n_rows; ++i) {
            require(std::isfinite(sample_weight[i]) && sample_weight[i] >= T(0),
                    "sample_weight[", i, "]=", sample_weight[i], " must be finite and >= 0");
        }
    }
}

}  // namespace detail

/// Fits P(y = 1 | x) = sigma(x . coef + intercept) by minimizing
///   (1 / W) sum_i sw_i log(1 + exp(-s_i (x_i . coef + intercept))) + (alpha / 2) ||coef||^2,
/// s_i = 2 y_i - 1, W = sum_i sw_i: scikit-learn's LogisticRegression with C = 1 / (alpha W).
///
/// X is row-major n_rows x n_cols and is read in place, never copied. y holds 0/1 labels;
/// sample_weight may be nullptr. `warm_start`, when given, is the starting point.
/// Extra callbacks (see optim/callbacks.hpp) observe or stop the run.
template <class T, class... Callbacks>
LogisticRegressionFit<T> fit_logistic_regression(const T* X, std::size_t n_rows,
                                                 std::size_t n_cols, const T* y,
                                                 const T* sample_weight,
                                                 const LogisticRegressionOptions<T>& options,
                                                 const LinearModel<T>* warm_start = nullptr,
                                                 Callbacks&&... callbacks) {
    detail::validate_logistic_input(X, n_rows, n_cols, y, sample_weight, options);

    std::vector<T> signed_labels(n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) signed_labels[i] = y[i] > T(0.5) ? T(1) : T(-1);
    objective::LogisticObjective<T> f(X, n_rows, n_cols, signed_labels.data(), sample_weight,
                                      options.alpha, options.fit_intercept);

    using Vector = typename objective::LogisticObjective<T>::Vector;
    Vector w = Vector::Zero(static_cast<Eigen::Index>(f.num_parameters()));
    if (warm_start != nullptr && !warm_start->coef.empty()) {
        require(warm_start->coef.size() == n_cols, "the warm-start model has ",
                warm_start->coef.size(), " coefficients but X has ", n_cols, " columns");
        for (std::size_t j = 0; j < n_cols; ++j) w[j] = warm_start->coef[j];
        if (options.fit_intercept) w[n_cols] = warm_start->intercept;
    }

    LogisticRegressionFit<T> fit;
    optim::LossHistory<T> history;
    switch (options.solver) {
        case Solver::lbfgs: {
            typename optim::LBFGS<T>::Options o;
            o.max_iter = options.max_iter;
            o.gradient_tol = options.tol > T(0) ? options.tol : T(0);
            fit.result = optim::LBFGS<T>(o).optimize(f, w, history, callbacks...);
            break;
        }
        case Solver::gd:
        case Solver::sgd: {
            auto run = [&](auto schedule) {
                using Schedule = decltype(schedule);
                if (options.solver == Solver::gd) {
                    typename optim::GradientDescent<T, Schedule>::Options o;
                    o.max_iter = options.max_iter;
                    o.tol = options.tol;
                    o.n_iter_no_change = options.n_iter_no_change;
                    return optim::GradientDescent<T, Schedule>(o, schedule)
                        .optimize(f, w, history, callbacks...);
                }
                typename optim::SGD<T, Schedule>::Options o;
                o.max_iter = options.max_iter;
                o.tol = options.tol;
                o.n_iter_no_change = options.n_iter_no_change;
                o.batch_size = options.batch_size;
                o.shuffle = options.shuffle;
                o.seed = options.random_state;
                return optim::SGD<T, Schedule>(o, schedule).optimize(f, w, history, callbacks...);
            };
            if (options.learning_rate == LearningRate::constant) {
                fit.result = run(optim::ConstantSchedule<T>{options.eta0});
            } else {
                fit.result = run(optim::InverseScalingSchedule<T>{options.eta0, options.power_t});
            }
            break;
        }
    }

    require(w.allFinite(), "the fit produced non-finite coefficients; scale the features or "
                           "use a smaller learning rate");
    fit.model.coef.assign(w.data(), w.data() + n_cols);
    fit.model.intercept = options.fit_intercept ? w[static_cast<Eigen::Index>(n_cols)] : T(0);
    fit.loss_curve = std::move(history.values);
    return fit;
}

}  // namespace marketlearn::models
