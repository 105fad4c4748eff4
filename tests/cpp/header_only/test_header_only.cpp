// The header-only path a C++ user gets without marketlearn_add_simd_dispatch: kernels are
// instantiated here, for the best arch this file's own flags allow, with no dispatch.
#if defined(MARKETLEARN_RUNTIME_DISPATCH)
#error "this test checks the header-only path: build it without marketlearn_add_simd_dispatch"
#endif

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "marketlearn/simd/dispatch.hpp"
#include "../test_support.hpp"

namespace simd = marketlearn::simd;
using marketlearn_test::MisalignedBuffer;
using marketlearn_test::fill_normal;
using marketlearn_test::seed_for;
using marketlearn_test::tolerance;

namespace {

/// The level the predefined macros of this compilation promise.
constexpr simd::level level_from_compiler_flags() {
#if defined(__AVX512F__) && defined(__AVX512CD__) && defined(__AVX512DQ__) && defined(__AVX512BW__)
    return simd::level::avx512;
#elif defined(__AVX2__) && defined(__FMA__)
    return simd::level::avx2;
#elif defined(__SSE2__) || defined(__x86_64__)
    return simd::level::sse2;
#else
    return simd::level::scalar;
#endif
}

}  // namespace

TEST_CASE("header-only kernels are the compile-time arch", "[header_only]") {
    constexpr simd::level compiled = simd::level_of<simd::compile_time_arch>();
    INFO("compile-time arch: " << simd::xsimd_arch_name(compiled));
#if defined(__x86_64__)
    // avx512 needs BW + DQ for xsimd's avx512bw; a plain AVX-512F build falls to avx2.
    if (level_from_compiler_flags() != simd::level::avx512) {
        CHECK(compiled == level_from_compiler_flags());
    } else {
        CHECK(compiled == simd::level::avx512);
    }
#endif
    CHECK(simd::active_level() == compiled);
    REQUIRE(simd::available_levels().size() == 1);
    CHECK(simd::available_levels().front() == compiled);
    CHECK(simd::kernels<float>().simd_level == compiled);
    CHECK(simd::kernels<double>().simd_level == compiled);
    CHECK(simd::find_kernel_table<double>(compiled) == &simd::kernels<double>());
    if (compiled != simd::level::sse2) CHECK(simd::find_kernel_table<double>(simd::level::sse2) == nullptr);
}

TEMPLATE_TEST_CASE("header-only kernels match the scalar reference", "[header_only]", float,
                   double) {
    using T = TestType;
    const simd::kernel_table<T>& k = simd::kernels<T>();
    const simd::kernel_table<T> ref = simd::make_kernel_table<simd::scalar_arch, T>();
    std::mt19937_64 rng(seed_for(901));

    for (std::size_t n : {0u, 1u, 7u, 9u, 65u, 1031u}) {
        INFO("n = " << n);
        MisalignedBuffer<T> x(n), y(n);
        fill_normal(x.data(), n, rng);
        fill_normal(y.data(), n, rng);
        double scale = 0;
        for (std::size_t i = 0; i < n; ++i) scale += std::fabs(double(x[i]) * y[i]);
        CHECK(std::fabs(double(k.dot(x.data(), y.data(), n)) - ref.dot(x.data(), y.data(), n)) <=
              2 * tolerance<T>() * scale + 1e-30);

        std::vector<T> y1(y.begin(), y.end()), y2(y.begin(), y.end());
        k.axpy(T(0.5), x.data(), y1.data(), n);
        ref.axpy(T(0.5), x.data(), y2.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(y1[i] == Approx(y2[i]).epsilon(10 * tolerance<T>()).margin(tolerance<T>()));
        }
    }

    const std::size_t n_rows = 37, n_cols = 9;
    MisalignedBuffer<T> X(n_rows * n_cols), w(n_cols), y(n_rows), sw(n_rows);
    fill_normal(X.data(), X.size(), rng);
    fill_normal(w.data(), n_cols, rng, 0.5);
    for (std::size_t i = 0; i < n_rows; ++i) {
        y[i] = (i % 3 == 0) ? T(1) : T(-1);
        sw[i] = T(0.5) + T(i % 5);
    }
    std::vector<T> g1(n_cols, 0), g2(n_cols, 0);
    T b1 = 0, b2 = 0;
    const T l1 = k.logistic_loss_grad(X.data(), n_cols, nullptr, n_rows, y.data(), sw.data(),
                                      w.data(), T(0.1), g1.data(), &b1);
    const T l2 = ref.logistic_loss_grad(X.data(), n_cols, nullptr, n_rows, y.data(), sw.data(),
                                        w.data(), T(0.1), g2.data(), &b2);
    const double eps = sizeof(T) == 4 ? 1e-5 : 1e-12;
    CHECK(l1 == Approx(l2).epsilon(eps));
    CHECK(b1 == Approx(b2).epsilon(eps).margin(eps));
    for (std::size_t j = 0; j < n_cols; ++j) CHECK(g1[j] == Approx(g2[j]).epsilon(eps).margin(eps));

    std::vector<T> p1(n_rows), p2(n_rows);
    k.linear_predict(X.data(), n_rows, n_cols, w.data(), T(0.1), p1.data());
    ref.linear_predict(X.data(), n_rows, n_cols, w.data(), T(0.1), p2.data());
    for (std::size_t i = 0; i < n_rows; ++i) CHECK(p1[i] == Approx(p2[i]).epsilon(eps).margin(eps));
}
