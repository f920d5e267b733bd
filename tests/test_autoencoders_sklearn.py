"""The auto-encoders inside scikit-learn: common checks, grid searches, pipelines."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import (
    max_approximation_scorer,
    reconstruction_scorer,
    sparsity_scorer,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits():
    return load_digits_images(return_X_y=True)


# The common checks feed data with 1 to 10 features that are not images: image_shape
# (1, -1) declares them one-row images. Every check passes, so no expected failures.
# Their values are not in [0, 1]: the warning about raw pixel values is silenced.
@pytest.mark.filterwarnings("ignore:X holds values up to:UserWarning")
@parametrize_with_checks(
    [SparseNonNegAutoEncoder(n_components=3, max_epochs=2, image_shape=(1, -1), random_state=0),
     AsymmetricAutoEncoder(n_components=3, max_epochs=2, image_shape=(1, -1), random_state=0)],
    expected_failed_checks=lambda estimator: {},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_grid_search_over_sparsity_with_package_scorers(digits):
    X = digits[0][:400]
    search = GridSearchCV(
        SparseNonNegAutoEncoder(n_components=16, max_epochs=10, lr=1e-2, random_state=0),
        {"sparsity_target": [0.02, 0.2], "sparsity_weight": [0.0, 0.05]},
        scoring={"rec": reconstruction_scorer, "sparsity": sparsity_scorer,
                 "dilation": max_approximation_scorer},
        refit="sparsity", cv=2,
    ).fit(X)
    results = search.cv_results_
    assert len(results["params"]) == 4
    for name in ("rec", "sparsity", "dilation"):
        assert np.all(np.isfinite(results[f"mean_test_{name}"]))
    assert np.all(results["mean_test_rec"] < 0) and np.all(results["mean_test_dilation"] < 0)
    best = int(np.argmax(results["mean_test_sparsity"]))
    assert search.best_params_ == results["params"][best]
    # refit="sparsity" refits the best setting on all of X.
    best_estimator = search.best_estimator_
    for name, value in search.best_params_.items():
        assert best_estimator.get_params()[name] == value
    assert best_estimator.transform(X).shape == (400, 16)
    assert sum(best_estimator.net_.history[0, "batches", :, "train_batch_size"]) == 400
    # Without scoring, the estimator's own score (minus the MSE) is used.
    plain = GridSearchCV(SparseNonNegAutoEncoder(n_components=4, max_epochs=2, random_state=0),
                         {"sparsity_weight": [0.0, 1.0]}, cv=2).fit(X)
    assert np.all(plain.cv_results_["mean_test_score"] < 0)


def test_pipeline_with_svc_in_grid_search(digits):
    X, y = digits[0][:600], digits[1][:600]
    pipe = Pipeline([
        ("ae", AsymmetricAutoEncoder(n_components=16, max_epochs=4, random_state=0)),
        ("svc", SVC()),
    ])
    search = GridSearchCV(pipe, {"ae__sparsity_weight": [0.0, 0.01], "svc__C": [10.0]},
                          scoring="accuracy", cv=2).fit(X, y)
    assert search.best_score_ > 0.5  # chance is 0.1
    assert search.score(X, y) > 0.5


def test_grid_search_n_jobs_2_matches_sequential(digits):
    X = digits[0][:300]
    grid = {"sparsity_weight": [0.0, 0.01]}

    def run(n_jobs):
        return GridSearchCV(SparseNonNegAutoEncoder(n_components=8, max_epochs=3, random_state=0),
                            grid, cv=2, n_jobs=n_jobs).fit(X)

    parallel, sequential = run(2), run(1)
    # On CPU with one torch thread each fit is reproducible to the bit, in any process.
    np.testing.assert_array_equal(parallel.cv_results_["mean_test_score"],
                                  sequential.cv_results_["mean_test_score"])
