#pragma once
/// \file
/// L2-regularized logistic regression as a separable objective over dense rows:
///
///   f(w, b) = (1 / W) sum_i sw_i log(1 + exp(-y_i (x_i . w + b))) + (alpha / 2) ||w||^2
///
/// with W = sum_i sw_i and y_i in {-1, +1}; the intercept b is not penalized. This is
/// scikit-learn's LogisticRegression objective divided by C W, i.e. C = 1 / (alpha W).
/// A preset of LinearObjective (linear_objective.hpp), which holds all the machinery.

#include <cstddef>

#include "marketlearn/objective/linear_objective.hpp"

namespace marketlearn::objective {

template <class T>
class LogisticObjective : public LinearObjective<T> {
public:
    using typename LinearObjective<T>::Vector;

    /// `y` holds labels in {-1, +1}; `sample_weight` may be nullptr (all ones). Neither X,
    /// y nor sample_weight is copied: they must outlive the objective.
    LogisticObjective(const T* X, std::size_t n_rows, std::size_t n_cols, const T* y,
                      const T* sample_weight, T alpha, bool fit_intercept, std::size_t n_jobs = 1)
        : LinearObjective<T>(X, n_rows, n_cols, y, sample_weight,
                             make_spec(alpha, fit_intercept, n_jobs)) {}

    T alpha() const noexcept { return this->spec().alpha; }
    bool fit_intercept() const noexcept { return this->spec().fit_intercept; }

    /// The L2 penalty (alpha / 2) ||w||^2 on the coefficients only.
    T penalty(const Vector& w) const {
        return T(0.5) * alpha() * w.head(this->num_features()).squaredNorm();
    }

private:
    static LinearObjectiveSpec<T> make_spec(T alpha, bool fit_intercept, std::size_t n_jobs) {
        LinearObjectiveSpec<T> spec;
        spec.loss = simd::loss_kind::logistic;
        spec.alpha = alpha;
        spec.l1_ratio = T(0);
        spec.fit_intercept = fit_intercept;
        spec.n_jobs = n_jobs;
        return spec;
    }
};

}  // namespace marketlearn::objective
