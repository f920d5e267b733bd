"""The grid over p and beta runs on a dask.distributed cluster through joblib.

Needs the optional extra ``distributed`` (``pip install sparse-parts[distributed]``);
skipped without it.
"""

import os

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from sparse_parts.datasets import load_digits_images  # noqa: E402
from sparse_parts.metrics import (  # noqa: E402
    max_approximation_scorer,
    reconstruction_scorer,
    sparsity_scorer,
)


@pytest.mark.slow
def test_grid_search_over_p_and_beta_runs_on_a_local_cluster():
    from sparse_parts import SparseNonNegAutoEncoder

    X = load_digits_images().data[:240]
    grid = {"sparsity_target": [0.05, 0.2], "sparsity_weight": [1e-3, 1e-2]}
    scoring = {"rec": reconstruction_scorer, "sparsity": sparsity_scorer,
               "dilation": max_approximation_scorer}

    def pid_scorer(estimator, X, y=None):  # where the fit was scored (a closure: sent by value)
        import os

        return float(os.getpid())

    def search():
        return GridSearchCV(
            SparseNonNegAutoEncoder(n_components=8, max_epochs=2, batch_size=32,
                                    random_state=0),
            grid, scoring={**scoring, "pid": pid_scorer}, refit="dilation", cv=2, n_jobs=-1)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        with joblib.parallel_backend("dask"):
            on_cluster = search().fit(X)
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    # Every fit was scored in a worker process, none in this one.
    fit_pids = {int(on_cluster.cv_results_[f"split{i}_test_pid"][j])
                for i in range(2) for j in range(4)}
    assert fit_pids <= worker_pids

    results = on_cluster.cv_results_
    assert len(results["params"]) == 4
    for name in scoring:
        assert np.all(np.isfinite(results[f"mean_test_{name}"]))
    best = on_cluster.best_estimator_
    assert best.components_.min() >= 0  # refit on the client after the search

    # The cluster changes where the fits run, not their results.
    local = search().set_params(n_jobs=1).fit(X)
    np.testing.assert_allclose(results["mean_test_rec"], local.cv_results_["mean_test_rec"],
                               rtol=1e-5)
    assert on_cluster.best_params_ == local.best_params_
