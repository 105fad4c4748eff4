// Linear models: fit_linear (any loss, penalty, optimizer, schedule) and
// linear_decision_function, for dense and CSR input, one overload per element type
// (float32, float64) and CSR index type (int32, int64) so the caller's dtypes are kept.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear.hpp"

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

simd::loss_kind parse_loss(const std::string& loss) {
    if (loss == "log_loss") return simd::loss_kind::logistic;
    if (loss == "hinge") return simd::loss_kind::hinge;
    if (loss == "modified_huber") return simd::loss_kind::modified_huber;
    if (loss == "squared_error") return simd::loss_kind::squared_error;
    if (loss == "huber") return simd::loss_kind::huber;
    if (loss == "poisson") return simd::loss_kind::poisson;
    if (loss == "gamma") return simd::loss_kind::gamma;
    if (loss == "tweedie") return simd::loss_kind::tweedie;
    throw_invalid_argument("loss='", loss,
                           "' is not one of 'log_loss', 'hinge', 'modified_huber', "
                           "'squared_error', 'huber', 'poisson', 'gamma', 'tweedie'");
}

models::Optimizer parse_optimizer(const std::string& name) {
    using models::Optimizer;
    if (name == "gd") return Optimizer::gd;
    if (name == "sgd") return Optimizer::sgd;
    if (name == "momentum") return Optimizer::momentum;
    if (name == "nesterov") return Optimizer::nesterov;
    if (name == "adagrad") return Optimizer::adagrad;
    if (name == "rmsprop") return Optimizer::rmsprop;
    if (name == "adam") return Optimizer::adam;
    if (name == "adamw") return Optimizer::adamw;
    if (name == "lbfgs") return Optimizer::lbfgs;
    throw_invalid_argument("optimizer='", name,
                           "' is not one of 'gd', 'sgd', 'momentum', 'nesterov', 'adagrad', "
                           "'rmsprop', 'adam', 'adamw', 'lbfgs'");
}

optim::ScheduleKind parse_schedule(const std::string& name) {
    using optim::ScheduleKind;
    if (name == "constant") return ScheduleKind::constant;
    if (name == "invscaling") return ScheduleKind::invscaling;
    if (name == "optimal") return ScheduleKind::optimal;
    if (name == "adaptive") return ScheduleKind::adaptive;
    if (name == "exponential") return ScheduleKind::exponential;
    if (name == "step") return ScheduleKind::step;
    if (name == "cosine") return ScheduleKind::cosine;
    throw_invalid_argument("learning_rate='", name,
                           "' is not one of 'constant', 'invscaling', 'optimal', 'adaptive', "
                           "'exponential', 'step', 'cosine'");
}

/// A stable token per stop reason, for code to test; describe() gives the sentence.
const char* stop_reason_token(optim::StopReason reason) {
    switch (reason) {
        case optim::StopReason::converged_tol: return "converged_tol";
        case optim::StopReason::converged_gradient: return "converged_gradient";
        case optim::StopReason::max_iter: return "max_iter";
        case optim::StopReason::callback: return "callback";
        case optim::StopReason::line_search_failed: return "line_search_failed";
        case optim::StopReason::not_decreasing: return "not_decreasing";
    }
    return "unknown";
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& values) {
    return py::array_t<T>(static_cast<py::ssize_t>(values.size()), values.data());
}

/// The optimizer's end-of-epoch hook, bridged to Python. The fit runs without the GIL;
/// this is the only place that takes it back: to call the user's
/// `callback(epoch, objective, coef)` (coef: a fresh array of the n_features
/// coefficients; a truthy return stops the run) and, a few times a second, to let Ctrl-C
/// (or any pending signal handler's exception) stop a long fit.
///
/// A Python exception cannot cross the C++ optimizer: it is stored, the run is stopped,
/// and the binding re-raises it after the fit returns.
template <class T>
class PythonEpochHook {
public:
    PythonEpochHook(py::object fn, std::size_t n_features)
        : fn_(std::move(fn)), n_features_(n_features), last_signal_check_(Clock::now()) {}
    // Holds Python references: must never be copied by the optimizer, which runs without
    // the GIL. Callbacks are passed by reference throughout; this makes sure of it.
    PythonEpochHook(const PythonEpochHook&) = delete;
    PythonEpochHook& operator=(const PythonEpochHook&) = delete;

    template <class V>
    bool end_epoch(std::size_t epoch, T objective, const V& w) {
        const bool has_fn = !fn_.is_none();
        const auto now = Clock::now();
        const bool check_signals = now - last_signal_check_ >= signal_interval;
        if (!has_fn && !check_signals) return false;
        py::gil_scoped_acquire gil;
        try {
            if (check_signals) {
                last_signal_check_ = now;
                if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
            if (!has_fn) return false;
            py::array_t<T> coef(static_cast<py::ssize_t>(n_features_), w.data());
            py::object answer = fn_(epoch, static_cast<double>(objective), std::move(coef));
            return !answer.is_none() && PyObject_IsTrue(answer.ptr()) == 1;
        } catch (py::error_already_set& e) {
            error_.emplace(std::move(e));
            return true;
        }
    }

    /// Re-raises a Python exception caught during the run (call with the GIL held).
    void rethrow_if_failed() {
        if (error_) {
            py::error_already_set e = std::move(*error_);
            error_.reset();
            throw e;
        }
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds signal_interval{200};

    py::object fn_;
    std::size_t n_features_;
    Clock::time_point last_signal_check_;
    std::optional<py::error_already_set> error_;
};

/// Everything of a fit request except the data: parsed once, for dense and CSR input.
template <class T>
struct FitRequest {
    models::LinearFitOptions<T> options;
    std::optional<Vector<T>> coef_init;
    std::optional<double> intercept_init;
    py::object callback;
};

/// The option parameters shared by fit_linear and fit_linear_csr, in the order of
/// def_fit's keyword arguments.
template <class T>
FitRequest<T> parse_fit_request(const std::string& loss, double alpha, double l1_ratio,
                                bool fit_intercept, const std::string& optimizer,
                                std::size_t batch_size, const std::string& learning_rate,
                                double eta0, double power_t, double momentum, double beta1,
                                double beta2, std::optional<double> clip_norm,
                                std::optional<double> clip_value, std::size_t max_iter,
                                std::optional<double> tol, std::optional<double> gradient_tol,
                                std::size_t n_iter_no_change, bool early_stopping,
                                double validation_fraction, bool shuffle,
                                std::uint64_t random_state, int n_jobs, std::size_t initial_t,
                                double epsilon, double power, std::optional<Vector<T>> coef_init,
                                std::optional<double> intercept_init, py::object callback,
                                bool check_input) {
    require(callback.is_none() || PyCallable_Check(callback.ptr()) == 1,
            "callback must be callable or None");
    FitRequest<T> r;
    models::LinearFitOptions<T>& o = r.options;
    o.loss = parse_loss(loss);
    o.loss_params.epsilon = static_cast<T>(epsilon);
    o.loss_params.power = static_cast<T>(power);
    o.alpha = static_cast<T>(alpha);
    o.l1_ratio = static_cast<T>(l1_ratio);
    o.fit_intercept = fit_intercept;
    o.optimizer = parse_optimizer(optimizer);
    o.batch_size = batch_size;
    o.schedule.kind = parse_schedule(learning_rate);
    o.schedule.eta0 = static_cast<T>(eta0);
    o.schedule.power_t = static_cast<T>(power_t);
    o.momentum = static_cast<T>(momentum);
    o.beta1 = static_cast<T>(beta1);
    o.beta2 = static_cast<T>(beta2);
    o.clip_norm = clip_norm ? static_cast<T>(*clip_norm) : T(0);
    o.clip_value = clip_value ? static_cast<T>(*clip_value) : T(0);
    o.max_iter = max_iter;
    o.tol = tol ? static_cast<T>(*tol) : T(0);  // tol=None: no tolerance stop
    o.gradient_tol = gradient_tol ? static_cast<T>(*gradient_tol) : T(0);
    o.n_iter_no_change = n_iter_no_change;
    o.early_stopping = early_stopping;
    o.validation_fraction = static_cast<T>(validation_fraction);
    o.shuffle = shuffle;
    o.random_state = random_state;
    o.n_jobs = n_jobs;
    o.check_input = check_input;
    o.initial_t = initial_t;
    r.coef_init = std::move(coef_init);
    r.intercept_init = intercept_init;
    r.callback = std::move(callback);
    return r;
}

/// A pybind11-bindable function `(front..., options...)` that parses the options with
/// parse_fit_request<T> and hands `(front..., request)` to `body`: the option parameter
/// list is written once (parse_fit_request) for every input layout.
template <class... Front>
struct WithFitOptions {
    template <class T, class... Options, class Body>
    static auto make(FitRequest<T> (*parse)(Options...), Body body) {
        return [parse, body](Front... front, Options... options) -> py::dict {
            return body(front..., parse(std::move(options)...));
        };
    }
};

/// Runs `fit_fn(options, warm_start, hook)` without the GIL, with the request's warm
/// start and callback, and returns the result dict. Shared by every input layout.
template <class T, class FitFn>
py::dict run_fit(FitRequest<T>& request, std::size_t n_rows, std::size_t n_cols,
                 std::size_t y_size, std::optional<std::size_t> sw_size, FitFn fit_fn) {
    require(y_size == n_rows, "y has ", y_size, " entries but X has ", n_rows, " rows");
    if (sw_size) {
        require(*sw_size == n_rows, "sample_weight has ", *sw_size, " entries but X has ",
                n_rows, " rows");
    }
    std::optional<models::LinearModel<T>> warm;
    if (request.coef_init || request.intercept_init) {
        warm.emplace();
        if (request.coef_init) {
            const auto& c = *request.coef_init;
            require(static_cast<std::size_t>(c.size()) == n_cols, "coef_init has ", c.size(),
                    " entries but X has ", n_cols, " columns");
            warm->coef.assign(c.data(), c.data() + c.size());
        } else {
            warm->coef.assign(n_cols, T(0));
        }
        warm->intercept = request.intercept_init ? static_cast<T>(*request.intercept_init) : T(0);
    }

    PythonEpochHook<T> hook(std::move(request.callback), n_cols);
    models::LinearFit<T> fit;
    try {
        py::gil_scoped_release release;
        fit = fit_fn(request.options, warm ? &*warm : nullptr, hook);
    } catch (...) {
        // An exception in the callback stopped the run; it explains any error that
        // followed better than the error does.
        hook.rethrow_if_failed();
        throw;
    }
    hook.rethrow_if_failed();

    py::dict out;
    out["coef"] = to_numpy(fit.model.coef);
    out["intercept"] = static_cast<double>(fit.model.intercept);
    out["n_iter"] = fit.result.iterations;
    out["updates"] = fit.result.updates;
    out["loss_curve"] = to_numpy(fit.loss_curve);
    out["validation_scores"] = to_numpy(fit.validation_scores);
    out["converged"] = fit.result.converged;
    out["stop_reason"] = stop_reason_token(fit.result.reason);
    out["stop_message"] = optim::describe(fit.result.reason);
    out["objective"] = static_cast<double>(fit.result.objective);
    return out;
}

template <class T>
py::dict fit_linear(const MatrixView<T>& X, const VectorView<T>& y,
                    const std::optional<VectorView<T>>& sample_weight, FitRequest<T> request) {
    require_packed_rows<T>(X, "X");
    const auto n_rows = static_cast<std::size_t>(X.rows());
    const auto n_cols = static_cast<std::size_t>(X.cols());
    const T* sw = sample_weight ? sample_weight->data() : nullptr;
    std::optional<std::size_t> sw_size;
    if (sample_weight) sw_size = static_cast<std::size_t>(sample_weight->size());
    return run_fit<T>(request, n_rows, n_cols, static_cast<std::size_t>(y.size()), sw_size,
                      [&](const models::LinearFitOptions<T>& o,
                          const models::LinearModel<T>* warm, PythonEpochHook<T>& hook) {
                          return models::fit_linear<T>(X.data(), n_rows, n_cols, y.data(), sw,
                                                       o, warm, hook);
                      });
}

/// Checks the CSR structure so the kernels never read out of bounds (O(nnz); the
/// values' finiteness is the caller's check_input business).
template <class I>
void require_csr_structure(const IndexView<I>& indices, const IndexView<I>& indptr,
                           std::size_t n_cols) {
    require(indptr.size() >= 1, "indptr must have n_rows + 1 >= 1 entries");
    const auto n_rows = static_cast<std::size_t>(indptr.size() - 1);
    require(indptr[0] == 0, "CSR indptr[0]=", indptr[0], " must be 0");
    for (std::size_t r = 0; r < n_rows; ++r) {
        require(indptr[r + 1] >= indptr[r], "CSR indptr must be non-decreasing (row ", r, ")");
    }
    require(static_cast<std::size_t>(indptr[n_rows]) <= static_cast<std::size_t>(indices.size()),
            "CSR indptr[-1]=", indptr[n_rows], " exceeds the ", indices.size(), " stored indices");
    const auto nnz = static_cast<std::size_t>(indptr[n_rows]);
    for (std::size_t j = 0; j < nnz; ++j) {
        require(indices[j] >= 0 && static_cast<std::size_t>(indices[j]) < n_cols,
                "CSR column index ", indices[j], " is outside [0, ", n_cols, ")");
    }
}

template <class T, class I>
py::dict fit_linear_csr(const VectorView<T>& data, const IndexView<I>& indices,
                        const IndexView<I>& indptr, std::size_t n_cols, const VectorView<T>& y,
                        const std::optional<VectorView<T>>& sample_weight,
                        FitRequest<T> request) {
    require(n_cols > 0, "X has 0 columns (n_features=0); at least one is required");
    require(data.size() == indices.size(), "data has ", data.size(), " entries but indices has ",
            indices.size());
    const auto n_rows = static_cast<std::size_t>(std::max<Eigen::Index>(indptr.size() - 1, 0));
    const T* sw = sample_weight ? sample_weight->data() : nullptr;
    std::optional<std::size_t> sw_size;
    if (sample_weight) sw_size = static_cast<std::size_t>(sample_weight->size());
    return run_fit<T>(request, n_rows, n_cols, static_cast<std::size_t>(y.size()), sw_size,
                      [&](const models::LinearFitOptions<T>& o,
                          const models::LinearModel<T>* warm, PythonEpochHook<T>& hook) {
                          require_csr_structure<I>(indices, indptr, n_cols);
                          return models::fit_linear_csr<T, I>(data.data(), indices.data(),
                                                              indptr.data(), n_rows, n_cols,
                                                              y.data(), sw, o, warm, hook);
                      });
}

/// The model of one row of coef_ and its intercept, for prediction on n_cols columns.
template <class T>
models::LinearModel<T> linear_model_of(const VectorView<T>& coef, double intercept,
                                       std::size_t n_cols) {
    require(static_cast<std::size_t>(coef.size()) == n_cols, "coef has ", coef.size(),
            " entries but X has ", n_cols, " columns");
    models::LinearModel<T> model;
    model.coef.assign(coef.data(), coef.data() + coef.size());
    model.intercept = static_cast<T>(intercept);
    return model;
}

template <class T>
py::array_t<T> linear_decision_function(const MatrixView<T>& X, const VectorView<T>& coef,
                                        double intercept, int n_jobs) {
    require_packed_rows<T>(X, "X");
    const auto model = linear_model_of<T>(coef, intercept, static_cast<std::size_t>(X.cols()));
    py::array_t<T> out(static_cast<py::ssize_t>(X.rows()));
    T* out_data = out.mutable_data();
    {
        py::gil_scoped_release release;
        model.decision_function(X.data(), static_cast<std::size_t>(X.rows()), out_data,
                                resolve_n_jobs(n_jobs));
    }
    return out;
}

/// (proba, all_finite): the (n, 2) binary probabilities [sigma(-z), sigma(z)] of the
/// decision values z, computed in the same pass over X, and whether every z is finite.
template <class T>
py::tuple linear_predict_proba(const MatrixView<T>& X, const VectorView<T>& coef,
                               double intercept, int n_jobs) {
    require_packed_rows<T>(X, "X");
    const auto model = linear_model_of<T>(coef, intercept, static_cast<std::size_t>(X.cols()));
    py::array_t<T> out({static_cast<py::ssize_t>(X.rows()), py::ssize_t{2}});
    T* out_data = out.mutable_data();
    bool finite = true;
    {
        py::gil_scoped_release release;
        finite = model.predict_proba_pairs(X.data(), static_cast<std::size_t>(X.rows()),
                                           out_data, resolve_n_jobs(n_jobs));
    }
    return py::make_tuple(out, finite);
}

template <class T, class I>
py::array_t<T> linear_decision_function_csr(const VectorView<T>& data,
                                            const IndexView<I>& indices,
                                            const IndexView<I>& indptr, std::size_t n_cols,
                                            const VectorView<T>& coef, double intercept) {
    const auto model = linear_model_of<T>(coef, intercept, n_cols);
    require(data.size() == indices.size(), "data has ", data.size(), " entries but indices has ",
            indices.size());
    const auto n_rows = static_cast<std::size_t>(std::max<Eigen::Index>(indptr.size() - 1, 0));
    py::array_t<T> out(static_cast<py::ssize_t>(n_rows));
    T* out_data = out.mutable_data();
    {
        py::gil_scoped_release release;
        require_csr_structure<I>(indices, indptr, n_cols);
        model.decision_function_csr(data.data(), indices.data(), indptr.data(), n_rows, out_data);
    }
    return out;
}

/// Defines `name` with the front (data) arguments given, then the keyword-only options of
/// parse_fit_request, with their defaults: one list for every input layout.
template <class Fn, class... Front>
void def_fit(py::module_& m, const char* name, Fn&& fn, const char* doc, Front&&... front) {
    using namespace pybind11::literals;
    m.def(name, std::forward<Fn>(fn), std::forward<Front>(front)..., py::kw_only(),
          "loss"_a = "log_loss", "alpha"_a = 1e-4, "l1_ratio"_a = 0.0, "fit_intercept"_a = true,
          "optimizer"_a = "sgd", "batch_size"_a = 1, "learning_rate"_a = "optimal",
          "eta0"_a = 0.01, "power_t"_a = 0.5, "momentum"_a = 0.9, "beta1"_a = 0.9,
          "beta2"_a = 0.999, "clip_norm"_a = py::none(), "clip_value"_a = py::none(),
          "max_iter"_a = 1000, "tol"_a = 1e-3, "gradient_tol"_a = py::none(),
          "n_iter_no_change"_a = 5,
          "early_stopping"_a = false, "validation_fraction"_a = 0.1, "shuffle"_a = true,
          "random_state"_a = 0, "n_jobs"_a = 1, "initial_t"_a = 0, "epsilon"_a = 0.1,
          "power"_a = 1.5, "coef_init"_a.noconvert() = py::none(),
          "intercept_init"_a = py::none(), "callback"_a = py::none(), "check_input"_a = true,
          doc);
}

template <class T, class I>
void def_csr_for_types(py::module_& m, const char* fit_csr_doc, const char* decision_csr_doc) {
    using CsrFront = WithFitOptions<const VectorView<T>&, const IndexView<I>&,
                                    const IndexView<I>&, std::size_t, const VectorView<T>&,
                                    const std::optional<VectorView<T>>&>;
    def_fit(m, "fit_linear_csr", CsrFront::make(&parse_fit_request<T>, &fit_linear_csr<T, I>),
            fit_csr_doc, py::arg("data").noconvert(), py::arg("indices").noconvert(),
            py::arg("indptr").noconvert(), py::arg("n_features"), py::arg("y").noconvert(),
            py::arg("sample_weight").noconvert() = py::none());
    m.def("linear_decision_function_csr", &linear_decision_function_csr<T, I>,
          py::arg("data").noconvert(), py::arg("indices").noconvert(),
          py::arg("indptr").noconvert(), py::arg("n_features"), py::arg("coef").noconvert(),
          py::arg("intercept"), decision_csr_doc);
}

template <class T>
void def_for_type(py::module_& m, const char* fit_doc, const char* decision_doc,
                  const char* proba_doc, const char* fit_csr_doc,
                  const char* decision_csr_doc) {
    using DenseFront = WithFitOptions<const MatrixView<T>&, const VectorView<T>&,
                                      const std::optional<VectorView<T>>&>;
    def_fit(m, "fit_linear", DenseFront::make(&parse_fit_request<T>, &fit_linear<T>), fit_doc,
            py::arg("X").noconvert(), py::arg("y").noconvert(),
            py::arg("sample_weight").noconvert() = py::none());
    m.def("linear_decision_function", &linear_decision_function<T>, py::arg("X").noconvert(),
          py::arg("coef").noconvert(), py::arg("intercept"), py::arg("n_jobs") = 1,
          decision_doc);
    m.def("linear_predict_proba", &linear_predict_proba<T>, py::arg("X").noconvert(),
          py::arg("coef").noconvert(), py::arg("intercept"), py::arg("n_jobs") = 1,
          proba_doc);
    def_csr_for_types<T, std::int32_t>(m, fit_csr_doc, decision_csr_doc);
    def_csr_for_types<T, std::int64_t>(m, fit_csr_doc, decision_csr_doc);
}

}  // namespace

void bind_linear(py::module_& m) {
    static const char* fit_doc = R"pbdoc(
        Fit a linear model z = X . coef + intercept (models::fit_linear).

        Minimizes ``sum_i w_i loss(z_i, y_i) / sum_i w_i
        + alpha ((1 - l1_ratio)/2 ||coef||^2 + l1_ratio ||coef||_1)``; the intercept is
        not penalized. See docs/optimizers.md for the losses, optimizers and schedules.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
            Not copied. A wrong dtype or layout raises TypeError.
        y : ndarray of shape (n_samples,), same dtype as X
            -1/+1 for 'log_loss', 'hinge', 'modified_huber'; the target otherwise (>= 0 for
            'poisson' and 'tweedie', > 0 for 'gamma').
        sample_weight : ndarray of shape (n_samples,), same dtype as X, or None
        loss, alpha, l1_ratio, fit_intercept, optimizer, batch_size, learning_rate, eta0,
        power_t, momentum, beta1, beta2, clip_norm, clip_value (None: no clipping),
        max_iter, tol (None: no tolerance stop), n_iter_no_change, early_stopping,
        validation_fraction, shuffle, random_state (unsigned integer seed), n_jobs,
        epsilon (Huber), power (Tweedie):
            as in :class:`marketlearn.GDClassifier` / :class:`marketlearn.GDRegressor`,
            with every value explicit (no 'auto').
        gradient_tol : float or None
            'gd' only: also stop once the largest gradient entry is at most this (not with
            an L1 penalty). None: no gradient stop. ('lbfgs' reads ``tol`` this way.)
        initial_t : int
            Updates made by earlier runs (partial_fit): the learning-rate clock.
        coef_init : ndarray of shape (n_features,), same dtype as X, or None
            Starting coefficients (warm start); zeros if None.
        intercept_init : float or None
            Starting intercept; 0 if None.
        callback : callable or None
            ``callback(epoch, objective, coef)`` after every epoch (iteration for 'gd' and
            'lbfgs'); ``coef`` is a new array of shape (n_features,). A true return value
            stops the run; an exception stops it and is re-raised here.
        check_input : bool, default True
            Check that X, y and sample_weight hold valid values (one extra pass over X).
            Callers that validated already pass False.

        Returns
        -------
        dict
            ``coef`` (ndarray, dtype of X), ``intercept`` (float), ``n_iter`` (int),
            ``updates`` (int: the learning-rate clock at the end), ``loss_curve``
            (ndarray: objective after each epoch / iteration), ``validation_scores``
            (ndarray, empty without early_stopping), ``converged`` (bool),
            ``stop_reason`` (``"converged_tol"``, ``"converged_gradient"``, ``"max_iter"``,
            ``"callback"``, ``"line_search_failed"`` or ``"not_decreasing"``),
            ``stop_message`` (the same as a sentence), ``objective`` (float: exact, at
            the returned coefficients).

        Raises
        ------
        ValueError
            Invalid values, or a diverging run (the message names the learning rate).

        The GIL is released while fitting; it is taken back only to call ``callback``
        and, a few times a second, to let Ctrl-C interrupt the fit.
    )pbdoc";
    static const char* decision_doc = R"pbdoc(
        Linear scores ``X @ coef + intercept`` with the SIMD kernels.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
        coef : ndarray of shape (n_features,), same dtype as X
        intercept : float
        n_jobs : int, default 1
            Threads (-1: all cores); the result is bitwise the same for any value.

        Returns
        -------
        ndarray of shape (n_samples,), dtype of X.

        The GIL is released while computing.
    )pbdoc";
    static const char* proba_doc = R"pbdoc(
        Binary logistic probabilities of the linear scores z = ``X @ coef + intercept``,
        computed in the same pass over X (z is never stored).

        Parameters
        ----------
        X, coef, intercept, n_jobs : as in ``linear_decision_function``

        Returns
        -------
        (proba, all_finite)
            proba: C-contiguous ndarray of shape (n_samples, 2), dtype of X, rows
            ``[expit(-z), expit(z)]``, each column computed directly (no ``1 - p``).
            all_finite: whether every z is finite; False when a row of X holds NaN or
            infinity, so callers can leave the input check to that case.

        The GIL is released while computing.
    )pbdoc";
    static const char* fit_csr_doc = R"pbdoc(
        Fit a linear model on CSR data (models::fit_linear_csr): fit_linear's objective,
        options and result, with X given as scipy's CSR arrays and never densified.

        Parameters
        ----------
        data : ndarray of shape (nnz,), float32 or float64
        indices : ndarray of shape (nnz,), int32 or int64
            Column of each stored value; need not be sorted within a row, and duplicates
            add up (as scipy's arithmetic treats them).
        indptr : ndarray of shape (n_samples + 1,), same dtype as indices
        n_features : int
        y, sample_weight, and the keyword options: as in ``fit_linear`` (same dtype as
            data).

        The CSR structure (indptr monotone, column indices in range) is always checked,
        so the kernels never read out of bounds. The GIL is released while fitting.
    )pbdoc";
    static const char* decision_csr_doc = R"pbdoc(
        Linear scores ``X @ coef + intercept`` for CSR X (data, indices, indptr,
        n_features), with the sparse kernels; never densified. Returns an ndarray of shape
        (n_samples,) in the dtype of data. The GIL is released while computing.
    )pbdoc";
    // float32 first: with noconvert arguments, each overload only accepts its own dtype.
    def_for_type<float>(m, fit_doc, decision_doc, proba_doc, fit_csr_doc, decision_csr_doc);
    def_for_type<double>(m, fit_doc, decision_doc, proba_doc, fit_csr_doc, decision_csr_doc);
}

}  // namespace marketlearn::python
