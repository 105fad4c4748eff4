"""Plain one-row SGD: marketlearn GDClassifier vs scikit-learn SGDClassifier.

The SGD case of bench/compare.py (100,000 x 100 float64, log loss, 'optimal' rate,
alpha=1e-4, 5 epochs, batch_size=1) on its own, for iterating on the one-row step:

    .venv/bin/python bench/python/sgd_batch1.py [--repeats 5] [--n 100000] [--d 100]

The two fits alternate (the machine's noise hits both alike); medians are reported.
"""

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compare import interleaved, logistic_data  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402

from marketlearn import GDClassifier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    X, y = logistic_data(args.n, args.d, "float64", seed=1)
    common = dict(alpha=1e-4, max_iter=args.epochs, tol=None, random_state=0)
    fits = {
        "scikit-learn": lambda: SGDClassifier(
            loss="log_loss", learning_rate="optimal", **common
        ).fit(X, y),
        "marketlearn": lambda: GDClassifier(
            loss="log_loss", optimizer="sgd", batch_size=1, learning_rate="optimal", **common
        ).fit(X, y),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: the epoch count is the point
        med, raw, _ = interleaved(fits, args.repeats)
    for name, runs in raw.items():
        print(f"{name:>13}: median {med[name]:.4f} s  runs " + " ".join(f"{t:.4f}" for t in runs))
    steps = args.n * args.epochs
    print(f"marketlearn: {med['marketlearn'] / steps * 1e9:.0f} ns per one-row step")
    print(f"ratio scikit-learn / marketlearn: {med['scikit-learn'] / med['marketlearn']:.2f}x")


if __name__ == "__main__":
    main()
