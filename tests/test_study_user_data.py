"""Tests of the study on the user's own images: settings, split, model sizes."""

import numpy as np
import pytest

from sparse_parts.study import USER_DATA, DataError, resolve_settings
from sparse_parts.study.data import load_data
from sparse_parts.study.estimators import n_parameters
from sparse_parts.study.settings import complete_settings, default_epochs, default_n_components


@pytest.mark.parametrize("image_shape", [(28, 28), (8, 8), (12, 10), (9, 14), (64, 64),
                                         (1, 30), (3, 7), (2, 2)])
@pytest.mark.parametrize("model", ["shallow", "asym"])
def test_n_parameters_counts_the_trainable_parameters_of_the_torch_modules(model,
                                                                          image_shape):
    pytest.importorskip("torch")
    from sparse_parts.autoencoders.modules import (
        AutoEncoderModule,
        DenseEncoder,
        InfoGANEncoder,
    )

    k, d = 7, image_shape[0] * image_shape[1]
    encoder = InfoGANEncoder(image_shape, k) if model == "asym" else DenseEncoder(d, k)
    module = AutoEncoderModule(encoder, k, d)
    expected = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert n_parameters(model, image_shape, k) == expected


def test_the_asymmetric_encoder_grows_with_the_image_area_and_nmf_is_k_times_d():
    small, large = n_parameters("asym", (28, 28), 100), n_parameters("asym", (64, 64), 100)
    # The dense layer holds 128 * (h / 4) * (w / 4) * 1024 weights, the decoder
    # (k + 1) * d; nothing else depends on the image size.
    dense = 128 * 1024 * (16 * 16 - 7 * 7)
    decoder = 101 * (64 * 64 - 28 * 28)
    assert large - small == dense + decoder
    assert n_parameters("nmf", (12, 10), 13) == 13 * 120


def test_user_defaults_follow_the_builtin_ones():
    assert (default_epochs(60000), default_epochs(60000, quick=True)) == (20, 5)
    assert (default_epochs(1198), default_epochs(1198, quick=True)) == (300, 100)
    assert default_epochs(3840) == 100
    assert default_n_components(60000, 784) == 100
    assert default_n_components(26, 120) == 13  # half the training images
    assert default_n_components(5000, 64) == 32  # half the pixels
    assert default_n_components(10, 1) == 1


def _stack(path, n=60, shape=(9, 14), seed=0):
    X = np.random.default_rng(seed).random((n, *shape)).astype(np.float32)
    np.save(path, X)
    return X


def test_the_split_holds_out_a_seeded_stratified_third(tmp_path):
    X = _stack(tmp_path / "x.npy", n=90)
    y = np.repeat([0, 1, 2], [45, 30, 15])
    np.save(tmp_path / "y.npy", y)
    settings = resolve_settings(data_path=str(tmp_path / "x.npy"),
                                labels=str(tmp_path / "y.npy"), models=["nmf"])
    assert settings.dataset == USER_DATA and settings.has_labels
    split = load_data(settings)
    assert split.X_train.shape == (60, 126) and split.X_test.shape == (30, 126)
    assert split.image_shape == (9, 14)
    np.testing.assert_array_equal(np.bincount(split.y_test), [15, 10, 5])
    # Every image lands on one side, with its own label.
    rows = {row.tobytes(): label for row, label in zip(X.reshape(90, -1), y, strict=True)}
    for part, labels in ((split.X_train, split.y_train), (split.X_test, split.y_test)):
        assert [rows[row.tobytes()] for row in part] == list(labels)
    again = load_data(settings)
    np.testing.assert_array_equal(again.X_test, split.X_test)
    other = load_data(resolve_settings(data_path=str(tmp_path / "x.npy"), seed=1,
                                       models=["nmf"]))
    assert other.y_test is None
    assert not np.array_equal(other.X_test, split.X_test)


def test_complete_settings_fills_the_defaults_from_the_images(tmp_path):
    _stack(tmp_path / "x.npy")
    settings = resolve_settings(data_path=str(tmp_path / "x.npy"), models=["nmf"])
    assert settings.n_components is None and settings.epochs is None
    assert not settings.has_labels
    done = complete_settings(settings, 40, 20, (9, 14))
    assert (done.n_components, done.epochs, done.image_shape) == (20, 300, (9, 14))
    chosen = resolve_settings(data_path=str(tmp_path / "x.npy"), models=["nmf"],
                              n_components=5, epochs=3, quick=True)
    assert complete_settings(chosen, 40, 20, (9, 14)).n_components == 5
    with pytest.raises(ValueError, match="at least 10"):
        complete_settings(settings, 8, 4, (9, 14))


def test_a_class_too_small_for_the_svm_is_a_data_error(tmp_path):
    _stack(tmp_path / "x.npy", n=40)
    np.savetxt(tmp_path / "y.txt", np.repeat([0, 1], [32, 8]), fmt="%d")
    settings = resolve_settings(data_path=str(tmp_path / "x.npy"),
                                labels=str(tmp_path / "y.txt"), models=["nmf"])
    with pytest.raises(DataError, match="8 image\\(s\\) of class 1.*at least 15"):
        load_data(settings)


@pytest.mark.parametrize("kwargs, message", [
    (dict(dataset="digits"), "exclude each other"),
    (dict(image_shape=(0, 5)), "^image_shape takes HEIGHT WIDTH"),
    (dict(image_shape=(-1, -1)), "^image_shape takes HEIGHT WIDTH"),
    (dict(labels="missing.txt"), "^labels missing.txt: no such file"),
])
def test_bad_user_data_options_are_value_errors(tmp_path, kwargs, message):
    _stack(tmp_path / "x.npy")
    with pytest.raises(ValueError, match=message):
        resolve_settings(data_path=str(tmp_path / "x.npy"), models=["nmf"], **kwargs)


def test_labels_or_image_shape_need_data():
    """The study's errors name its parameters; the command line spells them as flags."""
    with pytest.raises(ValueError, match="^labels goes with data") as caught:
        resolve_settings("digits", labels="y.txt", models=["nmf"])
    assert caught.value.parameters == ("labels", "data")
    assert caught.value.describe({"labels": "--labels", "data": "--data"}).startswith(
        "--labels goes with --data")
    with pytest.raises(ValueError, match="^image_shape goes with data"):
        resolve_settings("digits", image_shape=(8, 8), models=["nmf"])
