"""The one estimator factory of the study, and the size of a model family.

:func:`make_estimator` builds the unfitted estimator of any :class:`~sparse_parts.study.
catalog.Config` (a row of the report or a point of the grid) with a run's settings;
:func:`budget_of` says its training budget; :func:`n_parameters` counts a family's
trainable parameters from the architecture alone (no torch needed), for the reports.
"""

import copy
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._utils import conv_geometry, split_image_shape
from .catalog import AUTOENCODERS
from .peers import make_peer

__all__ = ["make_estimator", "budget_of", "CodeL1Path", "n_parameters", "STUDY_TRAINING",
           "EPOCH_FAMILIES"]

# What a family's budget counts: passes over the training images, or iterations of
# a batch solver. The run's budget for each is ``Settings.epochs`` or
# ``Settings.nmf_max_iter``, times ``Config.budget``.
EPOCH_FAMILIES = ("shallow", "asym", "sklearn-minibatch-nmf", "sklearn-minibatch-dict")

#: How the report trained its auto-encoders (Keras 2.2): Adadelta at Keras' default
#: learning rate, batches of 128 (the epochs, 500, are ``Settings.epochs`` of the
#: study budget). What ``budget="study"`` gives every auto-encoder.
STUDY_TRAINING = {"optimizer": "adadelta", "lr": 1.0, "batch_size": 128}


def budget_of(config, settings):
    """The budget of ``config`` in a run: ``(number, unit)``, e.g. ``(20, "epochs")``."""
    if config.family in EPOCH_FAMILIES:
        return max(1, round(settings.epochs * config.budget)), "epochs"
    return max(1, round(settings.nmf_max_iter * config.budget)), "iterations"


def make_estimator(config, settings):
    """The unfitted estimator of ``config`` with the run's k, budget, seed and device.

    Parameters
    ----------
    config : Config
    settings : Settings
        Its ``image_shape`` is given to every estimator, so that non-square images
        reach the convolutions, the morphology and the figures. With
        ``settings.budget == "study"`` the auto-encoders train as the report did
        (:data:`STUDY_TRAINING`, unless the configuration sets its own optimizer or
        learning rate).

    Returns
    -------
    estimator : SparseNMF, SparseNonNegAutoEncoder, AsymmetricAutoEncoder or PeerAdapter
    """
    budget, _ = budget_of(config, settings)
    if config.family == "nmf":
        from ..nmf import SparseNMF

        return SparseNMF(settings.n_components, max_iter=budget, random_state=settings.seed,
                         image_shape=settings.image_shape, **config.params)
    if config.family in AUTOENCODERS:
        # Only an auto-encoder configuration loads torch.
        from ..autoencoders import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

        cls = SparseNonNegAutoEncoder if config.family == "shallow" else AsymmetricAutoEncoder
        training = STUDY_TRAINING if settings.budget == "study" else {}
        return cls(settings.n_components, max_epochs=budget, device=settings.device,
                   image_shape=settings.image_shape, random_state=settings.seed,
                   **{**training, **config.params})
    return make_peer(config.family, config.params, settings.n_components, budget,
                     settings.seed, image_shape=settings.image_shape)


def n_parameters(model, image_shape, n_components):
    """The number of trainable parameters of a model family on images of ``image_shape``.

    With ``d = height * width * channels`` values and ``k = n_components``:

    - ``"nmf"``: the atoms, ``k * d`` (the codes are computed per image, not learnt);
    - ``"shallow"``: a dense encoder ``d * k + k`` and the decoder of atoms and bias,
      ``k * d + d``;
    - ``"asym"``: the InfoGAN encoder, conv 64 (kernel ``kh x kw`` over the
      ``channels``, with bias),
      conv 128 (``kh2 x kw2``, no bias) with BatchNorm (256), a dense layer of 1024
      units on the ``128 * h2 * w2`` features left by the two convolutions (no bias)
      with BatchNorm (2048), and the code layer ``1024 * k + k``; then the decoder
      ``k * d + d``. The dense layer grows with the image area: about
      ``128 * d / 16 * 1024`` weights.

    Parameters
    ----------
    model : {"nmf", "shallow", "asym"}
    image_shape : tuple of (int, int) or (int, int, int)
    n_components : int

    Returns
    -------
    count : int
    """
    height, width, channels = split_image_shape(image_shape)
    d, k = height * width * channels, int(n_components)
    if model == "nmf":
        return k * d
    decoder = k * d + d
    if model == "shallow":
        return d * k + k + decoder
    (kh, h1), (kw, w1) = conv_geometry(height), conv_geometry(width)
    (kh2, h2), (kw2, w2) = conv_geometry(h1), conv_geometry(w1)
    encoder = (64 * channels * kh * kw + 64  # conv1 with bias
               + 128 * 64 * kh2 * kw2 + 256  # conv2 without bias, its BatchNorm
               + 128 * h2 * w2 * 1024 + 2048  # dense without bias, its BatchNorm
               + 1024 * k + k)              # the code layer
    return encoder + decoder


class CodeL1Path(BaseEstimator):
    """SparseNMF's warm-started ``code_l1`` path as one estimator, for the model cache.

    ``fit`` runs :func:`~sparse_parts.path.sparse_nmf_path` over ``code_l1s`` and keeps
    the result in ``path_``; its parameters, hashed by the cache, are all that makes it.
    Without ``refine`` the points are not measured (the study measures every model as
    any other). With ``refine`` they are measured on ``refine_sample`` training images
    drawn once with ``random_state``, only to decide where the refinement inserts its
    points (the widest gaps of the path's front); the study then measures every point,
    the inserted ones too, on its held-out images.

    Parameters
    ----------
    code_l1s : sequence of float, default=()
        The strengths of the sweep.
    n_components : int, default=None
    max_iter : int, default=200
        Of the first, cold, point.
    path_max_iter : int, default=25
        Of every warm-started point, the inserted ones too.
    refine : int, default=0
        The most points the refinement inserts (``sparse_nmf_path``'s ``refine``);
        0 fits the sweep alone, unmeasured.
    refine_gap : float, default=0.05
        ``sparse_nmf_path``'s ``refine_gap``.
    refine_sample : int, default=2000
        The most training images the points are measured on when refining: a fixed
        random subset, so that the measurements stay cheap on 60,000 images.
    random_state : int, RandomState or None, default=None
        Of the fits, and of the subset's draw.
    image_shape : tuple, default=None
    """

    def __init__(self, code_l1s=(), n_components=None, *, max_iter=200, path_max_iter=25,
                 refine=0, refine_gap=0.05, refine_sample=2000, random_state=None,
                 image_shape=None):
        self.code_l1s = code_l1s
        self.n_components = n_components
        self.max_iter = max_iter
        self.path_max_iter = path_max_iter
        self.refine = refine
        self.refine_gap = refine_gap
        self.refine_sample = refine_sample
        self.random_state = random_state
        self.image_shape = image_shape

    def fit(self, X, y=None):
        """Fit the path on ``X``; return self.

        Raises
        ------
        ValueError
            For a ``refine_sample`` that is not a positive integer, or a parameter
            :func:`~sparse_parts.path.sparse_nmf_path` refuses (``refine``,
            ``refine_gap``...).
        """
        from ..path import sparse_nmf_path

        sample = self.refine_sample
        if isinstance(sample, bool) or not isinstance(sample, Integral) or sample < 1:
            raise ValueError(f"refine_sample must be a positive integer (the most training "
                             f"images the refined path is measured on), got {sample!r}.")
        refine = self.refine
        # refine=0 is the unmeasured sweep as before; anything else sparse_nmf_path checks
        # (False too, which it refuses as a bool).
        measure = not (isinstance(refine, Integral) and refine == 0)
        X_measured = None
        if measure and len(X) > sample:
            # A copy of the random state, so that drawing the subset leaves the fits'
            # randomness as it is without refinement.
            rng = check_random_state(copy.deepcopy(self.random_state))
            X_measured = X[np.sort(rng.choice(len(X), sample, replace=False))]
        self.path_ = sparse_nmf_path(
            X, list(self.code_l1s), n_components=self.n_components, max_iter=self.max_iter,
            path_max_iter=self.path_max_iter, refine=refine, refine_gap=self.refine_gap,
            random_state=self.random_state, image_shape=self.image_shape, measure=measure,
            X_test=X_measured)
        return self
