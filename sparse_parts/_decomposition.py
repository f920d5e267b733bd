"""The decomposition contract, written once: what every part-based estimator of the
package shares, and how the metrics, the plots and the study's peers find it.

An estimator here maps images to non-negative codes (``transform``) and codes back
to images through its atoms ``components_`` (``decode``). The public decoding hook
:meth:`PartBasedMixin.decode` takes the atoms as an argument, so the metrics can
decode with *operated* atoms (the max-approximation of a morphological operator)
without knowing how an estimator decodes. ``inverse_transform`` and ``score`` are
built on it.

A subclass provides:

- ``_validated_codes(X)``: ``(X, codes)``, the input validated once (as
  ``transform`` does) and its codes;
- ``_decode(codes, components)``: images from validated codes and atoms, in numpy;
- ``_code_bounds``: the closed interval the codes live in (``None``: unbounded);
- ``_count_name``: how an error names the number of atoms.

The metrics (:mod:`sparse_parts.metrics`), the figures (:mod:`sparse_parts.plotting`)
and the study find a decomposition, alone or as the last step of a fitted Pipeline,
its input and its image shape through :func:`_find_decomposition`,
:func:`_decomposition_and_input` and :func:`_image_shape`.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, check_is_fitted

from ._utils import check_codes, check_image_stack, require_finite

__all__ = ["PartBasedMixin"]


class PartBasedMixin:
    """Mixin of the part-based estimators: ``decode``, ``inverse_transform``, ``score``."""

    _code_bounds = (0.0, None)
    _count_name = "n_components"

    def decode(self, codes, components=None):
        """Images from codes, with the fitted atoms or with atoms given here.

        The decoding hook of :mod:`sparse_parts.metrics`: the max-approximation of a
        morphological operator passes the operated (e.g. dilated) atoms as
        ``components``. For the auto-encoders the decoder's bias and activation are
        applied as in training; the bias is never operated.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`.
        components : array-like of shape (n_components, n_features), default=None
            Atoms to decode with; None means ``components_``.

        Returns
        -------
        images : ndarray of shape (n_samples, n_features)
            In the dtype of ``codes`` (float32 or float64).
        """
        check_is_fitted(self)
        low, high = self._code_bounds
        codes = check_codes(codes, self, self._count_name, low=low, high=high)
        if components is None:
            components = self.components_
        else:
            components = check_array(components, dtype=[np.float64, np.float32],
                                     input_name="components")
            if components.shape != self.components_.shape:
                raise ValueError(
                    f"components have shape {components.shape} but this "
                    f"{type(self).__name__} has atoms of shape {self.components_.shape}; "
                    "pass one (possibly operated) atom per row of components_.")
        images = self._decode(codes, components)
        return np.asarray(images).astype(codes.dtype, copy=False)

    def inverse_transform(self, X):
        """Images from codes: :meth:`decode` with the fitted atoms.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features)
        """
        return self.decode(X)

    def score(self, X, y=None):
        """Minus the mean squared reconstruction error of ``X`` (greater is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
        """
        X, codes = self._validated_codes(X)
        reconstruction = self._decode(codes, self.components_)
        return -float(np.mean((X.astype(np.float64) - reconstruction) ** 2))

    @property
    def _n_features_out(self):
        """Number of codes per sample, for ``get_feature_names_out``."""
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.positive_only = True  # the input contract: non-negative images
        return tags


# ------------------------------------------------- finding the decomposition
def _as_2d(X, name, who, *, images=False):
    """``X`` as a finite 2-D float32/float64 array, or the package's error for ``who``
    (``images``: a stack of more than two dimensions is told how to flatten it)."""
    if images:
        check_image_stack(X, who)
    X = check_array(X, dtype=[np.float64, np.float32], input_name=name,
                    ensure_all_finite=False)
    require_finite(np.isfinite(X).all(), name, who)
    return X


def _find_decomposition(estimator):
    """The fitted decomposition ``estimator`` stands for, and what comes before it.

    A fitted :class:`~sklearn.pipeline.Pipeline` (nested ones too) stands for its
    last step; any other estimator stands for itself. The decomposition must have
    ``components_``, ``transform`` and ``decode``.

    Returns
    -------
    decomposition : the fitted decomposition
    described : str
        How an error names it.
    before : list of Pipeline
        The earlier steps, outermost first: ``X`` goes through each in turn.
    """
    decomposition = estimator
    described = type(estimator).__name__
    before = []
    while isinstance(decomposition, Pipeline):
        check_is_fitted(decomposition)
        if len(decomposition) > 1:
            before.append(decomposition[:-1])
        name, decomposition = decomposition.steps[-1]
        kind = repr(decomposition) if isinstance(decomposition, str) else type(
            decomposition).__name__
        described = f"the last step of the Pipeline, {name!r} ({kind})"
    if not hasattr(decomposition, "components_"):
        if hasattr(decomposition, "fit"):
            check_is_fitted(decomposition)
        raise ValueError(
            f"{described} has no components_: these metrics measure a fitted part-based "
            "decomposition (SparseNMF, SparseNonNegAutoEncoder, AsymmetricAutoEncoder), "
            "alone or as the last step of a Pipeline.")
    for method in ("transform", "decode"):
        if not callable(getattr(decomposition, method, None)):
            raise ValueError(
                f"{described} has no {method}(): these metrics need transform(X) for the "
                "codes and decode(codes, components) to decode with operated atoms, as the "
                "estimators of this package have.")
    return decomposition, described, before


def _decomposition_and_input(estimator, X, codes=None):
    """The decomposition a metric measures, the images it sees, and their codes.

    The one place where the metrics, the scorers and the plots find what they
    measure (see :func:`_find_decomposition`); in a Pipeline, ``X`` goes through
    the earlier steps first.

    Returns
    -------
    decomposition : the fitted decomposition
    X : ndarray of shape (n_samples, n_features)
        The images as the decomposition sees them, validated.
    codes : ndarray of shape (n_samples, n_components)
        ``codes`` checked against ``X`` and the atoms, or ``decomposition.transform(X)``.
    """
    decomposition, described, before = _find_decomposition(estimator)
    for steps in before:
        X = steps.transform(X)
    X = _as_2d(X, "X", "these metrics", images=True)
    n_components, n_features = np.shape(decomposition.components_)
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features but {described} has atoms of {n_features} "
            "features; pass images like those it was fitted on.")
    if codes is None:
        codes = np.asarray(decomposition.transform(X))
        # A metric of NaN codes would be NaN, and a plot of them fail inside matplotlib.
        if not np.isfinite(codes).all():
            raise ValueError(
                f"{described} returned NaN or infinite codes for X (finite, largest "
                f"|value| {np.abs(X).max():.3g}): scale X to the range it was fitted on, "
                "e.g. [0, 1].")
        return decomposition, X, codes
    codes = _as_2d(codes, "codes", "these metrics")
    expected = (X.shape[0], n_components)
    if codes.shape != expected:
        raise ValueError(
            f"codes have shape {codes.shape} but shape {expected} was expected: one row per "
            f"image of X ({X.shape[0]}) and one column per atom ({n_components}). Pass "
            "the codes of X, decomposition.transform(X), or leave codes=None.")
    return decomposition, X, codes


def _image_shape(decomposition):
    """``(height, width)`` or ``(height, width, channels)`` of a fitted decomposition's
    atoms, for morphology and figures."""
    shape = getattr(decomposition, "image_shape_", None)
    if shape is None:
        raise ValueError(
            f"{type(decomposition).__name__} was fitted on n_features="
            f"{np.shape(decomposition.components_)[1]}, which is not a square image, without "
            "image_shape: morphology and the figures need the image shape. Refit with "
            "image_shape=(height, width), or (height, width, channels) for colour images.")
    return tuple(int(v) for v in shape)
