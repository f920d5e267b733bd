"""The few array operations where numpy and torch differ, for sparse NMF's kernels.

The kernels of :mod:`sparse_parts._nmf_constraints` and :mod:`sparse_parts.nmf` are
written once, on either numpy arrays or torch tensors: where the two libraries
spell an operation alike (``@``, ``.T``, indexing, ``abs``, ``**``) the kernels use
it directly, and where they do not, they call the function of this module that
dispatches on the array's type. A numpy array always takes exactly the numpy call
the kernels made before torch was supported. Torch is never imported here: a tensor
can only reach these functions when the caller has imported torch already.
"""

import contextlib

import numpy as np
from threadpoolctl import threadpool_limits

from ._projection import _torch_module

__all__ = ["as_numpy", "to_device", "resolve_torch_device"]


def resolve_torch_device(device):
    """The torch device string for ``device``, or None for numpy (``device=None``).

    Imports torch only when ``device`` is not None; a device that is not available
    (``"cuda"`` without CUDA) is a ValueError that says so.
    """
    if device is None:
        return None
    from .autoencoders._device import resolve_device
    return resolve_device(device)


def to_device(a, device):
    """Numpy ``a`` as a tensor of its dtype on ``device`` (``a`` itself if device is None)."""
    if device is None:
        return a
    import torch
    return torch.from_numpy(np.ascontiguousarray(a)).to(device)


def as_numpy(a):
    """``a`` as a C-contiguous numpy array (a tensor copied to the host)."""
    if _torch_module(a) is not None:
        a = a.detach().cpu().numpy()
    return np.ascontiguousarray(a)


def one_blas_thread(a):
    """Context limiting BLAS to one thread for numpy ``a`` (nothing for a tensor)."""
    if _torch_module(a) is not None:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def clamp0(a):
    """``max(a, 0)`` entrywise."""
    return a.clamp_min(0) if _torch_module(a) is not None else np.maximum(a, 0)


def where(condition, a, b):
    """``np.where`` on either library (``a``, ``b``: arrays of that kind or scalars)."""
    torch = _torch_module(condition)
    if torch is None:
        return np.where(condition, a, b)
    return torch.where(condition, a, b)


def fortran(a, dtype=None):
    """Numpy ``a`` as a Fortran-ordered array (the sweeps read columns); a tensor as it is."""
    if _torch_module(a) is not None:
        return a if dtype is None else a.to(dtype)
    return np.asfortranarray(a, dtype=dtype)


def contiguous(a):
    return a.contiguous() if _torch_module(a) is not None else np.ascontiguousarray(a)


def copy_columns(a):
    """A copy of ``a`` to update in place (Fortran-ordered for numpy)."""
    return a.clone() if _torch_module(a) is not None else a.copy(order="F")


def copy(a):
    return a.clone() if _torch_module(a) is not None else a.copy()


def diagonal(a):
    return a.diagonal() if _torch_module(a) is not None else np.diagonal(a)


def row_dot(P, Q):
    """``sum_j P_ij Q_ij`` for every row ``i``."""
    if _torch_module(P) is not None:
        return (P * Q).sum(dim=1)
    return np.einsum("ij,ij->i", P, Q)


def vdot(a, b):
    """``sum a * b`` as a Python float."""
    if _torch_module(a) is not None:
        return float((a * b).sum())
    return float(np.vdot(a, b))


def row_max(a):
    return a.amax(dim=1) if _torch_module(a) is not None else a.max(axis=1)


def column_norms(a):
    torch = _torch_module(a)
    return torch.linalg.vector_norm(a, dim=0) if torch else np.linalg.norm(a, axis=0)


def spectral_norm(a):
    """``||a||_2`` (the largest singular value) as a Python float."""
    torch = _torch_module(a)
    if torch is not None:
        return float(torch.linalg.matrix_norm(a, 2))
    return float(np.linalg.norm(a, 2))


def arange_like(n, a):
    """``0 .. n - 1`` as indices for ``a``'s library and device."""
    torch = _torch_module(a)
    return torch.arange(n, device=a.device) if torch else np.arange(n)


def ones_like_rows(n, a):
    """``n`` ones of ``a``'s kind (float64 for numpy, ``a``'s dtype and device for a tensor)."""
    torch = _torch_module(a)
    return torch.ones(n, dtype=a.dtype, device=a.device) if torch else np.ones(n)


def like(value, a):
    """Numpy ``value`` on ``a``'s library (and device); ``value`` itself for numpy ``a``."""
    if _torch_module(a) is None or _torch_module(value) is not None:
        return value
    return to_device(np.asarray(value, dtype=str(a.dtype).rsplit(".", 1)[-1]), a.device)
