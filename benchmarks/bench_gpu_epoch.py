"""Seconds per training epoch over the 60,000 Fashion-MNIST training images on a GPU.

Fits each auto-encoder for a few epochs at batch size 128 (the study's row
p = 0.05, beta = 0.001, projection onto the non-negative orthant) and prints the
duration of every epoch as skorch's history records it. The first epoch includes
CUDA's start-up (context, cuDNN autotuning, memory pool); the figure to compare with
a budget is the median of the later ones. Then it times ``transform`` of the
10,000 test images.

    python benchmarks/bench_gpu_epoch.py [--epochs 4] [--device cuda]
"""

import argparse
import statistics
import time

import torch

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.datasets import fetch_fashion_mnist


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)

    X_train, _ = fetch_fashion_mnist("train", return_X_y=True)
    X_test, _ = fetch_fashion_mnist("test", return_X_y=True)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"device {args.device} ({name}), torch {torch.__version__}, "
          f"train {X_train.shape}, batch size {args.batch_size}", flush=True)
    for Estimator in (SparseNonNegAutoEncoder, AsymmetricAutoEncoder):
        model = Estimator(100, sparsity_target=0.05, sparsity_weight=1e-3,
                          max_epochs=args.epochs, batch_size=args.batch_size,
                          device=args.device, random_state=0)
        start = time.perf_counter()
        model.fit(X_train)
        fit_seconds = time.perf_counter() - start
        durations = list(model.net_.history[:, "dur"])
        steady = statistics.median(durations[1:]) if len(durations) > 1 else durations[0]
        model.transform(X_test[:256])  # warm the inference path
        start = time.perf_counter()
        model.transform(X_test)
        transform_seconds = time.perf_counter() - start
        print(f"{Estimator.__name__:24s} epochs (s): "
              + ", ".join(f"{d:.2f}" for d in durations)
              + f" | median after the first {steady:.2f} s/epoch"
              + f" | fit {fit_seconds:.1f} s | transform 10k {transform_seconds:.3f} s",
              flush=True)


if __name__ == "__main__":
    main()
