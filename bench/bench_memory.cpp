// What the machine can read, for comparing the fits' X throughput with: a plain sum over
// the rows of a 1,000,000 x 100 double X (800 MB, the harness's size), in storage order
// or in a shuffled order, with software prefetch `prefetch_rows` rows ahead, on 1 or 2
// threads (each sums its own half of the visiting order).
//
// Shuffled rows are what one-row SGD steps and shuffled mini-batches read. Each row is 13
// scattered cache lines, and a core keeps only so many lines in flight (the L1 miss
// buffers), so shuffled reads top out well below the streaming bandwidth however far
// ahead they are requested: this is the ceiling those fits are measured against.
//   build/dev/bench/marketlearn_bench --benchmark_filter=read_rows
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace {

constexpr std::size_t k_rows = 1'000'000, k_cols = 100;

struct RowsUnderTest {
    std::vector<double> X;
    std::vector<std::size_t> storage_order, shuffled_order;
    RowsUnderTest() : X(k_rows * k_cols), storage_order(k_rows) {
        for (std::size_t i = 0; i < X.size(); ++i) X[i] = static_cast<double>(i % 7);
        std::iota(storage_order.begin(), storage_order.end(), std::size_t{0});
        shuffled_order = storage_order;
        std::mt19937_64 rng(1);
        std::shuffle(shuffled_order.begin(), shuffled_order.end(), rng);
    }
};

const RowsUnderTest& rows_under_test() {
    static const RowsUnderTest data;  // built once, by the first benchmark that runs
    return data;
}

double sum_row(const double* __restrict x) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t j = 0; j < k_cols; j += 4) {
        s0 += x[j];
        s1 += x[j + 1];
        s2 += x[j + 2];
        s3 += x[j + 3];
    }
    return (s0 + s1) + (s2 + s3);
}

void bench_read_rows(benchmark::State& state) {
    const RowsUnderTest& data = rows_under_test();
    const bool shuffled = state.range(0) != 0;
    const auto ahead = static_cast<std::size_t>(state.range(1));
    const std::vector<std::size_t>& order = shuffled ? data.shuffled_order : data.storage_order;
    const auto threads = static_cast<std::size_t>(state.threads());
    const auto me = static_cast<std::size_t>(state.thread_index());
    const std::size_t begin = k_rows / threads * me;
    const std::size_t end = me + 1 == threads ? k_rows : k_rows / threads * (me + 1);
    const double* X = data.X.data();
    for (auto _ : state) {
        double total = 0;
        for (std::size_t p = begin; p < end; ++p) {
            if (ahead > 0 && p + ahead < end) {
                const char* next = reinterpret_cast<const char*>(X + order[p + ahead] * k_cols);
                for (std::size_t b = 0; b < k_cols * sizeof(double); b += 64) {
                    __builtin_prefetch(next + b, 0, 3);
                }
            }
            total += sum_row(X + order[p] * k_cols);
        }
        benchmark::DoNotOptimize(total);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>((end - begin) * k_cols * sizeof(double)));
}

}  // namespace

// Args: shuffled (0 / 1), prefetch distance in rows (0: none).
BENCHMARK(bench_read_rows)
    ->ArgNames({"shuffled", "prefetch_rows"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({1, 4})
    ->Args({1, 16})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
