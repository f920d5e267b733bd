"""The images of a study run: a seeded train / test split of Fashion-MNIST, the digits,
the colour photo patches or the user's own images (``--data``).

:func:`load_data` returns a :class:`Split`. The user's images are read by
:func:`sparse_parts.datasets.load_images`; its notices (colour converted, values
scaled, files skipped) are written once on standard error, and what is wrong with
the files raises a :class:`DataError` with a one-line message.
"""

import warnings
from typing import NamedTuple

import numpy as np

from ._console import say
from .errors import DataError

__all__ = ["fashion_mnist_on_disk", "load_data", "Split", "DataError", "TEST_FRACTION",
           "MIN_IMAGES_PER_CLASS"]

#: The fraction of the user's images held out for testing (stratified when labelled).
TEST_FRACTION = 1 / 3

#: The fewest images of a class the SVM accuracy needs among the user's images: five
#: of them land in the held-out third, enough for its splits and 3-fold search.
MIN_IMAGES_PER_CLASS = 15


def _literal(text):
    """``text`` as a literal part of a :class:`~sparse_parts.study.errors.StudyError` template."""
    return str(text).replace("{", "{{").replace("}", "}}")


class Split(NamedTuple):
    """The images of a run, flattened as float32 rows, their labels and their shape.

    ``y_train`` and ``y_test`` are None for the user's images without labels.
    """

    X_train: np.ndarray
    y_train: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray | None
    image_shape: tuple


def fashion_mnist_on_disk():
    """Whether the Fashion-MNIST files can be read without downloading them."""
    from ..datasets import DatasetNotFoundError, fetch_fashion_mnist

    try:
        fetch_fashion_mnist("test", download_if_missing=False, return_X_y=True)
    except (DatasetNotFoundError, OSError):
        return False
    return True


def _subsample(X, y, n, rng):
    if n is None or n >= X.shape[0]:
        return X, y
    index = np.sort(rng.permutation(X.shape[0])[:n])
    return X[index], (None if y is None else y[index])


def _read_user_images(settings):
    """The Bunch of the user's images, their notices said once on stderr."""
    from ..datasets import load_images

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            bunch = load_images(settings.data, image_shape=settings.data_image_shape,
                                labels=settings.labels, grey=settings.grey)
        except (OSError, ValueError) as exc:
            # The loader names its own image_shape parameter: the study's is the same.
            template = _literal(exc).replace("image_shape", "{image_shape}")
            raise DataError(template, "image_shape") from None
    said = set()
    for warning in caught:
        message = str(warning.message)
        if not issubclass(warning.category, UserWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
        elif message not in said:
            said.add(message)
            say(f"Notice: {message}")
    return bunch


def _check_classes(y, needed, where, parameters=()):
    """Raise a DataError unless ``y`` has two classes or more, each ``needed`` times.

    ``where`` is a template naming the labels' origin; ``parameters`` the parameters
    it names beside ``labels``.
    """
    classes, counts = np.unique(y, return_counts=True)
    names = ("labels", *parameters)
    if len(classes) < 2:
        raise DataError(
            f"{where} holds a single class ({classes[0]}); the SVM accuracy needs two or "
            "more. Leave {labels} out to skip it.", *names)
    if counts.min() < needed:
        rare = classes[counts.argmin()]
        raise DataError(
            f"{where} has {counts.min()} image(s) of class {rare}; the SVM accuracy needs "
            f"at least {needed} of every class. Add images, merge classes, or leave "
            "{labels} out to skip it.", *names)


def _user_split(settings):
    from sklearn.model_selection import train_test_split

    bunch = _read_user_images(settings)
    if bunch.data.shape[0] < 2:
        # train_test_split would fail with its own message on a single image.
        raise DataError(
            f"{_literal(settings.data)} holds a single image; a third of the images is held "
            "out for testing and at least 10 train the models: pass more images.")
    y = bunch.get("target")
    if y is not None:
        _check_classes(y, MIN_IMAGES_PER_CLASS, _literal(settings.labels))
    if y is None:
        X_train, X_test = train_test_split(bunch.data, test_size=TEST_FRACTION,
                                           random_state=settings.seed)
        return X_train, None, X_test, None, bunch.image_shape
    X_train, X_test, y_train, y_test = train_test_split(
        bunch.data, y, test_size=TEST_FRACTION, stratify=y, random_state=settings.seed)
    return X_train, y_train, X_test, y_test, bunch.image_shape


def load_data(settings):
    """The images of ``settings``: the split and the subsets are seeded by its seed.

    Fashion-MNIST keeps its own training and test files; the photo patches their own
    held-out part (:func:`sparse_parts.datasets.load_photo_patches`, 4,500 and 1,500
    colour patches of 12x12 pixels); the digits and the user's images are split by
    ``train_test_split(test_size=TEST_FRACTION, random_state=settings.seed)``,
    stratified by the labels when there are labels. Then at most ``settings.n_train``
    and ``settings.n_test`` images are kept (a seeded random subset; None keeps all).

    Parameters
    ----------
    settings : Settings

    Returns
    -------
    split : Split
        The images as C-contiguous float32 rows, their labels and their shape.

    Raises
    ------
    DataError
        If the user's images or labels cannot be read or used (missing file, bad
        array, images of different sizes, a wrong image shape, not one label per
        image, too few images of a class for the SVM accuracy).
    """
    rng = np.random.RandomState(settings.seed)
    if settings.dataset == "fashion-mnist":
        from ..datasets import fetch_fashion_mnist

        X_train, y_train = fetch_fashion_mnist("train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist("test", return_X_y=True)
        image_shape = (28, 28)
    elif settings.dataset == "digits":
        from sklearn.model_selection import train_test_split

        from ..datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=TEST_FRACTION, stratify=y, random_state=settings.seed)
        image_shape = (8, 8)
    elif settings.dataset == "photo-patches":
        from ..datasets import load_photo_patches

        patches = load_photo_patches(
            channels="grey" if settings.grey else "rgb", n_patches=6000, test_size=0.25,
            random_state=settings.seed)
        X_train, y_train = patches.data, patches.target
        X_test, y_test = patches.data_test, patches.target_test
        image_shape = patches.image_shape
    else:
        X_train, y_train, X_test, y_test, image_shape = _user_split(settings)
    X_train, y_train = _subsample(X_train, y_train, settings.n_train, rng)
    X_test, y_test = _subsample(X_test, y_test, settings.n_test, rng)
    if settings.data is not None and y_test is not None and settings.n_test is not None:
        # The stratified third holds enough of every class; a smaller --n-test may not.
        _check_classes(y_test, MIN_IMAGES_PER_CLASS // 3,
                       f"{{n_test}} {settings.n_test}: the held-out images", ("n_test",))
    return Split(np.ascontiguousarray(X_train, dtype=np.float32), y_train,
                 np.ascontiguousarray(X_test, dtype=np.float32), y_test, tuple(image_shape))
