"""Sparse non-negative auto-encoders (torch + skorch) with a scikit-learn API.

:class:`SparseNonNegAutoEncoder` has a one-layer encoder, :class:`AsymmetricAutoEncoder`
the InfoGAN recognition network; both decode with a single linear layer whose
weights are the non-negative atoms.
"""

from ._device import resolve_device, torch_threads
from .asymmetric import AsymmetricAutoEncoder
from .progress import EpochProgressBar
from .shallow import SparseNonNegAutoEncoder

__all__ = ["SparseNonNegAutoEncoder", "AsymmetricAutoEncoder", "resolve_device", "torch_threads",
           "EpochProgressBar"]
