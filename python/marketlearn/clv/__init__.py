"""Customer lifetime value: from a transaction log to purchase, spend and CLV forecasts.

- :func:`summary_from_transactions`, :func:`calibration_and_holdout_data`: per-customer
  frequency, recency, age (T) and mean repeat spend from a transaction log.
- :class:`BetaGeoModel`: the BG/NBD purchase model (Fader, Hardie & Lee 2005): P(alive),
  expected purchases.
- :class:`GammaGammaModel`: spend per transaction, and the discounted customer lifetime
  value combining both.

Names follow ``lifetimes`` (BetaGeoFitter, GammaGammaFitter, summary_data_from_transaction_data);
the likelihoods are maximized in C++ by marketlearn's L-BFGS with analytic gradients.
See docs/clv.md.

>>> from marketlearn.clv import BetaGeoModel, GammaGammaModel, summary_from_transactions
"""

from ._bgnbd import BetaGeoModel
from ._gamma_gamma import GammaGammaModel
from ._summary import calibration_and_holdout_data, summary_from_transactions

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_and_holdout_data",
    "summary_from_transactions",
]
