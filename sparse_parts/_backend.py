"""The one array backend: numpy or torch, devices and thread limits.

Sparse NMF's kernels (:mod:`sparse_parts._nmf_constraints`, :mod:`sparse_parts.nmf`)
and the projection's (:mod:`sparse_parts._projection`) are written once, on either
numpy arrays or torch tensors: where the two libraries spell an operation alike
(``@``, ``.T``, indexing, ``abs``, ``**``) the kernels use it directly, and where
they do not they call this module, which dispatches on the array's type. A numpy
array always takes exactly the numpy call. The auto-encoders resolve their device
and limit torch's threads here too.

Torch is imported lazily (:func:`torch_module`): a tensor can only reach the
dispatching functions when the caller has imported torch already, and
``SparseNMF(device=None)`` never imports it. Nothing here imports skorch or
:mod:`sparse_parts.autoencoders`.
"""

import contextlib
import sys

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["NumpyOps", "TorchOps", "as_numpy", "blas_threads", "is_tensor", "namespace",
           "resolve_device", "resolve_torch_device", "to_device", "torch_module", "torch_threads"]

_ACCEPTED = "'cpu', 'cuda', 'cuda:N', 'auto' or a torch.device"


# --------------------------------------------------------------------------- libraries
def is_tensor(a):
    """Whether ``a`` is a torch tensor (never imports torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(a, torch.Tensor)


def namespace(a):
    """The library of ``a``: the torch module for a tensor, else numpy (never imports torch)."""
    return sys.modules["torch"] if is_tensor(a) else np


def torch_module():
    """The torch module, imported on first use; an ImportError that says how to get it."""
    try:
        import torch
    except ImportError as error:  # pragma: no cover - torch is a dependency
        raise ImportError("This needs PyTorch: pip install torch") from error
    return torch


# --------------------------------------------------------------------------- devices
def resolve_device(device):
    """The concrete torch device string that ``device`` names.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"auto"`` (CUDA when available, else
        the CPU), or a :class:`torch.device` of type cpu or cuda.

    Returns
    -------
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Raises
    ------
    ValueError
        If ``device`` is none of these, or names CUDA on a machine without it (or a
        CUDA device index the machine does not have).
    """
    torch = torch_module()
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, (str, torch.device)):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.")
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.") from None
    if parsed.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be {_ACCEPTED}, got {device!r}.")
    if parsed.type == "cpu":
        return "cpu"
    if not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available on this machine; pass "
            "device='cpu' or device='auto'.")
    if parsed.index is not None and parsed.index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} but this machine has {torch.cuda.device_count()} CUDA "
            "device(s); pass an index below that, or device='cuda'.")
    return str(parsed)


def resolve_torch_device(device):
    """The torch device string for ``device``, or None for numpy (``device=None``).

    Imports torch only when ``device`` is not None; a device that is not available
    (``"cuda"`` without CUDA) is a ValueError that says so.
    """
    return None if device is None else resolve_device(device)


def to_device(a, device):
    """Numpy ``a`` as a tensor of its dtype on ``device`` (``a`` itself if device is None)."""
    if device is None:
        return a
    return torch_module().from_numpy(np.ascontiguousarray(a)).to(device)


def as_numpy(a):
    """``a`` as a C-contiguous numpy array (a tensor copied to the host)."""
    if is_tensor(a):
        a = a.detach().cpu().numpy()
    return np.ascontiguousarray(a)


# --------------------------------------------------------------------------- threads
@contextlib.contextmanager
def torch_threads(n_threads):
    """Limit torch's intra-op threads to ``n_threads`` inside the block (restored after)."""
    torch = torch_module()
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


_CONTROLLER = []


def _blas_controller():
    """One threadpoolctl controller per process, made at the first use.

    ``threadpool_limits`` builds a controller on every call, reading the process's
    memory map to find the loaded libraries: 0.5 to 4 ms, and SparseNMF limits its
    sweeps and Grams to one thread several times per iteration (measured: 0.43 s of
    a 3.5 s fit, 110 calls). The BLAS that numpy's products use is loaded with numpy,
    before the first call, so the cached controller knows it.
    """
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def blas_threads(n_threads):
    """Context limiting numpy's BLAS to ``n_threads`` threads (threadpoolctl)."""
    return _blas_controller().limit(limits=int(n_threads), user_api="blas")


def one_blas_thread(a):
    """Context limiting BLAS to one thread for numpy ``a`` (nothing for a tensor)."""
    if is_tensor(a):
        return contextlib.nullcontext()
    return blas_threads(1)


# --------------------------------------------------------------------------- operations


def clamp0(a):
    """``max(a, 0)`` entrywise."""
    return a.clamp_min(0) if is_tensor(a) else np.maximum(a, 0)


def where(condition, a, b):
    """``np.where`` on either library (``a``, ``b``: arrays of that kind or scalars)."""
    return namespace(condition).where(condition, a, b)


def fortran(a, dtype=None):
    """Numpy ``a`` as a Fortran-ordered array (the sweeps read columns); a tensor as it is."""
    if is_tensor(a):
        return a if dtype is None else a.to(dtype)
    return np.asfortranarray(a, dtype=dtype)


def contiguous(a):
    return a.contiguous() if is_tensor(a) else np.ascontiguousarray(a)


def product_by_columns(a, b):
    """``a @ b``, Fortran-ordered for numpy: the sweeps read its columns (a strided
    column of a C-ordered 10,000 x 100 product touches a cache line per entry). The
    same product, ``(b^T a^T)^T``, at the same cost; a tensor product as it is."""
    if is_tensor(a):
        return a @ b
    return (b.T @ a.T).T


def copy_columns(a):
    """A copy of ``a`` to update in place (Fortran-ordered for numpy)."""
    return a.clone() if is_tensor(a) else a.copy(order="F")


def copy(a):
    return a.clone() if is_tensor(a) else a.copy()


def diagonal(a):
    return a.diagonal() if is_tensor(a) else np.diagonal(a)


def row_dot(P, Q):
    """``sum_j P_ij Q_ij`` for every row ``i``."""
    if is_tensor(P):
        return (P * Q).sum(dim=1)
    return np.einsum("ij,ij->i", P, Q)


def vdot(a, b):
    """``sum a * b`` as a Python float."""
    if is_tensor(a):
        return float((a * b).sum())
    if (getattr(a, "ndim", 0) > 1 and a.flags.f_contiguous and b.flags.f_contiguous):
        # np.vdot reads in C order: Fortran-ordered operands would be copied first.
        a, b = a.T, b.T
    return float(np.vdot(a, b))


def row_max(a):
    return a.amax(dim=1) if is_tensor(a) else a.max(axis=1)


def spectral_norm(a):
    """``||a||_2`` (the largest singular value) as a Python float."""
    if is_tensor(a):
        return float(namespace(a).linalg.matrix_norm(a, 2))
    return float(np.linalg.norm(a, 2))


def arange(n, like):
    """``0 .. n - 1`` as indices for ``like``'s library and device."""
    return namespace(like).arange(n, device=like.device) if is_tensor(like) else np.arange(n)


def ones(n, like):
    """``n`` ones of ``like``'s kind (float64 for numpy; ``like``'s dtype and device)."""
    if is_tensor(like):
        return namespace(like).ones(n, dtype=like.dtype, device=like.device)
    return np.ones(n)


def like(value, a):
    """Numpy ``value`` on ``a``'s library (and device); ``value`` itself for numpy ``a``."""
    if not is_tensor(a) or is_tensor(value):
        return value
    return to_device(np.asarray(value, dtype=str(a.dtype).rsplit(".", 1)[-1]), a.device)


# ------------------------------------------------------------------ the projection's tables
# The operations of the sort-based projection kernel (sparse_parts._projection), one
# table per library: the numpy one keeps a workspace, the torch one runs on the
# tensors' device.


class NumpyOps:
    """The array operations the projection kernel needs, for numpy float64 arrays.

    The full-size temporaries live in a workspace reused from block to block: fresh
    megabyte-sized arrays cost page faults that took as long as the arithmetic.
    """

    def __init__(self, block_rows, n_features):
        self._rows = block_rows
        self._n = n_features
        self._buffers = {}

    def _buffer(self, name, rows, width=None):
        if name not in self._buffers:
            width = self._n if width is None else width
            # Zero-filled: the tree's padding columns must read as 0.
            self._buffers[name] = np.zeros((self._rows, width))
        return self._buffers[name][:rows]

    def as_block(self, X):
        """X as a float64 C-contiguous array (a workspace copy unless it already is)."""
        if X.dtype == np.float64 and X.flags.c_contiguous:
            return X
        block = self._buffer("x", X.shape[0])
        np.copyto(block, X)
        return block

    def sorted_gaps(self, X, row_max, width):
        """``row_max - X`` sorted along the rows, zero-padded to ``width`` columns."""
        rows, n = X.shape
        padded = self._buffer("gaps", rows, width)
        gaps = np.subtract(row_max, X, out=padded[:, :n])
        gaps.sort(axis=1)
        return padded

    def block_sums(self, gaps):
        """Level j holds the sums of aligned blocks of 2**j entries, for w and w**2."""
        rows, width = gaps.shape
        squares = np.multiply(gaps, gaps, out=self._buffer("squares", rows, width))
        levels = [(gaps, squares)]
        while width > 1:
            width //= 2
            level = []
            for name, below in zip(("s1", "s2"), levels[-1], strict=True):
                out = self._buffer(f"{name}_{width}", rows, width)
                level.append(np.add(below[:, 0::2], below[:, 1::2], out=out))
            levels.append(tuple(level))
        return levels

    def shifted_relu(self, X, row_max, mean_gap, scale, offset):
        """relu((X - row_max + mean_gap) * scale + offset), in a workspace buffer."""
        out = np.subtract(X, row_max, out=self._buffer("result", X.shape[0]))
        out += mean_gap
        out *= scale
        out += offset
        return np.maximum(out, 0.0, out=out)

    @staticmethod
    def row_max(a):
        return a.max(axis=1, keepdims=True)

    @staticmethod
    def row_min(a):
        return a.min(axis=1, keepdims=True)

    @staticmethod
    def to_float(a):
        return a.astype(np.float64)

    @staticmethod
    def take(a, index):
        # Flat indexing: several times faster than np.take_along_axis on (m, 1) indices.
        m, n = a.shape
        return a.reshape(-1)[index + np.arange(0, m * n, n)[:, None]]

    where = staticmethod(np.where)
    isfinite = staticmethod(np.isfinite)
    sqrt = staticmethod(np.sqrt)
    floor = staticmethod(np.floor)
    minimum = staticmethod(np.minimum)

    @staticmethod
    def any(a):
        return bool(a.any())

    @staticmethod
    def zeros(shape, like, integer=False):
        return np.zeros(shape, dtype=np.intp if integer else np.float64)

    @staticmethod
    def tie_rank(is_max):
        return np.cumsum(is_max, axis=1)


class TorchOps:
    """The same operations for torch float64 tensors, on the tensors' device."""

    def __init__(self, torch, synchronise=True):
        self.torch = torch
        # Without synchronising, the kernel's rare-case branches (rescaled rows, tied
        # maxima) run on every row, selected by ``where``: the same result, no wait
        # for the device (see :meth:`any`).
        self.synchronise = synchronise

    def sorted_gaps(self, X, row_max, width):
        gaps = self.torch.sort(row_max - X, dim=1).values
        return self.torch.nn.functional.pad(gaps, (0, width - X.shape[1]))

    def block_sums(self, gaps):
        levels = [(gaps, gaps * gaps)]
        while levels[-1][0].shape[1] > 1:
            levels.append(tuple(a[:, 0::2] + a[:, 1::2] for a in levels[-1]))
        return levels

    def row_max(self, a):
        return a.amax(dim=1, keepdim=True)

    def row_min(self, a):
        return a.amin(dim=1, keepdim=True)

    def isfinite(self, a):
        return self.torch.isfinite(a)

    def to_float(self, a):
        return a.to(self.torch.float64)

    def shifted_relu(self, X, row_max, mean_gap, scale, offset):
        parts = (X, row_max, mean_gap, scale, offset)
        if self.torch.is_grad_enabled() and any(part.requires_grad for part in parts):
            return self.torch.relu((X - row_max + mean_gap) * scale + offset)
        # In place: on the CPU each fresh full-size tensor costs page faults.
        return (X - row_max).add_(mean_gap).mul_(scale).add_(offset).relu_()

    def take(self, a, index):
        return self.torch.gather(a, 1, index)

    def where(self, condition, a, b):
        torch = self.torch
        if not isinstance(a, torch.Tensor):
            a = torch.tensor(a, dtype=torch.float64, device=condition.device)
        if not isinstance(b, torch.Tensor):
            b = torch.tensor(b, dtype=torch.float64, device=condition.device)
        return torch.where(condition, a, b)

    def sqrt(self, a):
        return self.torch.sqrt(a)

    def floor(self, a):
        return self.torch.floor(a)

    def minimum(self, a, value):
        return self.torch.clamp_max(a, value)

    def any(self, a):
        return bool(a.any()) if self.synchronise else True

    def zeros(self, shape, like, integer=False):
        torch = self.torch
        return torch.zeros(shape, dtype=torch.int64 if integer else torch.float64,
                           device=like.device)

    def tie_rank(self, is_max):
        return self.torch.cumsum(is_max.to(self.torch.int64), dim=1)
