"""The Python side of the core's end-of-epoch hook: progress bar, verbose log lines and
the user's callback.

The C++ fit loop runs without the GIL and takes it back only to call this hook, once per
epoch (per iteration for "gd" and "lbfgs"). When neither ``verbose`` nor a callback is
asked for, no hook is built at all and the loop never touches the GIL: ``verbose=0``
costs nothing and prints nothing.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

__all__ = ["EpochHook", "make_epoch_hook"]


class EpochHook:
    """Callable ``hook(epoch, objective, coef)`` for the core; also a context manager that
    closes the progress bar when the fit ends (normally or not).

    Parameters
    ----------
    verbose : int
        1: a tqdm progress bar (``tqdm.auto``: a text bar in a terminal, a widget in
        Jupyter) with the current objective; 2 or more: the bar plus one line per epoch.
    callback : callable or None
        The user's ``callback(epoch, objective, coef)``; its return value is passed on
        (True stops the fit).
    total : int
        Expected number of epochs (``max_iter``), the length of the bar.
    desc : str
        Label of the bar, e.g. the estimator's name and the class of a one-vs-rest fit.
    """

    def __init__(self, verbose: int, callback: Callable | None, total: int, desc: str) -> None:
        self.verbose = int(verbose)
        self.callback = callback
        self.bar = None
        self.start = time.perf_counter()
        if self.verbose > 0:
            from tqdm.auto import tqdm  # imported only when a bar is asked for

            self.bar = tqdm(total=int(total), desc=desc, unit="epoch", leave=True)
        self.desc = desc
        self._last = "-"

    def __call__(self, epoch: int, objective: float, coef: np.ndarray) -> Any:
        if self.bar is not None:
            # tqdm redraws at most every 0.1 s, so per-epoch updates stay cheap.
            self._last = f"{objective:.6g}"
            self.bar.set_postfix(loss=self._last, refresh=False)
            self.bar.update(1)
            if self.verbose > 1:
                self.bar.write(
                    f"-- {self.desc} epoch {epoch}: objective {objective:.8g}, "
                    f"norm {np.linalg.norm(coef):.4g}, nonzero {np.count_nonzero(coef)}, "
                    f"time {time.perf_counter() - self.start:.3f} s"
                )
        if self.callback is not None:
            return self.callback(epoch, objective, coef)
        return None

    def finish(self, stop_reason: str) -> None:
        """Show why the fit ended (e.g. "converged" at 40/1000 epochs, not a crash)."""
        if self.bar is not None:
            self.bar.set_postfix(loss=self._last, stopped=stop_reason, refresh=False)

    def close(self) -> None:
        """Close the progress bar (idempotent)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> EpochHook:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def make_epoch_hook(
    verbose: int, callback: Callable | None, total: int, desc: str
) -> EpochHook | None:
    """An :class:`EpochHook`, or None when there is nothing to report (keeps the GIL free).

    Parameters
    ----------
    verbose, callback, total, desc
        As for :class:`EpochHook`.

    Returns
    -------
    EpochHook or None
    """
    if callback is None and not verbose:
        return None
    return EpochHook(verbose, callback, total, desc)
