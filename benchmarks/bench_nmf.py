"""SparseNMF on the 10,000 Fashion-MNIST test images: quality and time to quality.

Prints, for ``SparseNMF(n_components=100, code_sparseness=0.6,
code_sparseness_scope="component")`` (the study's "Sparse NMF, S_h = 0.6" row) and
for the "sample" scope at 0.6 and 0.8: reconstruction MSE, mean per-sample Hoyer
sparsity of the codes and the max-approximation error to dilation by disk(1).

Then the time to reach the study's quality (MSE <= 0.0115) against

- a faithful NumPy transcription of Hoyer's ``nmfsc`` (``tests/_hoyer_reference.py``),
  run for a fixed time budget (it needs more than 1,000 iterations, so when it has
  not reached the target the ratio printed is a lower bound);
- ``sklearn.decomposition.NMF(solver="cd")`` reaching the same MSE without
  constraints.

Run:  .venv/bin/python benchmarks/bench_nmf.py [--quick] [--nmfsc-budget SECONDS]
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The test oracle lives beside the tests, outside the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

from _hoyer_reference import nmfsc  # noqa: E402

from sparse_parts import SparseNMF  # noqa: E402
from sparse_parts.datasets import fetch_fashion_mnist  # noqa: E402
from sparse_parts.metrics import (  # noqa: E402
    hoyer_sparsity,
    max_approximation_error,
    reconstruction_error,
)
from sparse_parts.nmf import sparse_nmf  # noqa: E402

TARGET_MSE = 0.0115
STUDY = {"mse": 0.0109, "sparsity": 0.6504, "max_approx": 0.107}


def quality(model, X, codes):
    mse = reconstruction_error(X, model.inverse_transform(codes))
    return mse, hoyer_sparsity(codes), max_approximation_error(model, X, codes=codes)


def time_to_target(fit_once, target):
    """Seconds for our solver to reach ``target`` MSE (stopping there), and iterations."""
    state = {}

    def callback(n_iter, codes, components, error):
        if error <= target:
            state["n_iter"] = n_iter
            return True
        return False

    start = time.perf_counter()
    fit_once(callback)
    elapsed = time.perf_counter() - start
    return (elapsed, state["n_iter"]) if "n_iter" in state else (np.inf, None)


def sklearn_time_to_target(X, target, k, seed):
    """Fewest iterations of sklearn's cd solver reaching ``target``, and that run's time."""
    for n_iter in range(10, 201, 5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model = NMF(k, solver="cd", max_iter=n_iter, tol=0, random_state=seed)
            W = model.fit_transform(X)
            elapsed = time.perf_counter() - start
        mse = float(np.mean((X - W @ model.components_) ** 2))
        if mse <= target:
            return elapsed, n_iter, mse
    return np.inf, None, mse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2,000 images and short budgets (a smoke run, not the record)")
    parser.add_argument("--nmfsc-budget", type=float, default=None,
                        help="seconds given to the nmfsc baseline (default: 12x ours, >= 120)")
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for every method (default 1: on a shared machine "
                             "OpenBLAS threads slow everything down by up to 5x; 0 = library "
                             "default)")
    args = parser.parse_args(argv)
    if args.threads:
        with threadpool_limits(args.threads):
            run(args)
    else:
        run(args)


def run(args):

    X = fetch_fashion_mnist(subset="test").data.astype(np.float32)
    if args.quick:
        X = X[:2000]
    k = 100
    print(f"data: {X.shape[0]} Fashion-MNIST test images, {X.dtype}, k={k}; "
          f"{os.cpu_count()} CPUs, BLAS threads: {args.threads or 'default'}, "
          f"load average {os.getloadavg()[0]:.1f}")

    # ---- quality --------------------------------------------------------------
    rows = []
    for scope, level in (("component", 0.6), ("sample", 0.6), ("sample", 0.8)):
        model = SparseNMF(k, code_sparseness=level, code_sparseness_scope=scope,
                          max_iter=args.max_iter, tol=1e-4, random_state=args.seed)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fit_codes = model.fit_transform(X)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        new_codes = model.transform(X)
        transform_time = time.perf_counter() - start
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        name = f"{scope} S_h={level}"
        rows.append((name, "fit codes", *quality(model, X, fit_codes), model.n_iter_,
                     fit_time, converged))
        rows.append((name, "transform()", *quality(model, X, new_codes), None,
                     transform_time, None))

    print("\nquality (study's sparse NMF S_h=0.6 row: MSE 0.0109, sparsity 0.650, "
          "max-approx 0.107; must reach MSE <= 0.0115, sparsity >= 0.60, max-approx <= 0.12)")
    print(f"{'model':<20} {'codes':<12} {'MSE':>8} {'sparsity':>9} {'max-approx':>11} "
          f"{'iters':>6} {'seconds':>8} {'converged':>9}")
    for name, codes, mse, sp, ma, n_iter, seconds, conv in rows:
        print(f"{name:<20} {codes:<12} {mse:8.5f} {sp:9.4f} {ma:11.4f} "
              f"{'' if n_iter is None else n_iter:>6} {seconds:8.1f} "
              f"{'' if conv is None else conv!s:>9}")

    # ---- time to quality --------------------------------------------------------
    print(f"\ntime to MSE <= {TARGET_MSE} (component scope, S_h = 0.6)")

    def ours_once(callback):
        sparse_nmf(X, k, code_sparseness=0.6, code_sparseness_scope="component",
                   max_iter=args.max_iter, tol=0, random_state=args.seed, callback=callback)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours, ours_iter = time_to_target(ours_once, TARGET_MSE)
    print(f"  SparseNMF (this package)        {ours:8.1f} s  ({ours_iter} iterations)")

    skl, skl_iter, skl_mse = sklearn_time_to_target(X, TARGET_MSE, k, args.seed)
    print(f"  sklearn NMF cd, unconstrained   {skl:8.1f} s  ({skl_iter} iterations, "
          f"MSE {skl_mse:.5f})")

    budget = args.nmfsc_budget or max(120.0, 12 * ours)
    if args.quick:
        budget = min(budget, 60.0)
    trace = []

    def nmfsc_callback(n_iter, W, H, elapsed):
        mse = float(np.mean((X.T - W @ H) ** 2)) if n_iter % 10 == 0 else None
        trace.append((n_iter, elapsed, mse))
        return (mse is not None and mse <= TARGET_MSE) or elapsed > budget

    nmfsc(X.T.astype(np.float64), k, sH=0.6, max_iter=100000, callback=nmfsc_callback,
          random_state=args.seed)
    measured = [t for t in trace if t[2] is not None]
    last_iter, last_time, last_mse = measured[-1] if measured else (trace[-1][0],
                                                                    trace[-1][1], np.nan)
    reached = last_mse <= TARGET_MSE
    per_iter = trace[-1][1] / max(trace[-1][0], 1)
    print(f"  Hoyer nmfsc (NumPy transcription) {last_time:6.1f} s  ({last_iter} iterations, "
          f"{per_iter:.2f} s/iteration, MSE {last_mse:.5f}, "
          f"{'reached' if reached else 'NOT reached: budget spent'})")

    print("\nratios (same run)")
    bound = "" if reached else ">= "
    print(f"  nmfsc time / SparseNMF time:    {bound}{last_time / ours:6.1f}x   (needs >= 10x)")
    print(f"  SparseNMF time / sklearn cd:    {ours / skl:6.2f}x   (needs <= 2x)")


if __name__ == "__main__":
    main()
