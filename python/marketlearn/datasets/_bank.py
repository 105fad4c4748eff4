"""UCI "Bank Marketing" (bank-additional-full), bundled (see data/BANK_MARKETING_PROVENANCE.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Bunch, data_file, read_provenance

__all__ = ["load_bank_marketing", "bank_marketing_provenance"]

_CSV = "bank_marketing.csv.gz"
_PROVENANCE = "BANK_MARKETING_PROVENANCE.md"
TARGET_COLUMN = "y"
#: Known only after the call, and it nearly decides ``y``: a leak for lead scoring.
LEAKY_COLUMN = "duration"


def load_bank_marketing(
    *, return_X_y: bool = False, as_frame: bool = True, drop_duration: bool = False
):
    """Load UCI's Bank Marketing data (41,188 calls of a Portuguese bank, 20 features).

    The ``bank-additional-full`` release (Moro, Cortez & Rita, 2014), shipped gzip-compressed
    and byte-identical to the UCI file when decompressed; see
    :func:`bank_marketing_provenance` for source, licence (CC BY 4.0) and hashes.

    Parsing: the file is ``;``-separated; categorical columns stay text (missing values are
    the category ``"unknown"``); ``pdays == 999`` means "not contacted before"; the target
    ``y`` (``"yes"``/``"no"``: subscribed a term deposit) becomes 1/0 integers.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(X, y)`` instead of a :class:`Bunch`.
    as_frame : bool, default=True
        If True, X is a DataFrame and y a Series named ``"y"``; otherwise X is a 2-D object
        array and y an int64 array.
    drop_duration : bool, default=False
        Drop ``duration`` (call length). It is known only after the call and strongly
        determines ``y``, so a realistic lead-scoring model must not use it.

    Returns
    -------
    data : Bunch or tuple
        ``(X, y)`` if ``return_X_y``, else a :class:`Bunch` with ``data``, ``target``,
        ``frame`` (features and target; None when ``as_frame=False``), ``feature_names``,
        ``target_names`` (``["no", "yes"]``) and ``DESCR``.

    Examples
    --------
    >>> from marketlearn.datasets import load_bank_marketing
    >>> X, y = load_bank_marketing(return_X_y=True, drop_duration=True)
    >>> X.shape, round(y.mean(), 4)
    ((41188, 19), 0.1127)
    """
    with data_file(_CSV).open("rb") as handle:
        frame = pd.read_csv(handle, sep=";", compression="gzip")
    y = (frame.pop(TARGET_COLUMN) == "yes").astype(np.int64).rename(TARGET_COLUMN)
    X = frame.drop(columns=LEAKY_COLUMN) if drop_duration else frame
    feature_names = list(X.columns)
    full = None
    if as_frame:
        full = X.copy()
        full[TARGET_COLUMN] = y
    else:
        X = X.to_numpy(dtype=object)
        y = y.to_numpy()
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=full,
        feature_names=feature_names,
        target_names=["no", "yes"],
        DESCR=bank_marketing_provenance(),
    )


def bank_marketing_provenance() -> str:
    """The provenance and licence note of the bundled Bank Marketing data (Markdown).

    Returns
    -------
    str
        The note, with source, citation, licence and sha256 hashes.
    """
    return read_provenance(_PROVENANCE)
