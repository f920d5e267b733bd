"""Streaming images through ``partial_fit``: time and peak memory.

Builds (once) a float32 file of ``--n-images`` Fashion-MNIST-sized images: the 60,000
training images of Fashion-MNIST repeated, each copy shifted by up to one pixel and
perturbed by Gaussian noise (sd 0.02, clipped to [0, 1]). 1,000,000 images take
3.1 GB on disk. The file is then streamed through ``partial_fit`` of SparseNMF when it
has one (else of the shallow auto-encoder) in two ways, each in a process of its own
(started through a small launcher process: on Linux a process exec'd by a large one
inherits that one's peak as its ``ru_maxrss``), whose peak resident memory is printed:

- ``memmap``: chunk after chunk mapped from the file and copied out (each map is
  closed before the next, so the file's pages do not pile up in the process);
- ``dask``: a dask array of the same chunks on a ``distributed.LocalCluster`` (one
  worker process); the worker reads each chunk from the file, the client gathers it
  and calls ``partial_fit``, with at most two chunks in flight. The worker's peak
  memory is printed too.

Run:  .venv/bin/python benchmarks/bench_streaming.py [--n-images N] [--chunk-size C]
      [--estimator auto|nmf|ae] [--path FILE] [--phases memmap dask]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

N_FEATURES = 28 * 28
ROW_BYTES = N_FEATURES * 4
NOISE_SD = 0.02


def peak_rss_mb():
    """Peak resident memory of this process in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- the file
def build_file(path, n_images, chunk_size, seed=0):
    """Write ``n_images`` perturbed Fashion-MNIST images to ``path`` (raw float32)."""
    from sparse_parts.datasets import fetch_fashion_mnist

    base = fetch_fashion_mnist("train", download_if_missing=False).images  # (60000, 28, 28)
    rng = np.random.default_rng(seed)
    with open(path + ".part", "wb") as out:
        for start in range(0, n_images, chunk_size):
            rows = np.arange(start, min(start + chunk_size, n_images)) % len(base)
            shift = rng.integers(-1, 2, size=2)
            images = np.roll(base[rows], tuple(shift), axis=(1, 2))
            images = images + rng.normal(0.0, NOISE_SD, images.shape).astype(np.float32)
            out.write(np.clip(images, 0.0, 1.0, out=images).astype(np.float32).tobytes())
    os.replace(path + ".part", path)


def read_chunk(path, start, stop):
    """Rows ``start:stop`` of the file, copied out of a map closed on return."""
    mapped = np.memmap(path, dtype=np.float32, mode="r", offset=start * ROW_BYTES,
                       shape=(stop - start, N_FEATURES))
    try:
        return np.array(mapped)
    finally:
        mapped._mmap.close()


# --------------------------------------------------------------------------- estimators
def make_estimator(name):
    """SparseNMF or the shallow auto-encoder, 100 atoms, default parameters otherwise."""
    from sparse_parts import SparseNMF, SparseNonNegAutoEncoder

    if name == "auto":
        name = "nmf" if hasattr(SparseNMF, "partial_fit") else "ae"
    if name == "nmf":
        return SparseNMF(n_components=100, random_state=0)
    return SparseNonNegAutoEncoder(n_components=100, random_state=0)


def _score(estimator, path, n_images):
    """Minus the reconstruction MSE on 2,000 images spread over the stream."""
    rows = np.linspace(0, n_images - 1, 2000).astype(int)
    sample = np.concatenate([read_chunk(path, r, r + 1) for r in rows])
    return float(estimator.score(sample))


# --------------------------------------------------------------------------- phases
def stream_memmap(args):
    estimator = make_estimator(args.estimator)
    start = time.perf_counter()
    for first in range(0, args.n_images, args.chunk_size):
        estimator.partial_fit(read_chunk(args.path, first,
                                         min(first + args.chunk_size, args.n_images)))
    seconds = time.perf_counter() - start
    return dict(estimator=type(estimator).__name__, seconds=seconds,
                peak_rss_mb=peak_rss_mb(), score=_score(estimator, args.path, args.n_images))


def stream_dask(args):
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    estimator = make_estimator(args.estimator)
    bounds = [(first, min(first + args.chunk_size, args.n_images))
              for first in range(0, args.n_images, args.chunk_size)]
    read = dask.delayed(read_chunk, pure=True)
    X = da.concatenate([
        da.from_delayed(read(args.path, first, stop), shape=(stop - first, N_FEATURES),
                        dtype=np.float32)
        for first, stop in bounds])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="1GB") as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        blocks = X.to_delayed().ravel().tolist()
        # Two chunks in flight: the worker reads the next one while the client trains.
        pending = [client.compute(block) for block in blocks[:2]]
        for index in range(len(blocks)):
            chunk = pending.pop(0).result()
            if index + 2 < len(blocks):
                pending.append(client.compute(blocks[index + 2]))
            estimator.partial_fit(chunk)
            del chunk
        seconds = time.perf_counter() - start
        worker_peaks = client.run(peak_rss_mb)
    return dict(estimator=type(estimator).__name__, seconds=seconds,
                peak_rss_mb=peak_rss_mb(), worker_peak_rss_mb=max(worker_peaks.values()),
                score=_score(estimator, args.path, args.n_images))


PHASES = {"memmap": stream_memmap, "dask": stream_dask}
# Starts its arguments as a process and passes its exit status on (see the docstring).
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--estimator", choices=("auto", "nmf", "ae"), default="auto")
    parser.add_argument("--path", default=None,
                        help="the image file (default: /tmp/fashion_stream_<N>.f32)")
    parser.add_argument("--phases", nargs="+", choices=sorted(PHASES),
                        default=["memmap", "dask"])
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.n_images < 2 or args.chunk_size < 2:
        parser.error("--n-images and --chunk-size must be at least 2")
    args.path = args.path or f"/tmp/fashion_stream_{args.n_images}.f32"

    if args.phase:  # a child process: one phase, one JSON line
        import torch
        from threadpoolctl import threadpool_limits

        # One thread for torch and for numpy's BLAS, as every figure in the README
        # (the dask worker reads chunks on a thread of its own).
        torch.set_num_threads(1)
        with threadpool_limits(1):
            print(json.dumps(PHASES[args.phase](args)))
        return

    expected = args.n_images * ROW_BYTES
    if not os.path.exists(args.path) or os.path.getsize(args.path) != expected:
        start = time.perf_counter()
        build_file(args.path, args.n_images, args.chunk_size)
        print(f"built {args.path}: {args.n_images:,} images, {expected / 1e9:.2f} GB "
              f"in {time.perf_counter() - start:.1f} s")
    print(f"{args.n_images:,} images of {N_FEATURES} pixels in chunks of "
          f"{args.chunk_size:,} through partial_fit (one thread)")
    for phase in args.phases:
        command = [sys.executable, "-c", _LAUNCHER, sys.executable,
                   os.path.abspath(__file__), "--phase", phase,
                   "--n-images", str(args.n_images), "--chunk-size", str(args.chunk_size),
                   "--estimator", args.estimator, "--path", args.path]
        result = json.loads(subprocess.run(command, check=True, capture_output=True,
                                           text=True).stdout.strip().splitlines()[-1])
        worker = (f", worker peak {result['worker_peak_rss_mb']:.0f} MB"
                  if "worker_peak_rss_mb" in result else "")
        print(f"{phase:>6}: {result['estimator']} {result['seconds']:.1f} s "
              f"({args.n_images / result['seconds']:,.0f} images/s), peak memory "
              f"{result['peak_rss_mb']:.0f} MB{worker}, score (-MSE) {result['score']:.5f}")


if __name__ == "__main__":
    main()
