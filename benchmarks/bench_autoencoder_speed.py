"""Speed of the auto-encoders on CPU, as ratios measured in one run.

1. skorch's overhead: ``SparseNonNegAutoEncoder.fit`` against a plain torch loop
   training the same module on the same batches (same optimizer, projection, loss).
2. Training throughput of ``AsymmetricAutoEncoder`` at batch size 128 against a naive
   float32 torch loop (a DataLoader over a TensorDataset, NCHW convolutions, torch's
   default Adam, denormals not flushed), what each change brings on its own (fused
   Adam, channels-last convolutions), and a tuned plain loop (batches sliced from
   one tensor, both changes, denormals flushed) that shows skorch's share.
3. ``transform`` of 10,000 Fashion-MNIST test images.

The machine may be shared, so every comparison interleaves its variants over several
rounds and reports the median (and best) of each; compare ratios, not absolute
figures, across runs. With one torch thread (the default here) it also reports the
CPU time of the main thread, which other processes on the machine barely disturb;
with more threads only wall-clock figures mean anything.

    python benchmarks/bench_autoencoder_speed.py [--threads 1] [--rounds 5] [--quick]
"""

import argparse
import contextlib
import functools
import time

import numpy as np
import torch

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.autoencoders._base import _denormals_flushed
from sparse_parts.autoencoders._skorch import _SliceIterator, _TensorDataset
from sparse_parts.autoencoders.modules import AutoEncoderModule, DenseEncoder, InfoGANEncoder
from sparse_parts.autoencoders.penalties import AutoEncoderLoss

print = functools.partial(print, flush=True)  # noqa: A001 - logs are read while running


def load_images(n_train):
    try:
        from sparse_parts.datasets import fetch_fashion_mnist

        X_train, _ = fetch_fashion_mnist(subset="train", return_X_y=True)
        X_test, _ = fetch_fashion_mnist(subset="test", return_X_y=True)
        return X_train[:n_train], X_test, "Fashion-MNIST"
    except Exception as exc:  # noqa: BLE001 - a benchmark falls back to random images
        print(f"(Fashion-MNIST unavailable: {exc}; using uniform random images)")
        rng = np.random.default_rng(0)
        return (rng.random((n_train, 784), dtype=np.float32),
                rng.random((10000, 784), dtype=np.float32), "random")


def train_on_batches(module, batches, epochs, optimizer):
    """The estimator's training step, without skorch, over ``batches`` (re-iterable).

    Same loss, projection of the atoms and per-batch ``loss.item()`` (skorch reads
    every batch loss too) as ``fit``.
    """
    criterion = AutoEncoderLoss("kl", 0.05, 1e-3)
    weight = module.decoder.weight
    module.train()
    for _ in range(epochs):
        for batch, *_ in batches:
            optimizer.zero_grad()
            reconstruction, codes = module(batch)
            loss = criterion(reconstruction, codes, batch, weight)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                weight.clamp_(min=0)
            loss.item()


def plain_loop(module, X, epochs, batch_size, optimizer, seed=0):
    """Train ``module`` the way the estimators do (batches sliced from one tensor)."""
    iterator = _SliceIterator(_TensorDataset(torch.as_tensor(X)), batch_size, shuffle=True,
                              seed=seed)
    train_on_batches(module, iterator, epochs, optimizer)


CLOCK = {"name": "wall"}


def timed(fn):
    """Seconds taken by ``fn()``: CPU time of this thread with one torch thread, else wall."""
    clock = time.thread_time if CLOCK["name"] == "cpu" else time.perf_counter
    start = clock()
    fn()
    return clock() - start


def interleave(variants, rounds):
    """Run every variant once per round; return {name: [seconds per round]}."""
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            times[name].append(timed(fn))
    return times


def skorch_overhead(X, rounds, epochs):
    def estimator():
        SparseNonNegAutoEncoder(n_components=100, max_epochs=epochs, random_state=0).fit(X)

    def plain():
        torch.manual_seed(0)
        module = AutoEncoderModule(DenseEncoder(784, 100), 100, 784)
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
        plain_loop(module, X, epochs, 128, optimizer)

    estimator()
    plain()  # warm-up
    times = interleave({"plain torch loop": plain, "SparseNonNegAutoEncoder.fit": estimator},
                       rounds)
    med = {k: float(np.median(v)) for k, v in times.items()}
    best = {k: float(np.min(v)) for k, v in times.items()}
    print(f"\n1. skorch overhead: shallow AE 784-100-784, {len(X)} images x {epochs} epochs, "
          f"batch 128, {rounds} interleaved rounds")
    for k in times:
        print(f"   {k:30s} median {med[k]:7.3f} s   best {best[k]:7.3f} s   "
              f"({len(X) * epochs / med[k]:8.0f} images/s)")
    ours, plain_name = "SparseNonNegAutoEncoder.fit", "plain torch loop"
    # Runs of one round share the machine's load: their ratio is the steadiest figure.
    paired = np.median(np.array(times[ours]) / np.array(times[plain_name]))
    print(f"   overhead: median of paired ratios {100 * (paired - 1):+.1f}%, of medians "
          f"{100 * (med[ours] / med[plain_name] - 1):+.1f}%, of bests "
          f"{100 * (best[ours] / best[plain_name] - 1):+.1f}%   (target <= +10%)")


def naive_loop(module, X, epochs, batch_size, optimizer, seed=0):
    """The loop a torch tutorial writes: DataLoader over a TensorDataset, no tuning.

    Per-sample indexing and collation by the DataLoader; same training step.
    """
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.as_tensor(X)), batch_size=batch_size,
                        shuffle=True, generator=torch.Generator().manual_seed(seed))
    train_on_batches(module, loader, epochs, optimizer)


@contextlib.contextmanager
def denormals(flushed):
    previous = _denormals_flushed()
    torch.set_flush_denormal(flushed)
    try:
        yield
    finally:
        torch.set_flush_denormal(previous)


def asymmetric_throughput(X, rounds, n_batches):
    X = X[:128 * n_batches]

    def loop(channels_last=False, fused=False, tuned=False):
        def run():
            torch.manual_seed(0)
            module = AutoEncoderModule(
                InfoGANEncoder((28, 28), 100, channels_last=channels_last), 100, 784)
            optimizer = torch.optim.Adam(module.parameters(), lr=1e-3,
                                         **({"fused": True} if fused else {}))
            if tuned:
                plain_loop(module, X, 1, 128, optimizer)
            else:
                with denormals(False):
                    naive_loop(module, X, 1, 128, optimizer)
        return run

    def estimator():
        AsymmetricAutoEncoder(n_components=100, max_epochs=1, random_state=0).fit(X)

    variants = {
        "naive float32 loop": loop(),
        "naive + fused Adam": loop(fused=True),
        "naive + channels_last": loop(channels_last=True),
        "tuned plain loop": loop(channels_last=True, fused=True, tuned=True),
        "AsymmetricAutoEncoder.fit": estimator,
    }
    for fn in variants.values():
        fn()  # warm-up (oneDNN primitive creation)
    times = interleave(variants, rounds)
    print(f"\n2. AsymmetricAutoEncoder training throughput, batch 128, {len(X)} images per "
          f"run (module built inside each run), {torch.get_num_threads()} torch thread(s), "
          f"{rounds} interleaved rounds")
    naive = len(X) / np.median(times["naive float32 loop"])
    naive_best = len(X) / np.min(times["naive float32 loop"])
    for k, v in times.items():
        rate, rate_best = len(X) / np.median(v), len(X) / np.min(v)
        print(f"   {k:28s} median {rate:6.1f} images/s ({rate / naive:4.2f}x)   "
              f"best {rate_best:6.1f} images/s ({rate_best / naive_best:4.2f}x)")
    paired = np.median(np.array(times["naive float32 loop"])
                       / np.array(times["AsymmetricAutoEncoder.fit"]))
    print(f"   AsymmetricAutoEncoder.fit / naive loop, median of paired rounds: {paired:.2f}x"
          "   (target >= 1.5x)")
    # The FLOP ceiling: multiply-adds per image of the 28x28 model, forward; the
    # backward pass costs twice that, except conv1 (no gradient for the input).
    macs = {"conv1": 64 * 16 * 14 * 14, "conv2": 128 * 64 * 16 * 7 * 7,
            "dense": 6272 * 1024, "code": 1024 * 100, "decoder": 100 * 784}
    flops = 2 * (3 * sum(macs.values()) - macs["conv1"])
    a, b = torch.randn(128, 6272), torch.randn(6272, 1024)
    a @ b
    seconds = min(timed(lambda: a @ b) for _ in range(5))
    gflops = 2 * 128 * 6272 * 1024 / seconds / 1e9
    print(f"   matrix-multiply peak here: {gflops:.0f} GFLOP/s; at {flops / 1e6:.0f} MFLOP per "
          f"image that bounds training near {gflops * 1e9 / flops:.0f} images/s")


def transform_speed(X_train, X_test, rounds):
    print(f"\n3. transform of {len(X_test)} test images, wall clock (best / median of "
          f"{rounds})")
    for Estimator, target in ((SparseNonNegAutoEncoder, 1.0), (AsymmetricAutoEncoder, 10.0)):
        model = Estimator(n_components=100, max_epochs=1, random_state=0).fit(X_train[:1024])
        model.transform(X_test[:256])
        times = []
        for _ in range(rounds):
            start = time.perf_counter()  # wall clock: the targets are wall-clock times
            model.transform(X_test)
            times.append(time.perf_counter() - start)
        print(f"   {Estimator.__name__:25s} best {min(times):6.3f} s   median "
              f"{np.median(times):6.3f} s   (target < {target:g} s)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (default 1: CPU-time figures)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="smaller workloads")
    parser.add_argument("--only", default="123", help="which sections to run, e.g. 13")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    CLOCK["name"] = "cpu" if args.threads == 1 else "wall"
    torch.set_flush_denormal(True)  # as the estimators do: the loops get the same numerics
    n_train = 4096 if args.quick else 20000
    X_train, X_test, source = load_images(n_train)
    print(f"data: {source}; torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"times are {CLOCK['name']} seconds")
    if "1" in args.only:
        skorch_overhead(X_train, args.rounds, epochs=1 if args.quick else 2)
    if "2" in args.only:
        asymmetric_throughput(X_train, args.rounds, n_batches=8 if args.quick else 48)
    if "3" in args.only:
        transform_speed(X_train, X_test, args.rounds)


if __name__ == "__main__":
    main()
