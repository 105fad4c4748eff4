"""From a transaction log to the per-customer summaries the CLV models fit on.

``summary_from_transactions`` gives, per customer, the recency-frequency-age statistics
of Fader, Hardie & Lee (2005) and the mean repeat spend; ``calibration_and_holdout_data``
splits the log at a date into a calibration summary and holdout counts, for checking
forecasts. Names and outputs follow ``lifetimes.utils`` (where they differ, the
docstrings say so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["summary_from_transactions", "calibration_and_holdout_data"]

#: Time units for recency, T and durations: fixed lengths only (a month or a year has no
#: fixed length; use days and divide).
_UNITS = {
    "D": pd.Timedelta(days=1),
    "W": pd.Timedelta(weeks=1),
    "h": pd.Timedelta(hours=1),
    "H": pd.Timedelta(hours=1),
    "min": pd.Timedelta(minutes=1),
    "T": pd.Timedelta(minutes=1),
    "s": pd.Timedelta(seconds=1),
    "S": pd.Timedelta(seconds=1),
}

#: Purchase periods (what counts as one purchase occasion) and pandas' period alias.
_PERIODS = {"D": "D", "W": "W", "h": "h", "H": "h", "min": "min", "T": "min", "s": "s", "S": "s"}


def _time_unit(freq, freq_multiplier) -> pd.Timedelta:
    if freq not in _UNITS:
        raise ValueError(
            f"freq={freq!r} is not a fixed-length time unit; use one of "
            f"{sorted(set(_UNITS))} (for months, use 'D' and divide durations by 30)."
        )
    if not (np.isscalar(freq_multiplier) and np.isfinite(freq_multiplier) and freq_multiplier > 0):
        raise ValueError(f"freq_multiplier={freq_multiplier!r} must be a finite number > 0.")
    return _UNITS[freq] * freq_multiplier


def _period_alias(purchase_period, freq) -> str:
    if purchase_period is None:
        # Days are the natural purchase occasion (Fader & Hardie's CDNOW summaries, BTYD);
        # finer units count each hour/minute/second as its own occasion.
        purchase_period = "D" if freq in ("D", "W") else freq
    if purchase_period not in _PERIODS:
        raise ValueError(
            f"purchase_period={purchase_period!r} is not one of {sorted(set(_PERIODS))}."
        )
    return _PERIODS[purchase_period]


def _floor(dates: pd.Series, period: str) -> pd.Series:
    """Start of the period each date falls in (calendar weeks end on Sunday, as pandas')."""
    if period == "W":
        return dates.dt.to_period("W").dt.start_time
    return dates.dt.floor(period)


def _to_timestamp(value, name, datetime_format):
    """A period boundary: parsed with datetime_format (as the log's dates) or, failing
    that, as any date pandas understands (a Timestamp, "1997-09-30", ...)."""
    try:
        stamp = pd.to_datetime(value, format=datetime_format)
    except (ValueError, TypeError):
        try:
            stamp = pd.to_datetime(value)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name}={value!r} is not a date: {error}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name}={value!r} is not a date.")
    return stamp


def _purchase_periods(transactions, customer_col, date_col, amount_col, datetime_format, period):
    """One row per (customer, purchase period): the period start and the period's spend."""
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(
            f"transactions must be a pandas DataFrame; got {type(transactions).__name__}."
        )
    for role, col in (
        ("customer_col", customer_col),
        ("date_col", date_col),
        ("amount_col", amount_col),
    ):
        if col is not None and col not in transactions.columns:
            raise ValueError(
                f"{role}={col!r} is not a column of transactions; columns: "
                f"{list(transactions.columns)}."
            )
    customers = transactions[customer_col]
    if customers.isna().any():
        row = transactions.index[np.flatnonzero(customers.isna().to_numpy())[0]]
        raise ValueError(
            f"{customer_col} is missing in row {row!r}; every transaction needs a customer."
        )
    raw_dates = transactions[date_col]
    try:
        dates = pd.to_datetime(raw_dates, format=datetime_format)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{date_col} holds values that are not dates: {error}") from None
    if dates.isna().any():
        position = np.flatnonzero(dates.isna().to_numpy())[0]
        raise ValueError(
            f"{date_col}={raw_dates.iloc[position]!r} in row {transactions.index[position]!r} "
            "is not a date."
        )
    frame = pd.DataFrame(
        {"customer": customers.to_numpy(), "period": _floor(dates, period).to_numpy()}
    )
    if amount_col is not None:
        try:
            amounts = pd.to_numeric(transactions[amount_col]).to_numpy(dtype=np.float64)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{amount_col} holds values that are not numbers: {error}") from None
        bad = ~np.isfinite(amounts)
        if bad.any():
            position = np.flatnonzero(bad)[0]
            value, row = float(amounts[position]), transactions.index[position]
            raise ValueError(f"{amount_col}={value!r} in row {row!r} must be a finite number.")
        frame["amount"] = amounts
    return frame


def _aggregate_periods(frame: pd.DataFrame, has_amount: bool) -> pd.DataFrame:
    """Collapse transactions into purchase occasions: (customer, period) -> spend."""
    grouped = frame.groupby(["customer", "period"], sort=True)
    if has_amount:
        occasions = grouped["amount"].sum().reset_index()
    else:
        occasions = grouped.size().reset_index(name="n")[["customer", "period"]]
    return occasions


def _summarize(occasions: pd.DataFrame, end, unit, has_amount, include_first_transaction):
    by_customer = occasions.groupby("customer", sort=True)
    first = by_customer["period"].min()
    last = by_customer["period"].max()
    count = by_customer.size()
    out = pd.DataFrame(index=first.index)
    out["frequency"] = (count if include_first_transaction else count - 1).astype(np.float64)
    out["recency"] = (last - first) / unit
    out["T"] = (end - first) / unit
    if has_amount:
        if include_first_transaction:
            spend = by_customer["amount"].mean()
        else:
            # occasions are sorted by (customer, period): rank 0 is the first purchase
            repeat = occasions[by_customer.cumcount().to_numpy() > 0]
            spend = repeat.groupby("customer", sort=True)["amount"].mean()
        out["monetary_value"] = spend.reindex(out.index).fillna(0.0)
    return out.astype(np.float64)


def summary_from_transactions(
    transactions,
    customer_col,
    date_col,
    amount_col=None,
    observation_period_end=None,
    freq="D",
    *,
    freq_multiplier=1,
    purchase_period=None,
    datetime_format=None,
    include_first_transaction=False,
):
    """Per-customer frequency, recency, age (T) and mean repeat spend from a transaction log.

    Transactions on the same purchase period (a day by default) count as one purchase
    occasion, with their values summed. Per customer:

    - ``frequency``: the number of *repeat* purchase occasions: distinct periods with a
      purchase, minus 1 (the first purchase starts the relationship and is not counted);
    - ``recency``: time from the first to the last purchase occasion (0 without repeats);
    - ``T``: time from the first purchase occasion to ``observation_period_end``;
    - ``monetary_value`` (only with ``amount_col``): the mean value of the repeat
      purchase occasions, 0 when frequency is 0 (the first purchase is left out, as the
      Gamma-Gamma model expects).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    customer_col, date_col : str
        Columns with the customer id and the date (anything ``pandas.to_datetime``
        parses; see ``datetime_format``).
    amount_col : str, optional
        Column with the transaction value; adds ``monetary_value``.
    observation_period_end : date-like, optional
        End of the observation period (inclusive); later transactions are ignored.
        Default: the last transaction date.
    freq : {"D", "W", "h", "min", "s"}, default "D"
        Time unit of ``recency`` and ``T`` (weeks are 7 days).
    freq_multiplier : float, default 1
        Durations are divided by this too (lifetimes' argument: ``freq="D",
        freq_multiplier=7`` is the same as ``freq="W"``).
    purchase_period : {"D", "W", "h", "min", "s"}, optional
        What counts as one purchase occasion. Default: a day when ``freq`` is "D" or
        "W" (as the CDNOW summaries of Fader & Hardie and R's BTYD count), else
        ``freq``. Dates are floored to the start of their period before anything is
        measured, so ``purchase_period="W"`` gives whole calendar weeks (Monday to
        Sunday).
    datetime_format : str, optional
        ``strftime`` format of the dates, e.g. ``"%Y%m%d"``.
    include_first_transaction : bool, default False
        Count the first purchase in ``frequency`` and ``monetary_value`` (not for the
        BG/NBD and Gamma-Gamma models, which expect repeat purchases only).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted), float64 columns ``frequency``, ``recency``,
        ``T`` and, with ``amount_col``, ``monetary_value``.

    Notes
    -----
    With ``freq="W"``, lifetimes' ``summary_data_from_transaction_data`` buckets
    purchases into calendar weeks and reports whole weeks; here purchases are counted
    per day and durations are exact days / 7, which is how the published CDNOW summary
    (Fader, Hardie & Lee 2005) was built. ``purchase_period="W"`` gives lifetimes'
    weekly behaviour.

    Examples
    --------
    >>> import pandas as pd
    >>> from marketlearn.clv import summary_from_transactions
    >>> log = pd.DataFrame({"id": ["a", "a", "a", "b"],
    ...                     "date": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"],
    ...                     "amount": [10.0, 5.0, 20.0, 7.0]})
    >>> summary_from_transactions(log, "id", "date", "amount",
    ...                           observation_period_end="2024-01-29", freq="W")
        frequency  recency    T  monetary_value
    id
    a         1.0      2.0  4.0            20.0
    b         0.0      0.0  3.0             0.0
    """
    unit = _time_unit(freq, freq_multiplier)
    period = _period_alias(purchase_period, freq)
    frame = _purchase_periods(
        transactions, customer_col, date_col, amount_col, datetime_format, period
    )
    if observation_period_end is None:
        end = frame["period"].max()
    else:
        end = _floor(
            pd.Series(
                [_to_timestamp(observation_period_end, "observation_period_end", datetime_format)]
            ),
            period,
        ).iloc[0]
    frame = frame[frame["period"] <= end]
    if frame.empty:
        raise ValueError(
            f"no transactions on or before observation_period_end={observation_period_end!r}."
        )
    occasions = _aggregate_periods(frame, amount_col is not None)
    out = _summarize(occasions, end, unit, amount_col is not None, include_first_transaction)
    out.index.name = customer_col
    return out


def calibration_and_holdout_data(
    transactions,
    customer_col,
    date_col,
    calibration_period_end,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    *,
    amount_col=None,
    purchase_period=None,
    datetime_format=None,
    include_first_transaction=False,
):
    """Calibration summary and holdout purchase counts, split at a date.

    Customers are those with a purchase on or before ``calibration_period_end``. Their
    calibration summary is ``summary_from_transactions`` up to that date (columns
    ``frequency_cal``, ``recency_cal``, ``T_cal`` and ``monetary_value_cal``); the holdout
    runs from the period after ``calibration_period_end`` to ``observation_period_end``
    inclusive:

    - ``frequency_holdout``: purchase occasions (distinct purchase periods) in the holdout;
    - ``monetary_value_holdout`` (with ``amount_col``): their mean value, 0 if none;
    - ``duration_holdout``: the holdout's length in ``freq`` units.

    Compare ``frequency_holdout`` with a model's
    ``conditional_expected_number_of_purchases_up_to_time(duration_holdout, ...)``.

    Parameters
    ----------
    transactions, customer_col, date_col, freq, freq_multiplier, amount_col, \
purchase_period, datetime_format, include_first_transaction
        As for :func:`summary_from_transactions`.
    calibration_period_end : date-like
        Last day of the calibration period (inclusive).
    observation_period_end : date-like, default=None
        Last day of the holdout (inclusive); default: the last transaction date.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, with the ``*_cal`` and ``*_holdout`` columns above.

    Notes
    -----
    lifetimes averages ``monetary_value_holdout`` over transactions; here it is averaged
    over purchase occasions, the same definition as ``monetary_value_cal``.
    """
    unit = _time_unit(freq, freq_multiplier)
    period = _period_alias(purchase_period, freq)
    frame = _purchase_periods(
        transactions, customer_col, date_col, amount_col, datetime_format, period
    )

    def floored(value, name):
        stamp = _to_timestamp(value, name, datetime_format)
        return _floor(pd.Series([stamp]), period).iloc[0]

    calibration_end = floored(calibration_period_end, "calibration_period_end")
    if observation_period_end is None:
        end = frame["period"].max()
    else:
        end = floored(observation_period_end, "observation_period_end")
    if not end > calibration_end:
        raise ValueError(
            f"observation_period_end={observation_period_end!r} must be after "
            f"calibration_period_end={calibration_period_end!r}: the holdout period is empty."
        )
    has_amount = amount_col is not None
    calibration = frame[frame["period"] <= calibration_end]
    if calibration.empty:
        raise ValueError(
            f"no transactions on or before calibration_period_end={calibration_period_end!r}."
        )
    summary = _summarize(
        _aggregate_periods(calibration, has_amount),
        calibration_end,
        unit,
        has_amount,
        include_first_transaction,
    )
    summary.columns = [f"{c}_cal" for c in summary.columns]

    holdout = frame[(frame["period"] > calibration_end) & (frame["period"] <= end)]
    occasions = _aggregate_periods(holdout, has_amount)
    by_customer = occasions.groupby("customer", sort=True)
    summary["frequency_holdout"] = (
        by_customer.size().reindex(summary.index).fillna(0).astype(np.float64)
    )
    if has_amount:
        summary["monetary_value_holdout"] = (
            by_customer["amount"].mean().reindex(summary.index).fillna(0.0)
        )
    summary["duration_holdout"] = (end - calibration_end) / unit
    summary.index.name = customer_col
    return summary
