"""The study's sparse NMF fit on the real Fashion-MNIST test images keeps its quality.

The report's "Sparse NMF, S_h = 0.6" row (component scope, k = 100, the 10,000 test
images) is what the solver's speed work must not give away: its fit must stay at the
figures committed in benchmarks/README.md ("Ahead of scikit-learn again", fit codes
MSE 0.01093, Hoyer sparsity 0.6800, max-approximation error 0.1008), within 1% for
the rounding of another BLAS build, and within the study's own numbers where they are
stricter. About 20 s on one thread.
"""

import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sparse_parts import SparseNMF
from sparse_parts.metrics import hoyer_sparsity, max_approximation_error, reconstruction_error

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

#: (MSE, Hoyer sparsity, max-approximation error) committed for this fit.
COMMITTED = (0.01093, 0.6800, 0.1008)
#: The study's row (Ponchon 2018, Table 1).
STUDY = (0.0109, 0.6504, 0.107)
ROUNDING = 0.01


@pytest.mark.fashion_mnist
@pytest.mark.skipif(not os.path.isdir(DEBIAN_DIR),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_the_studys_fit_keeps_its_committed_quality():
    from sparse_parts.datasets import fetch_fashion_mnist

    X = fetch_fashion_mnist("test", download_if_missing=False).data.astype(np.float32)
    model = SparseNMF(100, code_sparseness=0.6, code_sparseness_scope="component",
                      random_state=0)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converges within max_iter
        codes = model.fit_transform(X)
    mse = reconstruction_error(X, model.inverse_transform(codes))
    hoyer = hoyer_sparsity(codes)
    max_approx = max_approximation_error(model, X, codes=codes)
    assert mse <= COMMITTED[0] * (1 + ROUNDING)
    assert hoyer >= COMMITTED[1] * (1 - ROUNDING)
    assert max_approx <= COMMITTED[2] * (1 + ROUNDING)
    # The study's own row: its sparsity and max-approximation beaten, its MSE within
    # the 0.0115 the issue asked for.
    assert mse <= 0.0115
    assert hoyer > STUDY[1]
    assert max_approx < STUDY[2]
