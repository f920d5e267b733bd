"""Batched morphology vs. a per-image scikit-image loop on Fashion-MNIST.

Dilates the 10,000 Fashion-MNIST test images by ``disk(r)`` for r = 1, 2, 3, once
with :func:`sparse_parts.morphology.dilation` (one call on the whole stack) and once
with ``skimage.morphology.dilation`` image by image, checks the results are
identical, and prints the best time of a few repeats of each and their ratio (the
target is a speed-up of at least 10x).

Run: ``.venv/bin/python benchmarks/bench_morphology.py [--repeats N]``
"""

import argparse

import numpy as np
import skimage.morphology
from _timing import best_time

from sparse_parts.datasets import fetch_fashion_mnist
from sparse_parts.morphology import dilation


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing")
    args = parser.parse_args(argv)

    images = fetch_fashion_mnist(subset="test").images
    print(
        f"Fashion-MNIST test set: {images.shape[0]} images of "
        f"{images.shape[1]}x{images.shape[2]}, {images.dtype}; best of {args.repeats}"
    )
    print(f"{'radius':>6} {'per-image loop':>15} {'batched':>10} {'speed-up':>9} identical")
    for radius in (1, 2, 3):
        footprint = skimage.morphology.disk(radius)
        loop_time, expected = best_time(
            lambda fp=footprint: np.stack(
                [skimage.morphology.dilation(image, fp) for image in images]
            ),
            args.repeats,
        )
        batch_time, result = best_time(
            lambda r=radius: dilation(images, r), args.repeats
        )
        identical = result.dtype == expected.dtype and np.array_equal(result, expected)
        print(
            f"{radius:>6} {loop_time * 1e3:>12.1f} ms {batch_time * 1e3:>7.1f} ms "
            f"{loop_time / batch_time:>8.1f}x {identical}"
        )
        if not identical:
            raise SystemExit(f"radius {radius}: batched result differs from skimage")


if __name__ == "__main__":
    main()
