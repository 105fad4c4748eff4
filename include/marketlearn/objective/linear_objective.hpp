#pragma once
/// \file
/// A linear model's objective: any pointwise loss (simd/losses.hpp) plus an elastic-net
/// penalty, over dense row-major data, as a separable composite objective.
///
///   F(w, b) = (1 / W) sum_i sw_i l(x_i . w + b, y_i) + (alpha (1 - rho) / 2) ||w||^2
///   G(w)    = alpha rho ||w||_1
///   objective = F + G,   W = sum_i sw_i,   rho = l1_ratio in [0, 1]
///
/// F is smooth: evaluate / evaluate_with_gradient give F and its gradient. G is not: it
/// enters through its proximal operator (soft thresholding), which is what makes weights
/// exactly zero. Penalty none / l2 / l1 / elasticnet are alpha = 0 / rho = 0 / rho = 1 /
/// rho in (0, 1). The intercept b (last coordinate) is never penalized.
///
/// X, y and sample_weight are views on the caller's memory: never copied. A subset of
/// rows (e.g. the training part when a validation split is held out) is an index list.
/// Full passes run in fixed blocks of rows, optionally on several threads, reduced in
/// block order: the result is bitwise the same for any number of threads.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <random>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/thread_choice.hpp"
#include "marketlearn/objective/block_sums.hpp"
#include "marketlearn/objective/design.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::objective {

template <class T>
struct LinearObjectiveSpec {
    simd::loss_kind loss = simd::loss_kind::logistic;
    simd::loss_params<T> loss_params{};
    T alpha = T(0);     ///< penalty strength
    T l1_ratio = T(0);  ///< share of L1 in the penalty (rho)
    bool fit_intercept = true;
    std::size_t n_jobs = 1;  ///< threads for full passes
};

template <class T, class Design = DenseDesign<T>>
class LinearObjective {
public:
    using Scalar = T;
    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    using design_type = Design;

    /// Rows per block in full passes: fixed so sums are always formed in the same order.
    static constexpr std::size_t block_rows = 2048;

    /// Dense row-major X (n_rows x n_cols). `rows`/`n_subset`: optional subset of row
    /// indices to fit on (nullptr: all rows).
    template <class D = Design, class = std::enable_if_t<std::is_same_v<D, DenseDesign<T>>>>
    LinearObjective(const T* X, std::size_t n_rows, std::size_t n_cols, const T* y,
                    const T* sample_weight, const LinearObjectiveSpec<T>& spec,
                    const std::size_t* rows = nullptr, std::size_t n_subset = 0)
        : LinearObjective(DenseDesign<T>{X, n_rows, n_cols}, y, sample_weight, spec, rows,
                          n_subset) {}

    /// Any design (dense or CSR view).
    LinearObjective(const Design& design, const T* y, const T* sample_weight,
                    const LinearObjectiveSpec<T>& spec, const std::size_t* rows = nullptr,
                    std::size_t n_subset = 0)
        : design_(design), n_cols_(design.n_cols), y_(y), sw_(sample_weight), spec_(spec),
          kernels_(simd::kernels<T>()) {
        const std::size_t n_rows = design.n_rows;
        require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
        require(n_cols_ > 0, "X has 0 columns (n_features=0); at least one is required");
        require(std::isfinite(spec.alpha) && spec.alpha >= T(0), "alpha=", spec.alpha,
                " must be a finite number >= 0");
        require(spec.l1_ratio >= T(0) && spec.l1_ratio <= T(1), "l1_ratio=", spec.l1_ratio,
                " must be in [0, 1]");
        if (rows != nullptr) {
            require(n_subset > 0, "the row subset is empty");
            for (std::size_t i = 0; i < n_subset; ++i) {
                require(rows[i] < n_rows, "row index ", rows[i], " is outside the ", n_rows,
                        " rows of X");
            }
            subset_.assign(rows, rows + n_subset);
        }
        n_active_ = rows ? n_subset : n_rows;
        total_weight_ = 0;
        for (std::size_t p = 0; p < n_active_; ++p) total_weight_ += weight_of(base_row(p));
        // Full passes leave the GLM losses' terms in y alone to this sum (loss_params::
        // with_constant); mini-batches and single rows still evaluate them per row.
        full_pass_params_ = spec_.loss_params;
        full_pass_params_.with_constant = false;
        constant_sum_ = 0;
        if (simd::has_loss_constant(spec_.loss)) {
            // a log (and an exp) per row: threaded, summed in block order like the passes
            std::vector<double> parts(blocks());
            parallel_for_blocks(parts.size(), spec_.n_jobs, [&](std::size_t b) {
                const auto [begin, count] = block_range(b);
                double sum = 0;
                for (std::size_t p = begin; p < begin + count; ++p) {
                    const std::size_t r = base_row(p);
                    sum += weight_of(r) * static_cast<double>(simd::loss_constant(
                                              spec_.loss, y_[r], spec_.loss_params));
                }
                parts[b] = sum;
            });
            for (double part : parts) constant_sum_ += part;
        }
        require(total_weight_ > 0, "sample_weight sums to ", total_weight_,
                " over the rows used for fitting; it must have a positive sum");
        l2_ = spec.alpha * (T(1) - spec.l1_ratio);
        l1_ = spec.alpha * spec.l1_ratio;
        row_factor_ = static_cast<T>(static_cast<double>(n_active_) / total_weight_);
    }

    std::size_t num_parameters() const noexcept { return n_cols_ + (spec_.fit_intercept ? 1 : 0); }
    std::size_t num_functions() const noexcept { return n_active_; }
    std::size_t num_features() const noexcept { return n_cols_; }
    const LinearObjectiveSpec<T>& spec() const noexcept { return spec_; }
    double total_weight() const noexcept { return total_weight_; }

    /// Smooth part F over all rows used for fitting.
    T evaluate(const Vector& w) const {
        check_size(w);
        const std::size_t n_blocks = blocks();
        block_loss_.assign(n_blocks, 0.0);
        parallel_for_blocks(n_blocks, spec_.n_jobs, [&](std::size_t b) {
            const auto [begin, count] = block_range(b);
            block_loss_[b] = static_cast<double>(
                design_.loss(kernels_, spec_.loss, full_pass_params_, block_rows_ptr(begin), begin,
                             count, y_, sw_, w.data(), intercept(w)));
        });
        double loss = constant_sum_;
        for (double l : block_loss_) loss += l;  // block order: same bits for any n_jobs
        return static_cast<T>(loss / total_weight_) + smooth_penalty(w);
    }

    /// F and its gradient over all rows used for fitting, reading X once.
    T evaluate_with_gradient(const Vector& w, Vector& grad) const {
        check_size(w);
        const std::size_t n_blocks = blocks();
        block_loss_.assign(n_blocks, 0.0);
        block_grad_.assign(n_blocks * (n_cols_ + 1), T(0));
        parallel_for_blocks(n_blocks, spec_.n_jobs, [&](std::size_t b) {
            const auto [begin, count] = block_range(b);
            T* g = block_grad_.data() + b * (n_cols_ + 1);
            block_loss_[b] = static_cast<double>(design_.loss_grad(
                kernels_, spec_.loss, full_pass_params_, block_rows_ptr(begin), begin, count, y_,
                sw_, w.data(), intercept(w), g, g + n_cols_));
        });
        grad.setZero(num_parameters());
        double loss = constant_sum_, grad_intercept = 0;
        for (std::size_t b = 0; b < n_blocks; ++b) {
            loss += block_loss_[b];
            const T* g = block_grad_.data() + b * (n_cols_ + 1);
            grad.head(n_cols_) += Eigen::Map<const Vector>(g, static_cast<Eigen::Index>(n_cols_));
            grad_intercept += g[n_cols_];
        }
        const T scale = static_cast<T>(1.0 / total_weight_);
        grad.head(n_cols_) *= scale;
        if (l2_ > T(0)) grad.head(n_cols_) += l2_ * w.head(n_cols_);
        if (spec_.fit_intercept) grad[n_cols_] = static_cast<T>(grad_intercept / total_weight_);
        return static_cast<T>(loss / total_weight_) + smooth_penalty(w);
    }

    /// Mini-batch estimate of F and its gradient over positions [begin, begin + batch_size)
    /// of the current visiting order. Unbiased: weights are scaled by n / W, not
    /// normalized per batch, so a weight still counts when a batch holds one row.
    T evaluate_with_gradient(const Vector& w, std::size_t begin, std::size_t batch_size,
                             Vector& grad) const {
        check_size(w);
        require(batch_size > 0 && begin + batch_size <= n_active_, "batch [", begin, ", ",
                begin + batch_size, ") is outside the ", n_active_, " rows");
        grad.setZero(num_parameters());
        T grad_intercept = 0;
        const T loss = batch_pass(w, begin, batch_size, grad.data(), &grad_intercept);
        const T scale = static_cast<T>(static_cast<double>(n_active_) /
                                       (total_weight_ * static_cast<double>(batch_size)));
        grad.head(n_cols_) *= scale;
        if (l2_ > T(0)) grad.head(n_cols_) += l2_ * w.head(n_cols_);
        if (spec_.fit_intercept) grad[n_cols_] = grad_intercept * scale;
        return loss * scale + smooth_penalty(w);
    }

    /// Unnormalized sums over positions [begin, begin + count) of the current order: what
    /// a driver adds up across blocks or data partitions before normalizing. Sets grad_sum
    /// to sum_i sw_i dl_i [x_i, 1] (no penalty).
    BlockSums<T> sum_over_block(const Vector& w, std::size_t begin, std::size_t count,
                                Vector& grad_sum) const {
        check_size(w);
        require(begin + count <= n_active_, "block [", begin, ", ", begin + count,
                ") is outside the ", n_active_, " rows");
        grad_sum.setZero(num_parameters());
        T grad_intercept = 0;
        BlockSums<T> sums;
        sums.loss = ordered_pass(w, begin, count, grad_sum.data(), &grad_intercept);
        if (spec_.fit_intercept) grad_sum[n_cols_] = grad_intercept;
        for (std::size_t p = begin; p < begin + count; ++p) sums.weight += weight_of(ordered_row(p));
        return sums;
    }

    /// One epoch of plain SGD with one row per step, in the visiting order: w <- w - eta
    /// grad_r for each row r, as a one-row evaluate_with_gradient would give, where
    /// `next_rate()` is called once per step for its eta. Updates w in place and returns
    /// the sum of the steps' values (each row's scaled loss plus the L2 term, before its
    /// step).
    ///
    /// The sum is not finite if a row has a NaN or infinite entry, whatever the loss: a
    /// hinge loss is 0 with a zero gradient at a NaN decision value (every comparison is
    /// false), so each value carries x . v * 0 too, 0 for a finite row and NaN otherwise.
    /// The optimizer's divergence check then stops the run after the first epoch, and
    /// callers that skip a separate pass over X for NaN / infinity rely on it.
    template <class NextRate>
    double scaled_sgd_epoch(Vector& w, NextRate&& next_rate) const {
        check_size(w);
        ScaledWeights s;
        s.v = w.head(n_cols_);
        s.intercept = intercept(w);
        s.squared_norm_v = static_cast<double>(s.v.squaredNorm());
        double sum = 0;
        for (std::size_t p = 0; p < n_active_; ++p) {
            sum += static_cast<double>(scaled_sgd_step(s, p, next_rate()));
        }
        if (s.pending_row != no_row) design_.axpy_row(kernels_, s.pending_row, s.pending_c, s.v.data());
        w.head(n_cols_) = s.scale * s.v;
        if (spec_.fit_intercept) w[static_cast<Eigen::Index>(n_cols_)] = s.intercept;
        return sum;
    }

    /// Draws a new visiting order for mini-batches; full passes keep storage order.
    void shuffle(std::mt19937_64& rng) {
        if (order_.size() != n_active_) {
            order_.resize(n_active_);
            for (std::size_t p = 0; p < n_active_; ++p) order_[p] = base_row(p);
        }
        std::shuffle(order_.begin(), order_.end(), rng);
    }

    /// The non-smooth part G(w) = alpha rho ||w||_1 (0 without L1).
    T nonsmooth(const Vector& w) const {
        return l1_ > T(0) ? l1_ * w.head(n_cols_).template lpNorm<1>() : T(0);
    }

    /// Proximal step for `step` * G: soft-thresholds each coefficient by step * alpha * rho,
    /// w_j <- sign(w_j) max(|w_j| - step alpha rho, 0). Weights that the data does not
    /// support end exactly at 0. The intercept is untouched.
    void proximal(Vector& w, T step) const {
        if (!(l1_ > T(0))) return;
        const T threshold = step * l1_;
        for (std::size_t j = 0; j < n_cols_; ++j) {
            const T v = w[static_cast<Eigen::Index>(j)];
            w[static_cast<Eigen::Index>(j)] =
                v > threshold ? v - threshold : (v < -threshold ? v + threshold : T(0));
        }
    }

    /// Per-coordinate proximal step (adaptive methods scale each coordinate's step).
    void proximal(Vector& w, const Vector& steps) const {
        if (!(l1_ > T(0))) return;
        for (std::size_t j = 0; j < n_cols_; ++j) {
            const auto jj = static_cast<Eigen::Index>(j);
            const T threshold = steps[jj] * l1_;
            const T v = w[jj];
            w[jj] = v > threshold ? v - threshold : (v < -threshold ? v + threshold : T(0));
        }
    }

    bool has_nonsmooth_part() const noexcept { return l1_ > T(0); }

private:
    /// Coefficients kept as w = scale * v (scikit-learn's WeightVector) for plain SGD with
    /// one row per step: the L2 shrinkage of every step, w <- (1 - eta l2) w, becomes one
    /// multiplication of `scale`, so a step costs a dot product and an axpy over the row
    /// (its non-zeros for CSR data) instead of several passes over all coefficients.
    struct ScaledWeights {
        Vector v;
        T scale = 1;
        T intercept = 0;
        double squared_norm_v = 0;  ///< ||v||^2, updated with each step
        /// A step's update v += pending_c x_{pending_row} waits for the next step, which
        /// applies it in the same pass over v as its own dot product (one pass, not two,
        /// and that dot product does not wait on the update's stores).
        std::size_t pending_row = no_row;
        T pending_c = 0;
    };

    /// One step of scaled_sgd_epoch on the row at position p of the visiting order, with
    /// rate eta; returns its value. Its update of v is left pending for the next step.
    T scaled_sgd_step(ScaledWeights& s, std::size_t p, T eta) const {
        const std::size_t r = ordered_row(p);
        if (p + sgd_prefetch_distance < n_active_) prefetch_step(p + sgd_prefetch_distance);
        // ||x_r||^2 comes with the dot product, from the same loads of the row: it keeps
        // ||v||^2 (the reported L2 term) up to date without a second pass over the row.
        T xx = 0;
        T xv = design_.axpy_dot_row_and_squared_norm(kernels_, s.pending_row, s.pending_c,
                                                     s.v.data(), r, xx);
        s.pending_row = no_row;
        const T z = s.scale * xv + s.intercept;
        T loss = 0, dloss = 0;
        eval_loss(z, y_[r], loss, dloss);
        const T weight = sw_ ? sw_[r] * row_factor_ : row_factor_;
        const T g = weight * dloss;
        const T value = weight * loss + xv * T(0) +
                        (l2_ > T(0) ? static_cast<T>(0.5 * static_cast<double>(l2_) *
                                                     static_cast<double>(s.scale * s.scale) *
                                                     s.squared_norm_v)
                                    : T(0));
        if (l2_ > T(0)) {
            const T shrink = T(1) - eta * l2_;
            if (shrink > T(0) && s.scale * shrink > min_scale()) {
                s.scale *= shrink;
            } else {  // fold the scale into v before it underflows (or turns negative)
                const T fold = s.scale * shrink;
                s.v *= fold;
                xv *= fold;  // x . v for the new v, for the norm update below
                s.scale = 1;
                s.squared_norm_v = static_cast<double>(s.v.squaredNorm());
            }
        }
        if (g != T(0)) {
            const T c = -eta * g / s.scale;
            s.pending_row = r;  // v += c x_r, in the next step's pass over v
            s.pending_c = c;
            s.squared_norm_v += 2.0 * static_cast<double>(c) * static_cast<double>(xv) +
                                static_cast<double>(c) * static_cast<double>(c) *
                                    static_cast<double>(xx);
            if (spec_.fit_intercept) s.intercept -= eta * g;
        }
        return value;
    }

    T intercept(const Vector& w) const noexcept {
        return spec_.fit_intercept ? w[static_cast<Eigen::Index>(n_cols_)] : T(0);
    }
    T smooth_penalty(const Vector& w) const {
        return l2_ > T(0) ? T(0.5) * l2_ * w.head(n_cols_).squaredNorm() : T(0);
    }
    std::size_t base_row(std::size_t p) const noexcept { return subset_.empty() ? p : subset_[p]; }
    std::size_t ordered_row(std::size_t p) const noexcept {
        return order_.empty() ? base_row(p) : order_[p];
    }
    double weight_of(std::size_t row) const noexcept { return sw_ ? sw_[row] : 1.0; }

    std::size_t blocks() const noexcept { return (n_active_ + block_rows - 1) / block_rows; }
    std::pair<std::size_t, std::size_t> block_range(std::size_t b) const noexcept {
        const std::size_t begin = b * block_rows;
        return {begin, std::min(block_rows, n_active_ - begin)};
    }
    // Full passes run in storage order: contiguous rows when there is no subset (the fast,
    // streaming case), else the sorted subset.
    const std::size_t* block_rows_ptr(std::size_t begin) const noexcept {
        return subset_.empty() ? nullptr : subset_.data() + begin;
    }

    static constexpr T min_scale() noexcept { return T(1e-9); }

    /// How many steps ahead scaled_sgd_step asks for its row. Rows are visited in shuffled
    /// order, so each is a fresh trip to memory (~100 ns on a large X) that the hardware
    /// prefetchers cannot foresee; a step's own work is shorter than that trip, so the
    /// request must be several steps ahead for the row to arrive in time.
    static constexpr std::size_t sgd_prefetch_distance = 4;

    /// Requests the row at position p of the visiting order, and its target and weight.
    /// Always inlined: GCC's IPA analysis counts a function whose only effects are
    /// prefetches as pure, and then deletes the call (its result is unused) — an out-of-line
    /// copy of this function would silently prefetch nothing.
    MARKETLEARN_ALWAYS_INLINE void prefetch_step(std::size_t p) const noexcept {
        const std::size_t r = ordered_row(p);
        design_.prefetch_row(r);
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(y_ + r, 0, 3);
        if (sw_) __builtin_prefetch(sw_ + r, 0, 3);
#endif
    }

    void eval_loss(T z, T y, T& loss, T& dloss) const {
        using simd::loss_kind;
        using simd::pointwise_loss;
        const auto& p = spec_.loss_params;
        switch (spec_.loss) {
            case loss_kind::logistic: pointwise_loss<loss_kind::logistic>::eval(z, y, p, loss, dloss); break;
            case loss_kind::squared_error: pointwise_loss<loss_kind::squared_error>::eval(z, y, p, loss, dloss); break;
            case loss_kind::huber: pointwise_loss<loss_kind::huber>::eval(z, y, p, loss, dloss); break;
            case loss_kind::hinge: pointwise_loss<loss_kind::hinge>::eval(z, y, p, loss, dloss); break;
            case loss_kind::modified_huber: pointwise_loss<loss_kind::modified_huber>::eval(z, y, p, loss, dloss); break;
            case loss_kind::poisson: pointwise_loss<loss_kind::poisson>::eval(z, y, p, loss, dloss); break;
            case loss_kind::gamma: pointwise_loss<loss_kind::gamma>::eval(z, y, p, loss, dloss); break;
            case loss_kind::tweedie: pointwise_loss<loss_kind::tweedie>::eval(z, y, p, loss, dloss); break;
        }
    }

    void check_size(const Vector& w) const {
        require(static_cast<std::size_t>(w.size()) == num_parameters(), "coefficient vector has ",
                w.size(), " entries; this objective has ", num_parameters());
    }

    T ordered_pass(const Vector& w, std::size_t begin, std::size_t count, T* grad,
                   T* grad_intercept) const {
        const std::size_t* rows = order_.empty() ? block_rows_ptr(begin) : order_.data() + begin;
        return design_.loss_grad(kernels_, spec_.loss, spec_.loss_params, rows, begin, count, y_,
                                 sw_, w.data(), intercept(w), grad, grad_intercept);
    }

    /// Bytes of X per part of a mini-batch. A part is what one thread reads per claim, and
    /// each part starts cold (its first rows are not prefetched) and adds a partial
    /// gradient to zero and sum; yet a batch of 256 rows of 100 doubles (200 KB) should
    /// still make enough parts to keep a few cores busy. Measured on two cores (C++ driver,
    /// 5 epochs of 1M x 100 doubles, medians): 16 KB parts 0.44 s in storage order and
    /// 0.91 s shuffled, 32 KB 0.39 / 0.79 s, 48 KB 0.38 / 0.84 s.
    static constexpr std::size_t batch_part_bytes = 32 * 1024;
    static constexpr std::size_t max_batch_parts = 16;

    /// Parts a mini-batch of `count` rows is summed in. A function of the batch's shape
    /// and of whether rows are shuffled, never of n_jobs: the parts are added in order, so
    /// a batch's gradient has the same bits on any number of threads. Dense X only (a CSR
    /// row's size varies). Batches in storage order (shuffle=False) are split too: one
    /// core reads them at only part of the machine's bandwidth (storage-order epochs
    /// measured 0.38 s split against 0.44-0.48 s whole, 1M x 100 doubles, two cores).
    std::size_t batch_parts(std::size_t count) const noexcept {
        if constexpr (!std::is_same_v<Design, DenseDesign<T>>) {
            (void)count;
            return 1;
        } else {
            const std::size_t bytes = count * n_cols_ * sizeof(T);
            return std::clamp<std::size_t>(bytes / batch_part_bytes, 1,
                                           std::min(max_batch_parts, count));
        }
    }

    /// ordered_pass over a mini-batch, its parts spread over spec_.n_jobs threads: a batch
    /// of shuffled rows is a scatter of trips to memory, so one core alone reads X at a
    /// fraction of the machine's bandwidth.
    T batch_pass(const Vector& w, std::size_t begin, std::size_t count, T* grad,
                 T* grad_intercept) const {
        const std::size_t parts = batch_parts(count);
        if (parts == 1) return ordered_pass(w, begin, count, grad, grad_intercept);
        // Whole groups of 8 rows per part: the kernels take rows a register's width at a
        // time (4 or 8 on avx2) and do a part's last odd rows one by one.
        const std::size_t part_rows = ((count + parts - 1) / parts + 7) / 8 * 8;
        const std::size_t stride = n_cols_ + 1;
        part_loss_.assign(parts, T(0));
        part_grad_.assign(parts * stride, T(0));
        // Inline or threaded, whichever this machine runs faster now (see ThreadChoice):
        // a batch is short enough that a busy machine makes threads a loss.
        const auto start = std::chrono::steady_clock::now();
        parallel_for_blocks(parts, batch_threads_.next(spec_.n_jobs), [&](std::size_t b) {
            const std::size_t first = b * part_rows;
            if (first >= count) return;
            T* g = part_grad_.data() + b * stride;
            part_loss_[b] = ordered_pass(w, begin + first, std::min(part_rows, count - first), g,
                                         g + n_cols_);
        });
        batch_threads_.record(std::chrono::steady_clock::now() - start);
        T loss = 0;
        for (std::size_t b = 0; b < parts; ++b) {  // part order: same bits for any n_jobs
            loss += part_loss_[b];
            const T* g = part_grad_.data() + b * stride;
            for (std::size_t j = 0; j < n_cols_; ++j) grad[j] += g[j];
            *grad_intercept += g[n_cols_];
        }
        return loss;
    }

public:
    const Design& design() const noexcept { return design_; }

private:
    Design design_;
    std::size_t n_cols_;
    const T* y_;
    const T* sw_;
    LinearObjectiveSpec<T> spec_;
    const simd::kernel_table<T>& kernels_;
    std::vector<std::size_t> subset_;
    std::vector<std::size_t> order_;
    std::size_t n_active_ = 0;
    double total_weight_ = 0;
    simd::loss_params<T> full_pass_params_{};
    double constant_sum_ = 0;  ///< sum of w_i loss_constant(y_i) over the rows used for fitting
    T l2_ = 0, l1_ = 0;
    /// n / W: one row's weight in a mini-batch estimate of one row (see
    /// evaluate_with_gradient), fixed for the objective's lifetime.
    T row_factor_ = 0;
    mutable std::vector<double> block_loss_;
    mutable std::vector<T> block_grad_;
    mutable std::vector<T> part_loss_;  ///< per part of a mini-batch (batch_pass)
    mutable std::vector<T> part_grad_;
    mutable ThreadChoice batch_threads_;  ///< mini-batches inline or threaded (batch_pass)
};

}  // namespace marketlearn::objective
