"""ChurnClassifier against scikit-learn's estimator checks (the API contract)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from marketlearn import ChurnClassifier


@parametrize_with_checks([ChurnClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
