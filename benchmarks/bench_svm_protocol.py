"""What each SVM protocol of the study costs, on the codes of a quick and of a full run.

A SparseNMF with the report's row settings (S_h = 0.6, component scope, k = 100) is
fitted on 5,000 Fashion-MNIST training images (50 iterations, the ``--quick`` budget)
and encodes the 10,000 test images; each protocol of ``sparse_parts.study.protocol``
(linear, the default; report; rbf) is then timed on the codes of 2,000 test images
(what ``compare --quick`` measures) and of all 10,000 (a full run), with its accuracy.
Without the Fashion-MNIST files, the digits (599 test codes) stand in.

Run:  .venv/bin/python benchmarks/bench_svm_protocol.py [--protocols linear report rbf]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF
from sparse_parts.study import resolve_settings
from sparse_parts.study.data import fashion_mnist_on_disk, load_data
from sparse_parts.study.protocol import svm_accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocols", nargs="+", default=["linear", "report", "rbf"])
    args = parser.parse_args()
    dataset = "fashion-mnist" if fashion_mnist_on_disk() else "digits"
    settings = resolve_settings(dataset, models=["nmf"], n_train=5000)
    X_train, _, X_test, y_test, _ = load_data(settings)
    k = settings.n_components
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model = SparseNMF(k, code_sparseness=0.6, code_sparseness_scope="component",
                          max_iter=50, random_state=0).fit(X_train)
        codes = model.transform(X_test)
    print(f"{dataset}: SparseNMF fitted on {X_train.shape[0]} images and {X_test.shape[0]} "
          f"test codes in {time.perf_counter() - start:.1f} s")
    sizes = [n for n in (2000, codes.shape[0]) if n <= codes.shape[0]]
    for n in sorted(set(sizes)):
        for protocol in args.protocols:
            run = resolve_settings(dataset, models=["nmf"], svm_protocol=protocol)
            start = time.perf_counter()
            result = svm_accuracy(codes[:n], np.asarray(y_test)[:n], run)
            seconds = time.perf_counter() - start
            C = "" if result["svm_C"] is None else f", C {result['svm_C']:.3g}"
            print(f"{n:>6} codes  {protocol:<7} {seconds:7.2f} s  accuracy "
                  f"{result['svm']:.4f} (std {result['svm_std']:.4f}, s.e. "
                  f"{result['svm_sem']:.4f}{C})", flush=True)


if __name__ == "__main__":
    main()
