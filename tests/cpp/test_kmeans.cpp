// k-means: distance kernels at every SIMD level against a long-double reference, the
// composable block sums, Lloyd = Hamerly, determinism across thread counts, weights as
// repeated rows, empty-cluster relocation, input errors, and mini-batch k-means.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "marketlearn/marketlearn.hpp"
#include "marketlearn/models/kmeans.hpp"
#include "marketlearn/models/minibatch_kmeans.hpp"

namespace {

using namespace marketlearn;

template <class T>
constexpr double kmeans_tolerance() {
    return sizeof(T) == 4 ? 1e-5 : 1e-12;
}

/// Every kernel table this binary and machine can run, by level name, and the scalar one.
template <class T>
std::vector<std::pair<std::string, const simd::kernel_table<T>*>> runnable_tables() {
    std::vector<std::pair<std::string, const simd::kernel_table<T>*>> out;
    for (simd::level l : simd::available_levels()) {
        out.emplace_back(simd::name(l), simd::find_kernel_table<T>(l));
    }
    // The portable bodies, for targets xsimd does not cover.
    static const simd::kernel_table<T> scalar = simd::make_kernel_table<simd::scalar_arch, T>();
    out.emplace_back("scalar", &scalar);
    return out;
}

/// n points around k well-separated centres (cluster i % k), d features, row-major.
template <class T>
std::vector<T> blobs(std::size_t n, std::size_t d, std::size_t k, double spread, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> centres(k * d);
    for (auto& c : centres) c = 10.0 * normal(rng);
    std::vector<T> X(n * d);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            X[i * d + j] = static_cast<T>(centres[(i % k) * d + j] + spread * normal(rng));
        }
    }
    return X;
}

/// One element past a 64-byte boundary, so no register width divides the pointer.
template <class T>
struct Misaligned {
    std::vector<T> storage;
    std::size_t offset = 0;
    explicit Misaligned(const std::vector<T>& values) : storage(values.size() + 64) {
        while (reinterpret_cast<std::uintptr_t>(storage.data() + offset) % 64 != 0) ++offset;
        ++offset;
        std::copy(values.begin(), values.end(), storage.begin() + static_cast<std::ptrdiff_t>(offset));
    }
    const T* data() const { return storage.data() + offset; }
};

long double ref_sq_distance(const long double* x, const long double* y, std::size_t d) {
    long double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += (x[j] - y[j]) * (x[j] - y[j]);
    return s;
}

template <class T>
double inertia_of(const std::vector<T>& X, std::size_t d, const std::vector<T>& centres,
                  const std::vector<std::int32_t>& labels, const T* sw = nullptr) {
    long double s = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        long double r = 0;
        for (std::size_t j = 0; j < d; ++j) {
            const long double diff = static_cast<long double>(X[i * d + j]) -
                                     centres[static_cast<std::size_t>(labels[i]) * d + j];
            r += diff * diff;
        }
        s += (sw ? sw[i] : T(1)) * r;
    }
    return static_cast<double>(s);
}

/// Labels (the first of tied centres), best and second distances of n rows against k
/// centres, all with small-integer coordinates so the distances are exact in float and
/// double: compared for equality with a plain sum of squared differences.
template <class T>
void check_exact_nearest(const std::string& name, const std::vector<T>& X,
                         const std::vector<T>& C, std::size_t n, std::size_t d, std::size_t k,
                         const std::vector<std::int32_t>& labels, const std::vector<T>& best,
                         const std::vector<T>& second) {
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<T> dist(k);
        for (std::size_t c = 0; c < k; ++c) {
            T s = 0;
            for (std::size_t j = 0; j < d; ++j) {
                s += (X[i * d + j] - C[c * d + j]) * (X[i * d + j] - C[c * d + j]);
            }
            dist[c] = s;
        }
        const auto first = std::min_element(dist.begin(), dist.end());
        std::vector<T> sorted(dist);
        std::sort(sorted.begin(), sorted.end());
        INFO(name << " d=" << d << " k=" << k << " row " << i);
        CHECK(labels[i] == static_cast<std::int32_t>(first - dist.begin()));
        CHECK(best[i] == sorted[0]);
        if (k > 1) {
            CHECK(second[i] == sorted[1]);
        } else {
            CHECK(std::isinf(second[i]));
        }
    }
}

}  // namespace

TEMPLATE_TEST_CASE("squared_distances matches a long-double reference at every SIMD level",
                   "[kmeans][simd]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal(0.0, 3.0);
    for (const auto& [name, table] : runnable_tables<T>()) {
        for (std::size_t d : {1u, 3u, 8u, 17u, 40u}) {
            for (std::size_t k : {1u, 2u, 5u, 16u, 17u, 33u}) {
                const std::size_t n = 11;  // not a multiple of the 4-row tile
                std::vector<T> X(n * d), C(k * d);
                for (auto& v : X) v = static_cast<T>(100.0 + normal(rng));  // far from 0
                for (auto& v : C) v = static_cast<T>(100.0 + normal(rng));
                const models::TransposedCentres<T> ct(C.data(), k, d);
                REQUIRE(ct.stride % simd::centre_stride_multiple<T> == 0);
                const Misaligned<T> x(X);
                std::vector<T> out(n * ct.stride);
                table->squared_distances(x.data(), n, d, ct.data.data(), ct.stride, out.data());
                for (std::size_t i = 0; i < n; ++i) {
                    std::vector<long double> xi(X.begin() + static_cast<std::ptrdiff_t>(i * d),
                                                X.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
                    for (std::size_t c = 0; c < k; ++c) {
                        std::vector<long double> cc(C.begin() + static_cast<std::ptrdiff_t>(c * d),
                                                    C.begin() + static_cast<std::ptrdiff_t>((c + 1) * d));
                        const long double ref = ref_sq_distance(xi.data(), cc.data(), d);
                        INFO(name << " d=" << d << " k=" << k << " row " << i << " centre " << c);
                        // Differences, not the expansion: relative accuracy on the distance
                        // itself, though the points are ~100 from the origin.
                        CHECK(std::abs(out[i * ct.stride + c] - ref) <=
                              kmeans_tolerance<T>() * ref + 1e-30);
                        const T one = table->squared_distance(x.data() + i * d, C.data() + c * d, d);
                        CHECK(std::abs(one - ref) <= kmeans_tolerance<T>() * ref + 1e-30);
                    }
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("centre_rows and add_rows_by_label match a serial reference at every SIMD level",
                   "[kmeans][simd]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(12);
    std::normal_distribution<double> normal(0.0, 3.0);
    for (const auto& [name, table] : runnable_tables<T>()) {
        for (std::size_t d : {1u, 3u, 8u, 17u, 40u}) {
            for (std::size_t n : {0u, 1u, 11u, 130u}) {
                const std::size_t k = 5;
                std::vector<T> X(n * d), mu(d), sw(n);
                for (auto& v : X) v = static_cast<T>(100.0 + normal(rng));
                for (auto& v : mu) v = static_cast<T>(100.0 + normal(rng));
                for (auto& v : sw) v = static_cast<T>(0.25 + std::abs(normal(rng)));
                // Runs of equal labels (a row added onto the one just stored) and centre 4
                // never used: its sums must stay as they were.
                std::vector<std::int32_t> labels(n);
                for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<std::int32_t>((i / 3 + i * i) % 4);
                const Misaligned<T> x(X), m(mu), w(sw);
                INFO(name << " d=" << d << " n=" << n);

                // out = X - mu, and nothing written past n rows.
                std::vector<T> out(n * d + 1, T(-7));
                table->centre_rows(x.data(), n, d, m.data(), out.data());
                for (std::size_t i = 0; i < n * d; ++i) CHECK(out[i] == X[i] - mu[i % d]);
                CHECK(out[n * d] == T(-7));

                for (bool weighted : {false, true}) {
                    INFO("weighted " << weighted);
                    std::vector<double> sums(k * d), weights(k);
                    for (auto& v : sums) v = normal(rng);
                    for (auto& v : weights) v = std::abs(normal(rng));
                    std::vector<double> ref_sums = sums, ref_weights = weights;
                    std::vector<long double> exact(sums.begin(), sums.end());
                    for (std::size_t i = 0; i < n; ++i) {
                        const auto c = static_cast<std::size_t>(labels[i]);
                        const double wi = weighted ? static_cast<double>(sw[i]) : 1.0;
                        for (std::size_t j = 0; j < d; ++j) {
                            ref_sums[c * d + j] += wi * static_cast<double>(X[i * d + j]);
                            exact[c * d + j] += static_cast<long double>(wi) * X[i * d + j];
                        }
                        ref_weights[c] += wi;
                    }
                    table->add_rows_by_label(x.data(), n, d, labels.data(),
                                             weighted ? w.data() : nullptr, sums.data(),
                                             weights.data());
                    for (std::size_t c = 0; c < k; ++c) CHECK(weights[c] == ref_weights[c]);
                    for (std::size_t i = 0; i < k * d; ++i) {
                        if (weighted) {
                            // w x + s may be one fused multiply-add on levels that have it.
                            const long double scale = std::abs(exact[i]) + 130 * 110.0L * 4;
                            CHECK(std::abs(sums[i] - exact[i]) <= 1e-13L * scale);
                        } else {
                            // Unit weights: plain additions in row order, whatever the level.
                            CHECK(sums[i] == ref_sums[i]);
                        }
                    }
                    for (std::size_t j = 0; j < d; ++j) CHECK(sums[4 * d + j] == ref_sums[4 * d + j]);
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("nearest_centres finds the nearest and second nearest at every SIMD level",
                   "[kmeans][simd]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(12);
    std::uniform_int_distribution<int> grid(0, 3);  // coarse grid: many exact ties
    for (const auto& [name, table] : runnable_tables<T>()) {
        for (std::size_t d : {1u, 2u, 7u}) {
            for (std::size_t k : {1u, 3u, 8u, 9u, 31u, 64u}) {
                const std::size_t n = 13;
                std::vector<T> X(n * d), C(k * d);
                for (auto& v : X) v = static_cast<T>(grid(rng));
                for (auto& v : C) v = static_cast<T>(grid(rng));
                const models::TransposedCentres<T> ct(C.data(), k, d);
                std::vector<std::int32_t> labels(n);
                std::vector<T> best(n), second(n);
                table->nearest_centres(X.data(), n, d, ct.data.data(), ct.stride, k, labels.data(),
                                       best.data(), second.data());
                check_exact_nearest(name, X, C, n, d, k, labels, best, second);
            }
        }
    }
}

TEMPLATE_TEST_CASE("nearest_centres_expanded matches a long-double reference at every SIMD level",
                   "[kmeans][simd]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(13);
    std::normal_distribution<double> normal(0.0, 3.0);
    const long double eps = std::numeric_limits<T>::epsilon();
    for (const auto& [name, table] : runnable_tables<T>()) {
        for (std::size_t d : {1u, 2u, 3u, 5u, 7u, 13u, 20u, 37u}) {
            for (std::size_t k : {1u, 3u, 8u, 17u, 64u, 100u}) {
                const std::size_t n = 13;  // 4-row tiles and a remainder
                std::vector<T> X(n * d), C(k * d);
                for (auto& v : X) v = static_cast<T>(normal(rng));
                for (auto& v : C) v = static_cast<T>(normal(rng));
                // Some rows exactly on a centre: distance 0 after max(0, .).
                for (std::size_t j = 0; j < d; ++j) X[2 * d + j] = C[(k - 1) * d + j];
                const std::vector<T> origin(d, T(0));
                const models::ExpandedCentres<T> ec(models::TransposedCentres<T>(C.data(), k, d),
                                                    origin.data());
                REQUIRE(ec.sq_norms.size() == ec.centred.stride);
                for (std::size_t c = k; c < ec.centred.stride; ++c) REQUIRE(std::isinf(ec.sq_norms[c]));
                const Misaligned<T> x(X);
                std::vector<std::int32_t> labels(n), labels_only(n);
                std::vector<T> best(n), second(n), best_only(n);
                table->nearest_centres_expanded(x.data(), n, d, ec.centred.data.data(),
                                                ec.centred.stride, ec.sq_norms.data(), k,
                                                labels.data(), best.data(), second.data());
                table->nearest_centres_expanded(x.data(), n, d, ec.centred.data.data(),
                                                ec.centred.stride, ec.sq_norms.data(), k,
                                                labels_only.data(), best_only.data(), nullptr);
                std::vector<std::int32_t> labels_bare(n);
                table->nearest_centres_expanded(x.data(), n, d, ec.centred.data.data(),
                                                ec.centred.stride, ec.sq_norms.data(), k,
                                                labels_bare.data(), nullptr, nullptr);
                CHECK(labels_bare == labels);
                for (std::size_t i = 0; i < n; ++i) {
                    INFO(name << " d=" << d << " k=" << k << " row " << i);
                    std::vector<long double> xi(X.begin() + static_cast<std::ptrdiff_t>(i * d),
                                                X.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
                    long double xx = 0;
                    for (long double v : xi) xx += v * v;
                    std::vector<long double> ref(k), tol(k);
                    for (std::size_t c = 0; c < k; ++c) {
                        std::vector<long double> cc(C.begin() + static_cast<std::ptrdiff_t>(c * d),
                                                    C.begin() + static_cast<std::ptrdiff_t>((c + 1) * d));
                        long double norm = 0;
                        for (long double v : cc) norm += v * v;
                        ref[c] = ref_sq_distance(xi.data(), cc.data(), d);
                        // The expansion cancels: its error scales with the norms, not with
                        // the distance (a d-term dot, the norms, two additions).
                        tol[c] = 2 * static_cast<long double>(d + 4) * eps * (xx + norm);
                    }
                    std::vector<std::size_t> order(k);
                    std::iota(order.begin(), order.end(), std::size_t{0});
                    std::stable_sort(order.begin(), order.end(),
                                     [&](std::size_t a, std::size_t b) { return ref[a] < ref[b]; });
                    const auto label = static_cast<std::size_t>(labels[i]);
                    REQUIRE(label < k);
                    CHECK(labels_only[i] == labels[i]);
                    CHECK(best_only[i] == best[i]);
                    CHECK(best[i] >= T(0));
                    // The label's distance, and it is a nearest one within the tolerance.
                    CHECK(std::abs(best[i] - ref[label]) <= tol[label]);
                    CHECK(ref[label] <= ref[order[0]] + tol[label] + tol[order[0]]);
                    if (k == 1 || ref[order[1]] - ref[order[0]] > tol[order[0]] + tol[order[1]]) {
                        CHECK(label == order[0]);
                    }
                    if (k > 1) {
                        const long double worst = *std::max_element(tol.begin(), tol.end());
                        CHECK(std::abs(second[i] - ref[order[1]]) <= 2 * worst);
                    } else {
                        CHECK(std::isinf(second[i]));
                    }
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("nearest_centres_expanded breaks exact ties towards the first centre",
                   "[kmeans][simd]", float, double) {
    using T = TestType;
    std::mt19937_64 rng(14);
    std::uniform_int_distribution<int> grid(-2, 2);  // small integers: exact arithmetic
    for (const auto& [name, table] : runnable_tables<T>()) {
        for (std::size_t d : {1u, 2u, 7u}) {
            for (std::size_t k : {1u, 3u, 8u, 9u, 31u, 64u}) {
                const std::size_t n = 13;
                std::vector<T> X(n * d), C(k * d);
                for (auto& v : X) v = static_cast<T>(grid(rng));
                for (auto& v : C) v = static_cast<T>(grid(rng));
                const std::vector<T> origin(d, T(0));
                const models::ExpandedCentres<T> ec(models::TransposedCentres<T>(C.data(), k, d),
                                                    origin.data());
                std::vector<std::int32_t> labels(n);
                std::vector<T> best(n), second(n);
                table->nearest_centres_expanded(X.data(), n, d, ec.centred.data.data(),
                                                ec.centred.stride, ec.sq_norms.data(), k,
                                                labels.data(), best.data(), second.data());
                check_exact_nearest(name, X, C, n, d, k, labels, best, second);
            }
        }
    }
}

TEMPLATE_TEST_CASE("Lloyd with many centres (expanded distances) matches the exact kernel",
                   "[kmeans][fit]", float, double) {
    using T = TestType;
    const std::size_t n = 3200, d = 6, k = 64;
    REQUIRE(k >= models::detail::kmeans_expanded_min_clusters);
    for (double offset : {0.0, 1e6}) {
        INFO("offset " << offset);
        auto X = blobs<T>(n, d, k, 0.05, 21);  // well separated
        for (auto& v : X) v = static_cast<T>(static_cast<double>(v) + offset);
        // One row of each cluster (row i is in cluster i % k): no two centres near each
        // other, so no row is near a tie that the two kernels could break differently.
        std::vector<T> init(k * d);
        for (std::size_t c = 0; c < k; ++c) {
            const std::size_t row = c + k * (c % 5);
            std::copy(X.begin() + static_cast<std::ptrdiff_t>(row * d),
                      X.begin() + static_cast<std::ptrdiff_t>((row + 1) * d),
                      init.begin() + static_cast<std::ptrdiff_t>(c * d));
        }
        models::KMeansOptions<T> o;
        o.n_clusters = k;
        o.tol = 0;
        o.n_jobs = 1;
        const auto fit = models::fit_kmeans<T>(X.data(), n, d, nullptr, o, init.data());

        // The same run on the exact kernel.
        models::detail::KMeansPass<T> pass(simd::kernels<T>(), X.data(), n, d, nullptr, k, 1);
        REQUIRE_FALSE(pass.expanded());
        std::vector<T> centres(init);
        std::vector<std::int32_t> labels;
        const auto exact = models::detail::lloyd_run(pass, centres, o.max_iter, 0.0, labels);

        CHECK(fit.labels == labels);
        CHECK(fit.n_iter == exact.n_iter);
        CHECK(fit.centres == centres);  // same labels each iteration: the same sums
        CHECK(fit.inertia == Approx(exact.inertia).epsilon(1e-12));
        CHECK(fit.inertia == Approx(inertia_of(X, d, fit.centres, fit.labels)).epsilon(kmeans_tolerance<T>()));

        o.n_jobs = 2;
        const auto two = models::fit_kmeans<T>(X.data(), n, d, nullptr, o, init.data());
        CHECK(two.centres == fit.centres);  // bitwise
        CHECK(two.labels == fit.labels);
        CHECK(two.inertia == fit.inertia);
    }
}

TEMPLATE_TEST_CASE("Lloyd with many centres does not depend on n_jobs on overlapping data",
                   "[kmeans][fit]", float, double) {
    using T = TestType;
    const std::size_t n = 5000, d = 5, k = 64;
    const auto X = blobs<T>(n, d, 30, 6.0, 22);  // overlapping: many iterations
    std::vector<T> sw(n);
    for (std::size_t i = 0; i < n; ++i) sw[i] = static_cast<T>(1 + i % 4);
    models::KMeansOptions<T> o;
    o.n_clusters = k;
    o.random_state = 3;
    o.n_jobs = 1;
    const auto one = models::fit_kmeans<T>(X.data(), n, d, sw.data(), o);
    o.n_jobs = 2;
    const auto two = models::fit_kmeans<T>(X.data(), n, d, sw.data(), o);
    CHECK(one.centres == two.centres);  // bitwise
    CHECK(one.labels == two.labels);
    CHECK(one.inertia == two.inertia);
    CHECK(one.inertia ==
          Approx(inertia_of(X, d, one.centres, one.labels, sw.data())).epsilon(kmeans_tolerance<T>()));
}

TEMPLATE_TEST_CASE("kmeans_block_sums of two blocks add up to the sums of the whole",
                   "[kmeans][sums]", float, double) {
    using T = TestType;
    const std::size_t n = 1000, d = 6, k = 4;
    const auto X = blobs<T>(n, d, k, 1.0, 3);
    std::vector<T> sw(n);
    for (std::size_t i = 0; i < n; ++i) sw[i] = static_cast<T>(1 + i % 3);
    std::vector<T> C(X.begin(), X.begin() + static_cast<std::ptrdiff_t>(k * d));
    const models::TransposedCentres<T> ct(C.data(), k, d);
    const auto& kernels = simd::kernels<T>();

    models::KMeansSums whole(k, d), first(k, d), second(k, d);
    std::vector<std::int32_t> labels(n, -1);
    models::kmeans_block_sums(kernels, X.data(), n, sw.data(), ct, whole, labels.data());
    CHECK(whole.label_changes == n);
    models::kmeans_block_sums(kernels, X.data(), 377, sw.data(), ct, first);
    models::kmeans_block_sums(kernels, X.data() + 377 * d, n - 377, sw.data() + 377, ct, second);
    first += second;
    double total_weight = 0;
    for (std::size_t c = 0; c < k; ++c) {
        CHECK(first.weights[c] == Approx(whole.weights[c]).epsilon(1e-12));
        total_weight += whole.weights[c];
        for (std::size_t j = 0; j < d; ++j) {
            CHECK(first.coordinate_sums[c * d + j] ==
                  Approx(whole.coordinate_sums[c * d + j]).epsilon(1e-12).margin(1e-9));
        }
    }
    double expected_weight = 0;
    for (T w : sw) expected_weight += w;
    CHECK(total_weight == Approx(expected_weight).epsilon(1e-12));
    CHECK(first.inertia == Approx(whole.inertia).epsilon(1e-12));
    CHECK(whole.inertia == Approx(inertia_of(X, d, C, labels, sw.data())).epsilon(kmeans_tolerance<T>()));

    // centres_from_sums: weighted means of each cluster's rows.
    std::vector<T> means(C);
    models::centres_from_sums(whole, means.data());
    for (std::size_t c = 0; c < k; ++c) {
        double wsum = 0, x0 = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (labels[i] != static_cast<std::int32_t>(c)) continue;
            wsum += sw[i];
            x0 += sw[i] * static_cast<double>(X[i * d]);
        }
        CHECK(means[c * d] == Approx(x0 / wsum).epsilon(kmeans_tolerance<T>()));
    }
}

TEMPLATE_TEST_CASE("Lloyd and Hamerly reach the same fixed point, for any n_jobs",
                   "[kmeans][fit]", float, double) {
    using T = TestType;
    const std::size_t n = 3000, d = 5, k = 7;
    const auto X = blobs<T>(n, d, k, 4.0, 5);  // overlapping: many iterations
    models::KMeansOptions<T> o;
    o.n_clusters = k;
    o.random_state = 42;
    o.tol = 0;
    o.n_jobs = 1;
    const auto lloyd = models::fit_kmeans<T>(X.data(), n, d, nullptr, o);
    o.algorithm = models::KMeansAlgorithm::hamerly;
    const auto hamerly = models::fit_kmeans<T>(X.data(), n, d, nullptr, o);
    CHECK(lloyd.converged);
    CHECK(lloyd.labels == hamerly.labels);
    CHECK(lloyd.n_iter == hamerly.n_iter);
    CHECK(hamerly.inertia == Approx(lloyd.inertia).epsilon(1e-10));
    CHECK(lloyd.inertia == Approx(inertia_of(X, d, lloyd.centres, lloyd.labels)).epsilon(kmeans_tolerance<T>()));

    for (auto algorithm : {models::KMeansAlgorithm::lloyd, models::KMeansAlgorithm::hamerly}) {
        o.algorithm = algorithm;
        o.n_jobs = 1;
        const auto one = models::fit_kmeans<T>(X.data(), n, d, nullptr, o);
        o.n_jobs = 3;
        const auto three = models::fit_kmeans<T>(X.data(), n, d, nullptr, o);
        CHECK(one.centres == three.centres);  // bitwise
        CHECK(one.labels == three.labels);
        CHECK(one.inertia == three.inertia);
    }
}

TEMPLATE_TEST_CASE("integer sample weights act as repeated rows", "[kmeans][weights]", float,
                   double) {
    using T = TestType;
    const std::size_t n = 400, d = 3, k = 5;
    const auto X = blobs<T>(n, d, k, 3.0, 8);
    std::vector<T> sw(n), repeated;
    for (std::size_t i = 0; i < n; ++i) {
        sw[i] = static_cast<T>(i % 4);  // zero weights included
        for (std::size_t r = 0; r < i % 4; ++r) {
            repeated.insert(repeated.end(), X.begin() + static_cast<std::ptrdiff_t>(i * d),
                            X.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
        }
    }
    const std::size_t n_repeated = repeated.size() / d;
    for (auto algorithm : {models::KMeansAlgorithm::lloyd, models::KMeansAlgorithm::hamerly}) {
        models::KMeansOptions<T> o;
        o.n_clusters = k;
        o.random_state = 7;
        o.n_init = 3;
        o.algorithm = algorithm;
        const auto weighted = models::fit_kmeans<T>(X.data(), n, d, sw.data(), o);
        const auto copies = models::fit_kmeans<T>(repeated.data(), n_repeated, d, nullptr, o);
        REQUIRE(weighted.centres.size() == copies.centres.size());
        for (std::size_t i = 0; i < weighted.centres.size(); ++i) {
            CHECK(weighted.centres[i] == Approx(copies.centres[i]).epsilon(1e-4).margin(1e-4));
        }
        CHECK(weighted.inertia == Approx(copies.inertia).epsilon(1e-4));
    }

    // One mini-batch step on all rows: the same update.
    models::MiniBatchKMeansOptions<T> mo;
    mo.n_clusters = k;
    std::vector<T> init(X.begin(), X.begin() + static_cast<std::ptrdiff_t>(k * d));
    models::MiniBatchKMeansState<T> a, b;
    std::mt19937_64 rng_a(1), rng_b(1);
    models::partial_fit_minibatch_kmeans<T>(X.data(), n, d, sw.data(), mo, a, rng_a, init.data());
    models::partial_fit_minibatch_kmeans<T>(repeated.data(), n_repeated, d, nullptr, mo, b, rng_b,
                                            init.data());
    for (std::size_t i = 0; i < a.centres.size(); ++i) {
        CHECK(a.centres[i] == Approx(b.centres[i]).epsilon(1e-5).margin(1e-5));
    }
    for (std::size_t c = 0; c < k; ++c) CHECK(a.counts[c] == Approx(b.counts[c]));
}

TEMPLATE_TEST_CASE("an empty cluster takes the point farthest from its centre",
                   "[kmeans][relocation]", float, double) {
    using T = TestType;
    // Two tight groups and one outlier; the third initial centre is far from everything,
    // so it is empty after the first assignment and must take the outlier.
    const std::vector<T> X = {0, 0, 0.1f, 0, 0, 0.1f, 10, 10, 10.1f, 10, 10, 10.1f, 50, 0};
    const std::vector<T> init = {0, 0, 10, 10, 1000, 1000};
    models::KMeansOptions<T> o;
    o.n_clusters = 3;
    const auto fit = models::fit_kmeans<T>(X.data(), 7, 2, nullptr, o, init.data());
    CHECK(fit.labels[6] == 2);
    CHECK(fit.centres[4] == Approx(50));
    CHECK(fit.centres[5] == Approx(0));
    CHECK(fit.converged);
}

TEMPLATE_TEST_CASE("k-means rejects bad input with marketlearn::invalid_argument",
                   "[kmeans][errors]", float, double) {
    using T = TestType;
    std::vector<T> X = {1, 2, 3, 4, 5, 6};
    models::KMeansOptions<T> o;
    o.n_clusters = 4;
    CHECK_THROWS_WITH(models::fit_kmeans<T>(X.data(), 3, 2, nullptr, o),
                      Catch::Contains("n_samples=3 should be >= n_clusters=4"));
    o.n_clusters = 2;
    X[3] = std::numeric_limits<T>::quiet_NaN();
    CHECK_THROWS_AS(models::fit_kmeans<T>(X.data(), 3, 2, nullptr, o), marketlearn::invalid_argument);
    X[3] = 4;
    const std::vector<T> negative = {1, -1, 1};
    CHECK_THROWS_WITH(models::fit_kmeans<T>(X.data(), 3, 2, negative.data(), o),
                      Catch::Contains("sample_weight[1]"));
    o.max_iter = 0;
    CHECK_THROWS_AS(models::fit_kmeans<T>(X.data(), 3, 2, nullptr, o), marketlearn::invalid_argument);
    models::MiniBatchKMeansOptions<T> mo;
    mo.n_clusters = 5;
    CHECK_THROWS_AS(models::fit_minibatch_kmeans<T>(X.data(), 3, 2, nullptr, mo),
                    marketlearn::invalid_argument);
}

TEMPLATE_TEST_CASE("mini-batch k-means gets close to Lloyd and does not depend on n_jobs",
                   "[kmeans][minibatch]", float, double) {
    using T = TestType;
    const std::size_t n = 20000, d = 4, k = 6;
    const auto X = blobs<T>(n, d, k, 1.0, 21);
    models::KMeansOptions<T> o;
    o.n_clusters = k;
    o.n_init = 3;
    o.random_state = 1;
    const auto full = models::fit_kmeans<T>(X.data(), n, d, nullptr, o);

    models::MiniBatchKMeansOptions<T> mo;
    mo.n_clusters = k;
    mo.batch_size = 512;
    mo.n_init = 3;
    mo.random_state = 1;
    mo.n_jobs = 1;
    const auto one = models::fit_minibatch_kmeans<T>(X.data(), n, d, nullptr, mo);
    mo.n_jobs = 2;
    const auto two = models::fit_minibatch_kmeans<T>(X.data(), n, d, nullptr, mo);
    CHECK(one.state.centres == two.state.centres);
    CHECK(one.labels == two.labels);
    CHECK(one.inertia <= 1.05 * full.inertia);
    CHECK(one.inertia == Approx(inertia_of(X, d, one.state.centres, one.labels)).epsilon(kmeans_tolerance<T>()));
    double counted = 0;
    for (double c : one.state.counts) counted += c;
    CHECK(counted > 0);
    CHECK(one.n_iter >= 1);
}
