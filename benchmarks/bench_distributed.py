"""SparseNMF fitted on a dask cluster: time per iteration, memory, scaling, communication.

A stream of ``--n-images`` Fashion-MNIST-sized images is generated chunk by chunk on
the workers, from a seed per chunk, every time a pass over the data needs the chunk:
each image is one of the 60,000 Fashion-MNIST training images (read once per worker
process), shifted by up to one pixel and perturbed by Gaussian noise (sd 0.02, clipped
to [0, 1]), as ``bench_streaming.py`` builds its file. The images never exist on the
client, nor all at once anywhere.

Phases, each in a process of its own started through a small launcher (on Linux a
process exec'd by a large one inherits that one's peak as its ``ru_maxrss``):

- ``cluster2``: a ``LocalCluster`` of 2 worker processes, one thread each, fits 100
  atoms (``sparse_nmf_dask``, what ``SparseNMF.fit`` calls on a dask array) for
  ``--iterations`` iterations; the time of every iteration, of the passes before the
  first (the data's range, the start, every chunk's first codes), the peak memory of
  the client and of every worker;
- ``cluster1``: the same with 1 worker, ``--iterations-1`` iterations (the scaling ratio);
- ``stream``: one process streams the same chunks (generated in the process) once
  through ``SparseNMF.partial_fit``, one BLAS thread.

The score is minus the reconstruction MSE on 2,000 images of the stream (transform).

Run:  PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_distributed.py
      [--n-images N] [--chunk-size C] [--iterations I] [--iterations-1 I]
      [--phases cluster2 stream cluster1]
"""

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

N_FEATURES = 28 * 28
N_COMPONENTS = 100
NOISE_SD = 0.02


def peak_rss_mb():
    """Peak resident memory of this process in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@functools.lru_cache(maxsize=1)
def _base_images():
    """The Fashion-MNIST training images, once per process."""
    from sparse_parts.datasets import fetch_fashion_mnist

    return fetch_fashion_mnist("train", download_if_missing=False).images


def generate_chunk(seed, size):
    """``size`` images of the stream, flattened float32, the same for the same seed."""
    base = _base_images()
    rng = np.random.default_rng(seed)
    images = np.roll(base[rng.integers(0, len(base), size)], tuple(rng.integers(-1, 2, 2)),
                     axis=(1, 2))
    images += NOISE_SD * rng.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images, 0.0, 1.0, out=images).reshape(size, N_FEATURES)


def _chunk_sizes(args):
    return [min(args.chunk_size, args.n_images - start)
            for start in range(0, args.n_images, args.chunk_size)]


def _score(model):
    """Minus the reconstruction MSE of 2,000 images generated as the chunks are (seed 7)."""
    X = generate_chunk(7, 2000)
    return float(model.score(X))


# --------------------------------------------------------------------------- phases
def fit_on_cluster(args, n_workers, n_iterations):
    import bench_distributed  # by reference: the workers import it, and cache the images
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    from sparse_parts import SparseNMF
    from sparse_parts._distributed import sparse_nmf_dask

    generate = dask.delayed(bench_distributed.generate_chunk, pure=True)
    X = da.concatenate([
        da.from_delayed(generate(seed, size), shape=(size, N_FEATURES), dtype=np.float32)
        for seed, size in enumerate(_chunk_sizes(args))])
    # The workers find this folder (for generate_chunk) and the package.
    os.environ["PYTHONPATH"] = os.pathsep.join([HERE, ROOT, os.environ.get("PYTHONPATH", "")])
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        marks = [time.perf_counter()]

        def mark(n_iter, components, error):
            marks.append(time.perf_counter())
            print(f"  iteration {n_iter}: {marks[-1] - marks[-2]:.1f} s, mse {error:.5f}",
                  file=sys.stderr, flush=True)

        components, n_iter, errors = sparse_nmf_dask(
            X, N_COMPONENTS, max_iter=n_iterations, tol=0, random_state=0, callback=mark)
        worker_peaks = sorted(client.run(peak_rss_mb).values())
    # A model with these atoms, to score them as the streamed model is scored.
    model = SparseNMF(N_COMPONENTS)
    model.components_, model.n_components_ = components, N_COMPONENTS
    model.n_features_in_ = N_FEATURES
    steps = np.diff(marks)
    return dict(n_workers=n_workers, n_chunks=len(X.chunks[0]), iterations=n_iter,
                first_seconds=float(steps[0]), iteration_seconds=[float(s) for s in steps[1:]],
                client_peak_rss_mb=peak_rss_mb(), worker_peak_rss_mb=worker_peaks,
                mse=errors[-1], score=_score(model))


def stream_partial_fit(args):
    from sparse_parts import SparseNMF

    model = SparseNMF(n_components=N_COMPONENTS, random_state=0)
    start = time.perf_counter()
    for seed, size in enumerate(_chunk_sizes(args)):
        model.partial_fit(generate_chunk(seed, size))
    seconds = time.perf_counter() - start
    return dict(seconds=seconds, peak_rss_mb=peak_rss_mb(), score=_score(model))


PHASES = {
    "cluster2": lambda args: fit_on_cluster(args, 2, args.iterations),
    "cluster1": lambda args: fit_on_cluster(args, 1, args.iterations_1),
    "stream": stream_partial_fit,
}
# Starts its arguments as a process and passes its exit status on (see the docstring).
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def _report(phase, result, args):
    if phase == "stream":
        print(f"stream   : partial_fit, one pass, {result['seconds']:.1f} s "
              f"({args.n_images / result['seconds']:,.0f} images/s), peak memory "
              f"{result['peak_rss_mb']:.0f} MB, score (-MSE) {result['score']:.5f}")
        return
    per_iteration = float(np.median(result["iteration_seconds"]))
    per_chunk = per_iteration * result["n_workers"] / result["n_chunks"]
    print(f"{phase} : {result['n_workers']} worker(s), {result['n_chunks']} chunks; before "
          f"the first iteration + the first: {result['first_seconds']:.1f} s; then per "
          f"iteration {', '.join(f'{s:.1f}' for s in result['iteration_seconds'])} s "
          f"(median {per_iteration:.1f} s: {args.n_images / per_iteration:,.0f} images/s, "
          f"{per_chunk:.2f} worker-s per chunk); peak memory client "
          f"{result['client_peak_rss_mb']:.0f} MB, workers "
          f"{', '.join(f'{m:.0f}' for m in result['worker_peak_rss_mb'])} MB; "
          f"mse {result['mse']:.5f} after {result['iterations']} iterations, "
          f"score (-MSE) {result['score']:.5f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=2_000_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--iterations-1", type=int, default=2)
    parser.add_argument("--phases", nargs="+", choices=sorted(PHASES),
                        default=["cluster2", "stream", "cluster1"])
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.n_images < 2 or args.chunk_size < 2:
        parser.error("--n-images and --chunk-size must be at least 2")

    if args.phase:  # a child process: one phase, one JSON line
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # as the workers (one thread each)
            print(json.dumps(PHASES[args.phase](args)))
        return

    n_chunks = len(_chunk_sizes(args))
    print(f"{args.n_images:,} images of {N_FEATURES} pixels generated on the workers in "
          f"{n_chunks} chunks of {args.chunk_size:,}, k = {N_COMPONENTS}, one thread per "
          "process")
    # What one iteration sends (float32): every chunk's sums into the tree reduction
    # (X^T C and C^T C for the atoms, C^T C of the new codes for the objective), one sum
    # to the client, the new atoms to every worker.
    per_chunk = 4 * (N_FEATURES * N_COMPONENTS + 2 * N_COMPONENTS ** 2)
    print(f"per iteration: {per_chunk / 1e6:.3f} MB of sums per chunk ({n_chunks} chunks, "
          f"{n_chunks * per_chunk / 1e6:.0f} MB reduced on the workers, "
          f"{per_chunk / 1e6:.3f} MB to the client), atoms "
          f"{4 * N_FEATURES * N_COMPONENTS / 1e6:.3f} MB to each worker")
    _base_images()
    start = time.perf_counter()
    for seed in range(3):
        generate_chunk(seed, args.chunk_size)
    print(f"generating a chunk alone (this process): "
          f"{(time.perf_counter() - start) / 3:.2f} s")
    for phase in args.phases:
        command = [sys.executable, "-c", _LAUNCHER, sys.executable, os.path.abspath(__file__),
                   "--phase", phase, "--n-images", str(args.n_images),
                   "--chunk-size", str(args.chunk_size), "--iterations", str(args.iterations),
                   "--iterations-1", str(args.iterations_1)]
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        _report(phase, json.loads(output.strip().splitlines()[-1]), args)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
