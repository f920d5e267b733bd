"""AsymmetricAutoEncoder: the study's AsymAE, an InfoGAN encoder with a linear decoder."""

from . import _docs
from ._base import BaseAutoEncoder
from .modules import InfoGANEncoder

__all__ = ["AsymmetricAutoEncoder"]


class AsymmetricAutoEncoder(BaseAutoEncoder):
    _min_batch_size = 2  # BatchNorm cannot normalise a training batch of one sample

    def _build_encoder(self, n_features, image_shape):
        return InfoGANEncoder(image_shape, int(self.n_components))


AsymmetricAutoEncoder.__doc__ = (
    """Asymmetric sparse non-negative auto-encoder: deep convolutional encoder, atoms as decoder.

    The encoder is the recognition network of InfoGAN [4]_ (section 4.1 of the
    reference study): conv 64 4x4 stride 2 + LeakyReLU(0.1); conv 128 4x4 stride 2 +
    BatchNorm + LeakyReLU(0.1); flatten; dense 1024 + BatchNorm + LeakyReLU(0.1); dense
    ``n_components`` + sigmoid. The decoder stays a single linear layer, so the
    atoms remain images.

    Convolutions pad by 1, which makes the encoder work on any image size: 28x28
    gives 7x7x128 feature maps, 8x8 gives 2x2x128; along an axis of length 1 the
    kernel shrinks to 3 (so ``image_shape=(1, n_features)`` works on non-image data).
    Colour and multichannel images, ``image_shape=(height, width, channels)`` with
    rows flattened channels last, give the first convolution ``channels`` input
    channels; the decoder returns ``height * width * channels`` values, the atoms are
    colour images.
    ``transform`` runs BatchNorm in evaluation mode (running statistics), so codes
    do not depend on the other samples of a batch.
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
    SparseNonNegAutoEncoder : The same model with a one-layer encoder.
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
    >>> from sparse_parts import AsymmetricAutoEncoder
    >>> X = np.random.RandomState(0).rand(100, 64).astype(np.float32)
    >>> ae = AsymmetricAutoEncoder(n_components=10, max_epochs=1, random_state=0)
    >>> codes = ae.fit(X).transform(X)
    >>> codes.shape, ae.components_.shape
    ((100, 10), (10, 64))
    >>> bool(np.allclose(ae.transform(X[:3]), codes[:3], atol=1e-6))
    True
"""
)
