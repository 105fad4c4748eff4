// End-to-end fits on synthetic logistic data:
//  - fit_logistic_regression (L-BFGS) on 100k x 20 rows: what a churn model on a large
//    customer base costs;
//  - fit_linear with plain SGD, one row per step, on 100k x 100 rows for 5 epochs (the
//    SGD case of bench/compare.py): items/s counts one-row steps, so its inverse is the
//    cost of one step.
// Uses the active SIMD level; compare levels with MARKETLEARN_SIMD=sse2 / avx2.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "marketlearn/marketlearn.hpp"

namespace {

template <class T>
struct FitData {
    std::size_t rows, cols;
    std::vector<T> X, y;

    FitData(std::size_t r, std::size_t c) : rows(r), cols(c), X(r * c), y(r) {
        std::mt19937_64 rng(42);
        std::normal_distribution<double> normal(0.0, 1.0);
        std::uniform_real_distribution<double> unif(0.0, 1.0);
        std::vector<double> coef(c);
        for (auto& b : coef) b = normal(rng) / std::sqrt(double(c)) * 2.0;
        for (std::size_t i = 0; i < r; ++i) {
            double z = -0.5;
            for (std::size_t j = 0; j < c; ++j) {
                const double x = normal(rng);
                X[i * c + j] = static_cast<T>(x);
                z += x * coef[j];
            }
            y[i] = unif(rng) < 1.0 / (1.0 + std::exp(-z)) ? T(1) : T(0);
        }
    }
};

template <class T>
void bench_fit_lbfgs(benchmark::State& state) {
    const FitData<T> d(static_cast<std::size_t>(state.range(0)),
                       static_cast<std::size_t>(state.range(1)));
    marketlearn::models::LogisticRegressionOptions<T> options;
    options.alpha = T(1e-4);
    options.solver = marketlearn::models::Solver::lbfgs;
    std::size_t iterations = 0;
    for (auto _ : state) {
        auto fit = marketlearn::models::fit_logistic_regression<T>(d.X.data(), d.rows, d.cols,
                                                                   d.y.data(), nullptr, options);
        iterations = fit.result.iterations;
        benchmark::DoNotOptimize(fit.model.coef.data());
    }
    state.counters["lbfgs_iterations"] = static_cast<double>(iterations);
    state.SetLabel(std::string("simd=") +
                   marketlearn::simd::name(marketlearn::simd::kernels<T>().simd_level));
}

BENCHMARK_TEMPLATE(bench_fit_lbfgs, float)
    ->Args({100000, 20})
    ->ArgNames({"rows", "cols"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(bench_fit_lbfgs, double)
    ->Args({100000, 20})
    ->ArgNames({"rows", "cols"})
    ->Unit(benchmark::kMillisecond);

/// scikit-learn SGDClassifier(loss="log_loss", learning_rate="optimal", alpha=1e-4,
/// max_iter=5, tol=None): a fixed number of epochs, no early stop.
template <class T>
void bench_fit_sgd_batch1(benchmark::State& state) {
    const FitData<T> d(static_cast<std::size_t>(state.range(0)),
                       static_cast<std::size_t>(state.range(1)));
    std::vector<T> y(d.y.size());  // the classification losses see labels as -1 / +1
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = d.y[i] > T(0) ? T(1) : T(-1);
    marketlearn::models::LinearFitOptions<T> options;
    options.loss = marketlearn::simd::loss_kind::logistic;
    options.alpha = T(1e-4);
    options.optimizer = marketlearn::models::Optimizer::sgd;
    options.batch_size = 1;
    options.schedule.kind = marketlearn::optim::ScheduleKind::optimal;
    options.max_iter = static_cast<std::size_t>(state.range(2));
    options.tol = T(0);
    std::size_t updates = 0;
    for (auto _ : state) {
        auto fit = marketlearn::models::fit_linear<T>(d.X.data(), d.rows, d.cols, y.data(),
                                                      nullptr, options);
        updates = fit.result.updates;
        benchmark::DoNotOptimize(fit.model.coef.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * updates));
    state.SetLabel(std::string("simd=") +
                   marketlearn::simd::name(marketlearn::simd::kernels<T>().simd_level));
}

BENCHMARK_TEMPLATE(bench_fit_sgd_batch1, float)
    ->Args({100000, 100, 5})
    ->ArgNames({"rows", "cols", "epochs"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(bench_fit_sgd_batch1, double)
    ->Args({100000, 100, 5})
    ->ArgNames({"rows", "cols", "epochs"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
