// Serve a model trained in Python from C++: load a model file written by
// marketlearn.save_model and print predictions for the rows of a CSV file.
//
//   serve_model <model.json> [rows.csv | -]      (no file or "-": read the CSV from stdin)
//
// The CSV has a header row. A model fitted on a pandas DataFrame knows its column names:
// the CSV may then hold more columns, in any order, and only those are used. A model
// fitted on an array takes the CSV's columns as they are (as many as it has features).
// Every cell must be a number: preprocess (one-hot encode, scale) as in training first.
//
// Output, CSV on stdout, one line per input row, numbers with 17 significant digits (so
// they read back to the same doubles):
//   classifiers: prediction,<P(class) for each class>   (hinge loss: the scores instead)
//   regressors:  prediction
//   k-means (KMeans, MiniBatchKMeans): segment   (the index of the nearest centre)
//
// In Python:
//   >>> marketlearn.save_model(ChurnClassifier().fit(X_df, y), "churn.json")
// then:
//   $ serve_model churn.json customers.csv
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <marketlearn/marketlearn.hpp>

#include "csv_table.hpp"

namespace {

double parse_cell(const std::string& cell, std::size_t row, const std::string& column) {
    double value = 0;
    const char* first = cell.data();
    const char* last = cell.data() + cell.size();
    while (first != last && (*first == ' ' || *first == '\t')) ++first;
    while (last != first && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\r')) --last;
    const auto [end, ec] = std::from_chars(first, last, value);
    if (first == last || ec != std::errc() || end != last) {
        throw std::runtime_error("row " + std::to_string(row + 1) + ", column '" + column +
                                 "': '" + cell + "' is not a number");
    }
    return value;
}

/// Row-major n_rows x d matrix of the model's features, in the model's order: selected by
/// name when the model knows its feature names, else the CSV's columns as they are.
std::vector<double> feature_matrix(const csv_example::CsvTable& table,
                                   const std::vector<std::string>& feature_names, std::size_t d) {
    std::vector<std::size_t> columns;
    if (!feature_names.empty()) {
        for (const std::string& name : feature_names) {
            const std::size_t j = table.find_column(name);
            if (j == csv_example::CsvTable::npos) {
                throw std::runtime_error("the CSV has no column '" + name +
                                         "', a feature the model was fitted with");
            }
            columns.push_back(j);
        }
    } else {
        if (table.header.size() != d) {
            throw std::runtime_error("the CSV has " + std::to_string(table.header.size()) +
                                     " columns but the model has " + std::to_string(d) +
                                     " features (and no feature names to select them by)");
        }
        for (std::size_t j = 0; j < d; ++j) columns.push_back(j);
    }
    std::vector<double> X(table.rows.size() * d);
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            X[i * d + j] = parse_cell(table.rows[i][columns[j]], i, table.header[columns[j]]);
        }
    }
    return X;
}

/// A label or header cell as CSV: quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: serve_model <model.json> [rows.csv | -]\n";
        return 2;
    }
    try {
        const marketlearn::io::ModelFile file = marketlearn::io::load_model_file(argv[1]);
        if (file.family != "linear" && file.family != "kmeans") {
            // BG/NBD and Gamma-Gamma take per-customer summaries, not feature rows.
            throw std::runtime_error("serve_model serves linear and k-means models; this file holds the '" +
                                     file.family + "' family (see BetaGeoModelFile / GammaGammaModelFile)");
        }
        const std::string source = argc == 3 ? argv[2] : "-";
        const csv_example::CsvTable table =
            source == "-" ? csv_example::read_csv(std::cin) : csv_example::read_csv_file(source);
        const std::size_t n = table.rows.size();
        std::cout << std::setprecision(std::numeric_limits<double>::max_digits10);

        if (file.family == "kmeans") {
            const marketlearn::io::KMeansModelFile& kmeans = file.kmeans();
            const std::vector<double> X = feature_matrix(table, kmeans.feature_names, kmeans.n_features);
            std::cerr << "serve_model: " << kmeans.estimator << " (" << kmeans.n_clusters << " clusters, "
                      << kmeans.n_features << " features, written by marketlearn "
                      << kmeans.marketlearn_version << "), " << n << " rows\n";
            std::vector<std::int32_t> labels(n);
            kmeans.predict(X.data(), n, labels.data());
            std::cout << "segment\n";
            for (std::int32_t label : labels) std::cout << label << '\n';
            return 0;
        }
        const marketlearn::io::LinearModelFile& model = file.linear();
        const std::vector<double> X = feature_matrix(table, model.feature_names, model.n_features());

        std::cerr << "serve_model: " << model.estimator << " (loss " << model.loss << ", "
                  << model.n_features() << " features, written by marketlearn "
                  << model.marketlearn_version << "), " << n << " rows\n";

        if (!model.is_classifier()) {
            std::vector<double> y(n);
            model.predict(X.data(), n, y.data());
            std::cout << "prediction\n";
            for (double v : y) std::cout << v << '\n';
            return 0;
        }
        const std::vector<std::string> labels = model.predict_labels(X.data(), n);
        const std::size_t k = model.has_predict_proba() ? model.classes.size() : model.n_outputs();
        std::vector<double> values(n * k);
        std::cout << "prediction";
        if (model.has_predict_proba()) {
            model.predict_proba(X.data(), n, values.data());
            for (const std::string& c : model.classes) std::cout << ',' << csv_field("proba_" + c);
        } else {
            model.decision_function(X.data(), n, values.data());
            if (k == 1) {
                std::cout << ",score";
            } else {
                for (const std::string& c : model.classes) std::cout << ',' << csv_field("score_" + c);
            }
        }
        std::cout << '\n';
        for (std::size_t i = 0; i < n; ++i) {
            std::cout << csv_field(labels[i]);
            for (std::size_t c = 0; c < k; ++c) std::cout << ',' << values[i * k + c];
            std::cout << '\n';
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "serve_model: " << e.what() << '\n';
        return 1;
    }
}
