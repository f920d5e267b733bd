"""Tests of the figures in ``sparse_parts.plotting``."""

import io

import matplotlib.pyplot as plt
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
    plot_summary,
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


@pytest.fixture(scope="module")
def signed_autoencoder(digits):
    from sparse_parts import SparseNonNegAutoEncoder

    return SparseNonNegAutoEncoder(12, nonnegativity=None, max_epochs=1,
                                   random_state=0).fit(digits)


@pytest.fixture(autouse=True)
def close_figures():
    """Every figure a test opens through pyplot is closed after it."""
    yield
    plt.close("all")


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

    # One mosaic: the originals on the first row of tiles, the reconstructions below.
    reconstructions = plot_reconstructions(estimator, digits, n_images=10)
    (pair,) = _images(reconstructions)
    mosaic = pair.get_array()
    assert mosaic.shape == (2 * 9 - 1, 10 * 9 - 1)
    np.testing.assert_allclose(mosaic[:8, :8], digits[0].reshape(8, 8))
    expected = estimator.inverse_transform(estimator.transform(digits[:1]))[0]
    np.testing.assert_allclose(mosaic[9:, :8], expected.reshape(8, 8), rtol=1e-5, atol=1e-6)
    assert pair.norm.vmin == 0 and pair.norm.vmax == pytest.approx(digits[:10].max())

    # Each image beside its code: axes alternate image, bar chart.
    histograms = plot_code_histograms(estimator, digits, n_images=4, n_cols=2)
    assert len(histograms.axes) == 8
    image_axes, bar_axes = histograms.axes[0::2], histograms.axes[1::2]
    np.testing.assert_allclose(image_axes[1].get_images()[0].get_array(),
                               digits[1].reshape(8, 8))
    heights = [bar.get_height() for bar in bar_axes[1].patches]
    # float32 codes from an iterative solver: batches of other sizes round differently
    np.testing.assert_allclose(heights, estimator.transform(digits[1:2])[0], rtol=1e-5,
                               atol=1e-5)
    assert bar_axes[0].get_ylabel() == "code value"
    assert bar_axes[-1].get_xlabel() == "code unit"
    assert len({ax.get_ylim() for ax in bar_axes}) == 1  # one value axis for all codes

    max_approx = plot_max_approximation(estimator, digits, n_images=3)
    assert len(_images(max_approx)) == 1
    # Each row on its own scale, its maximum named: the max-approximations cannot
    # saturate on the originals' scale.
    mosaic = _images(max_approx)[0].get_array()
    tiles = np.ma.filled(mosaic, np.nan)
    assert np.nanmax(tiles[:8]) == pytest.approx(1.0) and np.nanmax(tiles[9:]) == pytest.approx(1.0)
    assert all("(max " in label.get_text()
               for label in max_approx.axes[0].get_yticklabels())
    for fig in (atoms, reconstructions, histograms, max_approx):
        assert fig.number in plt.get_fignums()  # made through pyplot: plt.show() shows it
        assert _png(fig)[:4] == b"\x89PNG"


def _colour_bars(fig):
    return [ax for ax in fig.axes if hasattr(ax, "_colorbar")]


@pytest.mark.parametrize("draw", [
    lambda est, X: plot_atoms(est),
    lambda est, X: plot_reconstructions(est, X),
    lambda est, X: plot_max_approximation(est, X),
])
def test_image_panels_have_a_labelled_colour_bar(draw, nmf, digits):
    fig = draw(nmf, digits)
    (bar,) = _colour_bars(fig)
    assert bar.get_ylabel()  # the scale is stated


def test_plot_atoms_draws_into_a_given_axes(nmf):
    fig, ax = plt.subplots()
    assert plot_atoms(nmf, n_atoms=4, ax=ax) is fig
    (grid,) = ax.get_images()
    assert grid.get_array().shape == (8, 4 * 9 - 1)


def test_nonnegative_atoms_are_grey_from_zero(nmf):
    (grid,) = _images(plot_atoms(nmf))
    assert grid.get_cmap().name.startswith("gray")
    assert (grid.norm.vmin, grid.norm.vmax) == (0.0, 1.0)


def test_signed_atoms_use_a_diverging_map_centred_at_zero(signed_autoencoder):
    assert signed_autoencoder.components_.min() < 0 < signed_autoencoder.components_.max()
    fig = plot_atoms(signed_autoencoder)
    (grid,) = _images(fig)
    assert grid.get_cmap().name.startswith("RdBu")
    assert grid.norm.vmin == -grid.norm.vmax  # white is 0
    assert "|value|" in _colour_bars(fig)[0].get_ylabel()
    # Each atom is scaled by its own max |value|: the mosaic spans [-1, 1].
    assert np.nanmin(grid.get_array()) >= -1 and np.nanmax(np.abs(grid.get_array())) == 1


def test_gaps_are_drawn_in_a_colour_outside_the_map(nmf):
    (grid,) = _images(plot_atoms(nmf, n_cols=5))
    cmap = grid.get_cmap()
    bad = np.asarray(cmap.get_bad())
    assert bad[3] == 1  # opaque, not the background showing through
    assert np.ma.getmaskarray(grid.get_array())[8].all()  # the gap row between tile rows
    assert np.abs(cmap(np.linspace(0, 1, 256)) - bad).sum(axis=1).min() > 0.1


def test_unfitted_estimator_is_a_clear_error(digits):
    with pytest.raises(ValueError, match="not fitted"):
        plot_atoms(SparseNMF(4))
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        plot_reconstructions(SparseNMF(4, max_iter=5).fit(digits), digits, n_images=0)


def test_metrics_against_beta_draws_one_line_per_model_and_target():
    records = [
        {"family": "asym", "sparsity_target": 0.05, "sparsity_weight": b, "mse": m,
         "hoyer": 0.5, "max_approx": 0.1, "svm": 0.8}
        for b, m in ((0.005, 0.02), (0.001, 0.01))
    ] + [
        {"family": "asym", "sparsity_target": 0.01, "sparsity_weight": 0.01, "mse": 0.03,
         "hoyer": 0.8, "max_approx": 0.003, "svm": float("nan")},
        {"family": "nmf", "sparsity_target": None, "sparsity_weight": None, "mse": 0.01},
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
    # Ticked at the betas present, so a single beta per line (--quick) still reads.
    np.testing.assert_allclose(fig.axes[0].get_xticks(), [0.001, 0.005, 0.01])
    assert fig.axes[2].get_yscale() == "log"  # errors spanning decades
    assert fig.axes[1].get_yscale() == "linear"
    # Few points: each value is printed beside its marker.
    assert sorted(text.get_text() for text in fig.axes[0].texts) == ["0.01", "0.02", "0.03"]
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 2
    assert fig.number in plt.get_fignums()
    assert _png(fig)[:4] == b"\x89PNG"


def _summary_records():
    return [
        {"family": "nmf", "config": "component-0.6", "mse": 0.012, "hoyer": 0.62,
         "max_approx": 0.11,
         "study_mse": 0.0109, "study_hoyer": 0.6504, "study_max_approx": 0.107},
        {"family": "shallow", "config": "unconstrained", "mse": 0.007, "hoyer": 0.07,
         "max_approx": 17.0, "study_mse": 0.00697, "study_hoyer": 0.0678,
         "study_max_approx": 18.24},
        {"family": "asym", "config": "kl-p0.01-beta0.01", "mse": 0.02, "hoyer": 0.8,
         "max_approx": 0.03},  # no study numbers
    ]


def test_summary_marks_every_record_and_every_study_point():
    records = _summary_records()
    fig = plot_summary(records)
    assert fig.number in plt.get_fignums()
    ax, bar = fig.axes
    assert ax.get_yscale() == "log"
    assert "Hoyer sparsity" in bar.get_ylabel()
    study, ours = ax.collections
    np.testing.assert_allclose(ours.get_offsets(), [[r["mse"], r["max_approx"]]
                                                    for r in records])
    np.testing.assert_allclose(ours.get_array(), [r["hoyer"] for r in records])
    np.testing.assert_allclose(study.get_offsets(), [[0.0109, 0.107], [0.00697, 18.24]])
    assert (ours.norm.vmin, ours.norm.vmax) == (0.0, 1.0)
    # Five points, five labels (the numbers of their rows), each row named in the key.
    labels = sorted(text.get_text() for text in ax.texts)
    assert labels == ["1", "1", "2", "2", "3"]
    key = [text.get_text() for text in ax.get_legend().get_texts()]
    assert {"1  nmf/component-0.6", "2  shallow/unconstrained",
            "3  asym/kl-p0.01-beta0.01"} <= set(key)
    assert _png(fig)[:4] == b"\x89PNG"


def test_summary_draws_into_a_given_axes_and_skips_unknown_metrics():
    fig, ax = plt.subplots()
    records = _summary_records() + [
        {"config": "broken", "mse": float("nan"), "hoyer": 0.5, "max_approx": 0.1}]
    assert plot_summary(records, ax=ax) is fig
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 3]


def test_metrics_against_beta_leaves_out_a_metric_no_record_has():
    """Unlabelled images have no SVM accuracy: no empty panel for it."""
    records = [{"family": "shallow", "sparsity_target": 0.05, "sparsity_weight": beta,
                "mse": 0.01 * i, "hoyer": 0.2 * i, "max_approx": 0.1 / i,
                "svm": None} for i, beta in enumerate((1e-3, 1e-2), start=1)]
    fig = plot_metrics_against_beta(records)
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert len(labels) == 3 and not any("SVM" in label for label in labels)
    records[0]["svm"] = 0.9
    assert len(plot_metrics_against_beta(records).axes) == 4
