"""Private: the machinery under :mod:`sparse_parts.sparseness`.

The checks of their inputs that the Hoyer measure, the projections and the metrics
share (real numbers, finite values, targets given per row), and the sort-based
projection kernel, written once for numpy and torch through a small table of array
operations. The public functions, their documentation and their validation order
live in :mod:`sparse_parts.sparseness`.
"""

import math
import sys

import numpy as np

from ._utils import check_dense

# Relative slack on the feasibility checks l2 <= l1 <= sqrt(n) * l2, so that targets
# computed in floating point (e.g. sparseness 0 -> l1 = sqrt(n) * l2) are accepted.
_FEASIBILITY_RTOL = 1e-9

# Relative size of l2^2 below which the support is taken to be uniform: a few ulps,
# the rounding of l1 = sqrt(n) * l2 at sparseness 0. Moves the result by at most
# sqrt(1e-15) * l2 = 3e-8 * l2 from the projection onto the rounded target.
_UNIFORM_RTOL = 1e-15


def _torch_module(x):
    """Return the torch module if ``x`` is a torch tensor, else None (never imports torch)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        return torch
    return None


def _real_array(x, name):
    """``x`` as a numpy array of booleans, integers or floats; anything else is refused.

    A complex array would lose its imaginary part silently in a float cast, and text
    would fail with numpy's own message; an object array of numbers is converted.
    """
    check_dense(x, name)
    array = np.asarray(x)
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers (booleans, integers or floats), got an array of "
            f"dtype {array.dtype}. Convert it, e.g. with np.asarray({name}, dtype=float).")
    return array


def _require_finite(all_finite, name, who):
    """Raise the package's error for NaN or infinite input unless ``all_finite``."""
    if not all_finite:
        raise ValueError(
            f"{name} holds NaN or infinite values; {who} needs finite input. Replace or "
            "drop them first (e.g. np.nan_to_num, or remove the rows).")


# --------------------------------------------------------------------------------------
# The projection: validation
# --------------------------------------------------------------------------------------


def _to_numpy(value):
    """A torch tensor (any device) as a float64 numpy array; anything else unchanged."""
    if _torch_module(value) is not None:
        return value.detach().cpu().double().numpy()
    return value


def _per_row(value, name, n_rows):
    """``value`` as a real float64 array, checked to be a scalar or one value per row."""
    array = _real_array(_to_numpy(value), name).astype(np.float64)
    if array.ndim > 1 or (array.ndim == 1 and array.shape[0] != n_rows):
        raise ValueError(
            f"{name} must be a scalar or hold one value per row, shape ({n_rows},); "
            f"got shape {array.shape}.")
    return array


def _check_targets(l1, l2, n_rows, n_features):
    """Validate the norm targets; return them as float64 arrays of shape (n_rows,)."""
    targets = []
    for name, value in (("l1", l1), ("l2", l2)):
        array = _per_row(value, name, n_rows)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite, got {value!r}.")
        targets.append(np.broadcast_to(array, (n_rows,)))
    l1, l2 = targets
    bad = np.flatnonzero(l2 <= 0)
    if bad.size:
        raise ValueError(
            f"l2 must be positive; got l2={float(l2[bad[0]])!r} (row {bad[0]}). A non-negative "
            "vector with a prescribed L1 norm cannot have L2 norm 0 unless it is 0.")
    root_n = math.sqrt(n_features)
    ratio = l1 / l2
    bad = np.flatnonzero((ratio < 1.0 - _FEASIBILITY_RTOL)
                         | (ratio > root_n * (1.0 + _FEASIBILITY_RTOL)))
    if bad.size:
        row = bad[0]
        raise ValueError(
            f"Infeasible target in row {row}: l1={float(l1[row])!r}, l2={float(l2[row])!r} with "
            f"n_features={n_features}. A non-negative vector of length n has "
            "l2 <= l1 <= sqrt(n) * l2 (one non-zero entry to all entries equal). Pick l1 "
            "in that range, e.g. with sparseness_to_l1(n_features, sparseness, l2).")
    return l1, l2


def _as_rows(X, name="X"):
    """Return a 2-D view of ``X`` and whether it was 1-D; rejects other shapes and empty rows."""
    if X.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be a 1-D vector or a 2-D array of row vectors; got {X.ndim} "
            "dimensions. Reshape it to (n_vectors, n_features).")
    if X.shape[-1] == 0:
        raise ValueError(f"{name} has rows of length 0; the projection needs n_features >= 1.")
    return (X[None, :], True) if X.ndim == 1 else (X, False)


# --------------------------------------------------------------------------------------
# The projection: the shared kernel
# --------------------------------------------------------------------------------------


def _tree_width(n_features):
    """Smallest power of two >= n_features: the width of the block-sum tree."""
    return 1 << (n_features - 1).bit_length()


class _NumpyOps:
    """The array operations the kernel needs, for numpy float64 arrays.

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

    def sorted_gaps(self, X, row_max):
        rows, n = X.shape
        padded = self._buffer("gaps", rows, _tree_width(n))
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


class _TorchOps:
    """The same operations for torch float64 tensors, on the tensors' device."""

    def __init__(self, torch):
        self.torch = torch

    def sorted_gaps(self, X, row_max):
        gaps = self.torch.sort(row_max - X, dim=1).values
        n = X.shape[1]
        return self.torch.nn.functional.pad(gaps, (0, _tree_width(n) - n))

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
        return bool(a.any())

    def zeros(self, shape, like, integer=False):
        torch = self.torch
        return torch.zeros(shape, dtype=torch.int64 if integer else torch.float64,
                           device=like.device)

    def tie_rank(self, is_max):
        return self.torch.cumsum(is_max.to(self.torch.int64), dim=1)


def _project_kernel(ops, X, l1, l2):
    """Project every row of the float64 array ``X`` (m, n) onto {s >= 0, |s|_1 = l1, |s|_2 = l2}.

    ``l1`` and ``l2`` are float64 arrays of shape (m, 1), already checked feasible.

    The nearest point is ``s = c * relu(x - t)`` (Lagrange conditions; Thom & Palm
    2013), supported on the ``k`` largest entries. With ``w = max(x) - x`` sorted
    ascending, entry ``i`` (0-based) belongs to the support when ``relu(x - x_(i))``
    still has ``L1/L2 <= l1/l2``; that ratio grows as the threshold falls, so the
    support is a prefix of the sorted entries. The test for entry ``i`` needs only the
    sums of ``w`` and ``w**2`` over entries ``0..i``; a tree of block sums (level j:
    sums of aligned blocks of ``2**j`` entries) gives them, and ``k`` is found by a
    descent through the tree -- ceil(log2 n) vectorised steps, no data-dependent loop.
    Building the tree costs less than two cumulative sums (which numpy does one
    element at a time) and sums pairwise, so it is also more accurate.

    On the support, ``s = alpha * (x - mean) + l1 / k`` with ``alpha`` set by the L2
    norm: this meets both norms by construction, whatever the rounding in the search.

    Rows whose support is a set of tied maxima at least ``(l1/l2)^2`` in number have
    no unique nearest point: every feasible point on the tied maxima is nearest. They
    get the "staircase" ``(a, ..., a, b, 0, ...)`` on the tied entries in index order
    (see :func:`_staircase`).
    """
    m, n = X.shape
    # The feasible set scales with l2 ({l2 * u : u feasible for l1 / l2 and 1}) and the
    # projection ignores the scale of x, so the kernel works at unit L2 norm and
    # scales the result last: l2 ** 2 would overflow for l2 > 1e154 and vanish below
    # 1e-154, and the target then read as the uniform vector.
    scale, l1, l2 = l2, l1 / l2, 1.0
    row_max = ops.row_max(X)
    # The projection is invariant to a positive scaling of x. Rows spanning more than
    # 1e150 or less than 1e-150 are scaled by 2**-600 or 2**600 (exactly), so squares
    # neither overflow nor underflow (rare: a test on (m, 1) values decides).
    half_span = row_max * 0.5 - ops.row_min(X) * 0.5
    huge, tiny = half_span > 1e150, (half_span < 1e-150) & (half_span > 0)
    if ops.any(huge | tiny):
        X = X * ops.where(huge, 2.0 ** -600, ops.where(tiny, 2.0 ** 600, 1.0))
        row_max = ops.row_max(X)
    gaps = ops.sorted_gaps(X, row_max)  # w ascending, zero-padded to a power of two
    levels = ops.block_sums(gaps)
    ratio_sq = (l1 / l2) ** 2

    # Tree descent: ``count`` entries are known members, with sums ``sum1``, ``sum2``.
    count = ops.zeros((m, 1), X, integer=True)
    sum1 = ops.zeros((m, 1), X)
    sum2 = ops.zeros((m, 1), X)
    for j in reversed(range(len(levels))):
        block1, block2 = levels[j]
        candidate = count + (1 << j)
        node = ops.minimum(count >> j, block1.shape[1] - 1)
        w_last = ops.take(gaps, ops.minimum(candidate - 1, n - 1))
        cand1 = sum1 + ops.take(block1, node)
        cand2 = sum2 + ops.take(block2, node)
        # L1 and squared L2 norms of relu(x - x_last) over the candidate entries.
        l1_cand = candidate * w_last - cand1
        l2_sq_cand = cand2 - w_last * (cand1 - l1_cand)
        accept = (candidate <= n) & (l1_cand * l1_cand <= ratio_sq * l2_sq_cand)
        count = ops.where(accept, candidate, count)
        sum1 = ops.where(accept, cand1, sum1)
        sum2 = ops.where(accept, cand2, sum2)
    k = count  # >= 1: entry 0 always passes (0 <= 0)

    gap_k = ops.take(gaps, k - 1)
    k_float = ops.to_float(k)
    spread = sum2 - sum1 * sum1 / k_float  # k * variance of the support, >= 0
    budget = l2 * l2 - l1 * l1 / k_float  # what the spread must contribute to l2^2
    # A budget at rounding level means a uniform support (sparseness 0 gives exactly
    # the uniform vector, not one perturbed at 1e-8 by the rounding of sqrt(n)).
    budget = ops.where(budget > _UNIFORM_RTOL * l2 * l2, budget, 0.0)
    alpha = ops.sqrt(budget / ops.where(spread > 0, spread, 1.0))
    # Degenerate: the support's entries are all equal (tied maxima, or differences
    # below the float64 range) yet a non-uniform vector is asked for.
    degenerate = ((spread <= 0) & (budget > 0)) | ~ops.isfinite(alpha)
    alpha = ops.where(degenerate, 0.0, alpha)
    # s = relu(alpha * (x - mean) + l1 / k), with x - mean written as the difference of
    # gaps, max(x) - mean and max(x) - x: exact for near-equal entries, where the
    # mean itself cannot be represented finely enough.
    result = ops.shifted_relu(X, row_max, sum1 / k_float, alpha, l1 / k_float)

    if ops.any(degenerate):
        staircase = _staircase(ops, X, row_max, gap_k, k_float, l1, ratio_sq)
        result = ops.where(degenerate, staircase, result)
    return result * scale


def _staircase(ops, X, row_max, gap_k, k, l1, ratio_sq):
    """Feasible point on the support: ``p`` entries ``a``, one entry ``beta * a``, in index order.

    The support is the entries within ``gap_k`` of the row maximum. ``p = floor(r^2)``
    and ``beta`` in [0, 1) solves ``(p + beta)^2 = r^2 (p + beta^2)`` (so that the L1/L2
    ratio is ``r``), written without cancellation.
    """
    p = ops.floor(ratio_sq)
    p = ops.where(p > k, k, p)
    p = ops.where(p < 1, 1.0, p)
    excess = ratio_sq - p
    excess = ops.where(excess > 0, excess, 0.0)
    excess = ops.where(excess < 1, excess, 1.0)
    discriminant = p * (1.0 - excess) * (p + excess)
    beta = p * excess / (p + ops.sqrt(discriminant))
    beta = ops.where(p >= k, 0.0, beta)
    height = l1 / (p + beta)
    in_support = (row_max - X) <= gap_k
    rank = ops.tie_rank(in_support)
    return ops.where(in_support & (rank <= p), height,
                     ops.where(in_support & (rank == p + 1), beta * height, 0.0))
