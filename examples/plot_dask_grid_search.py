"""
The grid over p and beta on a dask cluster
==========================================

Every (parameters, fold) pair of a grid search is an independent fit, so joblib can
send them to the workers of a `dask.distributed <https://distributed.dask.org>`_
cluster. Here the cluster is a :class:`distributed.LocalCluster` of two worker
processes; on a real cluster, pass the scheduler's address to
:class:`distributed.Client` instead. Needs the optional extra ``distributed``
(``pip install "sparse-parts[distributed]"``).
"""

# %%
import joblib
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sparse_parts import SparseNonNegAutoEncoder
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import max_approximation_scorer, reconstruction_scorer

X = load_digits_images().data
search = GridSearchCV(
    SparseNonNegAutoEncoder(n_components=36, max_epochs=30, random_state=0),
    {"sparsity_target": [0.01, 0.05, 0.1], "sparsity_weight": [1e-3, 5e-3, 1e-2]},
    scoring={"rec": reconstruction_scorer, "dilation": max_approximation_scorer},
    refit="dilation",
    cv=3,
    n_jobs=-1,  # as many tasks at once as the cluster takes
)

# %%
# One thread per worker: the workers then do not fight over the cores.
if __name__ == "__main__":  # worker processes re-import this file on some platforms
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        print(client)
        with joblib.parallel_backend("dask"):
            search.fit(X)
    print("best (p, beta):", search.best_params_)
    print("max-approximation error of the best:", -search.best_score_)
