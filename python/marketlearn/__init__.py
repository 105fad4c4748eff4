"""marketlearn: marketing machine learning (churn, segments, leads, LTV) on a
header-only C++17 optimizer core with SIMD kernels, in scikit-learn style.

>>> from marketlearn import ChurnClassifier, GDClassifier, GDRegressor, LeadScorer
>>> from marketlearn.datasets import load_telco_churn
"""

from . import datasets
from ._churn import ChurnClassifier
from ._core import __version__
from ._gd import GDClassifier, GDRegressor
from ._leads import LeadScorer
from ._simd import simd_info

__all__ = [
    "ChurnClassifier",
    "GDClassifier",
    "GDRegressor",
    "LeadScorer",
    "datasets",
    "simd_info",
    "__version__",
]
