"""Presets: configurations of the estimators chosen on the measured front.

``sparse-parts front`` fits a grid of configurations of every family on Fashion-MNIST
and measures each on the held-out test images (reconstruction MSE, Hoyer sparsity of
the codes, max-approximation error to dilation, SVM accuracy, encoding time). A
preset is one point of that grid, named for what it is good at: :func:`make_preset`
returns its estimator, unfitted, for any number of atoms and any images. Each
preset's ``front_config`` names its row in the front's report
(``benchmarks/results/front_fashion_mnist.md``); the user guide lists their numbers.

The parameters are the estimators' own: a preset is a starting point, and any of
them can be overridden (``make_preset("morphological", 50, max_iter=400)``).

Carrying a preset over to other images: ``make_preset(name, k, X=X)`` adapts what
depends on the data to ``X``, from the reference the preset was tuned on (the 60,000
Fashion-MNIST training images):

- the auto-encoder's training budget is a number of optimiser steps, not of epochs:
  40 epochs of 60,000 images are 18,760 steps of 128 images, so 1,000 images get
  2,345 epochs (:func:`preset_epochs`), where 40 epochs left the model underfitting;
- the L1 strengths are relative to the data: SparseNMF's ``code_l1`` as a fraction of
  the top of the data's default path grid (:func:`sparse_parts.path.default_code_l1s`,
  half the median cosine between an image and the mean image), the auto-encoder's
  ``sparsity_weight`` times the ratio of the data's root-mean-square pixel to the
  reference's (its L1 penalty is on codes that scale with the pixels, the MSE
  gradient too). On Fashion-MNIST both give the tuned values back.
"""

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Preset", "PRESETS", "make_preset", "preset_epochs"]

#: The images the presets were tuned on: the 60,000 Fashion-MNIST training images,
#: pixels in [0, 1]. ``code_l1_top`` is ``default_code_l1s(X)[-1]`` of them, ``rms``
#: their root-mean-square pixel.
REFERENCE = {"n_samples": 60000, "code_l1_top": 0.39437612, "rms": 0.45436257}


@dataclass(frozen=True)
class Preset:
    """One named configuration.

    Parameters
    ----------
    estimator : str
        The name of the estimator class in :mod:`sparse_parts`.
    params : dict
        Its parameters, beside ``n_components``.
    summary : str
        What the configuration is good at, in one line.
    front_config : str
        ``family/config`` of the grid point of ``sparse-parts front`` it is.
    """

    estimator: str
    params: dict = field(default_factory=dict)
    summary: str = ""
    front_config: str = ""


#: The presets, by name.
PRESETS = {
    "morphological": Preset(
        "SparseNMF", {"code_l1": 0.03},
        "the lowest max-approximation error to dilation, with very sparse codes (an "
        "atom enters a code only if its cosine with the image exceeds 0.03)",
        "nmf/code-l1-0.03"),
    "balanced": Preset(
        "SparseNMF", {"code_l1": 0.02},
        "sparse codes and a low max-approximation error at a moderate reconstruction "
        "error",
        "nmf/code-l1-0.02"),
    "online": Preset(
        "SparseNonNegAutoEncoder",
        {"code_activation": "relu", "sparsity_penalty": "l1", "sparsity_weight": 0.0007,
         "unit_atoms": True, "encoder_iterations": 3, "lr": 3e-4, "max_epochs": 40,
         "decoder_bias": False, "decoder_activation": "identity"},
        "an auto-encoder: a new image is encoded by one matrix product and 3 learned "
        "refinement steps, no solver; ReLU codes under an L1 penalty with unit-norm "
        "atoms and no decoder bias are lasso-like, sparse and part-based",
        "shallow/relu-l1-beta0.0007-unit-atoms-3-iterations-no-bias-lr0.0003-x2"),
}


def preset_epochs(name, n_samples):
    """The epochs of an auto-encoder preset on ``n_samples`` images: its budget in steps.

    The preset's ``max_epochs`` were tuned on :data:`REFERENCE`'s 60,000 images; the
    same number of optimiser steps (batches) on ``n_samples`` images is
    ``ceil(steps / ceil(n_samples / batch_size))`` epochs, at least 1.

    Parameters
    ----------
    name : str
        An auto-encoder preset.
    n_samples : int
        Number of training images.

    Returns
    -------
    max_epochs : int

    Examples
    --------
    >>> from sparse_parts.presets import preset_epochs
    >>> preset_epochs("online", 60000), preset_epochs("online", 1000)
    (40, 2345)
    """
    preset = _preset(name)
    if "max_epochs" not in preset.params:
        raise ValueError(f"preset {name!r} ({preset.estimator}) has no epoch budget.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer) \
            or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    batch = preset.params.get("batch_size", 128)
    steps = preset.params["max_epochs"] * math.ceil(REFERENCE["n_samples"] / batch)
    return max(1, math.ceil(steps / math.ceil(int(n_samples) / batch)))


def _preset(name):
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}.")
    return PRESETS[name]


def _carried_over(name, X):
    """The preset's data-dependent parameters, adapted to the images ``X``."""
    from ._utils import check_image_array

    X = check_image_array(X, "make_preset")
    preset = PRESETS[name]
    params = {}
    if "code_l1" in preset.params:
        from .path import default_code_l1s

        top = default_code_l1s(X, 1)[0]
        params["code_l1"] = preset.params["code_l1"] * top / REFERENCE["code_l1_top"]
    if "sparsity_weight" in preset.params:
        rms = float(np.sqrt(np.mean(np.square(X, dtype=np.float64))))
        params["sparsity_weight"] = preset.params["sparsity_weight"] * rms / REFERENCE["rms"]
    if "max_epochs" in preset.params:
        params["max_epochs"] = preset_epochs(name, X.shape[0])
    return params


def make_preset(name, n_components=100, *, X=None, **params):
    """The unfitted estimator of a preset.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.
    n_components : int, default=100
        The number of atoms (the presets were measured with 100 on 28 x 28 images).
    X : array-like of shape (n_samples, n_features), default=None
        The images the estimator will be fitted on: the budget and the L1 strengths
        are carried over to them (see the module docstring). None: the values tuned
        on Fashion-MNIST.
    **params
        Parameters of the estimator that replace or add to the preset's (and to
        those carried over).

    Returns
    -------
    estimator : SparseNMF, SparseNonNegAutoEncoder or AsymmetricAutoEncoder

    Raises
    ------
    ValueError
        If ``name`` is not a preset or a parameter is not one of the estimator's, or
        ``X`` is not an array of non-negative images.

    Examples
    --------
    >>> from sparse_parts.presets import make_preset
    >>> make_preset("morphological", 36, max_iter=50)
    SparseNMF(code_l1=0.03, max_iter=50, n_components=36)

    Carried over to 1,000 images: the same number of optimiser steps as 40 epochs of
    60,000.

    >>> import numpy as np
    >>> X = np.random.default_rng(0).random((1000, 64))
    >>> make_preset("online", 16, X=X).max_epochs
    2345
    """
    preset = _preset(name)
    import sparse_parts

    cls = getattr(sparse_parts, preset.estimator)
    unknown = sorted(set(params) - set(cls().get_params()))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not parameter(s) of {preset.estimator}; "
                         f"see help(sparse_parts.{preset.estimator}).")
    carried = {} if X is None else _carried_over(name, X)
    return cls(n_components=n_components, **{**preset.params, **carried, **params})
