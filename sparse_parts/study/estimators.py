"""The estimator of each study row, unfitted, with the settings of a run, and its size.

:func:`make_estimator` builds a row's estimator; :func:`n_parameters` counts its
trainable parameters from the architecture alone (no torch needed), for the reports.
"""

from .._utils import conv_geometry, split_image_shape

__all__ = ["make_estimator", "n_parameters"]


def make_estimator(row, settings):
    """The unfitted estimator of ``row``.

    Parameters
    ----------
    row : Row
    settings : Settings
        Its ``image_shape`` is given to every estimator, so that non-square images
        reach the convolutions, the morphology and the figures.

    Returns
    -------
    estimator : SparseNMF, SparseNonNegAutoEncoder or AsymmetricAutoEncoder
        Sparse NMF with S_h = 0.6 in Hoyer's component scope, or an auto-encoder with
        the row's KL target and weight and projected non-negative atoms (neither for
        an unconstrained row).
    """
    if row.model == "nmf":
        from ..nmf import SparseNMF

        return SparseNMF(settings.n_components, code_sparseness=0.6,
                         code_sparseness_scope="component", max_iter=settings.nmf_max_iter,
                         image_shape=settings.image_shape, random_state=settings.seed)
    # Only an auto-encoder row loads torch.
    from ..autoencoders import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

    cls = SparseNonNegAutoEncoder if row.model == "shallow" else AsymmetricAutoEncoder
    if row.sparsity_target is None:
        sparsity = dict(sparsity_penalty=None, nonnegativity=None)
    else:
        sparsity = dict(sparsity_penalty="kl", sparsity_target=row.sparsity_target,
                        sparsity_weight=row.sparsity_weight, nonnegativity="projection")
    return cls(settings.n_components, **sparsity, max_epochs=settings.epochs,
               image_shape=settings.image_shape, device=settings.device,
               random_state=settings.seed)


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
