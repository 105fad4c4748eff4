// Linear models: fit_logistic_regression and linear_decision_function, one overload per
// element type (float32, float64) so the caller's dtype is kept end to end.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/models/logistic_regression.hpp"

namespace marketlearn::python {

namespace {

/// The C++ layer reads X as dense n_rows x n_cols. Eigen::Ref accepts any outer stride
/// (e.g. X[::2]), so insist on packed rows here rather than copy.
template <class T>
void require_packed_rows(const MatrixView<T>& X, const char* name) {
    require(X.rows() <= 1 || X.outerStride() == X.cols(), name,
            " must be C-contiguous (packed rows); got a row stride of ", X.outerStride(),
            " elements for ", X.cols(), " columns");
}

models::Solver parse_solver(const std::string& solver) {
    if (solver == "lbfgs") return models::Solver::lbfgs;
    if (solver == "gd") return models::Solver::gd;
    if (solver == "sgd") return models::Solver::sgd;
    throw_invalid_argument("solver='", solver, "' is not one of 'lbfgs', 'gd', 'sgd'");
}

models::LearningRate parse_learning_rate(const std::string& rate) {
    if (rate == "constant") return models::LearningRate::constant;
    if (rate == "invscaling") return models::LearningRate::invscaling;
    throw_invalid_argument("learning_rate='", rate, "' is not one of 'constant', 'invscaling'");
}

/// A stable token per stop reason, for code to test; describe() gives the sentence.
const char* stop_reason_token(optim::StopReason reason) {
    switch (reason) {
        case optim::StopReason::converged_tol: return "converged_tol";
        case optim::StopReason::converged_gradient: return "converged_gradient";
        case optim::StopReason::max_iter: return "max_iter";
        case optim::StopReason::callback: return "callback";
        case optim::StopReason::line_search_failed: return "line_search_failed";
    }
    return "unknown";
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& values) {
    return py::array_t<T>(static_cast<py::ssize_t>(values.size()), values.data());
}

template <class T>
py::dict fit_logistic_regression(const MatrixView<T>& X, const VectorView<T>& y,
                                 const std::optional<VectorView<T>>& sample_weight, double alpha,
                                 bool fit_intercept, const std::string& solver,
                                 std::size_t max_iter, std::optional<double> tol,
                                 std::size_t n_iter_no_change, std::size_t batch_size,
                                 const std::string& learning_rate, double eta0, double power_t,
                                 bool shuffle, std::uint64_t random_state,
                                 const std::optional<Vector<T>>& coef_init,
                                 std::optional<double> intercept_init, bool check_input) {
    require_packed_rows<T>(X, "X");
    const auto n_rows = static_cast<std::size_t>(X.rows());
    const auto n_cols = static_cast<std::size_t>(X.cols());
    require(static_cast<std::size_t>(y.size()) == n_rows, "y has ", y.size(),
            " entries but X has ", n_rows, " rows");
    if (sample_weight) {
        require(static_cast<std::size_t>(sample_weight->size()) == n_rows, "sample_weight has ",
                sample_weight->size(), " entries but X has ", n_rows, " rows");
    }

    models::LogisticRegressionOptions<T> options;
    options.alpha = static_cast<T>(alpha);
    options.fit_intercept = fit_intercept;
    options.solver = parse_solver(solver);
    options.max_iter = max_iter;
    options.tol = tol ? static_cast<T>(*tol) : T(0);  // tol=None: no tolerance stop
    options.n_iter_no_change = n_iter_no_change;
    options.batch_size = batch_size;
    options.learning_rate = parse_learning_rate(learning_rate);
    options.eta0 = static_cast<T>(eta0);
    options.power_t = static_cast<T>(power_t);
    options.shuffle = shuffle;
    options.random_state = random_state;
    options.check_input = check_input;

    std::optional<models::LinearModel<T>> warm;
    if (coef_init || intercept_init) {
        warm.emplace();
        if (coef_init) {
            require(static_cast<std::size_t>(coef_init->size()) == n_cols, "coef_init has ",
                    coef_init->size(), " entries but X has ", n_cols, " columns");
            warm->coef.assign(coef_init->data(), coef_init->data() + coef_init->size());
        } else {
            warm->coef.assign(n_cols, T(0));
        }
        warm->intercept = intercept_init ? static_cast<T>(*intercept_init) : T(0);
    }

    const T* sw = sample_weight ? sample_weight->data() : nullptr;
    models::LogisticRegressionFit<T> fit;
    {
        py::gil_scoped_release release;
        fit = models::fit_logistic_regression<T>(X.data(), n_rows, n_cols, y.data(), sw, options,
                                                 warm ? &*warm : nullptr);
    }

    py::dict out;
    out["coef"] = to_numpy(fit.model.coef);
    out["intercept"] = static_cast<double>(fit.model.intercept);
    out["n_iter"] = fit.result.iterations;
    out["loss_curve"] = to_numpy(fit.loss_curve);
    out["converged"] = fit.result.converged;
    out["stop_reason"] = stop_reason_token(fit.result.reason);
    out["stop_message"] = optim::describe(fit.result.reason);
    out["objective"] = static_cast<double>(fit.result.objective);
    return out;
}

template <class T>
py::array_t<T> linear_decision_function(const MatrixView<T>& X, const VectorView<T>& coef,
                                        double intercept) {
    require_packed_rows<T>(X, "X");
    require(coef.size() == X.cols(), "coef has ", coef.size(), " entries but X has ", X.cols(),
            " columns");
    models::LinearModel<T> model;
    model.coef.assign(coef.data(), coef.data() + coef.size());
    model.intercept = static_cast<T>(intercept);
    py::array_t<T> out(static_cast<py::ssize_t>(X.rows()));
    T* out_data = out.mutable_data();
    {
        py::gil_scoped_release release;
        model.decision_function(X.data(), static_cast<std::size_t>(X.rows()), out_data);
    }
    return out;
}

template <class T>
void def_for_type(py::module_& m, const char* fit_doc, const char* decision_doc) {
    using namespace pybind11::literals;
    m.def("fit_logistic_regression", &fit_logistic_regression<T>, py::arg("X").noconvert(),
          py::arg("y").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
          py::kw_only(), "alpha"_a = 1e-4, "fit_intercept"_a = true, "solver"_a = "lbfgs",
          "max_iter"_a = 1000, "tol"_a = 1e-4, "n_iter_no_change"_a = 5, "batch_size"_a = 1,
          "learning_rate"_a = "constant", "eta0"_a = 0.1, "power_t"_a = 0.5, "shuffle"_a = true,
          "random_state"_a = 0, "coef_init"_a = py::none(), "intercept_init"_a = py::none(),
          "check_input"_a = true, fit_doc);
    m.def("linear_decision_function", &linear_decision_function<T>, py::arg("X").noconvert(),
          py::arg("coef").noconvert(), py::arg("intercept"), decision_doc);
}

}  // namespace

void bind_linear(py::module_& m) {
    static const char* fit_doc = R"pbdoc(
        Fit an L2-regularized binary logistic regression.

        Minimizes ``sum_i w_i log(1 + exp(-s_i z_i)) / sum_i w_i + alpha/2 ||coef||^2``
        with ``z_i = X_i . coef + intercept`` and ``s_i = 2 y_i - 1``; the intercept is
        not penalized. Equals scikit-learn's ``LogisticRegression(C=1/(alpha*sum(w)))``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
            Not copied. A wrong dtype or layout raises TypeError.
        y : ndarray of shape (n_samples,), same dtype as X, values exactly 0 or 1
        sample_weight : ndarray of shape (n_samples,), same dtype as X, or None
        alpha, fit_intercept, solver ("lbfgs", "gd", "sgd"), max_iter, tol (None: no
        tolerance stop), n_iter_no_change, batch_size, learning_rate ("constant",
        "invscaling"), eta0, power_t, shuffle, random_state (unsigned integer seed):
            as in :class:`marketlearn.ChurnClassifier`.
        coef_init : ndarray of shape (n_features,) or None
            Starting coefficients (warm start); zeros if None.
        intercept_init : float or None
            Starting intercept; 0 if None.
        check_input : bool, default True
            Check that X and sample_weight are finite, weights >= 0 and y in {0, 1}
            (one extra pass over X). Callers that validated already pass False.

        Returns
        -------
        dict
            ``coef`` (ndarray, dtype of X), ``intercept`` (float), ``n_iter`` (int),
            ``loss_curve`` (ndarray: objective after each iteration/epoch),
            ``converged`` (bool), ``stop_reason`` (one of ``"converged_tol"``,
            ``"converged_gradient"``, ``"max_iter"``, ``"callback"``,
            ``"line_search_failed"``), ``stop_message`` (the same as a sentence),
            ``objective`` (float).

        The GIL is released while fitting.
    )pbdoc";
    static const char* decision_doc = R"pbdoc(
        Linear scores ``X @ coef + intercept`` with the SIMD kernels.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
        coef : ndarray of shape (n_features,), same dtype as X
        intercept : float

        Returns
        -------
        ndarray of shape (n_samples,), dtype of X.

        The GIL is released while computing.
    )pbdoc";
    // float32 first: with noconvert arguments, each overload only accepts its own dtype.
    def_for_type<float>(m, fit_doc, decision_doc);
    def_for_type<double>(m, fit_doc, decision_doc);
}

}  // namespace marketlearn::python
