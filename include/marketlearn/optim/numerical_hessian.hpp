#pragma once
/// \file
/// Hessian of a differentiable objective by central differences of its analytic gradient:
///
///   H[:, j] = (grad f(w + h e_j) - grad f(w - h e_j)) / (2 h),   then H <- (H + H^T) / 2.
///
/// Differencing the gradient (not the value) halves the order of the error term: the
/// truncation error is O(h^2 f''''), the rounding error O(eps |grad| / h); h = 1e-4 on
/// O(1) coordinates (e.g. log-parameters) balances both near 1e-8 relative. Used for
/// standard errors of maximum-likelihood fits (the inverse Hessian of the negative
/// log-likelihood is the asymptotic covariance).

#include <Eigen/Core>

#include "marketlearn/objective/traits.hpp"

namespace marketlearn::optim {

template <class Objective, class V>
Eigen::MatrixXd numerical_hessian(const Objective& f, const V& w, double h = 1e-4) {
    objective::check_differentiable<Objective, V>();
    const Eigen::Index n = w.size();
    Eigen::MatrixXd H(n, n);
    V plus = w, minus = w, g_plus, g_minus;
    for (Eigen::Index j = 0; j < n; ++j) {
        plus[j] = w[j] + h;
        minus[j] = w[j] - h;
        f.evaluate_with_gradient(plus, g_plus);
        f.evaluate_with_gradient(minus, g_minus);
        for (Eigen::Index i = 0; i < n; ++i) {
            H(i, j) = (static_cast<double>(g_plus[i]) - static_cast<double>(g_minus[i])) / (2 * h);
        }
        plus[j] = w[j];
        minus[j] = w[j];
    }
    return (H + H.transpose()) / 2;
}

}  // namespace marketlearn::optim
