#pragma once
/// \file
/// Reads marketlearn model files (docs/model_files.md), the JSON files that Python's
/// `marketlearn.save_model` writes, into a C++ model that predicts what Python predicts.
///
///     auto model = marketlearn::io::load_model("churn.json");
///     std::vector<double> proba(n_rows * model.classes.size());
///     model.predict_proba(X.data(), n_rows, proba.data());
///
/// load_model reads the "linear" family (ChurnClassifier, GDClassifier, GDRegressor,
/// LTVRegressor: any estimator whose family block says "linear"); load_model_file reads
/// every family: "linear" (version 1 on), "kmeans", "bgnbd" and "gamma_gamma" (version 2
/// on) into a ModelFile. Everything is checked:
/// format and version, the family's loss and link, dtypes and shapes of every array,
/// finite coefficients, sizes; a bad file is a marketlearn::invalid_argument that names the
/// key and the position in the file. No code is executed, nothing is looked up by name.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/io/json.hpp"
#include "marketlearn/loss/logistic.hpp"
#include "marketlearn/models/bgnbd.hpp"
#include "marketlearn/models/gamma_gamma.hpp"
#include "marketlearn/models/kmeans.hpp"
#include "marketlearn/models/linear_model.hpp"

namespace marketlearn::io {

/// The value of "format" in every marketlearn model file.
inline constexpr std::string_view model_format_name = "marketlearn-model";
/// The newest format version this reader understands (it reads every version up to it).
/// Version 2 added the kmeans, bgnbd and gamma_gamma families; linear files are still
/// written as version 1.
inline constexpr int model_format_version = 2;

/// How the linear score z = x . coef + intercept becomes a prediction.
enum class Link {
    identity,  ///< regressors: y = z; hinge / modified_huber classifiers: scores as they are
    logit,     ///< log-loss classifiers: P(class) = sigma(z)
    log,       ///< Poisson / gamma / Tweedie regressors: y = exp(z)
};

inline const char* link_name(Link link) noexcept {
    switch (link) {
        case Link::identity: return "identity";
        case Link::logit: return "logit";
        case Link::log: return "log";
    }
    return "?";
}

/// A linear model read from a model file: one LinearModel per output (one for binary
/// classifiers and regressors, one per class for one-vs-rest classifiers), in float64
/// whatever dtype it was fitted in (float32 values convert exactly).
struct LinearModelFile {
    std::string estimator;            ///< e.g. "ChurnClassifier"
    std::string marketlearn_version;  ///< version of the library that wrote the file
    std::string loss;                 ///< e.g. "log_loss", "squared_error", "poisson"
    Link link = Link::identity;
    std::string dtype;                ///< dtype of coef_ when fitted: "float64" or "float32"
    /// Class labels in the order of predict_proba's columns, empty for regressors. Strings
    /// as written; numbers as their JSON text (Python's repr); booleans "True" / "False".
    std::vector<std::string> classes;
    /// Column names seen in fit (pandas input), else empty.
    std::vector<std::string> feature_names;
    std::vector<models::LinearModel<double>> outputs;

    std::size_t n_features() const noexcept { return outputs.empty() ? 0 : outputs[0].n_features(); }
    /// Columns of decision_function: 1, or the number of classes for one-vs-rest.
    std::size_t n_outputs() const noexcept { return outputs.size(); }
    bool is_classifier() const noexcept { return !classes.empty(); }
    bool has_predict_proba() const noexcept {
        return is_classifier() && (loss == "log_loss" || loss == "modified_huber");
    }

    /// out (n_rows x n_outputs(), row-major) = X . coef_k + intercept_k for row-major X
    /// (n_rows x n_features()): Python's decision_function.
    void decision_function(const double* X, std::size_t n_rows, double* out) const {
        require(!outputs.empty(), "the model has no coefficients");
        if (n_rows == 0) return;
        require(X != nullptr && out != nullptr, "X and out must not be null");
        const std::size_t k = outputs.size();
        if (k == 1) {
            outputs[0].decision_function(X, n_rows, out);
            return;
        }
        std::vector<double> column(n_rows);
        for (std::size_t c = 0; c < k; ++c) {
            outputs[c].decision_function(X, n_rows, column.data());
            for (std::size_t i = 0; i < n_rows; ++i) out[i * k + c] = column[i];
        }
    }

    /// out (n_rows x classes.size(), row-major): Python's predict_proba. log_loss: the
    /// logistic function of the scores (normalized over the classes for one-vs-rest);
    /// modified_huber: (clip(z, -1, 1) + 1) / 2, normalized (uniform where all are 0).
    void predict_proba(const double* X, std::size_t n_rows, double* out) const {
        require(has_predict_proba(), "predict_proba is not available for ", estimator,
                is_classifier() ? " with loss='" + loss + "'" : std::string(" (a regressor)"));
        const std::size_t k = outputs.size();
        std::vector<double> z(n_rows * k);
        decision_function(X, n_rows, z.data());
        const bool logistic = loss == "log_loss";
        for (std::size_t i = 0; i < n_rows; ++i) {
            if (k == 1) {
                const double s = z[i];
                if (logistic) {
                    out[2 * i] = loss::sigmoid(-s);  // not 1 - sigma(s): no cancellation
                    out[2 * i + 1] = loss::sigmoid(s);
                } else {
                    const double p = (std::clamp(s, -1.0, 1.0) + 1.0) / 2.0;
                    out[2 * i] = 1.0 - p;
                    out[2 * i + 1] = p;
                }
                continue;
            }
            double total = 0;
            for (std::size_t c = 0; c < k; ++c) {
                const double s = z[i * k + c];
                const double p = logistic ? loss::sigmoid(s) : (std::clamp(s, -1.0, 1.0) + 1.0) / 2.0;
                out[i * k + c] = p;
                total += p;
            }
            for (std::size_t c = 0; c < k; ++c) {
                out[i * k + c] = total == 0 ? 1.0 / static_cast<double>(k) : out[i * k + c] / total;
            }
        }
    }

    /// Index into `classes` of each row's predicted class (classifiers): the positive
    /// class where the score is > 0 (binary), else the highest score (first on ties).
    std::vector<std::size_t> predict_class_index(const double* X, std::size_t n_rows) const {
        require(is_classifier(), estimator, " is a regressor; use predict()");
        const std::size_t k = outputs.size();
        std::vector<double> z(n_rows * k);
        decision_function(X, n_rows, z.data());
        std::vector<std::size_t> index(n_rows);
        for (std::size_t i = 0; i < n_rows; ++i) {
            if (k == 1) {
                index[i] = z[i] > 0 ? 1 : 0;
            } else {
                const double* row = z.data() + i * k;
                index[i] = static_cast<std::size_t>(std::max_element(row, row + k) - row);
            }
        }
        return index;
    }

    /// Predicted labels (classifiers), as in `classes`.
    std::vector<std::string> predict_labels(const double* X, std::size_t n_rows) const {
        std::vector<std::string> labels;
        labels.reserve(n_rows);
        for (std::size_t i : predict_class_index(X, n_rows)) labels.push_back(classes[i]);
        return labels;
    }

    /// Predicted target (regressors): z, or exp(z) with the log link.
    void predict(const double* X, std::size_t n_rows, double* out) const {
        require(!is_classifier(), estimator, " is a classifier; use predict_class_index() or predict_labels()");
        decision_function(X, n_rows, out);
        if (link == Link::log) {
            for (std::size_t i = 0; i < n_rows; ++i) out[i] = std::exp(out[i]);
        }
    }
};


/// A k-means model (KMeans, MiniBatchKMeans): the label of a row is the index of its
/// nearest centre (squared Euclidean distance; the first one on ties), computed with the
/// kernel Python's predict uses, in float64.
struct KMeansModelFile {
    std::string estimator;
    std::string marketlearn_version;
    std::string dtype;  ///< dtype of cluster_centers_ when fitted: "float64" or "float32"
    std::size_t n_clusters = 0;
    std::size_t n_features = 0;
    std::vector<double> centres;  ///< n_clusters x n_features, row-major
    std::vector<std::string> feature_names;

    /// labels[0, n_rows) for row-major X (n_rows x n_features).
    void predict(const double* X, std::size_t n_rows, std::int32_t* labels) const {
        require(n_clusters >= 1, "the model has no centres");
        if (n_rows == 0) return;
        require(X != nullptr && labels != nullptr, "X and labels must not be null");
        models::kmeans_assign<double>(X, n_rows, n_features, nullptr, centres.data(), n_clusters,
                                      labels);
    }
};

/// A BG/NBD model (BetaGeoModel): the fitted (r, alpha, a, b).
struct BetaGeoModelFile {
    std::string estimator;
    std::string marketlearn_version;
    models::BetaGeoParams params;

    /// Expected repeat purchases in the next t[i] time units of customers with the given
    /// histories (Python's conditional_expected_number_of_purchases_up_to_time).
    void conditional_expected_purchases(const double* t, const double* frequency,
                                        const double* recency, const double* age, std::size_t n,
                                        double* out) const {
        models::bgnbd_conditional_expected_purchases(params, t, frequency, recency, age, n, out);
    }
    /// P(alive) (Python's conditional_probability_alive).
    void probability_alive(const double* frequency, const double* recency, const double* age,
                           std::size_t n, double* out) const {
        models::bgnbd_probability_alive(params, frequency, recency, age, n, out);
    }
};

/// A Gamma-Gamma spend model (GammaGammaModel): the fitted (p, q, v).
struct GammaGammaModelFile {
    std::string estimator;
    std::string marketlearn_version;
    models::GammaGammaParams params;

    /// Expected spend per future transaction (Python's conditional_expected_average_profit).
    void expected_average_profit(const double* frequency, const double* monetary_value,
                                 std::size_t n, double* out) const {
        models::gamma_gamma_expected_average_profit(params, frequency, monetary_value, n, out);
    }
};

/// A model file of any family: `family` says which member `model` holds.
struct ModelFile {
    std::string family;  ///< "linear", "kmeans", "bgnbd" or "gamma_gamma"
    int version = 0;     ///< the file's format version
    std::variant<LinearModelFile, KMeansModelFile, BetaGeoModelFile, GammaGammaModelFile> model;

    const LinearModelFile& linear() const { return get<LinearModelFile>("linear"); }
    const KMeansModelFile& kmeans() const { return get<KMeansModelFile>("kmeans"); }
    const BetaGeoModelFile& bgnbd() const { return get<BetaGeoModelFile>("bgnbd"); }
    const GammaGammaModelFile& gamma_gamma() const { return get<GammaGammaModelFile>("gamma_gamma"); }

private:
    template <class M>
    const M& get(const char* wanted) const {
        const M* m = std::get_if<M>(&model);
        require(m != nullptr, "the model file holds the '", family, "' family, not '", wanted, "'");
        return *m;
    }
};

namespace detail {

/// Errors name the key path (e.g. attributes.coef_.data[3]) and the position in the file.
class ModelReader {
public:
    ModelReader(std::string_view text, const json::Limits& limits) : text_(text), limits_(limits) {}

    /// A linear-family file (load_model).
    LinearModelFile read() {
        ModelFile file = read_any(/*linear_only=*/true);
        return std::get<LinearModelFile>(std::move(file.model));
    }

    /// A file of any family (load_model_file).
    ModelFile read_any(bool linear_only = false) {
        json::Value root;
        try {
            root = json::parse(text_, limits_);
        } catch (const invalid_argument& e) {
            throw_invalid_argument("model file: ", e.what());
        }
        expect_kind(root, json::Kind::object, "the document");
        // Format and version first: a newer version may have other keys.
        const json::Value* format = root.find("format");
        if (format == nullptr) {
            fail(root, "the document", "has no \"format\"; not a marketlearn model file");
        }
        expect_kind(*format, json::Kind::string, "format");
        if (format->text() != model_format_name) {
            fail(*format, "format", "is '" + shorten(format->text()) +
                                        "'; not a marketlearn model file (expected '" +
                                        std::string(model_format_name) + "')");
        }
        const json::Value* version = root.find("version");
        if (version == nullptr) fail(root, "the document", "lacks the required key \"version\"");
        const std::int64_t v = integer(*version, "version", 1, std::numeric_limits<std::int64_t>::max());
        if (v > model_format_version) {
            fail(*version, "version", "is " + std::to_string(v) +
                                          ", newer than this reader, which reads versions up to " +
                                          std::to_string(model_format_version) +
                                          "; upgrade marketlearn to load this file");
        }
        check_keys(root, "the document",
                   {"format", "version", "marketlearn_version", "estimator", "family", "params",
                    "attributes"},
                   {"format", "version", "marketlearn_version", "estimator", "family", "params",
                    "attributes"});

        const json::Value& lib_version = *root.find("marketlearn_version");
        expect_kind(lib_version, json::Kind::string, "marketlearn_version");
        const json::Value& estimator = *root.find("estimator");
        expect_kind(estimator, json::Kind::string, "estimator");
        if (!is_identifier(estimator.text())) {
            fail(estimator, "estimator", "'" + shorten(estimator.text()) + "' is not a class name");
        }
        expect_kind(*root.find("params"), json::Kind::object, "params");

        const json::Value& family = *root.find("family");
        expect_kind(family, json::Kind::object, "family");
        const json::Value* family_name = family.find("name");
        if (family_name == nullptr) fail(family, "family", "lacks the required key \"name\"");
        expect_kind(*family_name, json::Kind::string, "family.name");
        const std::string& name = family_name->text();
        // The version that introduced each family: an older file cannot hold a newer one.
        const int since = name == "linear" ? 1 : 2;
        if (name != "linear" && name != "kmeans" && name != "bgnbd" && name != "gamma_gamma") {
            fail(*family_name, "family.name",
                 "is '" + shorten(name) + "'; this reader loads linear, kmeans, bgnbd, gamma_gamma");
        }
        if (linear_only && name != "linear") {
            fail(*family_name, "family.name",
                 "is '" + name + "'; load_model reads the 'linear' family, load_model_file every family");
        }
        if (v < since) {
            fail(*version, "version", "is " + std::to_string(v) + " but the family '" + name +
                                          "' needs version " + std::to_string(since) + " or later");
        }

        ModelFile file;
        file.family = name;
        file.version = static_cast<int>(v);
        const json::Value& attributes = *root.find("attributes");
        if (name == "linear") {
            LinearModelFile model;
            model.marketlearn_version = lib_version.text();
            model.estimator = estimator.text();
            read_family(family, model);
            read_attributes(attributes, model);
            file.model = std::move(model);
        } else if (name == "kmeans") {
            check_keys(family, "family", {"name"}, {"name"});
            KMeansModelFile model;
            model.marketlearn_version = lib_version.text();
            model.estimator = estimator.text();
            read_kmeans(attributes, model);
            file.model = std::move(model);
        } else if (name == "bgnbd") {
            BetaGeoModelFile model;
            model.marketlearn_version = lib_version.text();
            model.estimator = estimator.text();
            const std::vector<double> p =
                read_clv_params(family, attributes, {"r", "alpha", "a", "b"});
            model.params = {p[0], p[1], p[2], p[3]};
            file.model = std::move(model);
        } else {
            GammaGammaModelFile model;
            model.marketlearn_version = lib_version.text();
            model.estimator = estimator.text();
            const std::vector<double> p = read_clv_params(family, attributes, {"p", "q", "v"});
            model.params = {p[0], p[1], p[2]};
            file.model = std::move(model);
        }
        return file;
    }

private:
    [[noreturn]] void fail(const json::Value& at, const std::string& path, const std::string& what) const {
        // "path=value is ..." reads better without a space before the '='.
        throw_invalid_argument("model file: ", path, what.compare(0, 1, "=") == 0 ? "" : " ", what, " (at ",
                               json::describe_position(text_, at.offset()), ")");
    }

    static std::string shorten(const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size() && i < 60; ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
        }
        return s.size() > 60 ? out + "..." : out;
    }

    static bool is_identifier(const std::string& s) {
        if (s.empty() || s.size() > 100) return false;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            const bool digit = c >= '0' && c <= '9';
            if (!(alpha || (digit && i > 0))) return false;
        }
        return true;
    }

    void expect_kind(const json::Value& value, json::Kind kind, const std::string& path) const {
        if (!value.is(kind)) {
            fail(value, path, std::string("must be ") + json::kind_name(kind) + ", not " +
                                  json::kind_name(value.kind()));
        }
    }

    /// Object members: every `required` key present, no key outside `allowed`.
    void check_keys(const json::Value& object, const std::string& path,
                    std::initializer_list<std::string_view> allowed,
                    std::initializer_list<std::string_view> required) const {
        for (std::string_view key : required) {
            if (object.find(key) == nullptr) {
                fail(object, path, "lacks the required key \"" + std::string(key) + "\"");
            }
        }
        for (std::size_t i = 0; i < object.keys().size(); ++i) {
            const std::string& key = object.keys()[i];
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                fail(object.items()[i], path, "has an unknown key \"" + shorten(key) + "\"");
            }
        }
    }

    std::int64_t integer(const json::Value& value, const std::string& path, std::int64_t lo,
                         std::int64_t hi) const {
        if (!value.is_integer()) {
            fail(value, path, std::string("must be an integer, not ") +
                                  (value.is(json::Kind::number) ? "'" + shorten(value.text()) + "'"
                                                                : json::kind_name(value.kind())));
        }
        std::int64_t v = 0;
        const std::string& t = value.text();
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || end != t.data() + t.size() || v < lo || v > hi) {
            fail(value, path, "=" + shorten(t) + " is out of range [" + std::to_string(lo) + ", " +
                                  std::to_string(hi) + "]");
        }
        return v;
    }

    void read_family(const json::Value& family, LinearModelFile& model) const {
        expect_kind(family, json::Kind::object, "family");
        check_keys(family, "family", {"name", "loss", "link"}, {"name"});
        const json::Value& name = *family.find("name");
        expect_kind(name, json::Kind::string, "family.name");
        if (name.text() != "linear") {
            fail(name, "family.name", "is '" + shorten(name.text()) +
                                          "'; this reader loads the 'linear' family only");
        }
        check_keys(family, "family", {"name", "loss", "link"}, {"name", "loss", "link"});
        const json::Value& loss = *family.find("loss");
        const json::Value& link = *family.find("link");
        expect_kind(loss, json::Kind::string, "family.loss");
        expect_kind(link, json::Kind::string, "family.link");
        // Each loss has one link: the file states both so a reader need not know the
        // estimator's parameters, and a mismatch means a broken file.
        struct LossLink {
            std::string_view loss;
            Link link;
        };
        static constexpr LossLink known[] = {
            {"log_loss", Link::logit},        {"hinge", Link::identity},
            {"modified_huber", Link::identity}, {"squared_error", Link::identity},
            {"huber", Link::identity},        {"poisson", Link::log},
            {"gamma", Link::log},             {"tweedie", Link::log},
        };
        const LossLink* match = nullptr;
        for (const LossLink& entry : known) {
            if (entry.loss == loss.text()) match = &entry;
        }
        if (match == nullptr) {
            fail(loss, "family.loss", "'" + shorten(loss.text()) +
                                          "' is not a known loss (log_loss, hinge, modified_huber, "
                                          "squared_error, huber, poisson, gamma, tweedie)");
        }
        if (link.text() != link_name(match->link)) {
            fail(link, "family.link", "is '" + shorten(link.text()) + "' but loss '" + loss.text() +
                                          "' has the link '" + link_name(match->link) + "'");
        }
        model.loss = loss.text();
        model.link = match->link;
    }

    /// An attribute array {"dtype", "shape", "data"}, checked; data as given.
    struct Array {
        std::string dtype;
        std::vector<std::size_t> shape;
        const json::Value* data = nullptr;
        const json::Value* node = nullptr;
    };

    static bool is_float_dtype(const std::string& d) { return d == "float64" || d == "float32"; }

    Array array(const json::Value& node, const std::string& path) const {
        expect_kind(node, json::Kind::object, path);
        check_keys(node, path, {"dtype", "shape", "data"}, {"dtype", "shape", "data"});
        Array a;
        a.node = &node;
        const json::Value& dtype = *node.find("dtype");
        expect_kind(dtype, json::Kind::string, path + ".dtype");
        static constexpr std::string_view dtypes[] = {
            "float64", "float32", "int8",  "int16", "int32", "int64", "uint8",
            "uint16",  "uint32",  "uint64", "bool",  "str",   "object"};
        if (std::find(std::begin(dtypes), std::end(dtypes), dtype.text()) == std::end(dtypes)) {
            fail(dtype, path + ".dtype", "'" + shorten(dtype.text()) + "' is not a supported dtype");
        }
        a.dtype = dtype.text();

        const json::Value& shape = *node.find("shape");
        expect_kind(shape, json::Kind::array, path + ".shape");
        if (shape.size() > 2) fail(shape, path + ".shape", "has more than 2 dimensions");
        std::size_t count = 1;
        const auto max_elements = static_cast<std::int64_t>(limits_.max_values);
        for (std::size_t d = 0; d < shape.size(); ++d) {
            const auto n = static_cast<std::size_t>(
                integer(shape.items()[d], path + ".shape[" + std::to_string(d) + "]", 0, max_elements));
            if (n != 0 && count > limits_.max_values / n) {
                fail(shape, path + ".shape", "has more than " + std::to_string(limits_.max_values) + " elements");
            }
            count *= n;
            a.shape.push_back(n);
        }
        const json::Value& data = *node.find("data");
        expect_kind(data, json::Kind::array, path + ".data");
        if (data.size() != count) {
            fail(data, path + ".data", "has " + std::to_string(data.size()) +
                                           " elements but the shape says " + std::to_string(count));
        }
        a.data = &data;
        for (std::size_t i = 0; i < data.size(); ++i) {
            check_element(data.items()[i], a.dtype, path, i);
        }
        return a;
    }

    /// Element i of an array's data; the path is built only for an error message.
    void check_element(const json::Value& v, const std::string& dtype, const std::string& array_path,
                       std::size_t i) const {
        struct Path {
            const std::string& base;
            std::size_t i;
            operator std::string() const { return base + ".data[" + std::to_string(i) + "]"; }
        } path{array_path, i};
        if (is_float_dtype(dtype)) {
            if (!v.is(json::Kind::number)) fail(v, path, "must be a number for dtype " + dtype);
            // The reader rejects out-of-range numbers, so v is finite here.
            if (dtype == "float32") {
                const double x = v.number();
                const bool in_range = std::abs(x) <= static_cast<double>(std::numeric_limits<float>::max());
                if (!in_range || static_cast<double>(static_cast<float>(x)) != x) {
                    fail(v, path, "=" + shorten(v.text()) + " is not a float32 value");
                }
            }
        } else if (dtype == "bool") {
            if (!v.is(json::Kind::boolean)) fail(v, path, "must be true or false for dtype bool");
        } else if (dtype == "str") {
            if (!v.is(json::Kind::string)) fail(v, path, "must be a string for dtype str");
        } else if (dtype == "object") {
            if (!(v.is(json::Kind::string) || v.is(json::Kind::number) || v.is(json::Kind::boolean))) {
                fail(v, path, std::string("must be a string, number or boolean, not ") + json::kind_name(v.kind()));
            }
        } else {  // integer dtypes
            const bool is_unsigned = dtype[0] == 'u';
            const int bits = std::stoi(dtype.substr(is_unsigned ? 4 : 3));
            if (!v.is_integer()) fail(v, path, "must be an integer for dtype " + dtype);
            const std::string& t = v.text();
            bool ok;
            if (is_unsigned) {
                std::uint64_t x = 0;
                const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
                ok = r.ec == std::errc() && r.ptr == t.data() + t.size() &&
                     (bits == 64 || x < (std::uint64_t(1) << bits));
            } else {
                std::int64_t x = 0;
                const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
                ok = r.ec == std::errc() && r.ptr == t.data() + t.size() &&
                     (bits == 64 || (x >= -(std::int64_t(1) << (bits - 1)) &&
                                     x < (std::int64_t(1) << (bits - 1))));
            }
            if (!ok) fail(v, path, "=" + shorten(t) + " is out of range for dtype " + dtype);
        }
    }

    /// A label as text: strings as they are, numbers as written, booleans as Python
    /// prints them.
    static std::string label_text(const json::Value& v) {
        if (v.is(json::Kind::boolean)) return v.boolean() ? "True" : "False";
        return v.text();
    }

    void read_attributes(const json::Value& attributes, LinearModelFile& model) const {
        expect_kind(attributes, json::Kind::object, "attributes");
        const bool classifier = model.loss == "log_loss" || model.loss == "hinge" ||
                                model.loss == "modified_huber";
        for (std::string_view key : {"coef_", "intercept_", "n_features_in_"}) {
            if (attributes.find(key) == nullptr) {
                fail(attributes, "attributes", "lacks the required attribute \"" + std::string(key) + "\"");
            }
        }
        if (classifier && attributes.find("classes_") == nullptr) {
            fail(attributes, "attributes", "lacks \"classes_\", required for a classifier (loss '" +
                                               model.loss + "')");
        }
        // Every attribute must be well formed, even those this reader does not use.
        for (std::size_t i = 0; i < attributes.keys().size(); ++i) {
            const std::string& key = attributes.keys()[i];
            const json::Value& value = attributes.items()[i];
            const std::string path = "attributes." + shorten(key);
            if (key.empty() || key.back() != '_') fail(value, path, "is not a fitted attribute (no trailing '_')");
            if (value.is(json::Kind::object)) {
                array(value, path);
            } else if (value.is(json::Kind::array)) {
                fail(value, path, "must be a scalar or a {\"dtype\", \"shape\", \"data\"} object");
            }
        }

        const json::Value& n_features_node = *attributes.find("n_features_in_");
        const auto n_features = static_cast<std::size_t>(
            integer(n_features_node, "attributes.n_features_in_", 1,
                    static_cast<std::int64_t>(limits_.max_values)));

        const Array coef = array(*attributes.find("coef_"), "attributes.coef_");
        if (!is_float_dtype(coef.dtype)) fail(*coef.node, "attributes.coef_.dtype", "must be float64 or float32");
        std::size_t n_outputs = 1;
        if (classifier) {
            const Array classes = array(*attributes.find("classes_"), "attributes.classes_");
            if (classes.shape.size() != 1) fail(*classes.node, "attributes.classes_.shape", "must have 1 dimension");
            if (classes.shape[0] < 2) fail(*classes.node, "attributes.classes_", "must hold at least 2 classes");
            for (const json::Value& label : classes.data->items()) model.classes.push_back(label_text(label));
            n_outputs = model.classes.size() == 2 ? 1 : model.classes.size();
            if (coef.shape.size() != 2 || coef.shape[0] != n_outputs || coef.shape[1] != n_features) {
                fail(*coef.node, "attributes.coef_.shape",
                     "must be [" + std::to_string(n_outputs) + ", " + std::to_string(n_features) +
                         "] for " + std::to_string(model.classes.size()) + " classes and n_features_in_=" +
                         std::to_string(n_features) + ", got " + shape_text(coef.shape));
            }
        } else if (coef.shape.size() != 1 || coef.shape[0] != n_features) {
            fail(*coef.node, "attributes.coef_.shape",
                 "must be [" + std::to_string(n_features) + "] for a regressor with n_features_in_=" +
                     std::to_string(n_features) + ", got " + shape_text(coef.shape));
        }
        const Array intercept = array(*attributes.find("intercept_"), "attributes.intercept_");
        if (!is_float_dtype(intercept.dtype)) {
            fail(*intercept.node, "attributes.intercept_.dtype", "must be float64 or float32");
        }
        if (intercept.shape.size() != 1 || intercept.shape[0] != n_outputs) {
            fail(*intercept.node, "attributes.intercept_.shape",
                 "must be [" + std::to_string(n_outputs) + "], got " + shape_text(intercept.shape));
        }
        model.dtype = coef.dtype;
        model.outputs.resize(n_outputs);
        for (std::size_t k = 0; k < n_outputs; ++k) {
            auto& out = model.outputs[k];
            out.coef.resize(n_features);
            for (std::size_t j = 0; j < n_features; ++j) {
                out.coef[j] = coef.data->items()[k * n_features + j].number();
            }
            out.intercept = intercept.data->items()[k].number();
        }

        if (const json::Value* names = attributes.find("feature_names_in_")) {
            const Array a = array(*names, "attributes.feature_names_in_");
            if (a.dtype != "object" && a.dtype != "str") {
                fail(*names, "attributes.feature_names_in_.dtype", "must be object or str");
            }
            if (a.shape.size() != 1 || a.shape[0] != n_features) {
                fail(*names, "attributes.feature_names_in_.shape",
                     "must be [" + std::to_string(n_features) + "], got " + shape_text(a.shape));
            }
            for (const json::Value& name : a.data->items()) {
                if (!name.is(json::Kind::string)) fail(name, "attributes.feature_names_in_", "must hold strings");
                model.feature_names.push_back(name.text());
            }
        }
    }

    /// Every attribute well formed (scalars or arrays), even those a reader does not use;
    /// the names in `required` present.
    void check_attribute_nodes(const json::Value& attributes,
                               std::initializer_list<std::string_view> required) const {
        expect_kind(attributes, json::Kind::object, "attributes");
        for (std::string_view key : required) {
            if (attributes.find(key) == nullptr) {
                fail(attributes, "attributes", "lacks the required attribute \"" + std::string(key) + "\"");
            }
        }
        for (std::size_t i = 0; i < attributes.keys().size(); ++i) {
            const std::string& key = attributes.keys()[i];
            const json::Value& value = attributes.items()[i];
            const std::string path = "attributes." + shorten(key);
            if (key.empty() || key.back() != '_') fail(value, path, "is not a fitted attribute (no trailing '_')");
            if (value.is(json::Kind::object)) {
                array(value, path);
            } else if (value.is(json::Kind::array)) {
                fail(value, path, "must be a scalar or a {\"dtype\", \"shape\", \"data\"} object");
            }
        }
    }

    std::vector<std::string> feature_names(const json::Value& attributes, std::size_t n_features) const {
        std::vector<std::string> out;
        const json::Value* names = attributes.find("feature_names_in_");
        if (names == nullptr) return out;
        const Array a = array(*names, "attributes.feature_names_in_");
        if (a.dtype != "object" && a.dtype != "str") {
            fail(*names, "attributes.feature_names_in_.dtype", "must be object or str");
        }
        if (a.shape.size() != 1 || a.shape[0] != n_features) {
            fail(*names, "attributes.feature_names_in_.shape",
                 "must be [" + std::to_string(n_features) + "], got " + shape_text(a.shape));
        }
        for (const json::Value& name : a.data->items()) {
            if (!name.is(json::Kind::string)) fail(name, "attributes.feature_names_in_", "must hold strings");
            out.push_back(name.text());
        }
        return out;
    }

    void read_kmeans(const json::Value& attributes, KMeansModelFile& model) const {
        check_attribute_nodes(attributes, {"n_features_in_", "cluster_centers_"});
        model.n_features = static_cast<std::size_t>(
            integer(*attributes.find("n_features_in_"), "attributes.n_features_in_", 1,
                    static_cast<std::int64_t>(limits_.max_values)));
        const Array centres = array(*attributes.find("cluster_centers_"), "attributes.cluster_centers_");
        if (!is_float_dtype(centres.dtype)) {
            fail(*centres.node, "attributes.cluster_centers_.dtype", "must be float64 or float32");
        }
        if (centres.shape.size() != 2 || centres.shape[0] < 1 || centres.shape[1] != model.n_features) {
            fail(*centres.node, "attributes.cluster_centers_.shape",
                 "must be [n_clusters >= 1, " + std::to_string(model.n_features) +
                     "] for n_features_in_=" + std::to_string(model.n_features) + ", got " +
                     shape_text(centres.shape));
        }
        model.dtype = centres.dtype;
        model.n_clusters = centres.shape[0];
        model.centres.reserve(centres.data->size());
        for (const json::Value& x : centres.data->items()) model.centres.push_back(x.number());
        model.feature_names = feature_names(attributes, model.n_features);
    }

    /// The family block {"name", "parameters": [names]} and attributes.params_ (float64,
    /// one finite value > 0 per name, in that order).
    std::vector<double> read_clv_params(const json::Value& family, const json::Value& attributes,
                                        std::initializer_list<std::string_view> names) const {
        check_keys(family, "family", {"name", "parameters"}, {"name", "parameters"});
        const json::Value& listed = *family.find("parameters");
        expect_kind(listed, json::Kind::array, "family.parameters");
        bool same = listed.size() == names.size();
        for (std::size_t i = 0; same && i < listed.size(); ++i) {
            same = listed.items()[i].is(json::Kind::string) &&
                   listed.items()[i].text() == *(names.begin() + i);
        }
        if (!same) {
            std::string expected;
            for (std::string_view n : names) expected += (expected.empty() ? "" : ", ") + std::string(n);
            fail(listed, "family.parameters", "must be [" + expected + "]");
        }
        check_attribute_nodes(attributes, {"params_"});
        const Array params = array(*attributes.find("params_"), "attributes.params_");
        if (params.dtype != "float64") fail(*params.node, "attributes.params_.dtype", "must be float64");
        if (params.shape.size() != 1 || params.shape[0] != names.size()) {
            fail(*params.node, "attributes.params_.shape",
                 "must be [" + std::to_string(names.size()) + "], got " + shape_text(params.shape));
        }
        std::vector<double> values;
        for (std::size_t i = 0; i < names.size(); ++i) {
            const json::Value& x = params.data->items()[i];
            if (!(x.number() > 0)) {
                fail(x, "attributes.params_.data[" + std::to_string(i) + "]",
                     "(" + std::string(*(names.begin() + i)) + "=" + shorten(x.text()) + ") must be > 0");
            }
            values.push_back(x.number());
        }
        return values;
    }

    static std::string shape_text(const std::vector<std::size_t>& shape) {
        std::string s = "[";
        for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
        return s + "]";
    }

    std::string_view text_;
    json::Limits limits_;
};

}  // namespace detail

/// Reads a model file's text (see load_model).
inline LinearModelFile parse_model(std::string_view text, const json::Limits& limits = {}) {
    return detail::ModelReader(text, limits).read();
}

/// Reads a model file's text of any family (see load_model_file).
inline ModelFile parse_model_file(std::string_view text, const json::Limits& limits = {}) {
    return detail::ModelReader(text, limits).read_any();
}

namespace detail {

inline std::string read_model_text(const std::string& path, const json::Limits& limits) {
    std::ifstream in(path, std::ios::binary);
    require(in.is_open(), "model file '", path, "' cannot be opened");
    // Read up to the size limit (the file may be a pipe, so its size is not asked).
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        require(text.size() <= limits.max_bytes, "model file '", path, "' is larger than ",
                limits.max_bytes, " bytes");
    }
    require(!in.bad(), "model file '", path, "' could not be read");
    return text;
}

/// parse(text), its error messages naming the file.
template <class Parse>
auto parse_naming_file(const std::string& path, const std::string& text, Parse parse) {
    try {
        return parse(text);
    } catch (const invalid_argument& e) {
        constexpr std::string_view prefix = "model file: ";
        std::string_view what = e.what();
        if (what.substr(0, prefix.size()) == prefix) what.remove_prefix(prefix.size());
        throw_invalid_argument("model file '", path, "': ", what);
    }
}

}  // namespace detail

/// Reads the linear model file at `path`; throws marketlearn::invalid_argument when the
/// file cannot be read, is not a valid model file or holds another family (the message
/// says where and why).
inline LinearModelFile load_model(const std::string& path, const json::Limits& limits = {}) {
    const std::string text = detail::read_model_text(path, limits);
    return detail::parse_naming_file(path, text, [&](const std::string& t) { return parse_model(t, limits); });
}

/// Reads the model file at `path`, of any family; errors as load_model.
inline ModelFile load_model_file(const std::string& path, const json::Limits& limits = {}) {
    const std::string text = detail::read_model_text(path, limits);
    return detail::parse_naming_file(path, text,
                                     [&](const std::string& t) { return parse_model_file(t, limits); });
}

}  // namespace marketlearn::io
