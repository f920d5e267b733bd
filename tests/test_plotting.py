"""Tests of the figures in ``sparse_parts.plotting``."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF
from sparse_parts.datasets import load_digits_images
from sparse_parts.plotting import (
    image_mosaic,
    plot_atoms,
    plot_code_histograms,
    plot_max_approximation,
    plot_metrics_against_beta,
    plot_reconstructions,
)

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data[:300]


@pytest.fixture(scope="module")
def nmf(digits):
    return SparseNMF(12, code_sparseness=0.6, code_sparseness_scope="component",
                     max_iter=20, random_state=0).fit(digits)


@pytest.fixture(scope="module")
def autoencoder(digits):
    from sparse_parts import SparseNonNegAutoEncoder

    return SparseNonNegAutoEncoder(12, max_epochs=1, random_state=0).fit(digits)


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _images(fig):
    return [image for ax in fig.axes for image in ax.get_images()]


def test_image_mosaic_tiles_rows_with_nan_padding():
    images = np.arange(5 * 6, dtype=float).reshape(5, 6)  # five 2x3 images
    mosaic = image_mosaic(images, (2, 3), 2, normalize="none")
    assert mosaic.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(mosaic[0:2, 0:3], images[0].reshape(2, 3))
    np.testing.assert_array_equal(mosaic[3:5, 4:7], images[3].reshape(2, 3))
    np.testing.assert_array_equal(mosaic[6:8, 0:3], images[4].reshape(2, 3))
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    assert np.isnan(mosaic[6:8, 4:7]).all()  # the empty slot


def test_image_mosaic_scales_each_image_to_its_maximum():
    images = np.array([[0.0, 2.0, 4.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    mosaic = image_mosaic(images, (2, 2), 2, pad=0)
    assert np.nanmax(mosaic[:, :2]) == 1.0 and np.nanmax(mosaic[:, 2:]) == 0.0


@pytest.mark.parametrize("bad, match", [
    (dict(image_shape=(3, 3)), "must have shape"),
    (dict(n_cols=0), "n_cols must be a positive integer"),
    (dict(normalize="max"), "normalize must be"),
])
def test_image_mosaic_rejects_bad_input(bad, match):
    kwargs = dict(image_shape=(2, 2), n_cols=2)
    kwargs.update(bad)
    with pytest.raises(ValueError, match=match):
        image_mosaic(np.zeros((3, 4)), **kwargs)


@pytest.mark.parametrize("which", ["nmf", "autoencoder"])
def test_every_figure_draws_the_estimator(which, request, digits):
    estimator = request.getfixturevalue(which)
    atoms = plot_atoms(estimator, n_cols=5)
    assert isinstance(atoms, Figure)
    (grid,) = _images(atoms)
    # 12 atoms of 8x8 in rows of 5: 3 rows
    assert grid.get_array().shape == (3 * 9 - 1, 5 * 9 - 1)

    reconstructions = plot_reconstructions(estimator, digits, n_images=10)
    originals, decoded = (image.get_array() for image in _images(reconstructions))
    np.testing.assert_allclose(originals[:8, :8], digits[0].reshape(8, 8))
    expected = estimator.inverse_transform(estimator.transform(digits[:1]))[0]
    np.testing.assert_allclose(decoded[:8, :8], expected.reshape(8, 8), rtol=1e-5, atol=1e-6)

    histograms = plot_code_histograms(estimator, digits, n_images=4, n_cols=2)
    assert len(histograms.axes) == 4
    heights = [bar.get_height() for bar in histograms.axes[0].patches]
    np.testing.assert_allclose(heights, estimator.transform(digits[:1])[0], rtol=1e-5)

    max_approx = plot_max_approximation(estimator, digits, n_images=3)
    assert len(_images(max_approx)) == 2
    for fig in (atoms, reconstructions, histograms, max_approx):
        assert _png(fig)[:4] == b"\x89PNG"


def test_plot_atoms_draws_into_a_given_figure(nmf):
    fig = Figure()
    assert plot_atoms(nmf, n_atoms=4, fig=fig) is fig
    (grid,) = _images(fig)
    assert grid.get_array().shape == (8, 4 * 9 - 1)


def test_unfitted_estimator_is_a_clear_error(digits):
    with pytest.raises(ValueError, match="not fitted"):
        plot_atoms(SparseNMF(4))
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        plot_reconstructions(SparseNMF(4, max_iter=5).fit(digits), digits, n_images=0)


def test_metrics_against_beta_draws_one_line_per_model_and_target():
    records = [
        {"model": "asym", "sparsity_target": 0.05, "sparsity_weight": b, "mse": m,
         "sparsity": 0.5, "dilation_error": 0.1, "svm_accuracy": 0.8}
        for b, m in ((0.005, 0.02), (0.001, 0.01))
    ] + [
        {"model": "asym", "sparsity_target": 0.01, "sparsity_weight": 0.01, "mse": 0.03,
         "sparsity": 0.8, "dilation_error": 0.03, "svm_accuracy": float("nan")},
        {"model": "nmf", "sparsity_target": None, "sparsity_weight": None, "mse": 0.01},
    ]
    fig = plot_metrics_against_beta(records)
    assert len(fig.axes) == 4
    mse_lines = fig.axes[0].get_lines()
    assert len(mse_lines) == 2  # (asym, 0.01) and (asym, 0.05); nmf has no beta
    x, y = next((line.get_xdata(), line.get_ydata()) for line in mse_lines
                if len(line.get_xdata()) == 2)
    np.testing.assert_allclose(x, [0.001, 0.005])  # sorted by beta
    np.testing.assert_allclose(y, [0.01, 0.02])
    assert len(fig.axes[3].get_lines()) == 1  # the NaN accuracy is skipped
    assert _png(fig)[:4] == b"\x89PNG"
