// Model files through the C++ reader: load_model_predict runs marketlearn::io::load_model
// and predicts, so the Python tests check the very code path a C++ server uses against
// the Python estimators' own predictions.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <cstdint>
#include <optional>
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

/// A vector argument of load_model_file_predict, required for the file's family.
const VectorView<double>& needed(const std::optional<VectorView<double>>& v, const char* name,
                                 const std::string& family) {
    require(v.has_value(), name, " is required to predict with a '", family, "' model file");
    return *v;
}

void require_length(const VectorView<double>& v, const char* name, Eigen::Index n) {
    require(v.size() == n, name, " has ", v.size(), " entries but frequency has ", n);
}

py::dict load_model_file_predict(const std::string& path, const std::optional<MatrixView<double>>& X,
                                 const std::optional<VectorView<double>>& t,
                                 const std::optional<VectorView<double>>& frequency,
                                 const std::optional<VectorView<double>>& recency,
                                 const std::optional<VectorView<double>>& T,
                                 const std::optional<VectorView<double>>& monetary_value) {
    io::ModelFile file;
    {
        py::gil_scoped_release release;
        file = io::load_model_file(path);
    }
    py::dict out;
    out["family"] = file.family;
    out["version"] = file.version;
    if (file.family == "linear") {
        require(X.has_value(), "X is required to predict with a 'linear' model file");
        py::dict linear = load_model_predict(path, *X);
        for (auto item : linear) out[item.first] = item.second;
    } else if (file.family == "kmeans") {
        require(X.has_value(), "X is required to predict with a 'kmeans' model file");
        const MatrixView<double>& x = *X;
        require(x.rows() <= 1 || x.outerStride() == x.cols(), "X must be C-contiguous (packed rows)");
        const io::KMeansModelFile& model = file.kmeans();
        require(static_cast<std::size_t>(x.cols()) == model.n_features, "X has ", x.cols(),
                " features, but the model was fitted with ", model.n_features);
        py::array_t<std::int32_t> labels(x.rows());
        std::int32_t* data = labels.mutable_data();
        {
            py::gil_scoped_release release;
            model.predict(x.data(), static_cast<std::size_t>(x.rows()), data);
        }
        out["estimator"] = model.estimator;
        out["dtype"] = model.dtype;
        out["feature_names"] = model.feature_names;
        out["labels"] = labels;
    } else if (file.family == "bgnbd") {
        const auto& f = needed(frequency, "frequency", file.family);
        const auto& r = needed(recency, "recency", file.family);
        const auto& age = needed(T, "T", file.family);
        const auto& h = needed(t, "t", file.family);
        const Eigen::Index n = f.size();
        require_length(r, "recency", n);
        require_length(age, "T", n);
        require_length(h, "t", n);
        py::array_t<double> expected(n), alive(n);
        double* e = expected.mutable_data();
        double* a = alive.mutable_data();
        const io::BetaGeoModelFile& model = file.bgnbd();
        {
            py::gil_scoped_release release;
            const auto size = static_cast<std::size_t>(n);
            model.conditional_expected_purchases(h.data(), f.data(), r.data(), age.data(), size, e);
            model.probability_alive(f.data(), r.data(), age.data(), size, a);
        }
        out["estimator"] = model.estimator;
        out["expected_purchases"] = expected;
        out["probability_alive"] = alive;
    } else {
        const auto& f = needed(frequency, "frequency", file.family);
        const auto& m = needed(monetary_value, "monetary_value", file.family);
        require_length(m, "monetary_value", f.size());
        py::array_t<double> spend(f.size());
        double* s = spend.mutable_data();
        const io::GammaGammaModelFile& model = file.gamma_gamma();
        {
            py::gil_scoped_release release;
            model.expected_average_profit(f.data(), m.data(), static_cast<std::size_t>(f.size()), s);
        }
        out["estimator"] = model.estimator;
        out["expected_average_profit"] = spend;
    }
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

    m.def("load_model_file_predict", &load_model_file_predict, py::arg("path"), py::kw_only(),
          py::arg("X").noconvert() = py::none(), py::arg("t").noconvert() = py::none(),
          py::arg("frequency").noconvert() = py::none(), py::arg("recency").noconvert() = py::none(),
          py::arg("T").noconvert() = py::none(), py::arg("monetary_value").noconvert() = py::none(),
          R"pbdoc(
        Read a model file of any family with the C++ reader (marketlearn::io::load_model_file)
        and predict: for tests that the C++ side serves what Python predicts.

        linear: X (as load_model_predict); kmeans: X -> ``labels``; bgnbd: t, frequency,
        recency, T -> ``expected_purchases``, ``probability_alive``; gamma_gamma:
        frequency, monetary_value -> ``expected_average_profit``. All float64 (X
        C-contiguous). The dict also holds ``family`` and ``version``.
    )pbdoc");
}

}  // namespace marketlearn::python
