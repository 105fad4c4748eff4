# ctest script: the per-arch kernel units must define no weak (COMDAT) symbol that is not
# specific to their architecture. If one did, the linker could keep the AVX-512 copy of a
# shared inline function and call it from the sse2 path: SIGILL on an older CPU.
# Usage: cmake -DNM=<nm> -DOBJECTS=<objects...> -P check_simd_units.cmake
if(NOT NM)
    message(FATAL_ERROR "NM is not set")
endif()
set(checked 0)
foreach(object IN LISTS OBJECTS)
    if(NOT object MATCHES "simd_(avx512|avx2)\\.cpp\\.o(bj)?$")
        continue()
    endif()
    set(level "${CMAKE_MATCH_1}")
    if(level STREQUAL "avx512")
        set(arch_pattern "avx512")
    else()
        set(arch_pattern "avx2")
    endif()
    execute_process(COMMAND "${NM}" -C --defined-only "${object}"
                    OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${NM} failed on ${object}")
    endif()
    string(REPLACE "\n" ";" lines "${symbols}")
    foreach(line IN LISTS lines)
        # W/V: weak symbols; u: unique global (GNU). Skip the C++ runtime's personality ref.
        if(line MATCHES " [WVu] " AND NOT line MATCHES "${arch_pattern}"
           AND NOT line MATCHES "__gxx_personality")
            message(FATAL_ERROR "${object} defines a weak symbol that is not ${level}-specific, "
                                "so another arch could end up calling its ${level} code:\n${line}")
        endif()
    endforeach()
    math(EXPR checked "${checked} + 1")
endforeach()
if(checked EQUAL 0)
    message(FATAL_ERROR "no per-arch kernel object found among: ${OBJECTS}")
endif()
message(STATUS "${checked} per-arch kernel units define only arch-specific weak symbols")
