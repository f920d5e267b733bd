"""What every part-based estimator of the package shares, written once.

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
"""

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

from ._utils import check_codes

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
