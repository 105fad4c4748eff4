#pragma once
/// \file
/// Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering"), with scikit-learn's
/// batch sampling, early stopping and reassignment of starving centres.
///
/// Each step assigns a batch of rows to the current centres, then moves every centre c
/// that received rows to the running weighted mean of everything it has ever received:
///   c <- (n_c c + sum_{x in batch, label c} sw x) / (n_c + sum sw),  n_c <- n_c + sum sw.
/// That is Sculley's per-centre learning rate 1/n_c applied to the batch's rows one at a
/// time, with the assignment cached for the whole batch (as in the paper). The batch's
/// sums are kmeans_block_sums, as for a Lloyd step: the same composable block function.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/models/kmeans.hpp"
#include "marketlearn/models/kmeans_init.hpp"
#include "marketlearn/models/kmeans_sums.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

template <class T>
struct MiniBatchKMeansOptions {
    std::size_t n_clusters = 8;
    KMeansInit init = KMeansInit::kmeans_plusplus;
    /// Initializations tried (each on its own random subset of init_size rows); the one of
    /// lowest inertia on a common random validation subset is kept.
    std::size_t n_init = 1;
    /// Epochs: fit runs (max_iter * n_rows) / batch_size steps at most.
    std::size_t max_iter = 100;
    std::size_t batch_size = 1024;
    /// Stop when a step moves the centres by sum_c ||c_new - c_old||^2 <= tol * mean
    /// weighted feature variance. 0 (the default) disables this rule.
    double tol = 0;
    /// Stop after this many steps without improving the smoothed batch inertia; 0 disables.
    std::size_t max_no_improvement = 10;
    /// Rows the initialization sees (drawn at random); 0 means 3 * batch_size, at least
    /// 3 * n_clusters, at most n_rows.
    std::size_t init_size = 0;
    /// Centres whose count falls below this fraction of the largest count are moved to
    /// random rows of the batch (every 10 * n_clusters rows seen, or when one is empty).
    double reassignment_ratio = 0.01;
    std::uint64_t random_state = 0;
    int n_jobs = 1;
    bool compute_labels = true;  ///< a final pass for labels and the exact inertia
    /// With compute_labels: Lloyd iterations on all rows after the mini-batch steps (each
    /// one pass over X), so every centre ends as the weighted mean of the rows labelled
    /// with it, and the inertia can only go down. 0 gives scikit-learn's result.
    std::size_t final_lloyd_steps = 1;
    bool check_input = true;
};

/// What carries over from one batch to the next, and across partial_fit calls.
template <class T>
struct MiniBatchKMeansState {
    std::size_t n_clusters = 0;
    std::size_t n_features = 0;
    std::vector<T> centres;       ///< n_clusters x n_features
    std::vector<double> counts;   ///< total weight each centre has received (n_c)
    std::size_t n_since_last_reassign = 0;
    std::size_t n_steps = 0;

    bool initialized() const noexcept { return !centres.empty(); }
};

template <class T>
struct MiniBatchKMeansFit {
    MiniBatchKMeansState<T> state;
    std::vector<std::int32_t> labels;  ///< empty unless compute_labels
    /// Exact weighted inertia over all rows if compute_labels, else the smoothed batch
    /// inertia scaled to the total weight (scikit-learn's convention).
    double inertia = 0;
    std::size_t n_iter = 0;  ///< epochs run: ceil(n_steps * batch_size / n_rows)
    bool converged = false;  ///< stopped by tol or max_no_improvement
};

namespace detail {

/// scikit-learn's _random_reassign: reassign every 10 * k rows seen, or when a centre has
/// received nothing yet.
template <class T>
bool due_for_reassignment(MiniBatchKMeansState<T>& state, std::size_t rows_seen) {
    state.n_since_last_reassign += rows_seen;
    const bool any_empty =
        std::any_of(state.counts.begin(), state.counts.end(), [](double c) { return !(c > 0); });
    if (any_empty || state.n_since_last_reassign >= 10 * state.n_clusters) {
        state.n_since_last_reassign = 0;
        return true;
    }
    return false;
}

/// Uniform integer in [0, n).
inline std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
    return std::min(static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)), n - 1);
}

template <class T>
void gather_rows(const T* X, std::size_t d, const std::vector<std::size_t>& rows, std::vector<T>& out) {
    out.resize(rows.size() * d);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::copy(X + rows[r] * d, X + (rows[r] + 1) * d, out.begin() + static_cast<std::ptrdiff_t>(r * d));
    }
}

/// Passes below this many distance terms (rows x padded centres x features) run on one
/// thread: starting threads would cost more than they save.
inline constexpr std::size_t min_threaded_work = std::size_t{1} << 20;

}  // namespace detail

/// One mini-batch step on the n_rows contiguous rows of `batch` (weights may be nullptr).
/// Updates state.centres and state.counts; if `random_reassign`, moves centres whose
/// count is below reassignment_ratio * the largest count to distinct random batch rows
/// (at most half the batch) and sets their count to the smallest remaining count.
/// Returns the batch's weighted inertia against the centres before the update.
template <class T>
double minibatch_kmeans_step(const simd::kernel_table<T>& kernels, const T* batch,
                             std::size_t n_rows, const T* sample_weight,
                             MiniBatchKMeansState<T>& state, bool random_reassign,
                             double reassignment_ratio, std::mt19937_64& rng, std::size_t n_threads) {
    const std::size_t k = state.n_clusters, d = state.n_features;
    const TransposedCentres<T> ct(state.centres.data(), k, d);
    const RowBlocks blocks(n_rows, k * (d + 1) * sizeof(double));
    std::vector<KMeansSums> block_sums(blocks.n_blocks);
    const std::size_t threads =
        n_rows * ct.stride * d >= detail::min_threaded_work ? n_threads : 1;
    parallel_for_blocks(blocks.n_blocks, threads, [&](std::size_t b) {
        block_sums[b].reset(k, d);
        kmeans_block_sums(kernels, batch + blocks.begin(b) * d, blocks.size(b),
                          sample_weight ? sample_weight + blocks.begin(b) : nullptr, ct,
                          block_sums[b]);
    });
    KMeansSums sums(k, d);
    for (const KMeansSums& s : block_sums) sums += s;

    for (std::size_t c = 0; c < k; ++c) {
        if (!(sums.weights[c] > 0)) continue;
        const double total = state.counts[c] + sums.weights[c];
        for (std::size_t j = 0; j < d; ++j) {
            const double moved = static_cast<double>(state.centres[c * d + j]) * state.counts[c] +
                                 sums.coordinate_sums[c * d + j];
            state.centres[c * d + j] = static_cast<T>(moved / total);
        }
        state.counts[c] = total;
    }

    if (random_reassign && reassignment_ratio > 0) {
        const double largest = *std::max_element(state.counts.begin(), state.counts.end());
        std::vector<char> reassign(k, 0);
        std::size_t n_reassign = 0;
        for (std::size_t c = 0; c < k; ++c) {
            reassign[c] = state.counts[c] < reassignment_ratio * largest;
            n_reassign += reassign[c];
        }
        const auto cap = static_cast<std::size_t>(0.5 * static_cast<double>(n_rows));
        if (n_reassign > cap) {  // keep only the `cap` smallest counts for reassignment
            std::vector<std::size_t> order(k);
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return state.counts[a] < state.counts[b];
            });
            for (std::size_t r = cap; r < k; ++r) reassign[order[r]] = 0;
            n_reassign = cap;
        }
        if (n_reassign > 0) {
            // Distinct batch rows, uniformly (a partial Fisher-Yates shuffle).
            std::vector<std::size_t> rows(n_rows);
            std::iota(rows.begin(), rows.end(), std::size_t{0});
            for (std::size_t r = 0; r < n_reassign; ++r) {
                std::swap(rows[r], rows[r + detail::uniform_index(rng, n_rows - r)]);
            }
            double smallest_kept = std::numeric_limits<double>::infinity();
            for (std::size_t c = 0; c < k; ++c) {
                if (!reassign[c]) smallest_kept = std::min(smallest_kept, state.counts[c]);
            }
            std::size_t next = 0;
            for (std::size_t c = 0; c < k; ++c) {
                if (!reassign[c]) continue;
                const T* row = batch + rows[next++] * d;
                std::copy(row, row + d, state.centres.begin() + static_cast<std::ptrdiff_t>(c * d));
                // Not reset to 0, so the new centre is not reassigned again at once (and
                // its learning rate starts like its peers').
                state.counts[c] = smallest_kept;
            }
        }
    }
    ++state.n_steps;
    return sums.inertia;
}

namespace detail {

template <class T>
std::size_t resolve_init_size(const MiniBatchKMeansOptions<T>& o, std::size_t batch_size,
                              std::size_t n_rows) {
    std::size_t init_size = o.init_size;
    if (init_size == 0) init_size = 3 * batch_size;
    if (init_size < o.n_clusters) init_size = 3 * o.n_clusters;
    return std::min(init_size, n_rows);
}

/// Rows drawn with replacement, with probability proportional to their weight (uniform
/// without weights): every drawn row then counts once, so integer weights act exactly as
/// repeated rows.
template <class T>
void draw_rows(std::size_t n_rows, const std::vector<double>& cumulative_weight,
               std::mt19937_64& rng, std::vector<std::size_t>& rows) {
    for (auto& r : rows) {
        r = cumulative_weight.empty() ? uniform_index(rng, n_rows)
                                      : draw_weighted_row(cumulative_weight, rng);
    }
}

/// Initial centres from `init_size` rows drawn by draw_rows (all rows, with their
/// weights, if init_size >= n_rows).
template <class T>
void minibatch_init_centres(const simd::kernel_table<T>& kernels, const T* X, std::size_t n_rows,
                            std::size_t d, const T* sample_weight,
                            const std::vector<double>& cumulative_weight,
                            const MiniBatchKMeansOptions<T>& o, std::size_t init_size,
                            std::mt19937_64& rng, std::size_t n_threads, T* centres) {
    std::vector<T> subset;
    const T* Xs = X;
    const T* sws = sample_weight;
    std::size_t ns = n_rows;
    if (init_size < n_rows) {
        std::vector<std::size_t> rows(init_size);
        draw_rows<T>(n_rows, cumulative_weight, rng, rows);
        gather_rows(X, d, rows, subset);
        Xs = subset.data();
        sws = nullptr;
        ns = init_size;
    }
    if (o.init == KMeansInit::kmeans_plusplus) {
        kmeans_plusplus(kernels, Xs, ns, d, sws, o.n_clusters, rng, 0, n_threads, centres);
    } else {
        kmeans_random_init(Xs, ns, d, sws, o.n_clusters, rng, centres);
    }
}

template <class T>
void validate_minibatch_options(const MiniBatchKMeansOptions<T>& o) {
    require(o.max_iter >= 1, "max_iter=", o.max_iter, " must be >= 1");
    require(o.batch_size >= 1, "batch_size=", o.batch_size, " must be >= 1");
    require(o.n_init >= 1, "n_init=", o.n_init, " must be >= 1");
    require(std::isfinite(o.tol) && o.tol >= 0, "tol=", o.tol, " must be a finite number >= 0");
    require(std::isfinite(o.reassignment_ratio) && o.reassignment_ratio >= 0,
            "reassignment_ratio=", o.reassignment_ratio, " must be a finite number >= 0");
}

}  // namespace detail

/// Fits mini-batch k-means to the n_rows x n_cols row-major X (read in place).
///
/// Batches of batch_size rows, and the init_size rows of the initialization and of its
/// validation subset, are drawn with replacement with probability proportional to
/// sample_weight, and every drawn row then counts 1 (scikit-learn does so for batches; it
/// draws the initialization rows uniformly and keeps their weights): integer weights
/// then act exactly as repeated rows. `initial_centres`
/// (n_clusters x n_cols) replaces the initialization when given.
template <class T>
MiniBatchKMeansFit<T> fit_minibatch_kmeans(const T* X, std::size_t n_rows, std::size_t n_cols,
                                           const T* sample_weight,
                                           const MiniBatchKMeansOptions<T>& o,
                                           const T* initial_centres = nullptr) {
    const std::size_t k = o.n_clusters, d = n_cols;
    detail::validate_kmeans_input(X, n_rows, n_cols, sample_weight, k, o.check_input);
    detail::validate_minibatch_options(o);
    if (initial_centres && o.check_input) detail::check_finite_rows(initial_centres, k, d, "init");
    const simd::kernel_table<T>& kernels = simd::kernels<T>();
    const std::size_t n_threads = resolve_n_jobs(o.n_jobs);
    const double tol =
        o.tol > 0 ? o.tol * detail::mean_weighted_variance(
                               X, n_rows, d, sample_weight,
                               detail::weighted_column_means(X, n_rows, d, sample_weight))
                 : 0.0;
    const std::size_t batch_size = std::min(o.batch_size, n_rows);
    const std::size_t init_size = detail::resolve_init_size(o, batch_size, n_rows);
    std::mt19937_64 rng(o.random_state);

    MiniBatchKMeansFit<T> fit;
    MiniBatchKMeansState<T>& state = fit.state;
    state.n_clusters = k;
    state.n_features = d;
    state.centres.assign(k * d, T(0));
    state.counts.assign(k, 0.0);

    const std::vector<double> cumulative_weight =
        sample_weight ? detail::cumulative_weights(sample_weight, n_rows) : std::vector<double>{};
    if (initial_centres) {
        std::copy(initial_centres, initial_centres + k * d, state.centres.begin());
    } else {
        // A common validation subset judges the initializations.
        std::vector<std::size_t> validation_rows(init_size);
        detail::draw_rows<T>(n_rows, cumulative_weight, rng, validation_rows);
        std::vector<T> validation;
        detail::gather_rows(X, d, validation_rows, validation);
        std::vector<T> candidate(k * d);
        std::vector<std::int32_t> labels(init_size);
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t run = 0; run < o.n_init; ++run) {
            detail::minibatch_init_centres(kernels, X, n_rows, d, sample_weight, cumulative_weight,
                                           o, init_size, rng, n_threads, candidate.data());
            const double inertia = kmeans_assign(validation.data(), init_size, d, (const T*)nullptr,
                                                 candidate.data(), k, labels.data(),
                                                 static_cast<int>(n_threads));
            if (run == 0 || inertia < best) {
                best = inertia;
                state.centres = candidate;
            }
        }
    }

    const std::size_t n_steps = std::max<std::size_t>(1, (o.max_iter * n_rows) / batch_size);
    std::vector<std::size_t> rows(batch_size);
    std::vector<T> batch, old_centres;
    std::optional<double> ewa, ewa_min;
    std::size_t no_improvement = 0;
    std::size_t step = 0;
    for (; step < n_steps; ++step) {
        detail::draw_rows<T>(n_rows, cumulative_weight, rng, rows);
        detail::gather_rows(X, d, rows, batch);
        const bool reassign = detail::due_for_reassignment(state, batch_size);
        if (tol > 0) old_centres = state.centres;
        double batch_inertia = minibatch_kmeans_step<T>(kernels, batch.data(), batch_size, nullptr,
                                                     state, reassign, o.reassignment_ratio, rng,
                                                     n_threads);
        // scikit-learn's _mini_batch_convergence: per-row batch inertia, smoothed over about
        // one epoch; the first step's inertia is the initialization's and is ignored.
        batch_inertia /= static_cast<double>(batch_size);
        if (step == 0) continue;
        const double alpha =
            std::min(1.0, static_cast<double>(batch_size) * 2.0 / static_cast<double>(n_rows + 1));
        ewa = ewa ? *ewa * (1 - alpha) + batch_inertia * alpha : batch_inertia;
        if (tol > 0) {
            std::vector<double> shift;
            if (detail::centre_shifts(old_centres.data(), state.centres.data(), k, d, shift) <= tol) {
                fit.converged = true;
                break;
            }
        }
        if (!ewa_min || *ewa < *ewa_min) {
            no_improvement = 0;
            ewa_min = ewa;
        } else {
            ++no_improvement;
        }
        if (o.max_no_improvement > 0 && no_improvement >= o.max_no_improvement) {
            fit.converged = true;
            break;
        }
    }
    const std::size_t steps_run = std::min(step + 1, n_steps);
    fit.n_iter = (steps_run * batch_size + n_rows - 1) / n_rows;

    if (o.compute_labels) {
        fit.labels.assign(n_rows, -1);
        detail::KMeansPass<T> pass(kernels, X, n_rows, d, sample_weight, k, n_threads);
        TransposedCentres<T> ct;
        for (std::size_t s = 0; s < o.final_lloyd_steps; ++s) {
            ct.assign(state.centres.data(), k, d);
            // A centre no row is nearest to keeps its place (no relocation: a starving
            // centre is the reassignment's business, and it is rare after the steps).
            centres_from_sums(pass.lloyd_step(ct, fit.labels.data(), nullptr), state.centres.data());
        }
        ct.assign(state.centres.data(), k, d);
        fit.inertia = pass.lloyd_step(ct, fit.labels.data(), nullptr).inertia;
    } else {
        double total_weight = static_cast<double>(n_rows);
        if (sample_weight) total_weight = cumulative_weight.back();
        fit.inertia = ewa.value_or(0.0) * total_weight;
    }
    return fit;
}

/// scikit-learn's partial_fit: one step on all n_rows rows of X with their weights. An
/// uninitialized `state` is first given initial centres from X (`initial_centres` if
/// given, else options.init on min(init_size, n_rows) random rows), so the first call
/// needs n_rows >= n_clusters. Returns the batch inertia before the update.
template <class T>
double partial_fit_minibatch_kmeans(const T* X, std::size_t n_rows, std::size_t n_cols,
                                    const T* sample_weight, const MiniBatchKMeansOptions<T>& o,
                                    MiniBatchKMeansState<T>& state, std::mt19937_64& rng,
                                    const T* initial_centres = nullptr) {
    const simd::kernel_table<T>& kernels = simd::kernels<T>();
    const std::size_t n_threads = resolve_n_jobs(o.n_jobs);
    detail::validate_minibatch_options(o);
    if (!state.initialized()) {
        detail::validate_kmeans_input(X, n_rows, n_cols, sample_weight, o.n_clusters, o.check_input);
        state.n_clusters = o.n_clusters;
        state.n_features = n_cols;
        state.centres.assign(o.n_clusters * n_cols, T(0));
        state.counts.assign(o.n_clusters, 0.0);
        state.n_since_last_reassign = 0;
        state.n_steps = 0;
        if (initial_centres) {
            if (o.check_input) detail::check_finite_rows(initial_centres, o.n_clusters, n_cols, "init");
            std::copy(initial_centres, initial_centres + o.n_clusters * n_cols, state.centres.begin());
        } else {
            const std::size_t init_size =
                detail::resolve_init_size(o, std::min(o.batch_size, n_rows), n_rows);
            const std::vector<double> cumulative_weight =
                sample_weight ? detail::cumulative_weights(sample_weight, n_rows)
                              : std::vector<double>{};
            detail::minibatch_init_centres(kernels, X, n_rows, n_cols, sample_weight,
                                           cumulative_weight, o, init_size, rng, n_threads,
                                           state.centres.data());
        }
    } else {
        require(n_cols == state.n_features, "X has ", n_cols, " features, but the model was fitted with ",
                state.n_features);
        require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
        if (o.check_input) {
            detail::check_finite_rows(X, n_rows, n_cols, "X");
            if (sample_weight) {
                for (std::size_t i = 0; i < n_rows; ++i) {
                    require(std::isfinite(sample_weight[i]) && sample_weight[i] >= T(0),
                            "sample_weight[", i, "]=", sample_weight[i], " must be finite and >= 0");
                }
            }
        }
    }
    const bool reassign = detail::due_for_reassignment(state, n_rows);
    return minibatch_kmeans_step(kernels, X, n_rows, sample_weight, state, reassign,
                                 o.reassignment_ratio, rng, n_threads);
}

}  // namespace marketlearn::models
