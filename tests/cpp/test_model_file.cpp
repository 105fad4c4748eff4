// The JSON reader and the model-file loader: valid files predict what Python predicts
// (values computed independently here), and every kind of bad input is an
// invalid_argument that says where and why.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <fstream>
#include <string>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/io/json.hpp"
#include "marketlearn/io/model_file.hpp"

namespace json = marketlearn::io::json;
using marketlearn::io::LinearModelFile;
using marketlearn::io::Link;
using marketlearn::io::parse_model;

namespace {

/// A model file as Python's save_model writes it, with the family and attributes given.
std::string model_text(const std::string& family, const std::string& attributes,
                       const std::string& estimator = "ChurnClassifier") {
    return R"({
  "format": "marketlearn-model",
  "version": 1,
  "marketlearn_version": "0.1.0",
  "estimator": ")" + estimator + R"(",
  "family": )" + family + R"(,
  "params": {"alpha": 0.0001, "solver": "lbfgs", "random_state": null},
  "attributes": {
)" + attributes + "\n  }\n}\n";
}

const std::string logit = R"({"name": "linear", "loss": "log_loss", "link": "logit"})";

const std::string churn_attributes = R"(    "n_features_in_": 3,
    "classes_": {"dtype": "object", "shape": [2], "data": ["No", "Yes"]},
    "coef_": {"dtype": "float64", "shape": [1, 3], "data": [0.5, -1.25, 2.0]},
    "intercept_": {"dtype": "float64", "shape": [1], "data": [0.1]},
    "feature_names_in_": {"dtype": "object", "shape": [3], "data": ["tenure", "charges", "calls"]},
    "n_iter_": 12,
    "objective_": 0.25)";

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// The invalid_argument message of parse_model(text), or "" if it parses.
std::string error_of(const std::string& text) {
    try {
        parse_model(text);
    } catch (const marketlearn::invalid_argument& e) {
        return e.what();
    }
    return "";
}

std::string json_error_of(const std::string& text, const json::Limits& limits = {}) {
    try {
        json::parse(text, limits);
    } catch (const marketlearn::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("json: values, escapes, numbers", "[io][json]") {
    const json::Value v = json::parse(
        R"( {"a": [1, -0, 2.5e-3, 1E+2, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "e": {}} )");
    REQUIRE(v.is(json::Kind::object));
    const json::Value& a = *v.find("a");
    REQUIRE(a.size() == 7);
    CHECK(a.items()[0].is_integer());
    CHECK(a.items()[0].number() == 1.0);
    CHECK(a.items()[1].text() == "-0");
    CHECK(a.items()[2].number() == 2.5e-3);
    CHECK_FALSE(a.items()[2].is_integer());
    CHECK(a.items()[3].number() == 100.0);
    CHECK(a.items()[4].boolean());
    CHECK_FALSE(a.items()[5].boolean());
    CHECK(a.items()[6].is(json::Kind::null));
    CHECK(v.find("s")->text() == "q\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(v.find("e")->size() == 0);
    CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json: doubles are read correctly rounded (shortest repr round-trips)", "[io][json]") {
    const char* texts[] = {"0.1", "0.30000000000000004", "1.7976931348623157e+308",
                           "5e-324", "2.2250738585072014e-308", "-16.47422489222672",
                           "1e-400", "123456789012345678901234567890"};
    const double values[] = {0.1, 0.30000000000000004, 1.7976931348623157e+308, 5e-324,
                             2.2250738585072014e-308, -16.47422489222672, 0.0,
                             123456789012345678901234567890.0};
    for (std::size_t i = 0; i < std::size(texts); ++i) {
        INFO(texts[i]);
        CHECK(json::parse(texts[i]).number() == values[i]);
    }
}

TEST_CASE("json: malformed input is an error with its position", "[io][json]") {
    struct Case {
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {"", "unexpected end of input"},
        {"[1, 2,]", "trailing comma"},
        {"{\"a\": 1,}", "trailing comma"},
        {"{\"a\" 1}", "expected ':'"},
        {"{\"a\": 1 \"b\": 2}", "expected ',' or '}'"},
        {"[1 2]", "expected ',' or ']'"},
        {"{\"a\": 1, \"a\": 2}", "duplicate key \"a\""},
        {"01", "leading zero"},
        {"1.", "expected a digit after '.'"},
        {"-", "expected a digit"},
        {"1e", "exponent"},
        {"NaN", "unexpected character"},
        {"Infinity", "unexpected character"},
        {"-Infinity", "expected a digit"},
        {"1e400", "out of range"},
        {"-1e400", "out of range"},
        {"1" + std::string(400, '0') + "e-10", "out of range"},
        {"tru", "invalid literal"},
        {"nul", "invalid literal"},
        {"\"abc", "unterminated string"},
        {"\"a\tb\"", "control character"},
        {"\"\\x\"", "invalid escape"},
        {"\"\\u12zz\"", "hex digit"},
        {"\"\\u12\"", "truncated \\u escape"},
        {"\"\\ud800\"", "high surrogate"},
        {"\"\\udc00\"", "lone low surrogate"},
        {"\"\xC3\"", "UTF-8"},
        {"\"\xC0\xAF\"", "invalid UTF-8"},
        {"\"\xED\xA0\x80\"", "invalid UTF-8"},
        {"\"\xF4\x90\x80\x80\"", "invalid UTF-8"},
        {"\xEF\xBB\xBF{}", "byte-order mark"},
        {"{} {}", "after the JSON value"},
        {"// c\n{}", "unexpected character"},
        {"{'a': 1}", "expected a string key"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string message = json_error_of(c.text);
        CHECK_THAT(message, Catch::Contains(c.message));
        CHECK_THAT(message, Catch::Contains("line") || Catch::Contains("JSON:"));
    }
    CHECK_THAT(json_error_of("{\n  \"a\": [1,\n   2,]\n}"), Catch::Contains("line 3, column 6"));
}

TEST_CASE("json: limits on depth, size, values and strings", "[io][json]") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_THAT(json_error_of(deep), Catch::Contains("nesting deeper than 64"));
    json::Limits limits;
    limits.max_depth = 3;
    CHECK(json_error_of("[[[1]]]", limits).empty());
    CHECK_THAT(json_error_of("[[[[1]]]]", limits), Catch::Contains("nesting deeper than 3"));
    limits = {};
    limits.max_bytes = 10;
    CHECK_THAT(json_error_of("[1, 2, 3, 4, 5]", limits), Catch::Contains("more than the limit of 10"));
    limits = {};
    limits.max_values = 4;
    CHECK(json_error_of("[1, 2, 3]", limits).empty());
    CHECK_THAT(json_error_of("[1, 2, 3, 4]", limits), Catch::Contains("more than 4 values"));
    limits = {};
    limits.max_string_bytes = 8;
    CHECK_THAT(json_error_of("\"0123456789abcdef\"", limits), Catch::Contains("string longer than 8"));
}

TEST_CASE("model file: a ChurnClassifier file predicts as Python does", "[io][model_file]") {
    const LinearModelFile m = parse_model(model_text(logit, churn_attributes));
    CHECK(m.estimator == "ChurnClassifier");
    CHECK(m.marketlearn_version == "0.1.0");
    CHECK(m.loss == "log_loss");
    CHECK(m.link == Link::logit);
    CHECK(m.dtype == "float64");
    CHECK(m.classes == std::vector<std::string>{"No", "Yes"});
    CHECK(m.feature_names == std::vector<std::string>{"tenure", "charges", "calls"});
    REQUIRE(m.n_features() == 3);
    REQUIRE(m.n_outputs() == 1);
    CHECK(m.has_predict_proba());

    const std::vector<double> X = {1.0, 2.0, 3.0, -4.0, 0.5, 0.0};
    std::vector<double> z(2), p(4);
    m.decision_function(X.data(), 2, z.data());
    const double z0 = 0.5 * 1 - 1.25 * 2 + 2.0 * 3 + 0.1, z1 = 0.5 * -4 - 1.25 * 0.5 + 0.1;
    CHECK(z[0] == Approx(z0).epsilon(1e-15));
    CHECK(z[1] == Approx(z1).epsilon(1e-15));
    m.predict_proba(X.data(), 2, p.data());
    CHECK(p[1] == Approx(sigmoid(z0)).epsilon(1e-14));
    CHECK(p[0] + p[1] == Approx(1.0).epsilon(1e-15));
    CHECK(p[3] == Approx(sigmoid(z1)).epsilon(1e-14));
    CHECK(m.predict_labels(X.data(), 2) == std::vector<std::string>{"Yes", "No"});
    CHECK_THROWS_WITH(m.predict(X.data(), 2, z.data()), Catch::Contains("is a classifier"));
}

TEST_CASE("model file: labels as text, float32 models, one-vs-rest, regressors", "[io][model_file]") {
    SECTION("numeric and boolean labels") {
        std::string attrs = churn_attributes;
        attrs.replace(attrs.find(R"("dtype": "object", "shape": [2], "data": ["No", "Yes"])"),
                      std::string(R"("dtype": "object", "shape": [2], "data": ["No", "Yes"])").size(),
                      R"("dtype": "int64", "shape": [2], "data": [-1, 1])");
        CHECK(parse_model(model_text(logit, attrs)).classes == std::vector<std::string>{"-1", "1"});
        attrs.replace(attrs.find(R"("int64", "shape": [2], "data": [-1, 1])"),
                      std::string(R"("int64", "shape": [2], "data": [-1, 1])").size(),
                      R"("bool", "shape": [2], "data": [false, true])");
        CHECK(parse_model(model_text(logit, attrs)).classes == std::vector<std::string>{"False", "True"});
    }
    SECTION("float32 coefficients are read as the float64 values written") {
        const std::string attrs = R"("n_features_in_": 1,
            "classes_": {"dtype": "str", "shape": [2], "data": ["a", "b"]},
            "coef_": {"dtype": "float32", "shape": [1, 1], "data": [0.10000000149011612]},
            "intercept_": {"dtype": "float32", "shape": [1], "data": [-2.5]})";
        const LinearModelFile m = parse_model(model_text(logit, attrs));
        CHECK(m.dtype == "float32");
        CHECK(m.outputs[0].coef[0] == static_cast<double>(0.1f));
        std::string bad = attrs;
        bad.replace(bad.find("0.10000000149011612"), 19, "0.1");
        CHECK_THAT(error_of(model_text(logit, bad)), Catch::Contains("attributes.coef_.data[0]=0.1 is not a float32 value"));
    }
    SECTION("one-vs-rest: a row per class, probabilities normalized") {
        const std::string attrs = R"("n_features_in_": 2,
            "classes_": {"dtype": "str", "shape": [3], "data": ["bronze", "gold", "silver"]},
            "coef_": {"dtype": "float64", "shape": [3, 2], "data": [1, 0, 0, 1, -1, -1]},
            "intercept_": {"dtype": "float64", "shape": [3], "data": [0, 0.5, 0]})";
        const LinearModelFile m = parse_model(model_text(logit, attrs, "GDClassifier"));
        REQUIRE(m.n_outputs() == 3);
        const std::vector<double> X = {2.0, 1.0};
        std::vector<double> z(3), p(3);
        m.decision_function(X.data(), 1, z.data());
        CHECK(z == std::vector<double>{2.0, 1.5, -3.0});
        m.predict_proba(X.data(), 1, p.data());
        const double total = sigmoid(2.0) + sigmoid(1.5) + sigmoid(-3.0);
        CHECK(p[0] == Approx(sigmoid(2.0) / total).epsilon(1e-14));
        CHECK(p[2] == Approx(sigmoid(-3.0) / total).epsilon(1e-14));
        CHECK(m.predict_labels(X.data(), 1) == std::vector<std::string>{"bronze"});

        const std::string huber = R"({"name": "linear", "loss": "modified_huber", "link": "identity"})";
        const LinearModelFile mh = parse_model(model_text(huber, attrs, "GDClassifier"));
        mh.predict_proba(X.data(), 1, p.data());
        CHECK(p[0] == 0.5);  // (clip(z, -1, 1) + 1) / 2 = 1, 1, 0; then / total
        CHECK(p[1] == 0.5);
        CHECK(p[2] == 0.0);

        const std::string hinge = R"({"name": "linear", "loss": "hinge", "link": "identity"})";
        const LinearModelFile mhinge = parse_model(model_text(hinge, attrs, "GDClassifier"));
        CHECK_FALSE(mhinge.has_predict_proba());
        CHECK_THROWS_WITH(mhinge.predict_proba(X.data(), 1, p.data()), Catch::Contains("loss='hinge'"));
    }
    SECTION("regressors: identity and log link") {
        const std::string attrs = R"("n_features_in_": 2,
            "coef_": {"dtype": "float64", "shape": [2], "data": [0.5, -0.25]},
            "intercept_": {"dtype": "float64", "shape": [1], "data": [1.0]})";
        const std::vector<double> X = {2.0, 4.0};
        double y = 0;
        const LinearModelFile linear = parse_model(model_text(
            R"({"name": "linear", "loss": "squared_error", "link": "identity"})", attrs, "GDRegressor"));
        CHECK_FALSE(linear.is_classifier());
        linear.predict(X.data(), 1, &y);
        CHECK(y == 1.0);
        const LinearModelFile poisson = parse_model(model_text(
            R"({"name": "linear", "loss": "poisson", "link": "log"})", attrs, "GDRegressor"));
        poisson.predict(X.data(), 1, &y);
        CHECK(y == Approx(std::exp(1.0)).epsilon(1e-15));
        CHECK_THROWS_WITH(poisson.predict_class_index(X.data(), 1), Catch::Contains("is a regressor"));
    }
}

TEST_CASE("model file: every malformed file is an error naming the key", "[io][model_file]") {
    const std::string good = model_text(logit, churn_attributes);
    REQUIRE(error_of(good).empty());
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string text = good;
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), to);
    };
    struct Case {
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {"[]", "the document must be an object"},
        {"{}", "has no \"format\""},
        {replaced("marketlearn-model", "pickle"), "not a marketlearn model file"},
        {replaced("\"version\": 1", "\"version\": 3"), "version is 3, newer than this reader"},
        {replaced("\"version\": 1", "\"version\": 0"), "version=0 is out of range"},
        {replaced("\"version\": 1", "\"version\": 1.0"), "version must be an integer"},
        {replaced("\"version\": 1", "\"version\": \"1\""), "version must be an integer"},
        {replaced("\"version\": 1,", "\"version\": 1, \"extra\": 3,"), "unknown key \"extra\""},
        {replaced("  \"marketlearn_version\": \"0.1.0\",\n", ""), "lacks the required key \"marketlearn_version\""},
        {replaced("\"estimator\": \"ChurnClassifier\"", "\"estimator\": \"os.system('x')\""), "is not a class name"},
        {replaced("\"name\": \"linear\"", "\"name\": \"kmeans\""), "load_model reads the 'linear' family"},
        {replaced("\"name\": \"linear\"", "\"name\": \"forest\""), "is 'forest'; this reader loads linear, kmeans"},
        {replaced("\"loss\": \"log_loss\"", "\"loss\": \"exotic\""), "not a known loss"},
        {replaced("\"link\": \"logit\"", "\"link\": \"log\""), "has the link 'logit'"},
        {replaced("\"params\": {", "\"params\": [{"), "expected ',' or ']'"},
        {replaced("\"n_features_in_\": 3", "\"n_features_in_\": 4"), "coef_.shape must be [1, 4]"},
        {replaced("\"n_features_in_\": 3", "\"n_features_in_\": 0"), "n_features_in_=0 is out of range"},
        {replaced("\"n_features_in_\": 3", "\"n_features_in_\": 3.5"), "n_features_in_ must be an integer"},
        {replaced("\"n_features_in_\": 3,", ""), "lacks the required attribute \"n_features_in_\""},
        {replaced("\"shape\": [1, 3]", "\"shape\": [3]"), "coef_.shape must be [1, 3]"},
        {replaced("\"shape\": [1, 3]", "\"shape\": [1, 4]"), "coef_.data has 3 elements but the shape says 4"},
        {replaced("\"shape\": [1, 3]", "\"shape\": [1, 3, 1]"), "more than 2 dimensions"},
        {replaced("\"shape\": [1, 3]", "\"shape\": [1, -3]"), "out of range"},
        {replaced("\"shape\": [1, 3]", "\"shape\": [4000000000, 4000000000]"), "out of range"},
        {replaced("\"shape\": [1, 3]", "\"shape\": [4000000, 4000000]"), "more than 4194304 elements"},
        {replaced("[0.5, -1.25, 2.0]", "[0.5, \"-1.25\", 2.0]"), "coef_.data[1] must be a number"},
        {replaced("[0.5, -1.25, 2.0]", "[0.5, NaN, 2.0]"), "unexpected character"},
        {replaced("[0.5, -1.25, 2.0]", "[0.5, 1e999, 2.0]"), "out of range for a double"},
        {replaced("[0.5, -1.25, 2.0]", "[0.5, null, 2.0]"), "coef_.data[1] must be a number"},
        {replaced("\"dtype\": \"float64\", \"shape\": [1, 3]", "\"dtype\": \"int64\", \"shape\": [1, 3]"), "integer for dtype int64"},
        {replaced("\"dtype\": \"float64\", \"shape\": [1, 3]", "\"dtype\": \"complex128\", \"shape\": [1, 3]"), "not a supported dtype"},
        {replaced("\"dtype\": \"float64\", \"shape\": [1, 3]", "\"shape\": [1, 3]"), "lacks the required key \"dtype\""},
        {replaced("\"data\": [\"No\", \"Yes\"]", "\"data\": [\"No\"]"), "data has 1 elements but the shape says 2"},
        {replaced("\"shape\": [2], \"data\": [\"No\", \"Yes\"]", "\"shape\": [1], \"data\": [\"No\"]"), "at least 2 classes"},
        {replaced("\"shape\": [2], \"data\": [\"No\", \"Yes\"]", "\"shape\": [3], \"data\": [\"No\", \"Yes\", \"Maybe\"]"), "coef_.shape must be [3, 3]"},
        {replaced("\"data\": [\"No\", \"Yes\"]", "\"data\": [\"No\", null]"), "must be a string, number or boolean"},
        {replaced("\"classes_\"", "\"labels_\""), "lacks \"classes_\""},
        {replaced("\"n_iter_\": 12", "\"n_iter_\": [12]"), "must be a scalar or"},
        {replaced("\"n_iter_\": 12", "\"n_iter\": 12"), "no trailing '_'"},
        {replaced("\"data\": [0.1]", "\"data\": [0.1, 0.2]"), "shape says 1"},
        {replaced("\"shape\": [1], \"data\": [0.1]", "\"shape\": [2], \"data\": [0.1, 0.2]"), "intercept_.shape must be [1]"},
        {replaced("[\"tenure\", \"charges\", \"calls\"]", "[\"tenure\", 2, \"calls\"]"), "feature_names_in_ must hold strings"},
        {replaced("\"shape\": [3], \"data\": [\"tenure\"", "\"shape\": [2], \"data\": [\"tenure\""), "has 3 elements but the shape says 2"},
        {good.substr(0, good.find("\"attributes\"")), "unexpected end of input in an object"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string message = error_of(c.text);
        CHECK_THAT(message, Catch::Contains(c.message));
        CHECK_THAT(message, Catch::StartsWith("model file: "));
        CHECK_THAT(message, Catch::Contains("line "));
    }
}

TEST_CASE("model file: load_model reads a file and names it in errors", "[io][model_file]") {
    // A name of its own: ctest runs this binary in parallel processes (per SIMD level).
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("marketlearn_test_model_file_" + std::to_string(std::random_device{}()) + ".json"))
                                 .string();
    {
        std::ofstream out(path, std::ios::binary);
        out << model_text(logit, churn_attributes);
    }
    CHECK(marketlearn::io::load_model(path).n_features() == 3);
    {
        std::ofstream out(path, std::ios::binary);
        out << "{\"format\": \"marketlearn-model\", \"version\": 7}";
    }
    CHECK_THROWS_WITH(marketlearn::io::load_model(path),
                      Catch::StartsWith("model file '" + path + "': version is 7"));
    json::Limits small;
    small.max_bytes = 16;
    CHECK_THROWS_WITH(marketlearn::io::load_model(path, small), Catch::Contains("larger than 16 bytes"));
    std::remove(path.c_str());
    CHECK_THROWS_WITH(marketlearn::io::load_model("/nonexistent/model.json"), Catch::Contains("cannot be opened"));
}

namespace {

/// A version-2 file of the family given (kmeans, bgnbd, gamma_gamma).
std::string family_text(const std::string& family, const std::string& attributes,
                        const std::string& estimator, int version = 2) {
    std::string text = model_text(family, attributes, estimator);
    const std::string v1 = "\"version\": 1";
    text.replace(text.find(v1), v1.size(), "\"version\": " + std::to_string(version));
    return text;
}

const std::string kmeans_family = R"({"name": "kmeans"})";
const std::string kmeans_attributes = R"(    "n_features_in_": 2,
    "cluster_centers_": {"dtype": "float64", "shape": [3, 2], "data": [0.0, 0.0, 10.0, 0.0, 0.0, 10.0]},
    "inertia_": 12.5,
    "n_iter_": 4)";
const std::string bgnbd_family = R"({"name": "bgnbd", "parameters": ["r", "alpha", "a", "b"]})";
const std::string bgnbd_attributes =
    R"(    "params_": {"dtype": "float64", "shape": [4], "data": [0.243, 4.414, 0.793, 2.426]},
    "converged_": true)";
const std::string gg_family = R"({"name": "gamma_gamma", "parameters": ["p", "q", "v"]})";
const std::string gg_attributes =
    R"(    "params_": {"dtype": "float64", "shape": [3], "data": [6.25, 3.74, 15.44]})";

std::string any_error_of(const std::string& text) {
    try {
        marketlearn::io::parse_model_file(text);
    } catch (const marketlearn::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("model file: k-means, BG/NBD and Gamma-Gamma files predict", "[io][model_file]") {
    using marketlearn::io::parse_model_file;
    const auto km = parse_model_file(family_text(kmeans_family, kmeans_attributes, "KMeans"));
    REQUIRE(km.family == "kmeans");
    CHECK(km.version == 2);
    const auto& k = km.kmeans();
    CHECK(k.n_clusters == 3);
    CHECK(k.n_features == 2);
    const double X[] = {1, 1, 9, -1, -2, 11, 5, 4.9};  // last row: nearer centre 0 than 1
    std::int32_t labels[4] = {-1, -1, -1, -1};
    k.predict(X, 4, labels);
    CHECK(labels[0] == 0);
    CHECK(labels[1] == 1);
    CHECK(labels[2] == 2);
    CHECK(labels[3] == 0);
    CHECK_THROWS_WITH(km.linear(), Catch::Contains("holds the 'kmeans' family"));

    const auto bg = parse_model_file(family_text(bgnbd_family, bgnbd_attributes, "BetaGeoModel"));
    const double t[] = {10, 10}, x[] = {0, 3}, tx[] = {0, 20}, T[] = {30, 30};
    double expected[2], alive[2];
    bg.bgnbd().conditional_expected_purchases(t, x, tx, T, 2, expected);
    bg.bgnbd().probability_alive(x, tx, T, 2, alive);
    marketlearn::models::BetaGeoParams p{0.243, 4.414, 0.793, 2.426};
    double reference[2];
    marketlearn::models::bgnbd_conditional_expected_purchases(p, t, x, tx, T, 2, reference);
    CHECK(expected[0] == reference[0]);
    CHECK(expected[1] == reference[1]);
    CHECK(alive[0] == 1.0);
    CHECK(alive[1] > 0);
    CHECK(alive[1] < 1);

    const auto gg = parse_model_file(family_text(gg_family, gg_attributes, "GammaGammaModel"));
    const double m[] = {0, 20};
    double spend[2];
    gg.gamma_gamma().expected_average_profit(x, m, 2, spend);
    CHECK(spend[0] == Approx(6.25 * 15.44 / (3.74 - 1)).epsilon(1e-15));
    CHECK(spend[1] == Approx(6.25 * (15.44 + 3 * 20) / (6.25 * 3 + 3.74 - 1)).epsilon(1e-15));
}

TEST_CASE("model file: malformed k-means, BG/NBD and Gamma-Gamma files are errors", "[io][model_file]") {
    const std::string km = family_text(kmeans_family, kmeans_attributes, "KMeans");
    const std::string bg = family_text(bgnbd_family, bgnbd_attributes, "BetaGeoModel");
    const std::string gg = family_text(gg_family, gg_attributes, "GammaGammaModel");
    auto replaced = [](std::string text, const std::string& from, const std::string& to) {
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), to);
    };
    struct Case {
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {replaced(km, "\"version\": 2", "\"version\": 1"), "the family 'kmeans' needs version 2"},
        {replaced(km, "{\"name\": \"kmeans\"}", "{\"name\": \"kmeans\", \"loss\": \"x\"}"), "unknown key \"loss\""},
        {replaced(km, "\"n_features_in_\": 2", "\"n_features_in_\": 3"), "cluster_centers_.shape must be [n_clusters >= 1, 3]"},
        {replaced(km, "\"shape\": [3, 2], \"data\": [0.0, 0.0, 10.0, 0.0, 0.0, 10.0]", "\"shape\": [0, 2], \"data\": []"), "cluster_centers_.shape must be"},
        {replaced(km, "10.0, 0.0, 0.0", "10.0, \"0\", 0.0"), "cluster_centers_.data[3] must be a number"},
        {replaced(km, "\"dtype\": \"float64\", \"shape\": [3, 2]", "\"dtype\": \"int64\", \"shape\": [3, 2]"), "integer for dtype int64"},
        {replaced(km, "\"cluster_centers_\"", "\"centres_\""), "lacks the required attribute \"cluster_centers_\""},
        {replaced(km, "\"inertia_\": 12.5", "\"inertia_\": [1]"), "must be a scalar"},
        {replaced(bg, "\"version\": 2", "\"version\": 3"), "newer than this reader"},
        {replaced(bg, "[\"r\", \"alpha\", \"a\", \"b\"]", "[\"r\", \"a\", \"alpha\", \"b\"]"), "family.parameters must be [r, alpha, a, b]"},
        {replaced(bg, ", \"parameters\": [\"r\", \"alpha\", \"a\", \"b\"]", ""), "lacks the required key \"parameters\""},
        {replaced(bg, "[0.243, 4.414, 0.793, 2.426]", "[0.243, -4.414, 0.793, 2.426]"), "params_.data[1] (alpha=-4.414) must be > 0"},
        {replaced(bg, "[0.243, 4.414, 0.793, 2.426]", "[0.243, 0, 0.793, 2.426]"), "(alpha=0) must be > 0"},
        {replaced(bg, "\"shape\": [4], \"data\": [0.243, 4.414, 0.793, 2.426]", "\"shape\": [3], \"data\": [0.243, 4.414, 0.793]"), "params_.shape must be [4]"},
        {replaced(bg, "[0.243, 4.414, 0.793, 2.426]", "[0.243, 1e999, 0.793, 2.426]"), "out of range for a double"},
        {replaced(bg, "\"dtype\": \"float64\"", "\"dtype\": \"float32\""), "params_.data[0]=0.243 is not a float32 value"},
        {replaced(bg, "[0.243, 4.414, 0.793, 2.426]", "[0.5, 4.0, 0.75, 2.5]").replace(bg.find("float64"), 7, "float32"), "params_.dtype must be float64"},
        {replaced(gg, "\"name\": \"gamma_gamma\"", "\"name\": \"bgnbd\""), "family.parameters must be [r, alpha, a, b]"},
        {replaced(gg, "[6.25, 3.74, 15.44]", "[6.25, 3.74, null]"), "params_.data[2] must be a number"},
        {replaced(gg, "\"params_\"", "\"params\""), "lacks the required attribute \"params_\""},
        {replaced(gg, "\"params_\"", "\"params_\": {\"dtype\": \"float64\", \"shape\": [0], \"data\": []}, \"params\""), "no trailing '_'"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string message = any_error_of(c.text);
        CHECK_THAT(message, Catch::Contains(c.message));
        CHECK_THAT(message, Catch::StartsWith("model file: "));
    }
    // load_model (linear only) names the way to read the others.
    CHECK_THAT(error_of(km), Catch::Contains("load_model_file every family"));
}
