"""The compiled fit and predict release the GIL, so other Python threads keep running."""

from __future__ import annotations

import threading
import time

import numpy as np

from marketlearn import ChurnClassifier


def count_ticks_while(work) -> tuple[int, float]:
    """Run work() in a thread; count how often this thread gets to run meanwhile."""
    thread = threading.Thread(target=work)
    ticks = 0
    start = time.perf_counter()
    thread.start()
    while thread.is_alive():
        ticks += 1
        time.sleep(0.001)
    return ticks, time.perf_counter() - start


def test_fit_releases_the_gil():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200_000, 32))
    y = (X[:, 0] > 0).astype(np.int64)
    model = ChurnClassifier(optimizer="gd", max_iter=40, tol=None)
    ticks, seconds = count_ticks_while(lambda: model.fit(X, y))
    # Holding the GIL for the whole C++ fit would allow only a handful of ticks (during
    # the Python validation); released, this thread ticks about once per millisecond.
    assert seconds > 0.05
    assert ticks > 0.25 * seconds * 1000 * 0.5, (ticks, seconds)


def test_predict_proba_releases_the_gil():
    # Few, long calls (one thread each): a held GIL would let this thread tick about once
    # per call, not once per millisecond.
    X = np.random.default_rng(0).random((300_000, 64))
    model = ChurnClassifier(max_iter=3, n_jobs=1).fit(X[:1000], (X[:1000, 0] > 0.5).astype(int))
    ticks, seconds = count_ticks_while(lambda: [model.predict_proba(X) for _ in range(8)])
    assert seconds > 0.05
    assert ticks > 0.25 * seconds * 1000 * 0.5, (ticks, seconds)


def test_concurrent_predictions_match_serial(tmp_path):
    """One fitted model, many threads predicting at once (the GIL is released inside):
    every thread gets exactly the serial results, for float64 and float32 input, through
    the Python estimator, a model loaded from a file, and the C++ model-file reader."""
    from concurrent.futures import ThreadPoolExecutor

    from marketlearn import _core, load_model, save_model

    rng = np.random.default_rng(1)
    X = rng.standard_normal((20_000, 24))
    y = (X[:, 0] - X[:, 1] > 0).astype(np.int64)
    model = ChurnClassifier().fit(X, y)
    path = tmp_path / "model.json"
    save_model(model, path)
    loaded = load_model(path)
    X32 = X.astype(np.float32)
    # Different row slices per task, so threads also work on different buffers.
    slices = [slice(i * 1000, i * 1000 + 5000) for i in range(16)]

    def tasks():
        for s in slices:
            yield ("proba", s, lambda s=s: model.predict_proba(X[s]))
            yield ("proba32", s, lambda s=s: model.predict_proba(X32[s]))
            yield ("decision", s, lambda s=s: model.decision_function(X[s]))
            yield ("loaded", s, lambda s=s: loaded.predict_proba(X[s]))
            yield ("cpp", s, lambda s=s: _core.load_model_predict(str(path), X[s])["predict_proba"])

    serial = {(kind, s.start): run() for kind, s, run in tasks()}
    barrier = threading.Barrier(8)

    def run_after_barrier(run):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass  # a timed-out round: run anyway (80 tasks fill 8-thread rounds exactly)
        return run()

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = {
                (kind, s.start): pool.submit(run_after_barrier, run) for kind, s, run in tasks()
            }
        barrier.reset()
        for key, future in futures.items():
            result = future.result()
            assert result.dtype == serial[key].dtype, key
            assert np.array_equal(result, serial[key]), key
    assert np.array_equal(serial[("loaded", 0)], serial[("proba", 0)])
    np.testing.assert_allclose(serial[("cpp", 0)], serial[("proba", 0)], rtol=1e-12, atol=1e-12)


def test_concurrent_predictions_match_serial_for_every_family():
    """KMeans, LTVRegressor and the BG/NBD model, one fitted model each, predicted from
    8 threads at once: every result equals the serial one."""
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from marketlearn import KMeans, LTVRegressor
    from marketlearn.clv import BetaGeoModel

    rng = np.random.default_rng(2)
    X = rng.standard_normal((20_000, 8))
    kmeans = KMeans(6, random_state=0).fit(X)
    ltv = LTVRegressor().fit(X, rng.poisson(np.exp(0.3 * X[:, 0])) * 1.0)
    frequency = rng.poisson(2.0, 20_000).astype(float)
    T = rng.uniform(20, 60, 20_000)
    recency = np.where(frequency > 0, T * rng.uniform(0.01, 1, 20_000), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bgnbd = BetaGeoModel(penalizer_coef=0.01).fit(frequency, recency, T)
    slices = [slice(i * 1000, i * 1000 + 4000) for i in range(16)]

    def tasks():
        for s in slices:
            yield ("kmeans", s, lambda s=s: kmeans.predict(X[s]))
            yield ("kmeans-transform", s, lambda s=s: kmeans.transform(X[s]))
            yield ("ltv", s, lambda s=s: ltv.predict(X[s]))
            yield ("bgnbd", s, lambda s=s: bgnbd.predict(10.0, frequency[s], recency[s], T[s]))

    serial = {(kind, s.start): run() for kind, s, run in tasks()}
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {(kind, s.start): pool.submit(run) for kind, s, run in tasks()}
    for key, future in futures.items():
        np.testing.assert_array_equal(future.result(), serial[key], err_msg=str(key))


def test_kmeans_fit_releases_the_gil():
    from marketlearn import KMeans

    X = np.random.default_rng(3).standard_normal((200_000, 16))
    model = KMeans(8, n_init=1, max_iter=30, tol=0, random_state=0)
    ticks, seconds = count_ticks_while(lambda: model.fit(X))
    assert seconds > 0.05
    assert ticks > 0.25 * seconds * 1000 * 0.5, (ticks, seconds)
