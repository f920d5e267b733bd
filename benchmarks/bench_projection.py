"""Benchmark: the batched sparseness projection against Hoyer's per-vector ``projfunc``.

Projects random vectors of length 100 (entries uniform on [0, 1), like NMF factors)
to Hoyer sparseness 0.6 at unit L2 norm:

- ``sparse_parts.sparseness.project_sparseness`` on all of them at once (numpy);
- Hoyer's iterative ``projfunc`` (``tests/_hoyer_reference.py``) in a Python loop
  over the vectors, timed on a subset and extrapolated linearly to the full count;

then the two shapes sparse NMF projects every iteration (100 x 10,000 and
10,000 x 100) with numpy (float64 and float32) and with torch on the CPU.

Run ``.venv/bin/python benchmarks/bench_projection.py`` (100,000 vectors, loop on
5,000) or add ``--quick`` (20,000 vectors, loop on 1,000). Timings are the best of a
few repeats, in seconds of wall time.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The test oracle lives beside the tests, outside the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _hoyer_reference import projfunc  # noqa: E402
from _timing import best_time  # noqa: E402

from sparse_parts.sparseness import project_sparseness, sparseness_to_l1  # noqa: E402

N_FEATURES = 100
SPARSENESS = 0.6




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="20,000 vectors, reference loop on 1,000 (default 100,000 / 5,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_vectors, n_loop = (20_000, 1_000) if args.quick else (100_000, 5_000)
    repeats = 3

    rng = np.random.default_rng(args.seed)
    X = rng.random((n_vectors, N_FEATURES))
    l1 = sparseness_to_l1(N_FEATURES, SPARSENESS)

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}, load average at start "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{n_vectors:,} vectors of length {N_FEATURES}, entries uniform on [0, 1), "
          f"projected to sparseness {SPARSENESS} at unit L2 norm.\n")

    batched, S = best_time(lambda: project_sparseness(X, SPARSENESS), repeats)

    start = time.perf_counter()
    reference = np.array([projfunc(x, l1, 1.0)[0] for x in X[:n_loop]])
    loop_subset = time.perf_counter() - start
    loop = loop_subset * n_vectors / n_loop
    difference = np.abs(reference - S[:n_loop]).max()

    rows = [("numpy batched, project_sparseness", f"{n_vectors:,} x {N_FEATURES}", batched,
             f"best of {repeats}")]
    rows.append(("Hoyer projfunc, Python loop", f"{n_vectors:,} x {N_FEATURES}", loop,
                 f"measured {loop_subset:.2f} s on {n_loop:,} vectors, x{n_vectors // n_loop}"))

    shapes = [(100, 10_000), (10_000, 100)]
    nmf_inputs = {shape: rng.random(shape) for shape in shapes}
    for shape, data in nmf_inputs.items():
        for dtype in (np.float64, np.float32):
            data_typed = data.astype(dtype)
            seconds, _ = best_time(lambda d=data_typed: project_sparseness(d, SPARSENESS), 5)
            rows.append((f"numpy {np.dtype(dtype).name}", f"{shape[0]:,} x {shape[1]:,}",
                         seconds, "best of 5"))

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        default_threads = torch.get_num_threads()
        cases = [((n_vectors, N_FEATURES), X)] + list(nmf_inputs.items())
        # torch's intra-op threads spin-wait; on a busy machine one thread can be faster.
        for threads in sorted({default_threads, 1}, reverse=True):
            torch.set_num_threads(threads)
            for shape, data in cases:
                tensor = torch.from_numpy(data)
                seconds, result = best_time(
                    lambda t=tensor: project_sparseness(t, SPARSENESS), repeats)
                if shape == (n_vectors, N_FEATURES):
                    torch_difference = np.abs(result.numpy() - S).max()
                rows.append((f"torch {torch.__version__} CPU float64",
                             f"{shape[0]:,} x {shape[1]:,}", seconds,
                             f"best of {repeats}, {threads} thread(s)"))
        torch.set_num_threads(default_threads)

    width = max(len(r[0]) for r in rows)
    print(f"{'method':<{width}}  {'shape':>15}  {'seconds':>9}  {'us/vector':>9}  notes")
    for name, shape, seconds, note in rows:
        n_rows = int(shape.split(" x ")[0].replace(",", ""))
        print(f"{name:<{width}}  {shape:>15}  {seconds:9.4f}  {1e6 * seconds / n_rows:9.2f}  "
              f"{note}")
    print(f"\nspeed-up of the batched projection over the loop: {loop / batched:.0f}x "
          f"(loop time extrapolated linearly from {n_loop:,} vectors)")
    print(f"largest |batched - projfunc| on those {n_loop:,} vectors: {difference:.1e}")
    if torch is not None:
        print(f"largest |torch - numpy| on all {n_vectors:,} vectors: {torch_difference:.1e}")
    print(f"load average at end {os.getloadavg()[0]:.1f} (other processes share the CPUs)")


if __name__ == "__main__":
    main()
