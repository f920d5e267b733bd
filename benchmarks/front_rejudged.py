"""The committed Fashion-MNIST front re-measured under one SVM protocol, on a CPU.

There is no cache of the committed front's models (``benchmarks/results/
front_fashion_mnist.csv``, RBF SVM on 2,000 codes): this refits, at the ``--quick``
budget of the command (5,000 training and 2,000 test images, k = 100, 5 epochs, 50
NMF iterations), every SparseNMF and shallow auto-encoder configuration of the grid,
scikit-learn's NMF and MiniBatchNMF, and the report's asymmetric rows, and measures
them all under one SVM protocol (default: the linear one), so that the report's
configurations are re-run under the protocol they are judged by. ``front.md`` then
says, by issue 9's rules, which peers and reference points our configurations
dominate. Configurations run in grid order; Ctrl-C keeps those finished.

Run:  .venv/bin/python benchmarks/front_rejudged.py [--out DIR] [--svm-protocol linear]
"""

import argparse
from dataclasses import replace

from sparse_parts.study import resolve_settings
from sparse_parts.study.catalog import GRID
from sparse_parts.study.front import FrontOptions, front

FAMILIES = ("nmf", "shallow", "sklearn-nmf", "sklearn-minibatch-nmf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="front_rejudged")
    parser.add_argument("--svm-protocol", default="linear", choices=("linear", "report", "rbf"))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    grid = [replace(c, quick=True) for c in GRID
            if c.family in FAMILIES or (c.family == "asym" and c.study)]
    settings = resolve_settings("fashion-mnist", quick=True, device=args.device,
                                svm_protocol=args.svm_protocol)
    command = (f"benchmarks/front_rejudged.py --out {args.out} --svm-protocol "
               f"{args.svm_protocol} --device {args.device}")
    front(settings, FrontOptions(out=args.out, grid=grid, quick=True, command=command))


if __name__ == "__main__":
    main()
