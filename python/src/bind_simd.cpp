// simd_info(): which kernel set this process runs, and why.

#include <pybind11/stl.h>

#include <cstdlib>

#include "bindings.hpp"
#include "marketlearn/simd/dispatch.hpp"

namespace marketlearn::python {

namespace {

py::dict simd_info() {
    // active_level() reads MARKETLEARN_SIMD once; an unknown value throws
    // marketlearn::invalid_argument (ValueError) here and on every later call.
    const simd::level active = simd::active_level();
    py::list available;
    for (simd::level l : simd::available_levels()) available.append(simd::name(l));
    py::dict info;
    info["arch"] = simd::name(active);
    info["xsimd_arch"] = simd::xsimd_arch_name(active);
    info["available"] = available;
    const char* forced = std::getenv("MARKETLEARN_SIMD");
    info["forced"] = (forced != nullptr && *forced != '\0') ? py::object(py::str(forced))
                                                           : py::object(py::none());
    return info;
}

}  // namespace

void bind_simd(py::module_& m) {
    m.def("simd_info", &simd_info, R"pbdoc(
        The SIMD kernel set in use.

        Returns
        -------
        dict
            ``arch``: active level (``"avx512"``, ``"avx2"`` or ``"sse2"``);
            ``xsimd_arch``: the xsimd architecture implementing it (``"avx512bw"``,
            ``"fma3<avx2>"``, ``"sse2"``); ``available``: levels this binary and CPU
            support, best first; ``forced``: the value of the environment variable
            ``MARKETLEARN_SIMD`` or None.

        The level is chosen once per process, at first use: the best available one,
        lowered by ``MARKETLEARN_SIMD=sse2|avx2|avx512`` if set.

        Raises
        ------
        ValueError
            If ``MARKETLEARN_SIMD`` holds an unknown level.
    )pbdoc");
}

}  // namespace marketlearn::python
