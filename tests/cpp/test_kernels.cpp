// Every kernel of every SIMD level this machine runs, against a naive long-double
// reference: odd lengths (vector tails), misaligned pointers, contiguous and indexed rows,
// with and without sample weights, and margins far outside exp()'s range.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear_model.hpp"
#include "marketlearn/simd/dispatch.hpp"
#include "test_support.hpp"

namespace simd = marketlearn::simd;
using marketlearn_test::MisalignedBuffer;
using marketlearn_test::fill_normal;
using marketlearn_test::ref_logistic_dloss;
using marketlearn_test::ref_logistic_loss;
using marketlearn_test::seed_for;
using marketlearn_test::tolerance;

namespace {

// Lengths around every register width (2, 4, 8, 16 lanes) and the 4-register unroll.
const std::vector<std::size_t> k_lengths = {0, 1, 7, 8, 9, 63, 64, 65, 1031};

template <class T>
struct TableUnderTest {
    std::string label;
    const simd::kernel_table<T>* table;
};

/// Every level this machine runs (through the same lookup the library uses), plus the
/// plain C++ table as a control.
template <class T>
std::vector<TableUnderTest<T>> tables_under_test() {
    std::vector<TableUnderTest<T>> out;
    for (simd::level l : simd::available_levels()) {
        out.push_back({simd::name(l), simd::find_kernel_table<T>(l)});
    }
    static const simd::kernel_table<T> scalar = simd::make_kernel_table<simd::scalar_arch, T>();
    out.push_back({"scalar (portable C++)", &scalar});
    return out;
}

template <class T>
constexpr T sentinel() {
    return static_cast<T>(-12345.25);
}

/// Restores an environment variable when the test ends, however it ends.
class EnvGuard {
public:
    explicit EnvGuard(const char* name) : name_(name) {
        if (const char* v = std::getenv(name)) saved_ = std::string(v);
    }
    ~EnvGuard() {
        if (saved_) {
            ::setenv(name_, saved_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    const char* name_;
    std::optional<std::string> saved_;
};

/// Row selection for the logistic kernels: contiguous rows 0..n_rows-1 of X, or a shuffled
/// index list over a larger X (y and sw are indexed like X in both cases).
struct RowSet {
    std::size_t x_rows = 0;            // rows stored in X
    MisalignedBuffer<std::size_t> ids;  // used when indexed
    bool indexed = false;
    const std::size_t* pointer() const { return indexed ? ids.data() : nullptr; }
    std::size_t row(std::size_t k) const { return indexed ? ids[k] : k; }
};

RowSet make_rows(std::size_t n_rows, bool indexed, std::mt19937_64& rng) {
    RowSet rs{indexed ? 2 * n_rows + 3 : n_rows, MisalignedBuffer<std::size_t>(n_rows), indexed};
    if (indexed) {
        std::vector<std::size_t> all(rs.x_rows);
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        std::shuffle(all.begin(), all.end(), rng);
        std::copy_n(all.begin(), n_rows, rs.ids.begin());
    }
    return rs;
}

}  // namespace

TEST_CASE("every SIMD level this machine runs has a table of its own level", "[simd]") {
    const auto levels = simd::available_levels();
    REQUIRE_FALSE(levels.empty());
    for (std::size_t i = 0; i < levels.size(); ++i) {
        INFO("level " << simd::name(levels[i]));
        if (i > 0) CHECK(static_cast<int>(levels[i]) < static_cast<int>(levels[i - 1]));
        const auto* f = simd::find_kernel_table<float>(levels[i]);
        const auto* d = simd::find_kernel_table<double>(levels[i]);
        REQUIRE(f != nullptr);
        REQUIRE(d != nullptr);
        CHECK(f->simd_level == levels[i]);
        CHECK(d->simd_level == levels[i]);
    }
    const simd::level active = simd::active_level();
    CHECK(std::find(levels.begin(), levels.end(), active) != levels.end());
    CHECK(simd::kernels<float>().simd_level == active);
    CHECK(simd::kernels<double>().simd_level == active);
}

TEMPLATE_TEST_CASE("dot and axpy_dot_and_squared_norm match a long-double reference",
                   "[simd][dot]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(101));
    for (const auto& tut : tables_under_test<T>()) {
        for (std::size_t n : k_lengths) {
            INFO("level " << tut.label << ", n = " << n);
            MisalignedBuffer<T> x(n), y(n + 1), prev(n);
            fill_normal(x.data(), n, rng);
            fill_normal(y.data(), n + 1, rng);
            fill_normal(prev.data(), n, rng);
            long double ref = 0, scale = 0, ref_xx = 0;
            for (std::size_t i = 0; i < n; ++i) {
                ref += (long double)x[i] * y[i];
                scale += std::fabs((long double)x[i] * y[i]);
                ref_xx += (long double)x[i] * x[i];
            }
            const T got = tut.table->dot(x.data(), y.data(), n);
            CHECK(std::fabs((long double)got - ref) <= tolerance<T>() * scale + 1e-30);

            // Without a pending update: x . y and x . x, y untouched.
            std::vector<T> y_before(y.data(), y.data() + n + 1);
            T xx = sentinel<T>();
            const T fused = tut.table->axpy_dot_and_squared_norm(T(0.75), nullptr, y.data(),
                                                                 x.data(), n, &xx);
            CHECK(std::fabs((long double)xx - ref_xx) <= tolerance<T>() * ref_xx + 1e-30);
            // One-row SGD steps use the fused kernel in place of dot (and of dot(x, x) for
            // ||x||^2): their x . v and ||x||^2 must not change, not even in the last bit.
            CHECK(fused == got);
            CHECK(xx == tut.table->dot(x.data(), x.data(), n));
            CHECK(std::equal(y_before.begin(), y_before.end(), y.data()));

            // With one: the same bits as axpy then dot, and only n elements written.
            const T a = T(-0.375);
            std::vector<T> y_axpy(y_before);
            tut.table->axpy(a, prev.data(), y_axpy.data(), n);
            const T want = tut.table->dot(x.data(), y_axpy.data(), n);
            T xx2 = sentinel<T>();
            const T got2 = tut.table->axpy_dot_and_squared_norm(a, prev.data(), y.data(),
                                                                x.data(), n, &xx2);
            CHECK(got2 == want);
            CHECK(xx2 == xx);
            CHECK(std::equal(y_axpy.begin(), y_axpy.end(), y.data()));
            long double ref_upd = 0, scale_upd = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const long double yi = (long double)y_before[i] + (long double)a * prev[i];
                ref_upd += (long double)x[i] * yi;
                scale_upd += std::fabs((long double)x[i] * yi);
            }
            CHECK(std::fabs((long double)got2 - ref_upd) <= 2 * tolerance<T>() * scale_upd + 1e-30);
        }
    }
}

TEMPLATE_TEST_CASE("axpy matches a long-double reference and writes only n elements",
                   "[simd][axpy]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(102));
    for (const auto& tut : tables_under_test<T>()) {
        for (std::size_t n : k_lengths) {
            INFO("level " << tut.label << ", n = " << n);
            MisalignedBuffer<T> x(n), y(n + 1);
            fill_normal(x.data(), n, rng);
            fill_normal(y.data(), n, rng);
            y[n] = sentinel<T>();
            const std::vector<T> y0(y.begin(), y.end());
            const T a = static_cast<T>(-0.7);
            tut.table->axpy(a, x.data(), y.data(), n);
            double worst = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const long double ref = (long double)y0[i] + (long double)a * x[i];
                const long double scale = std::fabs((long double)y0[i]) + std::fabs((long double)a * x[i]);
                worst = std::max(worst, double(std::fabs(y[i] - ref) / (scale + 1e-30)));
            }
            CHECK(worst <= tolerance<T>());
            CHECK(y[n] == sentinel<T>());
        }
    }
}

TEMPLATE_TEST_CASE("linear_predict matches a long-double reference", "[simd][linear_predict]",
                   float, double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(103));
    std::vector<std::pair<std::size_t, std::size_t>> shapes;  // (n_rows, n_cols)
    for (std::size_t n : k_lengths) shapes.emplace_back(n, 7);
    for (std::size_t n : k_lengths) shapes.emplace_back(9, n);
    for (const auto& tut : tables_under_test<T>()) {
        for (auto [n_rows, n_cols] : shapes) {
            INFO("level " << tut.label << ", rows x cols = " << n_rows << " x " << n_cols);
            MisalignedBuffer<T> X(n_rows * n_cols), w(n_cols), out(n_rows + 1);
            fill_normal(X.data(), X.size(), rng);
            fill_normal(w.data(), n_cols, rng);
            out[n_rows] = sentinel<T>();
            const T b = static_cast<T>(0.25);
            tut.table->linear_predict(X.data(), n_rows, n_cols, w.data(), b, out.data());
            double worst = 0;
            for (std::size_t i = 0; i < n_rows; ++i) {
                long double ref = b, scale = std::fabs((long double)b);
                for (std::size_t j = 0; j < n_cols; ++j) {
                    ref += (long double)X[i * n_cols + j] * w[j];
                    scale += std::fabs((long double)X[i * n_cols + j] * w[j]);
                }
                worst = std::max(worst, double(std::fabs(out[i] - ref) / scale));
            }
            CHECK(worst <= tolerance<T>());
            CHECK(out[n_rows] == sentinel<T>());
        }
    }
}

TEMPLATE_TEST_CASE("logistic_proba_pairs matches a long-double reference, every z",
                   "[simd][logistic][proba]", float, double) {
    using T = TestType;
    constexpr T inf = std::numeric_limits<T>::infinity();
    std::mt19937_64 rng(seed_for(110));
    // Ordinary scores, values around and beyond exp()'s range in float (88) and double
    // (709), and the non-finite ones, at every position of a register and of the tail.
    const std::vector<T> special = {T(0),      T(-0.0),   T(1e-30), T(-30),   T(30),
                                    T(-88.5),  T(88.5),   T(-100),  T(100),   T(-700),
                                    T(700),    T(-708.39), T(708.39), T(-708.3964),
                                    T(708.3964), T(-709.5), T(709.5), T(-750),  T(750),
                                    T(-1e30),  T(1e30),   inf,      -inf};
    for (const auto& tut : tables_under_test<T>()) {
        for (std::size_t n : k_lengths) {
            for (bool with_nan : {false, true}) {
                INFO("level " << tut.label << ", n = " << n << ", NaN: " << with_nan);
                MisalignedBuffer<T> z(n), out(2 * n + 1);
                fill_normal(z.data(), n, rng);
                for (std::size_t i = 0; i < n; ++i) z[i] *= T(8);
                for (std::size_t i = 0; i < n && i < 4 * special.size(); i += 4) {
                    z[n - 1 - i] = special[(i / 4 + n) % special.size()];
                }
                if (with_nan && n > 0) z[n / 2] = std::numeric_limits<T>::quiet_NaN();
                out[2 * n] = sentinel<T>();
                bool finite = true;
                for (std::size_t i = 0; i < n; ++i) finite = finite && std::isfinite(z[i]);

                CHECK(tut.table->logistic_proba_pairs(z.data(), n, out.data()) == finite);
                CHECK(out[2 * n] == sentinel<T>());
                // An ulp or two of the exp and the division; underflow (a result below
                // the smallest normal T) is flushed to 0 by the formula, as scipy's expit.
                const long double rel = 4 * std::numeric_limits<T>::epsilon();
                const long double tiny = std::numeric_limits<T>::min();
                for (std::size_t i = 0; i < n; ++i) {
                    INFO("z = " << z[i]);
                    if (std::isnan(z[i])) {
                        CHECK(std::isnan(out[2 * i]));
                        CHECK(std::isnan(out[2 * i + 1]));
                        continue;
                    }
                    // exp of +-inf is exact in long double: 0 and 1 come out exactly.
                    const long double zl = z[i];
                    const long double neg = 1 / (1 + std::exp(zl));
                    const long double pos = 1 / (1 + std::exp(-zl));
                    CHECK(std::fabs(out[2 * i] - neg) <= rel * neg + tiny);
                    CHECK(std::fabs(out[2 * i + 1] - pos) <= rel * pos + tiny);
                    CHECK(out[2 * i] >= 0);
                    CHECK(out[2 * i + 1] <= 1);
                    if (std::isinf(z[i])) {
                        CHECK(out[2 * i] == (z[i] > 0 ? T(0) : T(1)));
                        CHECK(out[2 * i + 1] == (z[i] > 0 ? T(1) : T(0)));
                    }
                    // No cancellation: a confident row's small probability is not 0.
                    if (z[i] > 30 && z[i] < 80) CHECK(out[2 * i] > 0);
                    if (z[i] < -30 && z[i] > -80) CHECK(out[2 * i + 1] > 0);
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("LinearModel::predict_proba_pairs is the kernel on decision_function, "
                   "bitwise for any thread count",
                   "[models][linear][proba]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(111));
    // Past one block of rows (1 MB of X) so threads share the work; an odd tail.
    const std::size_t n_rows = 3 * 1311 + 5, n_cols = 100;
    std::vector<T> X(n_rows * n_cols);
    fill_normal(X.data(), X.size(), rng);
    marketlearn::models::LinearModel<T> model;
    model.coef.resize(n_cols);
    fill_normal(model.coef.data(), n_cols, rng);
    model.intercept = T(0.5);

    std::vector<T> z(n_rows), expected(2 * n_rows);
    model.decision_function(X.data(), n_rows, z.data());
    REQUIRE(simd::kernels<T>().logistic_proba_pairs(z.data(), n_rows, expected.data()));
    for (std::size_t threads : {1, 2, 3}) {
        INFO("threads " << threads);
        std::vector<T> out(2 * n_rows);
        CHECK(model.predict_proba_pairs(X.data(), n_rows, out.data(), threads));
        CHECK(out == expected);
    }
    // A NaN or an infinity in X is reported through the decision value it poisons.
    for (T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()}) {
        std::vector<T> X_bad = X, out(2 * n_rows);
        X_bad[(n_rows - 2) * n_cols + 7] = bad;
        CHECK_FALSE(model.predict_proba_pairs(X_bad.data(), n_rows, out.data(), 2));
    }
    std::vector<T> none;
    CHECK(model.predict_proba_pairs(X.data(), 0, none.data(), 2));
}

TEMPLATE_TEST_CASE("logistic_loss and logistic_loss_grad match a long-double reference",
                   "[simd][logistic]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(104));
    std::vector<std::pair<std::size_t, std::size_t>> shapes;  // (n_rows, n_cols)
    for (std::size_t n : k_lengths) shapes.emplace_back(n, 5);
    for (std::size_t n : k_lengths) shapes.emplace_back(33, n);

    for (const auto& tut : tables_under_test<T>()) {
        for (auto [n_rows, n_cols] : shapes) {
            for (bool indexed : {false, true}) {
                for (bool weighted : {false, true}) {
                    INFO("level " << tut.label << ", rows x cols = " << n_rows << " x " << n_cols
                                  << (indexed ? ", shuffled index list" : ", contiguous rows")
                                  << (weighted ? ", weighted" : ", unweighted"));
                    const RowSet rs = make_rows(n_rows, indexed, rng);
                    MisalignedBuffer<T> X(rs.x_rows * n_cols), y(rs.x_rows), sw(rs.x_rows),
                        w(n_cols), grad(n_cols + 1);
                    fill_normal(X.data(), X.size(), rng);
                    // |z| of a few units: both branches of the stable loss are taken.
                    fill_normal(w.data(), n_cols, rng,
                                2.0 / std::sqrt(double(std::max<std::size_t>(n_cols, 1))));
                    std::bernoulli_distribution coin(0.5);
                    std::uniform_real_distribution<double> wdist(0.1, 4.0);
                    for (std::size_t r = 0; r < rs.x_rows; ++r) {
                        y[r] = coin(rng) ? T(1) : T(-1);
                        sw[r] = static_cast<T>(wdist(rng));
                    }
                    fill_normal(grad.data(), n_cols, rng);  // the kernel ADDS to grad
                    grad[n_cols] = sentinel<T>();
                    const std::vector<T> grad0(grad.begin(), grad.begin() + n_cols);
                    const T b = static_cast<T>(0.3);
                    const T gb0 = static_cast<T>(0.5);
                    T gb = gb0;
                    const T* swp = weighted ? sw.data() : nullptr;

                    // Reference, and the scale each result's rounding is measured against.
                    long double ref_loss = 0, loss_scale = 0, ref_gb = gb0, gb_scale = std::fabs(gb0);
                    std::vector<long double> ref_grad(grad0.begin(), grad0.end());
                    std::vector<long double> grad_scale(n_cols);
                    for (std::size_t j = 0; j < n_cols; ++j) grad_scale[j] = std::fabs(ref_grad[j]);
                    for (std::size_t k = 0; k < n_rows; ++k) {
                        const std::size_t r = rs.row(k);
                        long double z = b, zabs = std::fabs((long double)b);
                        for (std::size_t j = 0; j < n_cols; ++j) {
                            z += (long double)X[r * n_cols + j] * w[j];
                            zabs += std::fabs((long double)X[r * n_cols + j] * w[j]);
                        }
                        const long double s = weighted ? (long double)sw[r] : 1.0L;
                        const long double m = (long double)y[r] * z;
                        const long double l = ref_logistic_loss(m);
                        const long double g = ref_logistic_dloss(y[r], m);
                        ref_loss += s * l;
                        loss_scale += s * (l + zabs);
                        ref_gb += s * g;
                        gb_scale += s * (std::fabs(g) + zabs);
                        for (std::size_t j = 0; j < n_cols; ++j) {
                            const long double xij = X[r * n_cols + j];
                            ref_grad[j] += s * g * xij;
                            grad_scale[j] += s * std::fabs(xij) * (std::fabs(g) + zabs);
                        }
                    }

                    const T loss = tut.table->logistic_loss(X.data(), n_cols, rs.pointer(), n_rows,
                                                            y.data(), swp, w.data(), b);
                    const T loss_g = tut.table->logistic_loss_grad(
                        X.data(), n_cols, rs.pointer(), n_rows, y.data(), swp, w.data(), b,
                        grad.data(), &gb);

                    CHECK(std::fabs(loss - ref_loss) <= tolerance<T>() * loss_scale + 1e-30);
                    CHECK(std::fabs(loss_g - ref_loss) <= tolerance<T>() * loss_scale + 1e-30);
                    CHECK(std::fabs(gb - ref_gb) <= tolerance<T>() * gb_scale + 1e-30);
                    double worst = 0;
                    for (std::size_t j = 0; j < n_cols; ++j) {
                        worst = std::max(worst, double(std::fabs(grad[j] - ref_grad[j]) /
                                                       (grad_scale[j] + 1e-30)));
                    }
                    CHECK(worst <= tolerance<T>());
                    CHECK(grad[n_cols] == sentinel<T>());
                }
            }
        }
    }
}

namespace {

/// Targets each loss accepts: labels in {-1, +1}, raw values, counts, positive amounts,
/// spend with exact zeros.
template <class T>
T draw_target(simd::loss_kind kind, std::mt19937_64& rng) {
    std::normal_distribution<double> normal(0.0, 1.0);
    std::bernoulli_distribution coin(0.5);
    switch (kind) {
        case simd::loss_kind::logistic:
        case simd::loss_kind::hinge:
        case simd::loss_kind::modified_huber:
            return coin(rng) ? T(1) : T(-1);
        case simd::loss_kind::squared_error:
        case simd::loss_kind::huber:
            return static_cast<T>(normal(rng));
        case simd::loss_kind::poisson:
            return static_cast<T>(std::floor(2.0 * std::fabs(normal(rng))));
        case simd::loss_kind::gamma:
            return static_cast<T>(std::fabs(normal(rng)) + 0.1);
        case simd::loss_kind::tweedie:
            return coin(rng) ? T(0) : static_cast<T>(std::fabs(normal(rng)) + 0.1);
    }
    return T(1);
}

/// One loss (value, derivative) in double at a long-double decision value: the
/// reference for the vector kernels (only the pointwise formula, evaluated on scalars,
/// is shared with them; the row grouping, dot products and sums are not).
template <simd::loss_kind Kind>
std::pair<double, double> reference_loss(long double z, double y, const simd::loss_params<double>& p) {
    double loss = 0, dloss = 0;
    simd::pointwise_loss<Kind>::eval(static_cast<double>(z), y, p, loss, dloss);
    return {loss, dloss};
}

std::pair<double, double> reference_loss(simd::loss_kind kind, long double z, double y,
                                         const simd::loss_params<double>& p) {
    switch (kind) {
        case simd::loss_kind::logistic: return reference_loss<simd::loss_kind::logistic>(z, y, p);
        case simd::loss_kind::squared_error:
            return reference_loss<simd::loss_kind::squared_error>(z, y, p);
        case simd::loss_kind::huber: return reference_loss<simd::loss_kind::huber>(z, y, p);
        case simd::loss_kind::hinge: return reference_loss<simd::loss_kind::hinge>(z, y, p);
        case simd::loss_kind::modified_huber:
            return reference_loss<simd::loss_kind::modified_huber>(z, y, p);
        case simd::loss_kind::poisson: return reference_loss<simd::loss_kind::poisson>(z, y, p);
        case simd::loss_kind::gamma: return reference_loss<simd::loss_kind::gamma>(z, y, p);
        case simd::loss_kind::tweedie: return reference_loss<simd::loss_kind::tweedie>(z, y, p);
    }
    return {0, 0};
}

}  // namespace

TEMPLATE_TEST_CASE("linear_loss and linear_loss_grad match a reference for every loss",
                   "[simd][linear_loss]", float, double) {
    // The row-group tiles (one register of rows: dot products side by side, one vector
    // loss, one gradient update) for every loss, every tail of rows and columns.
    using T = TestType;
    std::mt19937_64 rng(seed_for(105));
    std::vector<std::pair<std::size_t, std::size_t>> shapes;  // (n_rows, n_cols)
    for (std::size_t n : {1, 3, 7, 8, 9, 17, 31, 33}) shapes.emplace_back(n, 5);
    for (std::size_t n : {1, 7, 8, 9, 64, 65, 100}) shapes.emplace_back(19, n);
    simd::loss_params<T> p;
    p.epsilon = T(0.7);
    p.power = T(1.4);
    const simd::loss_params<double> p64{0.7, static_cast<double>(T(1.4))};

    for (int k = 0; k < simd::n_loss_kinds; ++k) {
        const auto kind = static_cast<simd::loss_kind>(k);
        for (const auto& tut : tables_under_test<T>()) {
            for (auto [n_rows, n_cols] : shapes) {
                for (bool indexed : {false, true}) {
                    const bool weighted = indexed;  // both paths of each, fewer runs
                    INFO("loss " << k << ", level " << tut.label << ", rows x cols = " << n_rows
                                 << " x " << n_cols << (indexed ? ", indexed + weighted" : ""));
                    const RowSet rs = make_rows(n_rows, indexed, rng);
                    MisalignedBuffer<T> X(rs.x_rows * n_cols), y(rs.x_rows), sw(rs.x_rows),
                        w(n_cols), grad(n_cols + 1);
                    fill_normal(X.data(), X.size(), rng);
                    fill_normal(w.data(), n_cols, rng, 1.0 / std::sqrt(double(n_cols)));
                    std::uniform_real_distribution<double> wdist(0.1, 4.0);
                    for (std::size_t r = 0; r < rs.x_rows; ++r) {
                        y[r] = draw_target<T>(kind, rng);
                        sw[r] = static_cast<T>(wdist(rng));
                    }
                    fill_normal(grad.data(), n_cols, rng);  // the kernel ADDS to grad
                    grad[n_cols] = sentinel<T>();
                    const T b = static_cast<T>(0.2), gb0 = static_cast<T>(-0.4);
                    T gb = gb0;
                    const T* swp = weighted ? sw.data() : nullptr;

                    long double ref_loss = 0, loss_scale = 0, ref_gb = gb0, gb_scale = 0.5;
                    std::vector<long double> ref_grad(grad.begin(), grad.begin() + n_cols);
                    std::vector<long double> grad_scale(n_cols);
                    for (std::size_t j = 0; j < n_cols; ++j) grad_scale[j] = std::fabs(ref_grad[j]);
                    for (std::size_t i = 0; i < n_rows; ++i) {
                        const std::size_t r = rs.row(i);
                        long double z = b, zabs = std::fabs((long double)b);
                        for (std::size_t j = 0; j < n_cols; ++j) {
                            z += (long double)X[r * n_cols + j] * w[j];
                            zabs += std::fabs((long double)X[r * n_cols + j] * w[j]);
                        }
                        const auto [l, g] = reference_loss(kind, z, double(y[r]), p64);
                        // How much l and g move when z moves by its rounding (a slope
                        // over a small step; 0 across a kink, which no z here sits on).
                        const long double h = 1e-3L * (1 + zabs);
                        const auto [l_hi, g_hi] = reference_loss(kind, z + h, double(y[r]), p64);
                        const long double curvature = std::fabs((g_hi - g) / h) + std::fabs(g);
                        const long double s = weighted ? (long double)sw[r] : 1.0L;
                        ref_loss += s * l;
                        loss_scale += s * (std::fabs(l) + std::fabs(y[r]) + (std::fabs(g) + 1) * zabs);
                        ref_gb += s * g;
                        gb_scale += s * (std::fabs(g) + curvature * zabs + std::fabs(y[r]));
                        for (std::size_t j = 0; j < n_cols; ++j) {
                            const long double xij = X[r * n_cols + j];
                            ref_grad[j] += s * g * xij;
                            grad_scale[j] += s * std::fabs(xij) *
                                             (std::fabs(g) + curvature * zabs + std::fabs(y[r]));
                        }
                        (void)l_hi;
                    }

                    const T loss = tut.table->linear_loss(kind, p, X.data(), n_cols, rs.pointer(),
                                                          n_rows, y.data(), swp, w.data(), b);
                    const T loss_g = tut.table->linear_loss_grad(
                        kind, p, X.data(), n_cols, rs.pointer(), n_rows, y.data(), swp, w.data(),
                        b, grad.data(), &gb);
                    const double tol = 4 * tolerance<T>();
                    CHECK(std::fabs(loss - ref_loss) <= tol * loss_scale + 1e-30);
                    CHECK(std::fabs(loss_g - ref_loss) <= tol * loss_scale + 1e-30);
                    CHECK(std::fabs(gb - ref_gb) <= tol * gb_scale + 1e-30);
                    double worst = 0;
                    for (std::size_t j = 0; j < n_cols; ++j) {
                        worst = std::max(worst, double(std::fabs(grad[j] - ref_grad[j]) /
                                                       (grad_scale[j] + 1e-30)));
                    }
                    CHECK(worst <= tol);
                    CHECK(grad[n_cols] == sentinel<T>());
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("linear_predict with a register of rows at a time matches the row dot",
                   "[simd][linear_predict]", float, double) {
    // Row counts around each register width and the prefetch distance (kAhead groups).
    using T = TestType;
    std::mt19937_64 rng(seed_for(106));
    for (const auto& tut : tables_under_test<T>()) {
        for (std::size_t n_rows : {1, 2, 3, 5, 15, 16, 17, 65, 80, 81, 200}) {
            const std::size_t n_cols = 13;
            INFO("level " << tut.label << ", rows = " << n_rows);
            MisalignedBuffer<T> X(n_rows * n_cols), w(n_cols), out(n_rows + 1);
            fill_normal(X.data(), X.size(), rng);
            fill_normal(w.data(), n_cols, rng);
            out[n_rows] = sentinel<T>();
            tut.table->linear_predict(X.data(), n_rows, n_cols, w.data(), T(0.25), out.data());
            for (std::size_t i = 0; i < n_rows; ++i) {
                long double ref = 0.25L, scale = 0.25L;
                for (std::size_t j = 0; j < n_cols; ++j) {
                    ref += (long double)X[i * n_cols + j] * w[j];
                    scale += std::fabs((long double)X[i * n_cols + j] * w[j]);
                }
                CHECK(std::fabs(out[i] - ref) <= tolerance<T>() * scale);
            }
            CHECK(out[n_rows] == sentinel<T>());
        }
    }
}

TEMPLATE_TEST_CASE("logistic kernels stay finite for margins up to |z| = 800",
                   "[simd][logistic][stability]", float, double) {
    using T = TestType;
    // Margins far beyond exp()'s range in float (88) and double (709), on both sides.
    const std::vector<double> zs = {-800, -750.5, -709.5, -100, -88.5, -30, -1, 0,
                                    1,    30,     88.5,   100,  709.5, 750.5, 800};

    for (const auto& tut : tables_under_test<T>()) {
        INFO("level " << tut.label);
        // Row by row (one column, w = 1): the loss of each margin on its own.
        for (double zv : zs) {
            for (T yv : {T(1), T(-1)}) {
                INFO("z = " << zv << ", y = " << yv);
                const T x = static_cast<T>(zv), w = 1, y = yv;
                T g = 0, gb = 0;
                const T loss = tut.table->logistic_loss_grad(&x, 1, nullptr, 1, &y, nullptr, &w,
                                                             T(0), &g, &gb);
                REQUIRE(std::isfinite(loss));
                REQUIRE(std::isfinite(g));
                REQUIRE(std::isfinite(gb));
                const long double m = (long double)yv * zv;
                const long double ref = ref_logistic_loss(m);
                CHECK(std::fabs(loss - ref) <= 1e-6 * (ref + 1) );
                if (m < -50) {
                    CHECK(loss == Approx(std::fabs(zv)).epsilon(1e-6));  // wrong side: ~|z|
                    CHECK(gb == Approx(-double(yv)).epsilon(1e-6));      // saturated derivative
                }
                if (m > 50) CHECK(std::fabs(loss) < 1e-20);
                // gb is dloss/dz; g = dloss/dz * x with x = z here.
                CHECK(std::fabs(gb - ref_logistic_dloss(yv, m)) <= 1e-6);
                CHECK(g == Approx(double(gb) * zv).epsilon(1e-6).margin(1e-6));
                CHECK(loss == tut.table->logistic_loss(&x, 1, nullptr, 1, &y, nullptr, &w, T(0)));
            }
        }

        // The same margins through the vector path: 9 columns (SIMD + tail), weighted,
        // an intercept, every row group of the register width mixed.
        const std::size_t n_cols = 9, n_rows = 2 * zs.size();
        std::vector<T> X(n_rows * n_cols), y(n_rows), sw(n_rows), w(n_cols, T(1)), grad(n_cols, 0);
        long double ref_loss = 0, ref_gb = 0;
        std::vector<long double> ref_grad(n_cols, 0);
        for (std::size_t i = 0; i < n_rows; ++i) {
            const double zv = zs[i % zs.size()];
            y[i] = i < zs.size() ? T(1) : T(-1);
            sw[i] = static_cast<T>(0.5 + 0.25 * double(i % 4));
            // Column 0 carries the margin minus the intercept, the others cancel out.
            X[i * n_cols] = static_cast<T>(zv - 2.0);
            for (std::size_t j = 1; j < n_cols; ++j) X[i * n_cols + j] = (j % 2 ? T(0.5) : T(-0.5));
            const long double z = zv - 2.0 + 2.0 + 0.0L;  // the ±0.5 pairs cancel (8 columns)
            const long double m = (long double)y[i] * z;
            const long double gi = sw[i] * ref_logistic_dloss(y[i], m);
            ref_loss += sw[i] * ref_logistic_loss(m);
            ref_gb += gi;
            for (std::size_t j = 0; j < n_cols; ++j) ref_grad[j] += gi * (long double)X[i * n_cols + j];
        }
        T gb = 0;
        const T loss = tut.table->logistic_loss_grad(X.data(), n_cols, nullptr, n_rows, y.data(),
                                                     sw.data(), w.data(), T(2), grad.data(), &gb);
        REQUIRE(std::isfinite(loss));
        REQUIRE(std::isfinite(gb));
        CHECK(loss == Approx(double(ref_loss)).epsilon(1e-5));
        CHECK(gb == Approx(double(ref_gb)).margin(1e-4));
        for (std::size_t j = 0; j < n_cols; ++j) {
            INFO("grad[" << j << "]");
            REQUIRE(std::isfinite(grad[j]));
            CHECK(grad[j] == Approx(double(ref_grad[j])).epsilon(1e-5).margin(1e-3));
        }
    }
}

TEMPLATE_TEST_CASE("log_sum_exp matches a long-double reference", "[simd][log_sum_exp]", float,
                   double) {
    using T = TestType;
    std::mt19937_64 rng(seed_for(109));
    std::uniform_real_distribution<double> wide(-60.0, 60.0);
    const T minus_inf = -std::numeric_limits<T>::infinity();
    // Pairs far apart in both directions (e^-|d| underflows), equal, and b = -inf.
    const std::vector<std::pair<double, double>> edges = {
        {0, 0}, {5, 5}, {-3, 800}, {800, -3}, {-1e4, 0}, {0, -1e4}, {30, 30.5}, {-700, -710}};
    for (const auto& tut : tables_under_test<T>()) {
        for (std::size_t n : k_lengths) {
            INFO("level " << tut.label << ", n = " << n);
            MisalignedBuffer<T> a(n), b(n), lse(n + 1), w(n + 1);
            for (std::size_t i = 0; i < n; ++i) {
                if (i % 11 == 3) {
                    a[i] = static_cast<T>(wide(rng));
                    b[i] = minus_inf;
                } else if (i % 5 == 1) {
                    const auto& e = edges[i % edges.size()];
                    a[i] = static_cast<T>(e.first);
                    b[i] = static_cast<T>(e.second);
                } else {
                    a[i] = static_cast<T>(wide(rng));
                    b[i] = static_cast<T>(wide(rng));
                }
            }
            lse[n] = w[n] = sentinel<T>();
            tut.table->log_sum_exp(a.data(), b.data(), lse.data(), w.data(), n);
            for (std::size_t i = 0; i < n; ++i) {
                INFO("a = " << a[i] << ", b = " << b[i]);
                const long double la = a[i], lb = b[i];
                if (b[i] == minus_inf) {
                    CHECK(lse[i] == a[i]);
                    CHECK(w[i] == T(0));
                    continue;
                }
                const long double m = std::max(la, lb);
                const long double ref_lse = m + std::log1p(std::exp(-std::fabs(la - lb)));
                const long double ref_w = 1 / (1 + std::exp(la - lb));
                CHECK(std::fabs(lse[i] - ref_lse) <= tolerance<T>() * (std::fabs(m) + 1));
                // below T's smallest normal number, w may round to 0
                CHECK(std::fabs(w[i] - ref_w) <=
                      tolerance<T>() * ref_w + std::numeric_limits<T>::min());
            }
            CHECK(lse[n] == sentinel<T>());
            CHECK(w[n] == sentinel<T>());
        }
    }
}

TEMPLATE_TEST_CASE("the logistic loss is within a few ulps of log1p(exp(-m))",
                   "[simd][linear_loss][log1p]", float, double) {
    // The loss kernels take ln(1 + e^{-|m|}) from their own series (log1p_unit), not
    // from a library log1p. Rows of one column with coefficient 1 give the margin's loss:
    // 32 equal rows fill whole registers on every arch (a short tail runs scalar code),
    // and their sum is 32 losses. Margins run from 0 (e = 1, the series' worst case) to
    // where e^{-m} is subnormal, negative margins add |m|, and NaN stays NaN.
    using T = TestType;
    const T eps = std::numeric_limits<T>::epsilon();
    std::vector<double> margins = {0.0, 1e-300, 1e-12, 1e-6, 0.25, 0.5, 1.0, 2.0, 5.0, 20.0, 80.0};
    for (double m = 0.001; m < 120; m *= 1.37) margins.push_back(m);
    const T one = 1, pos = 1;
    const simd::loss_params<T> params;
    for (const auto& tut : tables_under_test<T>()) {
        INFO("level " << tut.label);
        for (double m : margins) {
            for (double sign : {1.0, -1.0}) {
                const T z = static_cast<T>(sign * m);
                if (!std::isfinite(std::exp(-std::fabs((double)z)))) continue;
                const long double ref = std::log1p(std::exp(-std::fabs((long double)z))) +
                                        std::max(-(long double)z, 0.0L);
                const std::vector<T> zs(32, z), ys(32, pos);
                const T got = tut.table->linear_loss(simd::loss_kind::logistic, params,
                                                     zs.data(), 1, nullptr, zs.size(), ys.data(),
                                                     nullptr, &one, T(0)) /
                              T(32);
                INFO("z = " << z);
                // e^{-|m|} below T's smallest normal number is flushed to 0 (losses.hpp)
                CHECK(std::fabs(got - ref) <= 8 * eps * ref + std::numeric_limits<T>::min());
            }
        }
        std::vector<T> zs(32, T(1)), ys(32, pos);
        zs[5] = std::numeric_limits<T>::quiet_NaN();
        CHECK(std::isnan(tut.table->linear_loss(simd::loss_kind::logistic, params, zs.data(), 1,
                                                nullptr, zs.size(), ys.data(), nullptr, &one,
                                                T(0))));
    }
}

TEST_CASE("MARKETLEARN_SIMD lowers the level and rejects unknown names", "[simd][env]") {
    EnvGuard guard("MARKETLEARN_SIMD");

    ::unsetenv("MARKETLEARN_SIMD");
    CHECK(simd::forced_level_or(simd::level::avx512) == simd::level::avx512);
    ::setenv("MARKETLEARN_SIMD", "", 1);
    CHECK(simd::forced_level_or(simd::level::avx2) == simd::level::avx2);

    ::setenv("MARKETLEARN_SIMD", "sse2", 1);
    CHECK(simd::forced_level_or(simd::level::avx512) == simd::level::sse2);
    CHECK(simd::forced_level_or(simd::level::avx2) == simd::level::sse2);
    ::setenv("MARKETLEARN_SIMD", "avx2", 1);
    CHECK(simd::forced_level_or(simd::level::avx512) == simd::level::avx2);
    // Asking for more than the machine has gives what it has.
    ::setenv("MARKETLEARN_SIMD", "avx512", 1);
    CHECK(simd::forced_level_or(simd::level::avx2) == simd::level::avx2);

    ::setenv("MARKETLEARN_SIMD", "foo", 1);
    CHECK_THROWS_AS(simd::forced_level_or(simd::level::avx2), marketlearn::invalid_argument);
    CHECK_THROWS_WITH(simd::forced_level_or(simd::level::avx2), Catch::Contains("foo"));

    CHECK_THROWS_AS(simd::parse_level("foo"), marketlearn::invalid_argument);
    CHECK_THROWS_WITH(simd::parse_level("foo"), Catch::Contains("MARKETLEARN_SIMD"));
    for (simd::level l : {simd::level::sse2, simd::level::avx2, simd::level::avx512}) {
        CHECK(simd::parse_level(simd::name(l)) == l);
    }
}

// Run once per forced level by CTest (tests/cpp/CMakeLists.txt sets MARKETLEARN_SIMD): the
// level chosen at start-up is the forced one, or the best one when nothing is forced.
TEST_CASE("the active level honours MARKETLEARN_SIMD at start-up", "[simd][env][active_level]") {
    const auto levels = simd::available_levels();
    REQUIRE_FALSE(levels.empty());
    const simd::level expected = simd::forced_level_or(levels.front());
    INFO("MARKETLEARN_SIMD=" << (std::getenv("MARKETLEARN_SIMD") ? std::getenv("MARKETLEARN_SIMD")
                                                                 : "<unset>"));
    CHECK(simd::active_level() == expected);
    CHECK(simd::kernels<float>().simd_level == expected);
    CHECK(simd::kernels<double>().simd_level == expected);
}
