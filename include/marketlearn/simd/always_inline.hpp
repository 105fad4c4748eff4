#pragma once
/// \file
/// MARKETLEARN_ALWAYS_INLINE: forces inlining where a helper must melt into its caller.

/// Register tiles only stay in registers when their helpers are inlined into one
/// function, and a prefetch in an out-of-line helper may be dropped as without effect;
/// GCC's -O2 heuristics do not always inline on their own.
#if defined(__GNUC__) || defined(__clang__)
#define MARKETLEARN_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define MARKETLEARN_ALWAYS_INLINE __forceinline
#else
#define MARKETLEARN_ALWAYS_INLINE inline
#endif
