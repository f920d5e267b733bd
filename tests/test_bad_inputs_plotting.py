"""Bad and unusual input to the figures of ``plotting``.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sparse_parts import SparseNMF, plotting

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((20, 16))


@pytest.fixture(scope="module")
def nmf(X):
    return SparseNMF(3, max_iter=5, random_state=0).fit(X)


# ------------------------------------------------------------------ plotting
def test_plots_accept_a_fitted_pipeline(X):
    # "Pipeline is not fitted: fit it before plotting", of a fitted pipeline.
    pipe = make_pipeline(MinMaxScaler(), SparseNMF(3, max_iter=5, random_state=0)).fit(X)
    assert plotting.plot_atoms(pipe).axes
    for plot in (plotting.plot_reconstructions, plotting.plot_code_histograms,
                 plotting.plot_max_approximation):
        assert plot(pipe, X, n_images=3).axes


def test_plots_of_a_non_decomposition_say_so_and_unfitted_is_not_fitted(X):
    # A fitted MinMaxScaler was "not fitted".
    with pytest.raises(ValueError, match="MinMaxScaler has no components_"):
        plotting.plot_atoms(MinMaxScaler().fit(X))
    with pytest.raises(NotFittedError):
        plotting.plot_reconstructions(SparseNMF(), X)


def test_plot_max_approximation_of_the_wrong_width_names_the_features(nmf, X):
    # It said "image_shape=(4, 4) holds 16 pixels", of an image_shape never passed.
    with pytest.raises(ValueError, match="X has 12 features but SparseNMF has atoms of 16"):
        plotting.plot_max_approximation(nmf, X[:, :12])


def test_ax_and_fig_of_the_wrong_type_are_refused(nmf, X):
    # AttributeError: 'str' object has no attribute 'figure' / 'add_gridspec'.
    with pytest.raises(ValueError, match="ax must be None or a matplotlib Axes"):
        plotting.plot_atoms(nmf, ax="left")
    with pytest.raises(ValueError, match="fig must be None or a matplotlib Figure"):
        plotting.plot_code_histograms(nmf, X, fig="top")


@pytest.mark.parametrize("images, match", [
    (np.ones((2, 4), dtype=complex), "real numbers"),
    (np.array([[0.0, np.nan, 1.0, 1.0]]), "NaN or infinite"),
    (np.array([[0.0, np.inf, 1.0, 1.0]]), "NaN or infinite"),
])
def test_image_mosaic_refuses_what_it_cannot_draw(images, match):
    # Complex images lost their imaginary part; NaN pixels were drawn as gaps.
    with pytest.raises(ValueError, match=match):
        plotting.image_mosaic(images, (2, 2), 2)


def test_image_mosaic_takes_the_package_image_shape():
    # (-1, 4) gave "(n_images, -4)", and None a TypeError from unpacking.
    images = np.arange(32.0).reshape(2, 16)
    expected = plotting.image_mosaic(images, (4, 4), 2, normalize="none")
    for shape in ((-1, 4), None):
        np.testing.assert_array_equal(
            plotting.image_mosaic(images, shape, 2, normalize="none"), expected)


@pytest.mark.parametrize("plot", [plotting.plot_summary, plotting.plot_metrics_against_beta])
@pytest.mark.parametrize("records, match", [
    (None, "iterable of mappings"), ("rows", "iterable of mappings"),
    ([1], r"records\[0\] is of type int")])
def test_records_that_are_not_mappings_are_refused(plot, records, match):
    # AttributeError: 'int' object has no attribute 'get'.
    with pytest.raises(ValueError, match=match):
        plot(records)


def test_records_without_their_key_are_refused():
    # KeyError: 'config' / 'family' (the one record schema, sparse_parts.study.records).
    with pytest.raises(ValueError, match="no 'config' key"):
        plotting.plot_summary([{"mse": 0.1, "hoyer": 0.5, "max_approx": 1.0}])
    with pytest.raises(ValueError, match="no 'family' key"):
        plotting.plot_metrics_against_beta([{"sparsity_weight": 0.1, "mse": 0.1}])
