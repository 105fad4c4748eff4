"""Binary predict_proba, marketlearn vs scikit-learn, on 1,000,000 x 100 float64 and float32.

    python bench/python/predict_proba.py [--n 1000000] [--d 100] [--repeats 5]

The case of bench/compare.py on its own (same data, same coefficients, interleaved calls,
medians), so the one pass can be timed in a few seconds while working on it; the ratio
is scikit-learn / marketlearn and the read rate is X's bytes over marketlearn's median.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compare import case_predict_proba, read_bandwidth_gbs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    bw_bytes = 1 << 30
    bandwidth = max(
        read_bandwidth_gbs(bw_bytes, 5), read_bandwidth_gbs(bw_bytes, 5, os.cpu_count())
    )
    print(f"read bandwidth: {bandwidth:.1f} GB/s")
    for dtype in (np.float64, np.float32):
        r = case_predict_proba(args.n, args.d, args.repeats, bandwidth, dtype)
        med, q = r["median_s"], r["quality"]
        print(
            f"{r['case']}: scikit-learn {med['scikit-learn']:.4f} s, "
            f"marketlearn {med['marketlearn']:.4f} s, ratio {r['ratio']:.2f}x, "
            f"{q['X_read_GBps']:.1f} GB/s ({100 * q['fraction_of_bandwidth']:.0f}% of read "
            f"bandwidth), max |difference| {q['max_abs_difference']:.1e}"
        )


if __name__ == "__main__":
    main()
