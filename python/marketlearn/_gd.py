"""GDClassifier and GDRegressor: linear models fitted by marketlearn's optimizers.

scikit-learn's SGDClassifier / SGDRegressor API (same parameter names where they exist),
with a choice of optimizer (full-batch gradient descent, SGD, momentum, Nesterov,
Adagrad, RMSprop, Adam, AdamW, L-BFGS) and of learning-rate schedule, on the C++ core
(``marketlearn::models::fit_linear``). docs/optimizers.md is the reference for the update
rules, schedules and losses.
"""

from __future__ import annotations

import textwrap
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import d2_tweedie_score, r2_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.extmath import row_norms
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d

from . import _core
from ._progress import make_epoch_hook
from ._validation import (
    check_fit_sample_weight,
    encode_binary_target,
    encode_class_target,
    validate_fit_data,
    validate_partial_fit_data,
    validate_predict_data,
)

__all__ = ["GDClassifier", "GDRegressor"]

OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lbfgs")
SCHEDULES = ("constant", "invscaling", "optimal", "adaptive", "exponential", "step", "cosine")
CLASSIFICATION_LOSSES = ("log_loss", "hinge", "modified_huber")
REGRESSION_LOSSES = ("squared_error", "huber", "poisson", "gamma", "tweedie")
GLM_LOSSES = ("poisson", "gamma", "tweedie")
#: Tweedie power of each GLM loss, for the D^2 score (``tweedie`` uses ``power``).
_GLM_POWER = {"poisson": 1.0, "gamma": 2.0}
#: What validate_data accepts: scipy CSR matrices and arrays as they are; other sparse
#: formats are converted to CSR (never densified).
_SPARSE = "csr"
#: "gd": the objective change below which an iteration counts as no progress at all.
_STALL_TOL = 1e-12

#: ``eta0=None``: the initial learning rate of each optimizer, for classifiers and for
#: regressors (whose squared-error gradients grow with the residuals, so plain and momentum
#: SGD need smaller steps). Sized for standardized features; measured in
#: tests/python/test_gd_convergence.py and examples/python/optimizer_report.py.
DEFAULT_ETA0 = {
    "classifier": {
        "gd": 0.5,
        "sgd": 0.1,
        "momentum": 0.01,
        "nesterov": 0.01,
        "adagrad": 0.1,
        "rmsprop": 0.01,
        "adam": 0.01,
        "adamw": 0.01,
        "lbfgs": 1.0,  # unused: L-BFGS chooses its steps by line search
    },
    "regressor": {
        "gd": 0.1,
        "sgd": 0.001,
        "momentum": 0.0001,
        "nesterov": 0.0001,
        "adagrad": 0.1,
        "rmsprop": 0.01,
        "adam": 0.01,
        "adamw": 0.01,
        "lbfgs": 1.0,
    },
}


#: ``batch_size="auto"``: classic one-row SGD for the plain and momentum methods (as
#: scikit-learn's SGD); the mini-batches of 32 the adaptive methods are made for (Keras'
#: default). With one row per step, Adam and RMSprop take outsized steps on rare one-hot
#: columns (their second-moment estimate is near 0 between occurrences): on the Bank
#: Marketing data they stall 1e-2 above the optimum, against 1e-4 with batches of 32.
AUTO_BATCH_SIZE = {"sgd": 1, "momentum": 1, "nesterov": 1}
_ADAPTIVE_BATCH_SIZE = 32


def _resolve_batch_size(batch_size, optimizer):
    if batch_size == "auto":
        return AUTO_BATCH_SIZE.get(optimizer, _ADAPTIVE_BATCH_SIZE)
    return int(batch_size)


def _auto_learning_rate(optimizer):
    """``learning_rate='auto'``: the schedule each optimizer is best served by.

    Full-batch "gd" converges with a fixed step below 2/L, and Adagrad's per-coordinate
    steps already shrink. The stochastic methods need a decaying rate to settle, and
    "adaptive" (divide by 5 on a plateau; stop below 1e-6) does that without tuning: on
    the Telco churn data it comes within 1e-4 to 5e-4 of the optimum in under 100 epochs,
    where scikit-learn's 'optimal' (SGDClassifier's default) is still 1e-2 away after 200.
    """
    if optimizer in ("gd", "lbfgs", "adagrad"):
        return "constant"
    return "adaptive"


class _BaseGD(BaseEstimator):
    """Parameters, validation and the call into the C++ core, shared by both estimators."""

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "learning_rate": [StrOptions({"auto", *SCHEDULES})],
        "eta0": [Interval(Real, 0, None, closed="neither"), None],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "beta1": [Interval(Real, 0, 1, closed="left")],
        "beta2": [Interval(Real, 0, 1, closed="left")],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "clip_value": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "n_jobs": [Integral, None],
        "callback": [callable, None],
    }

    # ---- what the subclasses define -----------------------------------------------------

    _is_classifier = False

    def _loss_kwargs(self):
        """Loss parameters for the core (Huber's epsilon, Tweedie's power)."""
        return {}

    # ---- resolved settings ------------------------------------------------------------

    def _penalty_terms(self):
        """(alpha, l1_ratio) as the core takes them: penalty=None is alpha=0."""
        if self.penalty is None:
            return 0.0, 0.0
        l1_ratio = {"l2": 0.0, "l1": 1.0}.get(self.penalty, float(self.l1_ratio))
        return float(self.alpha), l1_ratio

    def _schedule(self):
        """(learning_rate, eta0) with 'auto' / None resolved for the chosen optimizer."""
        alpha, _ = self._penalty_terms()
        rate = self.learning_rate
        if rate == "auto":
            rate = _auto_learning_rate(self.optimizer)
        elif rate == "optimal" and not alpha > 0:
            raise ValueError(
                "learning_rate='optimal' sets the rate from the penalty, 1 / (alpha (t0 + t)), "
                f"so it needs alpha > 0 and a penalty; got alpha={self.alpha!r}, "
                f"penalty={self.penalty!r}. Use learning_rate='invscaling' or 'adaptive'."
            )
        kind = "classifier" if self._is_classifier else "regressor"
        eta0 = DEFAULT_ETA0[kind][self.optimizer] if self.eta0 is None else float(self.eta0)
        return rate, eta0

    def _core_options(self, X, y):
        """Keyword arguments of ``_core.fit_linear`` common to every sub-problem."""
        n_samples = X.shape[0]
        alpha, l1_ratio = self._penalty_terms()
        rate, eta0 = self._schedule()
        if (
            self.eta0 is None
            and self.optimizer in ("sgd", "momentum", "nesterov")
            and self.loss in _UNBOUNDED_GRADIENT
        ):
            eta0 = min(eta0, _safe_sgd_step(X, y, self.loss, self.fit_intercept))
        batch_size = _resolve_batch_size(self.batch_size, self.optimizer)
        shuffle = bool(self.shuffle)
        if batch_size >= n_samples:
            # One batch of all rows per epoch: full-batch steps. Visiting the rows in
            # storage order gives the same steps (up to summation order) in one streaming
            # pass, without an index shuffle.
            batch_size, shuffle = n_samples, False
        return dict(
            loss=self.loss,
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=bool(self.fit_intercept),
            optimizer=self.optimizer,
            batch_size=batch_size,
            learning_rate=rate,
            eta0=eta0,
            power_t=float(self.power_t),
            momentum=float(self.momentum),
            beta1=float(self.beta1),
            beta2=float(self.beta2),
            clip_norm=None if self.clip_norm is None else float(self.clip_norm),
            clip_value=None if self.clip_value is None else float(self.clip_value),
            n_iter_no_change=int(self.n_iter_no_change),
            validation_fraction=float(self.validation_fraction),
            shuffle=shuffle,
            n_jobs=_n_jobs(self.n_jobs),
            check_input=False,  # validate_data and the checks here did it
            **self._loss_kwargs(),
        )

    def _core_checks_finite(self):
        """Whether ``fit`` can leave X's NaN / infinity check to the compiled core.

        Without early stopping (which holds rows out) every optimizer visits every row
        before it finishes its first epoch or pass, and a non-finite entry makes that row's
        contribution non-finite (c * NaN, c * inf, 0 * inf): lbfgs and gd refuse a
        non-finite first gradient before any step, the stochastic optimizers a non-finite
        mini-batch gradient or one-row step in the first epoch. So the check costs nothing
        where a separate one is a whole extra pass over X: about a fifth of an L-BFGS fit,
        a tenth of five mini-batch epochs at 1M x 100."""
        return not self.early_stopping

    @contextmanager
    def _explain_non_finite(self, X_given, y_given):
        """Turns the core's refusal of a non-finite gradient into scikit-learn's error for
        a non-finite X, when X was not checked before the fit (_core_checks_finite)."""
        try:
            yield
        except ValueError:
            if self._core_checks_finite():
                # Raises scikit-learn's "Input X contains NaN / infinity" if X has them; if
                # X is finite after all, the core's own error stands.
                validate_fit_data(self, X_given, y_given, accept_sparse=_SPARSE)
            raise

    def _check_supported(self, fitting=True):
        """Combinations the core does not handle correctly yet: refused, not approximated."""
        _, l1_ratio = self._penalty_terms()
        if l1_ratio > 0 and self.optimizer in ("momentum", "nesterov"):
            # The core's proximal (L1) step uses eta, but momentum moves the weights by up
            # to eta / (1 - momentum): the run would settle at the optimum of a weaker L1
            # penalty, without exact zeros.
            raise ValueError(
                f"penalty={self.penalty!r} is not supported with optimizer={self.optimizer!r} "
                "yet: momentum and the L1 proximal step do not converge to the L1 optimum. "
                "Use optimizer='gd', 'sgd', 'adagrad', 'rmsprop' or 'adam' for L1 / elastic "
                "net."
            )
        if fitting:  # partial_fit does not stop early
            self._check_early_stopping()

    def _check_early_stopping(self):
        """Early stopping works for every loss: held-out rows are scored by accuracy
        (classifiers) or R^2 of the prediction, exp(X w + b) for the GLM losses."""

    def _run(
        self,
        X,
        y,
        sample_weight,
        options,
        *,
        coef_init,
        intercept_init,
        seed,
        max_iter,
        tol,
        early_stopping,
        initial_t,
        label=None,
    ):
        """One call into the core; returns its result dict plus ``t`` (the updated clock)."""
        # The core counts Adam's bias-correction steps from the start of each call (its
        # moments restart), so the schedule clock can always be carried across calls.
        carry_clock = True
        gradient_tol = None
        has_l1 = options["alpha"] > 0 and options["l1_ratio"] > 0
        if self.optimizer == "gd" and tol is not None and not has_l1:
            # Each "epoch" of gd is a single step, so an objective change below tol says
            # little: stop on the gradient, as lbfgs does. The objective rule, with a tiny
            # tol, still ends a run that stalls at rounding level or rises (too large a step).
            gradient_tol, tol = tol, _STALL_TOL
        if isinstance(label, np.generic):
            label = label.item()  # "[class 1]", not "[class np.int64(1)]"
        name = getattr(self, "_progress_label", type(self).__name__)
        desc = name + ("" if label is None else f" [class {label!r}]")
        hook = make_epoch_hook(self.verbose, self.callback, int(max_iter), desc)
        try:
            result = _fit_core(
                X,
                y,
                sample_weight,
                **options,
                max_iter=int(max_iter),
                tol=tol,
                gradient_tol=gradient_tol,
                early_stopping=early_stopping,
                random_state=seed,
                initial_t=int(initial_t) if carry_clock else 0,
                coef_init=coef_init,
                intercept_init=intercept_init,
                callback=hook,
            )
            if hook is not None:
                hook.finish(str(result["stop_reason"]))
        finally:
            if hook is not None:
                hook.close()
        result["eta0"] = options["eta0"]
        if self.optimizer == "lbfgs":
            result["t"] = int(initial_t) + int(result["n_iter"])
        else:
            result["t"] = int(result["updates"]) + (0 if carry_clock else int(initial_t))
        return result

    def _warn_if_not_converged(self, results, tol):
        for result in results:
            reason = result["stop_reason"]
            eta0 = result["eta0"]
            if reason == "not_decreasing":
                warnings.warn(
                    f"{type(self).__name__} (optimizer={self.optimizer!r}) did not converge: "
                    "the objective stopped decreasing while it still rose between iterations; "
                    f"the learning rate is too large. Use a smaller eta0 (now {eta0:g}) or "
                    "scale the features (e.g. StandardScaler).",
                    ConvergenceWarning,
                    stacklevel=4,  # the caller of fit (through _fit_context)
                )
                return
            if reason == "max_iter" and tol is not None:
                warnings.warn(
                    f"{type(self).__name__} (optimizer={self.optimizer!r}) did not converge in "
                    f"max_iter={self.max_iter} iterations; increase max_iter, or scale the "
                    "features (e.g. StandardScaler).",
                    ConvergenceWarning,
                    stacklevel=4,  # the caller of fit (through _fit_context)
                )
                return

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR goes to the sparse kernels, never densified
        return tags

    @staticmethod
    def _seeds(random_state, n):
        rng = check_random_state(random_state)
        return [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(n)]

    def _store_results(self, results, multi):
        """n_iter_, t_, loss_curve_, validation_scores_, objective_ from per-problem runs."""
        self.n_iter_ = max(int(r["n_iter"]) for r in results)
        self.t_ = max(r["t"] for r in results)
        curves = [np.asarray(r["loss_curve"]) for r in results]
        self.loss_curve_ = curves if multi else curves[0]
        objectives = np.array([r["objective"] for r in results])
        self.objective_ = objectives if multi else float(objectives[0])
        if any(len(r["validation_scores"]) for r in results):
            scores = [np.asarray(r["validation_scores"]) for r in results]
            self.validation_scores_ = scores if multi else scores[0]
        elif hasattr(self, "validation_scores_"):
            del self.validation_scores_


# ---- shared docstring pieces ---------------------------------------------------------------

_OPTIMIZER_DOC = """\
    optimizer : {"gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", \
"adamw", "lbfgs"}, default="%(optimizer)s"
        The update rule (formulas in docs/optimizers.md):

        - "gd": full-batch gradient descent; every step is one pass over all rows
          (threaded with ``n_jobs``). ``batch_size`` is ignored.
        - "sgd": stochastic gradient descent on ``batch_size`` rows per step.
        - "momentum", "nesterov": SGD with (Nesterov) momentum ``momentum``.
        - "adagrad", "rmsprop", "adam", "adamw": per-coordinate adaptive steps
          (RMSprop's decay is ``beta2``; AdamW's decoupled weight decay is
          ``alpha * (1 - l1_ratio)`` and replaces the L2 term, a slightly different
          objective).
        - "lbfgs": L-BFGS with a strong-Wolfe line search, full batch: the most accurate
          choice for smooth objectives (no L1); ``learning_rate`` and ``eta0`` are ignored.

        With ``batch_size >= n_samples`` every first-order optimizer takes full-batch steps.
    batch_size : int or "auto", default="auto"
        Rows per step of the stochastic optimizers. "auto": 1 (classic SGD) for "sgd",
        "momentum" and "nesterov"; 32 for "adagrad", "rmsprop", "adam" and "adamw" (with
        one row per step they take outsized steps on rare one-hot columns).
    learning_rate : {"auto", "constant", "invscaling", "optimal", "adaptive", \
"exponential", "step", "cosine"}, default="auto"
        The schedule of the step size eta (formulas in docs/optimizers.md):

        - "constant": ``eta0``.
        - "invscaling": ``eta0 / (t + 1) ** power_t`` (t: updates so far).
        - "optimal": ``1 / (alpha (t0 + t))``, Bottou's rate (scikit-learn's default for
          SGDClassifier); needs a penalty with ``alpha > 0``; ignores ``eta0``.
        - "adaptive": ``eta0``, divided by 5 each time ``n_iter_no_change`` epochs pass
          without a ``tol`` improvement (any improvement when ``tol=None``); the fit
          stops when it falls below 1e-6.
        - "exponential": ``eta0 * 0.95 ** epoch``.
        - "step": ``eta0 * 0.5 ** (epoch // 10)``.
        - "cosine": from ``eta0`` down to 0 over ``max_iter`` epochs.
        - "auto": "constant" for "gd" and "adagrad" (whose steps shrink by themselves),
          "adaptive" for the other first-order optimizers: it anneals on plateaus without
          tuning. (scikit-learn's "optimal" is still about 1e-2 above the optimal objective
          after 200 epochs on churn data; "adaptive" gets within 5e-4 in under 100.)

    eta0 : float, default=None
        Initial learning rate; > 0. None picks the optimizer's default, sized for
        standardized features:
%(eta0_defaults)s%(eta0_cap)s
    power_t : float, default=%(power_t)r
        Exponent of the "invscaling" schedule; >= 0.
    momentum : float, default=0.9
        Momentum of "momentum" and "nesterov", in [0, 1).
    beta1, beta2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates, in [0, 1); ``beta2`` is
        also RMSprop's decay.
    clip_norm : float, default=None
        Rescale each gradient to at most this L2 norm; None: no clipping.
    clip_value : float, default=None
        Clip each gradient entry to ``[-clip_value, clip_value]``; None: no clipping.
    max_iter : int, default=1000
        Maximum epochs (passes over the data); for "gd" and "lbfgs", iterations.
    tol : float or None, default=%(tol)r
        The stochastic optimizers stop once the epoch objective has not improved on the
        best so far by ``tol`` for ``n_iter_no_change`` epochs (scikit-learn's SGD rule;
        with ``early_stopping`` the validation score is watched instead). The full-batch
        ones, "lbfgs" and "gd", stop when the largest gradient entry is at most ``tol``
        ("gd" with an L1 penalty, whose gradient does not vanish, uses the objective rule;
        "gd" also stops when its objective stalls or rises). None disables the rule:
        exactly ``max_iter`` epochs run (L-BFGS may still stop at machine precision,
        "adaptive" when its rate falls below 1e-6).
    shuffle : bool, default=True
        Visit the rows in a new random order every epoch (stochastic optimizers).
    verbose : int, default=0
        0: print nothing. 1: show a progress bar (tqdm; a widget in Jupyter) with the
        current objective, updated once per epoch. 2 or more: also print one line per
        epoch (objective, coefficient norm, non-zeros, time). The fit runs without the
        GIL; the bar takes it back once per epoch, and only when verbose > 0.
    random_state : int, RandomState instance or None, default=None
        Seeds the row order and the validation split. Pass an int for reproducible fits.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for classifiers) and stop
        when %(score)s on them has not improved by ``tol`` for ``n_iter_no_change``
        epochs. Not available for the GLM losses yet.
    validation_fraction : float, default=0.1
        Share of rows held out for ``early_stopping``, in (0, 1).
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (``coef_``, ``intercept_``).
    n_jobs : int, default=None
        Threads for full passes over the data ("gd", "lbfgs", the final objective of the
        others) and for predictions; None and -1 mean all cores. Results are bitwise
        identical for any value.
    callback : callable, default=None
        ``callback(epoch, loss, coef)``, called after every epoch (iteration for "gd"
        and "lbfgs") with the epoch's objective (as in ``loss_curve_``) and a copy of the
        coefficients, shape (n_features,). Returning True stops the fit%(callback_ovr)s; an
        exception raised inside stops it and propagates from ``fit``. The fit runs
        without the GIL and takes it back only for this call.
"""

_ATTRIBUTES_DOC = """\
    n_iter_ : int
        Epochs (iterations for "gd" and "lbfgs") run%(n_iter_ovr)s.
    t_ : int
        Updates made so far: the learning-rate clock, continued by ``partial_fit``.
    loss_curve_ : ndarray of shape (n_iter_,)%(curve_ovr)s
        The objective after each epoch: exact for "gd" and "lbfgs"; for mini-batch
        optimizers the average of the mini-batch objectives of the epoch (as
        scikit-learn's SGD reports its loss).
    objective_ : float%(objective_ovr)s
        The exact objective at the final coefficients.
    validation_scores_ : ndarray of shape (n_iter_,)%(curve_ovr)s
        With ``early_stopping``: %(score)s on the held-out rows after each epoch.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
"""


def _fill(doc, **values):
    if "eta0_defaults" in values:
        values["eta0_defaults"] = textwrap.fill(
            values["eta0_defaults"], width=88, initial_indent=" " * 8, subsequent_indent=" " * 8
        )
    return doc % values


class GDClassifier(ClassifierMixin, _BaseGD):
    __doc__ = (
        """Linear classifier fitted by gradient-descent optimizers.

    scikit-learn's ``SGDClassifier`` with a choice of optimizer and schedule: minimizes

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i\\, L(y_i, x_i \\cdot w + b)
        + \\alpha \\left(\\frac{1 - \\rho}{2} \\lVert w \\rVert^2
        + \\rho \\lVert w \\rVert_1\\right)

    with labels ``y_i`` in {-1, +1}, sample weights ``s_i`` (1 by default, times
    ``class_weight``) and ``rho = l1_ratio`` (0 for "l2", 1 for "l1"); the intercept ``b``
    is not penalized. The loss is a weighted *mean*, so ``alpha`` keeps its meaning when
    the number of rows changes; with ``loss="log_loss"`` and ``penalty="l2"`` the optimum
    is that of ``LogisticRegression(C=1 / (alpha * sum(s)))``.

    More than two classes are fitted one-vs-rest, one binary problem per class, each in
    C++ with the GIL released. float32 input is fitted in float32; C-contiguous
    float32/float64 arrays are never copied.

    Parameters
    ----------
    loss : {"log_loss", "hinge", "modified_huber"}, default="log_loss"
        "log_loss": logistic regression (probabilities via ``predict_proba``);
        "hinge": linear SVM; "modified_huber": a smooth hinge robust to outliers, with
        probability estimates.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        L1 and elastic-net penalties set weights to exactly 0 (proximal steps) with
        full-batch "gd" or mini-batches of a few hundred rows; with ``batch_size=1`` the
        weights of irrelevant features stay near 0 (about 1e-5) rather than at 0. They
        need "gd", "sgd", "adagrad", "rmsprop", "adam" or "adamw" (not "lbfgs", and not
        "momentum" or "nesterov" yet).
    alpha : float, default=1e-4
        Penalty strength; >= 0. Also sets the rate of ``learning_rate="optimal"``.
    l1_ratio : float, default=0.15
        L1 share of the "elasticnet" penalty, in [0, 1].
    fit_intercept : bool, default=True
        Whether to fit an intercept.
"""
        + _fill(
            _OPTIMIZER_DOC,
            optimizer="sgd",
            eta0_defaults='0.5 for "gd", 0.1 for "sgd", 0.01 for "momentum" and "nesterov" '
            "(their steps are amplified about ``1/(1-momentum)``-fold), 0.1 for "
            '"adagrad", 0.01 for "rmsprop", "adam" and "adamw".',
            eta0_cap="",
            power_t=0.5,
            tol=1e-3,
            score="the accuracy",
            callback=" (for one-vs-rest, the fit of the current class)",
            callback_ovr=" (for one-vs-rest, the current class's fit; it is called per class)",
        )
        + """    class_weight : dict, "balanced" or None, default=None
        Multiplies each sample's weight by the weight of its class: ``{label: weight}``,
        or "balanced" for ``n_samples / (n_classes * count(label))``. As the loss is a
        weighted mean, only the ratios between class weights matter.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; for two classes ``classes_[1]`` is the positive one.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients, in the dtype of the training data.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (0 when ``fit_intercept=False``).
"""
        + _fill(
            _ATTRIBUTES_DOC,
            n_iter_ovr=" (the most over the one-vs-rest problems)",
            curve_ovr=", or a list of one per class for one-vs-rest",
            objective_ovr=" or ndarray of shape (n_classes,) for one-vs-rest",
            score="the accuracy",
        )
        + """
    See Also
    --------
    ChurnClassifier : the churn preset (L-BFGS, L2 logistic regression).
    GDRegressor : the regression counterpart.
    sklearn.linear_model.SGDClassifier : scikit-learn's SGD.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from marketlearn import GDClassifier
    >>> X, y = make_classification(n_samples=500, random_state=0)
    >>> model = make_pipeline(StandardScaler(), GDClassifier(optimizer="adam", random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.9
    True
    """
    )

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(CLASSIFICATION_LOSSES))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _is_classifier = True
    #: ChurnClassifier sets it: two classes only, the second one positive.
    _binary_only = False

    def __init__(
        self,
        loss="log_loss",
        *,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        optimizer="sgd",
        batch_size="auto",
        learning_rate="auto",
        eta0=None,
        power_t=0.5,
        momentum=0.9,
        beta1=0.9,
        beta2=0.999,
        clip_norm=None,
        clip_value=None,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        random_state=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        n_jobs=None,
        callback=None,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.callback = callback

    # ---- fitting ------------------------------------------------------------------------

    def _encode(self, y, classes=None):
        """(classes, y_index) for y; ``classes`` given: check y against them."""
        name = type(self).__name__
        if classes is None:
            if self._binary_only:
                return encode_binary_target(y, np.intp, estimator_name=name)
            return encode_class_target(y, estimator_name=name)
        y_index = np.searchsorted(classes, y)
        y_index = np.clip(y_index, 0, len(classes) - 1)
        unknown = classes[y_index] != y
        if np.any(unknown):
            raise ValueError(
                f"y has labels not in classes {list(classes)}: {list(np.unique(y[unknown]))}"
            )
        return classes, y_index

    def _sample_weight(self, sample_weight, X, y_index, classes):
        """sample_weight times class_weight, validated (None when both are None)."""
        if self.class_weight is not None:
            per_class = compute_class_weight(self.class_weight, classes=classes, y=classes[y_index])
            weights = per_class[y_index].astype(X.dtype)
            if sample_weight is not None:
                weights *= check_fit_sample_weight(sample_weight, X)
            sample_weight = weights
        return check_fit_sample_weight(sample_weight, X, y_index, classes)

    def _problems(self, classes):
        """(label, positive class index) of each binary problem: one for two classes."""
        if len(classes) == 2:
            return [(None, 1)]
        return [(label, k) for k, label in enumerate(classes)]

    def _fit_problems(
        self,
        X,
        y_index,
        classes,
        sample_weight,
        *,
        coef_init,
        intercept_init,
        max_iter,
        tol,
        early_stopping,
        initial_t,
        random_state,
    ):
        problems = self._problems(classes)
        options = self._core_options(X, None)
        seeds = self._seeds(random_state, len(problems))
        results = []
        for p, ((label, positive), seed) in enumerate(zip(problems, seeds)):
            y_pm = np.where(y_index == positive, X.dtype.type(1), X.dtype.type(-1))
            results.append(
                self._run(
                    X, y_pm, sample_weight, options,
                    coef_init=None if coef_init is None else coef_init[p],
                    intercept_init=None if intercept_init is None else float(intercept_init[p]),
                    seed=seed, max_iter=max_iter, tol=tol, early_stopping=early_stopping,
                    initial_t=initial_t, label=label,
                )
            )  # fmt: skip
        self.coef_ = np.stack([np.asarray(r["coef"], dtype=X.dtype) for r in results])
        self.intercept_ = np.array([r["intercept"] for r in results], dtype=X.dtype)
        self._store_results(results, multi=len(problems) > 1)
        return results

    def _initial_coefs(self, X, classes, coef_init, intercept_init):
        """Starting point of ``fit``: explicit init, else warm start, else None (zeros)."""
        n_rows = 1 if len(classes) == 2 else len(classes)
        shape = (n_rows, X.shape[1])
        if coef_init is None and intercept_init is None:
            if not (self.warm_start and hasattr(self, "coef_")):
                return None, None
            if self.coef_.shape != shape or not np.array_equal(self.classes_, classes):
                raise ValueError(
                    f"warm_start=True needs the classes and the {self.coef_.shape[1]} features "
                    f"of the previous fit; got classes {list(classes)} and {X.shape[1]} "
                    "features."
                )
            coef_init, intercept_init = self.coef_, self.intercept_
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=X.dtype)
            if coef_init.shape == (X.shape[1],) and n_rows == 1:
                coef_init = coef_init.reshape(1, -1)
            if coef_init.shape != shape:
                raise ValueError(f"coef_init has shape {coef_init.shape}; expected {shape}.")
            coef_init = [np.ascontiguousarray(row) for row in coef_init]
        if intercept_init is not None:
            intercept_init = np.asarray(intercept_init, dtype=np.float64).reshape(-1)
            if intercept_init.shape != (n_rows,):
                raise ValueError(
                    f"intercept_init has shape {intercept_init.shape}; expected ({n_rows},)."
                )
        return coef_init, intercept_init

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the model (one-vs-rest for more than two classes).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Numeric features (encode categorical columns first, e.g. with
            ``OneHotEncoder``, or use :class:`LeadScorer`). float32 stays float32; a
            C-contiguous float32/float64 array is used in place, without a copy. scipy CSR
            (matrix or array) goes to the sparse kernels as it is, never densified; other
            sparse formats are converted to CSR.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None means 1 for every sample.
        coef_init : ndarray of shape (n_classes, n_features), default=None
            Starting coefficients ((1, n_features) or (n_features,) for two classes).
        intercept_init : ndarray of shape (n_classes,), default=None
            Starting intercepts ((1,) for two classes).

        Returns
        -------
        self : object
        """
        self._check_supported()
        X_given, y_given = X, y
        X, y = validate_fit_data(
            self, X, y, accept_sparse=_SPARSE, ensure_all_finite=not self._core_checks_finite()
        )
        classes, y_index = self._encode(y)
        sample_weight = self._sample_weight(sample_weight, X, y_index, classes)
        coef_init, intercept_init = self._initial_coefs(X, classes, coef_init, intercept_init)
        tol = None if self.tol is None else float(self.tol)
        with self._explain_non_finite(X_given, y_given):
            results = self._fit_problems(
                X, y_index, classes, sample_weight, coef_init=coef_init,
                intercept_init=intercept_init, max_iter=self.max_iter, tol=tol,
                early_stopping=bool(self.early_stopping), initial_t=0,
                random_state=self.random_state,
            )  # fmt: skip
        self.classes_ = classes
        self._warn_if_not_converged(results, tol)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current model.

        The learning-rate clock ``t_`` carries over between calls, so decaying schedules
        keep decaying ("invscaling", "optimal"; the per-epoch schedules "exponential",
        "step" and "cosine" restart at ``eta0`` with each call). ``tol``,
        ``early_stopping`` and ``max_iter`` do not apply. Optimizer state (momentum,
        Adam's moments) restarts with each call.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            All the labels the model will ever see; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._check_supported(fitting=False)
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = validate_partial_fit_data(self, X, y, reset=first, accept_sparse=_SPARSE)
        if first:
            classes, _ = self._encode(np.asarray(classes))
        else:
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={list(np.unique(classes))} is not the same as on the first call "
                    f"to partial_fit: {list(self.classes_)}."
                )
            classes = self.classes_
        _, y_index = self._encode(y, classes)
        sample_weight = self._partial_sample_weight(sample_weight, X, y_index, classes)
        if first:
            coef_init = intercept_init = None
            initial_t = 0
        else:
            coef_init = [np.ascontiguousarray(row, dtype=X.dtype) for row in self.coef_]
            intercept_init = np.asarray(self.intercept_, dtype=np.float64)
            initial_t = self.t_
        self._fit_problems(
            X, y_index, classes, sample_weight, coef_init=coef_init,
            intercept_init=intercept_init, max_iter=1, tol=None, early_stopping=False,
            initial_t=initial_t, random_state=self.random_state,
        )  # fmt: skip
        self.classes_ = classes
        return self

    def _partial_sample_weight(self, sample_weight, X, y_index, classes):
        """Weights for one partial_fit batch: a batch may lack some classes."""
        if self.class_weight is not None:
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' needs the class frequencies of all the data, "
                    "which partial_fit does not see; pass a dict of class weights, e.g. from "
                    "sklearn.utils.class_weight.compute_class_weight."
                )
            per_class = np.array(
                [float(self.class_weight.get(c, 1.0)) for c in classes], dtype=X.dtype
            )
            weights = per_class[y_index]
            if sample_weight is not None:
                weights *= check_fit_sample_weight(sample_weight, X)
            sample_weight = weights
        return check_fit_sample_weight(sample_weight, X)

    # ---- prediction ---------------------------------------------------------------------

    def decision_function(self, X):
        """Signed distance to the separating hyperplane(s): ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive: ``classes_[1]``), else
        (n_samples, n_classes). In X's dtype if float32/float64, else float64.
        """
        check_is_fitted(self)
        return _checked_scores(self, X, squeeze=len(self.classes_) == 2)

    def predict(self, X):
        """The predicted class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _check_proba(self):
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(f"probability estimates are not available for loss={self.loss!r}")
        return True

    @available_if(_check_proba)
    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        ``loss="log_loss"``: the logistic function of the decision function; for
        one-vs-rest, the per-class probabilities normalized to sum to 1.
        ``loss="modified_huber"``: ``(clip(decision, -1, 1) + 1) / 2``, normalized for
        one-vs-rest (uniform where every class scores 0), as scikit-learn's SGD.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        if self.loss == "log_loss" and len(self.classes_) == 2:
            return _checked_binary_proba(self, X)
        scores = self.decision_function(X)
        if self.loss == "log_loss":
            proba = expit(scores)
            proba /= proba.sum(axis=1, keepdims=True)
            return proba
        if scores.ndim == 1:
            positive = (np.clip(scores, -1, 1) + 1) / 2
            return np.column_stack((1 - positive, positive))
        proba = (np.clip(scores, -1, 1) + 1) / 2
        total = proba.sum(axis=1)
        all_zero = total == 0
        proba[all_zero] = 1
        total[all_zero] = proba.shape[1]
        proba /= total[:, None]
        return proba

    @available_if(_check_proba)
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`; for a binary log-loss model finite even where a
        probability underflows to 0.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        if self.loss == "log_loss" and len(self.classes_) == 2:
            scores = self.decision_function(X)
            log_proba = np.column_stack((log_expit(-scores), log_expit(scores)))
            # Where predict_proba rounds to exactly 1 in X's dtype, say log(1) = 0 rather
            # than a tiny negative number, so this equals log(predict_proba) wherever that
            # is finite.
            log_proba[np.column_stack((expit(-scores), expit(scores))) == 1] = 0
            return log_proba
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = not self._binary_only
        tags.input_tags.allow_nan = False
        return tags


class GDRegressor(RegressorMixin, _BaseGD):
    __doc__ = (
        """Linear and generalized linear regression fitted by gradient-descent optimizers.

    scikit-learn's ``SGDRegressor`` with a choice of optimizer and schedule, and the GLM
    losses of ``PoissonRegressor``, ``GammaRegressor`` and ``TweedieRegressor`` (log
    link). Minimizes

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i\\, L(y_i, x_i \\cdot w + b)
        + \\alpha \\left(\\frac{1 - \\rho}{2} \\lVert w \\rVert^2
        + \\rho \\lVert w \\rVert_1\\right)

    with sample weights ``s_i`` and ``rho = l1_ratio`` (0 for "l2", 1 for "l1"); the
    intercept ``b`` is not penalized. The GLM losses are half deviances, so with
    ``penalty="l2"`` this is exactly the objective of scikit-learn's GLM regressors with
    the same ``alpha``. GLM models predict ``exp(X @ coef_ + intercept_)``; the others
    ``X @ coef_ + intercept_``.

    Parameters
    ----------
    loss : {"squared_error", "huber", "poisson", "gamma", "tweedie"}, \
default="squared_error"
        "squared_error": ``(z - y)^2 / 2``; "huber": squared within ``epsilon`` of the
        target, linear beyond (robust to outliers); "poisson" (counts, y >= 0), "gamma"
        (positive amounts, y > 0), "tweedie" (``power`` in (1, 2): amounts with exact
        zeros, e.g. customer spend): half deviances with the log link.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        L1 and elastic-net penalties set weights to exactly 0 (proximal steps) with
        full-batch "gd" or mini-batches of a few hundred rows; with ``batch_size=1`` the
        weights of irrelevant features stay near 0 (about 1e-5) rather than at 0. They
        need "gd", "sgd", "adagrad", "rmsprop", "adam" or "adamw" (not "lbfgs", and not
        "momentum" or "nesterov" yet).
    alpha : float, default=1e-4
        Penalty strength; >= 0.
    l1_ratio : float, default=0.15
        L1 share of the "elasticnet" penalty, in [0, 1].
    fit_intercept : bool, default=True
        Whether to fit an intercept.
"""
        + _fill(
            _OPTIMIZER_DOC,
            optimizer="sgd",
            eta0_defaults='0.1 for "gd", 0.001 for "sgd", 0.0001 for "momentum" and '
            '"nesterov" (the squared error\'s gradient grows with the residual; momentum '
            'amplifies steps about ``1/(1-momentum)``-fold), 0.1 for "adagrad", 0.01 '
            'for "rmsprop", "adam" and "adamw".',
            eta0_cap="""
        For "sgd", "momentum" and "nesterov" with "squared_error" or a GLM loss it is
        capped at the step that is stable on the largest row,
        ``1 / (c (max_i ||x_i||^2 + 1))`` (scikit-learn's SAG rule; ``c`` = 1, or
        ``max(1, mean(y))`` for the GLMs), so unscaled features do not make them diverge.""",
            power_t=0.25,
            tol=1e-3,
            score="R^2",
            callback="",
            callback_ovr="",
        )
        + """    epsilon : float, default=0.1
        Width of the quadratic zone of the "huber" loss; > 0.
    power : float, default=1.5
        Tweedie power of ``loss="tweedie"``, in (1, 2) (use "poisson" for 1, "gamma"
        for 2).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients, in the dtype of the training data.
    intercept_ : ndarray of shape (1,)
        Intercept (0 when ``fit_intercept=False``).
"""
        + _fill(
            _ATTRIBUTES_DOC,
            n_iter_ovr="",
            curve_ovr="",
            objective_ovr="",
            score="R^2",
        )
        + """
    See Also
    --------
    GDClassifier : the classification counterpart.
    sklearn.linear_model.SGDRegressor, sklearn.linear_model.TweedieRegressor

    Examples
    --------
    >>> import numpy as np
    >>> from marketlearn import GDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((1000, 3))
    >>> y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1] + 1.0))
    >>> model = GDRegressor(loss="poisson", optimizer="lbfgs").fit(X, y)
    >>> np.round(model.coef_, 1)
    array([ 0.3, -0.2,  0.1])
    """
    )

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "power": [Interval(Real, 1, 2, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        optimizer="sgd",
        batch_size="auto",
        learning_rate="auto",
        eta0=None,
        power_t=0.25,
        momentum=0.9,
        beta1=0.9,
        beta2=0.999,
        clip_norm=None,
        clip_value=None,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        random_state=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        warm_start=False,
        n_jobs=None,
        callback=None,
        epsilon=0.1,
        power=1.5,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.callback = callback
        self.epsilon = epsilon
        self.power = power

    def _loss_kwargs(self):
        return {"epsilon": float(self.epsilon), "power": float(self.power)}

    def _check_target(self, y, X):
        y = np.ascontiguousarray(column_or_1d(y, warn=True), dtype=X.dtype)
        if self.loss == "gamma" and not np.all(y > 0):
            raise ValueError(
                f"loss='gamma' needs a target y > 0; y has {np.count_nonzero(y <= 0)} values "
                f"<= 0 (smallest {y.min():g})."
            )
        if self.loss in ("poisson", "tweedie") and not np.all(y >= 0):
            raise ValueError(
                f"loss={self.loss!r} needs a target y >= 0; y has {np.count_nonzero(y < 0)} "
                f"negative values (smallest {y.min():g})."
            )
        return y

    def _initial_coefs(self, X, coef_init, intercept_init):
        if coef_init is None and intercept_init is None:
            if not (self.warm_start and hasattr(self, "coef_")):
                return None, None
            if self.coef_.shape != (X.shape[1],):
                raise ValueError(
                    f"warm_start=True needs X with {self.coef_.shape[0]} features, as in the "
                    f"previous fit; got {X.shape[1]}."
                )
            coef_init, intercept_init = self.coef_, self.intercept_
        if coef_init is not None:
            coef_init = np.ascontiguousarray(coef_init, dtype=X.dtype).reshape(-1)
            if coef_init.shape != (X.shape[1],):
                raise ValueError(f"coef_init has {coef_init.size} entries; expected {X.shape[1]}.")
        if intercept_init is not None:
            intercept_init = float(np.asarray(intercept_init, dtype=np.float64).reshape(-1)[0])
        return coef_init, intercept_init

    def _fit_once(
        self,
        X,
        y,
        sample_weight,
        *,
        coef_init,
        intercept_init,
        max_iter,
        tol,
        early_stopping,
        initial_t,
    ):
        options = self._core_options(X, y)
        result = self._run(
            X, y, sample_weight, options, coef_init=coef_init, intercept_init=intercept_init,
            seed=self._seeds(self.random_state, 1)[0], max_iter=max_iter, tol=tol,
            early_stopping=early_stopping, initial_t=initial_t,
        )  # fmt: skip
        self.coef_ = np.asarray(result["coef"], dtype=X.dtype)
        self.intercept_ = np.array([result["intercept"]], dtype=X.dtype)
        self._store_results([result], multi=False)
        return result

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Numeric features. float32 stays float32; a C-contiguous float32/float64 array
            is used in place, without a copy; scipy CSR is used as it is (other sparse
            formats are converted to CSR), never densified.
        y : array-like of shape (n_samples,)
            Target (>= 0 for "poisson" and "tweedie", > 0 for "gamma").
        sample_weight : array-like of shape (n_samples,), default=None
        coef_init : ndarray of shape (n_features,), default=None
        intercept_init : float or ndarray of shape (1,), default=None

        Returns
        -------
        self : object
        """
        self._check_supported()
        X_given, y_given = X, y
        X, y = validate_fit_data(
            self, X, y, accept_sparse=_SPARSE, ensure_all_finite=not self._core_checks_finite()
        )
        y = self._check_target(y, X)
        sample_weight = check_fit_sample_weight(sample_weight, X)
        coef_init, intercept_init = self._initial_coefs(X, coef_init, intercept_init)
        tol = None if self.tol is None else float(self.tol)
        with self._explain_non_finite(X_given, y_given):
            result = self._fit_once(
                X, y, sample_weight, coef_init=coef_init, intercept_init=intercept_init,
                max_iter=self.max_iter, tol=tol, early_stopping=bool(self.early_stopping),
                initial_t=0,
            )  # fmt: skip
        self._warn_if_not_converged([result], tol)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current model.

        The learning-rate clock ``t_`` carries over between calls (see
        :meth:`GDClassifier.partial_fit`); ``tol``, ``early_stopping`` and ``max_iter`` do
        not apply.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
        """
        self._check_supported(fitting=False)
        first = not hasattr(self, "coef_")
        X, y = validate_partial_fit_data(self, X, y, reset=first, accept_sparse=_SPARSE)
        y = self._check_target(y, X)
        sample_weight = check_fit_sample_weight(sample_weight, X)
        if first:
            coef_init = intercept_init = None
            initial_t = 0
        else:
            coef_init = np.ascontiguousarray(self.coef_, dtype=X.dtype)
            intercept_init = float(self.intercept_[0])
            initial_t = self.t_
        self._fit_once(
            X, y, sample_weight, coef_init=coef_init, intercept_init=intercept_init,
            max_iter=1, tol=None, early_stopping=False, initial_t=initial_t,
        )  # fmt: skip
        return self

    def predict(self, X):
        """Predicted target: ``exp(X @ coef_ + intercept_)`` for the GLM losses (log link),
        ``X @ coef_ + intercept_`` otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            In X's dtype if float32/float64, else float64.
        """
        check_is_fitted(self)
        z = _checked_scores(self, X, squeeze=True)
        return np.exp(z) if self.loss in GLM_LOSSES else z

    def score(self, X, y, sample_weight=None):
        """R^2 for "squared_error" and "huber"; for the GLM losses D^2, the fraction of
        deviance explained (as scikit-learn's GLM regressors score).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.
        y : array-like of shape (n_samples,)
            True target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        float
            R^2 or D^2; 1 is a perfect fit.
        """
        y_pred = self.predict(X)
        if self.loss in GLM_LOSSES:
            power = _GLM_POWER.get(self.loss, float(self.power))
            return d2_tweedie_score(y, y_pred, sample_weight=sample_weight, power=power)
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.target_tags.positive_only = self.loss in GLM_LOSSES
        return tags


# ---- helpers -------------------------------------------------------------------------------


#: Losses whose derivative grows without bound: too large a step makes SGD diverge. (The
#: classification losses and Huber have bounded derivatives: a large step only bounces.)
_UNBOUNDED_GRADIENT = ("squared_error", "poisson", "gamma", "tweedie")


def _safe_sgd_step(X, y, loss, fit_intercept, chunk=65536):
    """The largest step that keeps plain and momentum SGD stable on every row:
    ``1 / (c max_i (||x_i||^2 + fit_intercept))`` with ``c`` bounding the loss's curvature
    (scikit-learn's "auto" step of SAG, ``sklearn.linear_model._sag.get_auto_step_size``).
    Only caps the default ``eta0`` of the regression losses in _UNBOUNDED_GRADIENT: on
    standardized data the defaults are below it; on unscaled features (e.g. amounts in
    the thousands) it prevents a certain divergence.

    The squared error's curvature is 1. The log-link GLMs' is ``mu_i``, unbounded;
    ``max(1, mean(y))`` is its scale near the optimum.
    """
    curvature = 1.0 if loss == "squared_error" else max(1.0, float(np.mean(y)))
    largest = 0.0
    for start in range(0, X.shape[0], chunk):  # no n_samples x n_features temporary
        block = X[start : start + chunk]
        largest = max(largest, float(row_norms(block, squared=True).max()))
    step = 1.0 / (curvature * (largest + float(fit_intercept)))
    if not step > 0:
        # ||x||^2 overflowed (features beyond ~1e154): no step size is representable.
        raise ValueError(
            f"X is too large for optimizer SGD with loss={loss!r}: the squared norm of a row "
            f"is {largest:g} (largest |value| {float(np.max(np.abs(X))):g}), so no stable "
            "learning rate exists in float64. Scale the features (e.g. StandardScaler) or "
            "pass eta0."
        )
    return step


def _csr_arrays(X):
    """(data, indices, indptr, n_features) of CSR X for the core, without copying data.

    The core takes int32 or int64 indices, the same type for indices and indptr (scipy
    may mix them; only the index arrays are then converted).
    """
    indices, indptr = X.indices, X.indptr
    if indices.dtype != indptr.dtype or indices.dtype not in (np.int32, np.int64):
        indices, indptr = indices.astype(np.int64), indptr.astype(np.int64)
    return (
        np.ascontiguousarray(X.data),
        np.ascontiguousarray(indices),
        np.ascontiguousarray(indptr),
        X.shape[1],
    )


def _fit_core(X, y, sample_weight, **options):
    """_core.fit_linear for dense X, _core.fit_linear_csr for CSR X (never densified)."""
    if sp.issparse(X):
        return _core.fit_linear_csr(*_csr_arrays(X), y, sample_weight, **options)
    return _core.fit_linear(X, y, sample_weight, **options)


def _n_jobs(n_jobs) -> int:
    """Threads for the compiled core: None means all cores (-1). Passes over X are bound
    by memory bandwidth, which one core cannot saturate; results do not depend on it."""
    return -1 if n_jobs is None else int(n_jobs)


def _decision(X, coef, intercept, n_jobs):
    if sp.issparse(X):
        return _core.linear_decision_function_csr(*_csr_arrays(X), coef, intercept)
    return _core.linear_decision_function(X, coef, intercept, n_jobs=n_jobs)


def _scores(X, coef, intercept, *, squeeze, n_jobs=1):
    """Decision values of each row of ``coef`` on X, with the SIMD kernels, in X's dtype."""
    if squeeze:
        row = np.ascontiguousarray(coef[0], dtype=X.dtype)
        return _decision(X, row, float(intercept[0]), n_jobs)
    out = np.empty((X.shape[0], coef.shape[0]), dtype=X.dtype)
    for k in range(coef.shape[0]):
        row = np.ascontiguousarray(coef[k], dtype=X.dtype)
        out[:, k] = _decision(X, row, float(intercept[k]), n_jobs)
    return out


def _checked_predict(estimator, X, compute):
    """``compute(validated X)`` -> (result, all scores finite), reading X once.

    The NaN / infinity check of the input is folded into the scores: a non-finite entry
    of X makes its row's score non-finite (NaN * w, inf * w or inf * 0), so X is checked
    in full, with scikit-learn's error, only when some score is not finite. Skipping the
    separate pass over X matters because prediction is bound by memory bandwidth."""
    X_raw = X
    X = validate_predict_data(estimator, X, accept_sparse=_SPARSE, ensure_all_finite=False)
    coef = estimator.coef_
    if coef.ndim == 1:
        coef = coef.reshape(1, -1)
    result, finite = compute(X, coef, _n_jobs(estimator.n_jobs))
    if not finite:
        # Raises if X has NaN / infinity; else the scores overflowed (or coef_ is not
        # finite) and the result is returned as it is, as without this shortcut.
        validate_predict_data(estimator, X_raw, accept_sparse=_SPARSE)
    return result


def _checked_scores(estimator, X, *, squeeze):
    """Validated X's decision values, reading X once (see _checked_predict)."""

    def compute(X, coef, n_jobs):
        scores = _scores(X, coef, estimator.intercept_, squeeze=squeeze, n_jobs=n_jobs)
        return scores, np.isfinite(scores).all()

    return _checked_predict(estimator, X, compute)


def _checked_binary_proba(estimator, X):
    """[P(classes_[0]), P(classes_[1])] = [expit(-z), expit(z)] of a binary log-loss
    model's decision values z, as an (n, 2) array in X's dtype, reading X once.

    Dense X: the compiled core computes the probabilities block by block in the pass that
    computes z, so z and the temporaries of expit and column_stack never go to memory.
    Each column is computed directly, expit(-z) rather than 1 - expit(z): no
    cancellation for confident positives. CSR X: the same values from the scores."""

    def compute(X, coef, n_jobs):
        if sp.issparse(X):
            scores = _scores(X, coef, estimator.intercept_, squeeze=True, n_jobs=n_jobs)
            return np.column_stack((expit(-scores), expit(scores))), np.isfinite(scores).all()
        row = np.ascontiguousarray(coef[0], dtype=X.dtype)
        return _core.linear_predict_proba(X, row, float(estimator.intercept_[0]), n_jobs=n_jobs)

    return _checked_predict(estimator, X, compute)
