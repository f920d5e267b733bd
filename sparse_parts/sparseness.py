"""Hoyer sparseness and the batched projection onto a prescribed sparseness.

The Hoyer (2004) sparseness of a vector :math:`x \\in \\mathbb{R}^n`,

.. math::

    s(x) = \\frac{\\sqrt{n} - \\|x\\|_1 / \\|x\\|_2}{\\sqrt{n} - 1},

is 0 when all entries are equal and 1 when exactly one entry is non-zero. This module
holds the measure (numpy and differentiable torch), the conversion from a sparseness
level to an L1 norm, and the exact Euclidean projection of many vectors at once onto
the non-negative vectors with prescribed L1 and L2 norms (Hoyer 2004, section 3.2),
plus its scale-free variant used by :mod:`sparse_parts.nmf`.

The projection uses the sort-based closed form (Thom & Palm 2013): the nearest point
is ``c * relu(x - t)`` for a threshold ``t`` and a scale ``c > 0``; sorting each row
and taking cumulative sums gives, for every support size, the statistics that fix
``t`` and ``c`` in closed form. Every function accepts numpy arrays and torch
tensors; torch is imported only when a tensor is handed in, so importing this module
does not load torch.
"""

import math
import sys

import numpy as np

from ._backend import NumpyOps, TorchOps, is_tensor
from ._projection import _project_kernel
from ._utils import check_int
from ._utils import real_array as _real_array
from ._utils import require_finite as _require_finite

__all__ = [
    "hoyer_sparseness",
    "sparseness_to_l1",
    "project_l1_l2",
    "project_sparseness",
    "project_sparseness_cone",
    "project_vector_warm",
]

# Relative slack on the feasibility checks l2 <= l1 <= sqrt(n) * l2, so that targets
# computed in floating point (e.g. sparseness 0 -> l1 = sqrt(n) * l2) are accepted.
_FEASIBILITY_RTOL = 1e-9

# The numpy kernel runs over blocks of about this many entries, so that its
# temporaries stay in cache (about 2 MiB of float64 per temporary).
_BLOCK_ENTRIES = 1 << 18


def _to_numpy(value):
    """A torch tensor (any device) as a float64 numpy array; anything else unchanged."""
    if is_tensor(value):
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


def _vector_length(shape, axis):
    """Length of the vectors laid along ``axis`` of an array of ``shape``, checked."""
    if not shape:
        raise ValueError("hoyer_sparseness needs at least a 1-D array; got a scalar.")
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool) or not (
            -len(shape) <= axis < len(shape)):
        raise ValueError(
            f"axis must be an integer in [{-len(shape)}, {len(shape) - 1}] for an array with "
            f"{len(shape)} dimensions, got {axis!r}.")
    n = shape[axis]
    if n == 0:
        raise ValueError(f"hoyer_sparseness needs non-empty vectors; axis {axis} has length 0.")
    return n


# --------------------------------------------------------------------------------------
# The sparseness measure
# --------------------------------------------------------------------------------------


def hoyer_sparseness(x, axis=-1):
    """Hoyer sparseness of the vectors along ``axis``.

    .. math::

        s(x) = \\frac{\\sqrt{n} - \\|x\\|_1 / \\|x\\|_2}{\\sqrt{n} - 1}

    Parameters
    ----------
    x : array-like or torch.Tensor
        The vectors, laid out along ``axis``. Negative entries count by their absolute
        value; must be finite. With a torch tensor the result is a differentiable
        tensor on the same device (usable as a training penalty); its gradient is
        finite everywhere, including at all-zero vectors.
    axis : int, default=-1
        The axis holding the ``n`` entries of each vector.

    Returns
    -------
    sparseness : ndarray of float64, numpy float64, or torch.Tensor
        One value in [0, 1] per vector: the input's shape without ``axis`` (a numpy
        scalar for a 1-D numpy input). A torch input gives a floating tensor of the
        input's dtype (the default dtype for integer tensors).

    Raises
    ------
    ValueError
        If ``x`` is a scalar, has vectors of length 0, holds anything but real
        numbers, or holds NaN or inf (numpy input). A torch tensor is not checked,
        which would make a GPU wait for the host at every training step: a vector
        holding NaN or inf gets sparseness NaN, so a penalty built on it is NaN too.

    Notes
    -----
    Conventions where the formula is 0 / 0, chosen so that the result is never NaN
    for finite input and no warning is raised:

    - the all-zero vector has sparseness 0;
    - a vector of length ``n == 1`` has sparseness 0 (it is at once "all entries
      equal" and "one non-zero entry"; 0 makes the measure constant, so it exerts no
      pull as a penalty).

    The ratio is computed after dividing each vector by its largest absolute entry,
    so tiny or huge vectors do not underflow or overflow (the measure is scale-free).
    Values carry the rounding of the two norms (about 1e-15 in float64): a constant
    vector may give 5e-16 rather than 0.

    References
    ----------
    P. O. Hoyer, "Non-negative Matrix Factorization with Sparseness Constraints",
    JMLR 5:1457-1469, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> float(hoyer_sparseness(np.array([0.0, 0.0, 3.0, 0.0])))
    1.0
    >>> float(hoyer_sparseness(np.ones(5)))
    0.0
    >>> np.round(hoyer_sparseness(np.array([[0.5, 0.5], [0.0, 2.0]]), axis=1), 12)
    array([0., 1.])
    """
    torch = sys.modules["torch"] if is_tensor(x) else None
    if torch is not None:
        return _hoyer_torch(torch, x, axis)
    x = _real_array(x, "x")
    n = _vector_length(x.shape, axis)
    magnitude = np.abs(x, dtype=np.float64)
    _require_finite(np.isfinite(magnitude).all(), "x", "hoyer_sparseness")
    largest = magnitude.max(axis=axis, keepdims=True)
    nonzero = largest > 0
    magnitude /= np.where(nonzero, largest, 1.0)
    l1 = magnitude.sum(axis=axis, keepdims=True)
    l2 = np.sqrt(np.square(magnitude).sum(axis=axis, keepdims=True))
    if n == 1:
        sparseness = np.zeros_like(l1)
    else:
        ratio = l1 / np.where(nonzero, l2, 1.0)
        sparseness = np.where(nonzero, (math.sqrt(n) - ratio) / (math.sqrt(n) - 1.0), 0.0)
        np.clip(sparseness, 0.0, 1.0, out=sparseness)
    sparseness = np.squeeze(sparseness, axis=axis)
    return sparseness[()] if sparseness.ndim == 0 else sparseness


def _hoyer_torch(torch, x, axis):
    """Differentiable torch version of :func:`hoyer_sparseness`."""
    n = _vector_length(tuple(x.shape), axis)
    if not torch.is_floating_point(x):
        x = x.to(torch.get_default_dtype())
    magnitude = x.abs()
    # The measure is scale-free, so dividing by a detached scale changes neither the
    # value nor the gradient; it only keeps the squares away from underflow.
    largest = magnitude.detach().amax(dim=axis, keepdim=True)
    nonzero = largest > 0
    magnitude = magnitude / torch.where(nonzero, largest, torch.ones_like(largest))
    l1 = magnitude.sum(dim=axis, keepdim=True)
    squared = magnitude.square().sum(dim=axis, keepdim=True)
    if n == 1:
        sparseness = torch.zeros_like(l1)
    else:
        # Safe denominators inside torch.where keep the gradient finite at zero vectors.
        ratio = l1 / torch.where(nonzero, squared, torch.ones_like(squared)).sqrt()
        sparseness = torch.where(nonzero, (math.sqrt(n) - ratio) / (math.sqrt(n) - 1.0),
                                 torch.zeros_like(ratio)).clamp(0.0, 1.0)
    # NaN in, NaN out: a NaN largest entry fails "> 0" and would read as a zero vector.
    sparseness = torch.where(torch.isfinite(largest), sparseness,
                             torch.full_like(sparseness, math.nan))
    return sparseness.squeeze(axis)


def sparseness_to_l1(n, sparseness, l2=1.0):
    """L1 norm of a length-``n`` vector with L2 norm ``l2`` and Hoyer sparseness ``sparseness``.

    Inverts the Hoyer measure:

    .. math::

        \\|x\\|_1 = \\|x\\|_2 \\left(\\sqrt{n} - (\\sqrt{n} - 1)\\, s\\right).

    Parameters
    ----------
    n : int
        Length of the vectors, at least 1.
    sparseness : float or array-like
        Target sparseness, in [0, 1]; only 0 for ``n == 1``, the sparseness
        :func:`hoyer_sparseness` gives every vector of length 1.
    l2 : float or array-like, default=1.0
        L2 norm of the vectors, positive. Broadcast against ``sparseness``.

    Returns
    -------
    l1 : float or ndarray
        A float when both ``sparseness`` and ``l2`` are scalars, else an array.

    Examples
    --------
    >>> sparseness_to_l1(4, 1.0)
    1.0
    >>> sparseness_to_l1(4, 0.0, l2=3.0)
    6.0
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (the vector length), got {n!r}.")
    sparseness_arr = _real_array(sparseness, "sparseness").astype(np.float64)
    l2_arr = _real_array(l2, "l2").astype(np.float64)
    if not np.all(np.isfinite(sparseness_arr)) or np.any(
            (sparseness_arr < 0) | (sparseness_arr > 1)):
        raise ValueError(f"sparseness must lie in [0, 1], got {sparseness!r}.")
    if not np.all(np.isfinite(l2_arr)) or np.any(l2_arr <= 0):
        raise ValueError(f"l2 must be positive and finite, got {l2!r}.")
    if n == 1 and np.any(sparseness_arr != 0):
        raise ValueError(
            f"A vector of length 1 has Hoyer sparseness 0 (the convention of "
            f"hoyer_sparseness), so sparseness={sparseness!r} cannot be reached at n=1; "
            "only 0 can. Use vectors of at least 2 entries for a sparseness constraint.")
    root_n = math.sqrt(n)
    l1 = l2_arr * (root_n - (root_n - 1.0) * sparseness_arr)
    return float(l1) if l1.ndim == 0 else l1


# --------------------------------------------------------------------------------------
# The projection: public functions
# --------------------------------------------------------------------------------------


def project_l1_l2(X, l1, l2):
    """Euclidean projection of each row onto the non-negative vectors with given L1 and L2 norms.

    For every row :math:`x` of ``X``, returns

    .. math::

        \\arg\\min_s \\|s - x\\|_2 \\quad \\text{s.t.} \\quad s \\ge 0,\\;
        \\|s\\|_1 = \\ell_1,\\; \\|s\\|_2 = \\ell_2,

    the projection of Hoyer (2004, section 3.2), computed exactly for all rows at once
    by the sort-based closed form (O(n log n) per row).

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_vectors, n_features) or (n_features,)
        The vectors to project, one per row. Any real values (negative entries
        included); must be finite.
    l1 : float or array-like of shape (n_vectors,)
        Target L1 norm (:math:`\\ell_1`), per row or for all rows.
    l2 : float or array-like of shape (n_vectors,)
        Target L2 norm (:math:`\\ell_2`), positive, per row or for all rows. Needs
        ``l2 <= l1 <= sqrt(n_features) * l2``.

    Returns
    -------
    S : ndarray or torch.Tensor, same shape as ``X``
        Non-negative, with both norms met to rounding (about 1e-14 relative). The
        computation runs in float64; the result has ``X``'s floating dtype (float64
        for integer input). A torch input gives a tensor on the same device, computed
        with the same algorithm in torch operations: a fixed number of vectorised
        steps, with three host synchronisations per call (the finiteness check and
        two tests for rare rows), none per step. Gradients flow through the result
        where the support is locally constant.

    Raises
    ------
    ValueError
        If ``X`` is not 1-D or 2-D, is empty or holds NaN or inf; if ``l2 <= 0``; if
        ``l1`` lies outside ``[l2, sqrt(n_features) * l2]``.

    See Also
    --------
    project_sparseness : The same, with the target given as a Hoyer sparseness.
    project_sparseness_cone : The scale-free version used by sparse NMF.

    Notes
    -----
    The nearest point is ``c * relu(x - t)``; its support is the ``k`` largest entries
    of ``x``. Degenerate rows: when the tied maxima of a row number at least
    :math:`(\\ell_1/\\ell_2)^2`, every feasible point supported on them is nearest
    (e.g. an all-equal row projected to sparseness 1: any one-hot vector). The
    function then returns the "staircase" on the tied maxima, taken in index order:
    ``floor((l1/l2)^2)`` equal entries and one smaller entry. A target at sparseness 0
    (``l1 = sqrt(n) * l2``) gives the uniform vector.

    References
    ----------
    P. O. Hoyer, "Non-negative Matrix Factorization with Sparseness Constraints",
    JMLR 5:1457-1469, 2004.
    M. Thom and G. Palm, "Sparse Activity and Sparse Connectivity in Supervised
    Learning", JMLR 14:1091-1143, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> S = project_l1_l2(np.array([[3.0, 1.0, 0.0, -1.0]]), l1=1.2, l2=1.0)
    >>> np.round(S, 4)
    array([[0.9742, 0.2258, 0.    , 0.    ]])
    >>> round(float(S.sum()), 12), round(float(np.linalg.norm(S)), 12)
    (1.2, 1.0)
    """
    torch = sys.modules["torch"] if is_tensor(X) else None
    if torch is not None:
        return _project_torch(torch, X, l1, l2)
    X = _real_array(X, "X")
    out_dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    rows, was_vector = _as_rows(X)
    m, n = rows.shape
    l1, l2 = _check_targets(l1, l2, m, n)
    if m == 0:
        return np.empty(X.shape, dtype=out_dtype)
    result = np.empty((m, n), dtype=out_dtype)
    block_rows = min(m, max(1, _BLOCK_ENTRIES // n))
    ops = NumpyOps(block_rows, n)
    for start in range(0, m, block_rows):
        part = slice(start, start + block_rows)
        block = ops.as_block(rows[part])
        _require_finite(np.isfinite(block).all(), "X", "the projection")
        result[part] = _project_kernel(ops, block, l1[part, None], l2[part, None])
    return result[0] if was_vector else result


def _project_torch(torch, X, l1, l2):
    """Torch version of :func:`project_l1_l2`: float64 on ``X``'s device, ``X``'s dtype out."""
    rows, was_vector = _as_rows(X)
    m, n = rows.shape
    l1, l2 = _check_targets(l1, l2, m, n)
    out_dtype = X.dtype if torch.is_floating_point(X) else torch.get_default_dtype()
    if m == 0:
        return torch.empty(X.shape, dtype=out_dtype, device=X.device)
    rows = rows.to(torch.float64)
    _require_finite(bool(torch.isfinite(rows).all()), "X", "the projection")
    l1 = torch.tensor(l1, dtype=torch.float64, device=X.device)[:, None]
    l2 = torch.tensor(l2, dtype=torch.float64, device=X.device)[:, None]
    result = _project_kernel(TorchOps(torch), rows, l1, l2).to(out_dtype)
    return result[0] if was_vector else result


def _above(x, threshold):
    """The entries of the vector ``x`` above ``threshold``, as float64."""
    if threshold == -math.inf:
        return x.astype(np.float64, copy=False)
    return np.compress(x > threshold, x).astype(np.float64, copy=False)


def project_vector_warm(x, l1, l2, threshold=None, max_passes=12):
    """Project one long vector like :func:`project_l1_l2`, from a guessed threshold.

    The projection is ``c * relu(x - t)``; for a support ``S`` (the entries above a
    threshold) the ``t`` that gives ``relu(x - t)`` the ratio ``l1 / l2`` has a closed
    form in ``k = |S|``, ``sum(x_S)`` and ``sum(x_S ** 2)``. Starting from the
    entries above ``threshold`` (all entries when None), the support is refined
    until it is exactly ``{x > t}``: that fixed point is the unique projection. A
    good guess (the threshold of the previous call in an iterative solver) settles
    in one or two O(n) passes, with no sort: this is what makes the column updates
    of :class:`sparse_parts.SparseNMF` cheap. When the support does not settle, or a
    degenerate case (ties at the top) arises, the sort-based :func:`project_l1_l2`
    answers instead. The checks are those of :func:`project_l1_l2`, at a cost of
    one O(n) pass and a few scalar comparisons: this runs once per column update.

    Parameters
    ----------
    x : ndarray of shape (n,)
        A finite float vector.
    l1, l2 : float
        Target norms, ``0 < l2 <= l1 <= sqrt(n) * l2``.
    threshold : float, default=None
        Guessed threshold ``t``.
    max_passes : int, default=12

    Returns
    -------
    s : ndarray of shape (n,), ``x``'s dtype
    threshold : float
        The threshold ``t`` found, to warm-start the next call (None after a fallback).
    """
    if getattr(x, "ndim", None) != 1 or x.dtype.kind != "f":
        raise ValueError(
            "project_vector_warm projects one float vector: x must be a 1-D float array, got "
            f"{type(x).__name__} with shape {np.shape(x)}. Use project_l1_l2 for other input.")
    _require_finite(np.isfinite(x).all(), "x", "project_vector_warm")
    check_int(max_passes, "max_passes", low=0)
    # Cheap test of the usual case; anything else gets the full check and its message
    # (and, when it passes, float64 targets: float32 scalars would round the ratio).
    if not (isinstance(l1, float | int) and isinstance(l2, float | int)
            and 0 < l2 <= l1 <= math.sqrt(x.size) * l2 < math.inf):
        l1, l2 = (float(target[0]) for target in _check_targets(l1, l2, 1, x.size))
    ratio_sq = (l1 / l2) ** 2
    # ``candidates`` is always the upper level set {x > low}, in float64 for the sums:
    # from a threshold below the answer the next one is higher and only the
    # candidates need a look (they shrink pass by pass); a threshold that falls below
    # ``low`` looks at all of x again. (np.compress: half the time of a boolean index.)
    low = -math.inf if threshold is None else threshold
    candidates = _above(x, low)
    for _ in range(max_passes):
        k = candidates.size
        if k <= ratio_sq or k == 0:
            if low == -math.inf:
                break
            # A guess above the answer left too few entries: start again from all.
            low = -math.inf
            candidates = _above(x, low)
            continue
        s1 = float(candidates.sum())
        s2 = float(np.dot(candidates, candidates))
        spread = max(k * s2 - s1 * s1, 0.0)
        t = (s1 - math.sqrt(ratio_sq * spread / (k - ratio_sq))) / k
        if t >= low:
            inside = candidates > t
            if np.count_nonzero(inside) == k:
                # {x > t} is the candidates (the others are <= low <= t): the
                # support is settled, and this t is the projection's threshold.
                # Its norm from the support in float64; the vector in x's dtype.
                gaps = candidates - t
                norm = math.sqrt(float(np.dot(gaps, gaps)))
                if norm > 0:
                    shifted = np.maximum(x - x.dtype.type(t), 0)
                    return (shifted * x.dtype.type(l2 / norm)).astype(x.dtype, copy=False), t
                break
            candidates = np.compress(inside, candidates)
        else:
            candidates = _above(x, t)
        low = t
    return project_l1_l2(x, l1, l2), None


def _rows_and_features(X):
    """Number and length of the rows of ``X`` (array-like or tensor), checking its dimensions."""
    if not hasattr(X, "ndim"):
        X = np.asarray(X)
    if X.ndim not in (1, 2):
        _as_rows(X)
    return (1 if X.ndim == 1 else X.shape[0]), X.shape[-1]


def project_sparseness(X, sparseness, l2=1.0):
    """Project each row onto the non-negative vectors of given Hoyer sparseness and L2 norm.

    Shorthand for ``project_l1_l2(X, sparseness_to_l1(n_features, sparseness, l2), l2)``.

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_vectors, n_features) or (n_features,)
        The vectors to project, one per row; finite.
    sparseness : float or array-like of shape (n_vectors,)
        Target Hoyer sparseness, in [0, 1].
    l2 : float or array-like of shape (n_vectors,), default=1.0
        Target L2 norm, positive.

    Returns
    -------
    S : ndarray or torch.Tensor, same shape and dtype as ``X``
        The nearest non-negative rows with ``hoyer_sparseness(S, axis=-1) == sparseness``
        and L2 norm ``l2``.

    See Also
    --------
    project_l1_l2 : The projection, with its degenerate cases.
    project_sparseness_cone : The scale-free version.

    Examples
    --------
    >>> import numpy as np
    >>> S = project_sparseness(np.arange(8.0), 0.6)
    >>> round(float(hoyer_sparseness(S)), 12), round(float(np.linalg.norm(S)), 12)
    (0.6, 1.0)
    """
    n_rows, n_features = _rows_and_features(X)
    # Checked here, so that a wrong shape is named after the argument, not after l1.
    _per_row(sparseness, "sparseness", n_rows)
    _per_row(l2, "l2", n_rows)
    l2 = _to_numpy(l2)
    l1 = sparseness_to_l1(n_features, _to_numpy(sparseness), l2)
    return project_l1_l2(X, l1, l2)


def project_sparseness_cone(X, sparseness, at_least=False):
    """Nearest point of the cone of non-negative vectors with a given Hoyer sparseness.

    For every row :math:`x`, returns :math:`\\max(0, \\langle x, u\\rangle)\\, u` with
    ``u = project_sparseness(x, sparseness, l2=1)``: the nearest point of the
    scale-free set :math:`\\{s \\ge 0 : s(s) = \\text{sparseness}\\} \\cup \\{0\\}`
    (the norm is free). Rows with no positive entry map to 0.

    With ``at_least=True`` the set is :math:`\\{s \\ge 0 : s(s) \\ge
    \\text{sparseness}\\}`: a row whose positive part is already that sparse maps to
    its positive part (the nearest non-negative point, which lies in the set);
    any other row's nearest point lies on the level set, so it gets the projection
    above. (A nearest point strictly inside the set would be a local, hence the
    global, minimiser of the distance to the convex orthant: the positive part.)

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_vectors, n_features) or (n_features,)
        The vectors to project, one per row; finite.
    sparseness : float or array-like of shape (n_vectors,)
        Target Hoyer sparseness, in [0, 1].
    at_least : bool, default=False
        Project onto the vectors at least that sparse, instead of exactly.

    Returns
    -------
    S : ndarray or torch.Tensor, same shape and dtype as ``X``

    Notes
    -----
    For a unit vector ``u`` the nearest multiple ``c u`` (``c >= 0``) of ``x`` has
    ``c = max(0, <x, u>)`` and squared distance ``|x|^2 - c^2``, so the nearest cone
    point uses the unit vector of the right sparseness with the largest inner product
    with ``x`` -- the projection at ``l2 = 1``.

    See Also
    --------
    project_sparseness : Projection at a fixed L2 norm.

    Examples
    --------
    >>> import numpy as np
    >>> S = project_sparseness_cone(np.array([[4.0, 2.0, 1.0, 0.0]]), 0.5)
    >>> round(float(hoyer_sparseness(S[0])), 12)
    0.5
    >>> project_sparseness_cone(np.array([-1.0, -2.0]), 0.5)
    array([0., 0.])
    """
    if not isinstance(at_least, bool | np.bool_):
        # A string such as "no" is truthy: it would silently select the other set.
        raise ValueError(f"at_least must be True or False, got {at_least!r}.")
    if at_least:
        # The projection first: it validates X and the target before they are used.
        result = project_sparseness_cone(X, sparseness)
        torch = sys.modules["torch"] if is_tensor(X) else None
        positive = X.clamp_min(0) if torch is not None else np.maximum(np.asarray(X), 0)
        sparse_enough = hoyer_sparseness(positive, axis=-1) >= sparseness
        if torch is not None:
            return torch.where(sparse_enough[..., None], positive.to(result.dtype), result)
        return np.where(sparse_enough[..., None], positive, result).astype(result.dtype,
                                                                           copy=False)
    unit = project_sparseness(X, sparseness, 1.0)
    torch = sys.modules["torch"] if is_tensor(X) else None
    if torch is not None:
        X64 = X.to(torch.float64)
        scale = (X64 * unit.to(torch.float64)).sum(dim=-1, keepdim=True).clamp_min(0.0)
        return (scale * unit).to(unit.dtype)
    X64 = np.asarray(X, dtype=np.float64)
    scale = np.einsum("...i,...i->...", X64, unit, dtype=np.float64)[..., None]
    np.maximum(scale, 0.0, out=scale)
    return (scale * unit).astype(unit.dtype, copy=False)
