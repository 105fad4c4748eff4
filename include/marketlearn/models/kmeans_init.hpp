#pragma once
/// \file
/// Initial k-means centres: greedy k-means++ (as scikit-learn) and weighted random rows.
///
/// Both draw from a std::mt19937_64 through `uniform01`, whose mapping from the engine's
/// bits is fixed here (std::uniform_real_distribution's is not portable across standard
/// libraries), so one seed gives the same centres on every platform.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/models/kmeans_sums.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

/// A double in [0, 1) from the top 53 bits of one engine draw.
inline double uniform01(std::mt19937_64& rng) noexcept {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

namespace detail {

/// First index whose cumulative value exceeds r (so zero-mass entries are never picked),
/// clipped to the last index against rounding.
inline std::size_t pick_from_cumulative(const std::vector<double>& cumulative, double r) {
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), r);
    const std::size_t i = static_cast<std::size_t>(it - cumulative.begin());
    return std::min(i, cumulative.size() - 1);
}

/// A row drawn with probability proportional to its sample weight (uniform if none).
inline std::size_t draw_weighted_row(const std::vector<double>& cumulative_weight,
                                     std::mt19937_64& rng) {
    return pick_from_cumulative(cumulative_weight, uniform01(rng) * cumulative_weight.back());
}

template <class T>
std::vector<double> cumulative_weights(const T* sample_weight, std::size_t n) {
    std::vector<double> cumulative(n);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        total += sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
        cumulative[i] = total;
    }
    return cumulative;
}

}  // namespace detail

/// Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's local trials).
///
/// The first centre is a row drawn with probability proportional to its weight. Each next
/// centre: draw `n_local_trials` candidate rows with probability proportional to
/// sw_i D(x_i)^2 (D: distance to the nearest centre so far) and keep the candidate that
/// minimizes the potential sum_i sw_i min(D(x_i), ||x_i - candidate||)^2.
/// n_local_trials = 0 means 2 + floor(ln k), as scikit-learn.
///
/// Writes k x d centres to `centres`, and the chosen row indices to `indices` if given.
/// Passes over X are cut into fixed blocks and reduced in block order: the result does
/// not depend on `n_threads`.
template <class T>
void kmeans_plusplus(const simd::kernel_table<T>& kernels, const T* X, std::size_t n_rows,
                     std::size_t n_cols, const T* sample_weight, std::size_t n_clusters,
                     std::mt19937_64& rng, std::size_t n_local_trials, std::size_t n_threads,
                     T* centres, std::size_t* indices = nullptr) {
    require(n_clusters >= 1 && n_clusters <= n_rows, "n_samples=", n_rows,
            " should be >= n_clusters=", n_clusters, ".");
    const std::size_t d = n_cols;
    if (n_local_trials == 0) {
        n_local_trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(n_clusters)));
    }
    const std::vector<double> cumulative_weight = detail::cumulative_weights(sample_weight, n_rows);
    require(cumulative_weight.back() > 0, "sample_weight sums to 0; at least one must be > 0");

    auto set_centre = [&](std::size_t c, std::size_t row) {
        std::copy(X + row * d, X + (row + 1) * d, centres + c * d);
        if (indices) indices[c] = row;
    };

    std::size_t first = detail::draw_weighted_row(cumulative_weight, rng);
    set_centre(0, first);

    const RowBlocks blocks(n_rows, n_local_trials * sizeof(double));
    std::vector<T> closest(n_rows);  // squared distance to the nearest centre so far
    auto update_closest = [&](std::size_t row, bool first_centre) {
        const T* c = X + row * d;
        parallel_for_blocks(blocks.n_blocks, n_threads, [&](std::size_t b) {
            for (std::size_t i = blocks.begin(b), end = i + blocks.size(b); i < end; ++i) {
                const T dist = kernels.squared_distance(X + i * d, c, d);
                closest[i] = first_centre ? dist : std::min(closest[i], dist);
            }
        });
    };
    update_closest(first, true);

    std::vector<double> cumulative(n_rows);
    std::vector<std::size_t> candidates(n_local_trials);
    std::vector<T> candidate_rows(n_local_trials * d);
    std::vector<double> block_potentials(blocks.n_blocks * n_local_trials);
    for (std::size_t c = 1; c < n_clusters; ++c) {
        double total = 0;
        for (std::size_t i = 0; i < n_rows; ++i) {
            const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
            total += w * static_cast<double>(closest[i]);
            cumulative[i] = total;
        }
        for (std::size_t t = 0; t < n_local_trials; ++t) {
            // Every weighted row coincides with a centre (fewer distinct rows than
            // clusters): any weighted row will do.
            candidates[t] = total > 0 ? detail::pick_from_cumulative(cumulative, uniform01(rng) * total)
                                      : detail::draw_weighted_row(cumulative_weight, rng);
            std::copy(X + candidates[t] * d, X + (candidates[t] + 1) * d,
                      candidate_rows.begin() + static_cast<std::ptrdiff_t>(t * d));
        }
        const TransposedCentres<T> trial_centres(candidate_rows.data(), n_local_trials, d);
        parallel_for_blocks(blocks.n_blocks, n_threads, [&](std::size_t b) {
            std::vector<T> tile(detail::distance_tile_rows * trial_centres.stride);
            double* potential = block_potentials.data() + b * n_local_trials;
            std::fill(potential, potential + n_local_trials, 0.0);
            const std::size_t begin = blocks.begin(b), end = begin + blocks.size(b);
            for (std::size_t start = begin; start < end; start += detail::distance_tile_rows) {
                const std::size_t count = std::min(detail::distance_tile_rows, end - start);
                kernels.squared_distances(X + start * d, count, d, trial_centres.data.data(),
                                          trial_centres.stride, tile.data());
                for (std::size_t r = 0; r < count; ++r) {
                    const std::size_t i = start + r;
                    const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
                    const T* row = tile.data() + r * trial_centres.stride;
                    for (std::size_t t = 0; t < n_local_trials; ++t) {
                        potential[t] += w * static_cast<double>(std::min(closest[i], row[t]));
                    }
                }
            }
        });
        std::size_t best = 0;
        double best_potential = std::numeric_limits<double>::infinity();
        for (std::size_t t = 0; t < n_local_trials; ++t) {
            double potential = 0;
            for (std::size_t b = 0; b < blocks.n_blocks; ++b) {
                potential += block_potentials[b * n_local_trials + t];
            }
            if (potential < best_potential) {
                best_potential = potential;
                best = t;
            }
        }
        set_centre(c, candidates[best]);
        update_closest(candidates[best], false);
    }
}

/// k distinct rows drawn without replacement with probability proportional to their
/// weight (Efraimidis & Spirakis keys u^(1/w)); rows of weight 0 are never drawn.
template <class T>
void kmeans_random_init(const T* X, std::size_t n_rows, std::size_t n_cols,
                        const T* sample_weight, std::size_t n_clusters, std::mt19937_64& rng,
                        T* centres, std::size_t* indices = nullptr) {
    require(n_clusters >= 1 && n_clusters <= n_rows, "n_samples=", n_rows,
            " should be >= n_clusters=", n_clusters, ".");
    std::vector<std::pair<double, std::size_t>> keys;
    keys.reserve(n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) {
        const double u = uniform01(rng);
        const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
        if (w > 0) keys.emplace_back(std::log1p(-u) / w, i);  // log of (1-u)^(1/w), u in [0,1)
    }
    require(keys.size() >= n_clusters, "init='random' needs n_clusters=", n_clusters,
            " rows of positive sample_weight; only ", keys.size(), " have one");
    // Largest keys first; ties by row index, so the choice is fully determined.
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n_clusters),
                      keys.end(), [](const auto& a, const auto& b) {
                          return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    for (std::size_t c = 0; c < n_clusters; ++c) {
        const std::size_t row = keys[c].second;
        std::copy(X + row * n_cols, X + (row + 1) * n_cols, centres + c * n_cols);
        if (indices) indices[c] = row;
    }
}

}  // namespace marketlearn::models
