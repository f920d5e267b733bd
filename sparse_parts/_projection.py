"""Private: the sort-based projection kernel under :mod:`sparse_parts.sparseness`.

Written once for numpy and torch through the tables of array operations of
:mod:`sparse_parts._backend` (:class:`~sparse_parts._backend.NumpyOps`,
:class:`~sparse_parts._backend.TorchOps`). The public functions, their validation
and their documentation live in :mod:`sparse_parts.sparseness`.
"""

# Relative size of l2^2 below which the support is taken to be uniform: a few ulps,
# the rounding of l1 = sqrt(n) * l2 at sparseness 0. Moves the result by at most
# sqrt(1e-15) * l2 = 3e-8 * l2 from the projection onto the rounded target.
_UNIFORM_RTOL = 1e-15


# --------------------------------------------------------------------------------------
# The projection: the shared kernel
# --------------------------------------------------------------------------------------


def _tree_width(n_features):
    """Smallest power of two >= n_features: the width of the block-sum tree."""
    return 1 << (n_features - 1).bit_length()


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
    gaps = ops.sorted_gaps(X, row_max, _tree_width(n))  # w ascending, zero-padded to a power of two
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
