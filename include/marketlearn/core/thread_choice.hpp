#pragma once
/// \file
/// Whether a stream of short, repeated jobs (the mini-batches of an SGD epoch) should run
/// on the thread pool or inline, decided by timing both.
///
/// A mini-batch of 256 rows is ~10-40 microseconds of work. Split over two cores it
/// finishes sooner only if both cores are really there: on a machine where other
/// processes use the cores, the worker is often descheduled in the middle of its share
/// and the caller waits for it at every batch (measured: epochs 2x slower on two threads
/// than on one while a compiler ran). No static rule knows the machine's load, so the
/// choice is measured, and measured again as the run goes on, because the load changes.
///
/// The choice never changes a result: callers cut their work into parts that do not
/// depend on the thread count and add them up in order.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace marketlearn {

class ThreadChoice {
public:
    /// Each round times kProbe jobs inline and kProbe jobs on `threads` threads, then runs
    /// the rest of its kRound jobs the faster way: at most kProbe / kRound (~3 %) of the
    /// jobs run the slower way, and a change in load is noticed within kRound jobs.
    static constexpr std::size_t kProbe = 8;
    static constexpr std::size_t kRound = 256;

    /// Threads for the next job: 1 or `threads`.
    std::size_t next(std::size_t threads) noexcept {
        if (threads <= 1) return 1;
        const std::size_t step = calls_ % kRound;
        if (step < kProbe) return 1;
        if (step < 2 * kProbe) return threads;
        return threaded_wins_ ? threads : 1;
    }

    /// The time the job just run took; call once after every job run with next().
    void record(std::chrono::steady_clock::duration took) noexcept {
        const std::size_t step = calls_ % kRound;
        const auto ns = static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
        if (step < kProbe) {
            inline_ns_[step] = ns;
        } else if (step < 2 * kProbe) {
            threaded_ns_[step - kProbe] = ns;
            // Medians, not sums: one probe that was preempted, or that started the pool's
            // first worker, must not decide the round.
            if (step + 1 == 2 * kProbe) threaded_wins_ = median(threaded_ns_) < median(inline_ns_);
        }
        ++calls_;
    }

private:
    static std::int64_t median(std::int64_t (&v)[kProbe]) noexcept {
        std::nth_element(v, v + kProbe / 2, v + kProbe);
        return v[kProbe / 2];
    }

    std::size_t calls_ = 0;
    std::int64_t inline_ns_[kProbe] = {}, threaded_ns_[kProbe] = {};
    bool threaded_wins_ = false;
};

}  // namespace marketlearn
