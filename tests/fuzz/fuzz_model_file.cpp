// libFuzzer target: the JSON reader and the model-file loaders (load_model's linear
// reader and load_model_file's every family) on arbitrary bytes.
//
// Findings: a sanitizer report (memory error, undefined behaviour, leak), an exception
// other than marketlearn::invalid_argument, a timeout, or a broken invariant of a model
// that loaded (checked below; __builtin_trap marks it).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/io/json.hpp"
#include "marketlearn/io/model_file.hpp"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void exercise(const marketlearn::io::LinearModelFile& m) {
    const std::size_t d = m.n_features(), k = m.n_outputs();
    check(d > 0 && k > 0);
    check(m.is_classifier() == !m.classes.empty());
    if (m.is_classifier()) check(k == (m.classes.size() == 2 ? 1 : m.classes.size()));
    for (const auto& out : m.outputs) {
        check(out.coef.size() == d);
        for (double c : out.coef) check(std::isfinite(c));
        check(std::isfinite(out.intercept));
    }
    if (d > 256 || k > 64) return;  // predictions below are for small models only
    const std::size_t n = 3;
    std::vector<double> X(n * d);
    for (std::size_t i = 0; i < X.size(); ++i) X[i] = static_cast<double>(i % 7) - 3.0;
    std::vector<double> z(n * k);
    m.decision_function(X.data(), n, z.data());
    if (m.has_predict_proba()) {
        std::vector<double> p(n * m.classes.size());
        m.predict_proba(X.data(), n, p.data());
        for (double v : p) check(!(v < 0.0) && !(v > 1.0));  // NaN only from inf - inf
    }
    if (m.is_classifier()) {
        for (std::size_t c : m.predict_class_index(X.data(), n)) check(c < m.classes.size());
        check(m.predict_labels(X.data(), n).size() == n);
    } else {
        std::vector<double> y(n);
        m.predict(X.data(), n, y.data());
    }
}

void exercise(const marketlearn::io::KMeansModelFile& m) {
    check(m.n_clusters >= 1 && m.n_features >= 1);
    check(m.centres.size() == m.n_clusters * m.n_features);
    if (m.centres.size() > 4096) return;
    const std::size_t n = 3;
    std::vector<double> X(n * m.n_features);
    for (std::size_t i = 0; i < X.size(); ++i) X[i] = static_cast<double>(i % 5) - 2.0;
    std::vector<std::int32_t> labels(n, -1);
    m.predict(X.data(), n, labels.data());
    for (std::int32_t l : labels) check(l >= 0 && static_cast<std::size_t>(l) < m.n_clusters);
}

void exercise(const marketlearn::io::BetaGeoModelFile& m) {
    const double t[] = {0.0, 5.0, 52.0}, x[] = {0, 2, 10}, tx[] = {0, 3, 30}, T[] = {1, 10, 40};
    double expected[3], alive[3];
    m.conditional_expected_purchases(t, x, tx, T, 3, expected);
    m.probability_alive(x, tx, T, 3, alive);
    for (int i = 0; i < 3; ++i) {
        check(!(expected[i] < 0.0));
        check(!(alive[i] < 0.0) && !(alive[i] > 1.0));
    }
}

void exercise(const marketlearn::io::GammaGammaModelFile& m) {
    const double x[] = {0, 1, 7}, value[] = {0, 12.5, 80};
    double spend[3];
    m.expected_average_profit(x, value, 3, spend);
    for (double s : spend) check(!(s < 0.0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    marketlearn::io::json::Limits limits;
    limits.max_values = 1 << 16;  // keep each run fast; the limits themselves are tested
    limits.max_depth = 32;
    try {
        const auto value = marketlearn::io::json::parse(text, limits);
        (void)value;
    } catch (const marketlearn::invalid_argument&) {
    }
    try {
        exercise(marketlearn::io::parse_model(text, limits));
    } catch (const marketlearn::invalid_argument&) {
    }
    try {
        const auto file = marketlearn::io::parse_model_file(text, limits);
        std::visit([](const auto& model) { exercise(model); }, file.model);
    } catch (const marketlearn::invalid_argument&) {
    }
    return 0;
}
