"""Colour and multichannel images: ``image_shape=(height, width, channels)``, channels
last, flattened row-major, through the shape contract, morphology, the estimators,
the data and the plots."""

import re

import numpy as np
import pytest

from sparse_parts._utils import resolve_image_shape, split_image_shape


# ------------------------------------------------------------------ the shape contract
@pytest.mark.parametrize("n_features, image_shape, expected", [
    (64, None, (8, 8)),                # None: square grey, unchanged
    (48, (4, 12), (4, 12)),            # grey stays a pair
    (48, (4, 4, 3), (4, 4, 3)),
    (48, (-1, 4, 3), (4, 4, 3)),
    (48, (4, -1, 3), (4, 4, 3)),
    (48, (4, 4, -1), (4, 4, 3)),
    (48, (2, 3, 8), (2, 3, 8)),        # multispectral: any number of channels
    (16, (4, 4, 1), (4, 4, 1)),
    (48, (-1, 12), (4, 12)),
])
def test_resolve_image_shape_with_channels(n_features, image_shape, expected):
    assert resolve_image_shape(n_features, image_shape) == expected


@pytest.mark.parametrize("image_shape, match", [
    ((4,), "pair of integers .* or a triple"),
    ((2, 2, 2, 3), "pair of integers .* or a triple"),
    ((4, 4, 3.0), "pair of integers .* or a triple"),
    ((4, 4, True), "pair of integers .* or a triple"),
    ("443", "pair of integers .* or a triple"),
    ((4, 4, 0), "positive integers"),
    ((4, -4, 3), "positive integers"),
    ((-1, -1, 3), "positive integers"),
    ((4, 4, 2), r"holds 32 values but the data has n_features=48.*channels"),
    ((-1, 5, 3), "n_features=48: 48 is not a multiple of 15"),
])
def test_resolve_image_shape_refuses_invalid_shapes(image_shape, match):
    with pytest.raises(ValueError, match=match):
        resolve_image_shape(48, image_shape)


def test_non_square_data_without_image_shape_asks_for_channels_too():
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        resolve_image_shape(48)
    assert resolve_image_shape(48, required=False) is None


def test_split_image_shape():
    assert split_image_shape((4, 5)) == (4, 5, 1)
    assert split_image_shape((4, 5, 3)) == (4, 5, 3)


# ------------------------------------------------------------------ morphology
@pytest.mark.parametrize("name", ["dilation", "erosion", "opening", "closing"])
@pytest.mark.parametrize("radius, footprint", [
    (1, None), (2, None), (None, np.array([[1, 1, 0], [0, 1, 1]], dtype=bool))])
def test_colour_morphology_equals_scikit_image_channel_by_channel(name, radius, footprint):
    import skimage.morphology

    from sparse_parts import morphology

    rng = np.random.default_rng(0)
    stack = rng.random((3, 7, 9, 3)).astype(np.float32)
    kwargs = {"footprint": footprint} if footprint is not None else {"radius": radius}
    result = getattr(morphology, name)(stack, **kwargs)
    reference_footprint = (footprint if footprint is not None
                           else skimage.morphology.disk(radius))
    expected = np.stack([
        np.stack([getattr(skimage.morphology, name)(image[..., c], reference_footprint)
                  for c in range(3)], axis=-1)
        for image in stack])
    assert result.dtype == stack.dtype
    np.testing.assert_array_equal(result, expected)


def test_colour_morphology_keeps_channels_apart():
    from sparse_parts.morphology import dilation

    stack = np.zeros((2, 5, 5, 3))
    stack[0, 2, 2, 1] = 1.0  # one green pixel in the first image
    result = dilation(stack, radius=1)
    assert result[0, ..., 1].sum() == 5  # the green disk
    assert not result[0, ..., [0, 2]].any()  # red and blue stay black
    assert not result[1].any()  # the next image stays black


def test_apply_operator_with_channels_flattens_channels_last():
    from sparse_parts.morphology import apply_operator, erosion

    rng = np.random.default_rng(1)
    images = rng.random((4, 6, 5, 2))
    X = images.reshape(4, -1)  # row-major, channels last, as numpy / scikit-image
    result = apply_operator(X, "erosion", radius=1, image_shape=(6, 5, 2))
    np.testing.assert_array_equal(result, erosion(images, radius=1).reshape(4, -1))
    # The same with the height inferred.
    np.testing.assert_array_equal(
        apply_operator(X, "erosion", radius=1, image_shape=(-1, 5, 2)), result)
    # A callable receives the 4-D stack.
    seen = []
    apply_operator(X, lambda s: seen.append(s.shape) or s, image_shape=(6, 5, 2))
    assert seen == [(4, 6, 5, 2)]


def test_morphology_refuses_a_5d_array():
    from sparse_parts.morphology import dilation

    with pytest.raises(ValueError, match=r"\(n_images, height, width, channels\)"):
        dilation(np.zeros((1, 2, 3, 3, 3)))


# ------------------------------------------------------------------ max-approximation
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_max_approximation_error_in_colour_is_computed_channel_by_channel():
    from sparse_parts import SparseNMF
    from sparse_parts.metrics import max_approximation_error
    from sparse_parts.morphology import apply_operator

    rng = np.random.default_rng(0)
    X = rng.random((30, 6 * 6 * 3))
    nmf = SparseNMF(5, max_iter=30, image_shape=(6, 6, 3), random_state=0).fit(X)
    assert nmf.image_shape_ == (6, 6, 3)
    codes = nmf.transform(X)
    # By hand: dilate every colour atom channel by channel, decode, compare with the
    # dilated colour images.
    atoms = nmf.components_.reshape(5, 6, 6, 3)
    import skimage.morphology
    disk = skimage.morphology.disk(1)
    dilated_atoms = np.stack([
        np.stack([skimage.morphology.dilation(atom[..., c], disk) for c in range(3)], -1)
        for atom in atoms]).reshape(5, -1)
    dilated_X = apply_operator(X, image_shape=(6, 6, 3))
    expected = np.mean((codes @ dilated_atoms - dilated_X) ** 2)
    assert max_approximation_error(nmf, X) == pytest.approx(expected, rel=1e-10)
    # Not the grey computation on the flattened array read as one channel.
    grey = SparseNMF(5, max_iter=30, image_shape=(18, 6), random_state=0).fit(X)
    assert max_approximation_error(grey, X) != pytest.approx(expected, rel=1e-3)


def test_max_approximation_is_exact_for_atoms_apart_in_each_channel():
    # The marginal ordering's promise: atoms that never share a pixel *in a channel*
    # (they may share pixels across channels) are dilated exactly by the sum.
    from sparse_parts.morphology import apply_operator

    atoms = np.zeros((2, 7, 7, 3))
    atoms[0, 3, 3, 0] = 1.0          # a red dot
    atoms[1, 3, 3, 1:] = [0.5, 0.8]  # a cyan dot at the same pixel
    atoms[1, 0, 0, 0] = 0.3          # and a red one far away
    codes = np.array([[2.0, 1.0]])
    flat = atoms.reshape(2, -1)
    image = codes @ flat
    dilated_sum = codes @ apply_operator(flat, image_shape=(7, 7, 3))
    np.testing.assert_allclose(dilated_sum, apply_operator(image, image_shape=(7, 7, 3)))


# ------------------------------------------------------------------ estimators
@pytest.fixture(scope="module")
def colour_patches():
    """Tiny colour images with structure per channel: a red blob, a green bar, noise."""
    rng = np.random.default_rng(0)
    images = 0.05 * rng.random((40, 8, 8, 3))
    for i, image in enumerate(images):
        image[i % 6:i % 6 + 3, 2:5, 0] += 0.9         # red square, moving down
        image[3, :, 1] += 0.8 * (i % 2)                 # a green row in odd images
    return np.clip(images, 0, 1).reshape(40, -1).astype(np.float32)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_nmf_fits_colour_images(colour_patches):
    from sparse_parts import SparseNMF
    from sparse_parts.metrics import max_approximation_error

    nmf = SparseNMF(6, max_iter=50, image_shape=(8, 8, 3), random_state=0).fit(
        colour_patches)
    assert nmf.image_shape_ == (8, 8, 3)
    assert nmf.components_.shape == (6, 8 * 8 * 3)
    assert np.isfinite(max_approximation_error(nmf, colour_patches))
    with pytest.raises(ValueError, match=r"holds 128 values .*n_features=192"):
        SparseNMF(6, max_iter=1, image_shape=(8, 8, 2)).fit(colour_patches)


def test_asymmetric_auto_encoder_convolves_the_channels(colour_patches):
    import torch

    from sparse_parts import AsymmetricAutoEncoder
    from sparse_parts.metrics import max_approximation_error

    ae = AsymmetricAutoEncoder(n_components=5, max_epochs=2, batch_size=16,
                               image_shape=(8, 8, 3), random_state=0).fit(colour_patches)
    encoder = ae.net_.module_.encoder
    assert encoder.conv1.in_channels == 3
    assert ae.image_shape_ == (8, 8, 3)
    assert ae.components_.shape == (5, 192)
    assert ae.inverse_transform(ae.transform(colour_patches)).shape == colour_patches.shape
    assert np.isfinite(max_approximation_error(ae, colour_patches))
    # The rows are read channels last: one pixel of one channel of the flattened row
    # reaches the first convolution at that channel, row and column.
    x = torch.zeros(1, 192)
    x[0, np.ravel_multi_index((2, 5, 1), (8, 8, 3))] = 1.0
    seen = []
    handle = encoder.conv1.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    encoder.eval()
    with torch.no_grad():
        encoder(x)
    handle.remove()
    assert seen[0].shape == (1, 3, 8, 8)
    assert seen[0][0, 1, 2, 5] == 1.0 and seen[0].sum() == 1.0


def test_dense_auto_encoder_keeps_the_colour_shape(colour_patches):
    from sparse_parts import SparseNonNegAutoEncoder

    ae = SparseNonNegAutoEncoder(n_components=5, max_epochs=2, batch_size=16,
                                 image_shape=(8, -1, 3), random_state=0).fit(colour_patches)
    assert ae.image_shape_ == (8, 8, 3)
    assert ae.components_.shape == (5, 192)


# ------------------------------------------------------------------ data
def test_load_photo_patches_colour_seeded_held_out():
    from sparse_parts.datasets import PHOTOS, load_photo_patches

    patches = load_photo_patches(patch_size=8, n_patches=120, test_size=0.25, random_state=3)
    assert patches.image_shape == (8, 8, 3)
    assert patches.data.shape == (90, 192) and patches.data_test.shape == (30, 192)
    assert patches.data.dtype == np.float32
    assert patches.data.min() >= 0.0 and patches.data.max() <= 1.0
    np.testing.assert_array_equal(patches.images.reshape(90, -1), patches.data)
    assert set(np.unique(patches.target_test)) == set(range(len(PHOTOS)))  # stratified
    # Colour, not three copies of a grey image.
    assert np.abs(patches.images[..., 0] - patches.images[..., 2]).max() > 0.1
    # Each patch is its crop of its photograph, and no two patches of a photograph
    # overlap, so no held-out pixel is a training pixel.
    import skimage.data
    images = np.concatenate([patches.images, patches.images_test])
    target = np.concatenate([patches.target, patches.target_test])
    positions = np.concatenate([patches.positions, patches.positions_test])
    for image, owner, (row, col) in zip(images, target, positions, strict=True):
        photo = getattr(skimage.data, PHOTOS[owner])()
        np.testing.assert_allclose(image * 255, photo[row:row + 8, col:col + 8], atol=1e-3)
    for owner in range(len(PHOTOS)):
        corners = positions[target == owner]
        apart = np.abs(corners[:, None] - corners[None]).max(axis=-1) >= 8
        assert apart[~np.eye(len(corners), dtype=bool)].all()
    again = load_photo_patches(patch_size=8, n_patches=120, test_size=0.25, random_state=3)
    np.testing.assert_array_equal(again.data, patches.data)
    other = load_photo_patches(patch_size=8, n_patches=120, test_size=0.25, random_state=4)
    assert not np.array_equal(other.data, patches.data)
    X_train, X_test, y_train, y_test = load_photo_patches(
        patch_size=8, n_patches=120, random_state=3, return_X_y=True)
    np.testing.assert_array_equal(X_test, patches.data_test)
    np.testing.assert_array_equal(y_train, patches.target)


def test_load_photo_patches_grey_is_the_luminance_of_the_same_patches():
    import skimage.color

    from sparse_parts.datasets import load_photo_patches

    rgb = load_photo_patches(patch_size=6, n_patches=40, random_state=0)
    grey = load_photo_patches(patch_size=6, n_patches=40, channels="grey", random_state=0)
    assert grey.image_shape == (6, 6) and grey.data.shape == (30, 36)
    np.testing.assert_allclose(grey.images, skimage.color.rgb2gray(rgb.images), atol=2e-3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(patch_size=1), "patch_size must be an integer >= 2"),
    (dict(n_patches=4), "n_patches must be an integer >= 8"),
    (dict(channels="cmyk"), "channels must be one of"),
    (dict(test_size=1.0), r"test_size must be a fraction in \(0, 1\)"),
    (dict(patch_size=100, n_patches=200), "more than the .* non-overlapping 100x100 patches"),
])
def test_load_photo_patches_refuses_bad_arguments(kwargs, match):
    from sparse_parts.datasets import load_photo_patches

    with pytest.raises(ValueError, match=match):
        load_photo_patches(**kwargs)


# ------------------------------------------------------------------ plots
@pytest.fixture(scope="module")
def colour_nmf(colour_patches):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sparse_parts import SparseNMF

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SparseNMF(4, max_iter=30, image_shape=(8, 8, 3), random_state=0).fit(
            colour_patches)


def test_image_mosaic_of_colour_images_keeps_the_channels():
    from sparse_parts.plotting import image_mosaic

    images = np.zeros((3, 2 * 2 * 3))
    images[0, 2] = 0.5          # pixel (0, 0), blue
    images[1, 3 * 3 + 0] = 2.0  # pixel (1, 1), red
    mosaic = image_mosaic(images, (2, 2, 3), n_cols=2)
    assert mosaic.shape == (5, 5, 3)
    np.testing.assert_array_equal(mosaic[0, 0], [0, 0, 1])  # each scaled to its maximum
    np.testing.assert_array_equal(mosaic[1, 4], [1, 0, 0])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 2]).all()  # the gaps
    # Two channels: one grey tile per channel, side by side.
    two = image_mosaic(np.arange(8.0).reshape(1, 8), (2, 2, 2), n_cols=1, normalize="none")
    np.testing.assert_array_equal(two, [[0, 2, np.nan, 1, 3], [4, 6, np.nan, 5, 7]])


def test_plot_atoms_draws_colour_atoms_as_rgb_each_scaled_to_its_maximum(colour_nmf):
    import matplotlib.pyplot as plt

    from sparse_parts.plotting import plot_atoms

    fig = plot_atoms(colour_nmf, n_cols=2)
    ax = fig.axes[0]
    rgba = ax.get_images()[0].get_array()
    assert rgba.shape == (2 * 8 + 1, 2 * 8 + 1, 4)  # 2x2 atoms of 8x8, RGB + alpha
    atoms = colour_nmf.components_.reshape(4, 8, 8, 3)
    np.testing.assert_allclose(rgba[:8, :8, :3], atoms[0] / atoms[0].max(), atol=1e-12)
    np.testing.assert_allclose(rgba[9:, 9:, :3], atoms[3] / atoms[3].max(), atol=1e-12)
    assert (rgba[8, :, 3] == 0).all()  # the gap is transparent
    assert "max value of the atom" in ax.get_xlabel()
    assert len(fig.axes) == 1  # no colour bar: the scale is said in the label
    plt.close(fig)


def test_plot_reconstructions_and_max_approximation_in_colour(colour_nmf, colour_patches):
    import matplotlib.pyplot as plt

    from sparse_parts.plotting import (
        plot_code_histograms,
        plot_max_approximation,
        plot_reconstructions,
    )

    fig = plot_reconstructions(colour_nmf, colour_patches, n_images=3)
    rgba = fig.axes[0].get_images()[0].get_array()
    assert rgba.shape == (2 * 8 + 1, 3 * 8 + 2, 4)
    vmax = colour_patches[:3].max()
    np.testing.assert_allclose(rgba[:8, :8, :3],
                               np.clip(colour_patches[0].reshape(8, 8, 3) / vmax, 0, 1))
    assert "clipped" in fig.axes[0].get_xlabel()
    plt.close(fig)
    fig = plot_max_approximation(colour_nmf, colour_patches, n_images=3)
    assert fig.axes[0].get_images()[0].get_array().shape == (17, 26, 4)
    plt.close(fig)
    fig = plot_code_histograms(colour_nmf, colour_patches, n_images=2)
    assert fig.axes[0].get_images()[0].get_array().shape == (8, 8, 3)
    plt.close(fig)


# ------------------------------------------------------------------ the user's images
def test_load_images_keeps_colour_of_arrays_and_folders(tmp_path):
    from PIL import Image

    from sparse_parts.datasets import load_images

    rng = np.random.default_rng(0)
    stack = rng.integers(0, 256, size=(4, 5, 6, 3), dtype=np.uint8)
    np.save(tmp_path / "stack.npy", stack)
    with pytest.warns(UserWarning, match="divided by 255"):
        bunch = load_images(tmp_path / "stack.npy")
    assert bunch.image_shape == (5, 6, 3) and bunch.data.shape == (4, 90)
    np.testing.assert_allclose(bunch.images, stack / 255, rtol=1e-6)
    # Flattened channels last, with the shape given.
    np.save(tmp_path / "flat.npy", stack.reshape(4, -1) / 255.0)
    flat = load_images(tmp_path / "flat.npy", image_shape=(5, -1, 3))
    np.testing.assert_allclose(flat.images, bunch.images, rtol=1e-6)
    with pytest.raises(ValueError, match=r"images of 5x6x3 .* but image_shape=\(5, 6\)"):
        load_images(tmp_path / "stack.npy", image_shape=(5, 6))
    # --grey: Pillow's luma, the same for arrays and files.
    with pytest.warns(UserWarning, match="divided by 255"):
        grey = load_images(tmp_path / "stack.npy", grey=True)
    assert grey.image_shape == (5, 6)

    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(stack):
        Image.fromarray(image).save(folder / f"{i}.png")
    Image.fromarray(stack[0, ..., 0]).save(folder / "9_grey.png")
    with pytest.warns(UserWarning, match="4 of the 5 images .* are in colour .* three equal"):
        images = load_images(folder)
    assert images.image_shape == (5, 6, 3)
    np.testing.assert_array_equal(images.images[:4] * 255, stack.astype(np.float32))
    assert (images.images[4, ..., 0] == images.images[4, ..., 2]).all()
    as_grey = load_images(folder, grey=True)
    assert as_grey.image_shape == (5, 6)
    np.testing.assert_allclose(as_grey.images[:4], grey.images, atol=1 / 255 + 1e-6)


# ------------------------------------------------------------------ the command line
_USER = ["compare", "--quick", "--epochs", "1", "--device", "cpu"]


def _colour_pngs(folder, n=30, shape=(8, 6)):
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray((rng.random((*shape, 3)) * 255).astype(np.uint8)).save(
            folder / f"img_{i:03d}.png")
    return folder


def test_compare_keeps_the_colour_of_an_npy_stack(tmp_path, capsys):
    import csv

    from sparse_parts import cli
    from sparse_parts.study.estimators import n_parameters

    rng = np.random.default_rng(1)
    np.save(tmp_path / "x.npy", rng.random((30, 8, 6, 3)).astype(np.float32))
    out = tmp_path / "out"
    assert cli.main(_USER + ["--data", str(tmp_path / "x.npy"), "--models", "nmf,asym",
                             "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "images of 8x6 pixels, 3 channels" in err
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    k = 10  # min(100, 144 // 2, 20 // 2)
    assert int(rows[0]["n_parameters"]) == k * 8 * 6 * 3
    assert {int(r["n_parameters"]) for r in rows if r["family"] == "asym"} == {
        n_parameters("asym", (8, 6, 3), k)}
    assert n_parameters("asym", (8, 6, 3), k) - n_parameters("asym", (8, 6), k) == (
        64 * 2 * 4 * 4 + 2 * k * 8 * 6 + 2 * 8 * 6)  # conv1's 2 more channels, the decoder
    assert "8x6 pixels (height x width), 3 channels" in (out / "results.md").read_text()
    assert list(out.glob("atoms_nmf*.png"))  # atoms_<family>-<config>.png


def test_compare_keeps_the_colour_of_a_png_folder_and_grey_converts(tmp_path, capsys):
    from sparse_parts import cli

    folder = _colour_pngs(tmp_path / "pngs")
    assert cli.main(_USER + ["--data", str(folder), "--models", "nmf", "--no-figures",
                             "--out", str(tmp_path / "colour")]) == 0
    err = capsys.readouterr().err
    assert "images of 8x6 pixels, 3 channels" in err and "grey" not in err
    assert cli.main(_USER + ["--data", str(folder), "--models", "nmf", "--no-figures",
                             "--grey", "--out", str(tmp_path / "grey")]) == 0
    err = capsys.readouterr().err
    assert "images of 8x6 pixels;" in err
    assert err.count("converted to grey") == 1 and "Notice:" in err


def test_compare_on_photo_patches_in_colour_and_grey(tmp_path, capsys):
    from sparse_parts import cli

    small = ["compare", "--dataset", "photo-patches", "--quick", "--n-train", "150",
             "--n-test", "100", "--n-components", "8", "--models", "nmf", "--no-figures"]
    assert cli.main(small + ["--out", str(tmp_path / "colour")]) == 0
    captured = capsys.readouterr()
    assert "images of 12x12 pixels, 3 channels" in captured.err
    assert "SVM acc." in captured.out  # the photographs are the classes
    assert cli.main(small + ["--grey", "--out", str(tmp_path / "grey")]) == 0
    assert "images of 12x12 pixels;" in capsys.readouterr().err


def test_image_shape_option_takes_channels(tmp_path, capsys):
    from sparse_parts import cli

    rng = np.random.default_rng(2)
    np.save(tmp_path / "flat.npy", rng.random((30, 8 * 6 * 3)).astype(np.float32))
    argv = _USER + ["--data", str(tmp_path / "flat.npy"), "--models", "nmf", "--no-figures",
                    "--out", str(tmp_path / "out")]
    assert cli.main(argv + ["--image-shape", "8", "-1", "3"]) == 0
    assert "images of 8x6 pixels, 3 channels" in capsys.readouterr().err
    for sides, match in ((["8"], "HEIGHT WIDTH \\[CHANNELS\\]"),
                         (["8", "6", "3", "1"], "HEIGHT WIDTH \\[CHANNELS\\]"),
                         (["8", "6", "2"], "holds 96 values")):
        with pytest.raises(SystemExit) as excinfo:
            cli.main(argv + ["--image-shape", *sides])
        assert excinfo.value.code == 2
        assert re.search(match, capsys.readouterr().err.splitlines()[-1])
