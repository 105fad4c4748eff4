# Runtime SIMD dispatch: the one place where per-architecture compile flags are defined.
#
# marketlearn_add_simd_dispatch(<target>) compiles the kernels once per level with that
# level's flags, plus a flag-free dispatch unit that picks a level from the CPU at run
# time, and defines MARKETLEARN_RUNTIME_DISPATCH on <target>. The Python module, the
# tests and the benchmarks use it; it is installed so C++ users can use it too.
#
# Where the unit templates live, visible from any directory that calls the function.
set(_MARKETLEARN_SIMD_TEMPLATE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "")

function(marketlearn_add_simd_dispatch target)
    # Levels, best first. The last one must be built without any -m flag: it is what runs on
    # a machine that has nothing better (DESIGN.md: keep the list's last entry safe).
    set(MARKETLEARN_SIMD_LEVELS avx512 avx2 sse2)

    set(MARKETLEARN_SIMD_ARCH_avx512 "xsimd::avx512bw")
    # avx512bw alone is not enough: xsimd's float hadd uses an AVX512DQ instruction, and the
    # generic parts of the kernels use AVX2 and FMA forms.
    set(MARKETLEARN_SIMD_FLAGS_avx512 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx2 -mfma)

    set(MARKETLEARN_SIMD_ARCH_avx2 "xsimd::fma3<xsimd::avx2>")
    set(MARKETLEARN_SIMD_FLAGS_avx2 -mavx2 -mfma)

    set(MARKETLEARN_SIMD_ARCH_sse2 "xsimd::sse2")
    set(MARKETLEARN_SIMD_FLAGS_sse2 "")

    # The per-arch flags are x86-64 GCC/Clang flags; elsewhere the target keeps the
    # header-only path (the compile-time best arch), which is correct, just not dispatched.
    if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$"
       OR NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        message(STATUS "marketlearn: no runtime SIMD dispatch for ${target} on "
                       "${CMAKE_SYSTEM_PROCESSOR}/${CMAKE_CXX_COMPILER_ID}")
        return()
    endif()

    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/marketlearn_simd/${target}")
    set(have_defines "")
    foreach(level IN LISTS MARKETLEARN_SIMD_LEVELS)
        set(MARKETLEARN_SIMD_LEVEL "${level}")
        set(MARKETLEARN_SIMD_ARCH "${MARKETLEARN_SIMD_ARCH_${level}}")
        set(MARKETLEARN_SIMD_FLAGS "${MARKETLEARN_SIMD_FLAGS_${level}}")
        set(unit "${out_dir}/simd_${level}.cpp")
        configure_file("${_MARKETLEARN_SIMD_TEMPLATE_DIR}/simd_unit.cpp.in" "${unit}" @ONLY)
        target_sources(${target} PRIVATE "${unit}")
        if(level STREQUAL "avx512" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
            # GCC 12 warns "__Y may be used uninitialized" inside its own avx512fintrin.h
            # (GCC bug 105593): noise from a system header, not from our code.
            list(APPEND MARKETLEARN_SIMD_FLAGS -Wno-maybe-uninitialized -Wno-uninitialized)
        endif()
        if(MARKETLEARN_SIMD_FLAGS)
            set_source_files_properties("${unit}" PROPERTIES
                COMPILE_OPTIONS "${MARKETLEARN_SIMD_FLAGS}")
        endif()
        string(TOUPPER "${level}" LEVEL_UPPER)
        string(APPEND have_defines "#define MARKETLEARN_SIMD_HAVE_${LEVEL_UPPER} 1\n")
    endforeach()

    set(MARKETLEARN_SIMD_HAVE_DEFINES "${have_defines}")
    configure_file("${_MARKETLEARN_SIMD_TEMPLATE_DIR}/simd_dispatch.cpp.in"
                   "${out_dir}/simd_dispatch.cpp" @ONLY)
    target_sources(${target} PRIVATE "${out_dir}/simd_dispatch.cpp")
    target_compile_definitions(${target} PRIVATE MARKETLEARN_RUNTIME_DISPATCH)
endfunction()
