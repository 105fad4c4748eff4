"""rfm_table: recency, frequency and monetary value per customer from a transaction log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import numeric_column

__all__ = ["rfm_table"]


def _parse_dates(values: pd.Series, date_format) -> pd.Series:
    """Datetimes from datetimes, YYYYMMDD integers (CDNOW) or strings."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_integer_dtype(values) and date_format is None:
        return pd.to_datetime(values.astype(str), format="%Y%m%d")
    if date_format is None and values.dtype == object:
        text = values.astype(str)
        if text.str.fullmatch(r"\d{8}").all():
            return pd.to_datetime(text, format="%Y%m%d")
    if date_format is not None:
        return pd.to_datetime(values, format=date_format)
    try:  # one format, inferred from the first date: fast
        return pd.to_datetime(values)
    except ValueError:  # e.g. some dates with a time of day and some without
        return pd.to_datetime(values, format="mixed")


def rfm_table(
    transactions,
    customer_col,
    date_col,
    amount_col,
    observation_end=None,
    *,
    invoice_col=None,
    monetary="total",
    exclude_returns=True,
    date_format=None,
):
    """Recency, frequency and monetary value (RFM) of every customer.

    One row per customer, in marketing's RFM sense:

    - ``recency``: whole days from the customer's last purchase day to
      ``observation_end`` (0 = bought on that day; larger is longer ago).
    - ``frequency``: number of distinct purchase occasions: distinct invoices when
      ``invoice_col`` is given, else distinct purchase days (several rows of one day are
      one occasion).
    - ``monetary``: total spend (``monetary="total"``, the default) or the mean spend per
      occasion (``monetary="mean"``).

    (This is not the ``lifetimes`` convention for BG/NBD, where "recency" is the time
    between a customer's first and last purchase and "frequency" counts repeat purchases.)

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction line.
    customer_col, date_col, amount_col : str
        Column names. Dates may be datetimes, strings pandas can parse, or YYYYMMDD
        integers/strings (CDNOW's format). Amounts are money per row: for line items,
        compute e.g. ``Quantity * UnitPrice`` first.
    observation_end : date-like or None, default=None
        The "as of" day. None means the day after the last transaction in the data, so
        the most recent buyers have recency 1 (the usual RFM snapshot date). Times of day
        are ignored. Transactions after observation_end are left out.
    invoice_col : str or None, default=None
        Invoice (order) identifier; counts occasions and detects cancellations.
    monetary : {"total", "mean"}, default="total"
    exclude_returns : bool, default=True
        Leave out returns and cancellations: rows with a negative amount, and rows whose
        invoice starts with "C" (Online Retail's cancellation invoices, which come with
        negative quantities). Rows of amount 0 are purchases (CDNOW has 68 customers
        whose only CDs cost $0; they keep monetary 0). Rows without a customer id are
        always left out. With ``exclude_returns=False`` returns count towards monetary
        (net spend) but never make a purchase occasion.
    date_format : str or None, default=None
        ``strftime`` format of the dates, if pandas should not guess it.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted), columns ``recency`` (int64 days), ``frequency``
        (int64) and ``monetary`` (float64). Customers with no purchase left after the
        exclusions are not listed.

    Examples
    --------
    >>> import pandas as pd
    >>> from marketlearn import rfm_table
    >>> tx = pd.DataFrame({"customer": ["a", "a", "b"],
    ...                    "date": ["2024-01-01", "2024-01-10", "2024-01-05"],
    ...                    "amount": [10.0, 30.0, 5.0]})
    >>> rfm_table(tx, "customer", "date", "amount")
              recency  frequency  monetary
    customer
    a               1          2      40.0
    b               6          1       5.0
    """
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(
            f"transactions must be a pandas DataFrame, got {type(transactions).__name__}."
        )
    if monetary not in ("total", "mean"):
        raise ValueError(f"monetary={monetary!r} is not one of 'total', 'mean'.")
    columns = [customer_col, date_col, amount_col] + ([invoice_col] if invoice_col else [])
    missing = [c for c in columns if c not in transactions.columns]
    if missing:
        raise ValueError(
            f"transactions has no column(s) {missing}; its columns are "
            f"{list(transactions.columns)}."
        )
    tx = transactions[columns].copy()
    tx = tx[tx[customer_col].notna()]
    ids = tx[customer_col]
    if pd.api.types.is_float_dtype(ids) and (ids == np.floor(ids)).all():
        # Integer ids read as float because of blank ids (Online Retail): 12583.0 -> 12583.
        tx[customer_col] = ids.astype(np.int64)
    tx[date_col] = _parse_dates(tx[date_col], date_format).dt.normalize()
    tx[amount_col] = numeric_column(tx, amount_col)
    if tx[date_col].isna().any():
        raise ValueError(f"{date_col} has missing or unparseable dates.")

    if observation_end is None:
        if tx.empty:
            raise ValueError("transactions holds no rows with a customer id.")
        end = tx[date_col].max() + pd.Timedelta(days=1)
    else:
        end = pd.Timestamp(observation_end).normalize()
        tx = tx[tx[date_col] <= end]
        if tx.empty:
            raise ValueError(
                f"observation_end={end.date()} is before every transaction: no rows to "
                "build RFM from."
            )

    cancelled = np.zeros(len(tx), dtype=bool)
    if invoice_col is not None:
        cancelled = tx[invoice_col].astype(str).str.upper().str.startswith("C").to_numpy()
    purchase = (tx[amount_col].to_numpy() >= 0) & ~cancelled
    if exclude_returns:
        tx = tx[purchase]
        purchase = np.ones(len(tx), dtype=bool)
    if not purchase.any():
        raise ValueError("No purchases left (amounts >= 0, not cancelled) to build RFM from.")

    purchases = tx[purchase]
    occasion_col = invoice_col if invoice_col is not None else date_col
    grouped = purchases.groupby(customer_col, sort=True)
    last = grouped[date_col].max()
    frequency = grouped[occasion_col].nunique()
    spend = tx.groupby(customer_col, sort=True)[amount_col].sum().reindex(last.index)
    table = pd.DataFrame(
        {
            "recency": (end - last).dt.days.astype(np.int64),
            "frequency": frequency.astype(np.int64),
            "monetary": spend.astype(np.float64),
        }
    )
    if monetary == "mean":
        table["monetary"] = table["monetary"] / table["frequency"]
    table.index.name = customer_col
    return table
