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

Any fitted estimator of this package works here, alone or as the last step of a
fitted :class:`~sklearn.pipeline.Pipeline`; the contract is ``components_``,
``transform``, ``image_shape_`` and the public decoding hook ``decode(codes,
components)`` (``codes @ components`` for NMF, the decoder's activation on top of
it for the auto-encoders, whose bias is not dilated). In a pipeline, ``X`` first
goes through the earlier steps (``pipeline[:-1].transform(X)``) and every metric is
computed on what the decomposition saw: the reconstruction is compared with the
transformed ``X``, and the max-approximation with the operated transformed ``X``
(e.g. the dilation of the min-max scaled images), not with the raw input.

The scorers follow scikit-learn's signature ``scorer(estimator, X, y=None)`` and
"greater is better", so they plug into ``GridSearchCV(scoring=...)``, pipelines
included.
"""

import numpy as np

from ._decomposition import _as_2d, _decomposition_and_input, _image_shape
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

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts.metrics import reconstruction_error
    >>> reconstruction_error(np.array([[0.0, 1.0], [2.0, 2.0]]),
    ...                      np.array([[0.0, 2.0], [2.0, 2.0]]))
    0.25
    """
    X = _as_2d(X, "X", "reconstruction_error", images=True)
    X_reconstructed = _as_2d(X_reconstructed, "X_reconstructed", "reconstruction_error",
                             images=True)
    if X.shape != X_reconstructed.shape:
        raise ValueError(
            f"X has shape {X.shape} but X_reconstructed has shape {X_reconstructed.shape}; "
            "pass the reconstructions of exactly the images in X."
        )
    diff = X.astype(np.float64) - X_reconstructed
    return float(np.mean(diff * diff))


def hoyer_sparsity(codes, components=None):
    """Mean Hoyer (2004) sparseness of the code vectors, one per sample.

    The sparseness of a code depends on the scale of each atom: multiplying atom
    ``j`` by ``a`` and dividing code entry ``j`` by ``a`` leaves every image and every
    dilated atom's contribution as it was, yet changes the code. With ``components``
    the codes are first those of the same decomposition with unit-L2-norm atoms
    (``codes * ||atom_j||``), which makes decompositions with different atom scales
    comparable (``SparseNMF``'s atoms already have unit norm).

    Parameters
    ----------
    codes : array-like of shape (n_samples, n_components)
        Codes, e.g. ``estimator.transform(X)``.
    components : array-like of shape (n_components, n_features), default=None
        The atoms, e.g. ``estimator.components_``: measure the codes of unit-norm atoms.

    Returns
    -------
    sparsity : float
        Mean over samples of
        :math:`s(h) = (\\sqrt{k} - \\|h\\|_1 / \\|h\\|_2) / (\\sqrt{k} - 1)`, in [0, 1];
        an all-zero code counts as 0. Codes must be finite.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts.metrics import hoyer_sparsity
    >>> hoyer_sparsity(np.array([[0.0, 0.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]]))
    0.5
    """
    codes = _as_2d(codes, "codes", "hoyer_sparsity")
    if components is not None:
        components = _as_2d(components, "components", "hoyer_sparsity")
        if components.shape[0] != codes.shape[1]:
            raise ValueError(
                f"hoyer_sparsity: {components.shape[0]} atoms in components but codes of "
                f"{codes.shape[1]} entries; pass the atoms the codes are for.")
        codes = codes * np.linalg.norm(components, axis=1)
    return float(np.mean(hoyer_sparseness(codes, axis=1)))


def _max_approximation(decomposition, codes, operator, radius, footprint):
    """The codes decoded with the operated atoms of ``decomposition``."""
    operated_atoms = apply_operator(
        np.asarray(decomposition.components_), operator, radius, footprint=footprint,
        image_shape=_image_shape(decomposition),
    )
    return np.asarray(decomposition.decode(codes, operated_atoms))


def max_approximation(estimator, X, *, operator="dilation", radius=1, footprint=None,
                      codes=None):
    """Max-approximation of a morphological operator by a fitted decomposition.

    The operator :math:`\\delta` is applied to every atom image; the codes of ``X``
    then decode the operated atoms: :math:`h_\\delta(x) = g_\\delta(f(x))`.

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
        Needs ``components_``, ``transform``, ``image_shape_`` and ``decode``. For a
        pipeline these are its last step's, and ``X`` goes through the earlier steps
        first.
    X : array-like of shape (n_samples, n_features)
        Images whose operated versions are approximated.
    operator : {"dilation", "erosion", "opening", "closing"} or callable, default="dilation"
        The operator; a callable maps an image stack (n, h, w), or (n, h, w, c) for
        colour images, to a stack of the same shape. Colour images are operated on
        channel by channel (see :mod:`sparse_parts.morphology`).
    radius : int, default=1
        Radius of the disk footprint.
    footprint : ndarray of shape (k, l), default=None
        Footprint, overriding ``radius``.
    codes : ndarray of shape (n_samples, n_components), default=None
        Codes of ``X`` if already computed (saves a ``transform``); for a pipeline, the
        last step's codes of the transformed ``X``.

    Returns
    -------
    approximation : ndarray of shape (n_samples, n_features)
        In the space the decomposition works in (after a pipeline's earlier steps).

    Raises
    ------
    ValueError
        If the estimator (or the pipeline's last step) is not a fitted decomposition,
        if ``X`` does not match its atoms, or if ``codes`` is not of shape
        ``(n_samples, n_components)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.metrics import max_approximation
    >>> X = np.random.default_rng(0).random((20, 16))  # twenty 4x4 images
    >>> model = SparseNMF(n_components=3, max_iter=20, tol=1e-2, random_state=0).fit(X)
    >>> approx = max_approximation(model, X, operator="dilation", radius=1)
    >>> approx.shape
    (20, 16)
    >>> bool((approx >= model.inverse_transform(model.transform(X)) - 1e-12).all())
    True
    """
    decomposition, X, codes = _decomposition_and_input(estimator, X, codes)
    return _max_approximation(decomposition, codes, operator, radius, footprint)


def max_approximation_error(estimator, X, *, operator="dilation", radius=1, footprint=None,
                            reference="original", codes=None):
    """Mean squared error of the max-approximation of a morphological operator.

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
        For a pipeline, the decomposition is its last step and ``X`` goes through the
        earlier steps first: the max-approximation is compared with the operated
        *input of the last step* (what the decomposition saw, e.g. the scaled images).
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

    Raises
    ------
    ValueError
        As :func:`max_approximation`, and for an unknown ``reference``.

    Examples
    --------
    Single-pixel atoms far apart: dilation of their sums is the sum of their
    dilations, so the max-approximation is exact.

    >>> import numpy as np
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.metrics import max_approximation_error
    >>> atoms = np.zeros((2, 5, 5))
    >>> atoms[0, 1, 1] = atoms[1, 3, 3] = 1.0
    >>> atoms = atoms.reshape(2, 25)
    >>> X = np.array([[1.0, 0.5], [0.2, 2.0]]) @ atoms
    >>> model = SparseNMF(n_components=2, max_iter=200, tol=1e-10, random_state=0).fit(X)
    >>> round(max_approximation_error(model, X), 6)
    0.0
    >>> round(max_approximation_error(model, X, operator="erosion", radius=1), 6)
    0.0
    """
    if reference not in _REFERENCES:
        raise ValueError(f"reference must be one of {_REFERENCES}, got {reference!r}.")
    decomposition, X, codes = _decomposition_and_input(estimator, X, codes)
    approx = _max_approximation(decomposition, codes, operator, radius, footprint)
    target = X if reference == "original" else decomposition.decode(
        codes, decomposition.components_)
    operated = apply_operator(np.asarray(target), operator, radius, footprint=footprint,
                              image_shape=_image_shape(decomposition))
    return reconstruction_error(operated, approx)


def reconstruction_scorer(estimator, X, y=None):
    """Scorer: minus the reconstruction MSE of ``X`` (greater is better).

    ``y`` is ignored; present for scikit-learn's scorer signature. For a pipeline
    the reconstruction is compared with the input of its last step.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.metrics import reconstruction_scorer
    >>> X = np.random.default_rng(0).random((20, 16))
    >>> model = SparseNMF(n_components=3, max_iter=20, tol=1e-2, random_state=0).fit(X)
    >>> bool(np.isclose(reconstruction_scorer(model, X), model.score(X)))
    True
    """
    decomposition, X, codes = _decomposition_and_input(estimator, X)
    return -reconstruction_error(X, decomposition.decode(codes, decomposition.components_))


def sparsity_scorer(estimator, X, y=None):
    """Scorer: mean Hoyer sparseness of the codes of ``X`` (greater is sparser).

    ``y`` is ignored; present for scikit-learn's scorer signature.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.metrics import hoyer_sparsity, sparsity_scorer
    >>> X = np.random.default_rng(0).random((20, 16))
    >>> model = SparseNMF(n_components=3, max_iter=20, tol=1e-2, random_state=0).fit(X)
    >>> sparsity_scorer(model, X) == hoyer_sparsity(model.transform(X))
    True
    """
    return hoyer_sparsity(_decomposition_and_input(estimator, X)[2])


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
        footprint = "" if self.footprint is None else (
            f", footprint=<array of shape {np.shape(self.footprint)}>")
        return (f"make_max_approximation_scorer(operator={self.operator!r}, "
                f"radius={self.radius!r}{footprint}, reference={self.reference!r})")


def make_max_approximation_scorer(operator="dilation", radius=1, *, footprint=None,
                                  reference="original"):
    """Make a scorer returning minus the max-approximation error (greater is better).

    Parameters are those of :func:`max_approximation_error`; they are checked here,
    so a typo fails when the scorer is made, not in the middle of a grid search.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``; picklable. It accepts a fitted estimator
        of this package or a fitted Pipeline ending in one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.metrics import make_max_approximation_scorer
    >>> X = np.random.default_rng(0).random((20, 16))
    >>> opening_2 = make_max_approximation_scorer("opening", radius=2)
    >>> opening_2
    make_max_approximation_scorer(operator='opening', radius=2, reference='original')
    >>> search = GridSearchCV(SparseNMF(max_iter=20, tol=1e-2, random_state=0),
    ...                       {"n_components": [2, 4]}, scoring=opening_2, cv=2).fit(X)
    >>> sorted(search.best_params_)
    ['n_components']
    """
    if reference not in _REFERENCES:
        raise ValueError(f"reference must be one of {_REFERENCES}, got {reference!r}.")
    apply_operator(np.zeros((1, 9)), operator, radius, footprint=footprint, image_shape=(3, 3))
    return _MaxApproximationScorer(operator, radius, footprint, reference)


#: Minus the max-approximation error to dilation by a disk of radius 1 (the study's).
max_approximation_scorer = make_max_approximation_scorer()
