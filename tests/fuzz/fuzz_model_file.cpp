// libFuzzer target: the JSON reader and the model-file loader on arbitrary bytes.
//
// Findings: a sanitizer report (memory error, undefined behaviour, leak), an exception
// other than marketlearn::invalid_argument, a timeout, or a broken invariant of a model
// that loaded (checked below; __builtin_trap marks it).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
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
    return 0;
}
