"""A few configurations of ``sparse-parts front`` on the full Fashion-MNIST, on a CPU.

The whole grid on 60,000 training images takes hours on two cores; this measures
named configurations of :data:`sparse_parts.study.catalog.GRID` (default: the study's
SparseNMF row and the cheaper scikit-learn peers) with the default settings of the
command (60,000 training and 10,000 test images, k = 100), one after another, and
writes ``front.csv``, ``front.md`` and ``front.png`` like the command. The study's
reference points are added, as on every Fashion-MNIST run. Configurations are run in
the order given: Ctrl-C keeps those finished.

Run:  .venv/bin/python benchmarks/front_fashion_subset.py [--out DIR] [FAMILY/CONFIG ...]
"""

import argparse

from sparse_parts.study import resolve_settings
from sparse_parts.study.catalog import GRID
from sparse_parts.study.front import FrontOptions, front

DEFAULT = ("sklearn-minibatch-nmf/alpha0-l1r1", "sklearn-minibatch-nmf/alpha0.01-l1r1",
           "sklearn-nmf/mu-alpha0-l1r1", "sklearn-nmf/mu-alpha0.001-l1r1",
           "nmf/component-0.6", "sklearn-nmf/cd-alpha0-l1r1", "sklearn-nmf/cd-alpha0.001-l1r1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", default=DEFAULT, metavar="FAMILY/CONFIG")
    parser.add_argument("--out", default="front_fashion_subset")
    args = parser.parse_args()
    by_name = {f"{c.family}/{c.name}": c for c in GRID}
    unknown = [name for name in args.configs if name not in by_name]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; "
                     f"choose from {', '.join(by_name)}")
    grid = [by_name[name] for name in args.configs]
    settings = resolve_settings("fashion-mnist", models=["nmf"])  # no auto-encoder: no torch
    command = "benchmarks/front_fashion_subset.py " + " ".join(args.configs)
    front(settings, FrontOptions(out=args.out, grid=grid, command=command))


if __name__ == "__main__":
    main()
