"""SparseNMF on numpy against SparseNMF on a torch device: time to the study's quality.

Fits the study's sparse NMF (``code_sparseness=0.6, code_sparseness_scope="component"``,
k = 100) to the 60,000 Fashion-MNIST training images, once with ``device=None``
(numpy) and once with ``--device`` (torch), each stopped by the fit's callback as
soon as its mean squared error reaches 0.0115, and prints the seconds, the
iterations, the final MSE and the ratio. Both start from the same point (the start
is computed with numpy) and run the same algorithm, so they take the same
iterations to rounding; the timings include the start and, for torch, the
transfers to and from the device. A short untimed fit on the device first pays
torch's one-off start-up costs (CUDA context, kernels), which are not the solver's.

Run:  .venv/bin/python benchmarks/bench_nmf_device.py --device cuda
      .venv/bin/python benchmarks/bench_nmf_device.py --device cpu --n-images 10000 --threads 1
"""

import argparse
import contextlib
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sparse_parts.datasets import fetch_fashion_mnist  # noqa: E402
from sparse_parts.nmf import sparse_nmf  # noqa: E402

TARGET_MSE = 0.0115
K = 100


def time_to_target(X, device, max_iter, seed):
    """``(seconds, iterations, final MSE)`` of a fit stopped at ``TARGET_MSE``."""
    state = {"n_iter": None, "mse": np.nan}

    def callback(n_iter, codes, components, error):
        state["mse"] = error
        if error <= TARGET_MSE:
            state["n_iter"] = n_iter
            return True
        return False

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        # The results come back as numpy arrays, so a device fit has finished here.
        sparse_nmf(X, K, code_sparseness=0.6, code_sparseness_scope="component",
                   max_iter=max_iter, tol=0, random_state=seed, callback=callback,
                   device=device)
        elapsed = time.perf_counter() - start
    return elapsed, state["n_iter"], state["mse"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda",
                        help="torch device to time against numpy: cpu, cuda, cuda:N, auto")
    parser.add_argument("--n-images", type=int, default=60000,
                        help="first N training images (default: all 60,000)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for numpy's BLAS and torch alike (0: the "
                             "libraries' defaults)")
    parser.add_argument("--skip-numpy", action="store_true",
                        help="time the torch device only")
    args = parser.parse_args(argv)

    X = fetch_fashion_mnist(subset="train").data[:args.n_images].astype(args.dtype)
    import torch

    from sparse_parts._backend import resolve_device, torch_threads
    device = resolve_device(args.device)
    limits = contextlib.ExitStack()
    if args.threads:
        limits.enter_context(threadpool_limits(args.threads))
        limits.enter_context(torch_threads(args.threads))
    name = torch.cuda.get_device_name(device) if device.startswith("cuda") else "CPU"
    print(f"data: {X.shape[0]} Fashion-MNIST training images, {X.dtype}, k={K}, "
          f"component scope S_h=0.6, target MSE {TARGET_MSE}; torch device {device} "
          f"({name}); {os.cpu_count()} CPUs, threads: {args.threads or 'default'}, "
          f"load average {os.getloadavg()[0]:.1f}")
    with limits:
        # Untimed warm-up of the device: start-up costs, not the solver's.
        sparse_nmf(X[:500], 10, code_sparseness=0.6, code_sparseness_scope="component",
                   max_iter=2, tol=0, random_state=args.seed, device=device)
        runs = [] if args.skip_numpy else [("numpy (device=None)", None)]
        runs.append((f"torch (device={device!r})", device))
        results = {}
        for label, run_device in runs:
            seconds, n_iter, mse = time_to_target(X, run_device, args.max_iter, args.seed)
            results[run_device] = seconds
            reached = "reached" if n_iter is not None else "NOT reached"
            print(f"  {label:<28} {seconds:8.1f} s  ({n_iter or args.max_iter} iterations, "
                  f"final MSE {mse:.5f}, {reached})")
    if None in results:
        print(f"  numpy time / torch time: {results[None] / results[device]:.2f}x")


if __name__ == "__main__":
    main()
