#pragma once
/// \file
/// k-means clustering (customer segmentation): fit_kmeans with Lloyd's or Hamerly's
/// algorithm, k-means++ or random or given initial centres, n_init restarts, and
/// scikit-learn's stopping rule and empty-cluster relocation; kmeans_assign / kmeans_transform
/// for fitted centres.
///
/// Objective (inertia): sum_i sw_i ||x_i - c_{label_i}||^2 over rows x_i with weights sw_i.
///
/// Every pass over X is cut into blocks fixed by the data's shape (RowBlocks); each block
/// writes its own sums (kmeans_block_sums) and the sums are added in block order, so the
/// fit is bitwise the same for any n_jobs.

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
#include "marketlearn/models/kmeans_init.hpp"
#include "marketlearn/models/kmeans_sums.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::models {

/// Lloyd: every iteration computes all n x k distances. Hamerly (2010): keeps, per row, an
/// upper bound on the distance to its centre and a lower bound on the distance to any
/// other, moved by the centres' shifts; rows whose bounds prove the label cannot change
/// skip the distance computation. Both reach the same fixed point. scikit-learn's
/// algorithm="elkan" maps to Hamerly here: the same kind of bound-based exact acceleration,
/// with O(n) bound memory instead of Elkan's O(n k), and the better choice in the low
/// dimensions (tens of features) of customer data.
enum class KMeansAlgorithm { lloyd, hamerly };

enum class KMeansInit { kmeans_plusplus, random };

template <class T>
struct KMeansOptions {
    std::size_t n_clusters = 8;
    /// How initial centres are chosen when fit_kmeans gets none.
    KMeansInit init = KMeansInit::kmeans_plusplus;
    /// Runs from different initial centres; the one of lowest inertia is kept. Forced to 1
    /// when initial centres are given.
    std::size_t n_init = 1;
    std::size_t max_iter = 300;
    /// Stop when sum_c ||c_new - c_old||^2 <= tol * (mean over features of the weighted
    /// variance of X) (scikit-learn's rule, with weighted variances so integer weights
    /// equal repeated rows). 0: stop only when no label changes.
    double tol = 1e-4;
    KMeansAlgorithm algorithm = KMeansAlgorithm::lloyd;
    std::uint64_t random_state = 0;
    /// k-means++ candidates per centre; 0 means 2 + floor(ln k).
    std::size_t n_local_trials = 0;
    int n_jobs = 1;  ///< threads (scikit-learn convention: -1 = all cores)
    bool check_input = true;  ///< check that X, weights and initial centres are finite
};

template <class T>
struct KMeansFit {
    std::size_t n_clusters = 0;
    std::size_t n_features = 0;
    std::vector<T> centres;              ///< n_clusters x n_features, row-major
    std::vector<std::int32_t> labels;    ///< nearest centre of each row
    double inertia = 0;                  ///< sum_i sw_i ||x_i - centres[labels_i]||^2
    std::size_t n_iter = 0;              ///< iterations of the kept run
    bool converged = false;              ///< the kept run stopped before max_iter
};

namespace detail {

template <class T>
void check_finite_rows(const T* X, std::size_t n_rows, std::size_t n_cols, const char* name) {
    for (std::size_t k = 0, total = n_rows * n_cols; k < total; ++k) {
        if (!std::isfinite(X[k])) {
            throw_invalid_argument(name, " contains ", X[k], " at row ", k / n_cols, ", column ",
                                   k % n_cols, "; all values must be finite");
        }
    }
}

template <class T>
void validate_kmeans_input(const T* X, std::size_t n_rows, std::size_t n_cols,
                           const T* sample_weight, std::size_t n_clusters, bool check_values) {
    require(X != nullptr || n_rows * n_cols == 0, "X must not be null");
    require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
    require(n_cols > 0, "X has 0 columns (n_features=0); at least one is required");
    require(n_clusters >= 1, "n_clusters=", n_clusters, " must be >= 1");
    require(n_rows >= n_clusters, "n_samples=", n_rows, " should be >= n_clusters=", n_clusters,
            ".");
    require(n_clusters <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
            "n_clusters=", n_clusters, " is too large");
    if (!check_values) return;
    check_finite_rows(X, n_rows, n_cols, "X");
    if (sample_weight) {
        double total = 0;
        for (std::size_t i = 0; i < n_rows; ++i) {
            require(std::isfinite(sample_weight[i]) && sample_weight[i] >= T(0), "sample_weight[",
                    i, "]=", sample_weight[i], " must be finite and >= 0");
            total += sample_weight[i];
        }
        require(total > 0, "sample_weight sums to 0; at least one weight must be > 0");
    }
}

/// The sw-weighted column means of X, in double: the tol scale's centre and the expanded
/// k-means kernel's centring point, one pass for both.
template <class T>
std::vector<double> weighted_column_means(const T* X, std::size_t n_rows, std::size_t n_cols,
                                          const T* sample_weight) {
    std::vector<double> mean(n_cols, 0.0);
    double total = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
        total += w;
        for (std::size_t j = 0; j < n_cols; ++j) mean[j] += w * X[i * n_cols + j];
    }
    for (double& m : mean) m /= total;
    return mean;
}

/// Mean over features of the weighted variance of each column, around `mean`
/// (weighted_column_means): scikit-learn's scale for tol.
template <class T>
double mean_weighted_variance(const T* X, std::size_t n_rows, std::size_t n_cols,
                              const T* sample_weight, const std::vector<double>& mean) {
    double sum = 0, total = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
        total += w;
        for (std::size_t j = 0; j < n_cols; ++j) {
            const double r = X[i * n_cols + j] - mean[j];
            sum += w * r * r;
        }
    }
    return sum / total / static_cast<double>(n_cols);
}

/// Squared shift per centre and their total, in double.
template <class T>
double centre_shifts(const T* old_centres, const T* new_centres, std::size_t k, std::size_t d,
                     std::vector<double>& shift) {
    shift.resize(k);
    double total = 0;
    for (std::size_t c = 0; c < k; ++c) {
        double s = 0;
        for (std::size_t j = 0; j < d; ++j) {
            const double r = static_cast<double>(new_centres[c * d + j]) - old_centres[c * d + j];
            s += r * r;
        }
        shift[c] = s;
        total += s;
    }
    return total;
}

/// scikit-learn's empty-cluster relocation: each centre with no weight takes one of the
/// rows farthest from their assigned centre (farthest first; ties by row index), and that
/// row's weight and coordinates move from its old centre's sums to the empty one's (its
/// label stays, as in scikit-learn: the next E-step settles it). Rows of weight 0 cannot
/// fill a cluster and are not used. `sq_distance` gives a row's squared distance to its
/// assigned centre.
template <class T, class SqDistance>
void relocate_empty_clusters(const T* X, std::size_t n_rows, std::size_t d,
                             const T* sample_weight, const std::int32_t* labels,
                             SqDistance&& sq_distance, KMeansSums& sums) {
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < sums.n_clusters; ++c) {
        if (!(sums.weights[c] > 0)) empty.push_back(c);
    }
    if (empty.empty()) return;
    std::vector<std::pair<T, std::size_t>> far;
    far.reserve(n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) {
        if (sample_weight && !(sample_weight[i] > 0)) continue;
        far.emplace_back(sq_distance(i), i);
    }
    const std::size_t n_moves = std::min(empty.size(), far.size());
    std::partial_sort(far.begin(), far.begin() + static_cast<std::ptrdiff_t>(n_moves), far.end(),
                      [](const auto& a, const auto& b) {
                          return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    for (std::size_t m = 0; m < n_moves; ++m) {
        const std::size_t i = far[m].second;
        const std::size_t to = empty[m];
        const auto from = static_cast<std::size_t>(labels[i]);
        const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
        for (std::size_t j = 0; j < d; ++j) {
            const double v = w * static_cast<double>(X[i * d + j]);
            sums.coordinate_sums[from * d + j] -= v;
            sums.coordinate_sums[to * d + j] = v;
        }
        sums.weights[from] -= w;
        sums.weights[to] = w;
    }
}

/// Lloyd E-steps with at least this many centres use the expanded distance kernel
/// (simd::nearest_centres_expanded_kernel: ||x'||^2 - 2 x'.c' + ||c'||^2 on rows and
/// centres centred on the data mean, one FMA per row x centre x feature instead of the exact
/// kernel's subtract and FMA).
///
/// Measured (one thread, avx2, 100,000 x 20 doubles, whole Lloyd runs, exact / expanded
/// time): k = 4: 1.06, k = 8: 1.17, k = 16: 1.38, k = 64: 1.62. Below 8 the gain is within
/// the noise and pays for labels that can differ from the exact kernel's in near-ties, and
/// the k-means of small k most users run keep the exact distances. At 8 and above the
/// expanded E-step is worth it, as scikit-learn's GEMM E-step is for every k.
inline constexpr std::size_t kmeans_expanded_min_clusters = 8;

/// Everything one k-means run needs besides the centres: the data, the kernels, the
/// blocks and their sums.
template <class T>
struct KMeansPass {
    const simd::kernel_table<T>& kernels;
    const T* X;
    std::size_t n_rows;
    std::size_t d;
    const T* sample_weight;
    std::size_t k;
    std::size_t n_threads;
    RowBlocks blocks;
    std::vector<KMeansSums> block_sums;
    /// The centring point of the expanded kernel; empty: lloyd_step uses the exact kernel.
    std::vector<T> centring_mean;

    KMeansPass(const simd::kernel_table<T>& kernels_, const T* X_, std::size_t n_rows_,
               std::size_t d_, const T* sw, std::size_t k_, std::size_t n_threads_)
        : kernels(kernels_), X(X_), n_rows(n_rows_), d(d_), sample_weight(sw), k(k_),
          n_threads(n_threads_), blocks(n_rows_, k_ * (d_ + 1) * sizeof(double)),
          block_sums(blocks.n_blocks) {}

    const T* weights_of(std::size_t b) const {
        return sample_weight ? sample_weight + blocks.begin(b) : nullptr;
    }

    /// The block sums added in block order.
    KMeansSums reduce() const {
        KMeansSums total(k, d);
        for (const KMeansSums& s : block_sums) total += s;
        return total;
    }

    /// Switches lloyd_step to the expanded kernel, centred on X's (weighted) column means.
    void use_expanded_distances(const std::vector<double>& mean) {
        centring_mean.assign(mean.begin(), mean.end());
    }
    bool expanded() const noexcept { return !centring_mean.empty(); }

    /// A Lloyd E-step with M-step sums: labels (changes counted) and, if given, squared
    /// distances to the assigned centre (the expansion's when expanded()).
    KMeansSums lloyd_step(const TransposedCentres<T>& centres, std::int32_t* labels,
                          T* min_sq_distances) {
        ExpandedCentres<T> centred;
        if (expanded()) centred.assign(centres, centring_mean.data());
        parallel_for_blocks(blocks.n_blocks, n_threads, [&](std::size_t b) {
            const std::size_t begin = blocks.begin(b);
            block_sums[b].reset(k, d);
            kmeans_block_sums(kernels, X + begin * d, blocks.size(b), weights_of(b), centres,
                              block_sums[b], labels + begin,
                              min_sq_distances ? min_sq_distances + begin : nullptr,
                              expanded() ? &centred : nullptr);
        });
        return reduce();
    }

    /// sum_i sw_i ||x_i - centres[labels_i]||^2, reduced in block order.
    double inertia_of_labels(const T* centres, const std::int32_t* labels) {
        std::vector<double> partial(blocks.n_blocks, 0.0);
        parallel_for_blocks(blocks.n_blocks, n_threads, [&](std::size_t b) {
            double s = 0;
            for (std::size_t i = blocks.begin(b), end = i + blocks.size(b); i < end; ++i) {
                const double w = sample_weight ? static_cast<double>(sample_weight[i]) : 1.0;
                const auto c = static_cast<std::size_t>(labels[i]);
                s += w * static_cast<double>(kernels.squared_distance(X + i * d, centres + c * d, d));
            }
            partial[b] = s;
        });
        double total = 0;
        for (double s : partial) total += s;
        return total;
    }
};

struct SingleRunResult {
    double inertia = 0;
    std::size_t n_iter = 0;
    bool converged = false;
};

/// One Lloyd run from the centres in `centres` (updated in place); scikit-learn's
/// _kmeans_single_lloyd step for step.
template <class T>
SingleRunResult lloyd_run(KMeansPass<T>& pass, std::vector<T>& centres, std::size_t max_iter,
                          double tol, std::vector<std::int32_t>& labels) {
    const std::size_t k = pass.k, d = pass.d;
    labels.assign(pass.n_rows, -1);
    // Expanded E-steps: the empty-cluster relocation ranks rows by exact distances
    // (computed only when a cluster is empty), as scikit-learn's does.
    std::vector<T> min_sq(pass.expanded() ? 0 : pass.n_rows);
    std::vector<T> old_centres(centres.size());
    std::vector<double> shift;
    TransposedCentres<T> ct;
    SingleRunResult result;
    bool strict = false;
    std::size_t it = 0;
    for (; it < max_iter; ++it) {
        ct.assign(centres.data(), k, d);
        KMeansSums sums = pass.lloyd_step(ct, labels.data(), pass.expanded() ? nullptr : min_sq.data());
        relocate_empty_clusters(pass.X, pass.n_rows, d, pass.sample_weight, labels.data(),
                                [&](std::size_t i) {
                                    if (!pass.expanded()) return min_sq[i];
                                    const auto c = static_cast<std::size_t>(labels[i]);
                                    return pass.kernels.squared_distance(pass.X + i * d,
                                                                         centres.data() + c * d, d);
                                },
                                sums);
        old_centres = centres;
        centres_from_sums(sums, centres.data());
        const double total_shift = centre_shifts(old_centres.data(), centres.data(), k, d, shift);
        if (sums.label_changes == 0) {
            strict = true;
            break;
        }
        if (total_shift <= tol) break;
    }
    result.n_iter = std::min(it + 1, max_iter);
    result.converged = it < max_iter;
    ct.assign(centres.data(), k, d);
    if (strict) {
        // The labels are the nearest centres already: the inertia needs n x d work only.
        result.inertia = pass.inertia_of_labels(centres.data(), labels.data());
    } else {
        // Rerun the E-step so that labels match the final centres.
        result.inertia = pass.lloyd_step(ct, labels.data(), nullptr).inertia;
        // The expansion's distances are not what is reported: exact differences, as
        // scikit-learn's inertia.
        if (pass.expanded()) result.inertia = pass.inertia_of_labels(centres.data(), labels.data());
    }
    return result;
}

/// Hamerly's bounds for one run: upper[i] >= ||x_i - c_{a_i}||, lower[i] <= min over
/// c != a_i of ||x_i - c|| (distances, not squares).
template <class T>
struct HamerlyState {
    std::vector<T> upper, lower;
    std::vector<T> half_gap;     ///< per centre: half the distance to its nearest other centre
    std::vector<T> moved;        ///< per centre: distance it moved in the last M-step
    T max_moved = 0, second_moved = 0;
    std::size_t max_moved_centre = 0;
};

/// One Hamerly E-step over a block: tightens or recomputes what the bounds cannot settle,
/// then adds every row to the sums in row order (so the sums equal Lloyd's bit for bit
/// when the labels do). `first` computes every distance (initial bounds).
template <class T>
void hamerly_block(const simd::kernel_table<T>& kernels, const T* X, std::size_t n_rows,
                   const T* sample_weight, const T* centres, const TransposedCentres<T>& ct,
                   HamerlyState<T>& state, std::size_t offset, bool first, std::int32_t* labels,
                   KMeansSums& sums) {
    const std::size_t d = ct.n_features, k = ct.n_centres;
    const std::size_t tile_rows = detail::distance_tile_rows;
    std::vector<T> gathered(tile_rows * d), best(tile_rows), second(tile_rows);
    std::vector<std::int32_t> nearest(tile_rows);
    std::vector<std::size_t> todo(tile_rows);
    T* upper = state.upper.data() + offset;
    T* lower = state.lower.data() + offset;
    for (std::size_t start = 0; start < n_rows; start += tile_rows) {
        const std::size_t count = std::min(tile_rows, n_rows - start);
        std::size_t n_todo = 0;
        for (std::size_t r = 0; r < count; ++r) {
            const std::size_t i = start + r;
            if (!first) {
                const auto a = static_cast<std::size_t>(labels[i]);
                // Move the bounds by the last M-step's centre shifts (triangle inequality).
                upper[i] += state.moved[a];
                lower[i] -= a == state.max_moved_centre ? state.second_moved : state.max_moved;
                const T bound = std::max(state.half_gap[a], lower[i]);
                if (upper[i] <= bound) continue;
                upper[i] = std::sqrt(kernels.squared_distance(X + i * d, centres + a * d, d));
                if (upper[i] <= bound) continue;
            }
            std::copy(X + i * d, X + (i + 1) * d, gathered.begin() + static_cast<std::ptrdiff_t>(n_todo * d));
            todo[n_todo++] = i;
        }
        if (n_todo > 0) {
            kernels.nearest_centres(gathered.data(), n_todo, d, ct.data.data(), ct.stride, k,
                                    nearest.data(), best.data(), second.data());
            for (std::size_t t = 0; t < n_todo; ++t) {
                const std::size_t i = todo[t];
                if (labels[i] != nearest[t]) ++sums.label_changes;
                labels[i] = nearest[t];
                upper[i] = std::sqrt(best[t]);
                lower[i] = std::sqrt(second[t]);
            }
        }
        sums.add_rows(kernels, X + start * d, count, labels + start,
                      sample_weight ? sample_weight + start : nullptr);
    }
}

template <class T>
void hamerly_centre_gaps(const simd::kernel_table<T>& kernels, const T* centres, std::size_t k,
                         std::size_t d, HamerlyState<T>& state) {
    state.half_gap.assign(k, std::numeric_limits<T>::infinity());
    for (std::size_t a = 0; a < k; ++a) {
        for (std::size_t b = a + 1; b < k; ++b) {
            const T half = T(0.5) * std::sqrt(kernels.squared_distance(centres + a * d, centres + b * d, d));
            state.half_gap[a] = std::min(state.half_gap[a], half);
            state.half_gap[b] = std::min(state.half_gap[b], half);
        }
    }
}

/// One Hamerly run: the same iterations, stops and relocation as lloyd_run.
template <class T>
SingleRunResult hamerly_run(KMeansPass<T>& pass, std::vector<T>& centres, std::size_t max_iter,
                            double tol, std::vector<std::int32_t>& labels) {
    const std::size_t k = pass.k, d = pass.d, n = pass.n_rows;
    labels.assign(n, -1);
    HamerlyState<T> state;
    state.upper.assign(n, T(0));
    state.lower.assign(n, T(0));
    state.moved.assign(k, T(0));
    std::vector<T> old_centres(centres.size());
    std::vector<double> shift;
    TransposedCentres<T> ct;
    SingleRunResult result;
    bool strict = false;
    auto e_step = [&](bool first) {
        ct.assign(centres.data(), k, d);
        hamerly_centre_gaps(pass.kernels, centres.data(), k, d, state);
        parallel_for_blocks(pass.blocks.n_blocks, pass.n_threads, [&](std::size_t b) {
            const std::size_t begin = pass.blocks.begin(b);
            pass.block_sums[b].reset(k, d);
            hamerly_block(pass.kernels, pass.X + begin * d, pass.blocks.size(b), pass.weights_of(b),
                          centres.data(), ct, state, begin, first, labels.data() + begin,
                          pass.block_sums[b]);
        });
        return pass.reduce();
    };
    std::size_t it = 0;
    for (; it < max_iter; ++it) {
        KMeansSums sums = e_step(it == 0);
        old_centres = centres;
        bool any_empty = false;
        for (double w : sums.weights) any_empty = any_empty || !(w > 0);
        if (any_empty) {
            const T* c0 = old_centres.data();
            relocate_empty_clusters(
                pass.X, n, d, pass.sample_weight, labels.data(),
                [&](std::size_t i) {
                    return pass.kernels.squared_distance(pass.X + i * d,
                                                         c0 + static_cast<std::size_t>(labels[i]) * d, d);
                },
                sums);
        }
        centres_from_sums(sums, centres.data());
        const double total_shift = centre_shifts(old_centres.data(), centres.data(), k, d, shift);
        state.max_moved = state.second_moved = T(0);
        state.max_moved_centre = 0;
        for (std::size_t c = 0; c < k; ++c) {
            state.moved[c] = static_cast<T>(std::sqrt(shift[c]));
            if (state.moved[c] > state.max_moved) {
                state.second_moved = state.max_moved;
                state.max_moved = state.moved[c];
                state.max_moved_centre = c;
            } else if (state.moved[c] > state.second_moved) {
                state.second_moved = state.moved[c];
            }
        }
        if (sums.label_changes == 0) {
            strict = true;
            break;
        }
        if (total_shift <= tol) break;
    }
    result.n_iter = std::min(it + 1, max_iter);
    result.converged = it < max_iter;
    if (!strict) e_step(false);  // labels that match the final centres (bounds make it cheap)
    result.inertia = pass.inertia_of_labels(centres.data(), labels.data());
    return result;
}

/// scikit-learn's _is_same_clustering: the two labelings are equal up to a renaming.
inline bool same_clustering(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b,
                            std::size_t k) {
    std::vector<std::int32_t> mapping(k, -1);
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto& m = mapping[static_cast<std::size_t>(a[i])];
        if (m == -1) {
            m = b[i];
        } else if (m != b[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace detail

/// Fits k-means to the n_rows x n_cols row-major X (read in place, never copied).
///
/// `sample_weight` may be nullptr (all 1). `initial_centres` (n_clusters x n_cols), when
/// given, is the one starting point (options.init and n_init are ignored); otherwise each
/// of the n_init runs starts from k-means++ or random rows drawn from one random stream
/// seeded by options.random_state. The run of lowest inertia is kept (a later run must
/// also be a different partition, as scikit-learn).
///
/// Each run iterates: assign rows to their nearest centre; relocate empty clusters to the
/// rows farthest from their centres; move each centre to the weighted mean of its rows;
/// stop when no label changed, when the centres' total squared shift is <= tol * mean
/// weighted feature variance, or after max_iter iterations.
template <class T>
KMeansFit<T> fit_kmeans(const T* X, std::size_t n_rows, std::size_t n_cols, const T* sample_weight,
                        const KMeansOptions<T>& options, const T* initial_centres = nullptr) {
    const std::size_t k = options.n_clusters, d = n_cols;
    detail::validate_kmeans_input(X, n_rows, n_cols, sample_weight, k, options.check_input);
    require(options.max_iter >= 1, "max_iter=", options.max_iter, " must be >= 1");
    require(options.n_init >= 1, "n_init=", options.n_init, " must be >= 1");
    require(std::isfinite(options.tol) && options.tol >= 0, "tol=", options.tol,
            " must be a finite number >= 0");
    if (initial_centres && options.check_input) {
        detail::check_finite_rows(initial_centres, k, d, "init");
    }
    const simd::kernel_table<T>& kernels = simd::kernels<T>();
    const std::size_t n_threads = resolve_n_jobs(options.n_jobs);
    const bool expanded =
        options.algorithm == KMeansAlgorithm::lloyd && k >= detail::kmeans_expanded_min_clusters;
    // One pass for the column means serves both the tol scale and the expanded kernel's
    // centring point.
    const std::vector<double> mean = options.tol > 0 || expanded
                                         ? detail::weighted_column_means(X, n_rows, d, sample_weight)
                                         : std::vector<double>();
    const double tol = options.tol > 0 ? options.tol * detail::mean_weighted_variance(
                                                           X, n_rows, d, sample_weight, mean)
                                       : 0.0;

    detail::KMeansPass<T> pass(kernels, X, n_rows, d, sample_weight, k, n_threads);
    if (expanded) pass.use_expanded_distances(mean);
    std::mt19937_64 rng(options.random_state);
    const std::size_t n_init = initial_centres ? 1 : options.n_init;

    KMeansFit<T> best;
    best.n_clusters = k;
    best.n_features = d;
    std::vector<T> centres(k * d);
    std::vector<std::int32_t> labels;
    bool have_best = false;
    for (std::size_t run = 0; run < n_init; ++run) {
        if (initial_centres) {
            std::copy(initial_centres, initial_centres + k * d, centres.begin());
        } else if (options.init == KMeansInit::kmeans_plusplus) {
            kmeans_plusplus(kernels, X, n_rows, d, sample_weight, k, rng, options.n_local_trials,
                            n_threads, centres.data());
        } else {
            kmeans_random_init(X, n_rows, d, sample_weight, k, rng, centres.data());
        }
        const detail::SingleRunResult r =
            options.algorithm == KMeansAlgorithm::hamerly && k > 1
                ? detail::hamerly_run(pass, centres, options.max_iter, tol, labels)
                : detail::lloyd_run(pass, centres, options.max_iter, tol, labels);
        if (!have_best ||
            (r.inertia < best.inertia && !detail::same_clustering(labels, best.labels, k))) {
            have_best = true;
            best.centres = centres;
            best.labels = labels;
            best.inertia = r.inertia;
            best.n_iter = r.n_iter;
            best.converged = r.converged;
        }
    }
    return best;
}

/// Nearest centre of each row (labels[0..n_rows)) and the weighted inertia, as
/// scikit-learn's predict / score. `centres` is n_clusters x n_cols.
template <class T>
double kmeans_assign(const T* X, std::size_t n_rows, std::size_t n_cols, const T* sample_weight,
                     const T* centres, std::size_t n_clusters, std::int32_t* labels,
                     int n_jobs = 1) {
    require(n_clusters >= 1, "there must be at least one centre");
    if (n_rows == 0) return 0;
    detail::KMeansPass<T> pass(simd::kernels<T>(), X, n_rows, n_cols, sample_weight, n_clusters,
                               resolve_n_jobs(n_jobs));
    const TransposedCentres<T> ct(centres, n_clusters, n_cols);
    return pass.lloyd_step(ct, labels, nullptr).inertia;
}

/// Euclidean distance of every row to every centre: out[i * n_clusters + c].
template <class T>
void kmeans_transform(const T* X, std::size_t n_rows, std::size_t n_cols, const T* centres,
                      std::size_t n_clusters, T* out, int n_jobs = 1) {
    const simd::kernel_table<T>& kernels = simd::kernels<T>();
    const TransposedCentres<T> ct(centres, n_clusters, n_cols);
    const RowBlocks blocks(n_rows, 0);
    parallel_for_blocks(blocks.n_blocks, resolve_n_jobs(n_jobs), [&](std::size_t b) {
        std::vector<T> tile(detail::distance_tile_rows * ct.stride);
        const std::size_t begin = blocks.begin(b), end = begin + blocks.size(b);
        for (std::size_t start = begin; start < end; start += detail::distance_tile_rows) {
            const std::size_t count = std::min(detail::distance_tile_rows, end - start);
            kernels.squared_distances(X + start * n_cols, count, n_cols, ct.data.data(), ct.stride,
                                      tile.data());
            for (std::size_t r = 0; r < count; ++r) {
                for (std::size_t c = 0; c < n_clusters; ++c) {
                    out[(start + r) * n_clusters + c] = std::sqrt(tile[r * ct.stride + c]);
                }
            }
        }
    });
}

}  // namespace marketlearn::models
