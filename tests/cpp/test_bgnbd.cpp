// BG/NBD and Gamma-Gamma: special functions, analytic gradients against finite
// differences, the CDNOW reference fits and check values (shared/data/cdnow/PROVENANCE.md),
// aggregation, robustness and input errors.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/special_functions.hpp"
#include "marketlearn/models/bgnbd.hpp"
#include "marketlearn/models/gamma_gamma.hpp"
#include "marketlearn/objective/bgnbd_objective.hpp"
#include "marketlearn/objective/gamma_gamma_objective.hpp"
#include "marketlearn/optim/lbfgs.hpp"

namespace ml = marketlearn;
using ml::objective::BetaGeoParams;
using ml::objective::GammaGammaParams;

namespace {

constexpr double euler_gamma = 0.57721566490153286061;

/// Central difference of f at theta along coordinate k, relative step.
template <class F, class P>
double central_difference(F f, P params, double P::* member, double rel = 1e-6) {
    const double h = rel * params.*member;
    P plus = params, minus = params;
    plus.*member += h;
    minus.*member -= h;
    return (f(plus) - f(minus)) / (2 * h);
}

/// The reference data folder: $MARKETLEARN_SHARED_DATA, else ../shared/data beside the
/// source tree when present, else the copies in tests/data (so the CDNOW checks run on a
/// machine without the shared folder too).
std::string shared_data_dir() {
    if (const char* env = std::getenv("MARKETLEARN_SHARED_DATA")) return env;
#ifdef MARKETLEARN_SOURCE_DIR
    const std::string shared = std::string(MARKETLEARN_SOURCE_DIR) + "/../shared/data";
    if (std::ifstream(shared + "/cdnow/cdnow_customers_summary.csv").good()) return shared;
    return std::string(MARKETLEARN_SOURCE_DIR) + "/tests/data";
#else
    return "../shared/data";
#endif
}

/// Reads numeric CSV columns (header skipped, CRLF tolerated).
std::vector<std::vector<double>> read_csv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<double>> rows;
    std::string line;
    if (!std::getline(in, line)) return rows;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::stringstream ss(line);
        std::string cell;
        std::vector<double> row;
        while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

/// The frequency, recency and T columns of the CDNOW sample's summary (2,357 customers;
/// ID in column 0), empty when the file is not found.
std::array<std::vector<double>, 3> cdnow_sample_rfm() {
    std::array<std::vector<double>, 3> out;
    for (const auto& row : read_csv(shared_data_dir() + "/cdnow/cdnow_customers_summary.csv")) {
        for (std::size_t k = 0; k < 3; ++k) out[k].push_back(row[k + 1]);
    }
    return out;
}

}  // namespace

TEST_CASE("digamma matches known values and is guarded", "[special]") {
    using ml::special::digamma;
    CHECK(digamma(1.0) == Approx(-euler_gamma).epsilon(1e-14));
    CHECK(digamma(0.5) == Approx(-euler_gamma - 2 * std::log(2.0)).epsilon(1e-14));
    CHECK(digamma(10.0) == Approx(2.251752589066721).epsilon(1e-14));
    CHECK(digamma(1e-8) == Approx(-1e8 - euler_gamma).epsilon(1e-14));
    CHECK(digamma(1e10) == Approx(std::log(1e10) - 0.5e-10).epsilon(1e-14));
    CHECK(digamma(-0.5) == Approx(0.03648997397857652).epsilon(1e-12));  // reflection
    CHECK(std::isnan(digamma(0.0)));
    CHECK(std::isnan(digamma(-3.0)));
    CHECK(std::isnan(digamma(std::numeric_limits<double>::quiet_NaN())));
    CHECK(std::isinf(digamma(std::numeric_limits<double>::infinity())));
}

TEST_CASE("gamma and digamma differences do not cancel for large arguments", "[special]") {
    using namespace ml::special;
    for (double z : {0.3, 2.0, 14.9, 15.0, 40.0, 1e3}) {
        for (double x : {1.0, 3.0, 17.5, 200.0}) {
            CHECK(log_gamma_ratio(z, x) ==
                  Approx(std::lgamma(z + x) - std::lgamma(z)).epsilon(1e-12).margin(1e-12));
            CHECK(digamma_difference(z, x) ==
                  Approx(digamma(z + x) - digamma(z)).epsilon(1e-11).margin(1e-13));
        }
    }
    // z = 1e12: lnG(z + 1) - lnG(z) = ln z exactly; psi(z + 1) - psi(z) = 1 / z exactly.
    CHECK(log_gamma_ratio(1e12, 1.0) == Approx(std::log(1e12)).epsilon(1e-15));
    CHECK(digamma_difference(1e12, 1.0) == Approx(1e-12).epsilon(1e-12));
    CHECK(log_beta(2.0, 3.0) == Approx(std::log(1.0 / 12.0)).epsilon(1e-14));
    CHECK(log_beta(40.0, 50.0) ==
          Approx(std::lgamma(40.0) + std::lgamma(50.0) - std::lgamma(90.0)).epsilon(1e-13));
    CHECK(log_sum_exp(-1e300, 0.0) == 0.0);
    CHECK(log_sum_exp(-std::numeric_limits<double>::infinity(), 2.0) == 2.0);
    CHECK(log_sum_exp(1000.0, 1000.0) == Approx(1000.0 + std::log(2.0)));
}

TEST_CASE("BG/NBD per-customer gradient matches finite differences", "[bgnbd][gradient]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> log_param(-2.0, 2.5);
    std::uniform_int_distribution<int> count(0, 40);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int trial = 0; trial < 300; ++trial) {
        const BetaGeoParams p{std::exp(log_param(rng)), std::exp(log_param(rng)),
                              std::exp(log_param(rng)), std::exp(log_param(rng))};
        const double x = trial % 5 == 0 ? 0.0 : count(rng);
        const double T = std::exp(5 * unit(rng) - 1);
        const double tx = x == 0 ? 0.0 : (trial % 7 == 0 ? T : T * (0.01 + 0.99 * unit(rng)));
        double g[4];
        ml::objective::bgnbd_log_likelihood(p, x, tx, T, g);
        auto ll = [&](const BetaGeoParams& q) {
            return ml::objective::bgnbd_log_likelihood(q, x, tx, T);
        };
        double BetaGeoParams::* members[4] = {&BetaGeoParams::r, &BetaGeoParams::alpha,
                                              &BetaGeoParams::a, &BetaGeoParams::b};
        for (int k = 0; k < 4; ++k) {
            INFO("trial " << trial << " k " << k << " x " << x << " tx " << tx << " T " << T
                          << " r " << p.r << " alpha " << p.alpha << " a " << p.a << " b " << p.b);
            CHECK(g[k] == Approx(central_difference(ll, p, members[k])).epsilon(1e-5).margin(1e-7));
        }
    }
}

TEST_CASE("BG/NBD objective gradient over log-parameters matches finite differences",
          "[bgnbd][gradient]") {
    const std::vector<double> x{0, 2, 1, 0, 7, 3}, tx{0, 30.43, 1.71, 0, 50.0, 12.5},
        T{38.86, 38.86, 38.86, 10.0, 52.0, 20.0}, w{3, 1, 2, 5, 1, 1};
    for (double penalizer : {0.0, 0.1}) {
        ml::objective::BetaGeoObjective f(x.data(), tx.data(), T.data(), w.data(), x.size(),
                                          penalizer);
        Eigen::VectorXd u(4), g;
        u << std::log(0.24), std::log(4.4), std::log(0.79), std::log(2.4);
        f.evaluate_with_gradient(u, g);
        CHECK(f.evaluate(u) == f.evaluate_with_gradient(u, g));
        for (int k = 0; k < 4; ++k) {
            Eigen::VectorXd up = u, down = u;
            up[k] += 1e-6;
            down[k] -= 1e-6;
            CHECK(g[k] ==
                  Approx((f.evaluate(up) - f.evaluate(down)) / 2e-6).epsilon(1e-5).margin(1e-8));
        }
        Eigen::VectorXd outside = u;
        outside[3] = 31;  // beyond max_log_param: +inf, so the line search backs off
        CHECK(std::isinf(f.evaluate(outside)));
    }
}

TEST_CASE("Gamma-Gamma gradient matches finite differences", "[gamma_gamma][gradient]") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> log_param(-2.0, 3.0);
    std::uniform_int_distribution<int> count(1, 60);
    std::uniform_real_distribution<double> log_money(-3.0, 8.0);
    for (int trial = 0; trial < 300; ++trial) {
        const GammaGammaParams p{std::exp(log_param(rng)), std::exp(log_param(rng)),
                                 std::exp(log_param(rng))};
        const double x = count(rng), m = std::exp(log_money(rng));
        double g[3];
        ml::objective::gamma_gamma_log_likelihood(p, x, m, g);
        auto ll = [&](const GammaGammaParams& q) {
            return ml::objective::gamma_gamma_log_likelihood(q, x, m);
        };
        double GammaGammaParams::* members[3] = {&GammaGammaParams::p, &GammaGammaParams::q,
                                                 &GammaGammaParams::v};
        for (int k = 0; k < 3; ++k) {
            INFO("trial " << trial << " k " << k << " x " << x << " m " << m);
            CHECK(g[k] == Approx(central_difference(ll, p, members[k])).epsilon(1e-5).margin(1e-7));
        }
    }
    // The stable form equals the textbook one (note 025, eq. 1a).
    const GammaGammaParams p{6.25, 3.74, 15.44};
    const double x = 3, m = 27.5;
    const double textbook = std::lgamma(p.p * x + p.q) - std::lgamma(p.p * x) - std::lgamma(p.q) +
                            p.q * std::log(p.v) + (p.p * x - 1) * std::log(m) +
                            p.p * x * std::log(x) - (p.p * x + p.q) * std::log(x * m + p.v);
    CHECK(ml::objective::gamma_gamma_log_likelihood(p, x, m) == Approx(textbook).epsilon(1e-13));
}

TEST_CASE("the BG/NBD log-likelihood equals the paper's formula", "[bgnbd]") {
    const BetaGeoParams p{0.243, 4.414, 0.793, 2.426};
    const double x = 2, tx = 30.43, T = 38.86;
    auto lbeta = [](double a, double b) {
        return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
    };
    const double A = std::exp(lbeta(p.a, p.b + x) - lbeta(p.a, p.b) + std::lgamma(p.r + x) -
                              std::lgamma(p.r) + p.r * std::log(p.alpha));
    const double paper = std::log(A * (std::pow(p.alpha + T, -(p.r + x)) +
                                       p.a / (p.b + x - 1) * std::pow(p.alpha + tx, -(p.r + x))));
    CHECK(ml::objective::bgnbd_log_likelihood(p, x, tx, T) == Approx(paper).epsilon(1e-13));
}

TEST_CASE("block sums compose: blocks add up to the whole", "[bgnbd]") {
    const std::vector<double> x{0, 2, 1, 0, 7, 3}, tx{0, 30.43, 1.71, 0, 50.0, 12.5},
        T{38.86, 38.86, 38.86, 10.0, 52.0, 20.0};
    const BetaGeoParams p{0.243, 4.414, 0.793, 2.426};
    const auto whole =
        ml::objective::bgnbd_block_sums(p, x.data(), tx.data(), T.data(), nullptr, 6);
    auto parts = ml::objective::bgnbd_block_sums(p, x.data(), tx.data(), T.data(), nullptr, 4);
    parts +=
        ml::objective::bgnbd_block_sums(p, x.data() + 4, tx.data() + 4, T.data() + 4, nullptr, 2);
    CHECK(parts.log_likelihood == Approx(whole.log_likelihood).epsilon(1e-15));
    CHECK(parts.weight == whole.weight);
    for (std::size_t k = 0; k < 4; ++k)
        CHECK(parts.gradient[k] == Approx(whole.gradient[k]).epsilon(1e-14));
}

TEST_CASE("identical rows aggregate into weights", "[clv]") {
    const std::vector<double> x{1, 0, 1, 1, -0.0}, tx{2, 0, 2, 3, 0}, T{5, 4, 5, 5, 4};
    const std::vector<double> w{1, 2, 3, 0, 1};
    const auto rows =
        ml::models::aggregate_identical_rows<3>({x.data(), tx.data(), T.data()}, w.data(), 5);
    REQUIRE(rows.size() == 2);  // (1,2,5) x4, (0,0,4) x3 (-0 == 0); the zero-weight row dropped
    CHECK(rows.weight[0] == 4);
    CHECK(rows.weight[1] == 3);
    CHECK(rows.columns[2][1] == 4);
}

TEST_CASE("BG/NBD predictions match the published check values", "[bgnbd][cdnow]") {
    const BetaGeoParams p{0.243, 4.414, 0.793, 2.426};
    SECTION("conditional expectation, Hardie's Excel sheet") {
        const double t = 39, x = 2, tx = 30.43, T = 38.86;
        double out = 0;
        ml::models::bgnbd_conditional_expected_purchases(p, &t, &x, &tx, &T, 1, &out);
        CHECK(out == Approx(1.226).margin(1e-3));
    }
    SECTION("P(X(t) = n), R BTYD docs") {
        CHECK(ml::models::bgnbd_probability_of_purchases(p, 2, 10) ==
              Approx(1.07869e-07).epsilon(1e-5));
        CHECK(ml::models::bgnbd_probability_of_purchases(p, 39, 0) ==
              Approx(0.5737864).epsilon(1e-7));
        const double expected[10] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148,
                                     0.0007023638, 0.0005517902, 0.0004361913, 0.0003467171,
                                     0.0002769613, 0.0002222260};
        for (int n = 11; n <= 20; ++n) {
            CHECK(ml::models::bgnbd_probability_of_purchases(p, 30, n) ==
                  Approx(expected[n - 11]).epsilon(0).margin(1e-10));  // 10 decimals
        }
        double total = 0;  // a distribution: sums to 1
        for (int n = 0; n < 400; ++n) total += ml::models::bgnbd_probability_of_purchases(p, 39, n);
        CHECK(total == Approx(1.0).epsilon(1e-10));
    }
    SECTION("P(alive)") {
        CHECK(ml::models::bgnbd_probability_alive(p, 0, 0, 10) == 1.0);
        const double x = 2, tx = 30.43, T = 38.86;
        const double direct =
            1 / (1 + p.a / (p.b + x - 1) * std::pow((p.alpha + T) / (p.alpha + tx), p.r + x));
        CHECK(ml::models::bgnbd_probability_alive(p, x, tx, T) == Approx(direct).epsilon(1e-14));
        CHECK(ml::models::bgnbd_probability_alive(p, 500, 1, 1e9) >= 0.0);  // no NaN far out
    }
}

TEST_CASE("expected purchases agree with the hypergeometric form", "[bgnbd]") {
    // Reference values: (a+b-1)/(a-1) [1 - (1+u)^-s 2F1(s, b; a+b-1; u/(1+u))] in 40-digit
    // arithmetic (mpmath), the formula of Fader, Hardie & Lee (2005), eq. 9/10.
    struct Case {
        double s, a, beta, u, expected;
    };
    const Case cases[] = {
        {0.242593, 0.792886, 2.425752, 1.0 / 4.413532, 0.053184755359877465},
        {2.242593, 0.792886, 4.425752, 39.0 / (4.413532 + 38.86), 1.6871662927835479},
    };
    for (const auto& c : cases) {
        CHECK(ml::models::detail::expected_purchases_given_alive(c.s, c.a, c.beta, c.u) ==
              Approx(c.expected).epsilon(1e-10));
    }
    // a -> 1 is a removable singularity of the hypergeometric form, not of the quantity.
    const double below =
        ml::models::detail::expected_purchases_given_alive(1.3, 1 - 1e-9, 2.0, 3.0);
    const double at = ml::models::detail::expected_purchases_given_alive(1.3, 1.0, 2.0, 3.0);
    CHECK(std::isfinite(at));
    CHECK(at == Approx(below).epsilon(1e-8));
}

TEST_CASE("series and quadrature agree wherever the series is used", "[bgnbd]") {
    int series_used = 0;
    for (double s : {0.05, 0.24, 1.3, 5.2, 30.2, 200.2}) {
        for (double a : {0.02, 0.3, 0.79, 0.999, 1.0, 1.0001, 1.7, 8.0, 150.0}) {
            for (double beta : {0.05, 0.6, 2.4, 12.4, 1e3, 1e6}) {
                for (double u : {1e-9, 1e-4, 0.01, 0.3, 0.5, 1.0, 3.0, 5.6, 40.0}) {
                    double series = 0;
                    if (!ml::models::detail::expected_purchases_series(s, a, beta, u, series))
                        continue;
                    ++series_used;
                    const double quadrature =
                        ml::models::detail::expected_purchases_quadrature(s, a, beta, u);
                    INFO("s " << s << " a " << a << " beta " << beta << " u " << u);
                    CHECK(series == Approx(quadrature).epsilon(1e-10));
                }
            }
        }
    }
    CHECK(series_used > 1000);
}

TEST_CASE("block sums with cached frequency terms equal per-customer sums", "[bgnbd]") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> x(3000), tx(3000), T(3000), w(3000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = i % 97 == 0 ? 300.0 + static_cast<double>(i % 5) : std::floor(8 * unit(rng));
        T[i] = 1 + 50 * unit(rng);
        tx[i] = x[i] == 0 ? 0.0 : T[i] * (0.05 + 0.95 * unit(rng));
        w[i] = 1 + std::floor(3 * unit(rng));
    }
    const BetaGeoParams p{0.3, 5.0, 0.8, 2.5};
    const auto sums =
        ml::objective::bgnbd_block_sums(p, x.data(), tx.data(), T.data(), w.data(), x.size());
    double ll = 0, abs_ll = 0, g_sum[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < x.size(); ++i) {
        double g[4];
        const double ll_i = ml::objective::bgnbd_log_likelihood(p, x[i], tx[i], T[i], g);
        ll += w[i] * ll_i;
        abs_ll += w[i] * std::abs(ll_i);
        for (int k = 0; k < 4; ++k) g_sum[k] += w[i] * g[k];
    }
    CHECK(sums.log_likelihood == Approx(ll).epsilon(1e-13));
    CHECK(sums.abs_log_likelihood == Approx(abs_ll).epsilon(1e-13));
    for (std::size_t k = 0; k < 4; ++k) CHECK(sums.gradient[k] == Approx(g_sum[k]).epsilon(1e-12));
}

TEST_CASE("Gamma-Gamma block sums with cached frequency terms equal per-customer sums",
          "[gamma_gamma]") {
    // Small whole counts come from the per-count cache, large and fractional ones are
    // computed directly; every customer must get exactly its own terms.
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> x(3000), m(3000), w(3000);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = i % 97 == 0   ? 300.0 + static_cast<double>(i % 5)
               : i % 89 == 0 ? 2.5
                             : 1 + std::floor(8 * unit(rng));
        m[i] = 5 + 200 * unit(rng) * unit(rng);
        w[i] = 1 + std::floor(3 * unit(rng));
    }
    const GammaGammaParams p{5.1, 4.0, 21.0};
    for (bool with_gradient : {true, false}) {
        const auto sums = ml::objective::gamma_gamma_block_sums(p, x.data(), m.data(), w.data(),
                                                                x.size(), with_gradient);
        double ll = 0, abs_ll = 0, g_sum[3] = {0, 0, 0};
        for (std::size_t i = 0; i < x.size(); ++i) {
            double g[3];
            const double ll_i = ml::objective::gamma_gamma_log_likelihood(p, x[i], m[i], g);
            ll += w[i] * ll_i;
            abs_ll += w[i] * std::abs(ll_i);
            for (int k = 0; k < 3; ++k) g_sum[k] += w[i] * g[k];
        }
        CHECK(sums.log_likelihood == ll);  // the same terms, summed in the same order
        CHECK(sums.abs_log_likelihood == abs_ll);
        if (with_gradient) {
            for (std::size_t k = 0; k < 3; ++k) CHECK(sums.gradient[k] == g_sum[k]);
        }
    }
}

TEST_CASE("the objective's time table gives the per-customer sums", "[bgnbd]") {
    // Times on a grid (many repeats, as with days) and continuous ones (all distinct).
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (bool grid : {true, false}) {
        INFO("times on a grid: " << grid);
        const std::size_t n = 5000;
        std::vector<double> x(n), tx(n), T(n), w(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = std::floor(12 * unit(rng) * unit(rng));
            T[i] = grid ? std::floor(30 + 50 * unit(rng)) : 30 + 50 * unit(rng);
            const double t = T[i] * unit(rng);
            tx[i] = x[i] == 0 ? 0.0 : (grid ? std::floor(t) : t);
            w[i] = 1 + std::floor(3 * unit(rng));
        }
        const ml::objective::BetaGeoTimeTable table(tx.data(), T.data(), n);
        if (grid) CHECK(table.num_distinct_times() <= 80);
        const BetaGeoParams p{0.4, 6.0, 0.7, 3.1};
        for (std::size_t threads : {1, 3}) {
            const auto got = table.sums(p, x.data(), w.data(), true, threads);
            double ll = 0, g_sum[4] = {0, 0, 0, 0}, weight = 0;
            for (std::size_t i = 0; i < n; ++i) {
                double g[4];
                ll += w[i] * ml::objective::bgnbd_log_likelihood(p, x[i], tx[i], T[i], g);
                weight += w[i];
                for (int k = 0; k < 4; ++k) g_sum[k] += w[i] * g[k];
            }
            CHECK(got.weight == weight);
            CHECK(got.log_likelihood == Approx(ll).epsilon(1e-13));
            for (std::size_t k = 0; k < 4; ++k)
                CHECK(got.gradient[k] == Approx(g_sum[k]).epsilon(1e-12).margin(1e-9));
            // bitwise the same for any number of threads
            const auto one = table.sums(p, x.data(), w.data(), true, 1);
            CHECK(got.log_likelihood == one.log_likelihood);
        }
    }
}

TEST_CASE("fits reproduce the published CDNOW parameters", "[bgnbd][gamma_gamma][cdnow]") {
    const std::string dir = shared_data_dir() + "/cdnow/";
    const auto [x, tx, T] = cdnow_sample_rfm();
    const auto spend = read_csv(dir + "cdnow_customers_summary_with_transactions.csv");
    if (x.empty() || spend.empty()) {
        WARN("CDNOW data not found under " << dir << "; set MARKETLEARN_SHARED_DATA");
        return;
    }
    const auto fit = ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size());
    CHECK(fit.result.converged);
    CHECK(fit.params.r == Approx(0.242593).epsilon(1e-5));
    CHECK(fit.params.alpha == Approx(4.413532).epsilon(1e-5));
    CHECK(fit.params.a == Approx(0.792886).epsilon(1e-5));
    CHECK(fit.params.b == Approx(2.425752).epsilon(1e-5));
    CHECK(fit.log_likelihood == Approx(-9582.43).margin(0.01));
    CHECK(std::sqrt(fit.covariance(0, 0)) == Approx(0.012557).epsilon(1e-3));
    CHECK(std::sqrt(fit.covariance(1, 1)) == Approx(0.378221).epsilon(1e-3));
    CHECK(std::sqrt(fit.covariance(2, 2)) == Approx(0.185719).epsilon(1e-3));
    CHECK(std::sqrt(fit.covariance(3, 3)) == Approx(0.705345).epsilon(1e-3));

    std::vector<double> fx, fm;
    for (const auto& row : spend) {
        if (row[1] > 0) {
            fx.push_back(row[1]);
            fm.push_back(row[4]);
        }
    }
    REQUIRE(fx.size() == 946);
    const auto gg = ml::models::fit_gamma_gamma(fx.data(), fm.data(), nullptr, fx.size());
    CHECK(gg.params.p == Approx(6.25).margin(0.005));
    CHECK(gg.params.q == Approx(3.74).margin(0.005));
    CHECK(gg.params.v == Approx(15.445).margin(0.01));  // tests: 15.44, Quickstart: 15.45
}

namespace {
/// A BG/NBD objective that counts its gradient evaluations.
struct CountingBetaGeo {
    const ml::objective::BetaGeoObjective& f;
    mutable std::size_t evaluations = 0;
    double evaluate(const Eigen::VectorXd& u) const { return f.evaluate(u); }
    double evaluate_with_gradient(const Eigen::VectorXd& u, Eigen::VectorXd& g) const {
        ++evaluations;
        return f.evaluate_with_gradient(u, g);
    }
};

/// The evaluations seen by the end of the last iteration.
struct EvaluationsAtEpoch {
    const CountingBetaGeo* f;
    std::size_t last = 0;
    bool end_epoch(std::size_t, double, const Eigen::VectorXd&) {
        last = f->evaluations;
        return false;
    }
};
}  // namespace

TEST_CASE("L-BFGS at working precision stops without a line search that cannot succeed",
          "[bgnbd][cdnow][optim]") {
    // With gradient_tol = 0 only the objective test can end the fit. At the optimum the
    // next step's predicted decrease is below rounding: the run must stop there, converged,
    // without evaluating anything more (it used to spend two failing line searches, ~30 %
    // of a CDNOW fit, and end as line_search_failed).
    const auto [x, tx, T] = cdnow_sample_rfm();
    if (x.empty()) {
        WARN("CDNOW data not found; set MARKETLEARN_SHARED_DATA");
        return;
    }
    // The objective exactly as fit_bgnbd builds it: identical rows as weights, times
    // scaled to max T = 1.
    auto rows = ml::models::aggregate_identical_rows<3>({x.data(), tx.data(), T.data()}, nullptr,
                                                        x.size());
    const double max_T = *std::max_element(rows.columns[2].begin(), rows.columns[2].end());
    for (std::size_t k : {1, 2}) {
        for (double& t : rows.columns[k]) t *= 1.0 / max_T;
    }
    const ml::objective::BetaGeoObjective objective(
        rows.columns[0].data(), rows.columns[1].data(), rows.columns[2].data(),
        rows.weight.data(), rows.size());
    CountingBetaGeo f{objective};
    EvaluationsAtEpoch seen{&f};
    Eigen::VectorXd u = Eigen::VectorXd::Constant(4, 0.1);
    ml::optim::LBFGS<double>::Options o;
    o.gradient_tol = 0;
    const auto r = ml::optim::LBFGS<double>(o).optimize(f, u, seen);
    INFO("stopped: " << ml::optim::describe(r.reason) << " after " << r.iterations
                     << " iterations, " << f.evaluations << " evaluations");
    CHECK(r.converged);
    CHECK(r.reason == ml::optim::StopReason::converged_tol);
    CHECK(f.evaluations == seen.last);
    Eigen::VectorXd g;
    objective.evaluate_with_gradient(u, g);
    CHECK(g.cwiseAbs().maxCoeff() < 1e-7);
    CHECK(std::exp(u[0]) == Approx(0.242593).epsilon(1e-5));  // the published r
}

TEST_CASE("a fit from a far initial guess ends at the optimum's own working precision",
          "[bgnbd][cdnow]") {
    // Far from the optimum the likelihood's terms are ~100 times larger, and so is the
    // rounding scale L-BFGS starts with; the fit must still end where the optimum's own
    // scale says f cannot be lowered, i.e. with the gradient at working precision there
    // (max |g| <= sqrt(eps) * ~1.2), not merely at the start's (sqrt(eps) * ~120).
    const auto [x, tx, T] = cdnow_sample_rfm();
    if (x.empty()) {
        WARN("CDNOW data not found; set MARKETLEARN_SHARED_DATA");
        return;
    }
    const auto reference = ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size());
    const BetaGeoParams far{20, 0.05, 20, 0.05};
    ml::models::BetaGeoFitOptions o;
    o.initial = &far;
    const auto fit = ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size(), o);
    INFO("stopped: " << ml::optim::describe(fit.result.reason) << " after "
                     << fit.result.iterations << " iterations");
    CHECK(fit.result.converged);
    CHECK(fit.gradient_max <= 2 * std::sqrt(std::numeric_limits<double>::epsilon()));
    CHECK(fit.params.r == Approx(reference.params.r).epsilon(1e-5));
    CHECK(fit.params.alpha == Approx(reference.params.alpha).epsilon(1e-5));
    CHECK(fit.params.a == Approx(reference.params.a).epsilon(1e-5));
    CHECK(fit.params.b == Approx(reference.params.b).epsilon(1e-5));
}

TEST_CASE("fits stay finite on extreme data", "[bgnbd][robustness]") {
    SECTION("frequency 0 everywhere but one customer") {
        std::vector<double> x(500, 0.0), tx(500, 0.0), T(500);
        for (std::size_t i = 0; i < T.size(); ++i) T[i] = 1.0 + static_cast<double>(i % 50);
        x[0] = 3;
        tx[0] = 20;
        T[0] = 40;
        const auto fit = ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size());
        for (double v :
             {fit.params.r, fit.params.alpha, fit.params.a, fit.params.b, fit.log_likelihood}) {
            CHECK(std::isfinite(v));
        }
    }
    SECTION("huge T") {
        const std::vector<double> x{0, 5, 2, 40}, tx{0, 1e9, 3e8, 9.9e9}, T{1e10, 1e10, 5e9, 1e10};
        const auto fit = ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size());
        for (double v :
             {fit.params.r, fit.params.alpha, fit.params.a, fit.params.b, fit.log_likelihood}) {
            CHECK(std::isfinite(v));
        }
        double out[4];
        const double t[4] = {1e10, 1e10, 1e10, 1e10};
        ml::models::bgnbd_conditional_expected_purchases(fit.params, t, x.data(), tx.data(),
                                                         T.data(), 4, out);
        for (double v : out) CHECK(std::isfinite(v));
    }
}

TEST_CASE("invalid summaries name the offending value", "[clv][errors]") {
    using Catch::Matchers::Contains;
    auto fit = [](std::vector<double> x, std::vector<double> tx, std::vector<double> T) {
        return ml::models::fit_bgnbd(x.data(), tx.data(), T.data(), nullptr, x.size());
    };
    CHECK_THROWS_WITH(fit({1}, {5}, {3}), Contains("recency[0]=5 is greater than T[0]=3"));
    CHECK_THROWS_WITH(fit({2}, {0}, {3}), Contains("frequency[0]=2 > 0 with recency[0]=0"));
    CHECK_THROWS_WITH(fit({-1}, {0}, {3}), Contains("frequency[0]=-1"));
    CHECK_THROWS_WITH(fit({1}, {std::nan("")}, {3}), Contains("recency[0]=nan"));
    CHECK_THROWS_WITH(fit({0}, {0}, {-2}), Contains("T[0]=-2"));
    CHECK_THROWS_AS(fit({1.5}, {1}, {3}), ml::invalid_argument);
    const std::vector<double> fx{2, 1}, fm{10, 0};
    CHECK_THROWS_WITH(ml::models::fit_gamma_gamma(fx.data(), fm.data(), nullptr, 2),
                      Contains("monetary_value[1]=0"));
}
