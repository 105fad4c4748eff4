#pragma once
// Shared declarations of the marketlearn._core translation units: one topic per file,
// each adding its functions to the module in its own bind_* function.

#include <pybind11/pybind11.h>

#include <Eigen/Core>

namespace marketlearn::python {

namespace py = pybind11;

/// Row-major dense matrix: numpy's C order, so a C-contiguous array maps without a copy.
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// Zero-copy views; bound with .noconvert() so a wrong dtype or layout is a TypeError
/// instead of a silent copy of the caller's data.
template <class T>
using MatrixView = Eigen::Ref<const RowMatrix<T>>;
template <class T>
using VectorView = Eigen::Ref<const Vector<T>>;
/// Contiguous integer array (CSR indices / indptr: int32 or int64).
template <class I>
using IndexView = Eigen::Ref<const Eigen::Matrix<I, Eigen::Dynamic, 1>>;

void bind_simd(py::module_& m);
void bind_linear(py::module_& m);
void bind_kmeans(py::module_& m);
void bind_clv(py::module_& m);
void bind_io(py::module_& m);

}  // namespace marketlearn::python
