"""GDClassifier, GDRegressor and ChurnClassifier against scikit-learn's estimator checks
(the API contract), with their default optimizer and with L-BFGS."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from marketlearn import ChurnClassifier, GDClassifier, GDRegressor

# Stochastic optimizers visit a row of weight 2 once per epoch and two copies of it twice:
# the expected objective is the same, one run's path is not. scikit-learn marks its own
# SGDClassifier / SGDRegressor the same way. Full-batch fits (lbfgs, and adam, whose
# default batch of 32 rows holds the whole small data set of the check) pass it.
_STOCHASTIC_WEIGHTS = (
    "sample_weight is not equivalent to removing/repeating samples for a stochastic "
    "optimizer: a weight-2 row is one update per epoch, two copies are two."
)


def expected_failed_checks(estimator):
    # The adaptive methods' default batches of 32 hold all the check's rows: full batch.
    if estimator.optimizer in ("sgd", "momentum", "nesterov"):
        return {
            "check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _STOCHASTIC_WEIGHTS,
        }
    return {}


@parametrize_with_checks(
    [
        GDClassifier(),
        GDClassifier(optimizer="lbfgs"),
        GDClassifier(loss="modified_huber", optimizer="adam"),
        GDRegressor(),
        GDRegressor(optimizer="lbfgs"),
        GDRegressor(loss="poisson", optimizer="lbfgs"),
        ChurnClassifier(),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
