"""UCI "Online Retail", France and Germany subsets, bundled (see
data/ONLINE_RETAIL_PROVENANCE.md)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._base import data_file, read_provenance

__all__ = ["load_online_retail", "online_retail_provenance"]

_FILES = {"France": "online_retail_france.csv.gz", "Germany": "online_retail_germany.csv.gz"}
_PROVENANCE = "ONLINE_RETAIL_PROVENANCE.md"


def load_online_retail(countries: Sequence[str] = ("France", "Germany")) -> pd.DataFrame:
    """Load line items of UCI's Online Retail data (a UK gift retailer, Dec 2010 – Dec 2011).

    Only the **France** (8,557 lines, 87 customers) and **Germany** (9,495 lines, 95
    customers) subsets ship: the full file (541,909 lines) is too large for the package.
    The rows are unmodified; see :func:`online_retail_provenance` for source, licence
    (CC BY 4.0) and hashes.

    Parsing: ``InvoiceNo``, ``StockCode`` and ``CustomerID`` are text (France has 66 lines
    without a customer, left as missing); ``InvoiceDate`` becomes datetime64. Nothing is
    filtered: cancellations (``InvoiceNo`` starting with ``"C"``, negative ``Quantity``)
    stay in, so drop or net them as the analysis needs.

    Parameters
    ----------
    countries : sequence of str, default=("France", "Germany")
        Which subsets to load, concatenated in this order.

    Returns
    -------
    pandas.DataFrame
        Columns ``InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice
        (GBP), CustomerID, Country``, with a fresh RangeIndex.

    Examples
    --------
    >>> from marketlearn.datasets import load_online_retail
    >>> load_online_retail(["Germany"]).shape
    (9495, 8)
    """
    if isinstance(countries, str):
        countries = [countries]
    unknown = [c for c in countries if c not in _FILES]
    if unknown or not countries:
        raise ValueError(
            f"countries must be a non-empty subset of {sorted(_FILES)}; got {countries!r}"
        )
    frames = []
    for country in countries:
        with data_file(_FILES[country]).open("rb") as handle:
            # utf-8-sig: the Germany file starts with a byte-order mark.
            frames.append(
                pd.read_csv(
                    handle,
                    compression="gzip",
                    encoding="utf-8-sig",
                    dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str},
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")
    return frame


def online_retail_provenance() -> str:
    """The provenance and licence note of the bundled Online Retail subsets (Markdown).

    Returns
    -------
    str
        The note, with source, citation, licence and sha256 hashes.
    """
    return read_provenance(_PROVENANCE)
