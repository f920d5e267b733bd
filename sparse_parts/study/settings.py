"""The settings of a study run: the data set, its sizes, the training and SVM budgets.

:class:`Settings` holds everything the fitted models and the measured numbers depend
on; :func:`resolve_settings` fills it from the few choices of a run and the defaults
of each data set.
"""

from dataclasses import dataclass

from . import data
from ._console import say
from .rows import MODELS

__all__ = ["Settings", "DATASETS", "resolve_settings"]

#: The data sets a run can use.
DATASETS = ("fashion-mnist", "digits")


@dataclass
class Settings:
    """Everything the models and the numbers of a run depend on.

    ``n_train`` and ``n_test`` are the numbers of training and held-out test images,
    ``epochs`` the auto-encoders' training epochs, ``nmf_max_iter`` SparseNMF's
    iteration budget; the ``svm_*`` fields are the SVM protocol
    (:func:`sparse_parts.study.protocol.svm_protocol`). ``device`` is where the
    auto-encoders train.
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


# (dataset, quick) -> defaults. The study does not say how long it trained. At a fixed
# beta the codes grow less sparse as training goes on (H100 sweep, benchmarks/README.md:
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
}

# The sizes of the training and test splits of each data set.
_SPLIT_SIZES = {"fashion-mnist": (60000, 10000), "digits": (1198, 599)}


def resolve_settings(dataset=None, *, quick=False, n_train=None, n_test=None,
                     n_components=None, epochs=None, device="auto", seed=0, models=None):
    """The settings of a run, from its choices and the data set's defaults.

    Parameters
    ----------
    dataset : {"fashion-mnist", "digits"}, default=None
        None: Fashion-MNIST if its files are on disk (nothing is downloaded), else the
        digits, with a message saying so.
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

    Returns
    -------
    settings : Settings

    Raises
    ------
    ValueError
        If the image counts are too small for the protocol, or the device is not
        available.
    """
    if dataset is None:
        if data.fashion_mnist_on_disk():
            dataset = "fashion-mnist"
        else:
            dataset = "digits"
            say("Fashion-MNIST files not found on disk (no download attempted): using the "
                "8x8 digits bundled with scikit-learn. Pass --dataset fashion-mnist to "
                "download it.")
    values = dict(_DEFAULTS[(dataset, bool(quick))])
    chosen = dict(n_train=n_train, n_test=n_test, n_components=n_components, epochs=epochs)
    values.update({name: value for name, value in chosen.items() if value is not None})
    train_size, test_size = _SPLIT_SIZES[dataset]
    values["n_train"] = min(values["n_train"], train_size)
    values["n_test"] = min(values["n_test"], test_size)
    if values["n_train"] < 10:
        raise ValueError(f"--n-train must be at least 10, got {values['n_train']}.")
    if values["n_test"] < 50:
        raise ValueError(
            f"--n-test must be at least 50 (the SVM needs a few images of every class in "
            f"each split), got {values['n_test']}.")
    if set(MODELS if models is None else models) - {"nmf"}:
        from ..autoencoders import resolve_device

        try:
            device = resolve_device(device)
        except ValueError as exc:
            raise ValueError(f"--device {device}: {exc}") from None
    values["svm_samples"] = min(values["svm_samples"], values["n_test"])
    return Settings(dataset=dataset, svm_test_size=0.3, svm_cv=3, device=device, seed=seed,
                    **values)
