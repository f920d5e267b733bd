"""torch modules of the auto-encoders: encoders and the linear decoder of atoms.

Every module takes flattened images ``(batch_size, n_features)``. The auto-encoder
returns the pair ``(reconstruction, codes)``, so the loss can see the codes.
"""

import math

import torch
from torch import nn

from .._utils import conv_geometry, split_image_shape
from ..sparseness import project_sparseness_cone

__all__ = [
    "DECODER_ACTIVATIONS",
    "DenseEncoder",
    "InfoGANEncoder",
    "AtomDecoder",
    "CODE_ACTIVATIONS",
    "AutoEncoderModule",
    "keep_top_k",
    "center_pre_activations",
    "conv_geometry",
]

DECODER_ACTIVATIONS = ("leaky_relu", "sigmoid", "identity")
CODE_ACTIVATIONS = ("sigmoid", "relu")

_SLOPE = 0.1  # LeakyReLU negative slope of the InfoGAN encoder and the study's decoder


class DenseEncoder(nn.Module):
    """One dense layer ``x -> x W_e + b_e`` (pre-activations; the code activation comes after).

    Parameters
    ----------
    n_features : int
    n_components : int
    """

    def __init__(self, n_features, n_components):
        super().__init__()
        self.linear = nn.Linear(n_features, n_components)

    @property
    def output_layer(self):
        """The layer that gives the pre-activations (see :func:`center_pre_activations`)."""
        return self.linear

    def forward(self, X):
        return self.linear(X)


class InfoGANEncoder(nn.Module):
    """The recognition network of InfoGAN (Chen et al. 2016), as in the study's AsymAE.

    conv 64 4x4 stride 2 + LeakyReLU(0.1); conv 128 4x4 stride 2 + BatchNorm +
    LeakyReLU(0.1); flatten; dense 1024 + BatchNorm + LeakyReLU(0.1); dense
    ``n_components`` (pre-activations; the code activation comes after).

    Any image shape works: the convolutions pad by 1, so 28x28 gives 14x14 then 7x7
    (6272 features flattened), 8x8 gives 4x4 then 2x2, and an axis of length 1 keeps
    length 1 through a kernel shrunk to 3 (see :func:`conv_geometry`). The layers
    followed by BatchNorm have no bias (BatchNorm's shift replaces it).

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)``, or ``(height, width, channels)`` for colour or
        multichannel images flattened channels last: the first convolution then takes
        ``channels`` input channels.
    n_components : int
    channels_last : bool, default=True
        Run the convolutions in channels-last memory format (same results; on CPU
        oneDNN's channels-last backward convolution is markedly faster).
    """

    def __init__(self, image_shape, n_components, channels_last=True):
        super().__init__()
        self.channels_last = bool(channels_last)
        self.image_shape = tuple(int(v) for v in image_shape)
        height, width, channels = split_image_shape(self.image_shape)
        k1h, h1 = conv_geometry(height)
        k1w, w1 = conv_geometry(width)
        k2h, h2 = conv_geometry(h1)
        k2w, w2 = conv_geometry(w1)
        self.conv1 = nn.Conv2d(channels, 64, (k1h, k1w), stride=2, padding=1)
        self.conv2 = nn.Conv2d(64, 128, (k2h, k2w), stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(128)
        self.dense = nn.Linear(128 * h2 * w2, 1024, bias=False)
        self.bn3 = nn.BatchNorm1d(1024)
        self.code = nn.Linear(1024, n_components)
        self.act = nn.LeakyReLU(_SLOPE)
        if self.channels_last:
            self.conv1.to(memory_format=torch.channels_last)
            self.conv2.to(memory_format=torch.channels_last)

    @property
    def output_layer(self):
        """The layer that gives the pre-activations (see :func:`center_pre_activations`)."""
        return self.code

    def forward(self, X):
        height, width, channels = split_image_shape(self.image_shape)
        # Rows are channels last (N, h, w, c); torch convolves (N, c, h, w). The
        # permuted view already has the channels-last memory layout.
        out = X.reshape(X.shape[0], height, width, channels).permute(0, 3, 1, 2)
        if self.channels_last:
            out = out.contiguous(memory_format=torch.channels_last)
        out = self.act(self.conv1(out))
        out = self.act(self.bn2(self.conv2(out)))
        out = self.act(self.bn3(self.dense(out.flatten(1))))
        return self.code(out)


class AtomDecoder(nn.Module):
    """Single linear decoder ``h -> sigma_d(h W_d + b_d)`` whose rows of ``W_d`` are atoms.

    ``weight`` has shape ``(n_components, n_features)``: row ``j`` is atom image ``j``
    (the transpose of ``nn.Linear``'s layout). Non-negativity is not built in: the
    estimators enforce it by projection after every optimizer step or by the
    asymmetric weight decay.

    Parameters
    ----------
    n_components : int
    n_features : int
    activation : {"leaky_relu", "sigmoid", "identity"}, default="leaky_relu"
        :math:`\\sigma_d`; ``"leaky_relu"`` has negative slope 0.1.
    bias : bool, default=True
        Learn the bias :math:`b_d`; False keeps ``bias`` a buffer of zeros (not
        trained), so the decoder has the same form either way.
    """

    def __init__(self, n_components, n_features, activation="leaky_relu", bias=True):
        super().__init__()
        if activation not in DECODER_ACTIVATIONS:
            raise ValueError(
                f"decoder_activation must be one of {DECODER_ACTIVATIONS}, got {activation!r}."
            )
        self.activation = activation
        self.weight = nn.Parameter(torch.empty(n_components, n_features))
        bound = 1.0 / math.sqrt(n_components)
        nn.init.uniform_(self.weight, -bound, bound)
        if bias:
            self.bias = nn.Parameter(torch.empty(n_features))
            nn.init.uniform_(self.bias, -bound, bound)
        else:
            self.register_buffer("bias", torch.zeros(n_features))

    def forward(self, codes):
        return decode(codes, self.weight, self.bias, self.activation)


def center_pre_activations(encoder, X):
    """Shift the bias of ``encoder.output_layer`` so that each output has mean 0 over ``X``.

    A data-dependent initialisation for ReLU codes: on non-negative images the
    pre-activation of a randomly initialised unit has nearly the same sign on every
    image, so about half the units start negative everywhere and, with the ReLU,
    never receive a gradient. Centred, each unit starts active on part of the
    images. The encoder runs in training mode (BatchNorm normalises by the batch, as
    in training); its buffers (BatchNorm's running statistics) are left as they were.
    """
    buffers = [buffer.clone() for buffer in encoder.buffers()]
    was_training = encoder.training
    encoder.train()
    try:
        with torch.no_grad():
            encoder.output_layer.bias.sub_(encoder(X).mean(dim=0))
            for buffer, saved in zip(encoder.buffers(), buffers, strict=True):
                buffer.copy_(saved)
    finally:
        encoder.train(was_training)


def decode(codes, weight, bias, activation):
    """``sigma_d(codes @ weight + bias)`` for torch tensors."""
    out = torch.addmm(bias, codes, weight)
    if activation == "leaky_relu":
        return nn.functional.leaky_relu(out, _SLOPE)
    if activation == "sigmoid":
        return torch.sigmoid(out)
    return out


def keep_top_k(codes, k):
    """``codes`` with all but the ``k`` largest entries of each row set to 0.

    Gradients flow through the kept entries. ``k`` at least the row length keeps all.
    """
    if k >= codes.shape[1]:
        return codes
    kept = torch.topk(codes, k, dim=1).indices
    mask = torch.zeros_like(codes, dtype=torch.bool).scatter_(1, kept, True)
    return codes * mask


class AutoEncoderModule(nn.Module):
    """Encoder + code activation + :class:`AtomDecoder`; ``forward`` returns ``(X_hat, codes)``.

    The encoder's pre-activations :math:`z` become codes :math:`h = \\sigma(z)` with
    :math:`\\sigma` the sigmoid (the study's choice, codes in [0, 1]) or the ReLU (codes
    in :math:`[0, \\infty)` with exact zeros). With ``encoder_iterations`` = T > 0 the
    codes are then refined T times, :math:`h \\leftarrow \\sigma(z + h S + b_t)`, with one
    learned ``(k, k)`` matrix :math:`S` (zero at the start: training begins from the
    plain encoder) and a learned shift :math:`b_t` per step: the unrolled
    projected-gradient iterations of a non-negative lasso with learned matrices, as
    in LISTA (Gregor & LeCun 2010), for :math:`T k^2` more multiply-adds per image.

    The codes may then be constrained per sample, in training and encoding alike:
    projected onto the non-negative vectors of Hoyer sparseness ``code_projection``
    (the nearest point of that scale-free set, see
    :func:`sparse_parts.sparseness.project_sparseness_cone`; differentiable), or cut
    to their ``top_k`` largest entries.

    Parameters
    ----------
    encoder : nn.Module
        Maps ``(batch_size, n_features)`` to ``(batch_size, n_components)``
        pre-activations.
    n_components : int
    n_features : int
    decoder_activation : {"leaky_relu", "sigmoid", "identity"}
    decoder_bias : bool, default=True
    code_projection : float in (0, 1) or None, default=None
    top_k : int or None, default=None
    code_activation : {"sigmoid", "relu"}, default="sigmoid"
    encoder_iterations : int, default=0
    """

    def __init__(self, encoder, n_components, n_features, decoder_activation="leaky_relu",
                 *, decoder_bias=True, code_projection=None, top_k=None,
                 code_activation="sigmoid", encoder_iterations=0):
        super().__init__()
        if code_activation not in CODE_ACTIVATIONS:
            raise ValueError(
                f"code_activation must be one of {CODE_ACTIVATIONS}, got {code_activation!r}.")
        self.encoder = encoder
        self.decoder = AtomDecoder(n_components, n_features, decoder_activation, decoder_bias)
        self.code_projection = None if code_projection is None else float(code_projection)
        self.top_k = None if top_k is None else int(top_k)
        self.code_activation = code_activation
        self.encoder_iterations = int(encoder_iterations)
        if self.encoder_iterations:
            self.refine_weight = nn.Parameter(torch.zeros(n_components, n_components))
            self.refine_bias = nn.Parameter(torch.zeros(self.encoder_iterations, n_components))

    def _activate(self, values, inplace=False):
        if self.code_activation == "relu":
            return values.relu_() if inplace else torch.relu(values)
        return values.sigmoid_() if inplace else torch.sigmoid(values)

    def encode(self, X):
        pre = self.encoder(X)
        codes = self._activate(pre)
        for step in range(self.encoder_iterations):
            # In place on the fresh product (autograd keeps what it needs): ~15% faster.
            refined = torch.addmm(pre, codes, self.refine_weight).add_(self.refine_bias[step])
            codes = self._activate(refined, inplace=True)
        if self.code_projection is not None:
            codes = project_sparseness_cone(codes, self.code_projection)
        if self.top_k is not None:
            codes = keep_top_k(codes, self.top_k)
        return codes

    def forward(self, X):
        codes = self.encode(X)
        return self.decoder(codes), codes
