"""Public marketing data sets bundled with marketlearn, each with its provenance note, and a
synthetic customer generator for scale tests.

=========================  =================================================  ============
loader                     what                                               licence
=========================  =================================================  ============
:func:`load_telco_churn`   IBM Telco churn, 7,043 customers                   IBM sample
:func:`load_bank_marketing`  UCI bank telemarketing, 41,188 calls (lead scoring)  CC BY 4.0
:func:`load_cdnow`         CDNOW purchases, 23,570 customers (CLV)            research use
:func:`load_online_retail` UCI Online Retail, France + Germany line items     CC BY 4.0
:func:`make_customers`     synthetic customers with churn and segments        (generated)
=========================  =================================================  ============
"""

from ._bank import bank_marketing_provenance, load_bank_marketing
from ._base import Bunch
from ._cdnow import cdnow_provenance, load_cdnow
from ._online_retail import load_online_retail, online_retail_provenance
from ._synthetic import make_customers
from ._telco import load_telco_churn, telco_churn_provenance

__all__ = [
    "Bunch",
    "bank_marketing_provenance",
    "cdnow_provenance",
    "load_bank_marketing",
    "load_cdnow",
    "load_online_retail",
    "load_telco_churn",
    "make_customers",
    "online_retail_provenance",
    "telco_churn_provenance",
]
