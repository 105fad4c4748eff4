// LogisticObjective: values and gradients against a long-double reference and central
// finite differences, mini-batches, block sums that add up, and shuffling.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/objective/linear_objective.hpp"
#include "marketlearn/objective/logistic_objective.hpp"
#include "marketlearn/objective/traits.hpp"
#include "test_support.hpp"

using marketlearn::objective::LogisticObjective;
using marketlearn_test::LogisticData;
using marketlearn_test::make_logistic_data;
using marketlearn_test::ref_objective;
using marketlearn_test::seed_for;

namespace {

template <class T>
using Vec = typename LogisticObjective<T>::Vector;

template <class T>
Vec<T> random_point(std::size_t n, std::uint64_t seed, double scale = 0.5) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, scale);
    Vec<T> w(static_cast<Eigen::Index>(n));
    for (Eigen::Index j = 0; j < w.size(); ++j) w[j] = static_cast<T>(normal(rng));
    return w;
}

template <class T>
std::vector<long double> to_long_double(const Vec<T>& w) {
    return std::vector<long double>(w.data(), w.data() + w.size());
}

/// Finite-difference settings per type: step and the accepted error relative to
/// max(1, |gradient|). Float: rounding in f (~1e-7) over a step of 1e-2 dominates.
template <class T>
struct FiniteDifference {
    static constexpr double step = sizeof(T) == 4 ? 1e-2 : 1e-5;
    static constexpr double tol = sizeof(T) == 4 ? 2e-3 : 1e-7;
};

/// Central differences of value(w) in every coordinate, compared with `grad`; returns
/// the worst |fd - grad| / max(1, |grad|).
template <class T, class ValueFn>
double worst_finite_difference_error(ValueFn value, const Vec<T>& w, const Vec<T>& grad) {
    double worst = 0;
    for (Eigen::Index j = 0; j < w.size(); ++j) {
        const T h = static_cast<T>(FiniteDifference<T>::step * std::max(1.0, std::fabs(double(w[j]))));
        Vec<T> wp = w, wm = w;
        wp[j] += h;
        wm[j] -= h;
        const double fd = (double(value(wp)) - double(value(wm))) / (double(wp[j]) - double(wm[j]));
        worst = std::max(worst, std::fabs(fd - double(grad[j])) / std::max(1.0, std::fabs(double(grad[j]))));
    }
    return worst;
}

template <class T>
constexpr double value_tol() {
    return sizeof(T) == 4 ? 2e-6 : 1e-13;
}

}  // namespace

TEMPLATE_TEST_CASE("LogisticObjective matches the long-double reference", "[objective]", float,
                   double) {
    using T = TestType;
    // More rows than one kernel block (2048), so the block partial sums are exercised.
    const auto d = make_logistic_data<T>(2 * 2048 + 37, 11, seed_for(201));
    for (bool fit_intercept : {true, false}) {
        for (bool weighted : {false, true}) {
            INFO("fit_intercept=" << fit_intercept << ", weighted=" << weighted);
            const T* sw = weighted ? d.weight.data() : nullptr;
            const double alpha = 0.05;
            LogisticObjective<T> f(d.X.data(), d.n_rows, d.n_cols, d.y_pm1.data(), sw, T(alpha),
                                   fit_intercept);
            REQUIRE(f.num_functions() == d.n_rows);
            REQUIRE(f.num_parameters() == d.n_cols + (fit_intercept ? 1 : 0));
            const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(202));

            std::vector<long double> ref_grad;
            const long double ref = ref_objective(d, sw, alpha, fit_intercept, to_long_double<T>(w),
                                                  &ref_grad);
            Vec<T> grad;
            const T value = f.evaluate_with_gradient(w, grad);
            REQUIRE(grad.size() == w.size());
            CHECK(double(value) == Approx(double(ref)).epsilon(value_tol<T>()));
            for (Eigen::Index j = 0; j < w.size(); ++j) {
                INFO("grad[" << j << "]");
                CHECK(double(grad[j]) ==
                      Approx(double(ref_grad[j])).epsilon(10 * value_tol<T>()).margin(10 * value_tol<T>()));
            }
            // evaluate() is the same number as evaluate_with_gradient()'s value.
            CHECK(double(f.evaluate(w)) == Approx(double(value)).epsilon(value_tol<T>()));
        }
    }
}

TEMPLATE_TEST_CASE("LogisticObjective gradients pass a central finite-difference check",
                   "[objective][gradient]", float, double) {
    using T = TestType;
    const auto d = make_logistic_data<T>(203, 6, seed_for(203));
    for (bool fit_intercept : {true, false}) {
        for (bool weighted : {false, true}) {
            const T* sw = weighted ? d.weight.data() : nullptr;
            LogisticObjective<T> f(d.X.data(), d.n_rows, d.n_cols, d.y_pm1.data(), sw, T(0.01),
                                   fit_intercept);
            const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(204));
            Vec<T> grad;

            SECTION("full batch, fit_intercept=" + std::to_string(fit_intercept) +
                    ", weighted=" + std::to_string(weighted)) {
                f.evaluate_with_gradient(w, grad);
                const double err = worst_finite_difference_error<T>(
                    [&](const Vec<T>& v) { return f.evaluate(v); }, w, grad);
                CHECK(err <= FiniteDifference<T>::tol);
            }
            SECTION("mini-batch, fit_intercept=" + std::to_string(fit_intercept) +
                    ", weighted=" + std::to_string(weighted)) {
                for (bool shuffled : {false, true}) {
                    INFO("shuffled=" << shuffled);
                    if (shuffled) {
                        std::mt19937_64 rng(seed_for(205));
                        f.shuffle(rng);
                    }
                    for (auto range : {std::pair<std::size_t, std::size_t>{0, 1},
                                       {3, 17},
                                       {150, 53},
                                       {0, 203}}) {
                        const std::size_t begin = range.first, batch = range.second;
                        INFO("batch [" << begin << ", " << begin + batch << ")");
                        Vec<T> g;
                        f.evaluate_with_gradient(w, begin, batch, g);
                        const double err = worst_finite_difference_error<T>(
                            [&](const Vec<T>& v) {
                                Vec<T> scratch;
                                return f.evaluate_with_gradient(v, begin, batch, scratch);
                            },
                            w, g);
                        CHECK(err <= FiniteDifference<T>::tol);
                    }
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("mini-batches estimate the full objective without bias", "[objective][batch]",
                   float, double) {
    using T = TestType;
    // 240 rows = 8 batches of 30: the batch estimates average to the full objective.
    const auto d = make_logistic_data<T>(240, 5, seed_for(206));
    for (bool weighted : {false, true}) {
        INFO("weighted=" << weighted);
        LogisticObjective<T> f(d.X.data(), d.n_rows, d.n_cols, d.y_pm1.data(),
                               weighted ? d.weight.data() : nullptr, T(0.1), true);
        const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(207));
        Vec<T> full_grad;
        const T full = f.evaluate_with_gradient(w, full_grad);
        for (bool shuffled : {false, true}) {
            INFO("shuffled=" << shuffled);
            if (shuffled) {
                std::mt19937_64 rng(seed_for(208));
                f.shuffle(rng);
            }
            // One batch holding every row is the full objective.
            Vec<T> g;
            CHECK(double(f.evaluate_with_gradient(w, 0, d.n_rows, g)) ==
                  Approx(double(full)).epsilon(value_tol<T>()));
            for (Eigen::Index j = 0; j < w.size(); ++j) {
                CHECK(double(g[j]) == Approx(double(full_grad[j])).epsilon(1e-5).margin(value_tol<T>()));
            }
            // The mean of the estimates over disjoint equal batches is the full objective.
            double mean_value = 0;
            Vec<T> mean_grad = Vec<T>::Zero(w.size());
            const std::size_t batch = 30, n_batches = d.n_rows / batch;
            for (std::size_t b = 0; b < n_batches; ++b) {
                mean_value += double(f.evaluate_with_gradient(w, b * batch, batch, g)) / n_batches;
                mean_grad += g / T(n_batches);
            }
            CHECK(mean_value == Approx(double(full)).epsilon(10 * value_tol<T>()));
            for (Eigen::Index j = 0; j < w.size(); ++j) {
                CHECK(double(mean_grad[j]) ==
                      Approx(double(full_grad[j])).epsilon(1e-5).margin(10 * value_tol<T>()));
            }
        }
    }
}

TEMPLATE_TEST_CASE("a large mini-batch is summed in parts with the same bits on any n_jobs",
                   "[objective][batch][threads]", float, double) {
    using T = TestType;
    // 40 columns: batches of 1000 rows are 160-320 KB, several parts of batch_pass. Rows
    // shuffled and in storage order (both are split).
    const auto d = make_logistic_data<T>(3000, 40, seed_for(215));
    marketlearn::objective::LinearObjectiveSpec<T> spec;
    spec.alpha = T(0.01);
    for (const bool shuffled : {true, false}) {
        CAPTURE(shuffled);
        std::vector<Vec<T>> grads;
        std::vector<T> values;
        for (std::size_t n_jobs : {1, 2, 3, 8}) {
            spec.n_jobs = n_jobs;
            marketlearn::objective::LinearObjective<T> f(d.X.data(), d.n_rows, d.n_cols,
                                                         d.y_pm1.data(), d.weight.data(), spec);
            std::mt19937_64 rng(seed_for(216));
            if (shuffled) f.shuffle(rng);
            const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(217));
            Vec<T> g;
            values.push_back(f.evaluate_with_gradient(w, 1000, 1000, g));
            grads.push_back(g);
            // A batch of every row is the full objective: the parts cover each row once.
            Vec<T> full_grad, all_grad;
            const T full = f.evaluate_with_gradient(w, full_grad);
            CHECK(double(f.evaluate_with_gradient(w, 0, d.n_rows, all_grad)) ==
                  Approx(double(full)).epsilon(value_tol<T>()));
            for (Eigen::Index j = 0; j < w.size(); ++j) {
                CHECK(double(all_grad[j]) ==
                      Approx(double(full_grad[j])).epsilon(1e-5).margin(value_tol<T>()));
            }
        }
        for (std::size_t i = 1; i < values.size(); ++i) {
            CHECK(values[i] == values[0]);
            CHECK((grads[i].array() == grads[0].array()).all());
        }
    }
}

TEMPLATE_TEST_CASE("sum_over_block over two halves adds up to the full sums",
                   "[objective][block_sums]", float, double) {
    using T = TestType;
    const auto d = make_logistic_data<T>(1001, 7, seed_for(209));
    for (bool fit_intercept : {true, false}) {
        for (bool weighted : {false, true}) {
            for (bool shuffled : {false, true}) {
                INFO("fit_intercept=" << fit_intercept << ", weighted=" << weighted
                                      << ", shuffled=" << shuffled);
                const T* sw = weighted ? d.weight.data() : nullptr;
                const double alpha = 0.2;
                LogisticObjective<T> f(d.X.data(), d.n_rows, d.n_cols, d.y_pm1.data(), sw, T(alpha),
                                       fit_intercept);
                if (shuffled) {
                    std::mt19937_64 rng(seed_for(210));
                    f.shuffle(rng);
                }
                const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(211));
                const std::size_t half = 500;  // uneven halves: 500 + 501
                Vec<T> ga, gb;
                const auto a = f.sum_over_block(w, 0, half, ga);
                const auto b = f.sum_over_block(w, half, d.n_rows - half, gb);
                auto sums = a;
                sums += b;

                long double W = 0;
                for (std::size_t i = 0; i < d.n_rows; ++i) W += sw ? sw[i] : 1;
                CHECK(sums.weight == Approx(double(W)).epsilon(1e-12));
                CHECK(double(a.weight + b.weight) == Approx(double(W)).epsilon(1e-12));
                CHECK(double(f.total_weight()) == Approx(double(W)).epsilon(1e-12));

                // The driver's recipe: divide the summed loss and gradient by W, add the penalty.
                Vec<T> full_grad;
                const T full = f.evaluate_with_gradient(w, full_grad);
                const double penalty = double(f.penalty(w));
                CHECK(sums.loss / sums.weight + penalty == Approx(double(full)).epsilon(value_tol<T>()));
                const Vec<T> driver_grad = (ga + gb) / static_cast<T>(sums.weight);
                for (std::size_t j = 0; j < d.n_cols; ++j) {
                    INFO("grad[" << j << "]");
                    CHECK(double(driver_grad[j]) + alpha * double(w[j]) ==
                          Approx(double(full_grad[j])).epsilon(1e-5).margin(10 * value_tol<T>()));
                }
                if (fit_intercept) {
                    CHECK(double(driver_grad[d.n_cols]) ==
                          Approx(double(full_grad[d.n_cols])).epsilon(1e-5).margin(10 * value_tol<T>()));
                }
                // And against the long-double reference, unnormalized.
                std::vector<long double> ref_grad;
                const long double ref = ref_objective(d, sw, 0.0, fit_intercept, to_long_double<T>(w),
                                                      &ref_grad);
                CHECK(sums.loss == Approx(double(ref * W)).epsilon(value_tol<T>()));
            }
        }
    }
}

TEMPLATE_TEST_CASE("shuffling keeps the full objective unchanged", "[objective][shuffle]", float,
                   double) {
    using T = TestType;
    const auto d = make_logistic_data<T>(517, 9, seed_for(212));
    LogisticObjective<T> f(d.X.data(), d.n_rows, d.n_cols, d.y_pm1.data(), d.weight.data(), T(0.01),
                           true);
    const Vec<T> w = random_point<T>(f.num_parameters(), seed_for(213));
    Vec<T> g0, g1;
    const T v0 = f.evaluate_with_gradient(w, g0);
    const T e0 = f.evaluate(w);
    Vec<T> block_before;
    const auto sums_before = f.sum_over_block(w, 0, d.n_rows, block_before);

    std::mt19937_64 rng(seed_for(214));
    for (int round = 0; round < 3; ++round) {
        f.shuffle(rng);
        const T v1 = f.evaluate_with_gradient(w, g1);
        CHECK(v1 == v0);  // full passes ignore the visiting order
        CHECK(f.evaluate(w) == e0);
        CHECK((g1 - g0).cwiseAbs().maxCoeff() == T(0));
        // A block covering every row, in the shuffled order: same sums up to rounding.
        Vec<T> block_after;
        const auto sums_after = f.sum_over_block(w, 0, d.n_rows, block_after);
        CHECK(sums_after.loss == Approx(sums_before.loss).epsilon(value_tol<T>() * 10));
        CHECK(sums_after.weight == Approx(sums_before.weight).epsilon(1e-12));
        for (Eigen::Index j = 0; j < w.size(); ++j) {
            CHECK(double(block_after[j]) == Approx(double(block_before[j])).epsilon(1e-5).margin(1e-3));
        }
    }
}

TEMPLATE_TEST_CASE("GLM full passes add the terms in y alone once and give the half deviance",
                   "[objective][glm]", float, double) {
    using T = TestType;
    using marketlearn::simd::loss_kind;
    // Full passes sum the y-only terms once per fit (loss_params::with_constant = false in
    // the kernels); a batch of every row evaluates them per row. Both must equal the mean
    // half deviance written out here in long double.
    std::mt19937_64 rng(seed_for(230));
    std::normal_distribution<double> normal(0.0, 0.5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::size_t n = 301, d = 4;
    std::vector<T> X(n * d), y(n), sw(n);
    for (auto& v : X) v = static_cast<T>(normal(rng));
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = static_cast<T>(i % 4 == 0 ? 0.0 : 3 * unit(rng) + 0.05);
        sw[i] = static_cast<T>(0.5 + unit(rng));
    }
    const T power = T(1.4);
    for (loss_kind kind : {loss_kind::poisson, loss_kind::gamma, loss_kind::tweedie}) {
        INFO("loss " << static_cast<int>(kind));
        std::vector<T> yk = y;
        if (kind == loss_kind::gamma) {
            for (auto& v : yk) v = v > T(0) ? v : T(0.7);  // Gamma needs y > 0
        }
        marketlearn::objective::LinearObjectiveSpec<T> spec;
        spec.loss = kind;
        spec.loss_params.power = power;
        spec.n_jobs = 2;
        marketlearn::objective::LinearObjective<T> f(X.data(), n, d, yk.data(), sw.data(), spec);
        Eigen::Matrix<T, Eigen::Dynamic, 1> w(d + 1), g;
        for (Eigen::Index j = 0; j <= Eigen::Index(d); ++j) w[j] = static_cast<T>(0.3 * normal(rng));
        long double ref = 0, total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            long double z = w[Eigen::Index(d)];
            for (std::size_t j = 0; j < d; ++j) z += (long double)X[i * d + j] * w[Eigen::Index(j)];
            const long double yi = yk[i], mu = std::exp(z);
            long double dev;
            if (kind == loss_kind::poisson) {
                dev = mu - yi * z + (yi > 0 ? yi * std::log(yi) : 0.0L) - yi;
            } else if (kind == loss_kind::gamma) {
                dev = z - std::log(yi) + yi / mu - 1;
            } else {
                const long double p = power;
                dev = (yi > 0 ? std::pow(yi, 2 - p) / ((1 - p) * (2 - p)) : 0.0L) -
                      yi * std::pow(mu, 1 - p) / (1 - p) + std::pow(mu, 2 - p) / (2 - p);
            }
            ref += sw[i] * dev;
            total += sw[i];
        }
        ref /= total;
        const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
        CHECK(double(f.evaluate(w)) == Approx(double(ref)).epsilon(tol));
        CHECK(double(f.evaluate_with_gradient(w, g)) == Approx(double(ref)).epsilon(tol));
        CHECK(double(f.evaluate_with_gradient(w, 0, n, g)) == Approx(double(ref)).epsilon(tol));
    }
}

TEST_CASE("LogisticObjective rejects bad arguments", "[objective][errors]") {
    const auto d = make_logistic_data<double>(20, 3, seed_for(215));
    using marketlearn::invalid_argument;
    CHECK_THROWS_AS(LogisticObjective<double>(d.X.data(), 0, 3, d.y_pm1.data(), nullptr, 0.1, true),
                    invalid_argument);
    CHECK_THROWS_WITH(LogisticObjective<double>(d.X.data(), 20, 3, d.y_pm1.data(), nullptr, -1.0, true),
                      Catch::Contains("alpha"));
    std::vector<double> zero_weights(20, 0.0);
    CHECK_THROWS_WITH(
        LogisticObjective<double>(d.X.data(), 20, 3, d.y_pm1.data(), zero_weights.data(), 0.1, true),
        Catch::Contains("sample_weight"));

    LogisticObjective<double> f(d.X.data(), 20, 3, d.y_pm1.data(), nullptr, 0.1, true);
    Eigen::VectorXd wrong(3), grad;  // needs 4: 3 coefficients + intercept
    wrong.setZero();
    CHECK_THROWS_AS(f.evaluate(wrong), invalid_argument);
    CHECK_THROWS_AS(f.evaluate_with_gradient(wrong, grad), invalid_argument);
    Eigen::VectorXd w = Eigen::VectorXd::Zero(4);
    CHECK_THROWS_AS(f.evaluate_with_gradient(w, 15, 10, grad), invalid_argument);
    CHECK_THROWS_AS(f.evaluate_with_gradient(w, 0, 0, grad), invalid_argument);
    CHECK_THROWS_AS(f.sum_over_block(w, 15, 10, grad), invalid_argument);
}

namespace {
struct OnlyEvaluate {
    double evaluate(const Eigen::VectorXd&) const { return 0; }
};
}  // namespace

TEST_CASE("objective traits detect what an optimizer needs", "[objective][traits]") {
    namespace tr = marketlearn::objective::detail;
    using V = Eigen::VectorXd;
    STATIC_REQUIRE(tr::has_evaluate<LogisticObjective<double>, V>::value);
    STATIC_REQUIRE(tr::has_evaluate_with_gradient<LogisticObjective<double>, V>::value);
    STATIC_REQUIRE(tr::has_batch_gradient<LogisticObjective<double>, V>::value);
    STATIC_REQUIRE(tr::has_num_functions<LogisticObjective<double>>::value);
    STATIC_REQUIRE(tr::has_shuffle<LogisticObjective<double>>::value);
    STATIC_REQUIRE(tr::has_evaluate<OnlyEvaluate, V>::value);
    STATIC_REQUIRE_FALSE(tr::has_evaluate_with_gradient<OnlyEvaluate, V>::value);
    STATIC_REQUIRE_FALSE(tr::has_shuffle<OnlyEvaluate>::value);
}
