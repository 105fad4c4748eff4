#pragma once
/// \file
/// The instruction-set levels marketlearn ships kernels for, and how a user forces one.

#include <cstdlib>
#include <string>

#include "marketlearn/core/error.hpp"

namespace marketlearn::simd {

/// Kernel families, ordered from the most portable to the fastest.
///
/// `scalar` is the plain C++ fallback for targets xsimd does not cover; on x86-64 the
/// floor is `sse2`, which every x86-64 CPU has.
enum class level : int { scalar = 0, sse2 = 1, avx2 = 2, avx512 = 3 };

/// Short name, as accepted by the MARKETLEARN_SIMD environment variable.
inline const char* name(level l) noexcept {
    switch (l) {
        case level::sse2: return "sse2";
        case level::avx2: return "avx2";
        case level::avx512: return "avx512";
        default: return "scalar";
    }
}

/// The xsimd architecture that implements a level (what a numerics reader looks up).
inline const char* xsimd_arch_name(level l) noexcept {
    switch (l) {
        case level::sse2: return "sse2";
        case level::avx2: return "fma3<avx2>";
        case level::avx512: return "avx512bw";
        default: return "scalar";
    }
}

/// Parses "sse2" | "avx2" | "avx512" | "scalar"; anything else is a user error.
inline level parse_level(const std::string& text) {
    if (text == "sse2") return level::sse2;
    if (text == "avx2") return level::avx2;
    if (text == "avx512") return level::avx512;
    if (text == "scalar") return level::scalar;
    throw_invalid_argument("MARKETLEARN_SIMD='", text,
                          "' is not a known SIMD level; use one of sse2, avx2, avx512");
}

/// The level forced through MARKETLEARN_SIMD, or `fallback` when the variable is unset or
/// empty. A forced level only ever lowers the choice: asking for more than the CPU has
/// gives what the CPU has.
inline level forced_level_or(level fallback) {
    const char* env = std::getenv("MARKETLEARN_SIMD");
    if (env == nullptr || *env == '\0') return fallback;
    const level wanted = parse_level(env);
    return static_cast<int>(wanted) < static_cast<int>(fallback) ? wanted : fallback;
}

}  // namespace marketlearn::simd
