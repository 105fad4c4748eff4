#pragma once
/// \file
/// Body of the runtime dispatch unit. Include it from exactly one translation unit that
/// is compiled WITHOUT any -m flag (the generated `simd_dispatch.cpp`): CPU detection must
/// run on any x86-64 machine. The MARKETLEARN_SIMD_HAVE_* macros say which per-arch units
/// were compiled.

#if !defined(MARKETLEARN_RUNTIME_DISPATCH)
#error "runtime_dispatch_impl.hpp needs MARKETLEARN_RUNTIME_DISPATCH"
#endif

#include "marketlearn/simd/dispatch.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define MARKETLEARN_SIMD_CAN_READ_XCR0 1
#endif

namespace marketlearn::simd {

namespace runtime {
#if MARKETLEARN_SIMD_HAVE_AVX512
const kernel_table<float>& table_f32_avx512();
const kernel_table<double>& table_f64_avx512();
#endif
#if MARKETLEARN_SIMD_HAVE_AVX2
const kernel_table<float>& table_f32_avx2();
const kernel_table<double>& table_f64_avx2();
#endif
#if MARKETLEARN_SIMD_HAVE_SSE2
const kernel_table<float>& table_f32_sse2();
const kernel_table<double>& table_f64_sse2();
#endif

/// Register state the OS saves on a context switch (XCR0). xsimd 8.1 reads CPUID only;
/// a CPU may have AVX-512 that a hypervisor or OS leaves disabled, so check both.
inline bool os_saves(unsigned long long mask) noexcept {
#if defined(MARKETLEARN_SIMD_CAN_READ_XCR0)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    if (!(ecx & (1u << 27))) return false;  // OSXSAVE: xgetbv is usable
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    const unsigned long long xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
    return (xcr0 & mask) == mask;
#else
    (void)mask;
    return false;
#endif
}

inline bool machine_runs(level l) noexcept {
    const auto cpu = xsimd::available_architectures();
    switch (l) {
        case level::avx512:  // SSE, AVX and opmask/ZMM state
            return cpu.avx512f && cpu.avx512cd && cpu.avx512dq && cpu.avx512bw && os_saves(0xE6);
        case level::avx2:
            return cpu.fma3_avx2 && os_saves(0x6);
        case level::sse2:
            return cpu.sse2;
        default:
            return false;
    }
}

/// Whether a level's unit is linked in: decided at compile time, never by calling into the
/// unit — its code (even a table getter) may use instructions this CPU lacks.
constexpr bool is_compiled(level l) noexcept {
    switch (l) {
#if MARKETLEARN_SIMD_HAVE_AVX512
        case level::avx512: return true;
#endif
#if MARKETLEARN_SIMD_HAVE_AVX2
        case level::avx2: return true;
#endif
#if MARKETLEARN_SIMD_HAVE_SSE2
        case level::sse2: return true;
#endif
        default: return false;
    }
}

/// The table of a compiled level. Call it only for a level machine_runs() accepts.
template <class T>
const kernel_table<T>* compiled_table(level l) noexcept {
    constexpr bool f32 = std::is_same_v<T, float>;
    switch (l) {
#if MARKETLEARN_SIMD_HAVE_AVX512
        case level::avx512:
            if constexpr (f32) return &table_f32_avx512(); else return &table_f64_avx512();
#endif
#if MARKETLEARN_SIMD_HAVE_AVX2
        case level::avx2:
            if constexpr (f32) return &table_f32_avx2(); else return &table_f64_avx2();
#endif
#if MARKETLEARN_SIMD_HAVE_SSE2
        case level::sse2:
            if constexpr (f32) return &table_f32_sse2(); else return &table_f64_sse2();
#endif
        default:
            return nullptr;
    }
}

}  // namespace runtime

std::vector<level> available_levels() {
    std::vector<level> levels;
    for (level l : {level::avx512, level::avx2, level::sse2}) {
        if (runtime::is_compiled(l) && runtime::machine_runs(l)) {
            levels.push_back(l);
        }
    }
    return levels;
}

level active_level() {
    static const level chosen = [] {
        const std::vector<level> levels = available_levels();
        require(!levels.empty(), "no SIMD kernel set compiled into this binary runs here");
        level pick = forced_level_or(levels.front());
        // A forced level that was not compiled in falls to the next one below it.
        while (!runtime::is_compiled(pick) && pick != level::scalar) {
            pick = static_cast<level>(static_cast<int>(pick) - 1);
        }
        require(pick != level::scalar, "MARKETLEARN_SIMD asks for a level below every kernel "
                                       "set compiled into this binary");
        return pick;
    }();
    return chosen;
}

const kernel_table<float>* find_kernel_table_f32(level l) noexcept {
    return runtime::is_compiled(l) && runtime::machine_runs(l) ? runtime::compiled_table<float>(l)
                                                                : nullptr;
}

const kernel_table<double>* find_kernel_table_f64(level l) noexcept {
    return runtime::is_compiled(l) && runtime::machine_runs(l) ? runtime::compiled_table<double>(l)
                                                                : nullptr;
}

}  // namespace marketlearn::simd
