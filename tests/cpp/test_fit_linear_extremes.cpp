// fit_linear on extreme but finite data: every loss and optimizer either fits finite
// coefficients or says why not (invalid_argument), never undefined behaviour. The
// sanitizer build (.ci/test, build/asan) runs this on every SIMD level; it pins the
// fuzzer's first finding (xsimd's exp of a score of 1e300, see simd/losses.hpp).

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "marketlearn/core/error.hpp"
#include "marketlearn/models/linear.hpp"
#include "marketlearn/simd/losses.hpp"

namespace models = marketlearn::models;
using marketlearn::simd::loss_kind;

TEST_CASE("exp_bounded equals exp everywhere, NaN included", "[simd][losses]") {
    const double inf = std::numeric_limits<double>::infinity();
    for (double x : {-1e300, -1e4, -745.2, -10.0, 0.0, 1.5, 709.0, 710.0, 1e4, 1e300, -inf, inf}) {
        INFO(x);
        CHECK(marketlearn::simd::detail::exp_bounded(x) == std::exp(x));
        CHECK(marketlearn::simd::detail::exp_bounded(static_cast<float>(x)) ==
              std::exp(static_cast<float>(x)));
    }
    CHECK(std::isnan(marketlearn::simd::detail::exp_bounded(std::nan(""))));
}

TEST_CASE("fit_linear on scores of 1e300: a finite model or invalid_argument", "[models][extremes]") {
    const std::vector<double> X = {1e300, -1e300, 0.5, 1e300, -2.0, 1e-300, 3.0, -1e300};
    const std::size_t n_rows = 4, n_cols = 2;
    const loss_kind losses[] = {loss_kind::logistic,      loss_kind::squared_error, loss_kind::huber,
                                loss_kind::hinge,         loss_kind::modified_huber,
                                loss_kind::poisson,       loss_kind::gamma,         loss_kind::tweedie};
    const models::Optimizer optimizers[] = {models::Optimizer::sgd, models::Optimizer::adam,
                                            models::Optimizer::lbfgs};
    for (loss_kind loss : losses) {
        const bool classification = models::is_classification_loss(loss);
        const std::vector<double> y = classification ? std::vector<double>{1, -1, 1, -1}
                                                     : std::vector<double>{1, 2, 0.5, 3};
        for (models::Optimizer optimizer : optimizers) {
            INFO("loss " << static_cast<int>(loss) << ", optimizer " << static_cast<int>(optimizer));
            models::LinearFitOptions<double> o;
            o.loss = loss;
            o.optimizer = optimizer;
            o.max_iter = 3;
            o.schedule.eta0 = 1.0;
            try {
                const auto fit = models::fit_linear<double>(X.data(), n_rows, n_cols, y.data(), nullptr, o);
                for (double c : fit.model.coef) CHECK(std::isfinite(c));
                CHECK(std::isfinite(fit.model.intercept));
            } catch (const marketlearn::invalid_argument& e) {
                CHECK_THAT(e.what(), Catch::Contains("non-finite") || Catch::Contains("diverged"));
            }
        }
    }
}

TEST_CASE("fit_linear names the bad parameter or value", "[models][validation]") {
    const std::vector<double> X = {1, 2, 3, 4, 5, 6}, y = {1, -1, 1};
    auto error_of = [&](auto change, const std::vector<double>& yy = {1, -1, 1},
                        const double* sw = nullptr, const std::vector<double>& XX = {1, 2, 3, 4, 5, 6}) {
        models::LinearFitOptions<double> o;
        change(o);
        try {
            models::fit_linear<double>(XX.data(), 3, 2, yy.data(), sw, o);
        } catch (const marketlearn::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const auto same = [](models::LinearFitOptions<double>&) {};
    const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
    CHECK_THAT(error_of([](auto& o) { o.alpha = -1; }), Catch::Contains("alpha=-1"));
    CHECK_THAT(error_of([&](auto& o) { o.alpha = nan; }), Catch::Contains("alpha="));
    CHECK_THAT(error_of([](auto& o) { o.l1_ratio = 2; }), Catch::Contains("l1_ratio=2"));
    CHECK_THAT(error_of([](auto& o) { o.batch_size = 0; }), Catch::Contains("batch_size=0"));
    CHECK_THAT(error_of([](auto& o) { o.max_iter = 0; }), Catch::Contains("max_iter=0"));
    CHECK_THAT(error_of([](auto& o) { o.n_iter_no_change = 0; }), Catch::Contains("n_iter_no_change=0"));
    CHECK_THAT(error_of([&](auto& o) { o.tol = nan; }), Catch::Contains("tol"));
    CHECK_THAT(error_of([](auto& o) { o.schedule.eta0 = 0; }), Catch::Contains("eta0"));
    CHECK_THAT(error_of([](auto& o) { o.schedule.eta0 = -1; }), Catch::Contains("eta0"));
    CHECK_THAT(error_of([](auto& o) { o.early_stopping = true, o.validation_fraction = 1.5; }),
               Catch::Contains("validation_fraction=1.5"));
    CHECK_THAT(error_of(same, {1, -1, 0.5}), Catch::Contains("y[2]=0.5"));
    CHECK_THAT(error_of(same, {1, -1, nan}), Catch::Contains("y[2]=nan"));
    const std::vector<double> negative = {1, -1, 1};
    CHECK_THAT(error_of(same, y, negative.data()), Catch::Contains("sample_weight[1]=-1"));
    const std::vector<double> infinite = {1, inf, 1};
    CHECK_THAT(error_of(same, y, infinite.data()), Catch::Contains("sample_weight[1]=inf"));
    CHECK_THAT(error_of(same, y, nullptr, {1, 2, nan, 4, 5, 6}), Catch::Contains("X contains nan"));
    CHECK_THAT(error_of([](auto& o) { o.loss = loss_kind::poisson; }, {1, -1, 2}),
               Catch::Contains("y[1]=-1"));
    CHECK_THAT(error_of([](auto& o) { o.loss = loss_kind::gamma; }, {1, 0, 2}), Catch::Contains("y[1]=0"));
}
