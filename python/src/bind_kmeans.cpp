// k-means: fit_kmeans, fit_minibatch_kmeans, partial_fit_minibatch_kmeans, kmeans_assign,
// kmeans_transform, kmeans_plusplus; one overload per element type (float32, float64).

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/models/kmeans.hpp"
#include "marketlearn/models/minibatch_kmeans.hpp"

namespace marketlearn::python {

namespace {

template <class T>
void require_packed(const MatrixView<T>& X, const char* name) {
    require(X.rows() <= 1 || X.outerStride() == X.cols(), name,
            " must be C-contiguous (packed rows); got a row stride of ", X.outerStride(),
            " elements for ", X.cols(), " columns");
}

template <class T>
const T* weights_or_null(const std::optional<VectorView<T>>& sample_weight, Eigen::Index n_rows) {
    if (!sample_weight) return nullptr;
    require(sample_weight->size() == n_rows, "sample_weight has ", sample_weight->size(),
            " entries but X has ", n_rows, " rows");
    return sample_weight->data();
}

/// Initial / fitted centres must be n_clusters x n_features.
template <class T>
const T* centres_or_null(const std::optional<MatrixView<T>>& centres, std::size_t k,
                         Eigen::Index n_cols, const char* name) {
    if (!centres) return nullptr;
    require_packed<T>(*centres, name);
    require(static_cast<std::size_t>(centres->rows()) == k && centres->cols() == n_cols, "The shape of ",
            name, " (", centres->rows(), ", ", centres->cols(), ") does not match n_clusters=", k,
            " and n_features=", n_cols);
    return centres->data();
}

models::KMeansAlgorithm parse_algorithm(const std::string& algorithm) {
    if (algorithm == "lloyd") return models::KMeansAlgorithm::lloyd;
    // scikit-learn's name for the bound-accelerated exact algorithm; marketlearn runs Hamerly's.
    if (algorithm == "elkan" || algorithm == "hamerly") return models::KMeansAlgorithm::hamerly;
    throw_invalid_argument("algorithm='", algorithm, "' is not one of 'lloyd', 'elkan', 'hamerly'");
}

models::KMeansInit parse_init(const std::string& init) {
    if (init == "k-means++") return models::KMeansInit::kmeans_plusplus;
    if (init == "random") return models::KMeansInit::random;
    throw_invalid_argument("init='", init, "' is not one of 'k-means++', 'random'");
}

template <class T>
py::array_t<T> matrix_to_numpy(const std::vector<T>& values, std::size_t rows, std::size_t cols) {
    py::array_t<T> out({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

template <class V>
py::array_t<typename V::value_type> vector_to_numpy(const V& values) {
    return py::array_t<typename V::value_type>(static_cast<py::ssize_t>(values.size()), values.data());
}

template <class T>
py::dict fit_kmeans(const MatrixView<T>& X, const std::optional<VectorView<T>>& sample_weight,
                    std::size_t n_clusters, const std::string& init,
                    const std::optional<MatrixView<T>>& init_centres, std::size_t n_init,
                    std::size_t max_iter, double tol, const std::string& algorithm,
                    std::uint64_t random_state, int n_jobs, bool check_input) {
    require_packed<T>(X, "X");
    const T* sw = weights_or_null<T>(sample_weight, X.rows());
    const T* c0 = centres_or_null<T>(init_centres, n_clusters, X.cols(), "init");
    models::KMeansOptions<T> o;
    o.n_clusters = n_clusters;
    o.init = parse_init(init);
    o.n_init = n_init;
    o.max_iter = max_iter;
    o.tol = tol;
    o.algorithm = parse_algorithm(algorithm);
    o.random_state = random_state;
    o.n_jobs = n_jobs;
    o.check_input = check_input;
    models::KMeansFit<T> fit;
    {
        py::gil_scoped_release release;
        fit = models::fit_kmeans<T>(X.data(), static_cast<std::size_t>(X.rows()),
                                    static_cast<std::size_t>(X.cols()), sw, o, c0);
    }
    py::dict out;
    out["centres"] = matrix_to_numpy(fit.centres, fit.n_clusters, fit.n_features);
    out["labels"] = vector_to_numpy(fit.labels);
    out["inertia"] = fit.inertia;
    out["n_iter"] = fit.n_iter;
    out["converged"] = fit.converged;
    return out;
}

template <class T>
py::tuple kmeans_assign(const MatrixView<T>& X, const MatrixView<T>& centres,
                        const std::optional<VectorView<T>>& sample_weight, int n_jobs) {
    require_packed<T>(X, "X");
    require_packed<T>(centres, "centres");
    require(centres.cols() == X.cols(), "X has ", X.cols(), " features but the centres have ",
            centres.cols());
    const T* sw = weights_or_null<T>(sample_weight, X.rows());
    py::array_t<std::int32_t> labels(X.rows());
    std::int32_t* out = labels.mutable_data();
    double inertia = 0;
    {
        py::gil_scoped_release release;
        inertia = models::kmeans_assign<T>(X.data(), static_cast<std::size_t>(X.rows()),
                                           static_cast<std::size_t>(X.cols()), sw, centres.data(),
                                           static_cast<std::size_t>(centres.rows()), out, n_jobs);
    }
    return py::make_tuple(labels, inertia);
}

template <class T>
py::array_t<T> kmeans_transform(const MatrixView<T>& X, const MatrixView<T>& centres, int n_jobs) {
    require_packed<T>(X, "X");
    require_packed<T>(centres, "centres");
    require(centres.cols() == X.cols(), "X has ", X.cols(), " features but the centres have ",
            centres.cols());
    py::array_t<T> out({static_cast<py::ssize_t>(X.rows()), static_cast<py::ssize_t>(centres.rows())});
    T* data = out.mutable_data();
    {
        py::gil_scoped_release release;
        models::kmeans_transform<T>(X.data(), static_cast<std::size_t>(X.rows()),
                                    static_cast<std::size_t>(X.cols()), centres.data(),
                                    static_cast<std::size_t>(centres.rows()), data, n_jobs);
    }
    return out;
}

template <class T>
py::tuple kmeans_plusplus(const MatrixView<T>& X, std::size_t n_clusters,
                          const std::optional<VectorView<T>>& sample_weight,
                          std::uint64_t random_state, std::size_t n_local_trials, int n_jobs) {
    require_packed<T>(X, "X");
    const T* sw = weights_or_null<T>(sample_weight, X.rows());
    const auto n_rows = static_cast<std::size_t>(X.rows());
    const auto n_cols = static_cast<std::size_t>(X.cols());
    models::detail::validate_kmeans_input(X.data(), n_rows, n_cols, sw, n_clusters, true);
    std::vector<T> centres(n_clusters * n_cols);
    std::vector<std::size_t> indices(n_clusters);
    {
        py::gil_scoped_release release;
        std::mt19937_64 rng(random_state);
        models::kmeans_plusplus<T>(simd::kernels<T>(), X.data(), n_rows, n_cols, sw, n_clusters, rng,
                                   n_local_trials, resolve_n_jobs(n_jobs), centres.data(),
                                   indices.data());
    }
    std::vector<std::int64_t> idx(indices.begin(), indices.end());
    return py::make_tuple(matrix_to_numpy(centres, n_clusters, n_cols), vector_to_numpy(idx));
}

template <class T>
models::MiniBatchKMeansOptions<T> minibatch_options(std::size_t n_clusters, const std::string& init,
                                                    std::size_t n_init, std::size_t max_iter,
                                                    std::size_t batch_size, double tol,
                                                    std::size_t max_no_improvement,
                                                    std::size_t init_size,
                                                    double reassignment_ratio,
                                                    std::uint64_t random_state, int n_jobs,
                                                    bool compute_labels, bool check_input,
                                                    std::size_t final_lloyd_steps = 0) {
    models::MiniBatchKMeansOptions<T> o;
    o.final_lloyd_steps = final_lloyd_steps;
    o.n_clusters = n_clusters;
    o.init = parse_init(init);
    o.n_init = n_init;
    o.max_iter = max_iter;
    o.batch_size = batch_size;
    o.tol = tol;
    o.max_no_improvement = max_no_improvement;
    o.init_size = init_size;
    o.reassignment_ratio = reassignment_ratio;
    o.random_state = random_state;
    o.n_jobs = n_jobs;
    o.compute_labels = compute_labels;
    o.check_input = check_input;
    return o;
}

template <class T>
void put_state(py::dict& out, const models::MiniBatchKMeansState<T>& s) {
    out["centres"] = matrix_to_numpy(s.centres, s.n_clusters, s.n_features);
    out["counts"] = vector_to_numpy(s.counts);
    out["n_since_last_reassign"] = s.n_since_last_reassign;
    out["n_steps"] = s.n_steps;
}

template <class T>
py::dict fit_minibatch_kmeans(const MatrixView<T>& X, const std::optional<VectorView<T>>& sample_weight,
                              std::size_t n_clusters, const std::string& init,
                              const std::optional<MatrixView<T>>& init_centres, std::size_t n_init,
                              std::size_t max_iter, std::size_t batch_size, double tol,
                              std::size_t max_no_improvement, std::size_t init_size,
                              double reassignment_ratio, std::uint64_t random_state, int n_jobs,
                              bool compute_labels, std::size_t final_lloyd_steps, bool check_input) {
    require_packed<T>(X, "X");
    const T* sw = weights_or_null<T>(sample_weight, X.rows());
    const T* c0 = centres_or_null<T>(init_centres, n_clusters, X.cols(), "init");
    const auto o = minibatch_options<T>(n_clusters, init, n_init, max_iter, batch_size, tol,
                                        max_no_improvement, init_size, reassignment_ratio,
                                        random_state, n_jobs, compute_labels, check_input,
                                        final_lloyd_steps);
    models::MiniBatchKMeansFit<T> fit;
    {
        py::gil_scoped_release release;
        fit = models::fit_minibatch_kmeans<T>(X.data(), static_cast<std::size_t>(X.rows()),
                                              static_cast<std::size_t>(X.cols()), sw, o, c0);
    }
    py::dict out;
    put_state(out, fit.state);
    out["labels"] = compute_labels ? py::object(vector_to_numpy(fit.labels)) : py::object(py::none());
    out["inertia"] = fit.inertia;
    out["n_iter"] = fit.n_iter;
    out["converged"] = fit.converged;
    return out;
}

template <class T>
py::dict partial_fit_minibatch_kmeans(
    const MatrixView<T>& X, const std::optional<VectorView<T>>& sample_weight,
    std::size_t n_clusters, const std::string& init, const std::optional<MatrixView<T>>& init_centres,
    std::size_t batch_size, std::size_t init_size, double reassignment_ratio,
    std::uint64_t random_state, int n_jobs, bool check_input,
    const std::optional<MatrixView<T>>& centres, const std::optional<Vector<double>>& counts,
    std::size_t n_since_last_reassign, std::size_t n_steps) {
    require_packed<T>(X, "X");
    const T* sw = weights_or_null<T>(sample_weight, X.rows());
    const auto o = minibatch_options<T>(n_clusters, init, 1, 1, batch_size, 0.0, 0, init_size,
                                        reassignment_ratio, random_state, n_jobs, false, check_input);
    models::MiniBatchKMeansState<T> state;
    if (centres) {
        const T* c = centres_or_null<T>(centres, n_clusters, X.cols(), "centres");
        require(counts && static_cast<std::size_t>(counts->size()) == n_clusters,
                "counts must hold one entry per centre");
        state.n_clusters = n_clusters;
        state.n_features = static_cast<std::size_t>(X.cols());
        state.centres.assign(c, c + n_clusters * state.n_features);
        state.counts.assign(counts->data(), counts->data() + counts->size());
        state.n_since_last_reassign = n_since_last_reassign;
        state.n_steps = n_steps;
    }
    const T* c0 = centres ? nullptr : centres_or_null<T>(init_centres, n_clusters, X.cols(), "init");
    double batch_inertia = 0;
    {
        py::gil_scoped_release release;
        std::mt19937_64 rng(random_state);
        batch_inertia = models::partial_fit_minibatch_kmeans<T>(
            X.data(), static_cast<std::size_t>(X.rows()), static_cast<std::size_t>(X.cols()), sw, o,
            state, rng, c0);
    }
    py::dict out;
    put_state(out, state);
    out["batch_inertia"] = batch_inertia;
    return out;
}

template <class T>
void def_for_type(py::module_& m) {
    using namespace pybind11::literals;
    m.def("fit_kmeans", &fit_kmeans<T>, py::arg("X").noconvert(),
          py::arg("sample_weight").noconvert() = py::none(), py::kw_only(), "n_clusters"_a = 8,
          "init"_a = "k-means++", py::arg("init_centres").noconvert() = py::none(), "n_init"_a = 1,
          "max_iter"_a = 300, "tol"_a = 1e-4, "algorithm"_a = "lloyd", "random_state"_a = 0,
          "n_jobs"_a = 1, "check_input"_a = true, R"pbdoc(
        Fit k-means (Lloyd or Hamerly) to a C-contiguous float32/float64 X, never copied.

        ``init`` is "k-means++" or "random" (used unless ``init_centres`` is given, which also
        forces one run); ``algorithm`` is "lloyd", "hamerly" or "elkan" (= "hamerly"); ``tol``
        is relative to the mean weighted feature variance. Returns a dict: ``centres``
        (n_clusters, n_features), ``labels`` (int32), ``inertia``, ``n_iter``, ``converged``.
        The GIL is released while fitting.
    )pbdoc");
    m.def("kmeans_assign", &kmeans_assign<T>, py::arg("X").noconvert(),
          py::arg("centres").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
          "n_jobs"_a = 1, R"pbdoc(
        Nearest centre of each row (int32 labels) and the weighted inertia, as a tuple.
    )pbdoc");
    m.def("kmeans_transform", &kmeans_transform<T>, py::arg("X").noconvert(),
          py::arg("centres").noconvert(), "n_jobs"_a = 1, R"pbdoc(
        Euclidean distances of every row to every centre, shape (n_samples, n_clusters).
    )pbdoc");
    m.def("kmeans_plusplus", &kmeans_plusplus<T>, py::arg("X").noconvert(), "n_clusters"_a,
          py::arg("sample_weight").noconvert() = py::none(), py::kw_only(), "random_state"_a = 0,
          "n_local_trials"_a = 0, "n_jobs"_a = 1, R"pbdoc(
        Greedy k-means++ seeding: (centres, row indices). n_local_trials=0 means 2 + floor(ln k).
    )pbdoc");
    m.def("fit_minibatch_kmeans", &fit_minibatch_kmeans<T>, py::arg("X").noconvert(),
          py::arg("sample_weight").noconvert() = py::none(), py::kw_only(), "n_clusters"_a = 8,
          "init"_a = "k-means++", py::arg("init_centres").noconvert() = py::none(), "n_init"_a = 1,
          "max_iter"_a = 100, "batch_size"_a = 1024, "tol"_a = 0.0, "max_no_improvement"_a = 10,
          "init_size"_a = 0, "reassignment_ratio"_a = 0.01, "random_state"_a = 0, "n_jobs"_a = 1,
          "compute_labels"_a = true, "final_lloyd_steps"_a = 1, "check_input"_a = true, R"pbdoc(
        Fit mini-batch k-means (Sculley 2010). max_no_improvement=0 and init_size=0 mean
        "disabled" and "default"; final_lloyd_steps full Lloyd iterations follow the steps
        when compute_labels. Returns a dict: ``centres``, ``counts`` (float64 weight per
        centre), ``n_since_last_reassign``, ``n_steps``, ``labels`` (or None), ``inertia``,
        ``n_iter``, ``converged``. The GIL is released while fitting.
    )pbdoc");
    m.def("partial_fit_minibatch_kmeans", &partial_fit_minibatch_kmeans<T>,
          py::arg("X").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
          py::kw_only(), "n_clusters"_a = 8, "init"_a = "k-means++",
          py::arg("init_centres").noconvert() = py::none(), "batch_size"_a = 1024,
          "init_size"_a = 0, "reassignment_ratio"_a = 0.01, "random_state"_a = 0, "n_jobs"_a = 1,
          "check_input"_a = true, py::arg("centres").noconvert() = py::none(),
          "counts"_a = py::none(), "n_since_last_reassign"_a = 0, "n_steps"_a = 0, R"pbdoc(
        One mini-batch step on all rows of X. Pass the previous call's ``centres``,
        ``counts``, ``n_since_last_reassign`` and ``n_steps`` to continue; without
        ``centres`` the model is initialized from X first. Returns the new state and
        ``batch_inertia`` (before the update).
    )pbdoc");
}

}  // namespace

void bind_kmeans(py::module_& m) {
    // float32 first: with noconvert arguments, each overload only accepts its own dtype.
    def_for_type<float>(m);
    def_for_type<double>(m);
}

}  // namespace marketlearn::python
