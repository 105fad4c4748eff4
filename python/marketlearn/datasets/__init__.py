"""Public marketing data sets bundled with marketlearn, each with its provenance note."""

from ._telco import load_telco_churn, telco_churn_provenance

__all__ = ["load_telco_churn", "telco_churn_provenance"]
