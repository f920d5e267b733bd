"""SparseNonNegAutoEncoder: the study's shallow sparse non-negative auto-encoder."""

from . import _docs
from ._base import BaseAutoEncoder
from .modules import DenseEncoder

__all__ = ["SparseNonNegAutoEncoder"]


class SparseNonNegAutoEncoder(BaseAutoEncoder):
    _needs_image_shape = False  # a dense encoder: the shape is only kept for the metrics

    def _build_encoder(self, n_features, image_shape):
        return DenseEncoder(n_features, int(self.n_components))


SparseNonNegAutoEncoder.__doc__ = (
    """Shallow sparse non-negative auto-encoder: one dense encoder layer, atoms as decoder.

    The encoder is one dense layer followed by the sigmoid,
    :math:`H = \\sigma(X W_e + b_e)` (section 3 of the reference study).
"""
    + _docs.LOSS
    + """
    Parameters
    ----------"""
    + _docs.PARAMETERS
    + """
    Attributes
    ----------"""
    + _docs.ATTRIBUTES
    + """
    See Also
    --------
    AsymmetricAutoEncoder : The same model with the deeper InfoGAN encoder.
    sparse_parts.SparseNMF : Hoyer's sparse NMF.

    Notes
    -----"""
    + _docs.NOTES
    + """
    References
    ----------"""
    + _docs.REFERENCES
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts import SparseNonNegAutoEncoder
    >>> X = np.random.RandomState(0).rand(200, 64).astype(np.float32)
    >>> ae = SparseNonNegAutoEncoder(n_components=10, max_epochs=2, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape, ae.components_.shape, ae.image_shape_
    ((200, 10), (10, 64), (8, 8))
    >>> bool((ae.components_ >= 0).all() and (codes >= 0).all() and (codes <= 1).all())
    True
"""
)
