// End-to-end BG/NBD fits (aggregation, L-BFGS, covariance) on simulated customer bases
// with times in whole days, as transaction logs give them: a CDNOW-sized base and a
// million customers, on one thread and on all cores. Uses the active SIMD level.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "marketlearn/marketlearn.hpp"

namespace {

/// Customers drawn from the BG/NBD model itself (Fader, Hardie & Lee 2005): rate
/// lambda ~ Gamma(r, alpha), dropout p ~ Beta(a, b), observed for T in [30, 365] days.
struct SimulatedCustomers {
    std::vector<double> frequency, recency, age;

    explicit SimulatedCustomers(std::size_t n) : frequency(n), recency(n), age(n) {
        const double r = 0.25, alpha = 28.0, a = 0.8, b = 2.5;
        std::mt19937_64 rng(2005);
        std::gamma_distribution<double> rate(r, 1.0 / alpha), beta_a(a, 1.0), beta_b(b, 1.0);
        std::uniform_int_distribution<int> days(30, 365);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        for (std::size_t i = 0; i < n; ++i) {
            const double lambda = rate(rng), ga = beta_a(rng), p = ga / (ga + beta_b(rng));
            const double T = days(rng);
            double t = 0, x = 0, t_x = 0;
            while (lambda > 0) {
                t += std::exponential_distribution<double>(lambda)(rng);
                if (t > T) break;
                x += 1;
                t_x = t;
                if (unit(rng) < p) break;  // drops out after this purchase
            }
            frequency[i] = x;
            recency[i] = std::ceil(t_x);  // whole days; a repeat purchase is on day >= 1
            age[i] = T;
        }
    }
};

void bench_fit_bgnbd(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const SimulatedCustomers c(n);
    marketlearn::models::BetaGeoFitOptions options;
    options.n_jobs = static_cast<int>(state.range(1));
    std::size_t iterations = 0, unique_rows = 0;
    for (auto _ : state) {
        const auto fit = marketlearn::models::fit_bgnbd(c.frequency.data(), c.recency.data(),
                                                        c.age.data(), nullptr, n, options);
        iterations = fit.result.iterations;
        unique_rows = fit.n_unique_rows;
        benchmark::DoNotOptimize(fit.params.r);
    }
    state.counters["lbfgs_iterations"] = static_cast<double>(iterations);
    state.counters["distinct_rows"] = static_cast<double>(unique_rows);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.SetLabel(std::string("simd=") +
                   marketlearn::simd::name(marketlearn::simd::kernels<double>().simd_level));
}

BENCHMARK(bench_fit_bgnbd)
    ->Args({23570, 1})
    ->Args({1000000, 1})
    ->Args({1000000, -1})
    ->ArgNames({"customers", "n_jobs"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
