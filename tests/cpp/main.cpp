// Test runner: prints what the numbers below were computed with (library versions, SIMD
// level, RNG seed) so a failure report from CI or a user's machine can be reproduced.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <exception>
#include <iostream>
#include <string>

#include <Eigen/Core>
#include <xsimd/xsimd.hpp>

#include "marketlearn/simd/dispatch.hpp"

namespace {

void print_environment(unsigned int rng_seed) {
    namespace simd = marketlearn::simd;
    std::cout << "marketlearn tests\n"
              << "  Eigen " << EIGEN_WORLD_VERSION << '.' << EIGEN_MAJOR_VERSION << '.'
              << EIGEN_MINOR_VERSION << ", xsimd " << XSIMD_VERSION_MAJOR << '.'
              << XSIMD_VERSION_MINOR << '.' << XSIMD_VERSION_PATCH << '\n';
#if defined(MARKETLEARN_RUNTIME_DISPATCH)
    std::cout << "  kernels: runtime dispatch\n";
#else
    std::cout << "  kernels: header-only, compile-time arch "
              << simd::xsimd_arch_name(simd::level_of<simd::compile_time_arch>()) << '\n';
#endif
    try {
        std::cout << "  active SIMD level: " << simd::name(simd::active_level()) << '\n';
    } catch (const std::exception& e) {  // e.g. MARKETLEARN_SIMD=foo; tests will say more
        std::cout << "  active SIMD level: <error: " << e.what() << ">\n";
    }
    std::cout << "  available SIMD levels (best first):";
    for (simd::level l : simd::available_levels()) {
        std::cout << ' ' << simd::name(l) << " (" << simd::xsimd_arch_name(l) << ')';
    }
    std::cout << "\n  RNG seed: " << rng_seed
              << " (rerun with --rng-seed " << rng_seed << " to reproduce)\n"
              << std::endl;
}

}  // namespace

int main(int argc, char* argv[]) {
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;

    const Catch::Config& config = session.config();
    // catch_discover_tests parses the stdout of --list-test-names-only: keep it clean.
    const bool listing = config.listTests() || config.listTestNamesOnly() ||
                         config.listTags() || config.listReporters();
    if (!listing) print_environment(config.rngSeed());

    return session.run();
}
