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

On a CUDA device the fit runs the batched loop (:mod:`sparse_parts._nmf_batched`: no
host synchronisation inside an iteration, the objective read every 5 iterations, so
the stop may come up to 4 iterations late); ``--batched on`` runs it on the CPU too,
``--batched off`` runs the numpy algorithm on the device. With ``--nmf-torch`` and
the package ``nmf-torch`` installed, its batch HALS (``run_nmf(algo="halsvar",
mode="batch")``, unconstrained) is timed to the same MSE on the same device: the
fewest ``batch_max_iter`` (in steps of 10) reaching it is found first (untimed),
then that fit timed.

Run:  .venv/bin/python benchmarks/bench_nmf_device.py --device cuda --skip-numpy [--nmf-torch]
      .venv/bin/python benchmarks/bench_nmf_device.py --device cpu --n-images 10000 --threads 1
"""

import argparse
import contextlib
import io
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


def time_to_target(X, device, max_iter, seed, batched=None):
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
                   device=device, batched=batched if device is not None else None)
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
    parser.add_argument("--batched", choices=("auto", "on", "off"), default="auto",
                        help="the batched loop on the device (auto: on CUDA only)")
    parser.add_argument("--nmf-torch", action="store_true",
                        help="time nmf-torch's batch HALS to the same MSE (if installed)")
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
            batched = {"auto": None, "on": True, "off": False}[args.batched]
            seconds, n_iter, mse = time_to_target(X, run_device, args.max_iter, args.seed,
                                                  batched)
            results[run_device] = seconds
            reached = "reached" if n_iter is not None else "NOT reached"
            print(f"  {label:<28} {seconds:8.1f} s  ({n_iter or args.max_iter} iterations, "
                  f"final MSE {mse:.5f}, {reached})")
        if args.nmf_torch:
            nmf_torch(X, device, args.seed)
    if None in results:
        print(f"  numpy time / torch time: {results[None] / results[device]:.2f}x")


def nmf_torch(X, device, seed):
    """nmf-torch's batch HALS (unconstrained) to TARGET_MSE on ``device``, if installed."""
    try:
        from nmf import run_nmf
    except ImportError:
        print("  nmf-torch: not installed (pip install nmf-torch; it builds a Cython "
              "extension)")
        return
    import torch

    use_gpu = device.startswith("cuda")

    def fit(n_iter):
        start = time.perf_counter()
        H, W, _ = run_nmf(X, K, init="nndsvdar", algo="halsvar", mode="batch", tol=0.0,
                          batch_max_iter=n_iter, random_state=seed, use_gpu=use_gpu)
        if use_gpu:
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        H, W = (np.asarray(a.cpu() if hasattr(a, "cpu") else a) for a in (H, W))
        return elapsed, float(np.mean((X - H @ W) ** 2))

    # nmf-torch's batch loop records its error every 10 iterations only (and fails
    # reading it when it stopped before the first record), so its budgets are
    # multiples of 10; each of its iterations runs inner HALS sweeps on both factors
    # until they settle (hals_tol 0.05, at most 200).
    for n_iter in (*range(10, 100, 10), *range(100, 501, 50)):
        with contextlib.redirect_stdout(io.StringIO()):  # it prints every 10 iterations
            reached = fit(n_iter)[1] <= TARGET_MSE
        if reached:
            with contextlib.redirect_stdout(io.StringIO()):
                seconds, mse = fit(n_iter)
            print(f"  nmf-torch batch HALS{'':<9} {seconds:8.1f} s  ({n_iter} iterations, "
                  f"the fewest in steps of 10 reaching it; MSE {mse:.5f}; unconstrained)")
            return
    print("  nmf-torch batch HALS: did not reach the MSE in 500 iterations")


if __name__ == "__main__":
    main()
