#pragma once
/// \file
/// Fitting any linear model — classifier or regressor, any loss, penalty, optimizer and
/// schedule — through one entry point: fit_linear. GDClassifier / GDRegressor (Python),
/// the churn and LTV models and C++ users all come through here.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/models/linear_model.hpp"
#include "marketlearn/objective/design.hpp"
#include "marketlearn/objective/linear_objective.hpp"
#include "marketlearn/optim/any_schedule.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/lbfgs.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/sgd.hpp"

namespace marketlearn::models {

enum class Optimizer { gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, lbfgs };

/// True for losses whose targets are class signs (-1 / +1).
inline bool is_classification_loss(simd::loss_kind k) noexcept {
    return k == simd::loss_kind::logistic || k == simd::loss_kind::hinge ||
           k == simd::loss_kind::modified_huber;
}

/// True for the GLM losses, whose models predict mu = exp(X . coef + intercept).
inline bool is_log_link_loss(simd::loss_kind k) noexcept {
    return k == simd::loss_kind::poisson || k == simd::loss_kind::gamma ||
           k == simd::loss_kind::tweedie;
}

template <class T>
struct LinearFitOptions {
    simd::loss_kind loss = simd::loss_kind::logistic;
    simd::loss_params<T> loss_params{};
    T alpha = T(1e-4);   ///< penalty strength
    T l1_ratio = T(0);   ///< 0: L2, 1: L1, between: elastic net
    bool fit_intercept = true;

    Optimizer optimizer = Optimizer::sgd;
    std::size_t batch_size = 1;  ///< stochastic optimizers; gd and lbfgs use all rows
    optim::ScheduleSpec<T> schedule{};  ///< its tol / n_iter_no_change are set from below
    T momentum = T(0.9);         ///< momentum, nesterov
    T beta1 = T(0.9);            ///< adam, adamw
    T beta2 = T(0.999);          ///< adam, adamw; rmsprop uses it as its decay rho
    T epsilon = T(1e-8);         ///< adagrad, rmsprop, adam, adamw
    T clip_norm = T(0);
    T clip_value = T(0);

    std::size_t max_iter = 1000;  ///< epochs (stochastic) or iterations (gd, lbfgs)
    /// Objective-improvement rule for first-order methods; gradient tolerance for lbfgs.
    /// <= 0 disables it.
    T tol = T(1e-3);
    std::size_t n_iter_no_change = 5;
    T gradient_tol = T(0);  ///< gd: stop when max |grad_j| <= it
    bool early_stopping = false;
    T validation_fraction = T(0.1);
    bool shuffle = true;
    std::uint64_t random_state = 0;
    int n_jobs = 1;  ///< threads for full passes (scikit-learn convention: -1 = all cores)
    bool check_input = true;  ///< check X, y, weights values (skip if validated already)
    /// Learning-rate clock from earlier runs (partial_fit); see LinearFit::result.updates.
    std::size_t initial_t = 0;
};

template <class T>
struct LinearFit {
    LinearModel<T> model;
    optim::Result<T> result;
    std::vector<T> loss_curve;         ///< objective after each epoch / iteration
    std::vector<T> validation_scores;  ///< accuracy or R^2 per epoch, with early_stopping
};

namespace detail {

template <class T, class Design>
void validate_linear_fit(const Design& design, const T* y, const T* sw,
                         const LinearFitOptions<T>& o) {
    const std::size_t n_rows = design.n_rows, n_cols = design.n_cols;
    require(n_rows > 0, "X has 0 rows (n_samples=0); at least one is required");
    require(n_cols > 0, "X has 0 columns (n_features=0); at least one is required");
    require(y != nullptr, "y must not be null");
    require(std::isfinite(o.alpha) && o.alpha >= T(0), "alpha=", o.alpha, " must be a finite number >= 0");
    require(o.l1_ratio >= T(0) && o.l1_ratio <= T(1), "l1_ratio=", o.l1_ratio, " must be in [0, 1]");
    require(o.max_iter > 0, "max_iter=", o.max_iter, " must be >= 1");
    require(o.n_iter_no_change > 0, "n_iter_no_change=", o.n_iter_no_change, " must be >= 1");
    require(o.batch_size > 0, "batch_size=", o.batch_size, " must be >= 1");
    require(!std::isnan(o.tol), "tol must not be NaN");
    require(o.loss_params.epsilon > T(0) && std::isfinite(o.loss_params.epsilon), "epsilon=",
            o.loss_params.epsilon, " (Huber) must be a finite number > 0");
    require(o.loss_params.power > T(1) && o.loss_params.power < T(2), "power=",
            o.loss_params.power, " (Tweedie) must be in (1, 2)");
    if (o.early_stopping) {
        require(o.validation_fraction > T(0) && o.validation_fraction < T(1),
                "validation_fraction=", o.validation_fraction, " must be in (0, 1)");
    }
    if (o.optimizer == Optimizer::lbfgs) {
        require(o.l1_ratio == T(0) || o.alpha == T(0),
                "optimizer='lbfgs' needs a smooth objective, but l1_ratio=", o.l1_ratio,
                " adds an L1 term; use a first-order optimizer (sgd, adam, gd, ...) for L1");
    }
    if (!o.check_input) return;
    design.require_finite();
    const bool classification = is_classification_loss(o.loss);
    for (std::size_t i = 0; i < n_rows; ++i) {
        const T v = y[i];
        require(std::isfinite(v), "y[", i, "]=", v, " must be finite");
        if (classification) {
            require(v == T(1) || v == T(-1), "y[", i, "]=", v,
                    " must be -1 or +1 for a classification loss");
        } else if (o.loss == simd::loss_kind::gamma) {
            require(v > T(0), "y[", i, "]=", v, " must be > 0 for loss='gamma'");
        } else if (o.loss == simd::loss_kind::poisson || o.loss == simd::loss_kind::tweedie) {
            require(v >= T(0), "y[", i, "]=", v, " must be >= 0 for a Poisson / Tweedie loss");
        }
    }
    if (sw != nullptr) {
        for (std::size_t i = 0; i < n_rows; ++i) {
            require(std::isfinite(sw[i]) && sw[i] >= T(0), "sample_weight[", i, "]=", sw[i],
                    " must be finite and >= 0");
        }
    }
}

/// Random train / validation split of row indices; per class for classification, so both
/// parts keep the class balance (as scikit-learn's stratified split).
template <class T>
void split_validation(const T* y, std::size_t n_rows, bool classification, T fraction,
                      std::uint64_t seed, std::vector<std::size_t>& train,
                      std::vector<std::size_t>& validation) {
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    std::vector<std::vector<std::size_t>> groups(classification ? 2 : 1);
    for (std::size_t i = 0; i < n_rows; ++i) {
        groups[classification && y[i] > T(0) ? 1 : 0].push_back(i);
    }
    for (auto& group : groups) {
        std::shuffle(group.begin(), group.end(), rng);
        const auto n_val = static_cast<std::size_t>(
            std::ceil(static_cast<double>(fraction) * static_cast<double>(group.size())));
        validation.insert(validation.end(), group.begin(), group.begin() + std::min(n_val, group.size()));
        train.insert(train.end(), group.begin() + std::min(n_val, group.size()), group.end());
    }
    std::sort(train.begin(), train.end());  // storage order: faster passes over X
    std::sort(validation.begin(), validation.end());
    require(!train.empty() && !validation.empty(), "validation_fraction=", fraction,
            " leaves an empty training or validation set for ", n_rows, " samples");
}

/// scikit-learn's score on held-out rows: accuracy (classifiers) or R^2 (regressors),
/// sample-weighted.
template <class T, class Design>
struct HeldOutScore {
    const Design* design;
    std::size_t n_cols;
    const T* y;
    const T* sw;
    const std::vector<std::size_t>* rows;
    bool classification;
    bool fit_intercept;
    bool log_link;
    const simd::kernel_table<T>* kernels;

    template <class V>
    double operator()(const V& w) const {
        const T b = fit_intercept ? w[static_cast<Eigen::Index>(n_cols)] : T(0);
        double total = 0, hits = 0, mean = 0;
        for (std::size_t r : *rows) {
            const double weight = sw ? sw[r] : 1.0;
            total += weight;
            mean += weight * y[r];
        }
        if (!(total > 0)) return 0;
        mean /= total;
        double ss_res = 0, ss_tot = 0;
        for (std::size_t r : *rows) {
            const double weight = sw ? sw[r] : 1.0;
            double z = design->dot_row(*kernels, r, w.data()) + b;
            if (log_link) z = std::exp(z);  // GLMs predict mu = e^z: score what they predict
            if (classification) {
                hits += ((z > 0) == (y[r] > 0)) ? weight : 0.0;
            } else {
                ss_res += weight * (y[r] - z) * (y[r] - z);
                ss_tot += weight * (y[r] - mean) * (y[r] - mean);
            }
        }
        if (classification) return hits / total;
        return ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res > 0 ? 0.0 : 1.0);
    }
};

template <class T, class Design, class Update, class V, class... Callbacks>
optim::Result<T> run_first_order(objective::LinearObjective<T, Design>& f, V& w, const LinearFitOptions<T>& o,
                                 const optim::ScheduleSpec<T>& schedule, Update update,
                                 Callbacks&... callbacks) {
    typename optim::SGD<T, optim::AnySchedule<T>, Update>::Options so;
    so.max_iter = o.max_iter;
    so.tol = o.tol;
    so.n_iter_no_change = o.n_iter_no_change;
    so.batch_size = o.optimizer == Optimizer::gd ? 0 : o.batch_size;
    so.shuffle = o.shuffle;
    so.seed = o.random_state;
    so.gradient_tol = o.gradient_tol;
    so.clip_norm = o.clip_norm;
    so.clip_value = o.clip_value;
    so.initial_t = o.initial_t;
    return optim::SGD<T, optim::AnySchedule<T>, Update>(so, optim::AnySchedule<T>(schedule), update)
        .optimize(f, w, callbacks...);
}

}  // namespace detail

/// Fits a linear model z = X . coef + intercept by minimizing
///   (1 / W) sum_i sw_i loss(z_i, y_i) + alpha ((1 - l1_ratio) / 2 ||coef||^2 + l1_ratio ||coef||_1).
///
/// `design` is a view on the data (objective/design.hpp): read in place, never copied.
/// y: -1/+1 for the
/// classification losses (logistic, hinge, modified_huber), the raw target otherwise
/// (>= 0 for poisson / tweedie, > 0 for gamma). sample_weight may be nullptr.
/// `warm_start`, when given, is the starting point; extra callbacks observe or stop the run.
template <class T, class Design, class... Callbacks>
LinearFit<T> fit_linear_design(const Design& design, const T* y,
                               identity_t<const T*> sample_weight,
                               const LinearFitOptions<T>& options,
                               identity_t<const LinearModel<T>*> warm_start = nullptr,
                               Callbacks&&... callbacks) {
    detail::validate_linear_fit(design, y, sample_weight, options);
    const std::size_t n_rows = design.n_rows, n_cols = design.n_cols;
    const bool classification = is_classification_loss(options.loss);

    std::vector<std::size_t> train, validation;
    if (options.early_stopping) {
        detail::split_validation(y, n_rows, classification, options.validation_fraction,
                                 options.random_state, train, validation);
    }
    objective::LinearObjectiveSpec<T> spec;
    spec.loss = options.loss;
    spec.loss_params = options.loss_params;
    spec.alpha = options.optimizer == Optimizer::adamw ? options.alpha * options.l1_ratio : options.alpha;
    spec.l1_ratio = options.optimizer == Optimizer::adamw ? (options.alpha > T(0) && options.l1_ratio > T(0) ? T(1) : T(0))
                                                          : options.l1_ratio;
    spec.fit_intercept = options.fit_intercept;
    spec.n_jobs = resolve_n_jobs(options.n_jobs);
    objective::LinearObjective<T, Design> f(design, y, sample_weight, spec,
                                            train.empty() ? nullptr : train.data(), train.size());

    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    Vector w = Vector::Zero(static_cast<Eigen::Index>(f.num_parameters()));
    if (warm_start != nullptr && !warm_start->coef.empty()) {
        require(warm_start->coef.size() == n_cols, "the warm-start model has ",
                warm_start->coef.size(), " coefficients but X has ", n_cols, " columns");
        for (std::size_t j = 0; j < n_cols; ++j) w[static_cast<Eigen::Index>(j)] = warm_start->coef[j];
        if (options.fit_intercept) w[static_cast<Eigen::Index>(n_cols)] = warm_start->intercept;
    }

    LinearFit<T> fit;
    optim::LossHistory<T> history;
    using Score = detail::HeldOutScore<T, Design>;
    optim::ValidationEarlyStopping<T, Score> stopper{
        Score{&design, n_cols, y, sample_weight, &validation, classification, options.fit_intercept,
              is_log_link_loss(options.loss), &simd::kernels<T>()},
        options.tol, options.n_iter_no_change};
    // With early stopping the tol rule watches the validation score, not the training
    // objective (scikit-learn's convention).
    LinearFitOptions<T> run = options;
    optim::ScheduleSpec<T> schedule = options.schedule;
    schedule.alpha = options.alpha;
    schedule.tol = options.early_stopping ? T(0) : options.tol;
    schedule.n_iter_no_change = options.n_iter_no_change;
    if (schedule.kind == optim::ScheduleKind::cosine && schedule.max_epochs == 0) {
        schedule.max_epochs = options.max_iter;
    }
    if (options.early_stopping) run.tol = T(0);

    auto go = [&](auto&... extra) -> optim::Result<T> {
        switch (options.optimizer) {
            case Optimizer::lbfgs: {
                typename optim::LBFGS<T>::Options lo;
                lo.max_iter = options.max_iter;
                lo.gradient_tol = options.tol > T(0) ? options.tol : T(0);
                return optim::LBFGS<T>(lo).optimize(f, w, history, extra..., callbacks...);
            }
            case Optimizer::gd:
            case Optimizer::sgd:
                return detail::run_first_order(f, w, run, schedule, optim::VanillaUpdate<T>{},
                                               history, extra..., callbacks...);
            case Optimizer::momentum:
                return detail::run_first_order(f, w, run, schedule,
                                               optim::MomentumUpdate<T>{options.momentum}, history,
                                               extra..., callbacks...);
            case Optimizer::nesterov:
                return detail::run_first_order(f, w, run, schedule,
                                               optim::NesterovUpdate<T>{options.momentum}, history,
                                               extra..., callbacks...);
            case Optimizer::adagrad:
                return detail::run_first_order(f, w, run, schedule,
                                               optim::AdagradUpdate<T>{options.epsilon}, history,
                                               extra..., callbacks...);
            case Optimizer::rmsprop:
                return detail::run_first_order(
                    f, w, run, schedule, optim::RMSpropUpdate<T>{options.beta2, options.epsilon},
                    history, extra..., callbacks...);
            case Optimizer::adam:
                return detail::run_first_order(
                    f, w, run, schedule,
                    optim::AdamUpdate<T>{options.beta1, options.beta2, options.epsilon, T(0)}, history,
                    extra..., callbacks...);
            case Optimizer::adamw:
                return detail::run_first_order(
                    f, w, run, schedule,
                    optim::AdamWUpdate<T>{options.beta1, options.beta2, options.epsilon,
                                          options.alpha * (T(1) - options.l1_ratio)},
                    history, extra..., callbacks...);
        }
        throw_invalid_argument("unknown optimizer");
    };
    fit.result = options.early_stopping ? go(stopper) : go();

    require(w.allFinite(), "the fit produced non-finite coefficients; scale the features or "
                           "use a smaller learning rate (eta0)");
    fit.model.coef.assign(w.data(), w.data() + n_cols);
    fit.model.intercept = options.fit_intercept ? w[static_cast<Eigen::Index>(n_cols)] : T(0);
    fit.loss_curve = std::move(history.values);
    fit.validation_scores = std::move(stopper.scores);
    return fit;
}

/// fit_linear_design on dense row-major X (n_rows x n_cols), read in place.
template <class T, class... Callbacks>
LinearFit<T> fit_linear(const T* X, std::size_t n_rows, std::size_t n_cols, const T* y,
                        identity_t<const T*> sample_weight, const LinearFitOptions<T>& options,
                        identity_t<const LinearModel<T>*> warm_start = nullptr,
                        Callbacks&&... callbacks) {
    require(X != nullptr, "X must not be null");
    return fit_linear_design(objective::DenseDesign<T>{X, n_rows, n_cols}, y, sample_weight,
                             options, warm_start, std::forward<Callbacks>(callbacks)...);
}

/// fit_linear_design on CSR data (scipy.sparse.csr_matrix arrays), never densified.
template <class T, class I, class... Callbacks>
LinearFit<T> fit_linear_csr(const T* data, const I* indices, const I* indptr, std::size_t n_rows,
                            std::size_t n_cols, const T* y, identity_t<const T*> sample_weight,
                            const LinearFitOptions<T>& options,
                            identity_t<const LinearModel<T>*> warm_start = nullptr,
                            Callbacks&&... callbacks) {
    return fit_linear_design(objective::CsrDesign<T, I>{data, indices, indptr, n_rows, n_cols}, y,
                             sample_weight, options, warm_start,
                             std::forward<Callbacks>(callbacks)...);
}

}  // namespace marketlearn::models
