// Model files through the C++ reader: load_model_predict runs marketlearn::io::load_model
// and predicts, so the Python tests check the very code path a C++ server uses against
// the Python estimators' own predictions.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/io/model_file.hpp"

namespace marketlearn::python {

namespace {

py::dict load_model_predict(const std::string& path, const MatrixView<double>& X) {
    require(X.rows() <= 1 || X.outerStride() == X.cols(), "X must be C-contiguous (packed rows)");
    io::LinearModelFile model;
    {
        py::gil_scoped_release release;
        model = io::load_model(path);
    }
    require(static_cast<std::size_t>(X.cols()) == model.n_features(), "X has ", X.cols(),
            " features, but the model was fitted with ", model.n_features());
    const auto n_rows = static_cast<std::size_t>(X.rows());
    const auto rows = static_cast<py::ssize_t>(n_rows);
    const auto outputs = static_cast<py::ssize_t>(model.n_outputs());
    const auto n_classes = static_cast<py::ssize_t>(model.classes.size());

    py::array_t<double> decision = outputs == 1 ? py::array_t<double>(rows)
                                                : py::array_t<double>({rows, outputs});
    py::array_t<double> proba({model.has_predict_proba() ? rows : 0, n_classes});
    py::array_t<double> predict(model.is_classifier() ? 0 : rows);
    std::vector<std::size_t> class_index;
    double* decision_data = decision.mutable_data();
    double* proba_data = proba.mutable_data();
    double* predict_data = predict.mutable_data();
    {
        py::gil_scoped_release release;
        model.decision_function(X.data(), n_rows, decision_data);
        if (model.has_predict_proba()) model.predict_proba(X.data(), n_rows, proba_data);
        if (model.is_classifier()) {
            class_index = model.predict_class_index(X.data(), n_rows);
        } else {
            model.predict(X.data(), n_rows, predict_data);
        }
    }

    py::dict out;
    out["estimator"] = model.estimator;
    out["loss"] = model.loss;
    out["link"] = std::string(io::link_name(model.link));
    out["dtype"] = model.dtype;
    out["classes"] = model.classes;
    out["feature_names"] = model.feature_names;
    out["decision_function"] = decision;
    out["predict_proba"] = model.has_predict_proba() ? py::object(proba) : py::none();
    out["predict"] = model.is_classifier() ? py::none() : py::object(predict);
    out["class_index"] = model.is_classifier()
                             ? py::object(py::array_t<std::size_t>(rows, class_index.data()))
                             : py::none();
    return out;
}

}  // namespace

void bind_io(py::module_& m) {
    m.def("load_model_predict", &load_model_predict, py::arg("path"), py::arg("X").noconvert(),
          R"pbdoc(
        Read a model file with the C++ reader (marketlearn::io::load_model) and predict.

        For tests and for checking that a file serves the same predictions from C++.

        Parameters
        ----------
        path : str
        X : ndarray of shape (n_samples, n_features), float64, C-contiguous

        Returns
        -------
        dict
            ``estimator``, ``loss``, ``link``, ``dtype``, ``classes`` (labels as text),
            ``feature_names``, ``decision_function`` (ndarray (n_samples,) or
            (n_samples, n_outputs)), ``predict_proba`` (ndarray or None), ``predict``
            (regressors: ndarray, else None), ``class_index`` (classifiers: index into
            ``classes`` of each prediction, else None).

        Raises ValueError for an invalid file (the C++ reader's message).
    )pbdoc");
}

}  // namespace marketlearn::python
