// The fixed cost of one parallel_for_blocks (core/thread_pool.hpp), which every threaded
// pass pays (a k-means fit runs ~100 of them):
//  - fork_join: an almost empty job back to back, the workers still spinning from the
//    previous one; the per-call overhead of the pool;
//  - thread_start_join: one std::thread started and joined, what every call cost before
//    the pool (threads were started per call);
//  - fork_join_after_sleep: a job that needs a worker (two blocks that wait for each
//    other) after the caller slept sleep_us: below the pool's spin time the worker is
//    still spinning, above it it sleeps and this times its wake-up.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

#include "marketlearn/core/parallel.hpp"

namespace {

void bench_fork_join(benchmark::State& state) {
    const auto n_threads = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        marketlearn::parallel_for_blocks(n_threads, n_threads,
                                         [](std::size_t b) { benchmark::DoNotOptimize(b); });
    }
}

void bench_thread_start_join(benchmark::State& state) {
    for (auto _ : state) {
        std::thread t([] { benchmark::ClobberMemory(); });
        t.join();
    }
}

void bench_fork_join_after_sleep(benchmark::State& state) {
    const auto pause = std::chrono::microseconds(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        std::this_thread::sleep_for(pause);
        state.ResumeTiming();
        std::atomic<int> arrived{0};
        marketlearn::parallel_for_blocks(2, 2, [&](std::size_t) {
            arrived.fetch_add(1);
            while (arrived.load() < 2) std::this_thread::yield();
        });
    }
}

}  // namespace

BENCHMARK(bench_fork_join)->Arg(2)->Arg(4)->ArgName("threads")->Unit(benchmark::kMicrosecond);
BENCHMARK(bench_thread_start_join)->Unit(benchmark::kMicrosecond);
BENCHMARK(bench_fork_join_after_sleep)
    ->Arg(50)
    ->Arg(1000)
    ->Arg(250000)
    ->ArgName("sleep_us")
    ->Iterations(10)
    ->Unit(benchmark::kMicrosecond);
