#pragma once
/// \file
/// What one k-means pass over a block of rows returns: per-centre coordinate sums and
/// weights, and the block's inertia. Sums compose; means do not.
///
/// A Lloyd step is "sum over every block, add the sums in a fixed order, divide": the
/// threads of fit_kmeans, Dask partitions (a later issue) and the batches of mini-batch
/// k-means all drive the same `kmeans_block_sums`.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

/// Cluster centres in the layout the distance kernel reads (simd::squared_distances_kernel):
/// transposed, with the centre count padded to a whole number of 64-byte registers.
/// Padding centres are all-zero; their distances are computed and ignored.
template <class T>
struct TransposedCentres {
    std::size_t n_centres = 0;
    std::size_t n_features = 0;
    std::size_t stride = 0;  ///< padded centre count: row length of `data`
    std::vector<T> data;     ///< n_features x stride

    TransposedCentres() = default;
    TransposedCentres(const T* centres, std::size_t k, std::size_t d) { assign(centres, k, d); }

    /// From k row-major centres of d features.
    void assign(const T* centres, std::size_t k, std::size_t d) {
        n_centres = k;
        n_features = d;
        stride = simd::centre_stride_for<T>(k);
        data.assign(d * stride, T(0));
        for (std::size_t c = 0; c < k; ++c) {
            for (std::size_t j = 0; j < d; ++j) data[j * stride + c] = centres[c * d + j];
        }
    }
};

/// Centres for the expanded distance kernel (simd::nearest_centres_expanded_kernel): the
/// centres minus a centring point mu (the data mean), transposed and padded like
/// TransposedCentres, with their squared norms (+inf on the padding, so it never wins).
/// Rows are centred on the same mu block by block; distances are unchanged by the shift,
/// and the expansion ||x'||^2 - 2 x'.c' + ||c'||^2 then cancels on norms of the data's
/// spread rather than of its distance from the origin.
template <class T>
struct ExpandedCentres {
    const T* mean = nullptr;  ///< mu, n_features values
    TransposedCentres<T> centred;
    std::vector<T> sq_norms;  ///< ||c - mu||^2 per padded centre

    ExpandedCentres() = default;
    ExpandedCentres(const TransposedCentres<T>& centres, const T* mu) { assign(centres, mu); }

    void assign(const TransposedCentres<T>& centres, const T* mu) {
        mean = mu;
        centred = centres;
        const std::size_t k = centres.n_centres, d = centres.n_features, stride = centres.stride;
        std::vector<double> norms(k, 0.0);
        for (std::size_t j = 0; j < d; ++j) {
            T* row = centred.data.data() + j * stride;
            for (std::size_t c = 0; c < k; ++c) {
                row[c] = static_cast<T>(static_cast<double>(row[c]) - static_cast<double>(mu[j]));
                norms[c] += static_cast<double>(row[c]) * static_cast<double>(row[c]);
            }
        }
        sq_norms.assign(stride, std::numeric_limits<T>::infinity());
        for (std::size_t c = 0; c < k; ++c) sq_norms[c] = static_cast<T>(norms[c]);
    }
};

/// Sums over the rows of a block, per centre, for rows assigned to their nearest centre.
/// Double precision whatever T is: blocks of float32 rows add up without drift.
struct KMeansSums {
    std::size_t n_clusters = 0;
    std::size_t n_features = 0;
    std::vector<double> coordinate_sums;  ///< k x d: sum of sw_i x_i over rows of centre c
    std::vector<double> weights;          ///< k: sum of sw_i over rows of centre c
    double inertia = 0;                   ///< sum of sw_i ||x_i - c(x_i)||^2
    /// Rows whose label differs from the one held in `labels` before the pass (only
    /// counted when the pass writes labels).
    std::size_t label_changes = 0;

    KMeansSums() = default;
    KMeansSums(std::size_t k, std::size_t d) { reset(k, d); }

    void reset(std::size_t k, std::size_t d) {
        n_clusters = k;
        n_features = d;
        coordinate_sums.assign(k * d, 0.0);
        weights.assign(k, 0.0);
        inertia = 0;
        label_changes = 0;
    }

    KMeansSums& operator+=(const KMeansSums& other) {
        require(other.n_clusters == n_clusters && other.n_features == n_features,
                "adding k-means sums of ", other.n_clusters, "x", other.n_features,
                " centres to sums of ", n_clusters, "x", n_features);
        for (std::size_t i = 0; i < coordinate_sums.size(); ++i) {
            coordinate_sums[i] += other.coordinate_sums[i];
        }
        for (std::size_t c = 0; c < n_clusters; ++c) weights[c] += other.weights[c];
        inertia += other.inertia;
        label_changes += other.label_changes;
        return *this;
    }

    /// Adds n_rows contiguous rows of X (weights sw, or 1 when null) to the centres of
    /// their labels, in row order, through the kernel table (add_rows_by_label).
    template <class T>
    void add_rows(const simd::kernel_table<T>& kernels, const T* X, std::size_t n_rows,
                  const std::int32_t* labels, const T* sw) {
        kernels.add_rows_by_label(X, n_rows, n_features, labels, sw, coordinate_sums.data(),
                                  weights.data());
    }
};

namespace detail {

/// Rows per kernel call: the distance tile (rows x padded centres) stays in L1/L2.
inline constexpr std::size_t distance_tile_rows = 64;

}  // namespace detail

/// One k-means E-step over a block of rows, plus the sums of the M-step.
///
/// Assigns each of the n_rows contiguous rows of X (row-major, n_cols = centres.n_features)
/// to its nearest centre (the first on ties) and ADDS to `sums` each row's weighted
/// coordinates and weight under that centre, and its weighted squared distance to the
/// inertia. Rows are added in order, so for a fixed block the sums are bitwise fixed.
///
/// Optional outputs, indexed like the block's rows: `labels` (when given, the label held
/// before the call is compared, and changes are counted in sums.label_changes) and
/// `min_sq_distances` (squared distance to the assigned centre).
/// `sample_weight` may be nullptr (weight 1).
///
/// With `expanded` (the same centres, centred: ExpandedCentres), the nearest centres come
/// from the expanded kernel on rows centred tile by tile in a scratch buffer of
/// distance_tile_rows rows (X itself is read in place, never copied whole); the squared
/// distances (inertia, min_sq_distances) are then the expansion's, accurate to about eps
/// times the squared norms of the centred rows and centres rather than to eps relative,
/// and computed only when min_sq_distances is given: otherwise the kernel finds labels
/// only and sums.inertia is NaN (callers report exact inertia, inertia_of_labels).
template <class T>
void kmeans_block_sums(const simd::kernel_table<T>& kernels, const T* X, std::size_t n_rows,
                       const T* sample_weight, const TransposedCentres<T>& centres,
                       KMeansSums& sums, std::int32_t* labels = nullptr,
                       T* min_sq_distances = nullptr,
                       const ExpandedCentres<T>* expanded = nullptr) {
    const std::size_t d = centres.n_features;
    const std::size_t tile_rows = detail::distance_tile_rows;
    std::int32_t nearest[detail::distance_tile_rows];
    T best[detail::distance_tile_rows];
    std::vector<T> centred(expanded ? tile_rows * d : 0);
    for (std::size_t start = 0; start < n_rows; start += tile_rows) {
        const std::size_t count = std::min(tile_rows, n_rows - start);
        if (expanded) {
            kernels.centre_rows(X + start * d, count, d, expanded->mean, centred.data());
            const TransposedCentres<T>& ec = expanded->centred;
            kernels.nearest_centres_expanded(centred.data(), count, d, ec.data.data(), ec.stride,
                                             expanded->sq_norms.data(), ec.n_centres, nearest,
                                             min_sq_distances ? best : nullptr, nullptr);
        } else {
            kernels.nearest_centres(X + start * d, count, d, centres.data.data(),
                                    centres.stride, centres.n_centres, nearest, best, nullptr);
        }
        const T* block_weights = sample_weight ? sample_weight + start : nullptr;
        sums.add_rows(kernels, X + start * d, count, nearest, block_weights);
        for (std::size_t r = 0; r < count; ++r) {
            const std::size_t i = start + r;
            const double w = block_weights ? static_cast<double>(block_weights[r]) : 1.0;
            if (!expanded || min_sq_distances) sums.inertia += w * static_cast<double>(best[r]);
            if (labels) {
                if (labels[i] != nearest[r]) ++sums.label_changes;
                labels[i] = nearest[r];
            }
            if (min_sq_distances) min_sq_distances[i] = best[r];
        }
    }
    if (expanded && !min_sq_distances) sums.inertia = std::numeric_limits<double>::quiet_NaN();
}

/// Centres as weighted means of `sums`: c = coordinate_sums[c] / weights[c]. A centre with
/// no weight keeps its previous value from `centres` (k x d, updated in place).
template <class T>
void centres_from_sums(const KMeansSums& sums, T* centres) {
    const std::size_t d = sums.n_features;
    for (std::size_t c = 0; c < sums.n_clusters; ++c) {
        if (!(sums.weights[c] > 0)) continue;
        const double scale = 1.0 / sums.weights[c];
        for (std::size_t j = 0; j < d; ++j) {
            centres[c * d + j] = static_cast<T>(sums.coordinate_sums[c * d + j] * scale);
        }
    }
}

/// How a pass over n rows is cut into blocks: a function of the data's shape only, never of
/// the thread count, so that sums reduced in block order are the same for any n_jobs.
struct RowBlocks {
    std::size_t n_rows = 0;
    std::size_t block_rows = 1;
    std::size_t n_blocks = 0;

    RowBlocks() = default;
    /// At most 256 blocks of at least 256 rows, and few enough that the per-block sums
    /// (sums_bytes each) stay under 64 MB in total.
    RowBlocks(std::size_t n, std::size_t sums_bytes) : n_rows(n) {
        constexpr std::size_t min_rows = 256, max_blocks = 256;
        constexpr std::size_t budget = std::size_t{64} << 20;
        const std::size_t by_memory = std::max<std::size_t>(1, budget / std::max<std::size_t>(1, sums_bytes));
        const std::size_t wanted = std::max<std::size_t>(1, (n + min_rows - 1) / min_rows);
        const std::size_t blocks = std::min({wanted, max_blocks, by_memory});
        block_rows = std::max<std::size_t>(1, (n + blocks - 1) / blocks);
        n_blocks = n == 0 ? 0 : (n + block_rows - 1) / block_rows;
    }
    std::size_t begin(std::size_t b) const noexcept { return b * block_rows; }
    std::size_t size(std::size_t b) const noexcept {
        return std::min(block_rows, n_rows - b * block_rows);
    }
};

}  // namespace marketlearn::models
