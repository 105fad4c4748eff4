#pragma once
/// \file
/// Fork-join over a fixed set of blocks.
///
/// Work is cut into blocks independently of the thread count, each block writes its own
/// result slot, and the caller reduces the slots in block order: so a result is bitwise
/// the same for any n_jobs. Threads are started per call; callers use it only for passes
/// long enough (a full pass over X) that a thread start (~tens of microseconds) is noise.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace marketlearn {

/// Resolves scikit-learn's n_jobs convention: <= 0 counts back from the number of cores
/// (-1 = all cores), 0 is treated like 1.
inline std::size_t resolve_n_jobs(int n_jobs) noexcept {
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (n_jobs > 0) return static_cast<std::size_t>(n_jobs);
    if (n_jobs == 0) return 1;
    return static_cast<std::size_t>(std::max(1, cores + 1 + n_jobs));
}

/// Calls fn(block) once for every block in [0, n_blocks), on up to n_threads threads.
/// An exception thrown by fn is rethrown in the caller after all threads have joined.
template <class Fn>
void parallel_for_blocks(std::size_t n_blocks, std::size_t n_threads, Fn&& fn) {
    n_threads = std::min(n_threads, n_blocks);
    if (n_threads <= 1) {
        for (std::size_t b = 0; b < n_blocks; ++b) fn(b);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (std::size_t b = next.fetch_add(1); b < n_blocks; b = next.fetch_add(1)) {
            try {
                fn(b);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(n_threads - 1);
    for (std::size_t t = 1; t < n_threads; ++t) threads.emplace_back(worker);
    worker();
    for (auto& thread : threads) thread.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace marketlearn
