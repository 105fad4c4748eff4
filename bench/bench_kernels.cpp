// Kernel throughput per SIMD level and element type.
//
// Every level this machine runs is benchmarked from the same binary (the tables come from
// the runtime dispatch units), so the rows of the report compare instruction sets
// directly. bytes_per_second counts the bytes a kernel must read (and write), so the
// large sizes can be compared with the machine's memory bandwidth: a kernel at that
// bandwidth is memory-bound and no more SIMD work will speed it up.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "marketlearn/simd/dispatch.hpp"

namespace simd = marketlearn::simd;

namespace {

template <class T>
std::vector<T> normal_vector(std::size_t n, std::uint64_t seed, double scale = 1.0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, scale);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(normal(rng));
    return v;
}

template <class T>
const char* type_name() {
    return sizeof(T) == 4 ? "float" : "double";
}

// ---- dot / axpy: n elements ---------------------------------------------------------------

template <class T>
void bench_dot(benchmark::State& state, const simd::kernel_table<T>* k) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto x = normal_vector<T>(n, 1), y = normal_vector<T>(n, 2);
    for (auto _ : state) {
        T s = k->dot(x.data(), y.data(), n);
        benchmark::DoNotOptimize(s);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(2 * n * sizeof(T)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
}

template <class T>
void bench_axpy(benchmark::State& state, const simd::kernel_table<T>* k) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto x = normal_vector<T>(n, 1);
    auto y = normal_vector<T>(n, 2);
    // Alternating signs keep y bounded however many iterations run.
    T a = static_cast<T>(1e-3);
    for (auto _ : state) {
        k->axpy(a, x.data(), y.data(), n);
        a = -a;
        benchmark::ClobberMemory();
    }
    // Reads x and y, writes y.
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(3 * n * sizeof(T)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
}

// ---- fused logistic loss + gradient: rows x cols ---------------------------------------

template <class T>
struct LogisticProblem {
    std::size_t rows, cols;
    std::vector<T> X, y, sw, w;
    std::vector<std::size_t> order;

    LogisticProblem(std::size_t r, std::size_t c) : rows(r), cols(c) {
        X = normal_vector<T>(r * c, 3);
        w = normal_vector<T>(c, 4, 1.0 / std::sqrt(double(c)));
        y.resize(r);
        sw.resize(r);
        std::mt19937_64 rng(5);
        std::bernoulli_distribution coin(0.3);
        for (std::size_t i = 0; i < r; ++i) {
            y[i] = coin(rng) ? T(1) : T(-1);
            sw[i] = T(1) + T(i % 3);
        }
        order.resize(r);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
    }
};

/// indexed: rows visited through a shuffled index list (SGD after shuffle), otherwise
/// contiguous (full-batch passes).
template <class T>
void bench_logistic_loss_grad(benchmark::State& state, const simd::kernel_table<T>* k,
                              bool indexed) {
    const auto rows = static_cast<std::size_t>(state.range(0));
    const auto cols = static_cast<std::size_t>(state.range(1));
    const LogisticProblem<T> p(rows, cols);
    std::vector<T> grad(cols, T(0));
    T grad_intercept = 0;
    for (auto _ : state) {
        std::fill(grad.begin(), grad.end(), T(0));
        grad_intercept = 0;
        T loss = k->logistic_loss_grad(p.X.data(), cols, indexed ? p.order.data() : nullptr, rows,
                                       p.y.data(), p.sw.data(), p.w.data(), T(0.1), grad.data(),
                                       &grad_intercept);
        benchmark::DoNotOptimize(loss);
        benchmark::DoNotOptimize(grad.data());
        benchmark::ClobberMemory();
    }
    // X once, plus labels and weights (and the index list when indexed).
    const std::size_t bytes = rows * cols * sizeof(T) + 2 * rows * sizeof(T) +
                              (indexed ? rows * sizeof(std::size_t) : 0);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(rows));  // items = rows
}

// ---- linear_predict: the scoring pass of predict / predict_proba, rows x cols ----------

template <class T>
void bench_linear_predict(benchmark::State& state, const simd::kernel_table<T>* k) {
    const auto rows = static_cast<std::size_t>(state.range(0));
    const auto cols = static_cast<std::size_t>(state.range(1));
    const auto X = normal_vector<T>(rows * cols, 3);
    const auto w = normal_vector<T>(cols, 4, 1.0 / std::sqrt(double(cols)));
    std::vector<T> scores(rows);
    for (auto _ : state) {
        k->linear_predict(X.data(), rows, cols, w.data(), T(0.1), scores.data());
        benchmark::DoNotOptimize(scores.data());
        benchmark::ClobberMemory();
    }
    // Reads X, writes one score per row.
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>((rows * cols + rows) * sizeof(T)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(rows));
}

// ---- log_sum_exp: n pairs (the per-customer step of a BG/NBD fit) -----------------------

template <class T>
void bench_log_sum_exp(benchmark::State& state, const simd::kernel_table<T>* k) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto a = normal_vector<T>(n, 1, 5.0), b = normal_vector<T>(n, 2, 5.0);
    std::vector<T> lse(n), w(n);
    for (auto _ : state) {
        k->log_sum_exp(a.data(), b.data(), lse.data(), w.data(), n);
        benchmark::DoNotOptimize(lse.data());
        benchmark::DoNotOptimize(w.data());
        benchmark::ClobberMemory();
    }
    // Reads a and b, writes lse and w; items = pairs (one exp and one log1p each).
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(4 * n * sizeof(T)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
}

template <class T>
void register_level(simd::level l) {
    const simd::kernel_table<T>* k = simd::find_kernel_table<T>(l);
    if (k == nullptr) return;
    const std::string suffix = std::string("<") + type_name<T>() + ">/" + simd::name(l);

    benchmark::RegisterBenchmark(("dot" + suffix).c_str(), bench_dot<T>, k)
        ->RangeMultiplier(4)
        ->Range(1 << 12, 1 << 22);
    benchmark::RegisterBenchmark(("axpy" + suffix).c_str(), bench_axpy<T>, k)
        ->RangeMultiplier(4)
        ->Range(1 << 12, 1 << 22);
    benchmark::RegisterBenchmark(("logistic_loss_grad" + suffix).c_str(),
                                 bench_logistic_loss_grad<T>, k, false)
        ->Args({2000, 100})  // 1.6 MB (double): from cache, so compute-bound
        ->Args({100000, 20})
        ->Args({100000, 100})
        ->Args({1000000, 100})  // 0.8 GB (double): from memory, the 1M x 100 fit case
        ->ArgNames({"rows", "cols"})
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("linear_predict" + suffix).c_str(), bench_linear_predict<T>, k)
        ->Args({2000, 100})     // from cache
        ->Args({1000000, 100})  // 0.8 GB (double): the predict_proba case of compare.py
        ->ArgNames({"rows", "cols"})
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("log_sum_exp" + suffix).c_str(), bench_log_sum_exp<T>, k)
        ->Arg(64)  // one chunk of the BG/NBD block loop
        ->Arg(1 << 16);
    benchmark::RegisterBenchmark(("logistic_loss_grad_indexed" + suffix).c_str(),
                                 bench_logistic_loss_grad<T>, k, true)
        ->Args({100000, 20})
        ->Args({100000, 100})
        ->ArgNames({"rows", "cols"})
        ->Unit(benchmark::kMicrosecond);
}

/// Registers every kernel for every level this machine runs, before benchmark_main runs.
const bool registered = [] {
    for (simd::level l : simd::available_levels()) {
        register_level<float>(l);
        register_level<double>(l);
    }
    benchmark::AddCustomContext("marketlearn.simd.available", [] {
        std::string s;
        for (simd::level l : simd::available_levels()) s += std::string(s.empty() ? "" : ",") + simd::name(l);
        return s;
    }());
    return true;
}();

}  // namespace
