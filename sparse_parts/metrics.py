"""Metrics of a part-based decomposition, and scikit-learn scorers built on them.

Three questions are asked of a fitted decomposition:

- how well does it reconstruct the images (:func:`reconstruction_error`);
- how sparse are the codes (:func:`hoyer_sparsity`, Hoyer 2004);
- how well does it *max-approximate* a morphological operator
  (:func:`max_approximation_error`): the operator is applied to every atom, the
  codes of the original images decode the operated atoms, and the result is
  compared with the operated images. A representation that is an additive
  combination of few, disjoint parts max-approximates dilation well, because
  dilation commutes with the supremum and, nearly, with such sums.

Any fitted estimator of this package works here; the contract is ``components_``,
``transform``, ``image_shape_`` and the public decoding hook ``decode(codes,
components)`` (``codes @ components`` for NMF, the decoder's activation on top of
it for the auto-encoders, whose bias is not dilated).

The scorers follow scikit-learn's signature ``scorer(estimator, X, y=None)`` and
"greater is better", so they plug into ``GridSearchCV(scoring=...)``.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_array

from .morphology import apply_operator
from .sparseness import hoyer_sparseness

__all__ = [
    "reconstruction_error",
    "hoyer_sparsity",
    "max_approximation",
    "max_approximation_error",
    "reconstruction_scorer",
    "sparsity_scorer",
    "max_approximation_scorer",
    "make_max_approximation_scorer",
]

_REFERENCES = ("original", "reconstruction")


def _as_2d(X, name):
    return check_array(X, dtype=[np.float64, np.float32], input_name=name)


def reconstruction_error(X, X_reconstructed):
    """Mean squared error between images and their reconstructions.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original images, flattened.
    X_reconstructed : array-like of shape (n_samples, n_features)
        Reconstructed images, e.g. ``estimator.inverse_transform(estimator.transform(X))``.

    Returns
    -------
    error : float
        :math:`\\frac{1}{m N} \\sum_i \\|x_i - \\hat x_i\\|_2^2`.
    """
    X = _as_2d(X, "X")
    X_reconstructed = _as_2d(X_reconstructed, "X_reconstructed")
    if X.shape != X_reconstructed.shape:
        raise ValueError(
            f"X has shape {X.shape} but X_reconstructed has shape {X_reconstructed.shape}; "
            "pass the reconstructions of exactly the images in X."
        )
    diff = X.astype(np.float64) - X_reconstructed
    return float(np.mean(diff * diff))


def hoyer_sparsity(codes):
    """Mean Hoyer (2004) sparseness of the code vectors, one per sample.

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_components)
        Codes, e.g. ``estimator.transform(X)``.

    Returns
    -------
    sparsity : float
        Mean over samples of
        :math:`s(h) = (\\sqrt{k} - \\|h\\|_1 / \\|h\\|_2) / (\\sqrt{k} - 1)`, in [0, 1];
        an all-zero code counts as 0.
    """
    codes = _as_2d(codes, "codes")
    return float(np.mean(hoyer_sparseness(codes.astype(np.float64), axis=1)))


def _image_shape(estimator):
    if not hasattr(estimator, "components_"):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet: fit it before "
            "computing a max-approximation.")
    shape = getattr(estimator, "image_shape_", None)
    if shape is None:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on n_features="
            f"{np.shape(estimator.components_)[1]}, which is not a square image, without "
            "image_shape: morphology needs the image shape. Refit with "
            "image_shape=(height, width).")
    return tuple(shape)


def _decode(estimator, codes, components):
    decode = getattr(estimator, "decode", None)
    if decode is None:
        return codes @ components
    return np.asarray(decode(codes, components))


def max_approximation(estimator, X, *, operator="dilation", radius=1, footprint=None,
                      codes=None):
    """Max-approximation of a morphological operator by a fitted decomposition.

    The operator :math:`\\delta` is applied to every atom image; the codes of ``X``
    then decode the operated atoms: :math:`h_\\delta(x) = g_\\delta(f(x))`.

    Parameters
    ----------
    estimator : fitted estimator of this package
        Needs ``components_``, ``transform``, ``image_shape_`` and ``decode``.
    X : array-like of shape (n_samples, n_features)
        Images whose operated versions are approximated.
    operator : {"dilation", "erosion", "opening", "closing"} or callable, default="dilation"
        The operator; a callable maps an image stack (n, h, w) to a stack of the same shape.
    radius : int, default=1
        Radius of the disk footprint.
    footprint : ndarray of shape (k, l), default=None
        Footprint, overriding ``radius``.
    codes : ndarray of shape (n_samples, n_components), default=None
        Codes of ``X`` if already computed (saves a ``transform``).

    Returns
    -------
    approximation : ndarray of shape (n_samples, n_features)
    """
    image_shape = _image_shape(estimator)
    if codes is None:
        codes = estimator.transform(X)
    operated_atoms = apply_operator(
        np.asarray(estimator.components_), operator, radius, footprint=footprint,
        image_shape=image_shape,
    )
    return _decode(estimator, codes, operated_atoms)


def max_approximation_error(estimator, X, *, operator="dilation", radius=1, footprint=None,
                            reference="original", codes=None):
    """Mean squared error of the max-approximation of a morphological operator.

    Parameters
    ----------
    estimator : fitted estimator of this package
    X : array-like of shape (n_samples, n_features)
    operator : {"dilation", "erosion", "opening", "closing"} or callable, default="dilation"
    radius : int, default=1
    footprint : ndarray, default=None
    reference : {"original", "reconstruction"}, default="original"
        Compare with the operated original images :math:`\\delta(x)` (the study's
        headline figure) or with the operated reconstructions :math:`\\delta(\\hat x)`.
    codes : ndarray of shape (n_samples, n_components), default=None
        Codes of ``X`` if already computed (saves a ``transform``).

    Returns
    -------
    error : float
        :math:`\\frac{1}{m N} \\sum_i \\|h_\\delta(x_i) - \\delta(\\cdot)\\|_2^2`.
    """
    if reference not in _REFERENCES:
        raise ValueError(f"reference must be one of {_REFERENCES}, got {reference!r}.")
    image_shape = _image_shape(estimator)
    X = _as_2d(X, "X")
    if codes is None:
        codes = estimator.transform(X)
    approx = max_approximation(estimator, X, operator=operator, radius=radius,
                               footprint=footprint, codes=codes)
    target = X if reference == "original" else _decode(estimator, codes, estimator.components_)
    operated = apply_operator(np.asarray(target), operator, radius, footprint=footprint,
                              image_shape=image_shape)
    return reconstruction_error(operated, approx)


def reconstruction_scorer(estimator, X, y=None):
    """Scorer: minus the reconstruction MSE of ``X`` (greater is better).

    ``y`` is ignored; present for scikit-learn's scorer signature.
    """
    codes = estimator.transform(X)
    return -reconstruction_error(X, estimator.inverse_transform(codes))


def sparsity_scorer(estimator, X, y=None):
    """Scorer: mean Hoyer sparseness of the codes of ``X`` (greater is sparser).

    ``y`` is ignored; present for scikit-learn's scorer signature.
    """
    return hoyer_sparsity(estimator.transform(X))


class _MaxApproximationScorer:
    """Picklable scorer (plain pickle too, for joblib and dask workers)."""

    def __init__(self, operator, radius, footprint, reference):
        self.operator = operator
        self.radius = radius
        self.footprint = footprint
        self.reference = reference

    def __call__(self, estimator, X, y=None):
        return -max_approximation_error(estimator, X, operator=self.operator,
                                        radius=self.radius, footprint=self.footprint,
                                        reference=self.reference)

    def __repr__(self):
        return (f"make_max_approximation_scorer(operator={self.operator!r}, "
                f"radius={self.radius!r}, reference={self.reference!r})")


def make_max_approximation_scorer(operator="dilation", radius=1, *, footprint=None,
                                  reference="original"):
    """Make a scorer returning minus the max-approximation error (greater is better).

    Parameters are those of :func:`max_approximation_error`; they are checked here,
    so a typo fails when the scorer is made, not in the middle of a grid search.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``.
    """
    if reference not in _REFERENCES:
        raise ValueError(f"reference must be one of {_REFERENCES}, got {reference!r}.")
    apply_operator(np.zeros((1, 9)), operator, radius, footprint=footprint, image_shape=(3, 3))
    return _MaxApproximationScorer(operator, radius, footprint, reference)


#: Minus the max-approximation error to dilation by a disk of radius 1 (the study's).
max_approximation_scorer = make_max_approximation_scorer()
