"""The settings of a study run: the data set, its sizes, the training and SVM budgets.

:class:`Settings` holds everything the fitted models and the measured numbers depend
on; :func:`resolve_settings` fills it from the few choices of a run and the defaults
of each data set, and :func:`complete_settings` from the images once they are loaded
(the user's own images set the sizes, the image shape and the defaults that depend
on them).
"""

import math
import numbers
import os
from dataclasses import dataclass, replace

from . import data
from ._console import say
from .catalog import MODELS
from .errors import DataError, SettingsError

__all__ = ["Settings", "DATASETS", "USER_DATA", "BUDGETS", "STUDY_EPOCHS", "SVM_PROTOCOLS",
           "resolve_settings", "complete_settings",
           "default_n_components", "default_epochs"]

#: The built-in data sets a run can use.
DATASETS = ("fashion-mnist", "digits", "photo-patches")

#: ``Settings.dataset`` of a run on the user's own images (``--data``).
USER_DATA = "user"

#: The training budgets: this package's defaults, or the report's.
BUDGETS = ("fast", "study")

#: The report's auto-encoders trained 500 epochs (Keras, Adadelta, batches of 128).
STUDY_EPOCHS = 500

#: The SVM protocols (:mod:`sparse_parts.study.protocol`).
SVM_PROTOCOLS = ("linear", "report", "rbf")


@dataclass
class Settings:
    """Everything the models and the numbers of a run depend on.

    ``n_train`` and ``n_test`` are the numbers of training and held-out test images,
    ``epochs`` the auto-encoders' training epochs, ``nmf_max_iter`` SparseNMF's
    iteration budget, ``budget`` ``"fast"`` or ``"study"`` (the report's training, and
    NMF fitted on the test images); ``svm_protocol`` is ``"linear"``, ``"report"`` or
    ``"rbf"`` and the other ``svm_*`` fields are the RBF protocol's
    (:func:`sparse_parts.study.protocol.svm_protocol`). ``device`` is where the
    auto-encoders train; ``quick`` says the ``--quick`` budgets were chosen.
    ``image_shape`` is ``(height, width)`` of the images, or ``(height, width,
    channels)`` of colour ones, known once they are loaded
    (:func:`complete_settings`); ``grey`` converts colour images to grey (``--grey``).

    A run on the user's own images has ``dataset == USER_DATA``: ``data`` is their
    ``.npy`` / ``.npz`` file or folder, ``labels`` the labels file (None: no SVM
    accuracy) and ``data_image_shape`` the ``--image-shape`` given for a
    ``(n, height * width)`` array. Until the images are loaded, its ``n_train``,
    ``n_test``, ``n_components`` and ``epochs`` may be None (all images, the defaults
    of :func:`complete_settings`).
    """

    dataset: str
    n_train: int
    n_test: int
    n_components: int
    epochs: int
    nmf_max_iter: int
    svm_samples: int
    svm_splits: int
    svm_test_size: float
    svm_cv: int
    svm_C: tuple
    svm_gamma_factors: tuple
    device: str
    seed: int
    quick: bool = False
    budget: str = "fast"
    svm_protocol: str = "linear"
    image_shape: tuple | None = None
    data: str | None = None
    labels: str | None = None
    data_image_shape: tuple | None = None
    grey: bool = False

    @property
    def has_labels(self):
        """Whether the images have labels, so that the SVM accuracy can be measured."""
        return self.dataset != USER_DATA or self.labels is not None

    @property
    def data_name(self):
        """The data set in words, for the reports."""
        return f"your images ({self.data})" if self.dataset == USER_DATA else self.dataset


# (dataset, quick) -> defaults of the fast budget. The report trained 500 epochs with
# Adadelta (its code: Keras, batch 128; the "study" budget); the fast budget trains
# far less with Adam. At a fixed beta the codes grow less sparse as training goes on
# (H100 sweep, benchmarks/README.md:
# asymmetric AE, p = 0.05, beta = 0.001, Hoyer 0.61 / 0.55 / 0.44 after 10 / 20 / 40
# epochs); 20 epochs lands on the study's row (0.0106 / 0.549 / 0.199 vs. its
# 0.0115 / 0.565 / 0.202).
_DEFAULTS = {
    ("fashion-mnist", False): dict(n_train=60000, n_test=10000, n_components=100, epochs=20,
                                   nmf_max_iter=200, svm_samples=2000, svm_splits=5,
                                   svm_C=(1.0, 10.0, 100.0), svm_gamma_factors=(0.1, 1.0, 10.0)),
    ("fashion-mnist", True): dict(n_train=5000, n_test=2000, n_components=100, epochs=5,
                                  nmf_max_iter=50, svm_samples=1000, svm_splits=3,
                                  svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
    ("digits", False): dict(n_train=1198, n_test=599, n_components=36, epochs=300,
                            nmf_max_iter=200, svm_samples=599, svm_splits=5,
                            svm_C=(1.0, 10.0, 100.0), svm_gamma_factors=(0.1, 1.0, 10.0)),
    ("digits", True): dict(n_train=1198, n_test=599, n_components=36, epochs=100,
                           nmf_max_iter=100, svm_samples=599, svm_splits=3,
                           svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
    # 12x12 colour patches of scikit-image's photographs (4 classes: the photograph).
    ("photo-patches", False): dict(n_train=4500, n_test=1500, n_components=100, epochs=100,
                                   nmf_max_iter=200, svm_samples=1500, svm_splits=5,
                                   svm_C=(1.0, 10.0, 100.0),
                                   svm_gamma_factors=(0.1, 1.0, 10.0)),
    ("photo-patches", True): dict(n_train=1500, n_test=500, n_components=36, epochs=30,
                                  nmf_max_iter=100, svm_samples=500, svm_splits=3,
                                  svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
    # The user's images: all of them, k and the epochs from their number and size.
    (USER_DATA, False): dict(n_train=None, n_test=None, n_components=None, epochs=None,
                             nmf_max_iter=200, svm_samples=2000, svm_splits=5,
                             svm_C=(1.0, 10.0, 100.0), svm_gamma_factors=(0.1, 1.0, 10.0)),
    (USER_DATA, True): dict(n_train=None, n_test=None, n_components=None, epochs=None,
                            nmf_max_iter=100, svm_samples=1000, svm_splits=3,
                            svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
}

# The sizes of the training and test splits of each built-in data set.
_SPLIT_SIZES = {"fashion-mnist": (60000, 10000), "digits": (1198, 599),
                "photo-patches": (4500, 1500)}

# The fewest training images a run accepts, and test images the SVM protocol needs.
_MIN_TRAIN = 10
_MIN_TEST = 50


def default_n_components(n_train, n_features):
    """The atoms of a run on the user's images: ``min(100, n_features // 2, n_train // 2)``.

    100 as in the study; at most half the pixels, so that the atoms have to share
    parts rather than copy single pixels; at most half the training images, so that
    they cannot store whole images. At least 1.
    """
    return max(1, min(100, n_features // 2, n_train // 2))


def default_epochs(n_train, quick=False):
    """The training epochs of a run on the user's images.

    About 3,000 optimizer steps of 128 images (1,000 with ``quick``), that is
    ``round(384000 / n_train)`` epochs (``round(128000 / n_train)``), kept between 20
    and 300 (5 and 100). The built-in defaults follow the same rule: 20 / 5 epochs on
    the 60,000 Fashion-MNIST images, 300 / 100 on the 1,198 digits.
    """
    steps, low, high = (1000, 5, 100) if quick else (3000, 20, 300)
    return int(min(high, max(low, round(steps * 128 / n_train))))


def _check_paths(dataset, data_path, labels, image_shape):
    """The early, cheap checks of the user-data options (before anything is loaded)."""
    if data_path is None:
        for name, value in (("labels", labels), ("image_shape", image_shape)):
            if value is not None:
                raise SettingsError(f"{{{name}}} goes with {{data}} (the user's own images).",
                                    name, "data")
        return
    if dataset is not None:
        raise SettingsError("{data} and {dataset} exclude each other: name one data set.",
                            "data", "dataset")
    for name, path in (("data", data_path), ("labels", labels)):
        if path is not None and not os.path.exists(os.path.expanduser(path)):
            raise SettingsError(f"{{{name}}} {data._literal(path)}: no such file or folder.",
                                name)
    if image_shape is not None:
        sides = tuple(image_shape)
        if (len(sides) not in (2, 3) or sides.count(-1) > 1
                or any(side < 1 and side != -1 for side in sides)):
            raise SettingsError(
                "{image_shape} takes HEIGHT WIDTH [CHANNELS], positive integers (one may be "
                f"-1), got {' '.join(map(str, sides))}.", "image_shape")


def resolve_settings(dataset=None, *, quick=False, n_train=None, n_test=None,
                     n_components=None, epochs=None, device="auto", seed=0, models=None,
                     data_path=None, labels=None, image_shape=None, grey=False,
                     budget="fast", svm_protocol="linear"):
    """The settings of a run, from its choices and the data set's defaults.

    Parameters
    ----------
    dataset : {"fashion-mnist", "digits", "photo-patches"}, default=None
        None: the user's images when ``data_path`` is given; else Fashion-MNIST if
        its files are on disk (nothing is downloaded), else the digits, with a
        message saying so.
    quick : bool, default=False
        The smaller ``--quick`` budgets.
    n_train, n_test, n_components, epochs : int, default=None
        Override the defaults; the image counts are capped at the data set's splits.
    device : str, default="auto"
        Where the auto-encoders train.
    seed : int, default=0
    models : iterable of str, default=None
        The model families the run fits (None: all). The device is resolved, through
        :func:`sparse_parts.autoencoders.resolve_device`, only when an auto-encoder is
        among them: resolving it loads torch, which sparse NMF does not need.
    data_path : str, default=None
        The user's images (``--data``): a ``.npy`` / ``.npz`` file or a folder of PNG
        / JPEG images, read by :func:`sparse_parts.datasets.load_images` when the run
        starts. Excludes ``dataset``.
    labels : str, default=None
        One integer label per image (``--labels``), for the SVM accuracy.
    image_shape : tuple of (int, int) or (int, int, int), default=None
        ``(height, width[, channels])`` of the images of a ``(n, n_features)`` array.
    grey : bool, default=False
        Convert colour images (the user's, or the photo patches) to grey.
    budget : {"fast", "study"}, default="fast"
        ``"fast"``: the data set's defaults above. ``"study"``: the report's training
        (:data:`STUDY_EPOCHS` epochs, unless ``epochs`` is given, with Adadelta at
        lr = 1.0 and batches of 128: :data:`~sparse_parts.study.estimators.
        STUDY_TRAINING`), and sparse NMF fitted on the test images themselves, its
        codes those of the fit (transductive, as the report's MATLAB ``nmfsc``).
    svm_protocol : {"linear", "report", "rbf"}, default="linear"
        How the SVM accuracy is measured (:func:`sparse_parts.study.protocol.
        svm_protocol` says it in words): the report's linear SVM with a low-variance
        estimate, the report's exact procedure, or a tuned RBF SVM.

    Returns
    -------
    settings : Settings
        For the user's images, the sizes and the defaults that depend on the images
        are filled by :func:`complete_settings` once they are loaded.

    Raises
    ------
    ValueError
        A :class:`~sparse_parts.study.errors.SettingsError` naming the parameter: if
        the image counts are too small for the protocol, the device is not available,
        ``data_path`` or ``labels`` does not exist, ``image_shape`` is not two or three
        positive integers (one may be -1), ``seed`` is not in 0 to 2**32 - 1,
        ``budget`` or ``svm_protocol`` is not one of its choices, or options of the
        user's images and of a built-in data set are mixed.
    """
    _check_paths(dataset, data_path, labels, image_shape)
    for name, value, choices in (("budget", budget, BUDGETS),
                                 ("svm_protocol", svm_protocol, SVM_PROTOCOLS)):
        if value not in choices:
            raise SettingsError(f"{{{name}}} must be one of {', '.join(choices)}, got "
                                f"{data._literal(repr(value))}.", name)
    # The seed reaches numpy's RandomState, which takes only 0 to 2**32 - 1; checked
    # here so that the command says so before anything runs.
    if (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
            or not 0 <= seed < 2**32):
        raise SettingsError(f"{{seed}} must be an integer from 0 to {2**32 - 1}, "
                            f"got {data._literal(repr(seed))}.", "seed")
    if data_path is not None:
        dataset = USER_DATA
    elif dataset is None:
        if data.fashion_mnist_on_disk():
            dataset = "fashion-mnist"
        else:
            dataset = "digits"
            say("Fashion-MNIST files not found on disk (no download attempted): using the "
                "8x8 digits bundled with scikit-learn. Pass --dataset fashion-mnist to "
                "download it.")
    values = dict(_DEFAULTS[(dataset, bool(quick))])
    if budget == "study":
        values["epochs"] = STUDY_EPOCHS
    chosen = dict(n_train=n_train, n_test=n_test, n_components=n_components, epochs=epochs)
    values.update({name: value for name, value in chosen.items() if value is not None})
    if dataset != USER_DATA:
        train_size, test_size = _SPLIT_SIZES[dataset]
        values["n_train"] = min(values["n_train"], train_size)
        values["n_test"] = min(values["n_test"], test_size)
        values["svm_samples"] = min(values["svm_samples"], values["n_test"])
    # The SVM's needs on the user's images are checked class by class once the labels
    # are read (sparse_parts.study.data).
    _check_sizes(values["n_train"], values["n_test"], svm=dataset != USER_DATA)
    if set(MODELS if models is None else models) - {"nmf"}:
        from .._backend import resolve_device

        try:
            device = resolve_device(device)
        except ValueError as exc:
            raise SettingsError(f"{{device}} {device}: {data._literal(exc)}", "device") \
                from None
    user = {}
    if dataset == USER_DATA:
        user = dict(data=data_path, labels=labels,
                    data_image_shape=None if image_shape is None else tuple(image_shape))
    return Settings(dataset=dataset, svm_test_size=0.3, svm_cv=3, device=device, seed=seed,
                    quick=bool(quick), grey=bool(grey), budget=budget,
                    svm_protocol=svm_protocol, **values, **user)


def _check_sizes(n_train, n_test, svm):
    """Raise a ValueError when the image counts are too small (None: not known yet)."""
    if n_train is not None and n_train < _MIN_TRAIN:
        raise SettingsError(f"{{n_train}} must be at least {_MIN_TRAIN}, got {n_train}.",
                            "n_train")
    if svm and n_test is not None and n_test < _MIN_TEST:
        raise SettingsError(
            f"{{n_test}} must be at least {_MIN_TEST} (the SVM needs a few images of every "
            f"class in each split), got {n_test}.", "n_test")


def complete_settings(settings, n_train, n_test, image_shape):
    """``settings`` with the sizes of the loaded images and the defaults they decide.

    Parameters
    ----------
    settings : Settings
    n_train, n_test : int
        The numbers of training and held-out test images loaded.
    image_shape : tuple of (int, int) or (int, int, int)
        ``(height, width)`` of the images, or ``(height, width, channels)``.

    Returns
    -------
    settings : Settings
        A copy. For the user's images, an ``n_components`` or ``epochs`` left to
        the default is :func:`default_n_components` / :func:`default_epochs`.

    Raises
    ------
    DataError
        If there are fewer than 10 training images (a ``ValueError``).
    """
    image_shape = tuple(int(v) for v in image_shape)
    values = dict(n_train=n_train, n_test=n_test, image_shape=image_shape,
                  svm_samples=min(settings.svm_samples, n_test))
    if settings.dataset == USER_DATA:
        if n_train < _MIN_TRAIN:
            # A DataError: the command reports it as a bad --data file, not a traceback.
            raise DataError(
                f"{data._literal(settings.data)}: {n_train} training images (two thirds of "
                f"the images) are too few; the run needs at least {_MIN_TRAIN}.")
        if settings.n_components is None:
            values["n_components"] = default_n_components(n_train, math.prod(image_shape))
        if settings.epochs is None:
            values["epochs"] = default_epochs(n_train, settings.quick)
    return replace(settings, **values)
