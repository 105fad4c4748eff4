// Optimizers on a seeded synthetic logistic problem, their stopping rules and callbacks,
// and the input checks of fit_logistic_regression.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/marketlearn.hpp"
#include "test_support.hpp"

namespace optim = marketlearn::optim;
namespace models = marketlearn::models;
using marketlearn::objective::LogisticObjective;
using marketlearn_test::make_logistic_data;
using marketlearn_test::seed_for;

namespace {

using Vector = Eigen::VectorXd;

/// The shared problem: 2000 rows x 8 features, weighted, with an intercept.
struct Problem {
    marketlearn_test::LogisticData<double> data;
    LogisticObjective<double> f;
    Vector w_star;
    double f_star = 0;

    Problem()
        : data(make_logistic_data<double>(2000, 8, seed_for(301))),
          f(data.X.data(), data.n_rows, data.n_cols, data.y_pm1.data(), data.weight.data(), 1e-3,
            true) {
        typename optim::LBFGS<double>::Options o;
        o.max_iter = 500;
        o.gradient_tol = 1e-12;
        o.tol = 0;  // stop on the gradient only
        w_star = Vector::Zero(static_cast<Eigen::Index>(f.num_parameters()));
        f_star = optim::LBFGS<double>(o).optimize(f, w_star).objective;
    }

    Vector zeros() const { return Vector::Zero(w_star.size()); }
    double gap(const Vector& w) const { return (f.evaluate(w) - f_star) / f_star; }
};

Problem& problem() {
    static Problem p;
    return p;
}

/// Stops the run once `stop_at` epochs have been seen; counts every hook.
struct StopAfter {
    std::size_t stop_at;
    std::size_t epochs = 0, begins = 0, ends = 0;
    optim::Result<double> seen{};

    void begin_optimization(const Vector&) { ++begins; }
    bool end_epoch(std::size_t epoch, double, const Vector&) {
        ++epochs;
        return epoch >= stop_at;
    }
    void end_optimization(const Vector&, const optim::Result<double>& r) {
        ++ends;
        seen = r;
    }
};

/// A callback with only one hook: the others must be optional.
struct CountEpochs {
    std::size_t n = 0;
    bool end_epoch(std::size_t, double, const Vector&) {
        ++n;
        return false;
    }
};

}  // namespace

TEST_CASE("L-BFGS reaches a gradient norm below 1e-8", "[optim][lbfgs]") {
    Problem& p = problem();
    Vector grad;
    p.f.evaluate_with_gradient(p.w_star, grad);
    CHECK(grad.norm() < 1e-8);
    CHECK(std::isfinite(p.f_star));

    // The defaults a user gets also land on the optimum.
    Vector w = p.zeros();
    const auto r = optim::LBFGS<double>({}).optimize(p.f, w);
    CHECK(r.converged);
    CHECK(r.iterations < 100);
    CHECK(r.objective == Approx(p.f.evaluate(w)).epsilon(1e-14));
    CHECK(p.gap(w) < 1e-7);  // default gradient_tol = 1e-5 (max-abs)
}

TEST_CASE("L-BFGS in float gets close to the double optimum", "[optim][lbfgs][float]") {
    Problem& p = problem();
    const auto& d = p.data;
    std::vector<float> X(d.X.begin(), d.X.end()), y(d.y_pm1.begin(), d.y_pm1.end()),
        sw(d.weight.begin(), d.weight.end());
    LogisticObjective<float> f(X.data(), d.n_rows, d.n_cols, y.data(), sw.data(), 1e-3f, true);
    Eigen::VectorXf w = Eigen::VectorXf::Zero(p.w_star.size());
    const auto r = optim::LBFGS<float>({}).optimize(f, w);
    // At the float optimum the line search may find no representable decrease before
    // max|grad| reaches gradient_tol: that ends the run there, not by running out.
    INFO("stopped: " << optim::describe(r.reason));
    CHECK(r.reason != optim::StopReason::max_iter);
    CHECK(r.reason != optim::StopReason::callback);
    CHECK(p.gap(w.cast<double>()) < 1e-6);
}

TEST_CASE("gradient descent, SGD and mini-batch SGD approach the L-BFGS optimum", "[optim]") {
    Problem& p = problem();

    SECTION("full-batch gradient descent: relative gap < 1e-8") {
        Vector w = p.zeros();
        typename optim::GradientDescent<double>::Options o;
        o.max_iter = 2000;
        o.tol = 0;
        o.gradient_tol = 1e-10;
        const auto r = optim::GradientDescent<double>(o, {1.0}).optimize(p.f, w);
        CHECK(r.converged);
        CHECK(r.reason == optim::StopReason::converged_gradient);
        CHECK(p.gap(w) < 1e-8);
    }
    SECTION("SGD, batch 1, inverse scaling: relative gap < 1e-2") {
        Vector w = p.zeros();
        typename optim::SGD<double, optim::InverseScalingSchedule<double>>::Options o;
        o.max_iter = 30;
        o.tol = 0;
        o.seed = 7;
        const auto r =
            optim::SGD<double, optim::InverseScalingSchedule<double>>(o, {0.3, 0.5}).optimize(p.f, w);
        CHECK(r.iterations == 30);
        CHECK(p.gap(w) < 1e-2);
    }
    SECTION("mini-batch SGD, batch 32, constant rate: relative gap < 1e-3") {
        Vector w = p.zeros();
        typename optim::SGD<double>::Options o;
        o.max_iter = 100;
        o.tol = 0;
        o.batch_size = 32;
        o.seed = 11;
        optim::SGD<double>(o, {0.05}).optimize(p.f, w);
        CHECK(p.gap(w) < 1e-3);
    }
    SECTION("SGD without shuffling is deterministic and still converges") {
        typename optim::SGD<double>::Options o;
        o.max_iter = 30;
        o.tol = 0;
        o.batch_size = 16;
        o.shuffle = false;
        Vector w1 = p.zeros(), w2 = p.zeros();
        optim::SGD<double>(o, {0.05}).optimize(p.f, w1);
        optim::SGD<double>(o, {0.05}).optimize(p.f, w2);
        CHECK((w1 - w2).norm() == 0.0);
        CHECK(p.gap(w1) < 1e-2);
    }
}

TEST_CASE("gradient descent with a small step never increases the loss", "[optim][gd][history]") {
    Problem& p = problem();
    Vector w = p.zeros();
    typename optim::GradientDescent<double>::Options o;
    o.max_iter = 200;
    o.tol = 0;
    optim::LossHistory<double> history;
    const auto r = optim::GradientDescent<double>(o, {0.5}).optimize(p.f, w, history);
    REQUIRE(history.values.size() == r.iterations);
    REQUIRE(history.values.size() == 200);
    for (std::size_t i = 1; i < history.values.size(); ++i) {
        INFO("iteration " << i);
        CHECK(history.values[i] <= history.values[i - 1] * (1 + 1e-15));
    }
    CHECK(history.values.back() == r.objective);
    CHECK(history.values.front() > history.values.back());
}

TEST_CASE("running out of iterations reports max_iter, not convergence", "[optim][stop]") {
    Problem& p = problem();
    {
        Vector w = p.zeros();
        typename optim::GradientDescent<double>::Options o;
        o.max_iter = 3;
        o.tol = 0;
        const auto r = optim::GradientDescent<double>(o, {0.5}).optimize(p.f, w);
        CHECK_FALSE(r.converged);
        CHECK(r.reason == optim::StopReason::max_iter);
        CHECK(r.iterations == 3);
    }
    {
        Vector w = p.zeros();
        typename optim::LBFGS<double>::Options o;
        o.max_iter = 2;
        const auto r = optim::LBFGS<double>(o).optimize(p.f, w);
        CHECK_FALSE(r.converged);
        CHECK(r.reason == optim::StopReason::max_iter);
        CHECK(r.iterations == 2);
    }
    {
        Vector w = p.zeros();
        typename optim::SGD<double>::Options o;
        o.max_iter = 2;
        o.tol = 0;
        const auto r = optim::SGD<double>(o, {0.01}).optimize(p.f, w);
        CHECK_FALSE(r.converged);
        CHECK(r.reason == optim::StopReason::max_iter);
        CHECK(r.iterations == 2);
    }
    // Through the model layer as well.
    models::LogisticRegressionOptions<double> o;
    o.max_iter = 2;
    const auto& d = p.data;
    const auto fit = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                                     nullptr, o);
    CHECK_FALSE(fit.result.converged);
    CHECK(fit.result.reason == optim::StopReason::max_iter);
    CHECK(fit.loss_curve.size() == 2);
    CHECK(std::string(optim::describe(fit.result.reason)).find("max_iter") != std::string::npos);
}

TEST_CASE("a callback returning true stops the run", "[optim][callback]") {
    Problem& p = problem();
    auto check_stopped = [](const optim::Result<double>& r, const StopAfter& cb,
                            const CountEpochs& counter) {
        CHECK(r.reason == optim::StopReason::callback);
        CHECK_FALSE(r.converged);
        CHECK(r.iterations == 4);
        CHECK(cb.epochs == 4);
        CHECK(cb.begins == 1);
        CHECK(cb.ends == 1);
        CHECK(cb.seen.reason == optim::StopReason::callback);
        CHECK(counter.n == 4);  // every callback sees the stopping epoch
    };
    SECTION("gradient descent") {
        Vector w = p.zeros();
        StopAfter cb{4};
        CountEpochs counter;
        typename optim::GradientDescent<double>::Options o;
        o.tol = 0;
        check_stopped(optim::GradientDescent<double>(o, {0.5}).optimize(p.f, w, cb, counter), cb,
                      counter);
    }
    SECTION("L-BFGS") {
        Vector w = p.zeros();
        StopAfter cb{4};
        CountEpochs counter;
        check_stopped(optim::LBFGS<double>({}).optimize(p.f, w, cb, counter), cb, counter);
    }
    SECTION("SGD") {
        Vector w = p.zeros();
        StopAfter cb{4};
        CountEpochs counter;
        typename optim::SGD<double>::Options o;
        o.tol = 0;
        check_stopped(optim::SGD<double>(o, {0.01}).optimize(p.f, w, cb, counter), cb, counter);
    }
    SECTION("fit_logistic_regression forwards callbacks") {
        StopAfter cb{4};
        CountEpochs counter;
        const auto& d = p.data;
        const auto fit = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols,
                                                         d.y01.data(), d.weight.data(),
                                                         models::LogisticRegressionOptions<double>{},
                                                         nullptr, cb, counter);
        check_stopped(fit.result, cb, counter);
        CHECK(fit.loss_curve.size() == 4);
    }
}

TEST_CASE("fit_logistic_regression matches the optimum and every solver gets near it",
          "[models][fit]") {
    Problem& p = problem();
    const auto& d = p.data;
    models::LogisticRegressionOptions<double> o;
    o.alpha = 1e-3;
    o.tol = 1e-8;
    auto fit = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                               d.weight.data(), o);
    CHECK(fit.result.converged);
    REQUIRE(fit.model.coef.size() == d.n_cols);
    for (std::size_t j = 0; j < d.n_cols; ++j) CHECK(fit.model.coef[j] == Approx(p.w_star[j]).margin(1e-6));
    CHECK(fit.model.intercept == Approx(p.w_star[d.n_cols]).margin(1e-6));
    CHECK(fit.result.objective == Approx(p.f_star).epsilon(1e-12));
    CHECK(fit.loss_curve.size() == fit.result.iterations);

    // predict_proba is sigma(decision_function) and lies in [0, 1].
    std::vector<double> z(d.n_rows), prob(d.n_rows);
    fit.model.decision_function(d.X.data(), d.n_rows, z.data());
    fit.model.predict_proba(d.X.data(), d.n_rows, prob.data());
    for (std::size_t i = 0; i < d.n_rows; i += 97) {
        CHECK(prob[i] == Approx(1 / (1 + std::exp(-z[i]))).epsilon(1e-12));
    }
    CHECK(models::roc_auc(d.y01.data(), prob.data(), d.n_rows) > 0.7);

    // Warm start from the optimum: converged at once.
    const auto warm = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                                      d.weight.data(), o, &fit.model);
    CHECK(warm.result.iterations <= 1);

    o.solver = models::Solver::gd;
    o.eta0 = 1.0;
    o.tol = 1e-12;
    o.max_iter = 3000;
    fit = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                          d.weight.data(), o);
    CHECK(fit.result.objective == Approx(p.f_star).epsilon(1e-6));

    o.solver = models::Solver::sgd;
    o.batch_size = 32;
    o.eta0 = 0.05;
    o.tol = 0;
    o.max_iter = 100;
    fit = models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                          d.weight.data(), o);
    Vector w(p.w_star.size());
    for (std::size_t j = 0; j < d.n_cols; ++j) w[j] = fit.model.coef[j];
    w[d.n_cols] = fit.model.intercept;
    CHECK(p.gap(w) < 1e-3);
}

TEST_CASE("fit_logistic_regression names the bad argument", "[models][errors]") {
    const auto d = make_logistic_data<double>(50, 3, seed_for(302));
    using marketlearn::invalid_argument;
    using Catch::Contains;
    models::LogisticRegressionOptions<double> o;
    auto fit = [&](const std::vector<double>& X, std::size_t n_rows, const std::vector<double>& y,
                   const double* sw, const models::LogisticRegressionOptions<double>& opts) {
        return models::fit_logistic_regression<double>(X.data(), n_rows, 3, y.data(), sw, opts);
    };

    CHECK_THROWS_AS(fit(d.X, 0, d.y01, nullptr, o), invalid_argument);
    CHECK_THROWS_WITH(fit(d.X, 0, d.y01, nullptr, o), Contains("n_samples") || Contains("rows"));

    auto X = d.X;
    X[7] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(fit(X, 50, d.y01, nullptr, o), invalid_argument);
    CHECK_THROWS_WITH(fit(X, 50, d.y01, nullptr, o), Contains("X") && Contains("nan"));
    X[7] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(fit(X, 50, d.y01, nullptr, o), invalid_argument);

    auto y = d.y01;
    y[3] = -1;  // +-1 labels are not accepted at the model layer: y is 0/1
    CHECK_THROWS_AS(fit(d.X, 50, y, nullptr, o), invalid_argument);
    CHECK_THROWS_WITH(fit(d.X, 50, y, nullptr, o), Contains("y[3]"));
    y[3] = 0.5;
    CHECK_THROWS_WITH(fit(d.X, 50, y, nullptr, o), Contains("y[3]"));

    auto sw = d.weight;
    sw[5] = -0.1;
    CHECK_THROWS_AS(fit(d.X, 50, d.y01, sw.data(), o), invalid_argument);
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, sw.data(), o), Contains("sample_weight"));
    sw[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, sw.data(), o), Contains("sample_weight"));
    std::vector<double> zero(50, 0.0);
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, zero.data(), o), Contains("sample_weight"));

    auto bad = o;
    bad.alpha = -1e-3;
    CHECK_THROWS_AS(fit(d.X, 50, d.y01, nullptr, bad), invalid_argument);
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, nullptr, bad), Contains("alpha"));
    bad = o;
    bad.max_iter = 0;
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, nullptr, bad), Contains("max_iter"));
    bad = o;
    bad.solver = models::Solver::sgd;
    bad.batch_size = 0;
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, nullptr, bad), Contains("batch_size"));
    bad = o;
    bad.solver = models::Solver::sgd;
    bad.eta0 = 0;
    CHECK_THROWS_WITH(fit(d.X, 50, d.y01, nullptr, bad), Contains("eta0"));
    CHECK_THROWS_AS(models::fit_logistic_regression<double>(d.X.data(), 50, 0, d.y01.data(), nullptr, o),
                    invalid_argument);
}

TEST_CASE("a diverging step size is an error, not NaN coefficients", "[optim][errors]") {
    // Features in the thousands with eta0 = 1e4: the objective overflows within a few steps.
    auto d = make_logistic_data<double>(200, 3, seed_for(303));
    for (auto& x : d.X) x *= 1e4;
    models::LogisticRegressionOptions<double> o;
    o.solver = models::Solver::gd;
    o.eta0 = 1e4;
    o.alpha = 1.0;
    CHECK_THROWS_AS(models::fit_logistic_regression<double>(d.X.data(), d.n_rows, d.n_cols, d.y01.data(),
                                                    nullptr, o),
                    marketlearn::invalid_argument);
}

TEMPLATE_TEST_CASE("a separable problem with alpha > 0 has finite coefficients",
                   "[models][separable]", float, double) {
    using T = TestType;
    const auto d = make_logistic_data<T>(400, 4, seed_for(304), 1.0, /*separable=*/true);
    for (auto solver : {models::Solver::lbfgs, models::Solver::gd, models::Solver::sgd}) {
        INFO("solver " << static_cast<int>(solver));
        models::LogisticRegressionOptions<T> o;
        o.alpha = T(1e-3);
        o.solver = solver;
        o.eta0 = T(0.5);
        o.max_iter = 300;
        const auto fit = models::fit_logistic_regression<T>(d.X.data(), d.n_rows, d.n_cols,
                                                         d.y01.data(), nullptr, o);
        for (T c : fit.model.coef) CHECK(std::isfinite(c));
        CHECK(std::isfinite(fit.model.intercept));
        CHECK(std::isfinite(fit.result.objective));
        // Separable: the fitted model classifies (nearly) every training row correctly.
        std::vector<T> z(d.n_rows);
        fit.model.decision_function(d.X.data(), d.n_rows, z.data());
        std::size_t correct = 0;
        for (std::size_t i = 0; i < d.n_rows; ++i) correct += (z[i] > 0) == (d.y01[i] > T(0.5));
        CHECK(double(correct) / double(d.n_rows) > 0.95);
        // The penalty keeps ||coef|| bounded: alpha/2 ||coef||^2 <= f(0) = log 2.
        double norm2 = 0;
        for (T c : fit.model.coef) norm2 += double(c) * double(c);
        CHECK(0.5 * 1e-3 * norm2 <= std::log(2.0) + 1e-6);
    }
}

namespace {
/// Fits with `options` (check_input off) on copies of a small logistic data set with one
/// entry made NaN, +inf or -inf, in the first row, a row of weight 0 and the last row, for
/// each loss, and checks each fit throws `message`.
template <class T, class Message>
void check_each_non_finite_X_refused(
    std::initializer_list<marketlearn::simd::loss_kind> losses,
    models::LinearFitOptions<T> options, const Message& message) {
    using marketlearn::simd::loss_kind;
    const auto d = make_logistic_data<T>(300, 5, seed_for(305));
    std::vector<T> weight(d.n_rows, T(1));
    weight[7] = T(0);
    const T bad_values[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                            -std::numeric_limits<T>::infinity()};
    options.check_input = false;
    for (const auto kind : losses) {
        const bool signs = kind == loss_kind::logistic || kind == loss_kind::hinge;
        const std::vector<T>& y = signs ? d.y_pm1 : d.y01;
        options.loss = kind;
        for (const std::size_t row : {std::size_t(0), std::size_t(7), d.n_rows - 1}) {
            for (const T bad : bad_values) {
                auto X = d.X;
                X[row * d.n_cols + 2] = bad;
                CAPTURE(static_cast<int>(kind), row, bad);
                CHECK_THROWS_WITH(models::fit_linear<T>(X.data(), d.n_rows, d.n_cols, y.data(),
                                                        weight.data(), options),
                                  message);
            }
        }
    }
}
}  // namespace

TEMPLATE_TEST_CASE("full-batch fits refuse a non-finite X in their first pass, unchecked",
                   "[optim][errors][finite]", float, double) {
    // The Python layer skips its own NaN / infinity pass over X and relies on this: any
    // non-finite entry, in any row (also one of weight 0) and for any loss, makes the
    // first gradient non-finite, and lbfgs and gd refuse it before a step.
    using T = TestType;
    using marketlearn::simd::loss_kind;
    for (const auto optimizer : {models::Optimizer::lbfgs, models::Optimizer::gd}) {
        CAPTURE(static_cast<int>(optimizer));
        models::LinearFitOptions<T> o;
        o.optimizer = optimizer;
        o.max_iter = 5;
        check_each_non_finite_X_refused<T>(
            {loss_kind::logistic, loss_kind::squared_error, loss_kind::poisson, loss_kind::hinge},
            o, Catch::Contains("at the starting coefficients"));
    }
}

TEMPLATE_TEST_CASE("stochastic fits refuse a non-finite X within their first epoch, unchecked",
                   "[optim][errors][finite]", float, double) {
    // As above, for the stochastic optimizers: every row is visited in the first epoch, a
    // mini-batch's gradient is then non-finite, and a one-row step's value carries
    // x . v * 0. The hinge loss is the hard case: at a NaN decision value its loss and
    // derivative are 0 (comparisons with NaN are false), so a skipped update would hide the
    // row. With L1 the proximal step would turn NaN weights into exact zeros.
    using T = TestType;
    using marketlearn::simd::loss_kind;
    struct Setup {
        models::Optimizer optimizer;
        std::size_t batch_size;
        T clip_norm, l1_ratio;
    };
    const Setup setups[] = {
        {models::Optimizer::sgd, 1, T(0), T(0)},     // the scaled one-row steps
        {models::Optimizer::sgd, 1, T(10), T(0)},    // one-row steps through the batch loop
        {models::Optimizer::sgd, 16, T(0), T(0)},    // mini-batches
        {models::Optimizer::sgd, 16, T(0), T(0.5)},  // mini-batches with an L1 proximal step
        {models::Optimizer::adam, 32, T(0), T(0)},
    };
    for (const auto& setup : setups) {
        CAPTURE(static_cast<int>(setup.optimizer), setup.batch_size, setup.clip_norm,
                setup.l1_ratio);
        models::LinearFitOptions<T> o;
        o.optimizer = setup.optimizer;
        o.batch_size = setup.batch_size;
        o.clip_norm = setup.clip_norm;
        o.l1_ratio = setup.l1_ratio;
        o.max_iter = 1;  // the check must not wait for a second epoch
        o.tol = 0;
        check_each_non_finite_X_refused<T>(
            {loss_kind::logistic, loss_kind::squared_error, loss_kind::hinge}, o,
            Catch::Contains("diverged") && Catch::Contains("NaN"));
    }
}

namespace {
/// f(w) = 0.5 h ||w - a||^2, recording where it is evaluated.
struct RecordingQuadratic {
    double h;
    Vector a;
    mutable std::vector<Vector> points;
    double evaluate(const Vector& w) const { return 0.5 * h * (w - a).squaredNorm(); }
    double evaluate_with_gradient(const Vector& w, Vector& g) const {
        points.push_back(w);
        g = h * (w - a);
        return evaluate(w);
    }
};
}  // namespace

TEST_CASE("L-BFGS's first trial step moves the coefficients a unit distance", "[optim][lbfgs]") {
    // Liu and Nocedal's (and scipy's L-BFGS-B) first trial, 1 / ||g||: with a small
    // gradient a trial step of 1 barely moves. The optimum here is 3 away, the gradient
    // at 0 has norm 0.03: the first trial must land at distance 1 (then 2, 4: doubling).
    RecordingQuadratic f{0.01, Vector::Constant(4, 1.5), {}};
    Vector w = Vector::Zero(4);
    typename optim::LBFGS<double>::Options o;
    o.max_iter = 1;
    optim::LBFGS<double>(o).optimize(f, w);
    REQUIRE(f.points.size() >= 2);
    CHECK(f.points[0].norm() == 0.0);
    CHECK(f.points[1].norm() == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("L-BFGS refuses options it cannot honour, naming them", "[optim][lbfgs][errors]") {
    using Catch::Matchers::Contains;
    using marketlearn::invalid_argument;
    using Options = optim::LBFGS<double>::Options;
    auto make = [](Options o) { return optim::LBFGS<double>(o); };
    Options o;
    o.memory = 0;
    CHECK_THROWS_WITH(make(o), Contains("memory=0"));
    o = {};
    o.gradient_tol = -1;
    CHECK_THROWS_AS(make(o), invalid_argument);
    for (double scale : {0.0, -1.0, std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN()}) {
        CAPTURE(scale);
        o = {};
        o.value_scale = scale;
        CHECK_THROWS_AS(make(o), invalid_argument);
        CHECK_THROWS_WITH(make(o), Contains("value_scale"));
    }
}
