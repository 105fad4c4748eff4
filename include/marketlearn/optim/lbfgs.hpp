#pragma once
/// \file
/// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical
/// Optimization, 2nd ed., Algorithms 7.4, 3.5 and 3.6).
///
/// Direction: d_k = -H_k g_k, where H_k is the inverse-Hessian estimate built by the
/// two-loop recursion from the last m pairs s_i = w_{i+1} - w_i, y_i = g_{i+1} - g_i
/// (rho_i = 1 / y_i.s_i) and scaled by gamma_k = s.y / y.y of the newest pair.
/// Step: w_{k+1} = w_k + a_k d_k with a_k meeting
///   f(w + a d) <= f(w) + c1 a g.d      (sufficient decrease, c1 = 1e-4)
///   |g(w + a d).d| <= c2 |g.d|         (curvature, c2 = 0.9)
/// The method of choice for smooth full-batch objectives of moderate dimension: a few
/// dozen passes over the data reach machine-precision optima.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/traits.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/result.hpp"

namespace marketlearn::optim {

template <class T>
class LBFGS {
public:
    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

    struct Options {
        std::size_t max_iter = 1000;
        T gradient_tol = T(1e-5);  ///< stop when max |grad_j| <= gradient_tol
        /// stop when (f_k - f_{k+1}) <= tol * max(|f_k|, |f_{k+1}|, 1). scikit-learn's lbfgs
        /// uses 64 double epsilons (it runs in double even for float32 data); so do we. In
        /// float the test then rarely fires before the gradient test, which is the point:
        /// 64 float epsilons (7.6e-6) stopped float fits well short of the optimum.
        T tol = T(64 * std::numeric_limits<double>::epsilon());
        std::size_t memory = 10;
        std::size_t max_line_search = 50;
        /// The magnitude of the terms summed into f. Rounding in f is ~eps times this, not
        /// eps |f|, when terms of both signs cancel (a mean log-likelihood near 0): the
        /// tests for working precision (is a decrease still resolvable?) use
        /// max(value_scale, |f|); the tol test keeps scipy's max(|f_k|, |f_k+1|, 1). The
        /// default suits objectives of order one.
        T value_scale = T(1);
    };

    explicit LBFGS(Options options) : options_(options) {
        require(options_.max_iter > 0, "max_iter=0 must be >= 1");
        require(options_.memory > 0, "memory=0 must be >= 1");
        require(options_.max_line_search > 0, "max_line_search=0 must be >= 1");
        require(options_.gradient_tol >= T(0) && !std::isnan(options_.gradient_tol),
                "gradient_tol=", options_.gradient_tol, " must be >= 0");
        require(options_.value_scale > T(0) && std::isfinite(options_.value_scale),
                "value_scale=", options_.value_scale, " must be finite and > 0");
    }

    template <class Objective, class V, class... Callbacks>
    Result<T> optimize(Objective& f, V& w, Callbacks&&... callbacks) const {
        objective::check_differentiable<Objective, V>();
        const Eigen::Index dim = w.size();
        const Eigen::Index m = static_cast<Eigen::Index>(options_.memory);
        Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> S(dim, m), Y(dim, m);
        Vector rho(m), alpha(m);
        Eigen::Index stored = 0, newest = -1;

        Result<T> result;
        V grad, w_new, grad_new;
        notify_begin(w, callbacks...);
        T value = f.evaluate_with_gradient(w, grad);
        require(std::isfinite(value), "the objective is ", value,
                " at the starting coefficients; check the data and the initial values");
        // A loss can stay finite where the data are not (a clamped exp), but the gradient
        // cannot: every row adds c * x_i, and c * NaN, c * inf and 0 * inf are not finite.
        // Callers that skip a separate NaN check of X rely on this refusal.
        require(grad.allFinite(), "the gradient is not finite at the starting coefficients; "
                "check the data (X must not contain NaN or infinity) and the initial values");
        if (dim == 0 || grad.cwiseAbs().maxCoeff() <= options_.gradient_tol) {
            result.objective = value;
            result.converged = true;
            result.reason = StopReason::converged_gradient;
            notify_end(w, result, callbacks...);
            return result;
        }

        Vector direction = -grad;
        for (std::size_t it = 1; it <= options_.max_iter; ++it) {
            if (stored > 0 && at_working_precision(value, grad, direction)) {
                result.converged = true;
                result.reason = StopReason::converged_tol;
                break;
            }
            const T first_step = stored == 0 ? unit_move(grad) : T(1);
            T value_new = value;
            bool found = line_search(f, w, value, grad, direction, first_step, w_new, value_new,
                                     grad_new);
            // Stale curvature can make the quasi-Newton direction useless far from the
            // optimum: retry along steepest descent. Not once the gradient is at working
            // precision: there the failure is rounding in f, the retry would fail the same
            // way (each of its probes a pass over the data) and the run ends converged.
            if (!found && stored > 0 && !gradient_at_working_precision(value, grad)) {
                stored = 0;
                newest = -1;
                direction = -grad;
                found = line_search(f, w, value, grad, direction, unit_move(grad), w_new,
                                    value_new, grad_new);
            }
            if (!found) {
                // No step lowers f (along -g too, unless the gradient is already at working
                // precision): f is flat to rounding here. That is the optimum when the
                // gradient is at working precision; otherwise it is a genuine failure.
                result.converged = gradient_at_working_precision(value, grad);
                result.reason = StopReason::line_search_failed;
                break;
            }

            newest = (newest + 1) % m;
            S.col(newest) = w_new - w;
            Y.col(newest) = grad_new - grad;
            const T sy = S.col(newest).dot(Y.col(newest));
            const T yy = Y.col(newest).squaredNorm();
            const T previous = value;
            w.swap(w_new);
            grad.swap(grad_new);
            value = value_new;
            result.iterations = it;

            if (notify_end_epoch(it, value, w, callbacks...)) {
                result.reason = StopReason::callback;
                break;
            }
            if (grad.cwiseAbs().maxCoeff() <= options_.gradient_tol) {
                result.converged = true;
                result.reason = StopReason::converged_gradient;
                break;
            }
            const T scale = std::max({std::abs(previous), std::abs(value), T(1)});
            if (previous - value <= options_.tol * scale) {
                result.converged = true;
                result.reason = StopReason::converged_tol;
                break;
            }

            // Keep the pair only if it carries positive curvature; otherwise H would lose
            // positive definiteness and d might not descend.
            if (sy > std::numeric_limits<T>::epsilon() * yy && yy > T(0)) {
                rho[newest] = T(1) / sy;
                stored = std::min(stored + 1, m);
            } else {
                newest = (newest + m - 1) % m;
            }
            if (stored == 0) {
                direction = -grad;
                continue;
            }

            // Two-loop recursion, newest pair first.
            Vector q = grad;
            for (Eigen::Index k = 0; k < stored; ++k) {
                const Eigen::Index i = (newest - k + m) % m;
                alpha[i] = rho[i] * S.col(i).dot(q);
                q -= alpha[i] * Y.col(i);
            }
            const T gamma = S.col(newest).dot(Y.col(newest)) / Y.col(newest).squaredNorm();
            q *= gamma;
            for (Eigen::Index k = stored - 1; k >= 0; --k) {
                const Eigen::Index i = (newest - k + m) % m;
                const T beta = rho[i] * Y.col(i).dot(q);
                q += (alpha[i] - beta) * S.col(i);
            }
            direction = -q;
            if (!(direction.dot(grad) < T(0))) {  // not a descent direction: restart
                stored = 0;
                newest = -1;
                direction = -grad;
            }
        }
        result.objective = value;
        notify_end(w, result, callbacks...);
        return result;
    }

private:
    static constexpr T c1 = T(1e-4);

    /// First trial step along -g when there is no curvature pair yet: the one that moves
    /// the coefficients a unit distance, 1 / ||g|| (Liu and Nocedal's L-BFGS and scipy's
    /// L-BFGS-B). Capping it at 1, as this code once did, moves only ||g|| when the
    /// gradient is small, which is typical at w = 0 for standardized features: the first
    /// iteration then barely moves and the fit needs one more pass over X.
    template <class G>
    static T unit_move(const G& g) {
        const T norm = g.norm();
        const T step = T(1) / norm;
        return norm > T(0) && std::isfinite(step) ? step : T(1);
    }
    static constexpr T c2 = T(0.9);

    /// What rounding in f is proportional to: max(value_scale, |f|).
    T rounding_scale(T value) const { return std::max(options_.value_scale, std::abs(value)); }

    /// max |g| <= sqrt(eps) s, s = rounding_scale(f): rounding in f hides decreases of
    /// order eps s, i.e. those of steps where |g|^2 step ~ eps s, so no line search can be
    /// relied on to improve f further.
    template <class G>
    bool gradient_at_working_precision(T value, const G& g) const {
        return g.cwiseAbs().maxCoeff() <=
               std::sqrt(std::numeric_limits<T>::epsilon()) * rounding_scale(value);
    }

    /// Whether the quasi-Newton step d would lower f by less than tol times the rounding
    /// scale while the gradient is at working precision. The quadratic model predicts a
    /// decrease of -g.d / 2 for the unit step; one that small is lost in f's rounding, so
    /// a line search would spend its budget (a pass over the data per probe) failing or
    /// gain nothing measurable. The run ends converged, with the reason the objective test
    /// gives after a step of that size.
    bool at_working_precision(T value, const Vector& g, const Vector& d) const {
        return -g.dot(d) / 2 <= options_.tol * rounding_scale(value) &&
               gradient_at_working_precision(value, g);
    }

    /// Minimizer of the cubic interpolating phi and phi' at a and b, kept inside the
    /// middle 80 % of [a, b]; bisection when the cubic is not usable.
    static T interpolate(T a, T phi_a, T dphi_a, T b, T phi_b, T dphi_b) {
        const T lo = std::min(a, b), hi = std::max(a, b), width = hi - lo;
        T trial = (a + b) / 2;
        const T d1 = dphi_a + dphi_b - 3 * (phi_a - phi_b) / (a - b);
        const T disc = d1 * d1 - dphi_a * dphi_b;
        if (disc >= T(0) && std::isfinite(disc)) {
            const T d2 = std::copysign(std::sqrt(disc), b - a);
            const T denom = dphi_b - dphi_a + 2 * d2;
            if (denom != T(0)) trial = b - (b - a) * (dphi_b + d2 - d1) / denom;
        }
        if (!std::isfinite(trial)) trial = (a + b) / 2;
        return std::clamp(trial, lo + T(0.1) * width, hi - T(0.1) * width);
    }

    /// Strong-Wolfe search along d from w (value f0, gradient g0). On success fills
    /// w_new, value_new, grad_new. If no Wolfe point is found but some trial lowered the
    /// objective enough (Armijo), that trial is accepted: near the optimum, rounding can
    /// make the curvature test unreachable while the step is still useful.
    template <class Objective, class V>
    bool line_search(Objective& f, const V& w, T f0, const V& g0, const Vector& d,
                     T step, V& w_new, T& value_new, V& grad_new) const {
        const T dphi0 = g0.dot(d);
        if (!(dphi0 < T(0))) return false;
        // Differences of f below this are rounding (a few ulps of f0).
        const T flat = 4 * std::numeric_limits<T>::epsilon() * rounding_scale(f0);
        T best_step = 0, best_value = f0;

        auto probe = [&](T a, T& phi, T& dphi) {
            w_new = w + a * d;
            phi = f.evaluate_with_gradient(w_new, grad_new);
            dphi = grad_new.dot(d);
            if (std::isfinite(phi) && phi <= f0 + c1 * a * dphi0 && phi < best_value) {
                best_value = phi;
                best_step = a;
            }
        };
        auto accept_best = [&]() {
            if (best_step <= T(0)) return false;
            w_new = w + best_step * d;
            value_new = f.evaluate_with_gradient(w_new, grad_new);
            return true;
        };
        auto zoom = [&](T lo, T phi_lo, T dphi_lo, T hi, T phi_hi, T dphi_hi,
                        std::size_t budget) -> bool {
            for (std::size_t j = 0; j < budget; ++j) {
                const T a = interpolate(lo, phi_lo, dphi_lo, hi, phi_hi, dphi_hi);
                T phi, dphi;
                probe(a, phi, dphi);
                if (!std::isfinite(phi) || phi > f0 + c1 * a * dphi0 || phi >= phi_lo) {
                    hi = a;
                    phi_hi = std::isfinite(phi) ? phi : std::numeric_limits<T>::max();
                    dphi_hi = std::isfinite(dphi) ? dphi : T(0);
                } else {
                    if (std::abs(dphi) <= -c2 * dphi0) {
                        value_new = phi;
                        return true;
                    }
                    if (dphi * (hi - lo) >= T(0)) {
                        hi = lo;
                        phi_hi = phi_lo;
                        dphi_hi = dphi_lo;
                    }
                    lo = a;
                    phi_lo = phi;
                    dphi_lo = dphi;
                }
                if (std::abs(hi - lo) <= std::numeric_limits<T>::epsilon() * std::max(T(1), hi)) {
                    break;
                }
                // The bracket's ends no longer differ beyond the rounding of f: further
                // probes only sample noise (float fits near the optimum would spend the
                // whole budget here, one pass over X each).
                if (std::abs(phi_hi - phi_lo) <= flat) break;
            }
            return accept_best();
        };

        T a_prev = 0, phi_prev = f0, dphi_prev = dphi0;
        T a = step;
        for (std::size_t i = 0; i < options_.max_line_search; ++i) {
            T phi, dphi;
            probe(a, phi, dphi);
            const std::size_t left = options_.max_line_search - i - 1;
            if (!std::isfinite(phi)) {  // overshot into overflow: come back
                if (i + 1 == options_.max_line_search) break;
                a = a_prev + (a - a_prev) / 4;
                continue;
            }
            if (phi > f0 + c1 * a * dphi0 || (i > 0 && phi >= phi_prev)) {
                return zoom(a_prev, phi_prev, dphi_prev, a, phi, dphi, std::min(left, kZoomBudget));
            }
            if (std::abs(dphi) <= -c2 * dphi0) {
                value_new = phi;
                return true;
            }
            if (dphi >= T(0)) {
                return zoom(a, phi, dphi, a_prev, phi_prev, dphi_prev, std::min(left, kZoomBudget));
            }
            a_prev = a;
            phi_prev = phi;
            dphi_prev = dphi;
            a *= 2;
        }
        return accept_best();
    }

    /// Interpolation steps of one zoom, as scipy's Wolfe search: a zoom that has not found
    /// a Wolfe point by then is in rounding noise, and each step is a pass over the data.
    static constexpr std::size_t kZoomBudget = 10;

    Options options_;
};

}  // namespace marketlearn::optim
