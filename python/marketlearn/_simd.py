"""Which SIMD kernels marketlearn runs on this machine."""

from __future__ import annotations

from . import _core

__all__ = ["simd_info"]


def simd_info() -> dict:
    """Describe the SIMD kernel set this process uses.

    The compiled core carries kernels for several x86-64 instruction sets and picks
    the best one the CPU and operating system support, once, at first use. Set the
    environment variable ``MARKETLEARN_SIMD`` to ``sse2``, ``avx2`` or ``avx512``
    before that first use to force a lower level (e.g. to reproduce results of an
    older machine, or to exercise every code path in CI).

    Returns
    -------
    dict
        - ``arch``: the level in use, ``"avx512"``, ``"avx2"`` or ``"sse2"``;
        - ``xsimd_arch``: the xsimd architecture implementing it (``"avx512bw"``,
          ``"fma3<avx2>"``, ``"sse2"``);
        - ``available``: the levels this build and machine support, best first;
        - ``forced``: the value of ``MARKETLEARN_SIMD``, or None when unset.

    Raises
    ------
    ValueError
        If ``MARKETLEARN_SIMD`` is not a known level.

    Examples
    --------
    >>> import marketlearn
    >>> marketlearn.simd_info()["arch"] in {"avx512", "avx2", "sse2"}
    True
    """
    return dict(_core.simd_info())
