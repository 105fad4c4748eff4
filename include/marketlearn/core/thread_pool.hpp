#pragma once
/// \file
/// The process-wide worker pool behind parallel_for_blocks.
///
/// Why a persistent pool: a k-means fit runs a few short threaded passes (1-3 ms) per
/// iteration. Starting threads for every pass costs a thread creation each time and, worse,
/// after an idle pause the vCPUs have gone to sleep and every pass waits for one to wake
/// (a fit measured 121 ms after a 0.25 s pause against ~85 ms back to back). OpenMP
/// runtimes (scikit-learn's) keep their threads and let them spin briefly after each
/// parallel region; this pool does the same: a worker that finishes a job spins for
/// kDefaultSpin before it sleeps on a condition variable.
///
/// Shape: one job at a time. The caller hands its job to the first n workers, each through
/// the worker's own mailbox (an atomic pointer), runs the job itself too, takes back any
/// posting a worker has not claimed yet, and waits for the workers that did claim it. A
/// worker only ever touches a job that was put in its own mailbox, so a job for fewer
/// threads than there are workers wakes only those it needs, and a slow worker can never
/// mistake the next job for the last.
///
/// Lifetime: the pool is created on first use and never destroyed (a function-local static
/// pointer to a heap object); its threads are detached and never joined. Nothing then runs
/// at interpreter or process exit, where joining threads blocked in a wait (or destroying a
/// joinable std::thread, which calls std::terminate) would hang or abort.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <immintrin.h>
#define MARKETLEARN_HAS_MM_PAUSE 1
#endif

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <unistd.h>
#endif

namespace marketlearn {
namespace detail {

/// How long an idle worker (and a caller waiting for its workers) spins before blocking.
/// Long enough to bridge the serial gap between two passes of one fit (a reduction over
/// k x d centres, a convergence test: microseconds to ~0.1 ms), so the next pass finds its
/// workers awake; short enough that a worker idle between fits gives its core back within
/// a fraction of a millisecond. libgomp's default spin is of the same order. Overridable
/// with the environment variable MARKETLEARN_SPIN_US (microseconds, 0 = never spin), read
/// once when the pool is created.
constexpr std::chrono::microseconds kDefaultSpin{200};

/// The first part of a spin that does not offer the core to other threads. A yield is a
/// system call (~0.8 us measured here), as long as a whole hand-off when the other side
/// is spinning too: yielding from the first pause made a 2 x 5 us job 6.3 us instead of
/// 5.4 us. Back-to-back jobs (a fit's mini-batches, 10-40 us each) are posted within this
/// time; past it the spin yields, so an oversubscribed machine loses at most this much
/// of a core per hand-off.
constexpr std::chrono::microseconds kSpinWithoutYield{20};

inline std::chrono::microseconds spin_time_from_env() noexcept {
    const char* text = std::getenv("MARKETLEARN_SPIN_US");
    if (text == nullptr || *text == '\0') return kDefaultSpin;
    char* end = nullptr;
    const long us = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || us < 0) return kDefaultSpin;
    // Capped at one second: beyond that spinning only burns a core.
    return std::chrono::microseconds(std::min(us, 1000000L));
}

/// Set on every pool worker for its lifetime, and on a caller while it runs its share of a
/// job: a parallel_for_blocks from such a thread (fn calling it again) then runs inline.
/// Without it a nested call would post a job to the pool its own job occupies: deadlock,
/// or with std::mutex::try_lock on a mutex this thread owns, undefined behaviour.
inline bool& inside_pool_job() noexcept {
    static thread_local bool flag = false;
    return flag;
}

/// One step of a spin-wait: x86's pause tells the core this is a spin loop (it yields the
/// pipeline to a hyper-thread sibling and avoids a memory-order flush on exit); elsewhere
/// a yield at least lets another runnable thread have the core.
inline void cpu_relax() noexcept {
#if defined(MARKETLEARN_HAS_MM_PAUSE)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

/// The number of hardware threads, read once. glibc's std::thread::hardware_concurrency
/// parses /sys/devices/system/cpu/online on every call (measured 8 us here), which alone
/// was most of a fork-join's cost when the pool asked for it on every job.
inline unsigned core_count() noexcept {
    static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return cores;
}

#if defined(__unix__) || defined(__APPLE__)
/// How many fork()s separate this process from the one that first used the pool: the
/// child handler registered below bumps it in every child. The pool compares it with the
/// value it was created under to notice it is in a child, where the parent's workers do
/// not exist. A counter, not getpid(): getpid is a system call (~0.2 us here) and the
/// check runs on every job.
inline std::atomic<unsigned>& fork_generation_counter() noexcept {
    static std::atomic<unsigned> generation{0};
    return generation;
}

inline void count_fork_in_child() noexcept {
    fork_generation_counter().fetch_add(1, std::memory_order_relaxed);
}

inline unsigned fork_generation() noexcept {
    // Registered once, before the first pool exists: a fork before that needs no handler.
    // Should registration fail (out of memory) the generation stays 0 and a child would
    // reuse the parent's pool object, so fall back to the process id then.
    static const bool registered = ::pthread_atfork(nullptr, nullptr, &count_fork_in_child) == 0;
    if (!registered) return static_cast<unsigned>(::getpid());
    return fork_generation_counter().load(std::memory_order_relaxed);
}
#else
inline unsigned fork_generation() noexcept { return 0; }
#endif

class ThreadPool {
public:
    using JobFn = void (*)(void*) noexcept;

    /// The pool of this process: created lazily, and again in a child after fork(), where
    /// the parent's workers do not exist (fork copies only the calling thread). The
    /// parent's pool object is abandoned, not destroyed or locked: its mutexes may have
    /// been held by threads that are gone, and it is reached only through the fork check,
    /// which reads a plain constant (the fork generation it was created under). It stays
    /// reachable from the new pool (`previous_`) so a leak checker does not report it.
    static ThreadPool& instance() {
        static std::atomic<ThreadPool*> current{nullptr};
        ThreadPool* pool = current.load(std::memory_order_acquire);
        if (pool != nullptr && pool->fork_generation_ == fork_generation()) return *pool;
        // Constructing a pool starts no thread, so a losing racer just deletes its own.
        auto* fresh = new ThreadPool(pool);
        if (current.compare_exchange_strong(pool, fresh, std::memory_order_acq_rel)) {
            return *fresh;
        }
        fresh->previous_ = nullptr;
        delete fresh;
        return *pool;  // the winner's, created in this process
    }

    /// Runs fn(ctx) on the calling thread and on up to n_workers pool workers at once,
    /// and returns once every call has returned. fn must share the work out dynamically:
    /// a worker that is slow to wake may find nothing left, or not be asked at all.
    /// Returns false, without calling fn, when the pool is running another caller's job.
    ///
    /// Busy means another thread (e.g. a second Python thread fitting a model with the GIL
    /// released) holds the pool; that caller then runs its loop inline rather than wait.
    /// Waiting would make the two fits take turns on the same cores anyway, and inline it
    /// keeps its own core busy with no extra threads; results do not depend on the thread
    /// count, so either choice gives the same numbers.
    bool try_run(std::size_t n_workers, JobFn fn, void* ctx) {
        std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
        if (!busy.owns_lock()) return false;

        Job job{fn, ctx, {0}};
        const std::size_t n = grow_to(n_workers);
        job.pending.store(n, std::memory_order_relaxed);
        for (std::size_t i = 0; i < n; ++i) workers_[i]->post(&job);

        {
            CallerScope scope;
            fn(ctx);
        }
        // Postings not yet claimed are taken back: the caller has finished its share, so
        // any blocks left are being run by workers that did claim; waiting for a sleeping
        // worker to wake only to find nothing to do would cost a wake-up per call.
        for (std::size_t i = 0; i < n; ++i) {
            if (workers_[i]->revoke(&job)) job.pending.fetch_sub(1, std::memory_order_relaxed);
        }
        wait_done(job);
        return true;
    }

private:
    struct Job {
        JobFn fn;
        void* ctx;
        std::atomic<std::size_t> pending;  // workers that claimed the job and are not done
    };

    /// One worker's state. The mailbox is the wake-up predicate: the caller stores the job
    /// (null -> job), then exactly one of the worker (claim) and the caller (revoke)
    /// exchanges it back to null. A sleeping worker re-checks it under its mutex after
    /// announcing `sleeping`, and the caller notifies under the same mutex whenever it sees
    /// `sleeping`; with both flags sequentially consistent one of them always sees the
    /// other, so no wake-up is lost (the mailbox plays the generation counter's part).
    struct Worker {
        std::atomic<Job*> mailbox{nullptr};
        std::atomic<bool> sleeping{false};
        std::mutex mutex;
        std::condition_variable wake;

        void post(Job* job) {
            mailbox.store(job, std::memory_order_seq_cst);
            if (sleeping.load(std::memory_order_seq_cst)) {
                std::lock_guard<std::mutex> lock(mutex);
                wake.notify_one();
            }
        }

        bool revoke(Job* job) noexcept {
            Job* expected = job;
            return mailbox.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
        }
    };

    struct CallerScope {
        CallerScope() noexcept { inside_pool_job() = true; }
        ~CallerScope() { inside_pool_job() = false; }
        CallerScope(const CallerScope&) = delete;
        CallerScope& operator=(const CallerScope&) = delete;
    };

    explicit ThreadPool(ThreadPool* previous)
        : previous_(previous), fork_generation_(fork_generation()), spin_(spin_time_from_env()) {}

    /// Most workers a job may use. More threads than ~4 per core only oversubscribe, and
    /// capping never changes a result (the caller and the workers share the blocks
    /// dynamically); the cap keeps n_jobs = 10000 from starting 10000 threads.
    static std::size_t max_workers() noexcept {
        return std::max<std::size_t>(4, 4 * std::size_t{core_count()});
    }

    /// Starts workers until there are `wanted` (capped); returns how many a job may use.
    /// Called only with busy_ held, so workers_ changes only under it; a failure to start
    /// a thread (resource limits) just leaves fewer workers.
    std::size_t grow_to(std::size_t wanted) {
        wanted = std::min(wanted, max_workers());
        while (workers_.size() < wanted) {
            auto worker = std::make_unique<Worker>();
            // Room first: once the thread runs, its Worker must not be freed by a throw.
            workers_.reserve(workers_.size() + 1);
            try {
                std::thread(&ThreadPool::work, this, worker.get()).detach();
            } catch (const std::system_error&) {
                break;
            }
            workers_.push_back(std::move(worker));  // cannot throw: capacity reserved
        }
        return std::min(wanted, workers_.size());
    }

    void spin_or_sleep_until_posted(Worker& self) {
        const auto start = std::chrono::steady_clock::now();
        const auto yield_from = start + std::min(spin_, kSpinWithoutYield);
        const auto deadline = start + spin_;
        for (unsigned i = 0;; ++i) {
            if (self.mailbox.load(std::memory_order_relaxed) != nullptr) return;
            // The clock is read every 16 pauses (a pause is ~10-140 cycles). After the
            // first kSpinWithoutYield the core is offered to another runnable thread:
            // when the machine is oversubscribed that may be this job's own caller, which
            // a pure spin would starve for the whole spin time (measured: mini-batch
            // epochs 1.4x slower than with the yield).
            if ((i & 15u) == 0) {
                const auto now = std::chrono::steady_clock::now();
                if (now >= deadline) break;
                if (now >= yield_from) std::this_thread::yield();
            }
            cpu_relax();
        }
        std::unique_lock<std::mutex> lock(self.mutex);
        self.sleeping.store(true, std::memory_order_seq_cst);
        // One wait, not a predicate loop: woken (or spuriously woken, or the posting
        // revoked meanwhile), the worker spins again, as a wake-up means work is near.
        if (self.mailbox.load(std::memory_order_seq_cst) == nullptr) self.wake.wait(lock);
        self.sleeping.store(false, std::memory_order_relaxed);
    }

    void work(Worker* self) noexcept {
        inside_pool_job() = true;
        for (;;) {
            spin_or_sleep_until_posted(*self);
            Job* job = self->mailbox.exchange(nullptr, std::memory_order_acq_rel);
            if (job == nullptr) continue;  // revoked, or a spurious wake-up
            job->fn(job->ctx);
            // The job lives on the caller's stack: after this decrement it may be gone, so
            // the notification goes through the pool's own (immortal) mutex and condvar.
            if (job->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                std::lock_guard<std::mutex> lock(done_mutex_);
                done_.notify_all();
            }
        }
    }

    void wait_done(Job& job) {
        const auto start = std::chrono::steady_clock::now();
        const auto yield_from = start + std::min(spin_, kSpinWithoutYield);
        const auto deadline = start + spin_;
        for (unsigned i = 0; job.pending.load(std::memory_order_acquire) != 0; ++i) {
            cpu_relax();
            if ((i & 15u) != 0) continue;
            // As in spin_or_sleep_until_posted: pure spin, then spin and yield, then block.
            const auto now = std::chrono::steady_clock::now();
            if (now >= yield_from) std::this_thread::yield();
            if (now >= deadline) {
                // A worker is slow (descheduled, or the job's blocks are long): block. The
                // last worker decrements and then notifies under done_mutex_, and the
                // predicate is checked under it, so the notification cannot fall between.
                std::unique_lock<std::mutex> lock(done_mutex_);
                done_.wait(lock, [&] { return job.pending.load(std::memory_order_acquire) == 0; });
                return;
            }
        }
    }

    ThreadPool* previous_;  // an abandoned pre-fork pool, kept reachable on purpose
    const unsigned fork_generation_;  // fork_generation() when this pool was created
    const std::chrono::microseconds spin_;
    std::mutex busy_;  // held by the caller whose job the pool is running
    std::vector<std::unique_ptr<Worker>> workers_;
    std::mutex done_mutex_;
    std::condition_variable done_;
};

}  // namespace detail
}  // namespace marketlearn
