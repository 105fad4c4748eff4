"""marketlearn: marketing machine learning (churn, segments, leads, LTV) on a
header-only C++17 optimizer core with SIMD kernels, in scikit-learn style.

>>> from marketlearn import ChurnClassifier
>>> from marketlearn.datasets import load_telco_churn
"""

from . import datasets
from ._churn import ChurnClassifier
from ._core import __version__
from ._io import load_model, save_model
from ._simd import simd_info

__all__ = [
    "ChurnClassifier",
    "datasets",
    "load_model",
    "save_model",
    "simd_info",
    "__version__",
]
