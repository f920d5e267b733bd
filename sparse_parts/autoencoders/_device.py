"""The device resolver and torch's thread limit, as the auto-encoders name them.

Both live in :mod:`sparse_parts._backend`, the package's one backend module (which
SparseNMF uses without importing this package); they are re-exported here as the
public ``sparse_parts.autoencoders.resolve_device`` and ``torch_threads``.
"""

from .._backend import resolve_device, torch_threads

__all__ = ["resolve_device", "torch_threads"]
