"""marketlearn: marketing machine learning (churn, segments, leads, LTV) on a
header-only C++17 optimizer core with SIMD kernels, in scikit-learn style.

>>> from marketlearn import ChurnClassifier, GDClassifier, GDRegressor, LeadScorer
>>> from marketlearn.datasets import load_telco_churn
"""

from . import clv, datasets, metrics, plotting
from ._choose_k import ChooseKResult, choose_k, kneedle
from ._churn import ChurnClassifier
from ._core import __version__
from ._gd import GDClassifier, GDRegressor
from ._io import load_model, save_model
from ._kmeans import KMeans, MiniBatchKMeans
from ._leads import LeadScorer
from ._ltv import LTVRegressor
from ._rfm import rfm_table
from ._segmenter import CustomerSegmenter
from ._simd import simd_info

__all__ = [
    "ChooseKResult",
    "ChurnClassifier",
    "CustomerSegmenter",
    "GDClassifier",
    "GDRegressor",
    "KMeans",
    "LeadScorer",
    "LTVRegressor",
    "MiniBatchKMeans",
    "choose_k",
    "clv",
    "datasets",
    "kneedle",
    "load_model",
    "metrics",
    "plotting",
    "rfm_table",
    "save_model",
    "simd_info",
    "__version__",
]
