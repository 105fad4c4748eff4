// Churn prediction from a customer table, in C++ end to end.
//
//   churn <customers.csv> [target column = Churn] [id column = customerID]
//
// e.g. with the IBM Telco customer churn data (../shared/data/telco_churn):
//   churn Telco-Customer-Churn.csv Churn customerID
//
// Steps: read the CSV; label = 1 when the target is "Yes" (or "1"); drop the id column;
// numeric columns stay numbers (a blank numeric cell counts as 0, as TotalCharges is blank
// for customers in their first month), other columns are one-hot encoded (categories in
// sorted order); a stratified 75/25 split with a fixed seed; standardize with the
// training split's statistics; fit L2-regularized logistic regression with L-BFGS; report
// the test ROC AUC and the strongest churn drivers.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <marketlearn/marketlearn.hpp>

#include "csv_table.hpp"

namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

/// Parses the whole (trimmed) text as a finite number.
bool parse_number(const std::string& text, double& value) {
    if (text.empty()) return false;
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(value);
}

bool is_positive_label(const std::string& raw) {
    const std::string v = trim(raw);
    return v == "Yes" || v == "yes" || v == "YES" || v == "1" || v == "True" || v == "true";
}

/// A design matrix built from table columns: names and row-major values.
struct Features {
    std::vector<std::string> names;
    std::vector<double> X;  // n_rows x names.size(), row-major
    std::size_t n_rows = 0;
};

Features encode(const csv_example::CsvTable& table, const std::vector<std::size_t>& columns) {
    const std::size_t n = table.rows.size();
    // Plan: one output column per numeric input, one per category otherwise.
    struct Plan {
        std::size_t source;
        bool numeric;
        std::vector<std::string> categories;  // sorted
    };
    std::vector<Plan> plans;
    std::size_t width = 0;
    for (std::size_t c : columns) {
        Plan plan{c, true, {}};
        std::set<std::string> seen;
        for (const auto& row : table.rows) {
            const std::string v = trim(row[c]);
            double x;
            if (!v.empty() && !parse_number(v, x)) plan.numeric = false;
            seen.insert(v);
        }
        if (!plan.numeric) plan.categories.assign(seen.begin(), seen.end());
        width += plan.numeric ? 1 : plan.categories.size();
        plans.push_back(std::move(plan));
    }

    Features f;
    f.n_rows = n;
    f.X.assign(n * width, 0.0);
    std::size_t offset = 0;
    for (const Plan& plan : plans) {
        const std::string& name = table.header[plan.source];
        if (plan.numeric) {
            f.names.push_back(name);
            for (std::size_t i = 0; i < n; ++i) {
                double x = 0;  // blank numeric cell -> 0
                parse_number(trim(table.rows[i][plan.source]), x);
                f.X[i * width + offset] = x;
            }
            offset += 1;
        } else {
            std::map<std::string, std::size_t> index;
            for (std::size_t k = 0; k < plan.categories.size(); ++k) {
                index[plan.categories[k]] = k;
                f.names.push_back(name + "=" + plan.categories[k]);
            }
            for (std::size_t i = 0; i < n; ++i) {
                f.X[i * width + offset + index.at(trim(table.rows[i][plan.source]))] = 1.0;
            }
            offset += plan.categories.size();
        }
    }
    return f;
}

/// Fisher-Yates with mt19937_64 (fully specified by the standard), so the split is the
/// same with every standard library, unlike std::shuffle.
void portable_shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

/// Stratified split: test_fraction of each class goes to the test set.
void stratified_split(const std::vector<double>& y, double test_fraction, std::uint64_t seed,
                      std::vector<std::size_t>& train, std::vector<std::size_t>& test) {
    std::mt19937_64 rng(seed);
    for (double label : {0.0, 1.0}) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < y.size(); ++i) {
            if (y[i] == label) members.push_back(i);
        }
        portable_shuffle(members, rng);
        const auto n_test = static_cast<std::size_t>(std::lround(test_fraction * double(members.size())));
        test.insert(test.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_test));
        train.insert(train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_test), members.end());
    }
    std::sort(train.begin(), train.end());
    std::sort(test.begin(), test.end());
}

std::vector<double> take_rows(const std::vector<double>& X, std::size_t width,
                              const std::vector<std::size_t>& rows) {
    std::vector<double> out(rows.size() * width);
    for (std::size_t k = 0; k < rows.size(); ++k) {
        std::copy_n(X.begin() + static_cast<std::ptrdiff_t>(rows[k] * width), width,
                    out.begin() + static_cast<std::ptrdiff_t>(k * width));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " <customers.csv> [target column = Churn] "
                  << "[id column = customerID]\n";
        return 2;
    }
    const std::string path = argv[1];
    const std::string target = argc > 2 ? argv[2] : "Churn";
    const std::string id_column = argc > 3 ? argv[3] : "customerID";

    try {
        namespace ml = marketlearn;
        const csv_example::CsvTable table = csv_example::read_csv_file(path);
        const std::size_t target_col = table.find_column(target);
        if (target_col == csv_example::CsvTable::npos) {
            std::cerr << "error: no column '" << target << "' in " << path << "\n";
            return 1;
        }
        const std::size_t id_col = table.find_column(id_column);
        if (id_col == csv_example::CsvTable::npos) {
            std::cerr << "note: no id column '" << id_column << "'; keeping every column\n";
        }

        std::vector<double> y(table.rows.size());
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = is_positive_label(table.rows[i][target_col]) ? 1 : 0;
        std::vector<std::size_t> feature_columns;
        for (std::size_t j = 0; j < table.header.size(); ++j) {
            if (j != target_col && j != id_col) feature_columns.push_back(j);
        }
        const Features all = encode(table, feature_columns);
        const std::size_t p = all.names.size();

        std::vector<std::size_t> train_rows, test_rows;
        stratified_split(y, 0.25, /*seed=*/42, train_rows, test_rows);
        std::vector<double> X_train = take_rows(all.X, p, train_rows);
        std::vector<double> X_test = take_rows(all.X, p, test_rows);
        std::vector<double> y_train, y_test;
        for (std::size_t i : train_rows) y_train.push_back(y[i]);
        for (std::size_t i : test_rows) y_test.push_back(y[i]);

        // Standardize with the training split only: the test set stays unseen.
        const std::size_t n_train = train_rows.size(), n_test = test_rows.size();
        for (std::size_t j = 0; j < p; ++j) {
            double mean = 0, var = 0;
            for (std::size_t i = 0; i < n_train; ++i) mean += X_train[i * p + j];
            mean /= double(n_train);
            for (std::size_t i = 0; i < n_train; ++i) {
                const double d = X_train[i * p + j] - mean;
                var += d * d;
            }
            const double sd = std::sqrt(var / double(n_train));
            const double scale = sd > 0 ? 1 / sd : 1;  // a constant column stays 0
            for (std::size_t i = 0; i < n_train; ++i) X_train[i * p + j] = (X_train[i * p + j] - mean) * scale;
            for (std::size_t i = 0; i < n_test; ++i) X_test[i * p + j] = (X_test[i * p + j] - mean) * scale;
        }

        ml::models::LogisticRegressionOptions<double> options;
        options.alpha = 1e-4;
        options.solver = ml::models::Solver::lbfgs;
        const auto fit = ml::models::fit_logistic_regression<double>(
            X_train.data(), n_train, p, y_train.data(), nullptr, options);

        std::vector<double> proba(n_test);
        fit.model.predict_proba(X_test.data(), n_test, proba.data());
        const double auc = ml::models::roc_auc(y_test.data(), proba.data(), n_test);

        std::cout << std::setprecision(6) << "data:        " << path << "\n"
                  << "n_train:     " << n_train << "\n"
                  << "n_test:      " << n_test << "\n"
                  << "n_features:  " << p << " (after one-hot encoding)\n"
                  << "churn rate:  "
                  << std::count(y.begin(), y.end(), 1.0) / double(y.size()) << "\n"
                  << "iterations:  " << fit.result.iterations << " (L-BFGS, "
                  << ml::optim::describe(fit.result.reason) << ")\n"
                  << "objective:   " << fit.result.objective << "\n"
                  << "SIMD level:  " << ml::simd::name(ml::simd::kernels<double>().simd_level)
                  << "\n"
                  << "test ROC AUC: " << std::setprecision(4) << auc << "\n";

        // The churn drivers a marketer asks about first: largest standardized effects.
        std::vector<std::size_t> order(p);
        for (std::size_t j = 0; j < p; ++j) order[j] = j;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::fabs(fit.model.coef[a]) > std::fabs(fit.model.coef[b]);
        });
        std::cout << "strongest drivers (coefficient per standard deviation; > 0 raises churn):\n";
        for (std::size_t k = 0; k < std::min<std::size_t>(5, p); ++k) {
            std::cout << "  " << std::setw(40) << std::left << all.names[order[k]] << std::right
                      << std::showpos << std::setprecision(3) << fit.model.coef[order[k]]
                      << std::noshowpos << "\n";
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
