#pragma once
// Shared helpers for the C++ tests: seeded data, misaligned buffers, and a naive
// long-double reference for the logistic model that shares no code with the library.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace marketlearn_test {

/// Seed for one test's data: Catch's --rng-seed (0 unless given) mixed with a per-test
/// salt, so tests do not share streams and a failure reproduces with the printed seed.
inline std::uint64_t seed_for(std::uint64_t salt) {
    std::seed_seq seq{static_cast<std::uint32_t>(Catch::rngSeed()),
                      static_cast<std::uint32_t>(salt), static_cast<std::uint32_t>(salt >> 32)};
    std::uint32_t words[2];
    seq.generate(words, words + 2);
    return (static_cast<std::uint64_t>(words[0]) << 32) | words[1];
}

/// n elements whose first element sits one element past a 64-byte boundary, so every
/// kernel sees a pointer that no SIMD register width divides.
template <class T>
class MisalignedBuffer {
public:
    explicit MisalignedBuffer(std::size_t n) : storage_(n + 64 / sizeof(T) + 1) {
        std::size_t first = 0;
        while (reinterpret_cast<std::uintptr_t>(storage_.data() + first) % 64 != 0) ++first;
        offset_ = first + 1;
        size_ = n;
    }
    T* data() noexcept { return storage_.data() + offset_; }
    const T* data() const noexcept { return storage_.data() + offset_; }
    std::size_t size() const noexcept { return size_; }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + size_; }

private:
    std::vector<T> storage_;
    std::size_t offset_ = 0;
    std::size_t size_ = 0;
};

template <class T, class Rng>
void fill_normal(T* out, std::size_t n, Rng& rng, double scale = 1.0) {
    std::normal_distribution<double> normal(0.0, scale);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(normal(rng));
}

/// Per-type relative tolerance: a result is accepted when
/// |result - reference| <= tolerance<T>() * (sum of |terms|) + tiny.
template <class T>
constexpr double tolerance() {
    return sizeof(T) == 4 ? 1e-5 : 1e-12;
}

/// log(1 + exp(-m)) and d/dz for margin m = y z, in long double, written from the
/// definition (no shared code with the kernels).
inline long double ref_logistic_loss(long double m) {
    // log(1 + e^{-m}) = -m + log(1 + e^{m}) for m < 0 keeps e^{.} from overflowing.
    return m >= 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m));
}
inline long double ref_logistic_dloss(long double y, long double m) {
    return -y / (1.0L + std::exp(m));  // exp(800) is finite in long double
}

/// Synthetic logistic data set: X ~ N(0, 1) row-major, labels drawn from the true model.
template <class T>
struct LogisticData {
    std::size_t n_rows = 0, n_cols = 0;
    std::vector<T> X, y01, y_pm1, weight;
    std::vector<T> true_coef;
    T true_intercept = 0;
};

template <class T>
LogisticData<T> make_logistic_data(std::size_t n_rows, std::size_t n_cols, std::uint64_t seed,
                                   double coef_scale = 1.0, bool separable = false) {
    std::mt19937_64 rng(seed);
    LogisticData<T> d;
    d.n_rows = n_rows;
    d.n_cols = n_cols;
    d.X.resize(n_rows * n_cols);
    fill_normal(d.X.data(), d.X.size(), rng);
    d.true_coef.resize(n_cols);
    fill_normal(d.true_coef.data(), n_cols, rng, coef_scale);
    d.true_intercept = static_cast<T>(0.3);
    std::uniform_real_distribution<double> unif(0.0, 1.0);
    std::uniform_real_distribution<double> wdist(0.2, 3.0);
    d.y01.resize(n_rows);
    d.y_pm1.resize(n_rows);
    d.weight.resize(n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) {
        double z = d.true_intercept;
        for (std::size_t j = 0; j < n_cols; ++j) z += double(d.X[i * n_cols + j]) * d.true_coef[j];
        const bool positive = separable ? z > 0 : unif(rng) < 1.0 / (1.0 + std::exp(-z));
        d.y01[i] = positive ? T(1) : T(0);
        d.y_pm1[i] = positive ? T(1) : T(-1);
        d.weight[i] = static_cast<T>(wdist(rng));
    }
    return d;
}

/// A naive objective in long double: (1/W) sum sw_i loss_i + alpha/2 ||coef||^2 over the
/// rows `rows` (all rows when empty), with its gradient (intercept last when fitted).
template <class T>
long double ref_objective(const LogisticData<T>& d, const T* sw, double alpha, bool fit_intercept,
                          const std::vector<long double>& w, std::vector<long double>* grad,
                          const std::vector<std::size_t>& rows = {}) {
    const std::size_t p = d.n_cols;
    const long double b = fit_intercept ? w[p] : 0.0L;
    long double loss = 0, wsum = 0;
    if (grad) grad->assign(w.size(), 0.0L);
    const std::size_t n = rows.empty() ? d.n_rows : rows.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = rows.empty() ? k : rows[k];
        long double z = b;
        for (std::size_t j = 0; j < p; ++j) z += (long double)d.X[i * p + j] * w[j];
        const long double yi = d.y_pm1[i];
        const long double s = sw ? (long double)sw[i] : 1.0L;
        loss += s * ref_logistic_loss(yi * z);
        wsum += s;
        if (grad) {
            const long double g = s * ref_logistic_dloss(yi, yi * z);
            for (std::size_t j = 0; j < p; ++j) (*grad)[j] += g * (long double)d.X[i * p + j];
            if (fit_intercept) (*grad)[p] += g;
        }
    }
    long double penalty = 0;
    for (std::size_t j = 0; j < p; ++j) penalty += w[j] * w[j];
    if (grad) {
        for (auto& g : *grad) g /= wsum;
        for (std::size_t j = 0; j < p; ++j) (*grad)[j] += alpha * w[j];
    }
    return loss / wsum + 0.5L * alpha * penalty;
}

}  // namespace marketlearn_test
