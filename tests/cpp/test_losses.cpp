// Every loss x regularizer x element type: the gradient of LinearObjective (the fused SIMD
// kernels at the active level) against central finite differences of its own value, the
// proximal L1 step, CSR = dense, and the threaded passes against the serial ones.

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <marketlearn/marketlearn.hpp>

#include "test_support.hpp"

namespace {

using marketlearn::simd::loss_kind;

const loss_kind all_losses[] = {loss_kind::logistic,      loss_kind::squared_error,
                                loss_kind::huber,         loss_kind::hinge,
                                loss_kind::modified_huber, loss_kind::poisson,
                                loss_kind::gamma,         loss_kind::tweedie};

// Targets valid for each loss: signs, real values, counts >= 0, amounts > 0.
template <class T>
std::vector<T> targets_for(loss_kind kind, std::size_t n, std::mt19937_64& rng) {
    std::normal_distribution<double> normal;
    std::vector<T> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double u = normal(rng);
        switch (kind) {
            case loss_kind::logistic:
            case loss_kind::hinge:
            case loss_kind::modified_huber: y[i] = u > 0 ? T(1) : T(-1); break;
            case loss_kind::squared_error:
            case loss_kind::huber: y[i] = static_cast<T>(u); break;
            case loss_kind::poisson:
            case loss_kind::tweedie: y[i] = static_cast<T>(i % 3 == 0 ? 0.0 : std::exp(0.5 * u)); break;
            case loss_kind::gamma: y[i] = static_cast<T>(std::exp(0.5 * u)); break;
        }
    }
    return y;
}

}  // namespace

TEMPLATE_TEST_CASE("every loss x regularizer has a correct gradient", "[losses][gradient]", float,
                   double) {
    using T = TestType;
    using Objective = marketlearn::objective::LinearObjective<T>;
    using Vector = typename Objective::Vector;
    const std::size_t n = 301, d = 6;
    std::mt19937_64 rng(marketlearn_test::seed_for(0x1055));
    std::normal_distribution<double> normal;
    std::vector<T> X(n * d), sw(n);
    for (auto& v : X) v = static_cast<T>(0.5 * normal(rng));
    for (std::size_t i = 0; i < n; ++i) sw[i] = static_cast<T>(0.5 + (i % 4));

    for (loss_kind kind : all_losses) {
        const std::vector<T> y = targets_for<T>(kind, n, rng);
        for (double l1_ratio : {0.0, 0.5, 1.0}) {
            for (double alpha : {0.0, 0.05}) {
                CAPTURE(static_cast<int>(kind), l1_ratio, alpha);
                marketlearn::objective::LinearObjectiveSpec<T> spec;
                spec.loss = kind;
                spec.loss_params.epsilon = T(0.3);
                spec.alpha = T(alpha);
                spec.l1_ratio = T(l1_ratio);
                Objective f(X.data(), n, d, y.data(), sw.data(), spec);
                Vector w(d + 1);
                for (std::size_t j = 0; j <= d; ++j) w[j] = static_cast<T>(0.3 * normal(rng));
                // Away from the kinks of hinge / Huber, where a finite difference straddles
                // two pieces: differences are taken in double precision around w.
                Vector grad;
                f.evaluate_with_gradient(w, grad);
                const double h = std::is_same_v<T, float> ? 1e-2 : 1e-6;
                for (std::size_t j = 0; j <= d; ++j) {
                    Vector up = w, down = w;
                    up[j] += T(h);
                    down[j] -= T(h);
                    const double fd = (static_cast<double>(f.evaluate(up)) -
                                       static_cast<double>(f.evaluate(down))) /
                                      (static_cast<double>(up[j]) - static_cast<double>(down[j]));
                    const double tol = std::is_same_v<T, float> ? 2e-2 : 1e-5;
                    const bool kinked = kind == loss_kind::hinge || kind == loss_kind::huber ||
                                        kind == loss_kind::modified_huber;
                    CHECK(std::abs(fd - grad[j]) <= (kinked ? 5 : 1) * tol * (1 + std::abs(fd)));
                }
                // The L1 part is never in the gradient: it is the proximal step's job.
                if (l1_ratio > 0 && alpha > 0) {
                    CHECK(f.has_nonsmooth_part());
                    Vector shrunk = w;
                    f.proximal(shrunk, T(1));
                    for (std::size_t j = 0; j < d; ++j) {
                        const double t = alpha * l1_ratio;
                        const double expect = std::abs(w[j]) <= t ? 0.0
                                              : w[j] > 0         ? w[j] - t
                                                                 : w[j] + t;
                        CHECK(static_cast<double>(shrunk[j]) == Approx(expect).margin(1e-6));
                    }
                    CHECK(shrunk[d] == w[d]);  // intercept untouched
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("CSR data gives the dense objective and gradient for every loss",
                   "[losses][sparse]", float, double) {
    using T = TestType;
    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    const std::size_t n = 257, d = 9;
    std::mt19937_64 rng(marketlearn_test::seed_for(0xC5A));
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit;
    std::vector<T> X(n * d, T(0)), data;
    std::vector<std::int64_t> indices, indptr{0};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            if (unit(rng) < 0.3) {
                X[i * d + j] = static_cast<T>(normal(rng));
                data.push_back(X[i * d + j]);
                indices.push_back(static_cast<std::int64_t>(j));
            }
        }
        indptr.push_back(static_cast<std::int64_t>(indices.size()));
    }
    for (loss_kind kind : all_losses) {
        CAPTURE(static_cast<int>(kind));
        const std::vector<T> y = targets_for<T>(kind, n, rng);
        marketlearn::objective::LinearObjectiveSpec<T> spec;
        spec.loss = kind;
        spec.alpha = T(0.01);
        marketlearn::objective::LinearObjective<T> dense(X.data(), n, d, y.data(), nullptr, spec);
        marketlearn::objective::LinearObjective<T, marketlearn::objective::CsrDesign<T, std::int64_t>>
            sparse({data.data(), indices.data(), indptr.data(), n, d}, y.data(), nullptr, spec);
        Vector w = Vector::Constant(d + 1, T(0.1)), g_dense, g_sparse;
        const T v_dense = dense.evaluate_with_gradient(w, g_dense);
        const T v_sparse = sparse.evaluate_with_gradient(w, g_sparse);
        const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
        CHECK(static_cast<double>(v_sparse) == Approx(static_cast<double>(v_dense)).epsilon(tol));
        for (std::size_t j = 0; j <= d; ++j) {
            CHECK(static_cast<double>(g_sparse[j]) ==
                  Approx(static_cast<double>(g_dense[j])).epsilon(tol).margin(tol));
        }
    }
}

TEST_CASE("threaded full passes are bitwise identical to serial ones", "[losses][threads]") {
    const std::size_t n = 10000, d = 13;  // several blocks of 2048 rows
    std::mt19937_64 rng(marketlearn_test::seed_for(0x7EAD));
    std::normal_distribution<double> normal;
    std::vector<double> X(n * d);
    for (auto& v : X) v = normal(rng);
    const std::vector<double> y = targets_for<double>(loss_kind::tweedie, n, rng);
    marketlearn::objective::LinearObjectiveSpec<double> spec;
    spec.loss = loss_kind::tweedie;
    spec.alpha = 0.01;
    Eigen::VectorXd w = Eigen::VectorXd::Constant(d + 1, 0.05), g1, g3;
    spec.n_jobs = 1;
    const double v1 = marketlearn::objective::LinearObjective<double>(X.data(), n, d, y.data(),
                                                                      nullptr, spec)
                          .evaluate_with_gradient(w, g1);
    spec.n_jobs = 3;
    const double v3 = marketlearn::objective::LinearObjective<double>(X.data(), n, d, y.data(),
                                                                      nullptr, spec)
                          .evaluate_with_gradient(w, g3);
    CHECK(v1 == v3);
    CHECK(g1 == g3);
}
