// marketlearn._core: the compiled layer under the Python estimators.
//
// Python validates and converts input once; this module only maps numpy arrays onto
// the C++ library without copying, releases the GIL, and turns results into numpy.

#include <pybind11/pybind11.h>

#include <exception>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"

#ifndef MARKETLEARN_VERSION
#define MARKETLEARN_VERSION "0.0.0+unknown"
#endif

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
    m.doc() = R"pbdoc(
        marketlearn._core
        -----------------

        Compiled core of marketlearn (pybind11 over the header-only C++17 library).
        Private: use the estimators in :mod:`marketlearn` instead. Functions take
        C-contiguous float32 or float64 arrays and never copy them; a wrong dtype or
        layout raises TypeError. Invalid values raise ValueError.

        .. autosummary::
           :toctree: _generate

           simd_info
           fit_linear
           linear_decision_function
           linear_predict_proba
           fit_kmeans
           fit_minibatch_kmeans
           partial_fit_minibatch_kmeans
           kmeans_assign
           kmeans_transform
           kmeans_plusplus
           fit_bgnbd
           fit_gamma_gamma
           fit_linear_csr
           linear_decision_function_csr
           load_model_predict
    )pbdoc";

    // The C++ library's one bad-input exception is Python's ValueError, with the same
    // message (it names the parameter and the value).
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const marketlearn::invalid_argument& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });

    marketlearn::python::bind_simd(m);
    marketlearn::python::bind_linear(m);
    marketlearn::python::bind_kmeans(m);
    marketlearn::python::bind_clv(m);
    marketlearn::python::bind_io(m);

    m.attr("__version__") = MARKETLEARN_VERSION;
}
