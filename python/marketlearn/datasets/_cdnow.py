"""CDNOW transaction log (Fader & Hardie), bundled (see data/CDNOW_PROVENANCE.md)."""

from __future__ import annotations

import pandas as pd

from ._base import data_file, read_provenance

__all__ = ["load_cdnow", "cdnow_provenance"]

_CSV = "cdnow.csv.gz"
_SAMPLE_CSV = "cdnow_sample.csv.gz"
_PROVENANCE = "CDNOW_PROVENANCE.md"


def load_cdnow(*, sample: bool = False) -> pd.DataFrame:
    """Load the CDNOW transaction log: 69,659 purchases of 23,570 customers (or the 1/10
    sample of the BG/NBD paper: 6,919 purchases of 2,357 customers).

    The cohort of customers whose first purchase at CDNOW was in Q1 1997, followed until
    June 1998 (Fader, Hardie & Lee, 2005). It is the classic data set for BG/NBD and
    Gamma-Gamma models (:mod:`marketlearn.clv`). Shipped gzip-compressed; see
    :func:`cdnow_provenance` for source, terms and hashes.

    Parameters
    ----------
    sample : bool, default=False
        Load the 1/10 sample (2,357 customers) on which Fader, Hardie & Lee (2005) and
        lifetimes fitted BG/NBD (r 0.243, alpha 4.414, a 0.793, b 2.426 with weekly time
        units and calibration to 1997-09-30). It has one more column,
        ``master_customer_id`` (the customer's id in the full log); ``customer_id`` is the
        sample id (``"0001"`` ... ``"2357"``).

    Returns
    -------
    pandas.DataFrame
        One row per transaction, columns ``customer_id`` (str, zero-padded as in the
        source), ``date`` (datetime64), ``number_of_cds`` (int64) and ``dollar_value``
        (float64, US$; 80 transactions of the full log are 0.0).

    Examples
    --------
    >>> from marketlearn.datasets import load_cdnow
    >>> log = load_cdnow()
    >>> log.shape, log["customer_id"].nunique()
    ((69659, 4), 23570)
    """
    with data_file(_SAMPLE_CSV if sample else _CSV).open("rb") as handle:
        frame = pd.read_csv(
            handle,
            compression="gzip",
            dtype={"customer_id": str, "master_customer_id": str, "date": str},
        )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def cdnow_provenance() -> str:
    """The provenance and terms note of the bundled CDNOW data (Markdown).

    Returns
    -------
    str
        The note, with source, citation, terms and sha256 hashes.
    """
    return read_provenance(_PROVENANCE)
