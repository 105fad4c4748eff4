"""IBM "Telco Customer Churn", bundled with the package (see data/TELCO_CHURN_PROVENANCE.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Bunch, data_file, read_provenance

__all__ = ["load_telco_churn", "telco_churn_provenance"]

_CSV = "telco_churn.csv.gz"
_PROVENANCE = "TELCO_CHURN_PROVENANCE.md"

#: The 19 raw feature columns, in file order (``customerID`` is the index, ``Churn`` the target).
FEATURE_COLUMNS = (
    "gender",
    "SeniorCitizen",
    "Partner",
    "Dependents",
    "tenure",
    "PhoneService",
    "MultipleLines",
    "InternetService",
    "OnlineSecurity",
    "OnlineBackup",
    "DeviceProtection",
    "TechSupport",
    "StreamingTV",
    "StreamingMovies",
    "Contract",
    "PaperlessBilling",
    "PaymentMethod",
    "MonthlyCharges",
    "TotalCharges",
)
TARGET_COLUMN = "Churn"


def _read_frame() -> pd.DataFrame:
    with data_file(_CSV).open("rb") as handle:
        frame = pd.read_csv(handle, compression="gzip", index_col="customerID")
    # The CSV writes TotalCharges as text with 11 blanks (" "). All 11 are customers with
    # tenure 0 who have not been billed yet, so their total charge is 0.0, not missing.
    total = pd.to_numeric(frame["TotalCharges"].astype(str).str.strip().replace("", "0"))
    frame["TotalCharges"] = total.astype(np.float64)
    return frame


def load_telco_churn(*, return_X_y: bool = False, as_frame: bool = True):
    """Load IBM's Telco Customer Churn data set (7,043 customers, 19 features).

    The data ship with marketlearn (gzip of the upstream CSV, byte-identical when
    decompressed); see :func:`telco_churn_provenance` for source, licence and hashes.

    Parsing:

    - ``customerID`` becomes the index;
    - ``TotalCharges`` becomes float64; its 11 blank values are customers with
      ``tenure == 0`` (not billed yet) and are set to ``0.0``;
    - ``SeniorCitizen`` stays an integer 0/1 column; the other categorical columns stay
      text (``"Yes"``/``"No"``, ``"Month-to-month"``, ...);
    - the target ``Churn`` (``"Yes"``/``"No"``) becomes 1/0 integers.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(X, y)``: X the 19 raw feature columns, y the 0/1 target.
    as_frame : bool, default=True
        If True, X is a DataFrame and y a Series named ``"Churn"``. If False, X is a 2-D
        object array (mixed types, as ``X.to_numpy()``) and y an int64 array.

    Returns
    -------
    (X, y) if ``return_X_y`` else a :class:`Bunch` with ``data``, ``target``, ``frame``
    (features + target; None when ``as_frame=False``), ``feature_names``,
    ``target_names`` (``["No", "Yes"]``, indexed by the target value) and ``DESCR``.
    """
    frame = _read_frame()
    X = frame.loc[:, list(FEATURE_COLUMNS)]
    y = (frame[TARGET_COLUMN] == "Yes").astype(np.int64).rename(TARGET_COLUMN)
    if not as_frame:
        X = X.to_numpy(dtype=object)
        y = y.to_numpy()
    if return_X_y:
        return X, y
    full = None
    if as_frame:
        full = X.copy()
        full[TARGET_COLUMN] = y
    return Bunch(
        data=X,
        target=y,
        frame=full,
        feature_names=list(FEATURE_COLUMNS),
        target_names=["No", "Yes"],
        DESCR=telco_churn_provenance(),
    )


def telco_churn_provenance() -> str:
    """The provenance and licence note of the bundled Telco churn data (Markdown).

    Returns
    -------
    str
        The note, with source, licence and sha256 hashes.
    """
    return read_provenance(_PROVENANCE)
