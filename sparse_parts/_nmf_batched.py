"""Sparse NMF's fit for a GPU: every update batched, no host synchronisation inside an iteration.

The numpy fit (:func:`sparse_parts.nmf.sparse_nmf`) sweeps the columns one at a time
and projects each sparse column on its own, warm-started: the right choice on a CPU,
and thousands of tiny kernels, each waiting on the host, on a GPU. Here one outer
iteration is

- two products with the data, ``X^T C`` and ``X A`` (the only work on the large
  matrices), and the small Gram matrices;
- for a factor whose columns are merely non-negative or unit vectors: HALS sweeps
  over the columns of the small matrices (k x k and n x k), with no test on the host;
- for a factor held at a sparseness (either scope of the codes, sparse atoms): a
  fixed number of projected gradient steps on the whole factor, each projecting all
  its vectors at once (the sort-based kernel of :mod:`sparse_parts._projection`, run
  with its rare-case branches on every row instead of a test on the host), with the
  step ``1 / L`` from an upper bound on ``||G||_2`` computed on the device. Each
  step minimises a quadratic upper bound of the objective over the constraint set,
  so the objective does not rise;
- the extrapolation of the codes with its restart rule, decided on the device.

The objective of every iteration stays on the device; the host reads them every
``check_every`` iterations, where the stopping rule, ``callback`` and ``verbose`` run
(so the fit may run up to ``check_every - 1`` iterations past the point where the
numpy fit stops, and a callback sees every ``check_every``-th iteration only). A
non-finite objective there is an error, not a silent result.

The start, and therefore the constraint objects, are those of the numpy fit; the
iterations differ (projected gradient instead of exact column minimisers for the
sparse factors), so the result is another local optimum of the same problem, not
the numpy fit's to rounding. ``benchmarks/bench_nmf_device.py --batched`` measures it.
"""

import math

from . import _backend as xp
from ._nmf_constraints import (
    _DEAD_RTOL,
    ATOM_SWEEPS,
    NonNegative,
    SparseColumns,
    SparseRows,
    UnitColumns,
    _unit_positive,
)
from ._projection import _project_kernel
from .sparseness import sparseness_to_l1

__all__ = ["fit_batched"]

# Projected gradient steps per update of a factor held at a sparseness.
GRADIENT_STEPS = 10
# Iterations between two reads of the objectives by the host.
CHECK_EVERY = 5


def _sweep(F, B, G, project, n_sweeps):
    """HALS sweeps over the columns of the tensor ``F`` (in place), no host test:
    a column without curvature (``g_jj`` ~ 0) keeps its value through ``where``."""
    torch = xp.namespace(F)
    diagonal = G.diagonal()
    alive = diagonal > _DEAD_RTOL * diagonal.max()
    safe = torch.where(alive, diagonal, torch.ones_like(diagonal))
    for _ in range(n_sweeps):
        for j in range(F.shape[1]):
            target = F[:, j] + (B[:, j] - F @ G[:, j]) / safe[j]
            F[:, j] = torch.where(alive[j], project(target), F[:, j])


def _lipschitz(G):
    """An upper bound on ``||G||_2``, on the device: the smaller of the largest row sum
    of ``|G|`` and the Frobenius norm (positive: a tiny floor for an all-zero G)."""
    torch = xp.namespace(G)
    bound = torch.minimum(G.abs().sum(dim=1).max(), torch.linalg.matrix_norm(G))
    return bound.clamp_min(torch.finfo(G.dtype).tiny)


def _unit_rows(rows, sparseness):
    """Every row of ``rows`` onto the non-negative unit vectors of that sparseness."""
    torch = xp.namespace(rows)
    m, n = rows.shape
    l1 = torch.full((m, 1), sparseness_to_l1(n, sparseness), dtype=torch.float64,
                    device=rows.device)
    l2 = torch.ones((m, 1), dtype=torch.float64, device=rows.device)
    ops = xp.TorchOps(torch, synchronise=False)
    return _project_kernel(ops, rows.to(torch.float64), l1, l2)


def _cone_rows(rows, sparseness):
    """Every row onto the cone of non-negative vectors of that sparseness."""
    unit = _unit_rows(rows, sparseness)
    scale = (rows.to(unit.dtype) * unit).sum(dim=1, keepdim=True).clamp_min(0)
    return (scale * unit).to(rows.dtype)


def _at_least_rows(rows, sparseness):
    """Every row onto the non-negative vectors at least that sparse: the positive part
    where it already is, else the cone's projection."""
    torch = xp.namespace(rows)
    positive = rows.clamp_min(0)
    n = rows.shape[1]
    l1, l2 = positive.sum(dim=1), torch.linalg.vector_norm(positive, dim=1)
    ratio = l1 / torch.where(l2 > 0, l2, torch.ones_like(l2))
    measured = torch.where(l2 > 0, (math.sqrt(n) - ratio) / (math.sqrt(n) - 1),
                           torch.zeros_like(l2))
    return torch.where((measured >= sparseness)[:, None], positive,
                       _cone_rows(rows, sparseness))


def _projection(constraint):
    """The batched projection of a whole factor onto ``constraint``'s set."""
    if isinstance(constraint, SparseColumns):
        return lambda F: _cone_rows(F.T, constraint.sparseness).T
    if isinstance(constraint, UnitColumns):
        return lambda F: _unit_rows(F.T, constraint.sparseness).T.to(F.dtype)
    return lambda F: _at_least_rows(F, constraint.sparseness)


def update(constraint, F, B, G, n_sweeps=1):
    """``constraint``'s block update of ``F`` (a tensor), batched and without host waits."""
    F = F.clone()
    if isinstance(constraint, NonNegative):
        _sweep(F, B, G, lambda t: t.clamp_min(0), n_sweeps)
        return F
    if isinstance(constraint, UnitColumns) and constraint.sparseness is None:
        _sweep(F, B, G, _unit_positive, n_sweeps)
        return F
    project = _projection(constraint)
    step = 1.0 / _lipschitz(G)
    for _ in range(GRADIENT_STEPS * n_sweeps):
        F = project(F - step * (F @ G - B))
    return F


def fit_batched(X, codes, atoms_t, atom_constraint, code_constraint, l1_weights,
                squared_norm_X, max_iter, extrapolate, report, check_every=CHECK_EVERY):
    """The loop of :func:`sparse_parts.nmf.sparse_nmf` on tensors, batched (module docstring).

    ``report(n_iter, codes, atoms_t, objective, reconstruction)`` is called by
    the host at every check, for each iteration since the last one (with the current
    factors); it returns True to stop. Returns ``(codes, atoms_t, n_iter, stopped)``.
    """
    torch = xp.namespace(X)
    if isinstance(code_constraint, SparseRows):
        code_constraint = SparseRows(code_constraint.sparseness, None, 0)
    beta = torch.tensor(0.5 if extrapolate else 0.0, dtype=torch.float64, device=X.device)
    beta_max = torch.tensor(1.0 if extrapolate else 0.0, dtype=torch.float64,
                            device=X.device)
    previous = torch.tensor(math.inf, dtype=torch.float64, device=X.device)
    codes_hat = codes
    pending = []
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        atoms_t = update(atom_constraint, atoms_t, X.T @ codes_hat, codes_hat.T @ codes_hat,
                         ATOM_SWEEPS)
        B = X @ atoms_t
        G = atoms_t.T @ atoms_t
        new_codes = update(code_constraint, codes,
                           B if l1_weights is None else B - l1_weights[:, None], G)
        reconstruction = _objective(squared_norm_X, B, G, new_codes)
        objective = reconstruction if l1_weights is None else (
            reconstruction + (l1_weights * new_codes.sum(1)).sum().to(torch.float64))
        stepped = (new_codes + beta.to(new_codes.dtype) * (new_codes - codes)).clamp_min(0)
        if extrapolate:
            rise = objective > previous
            codes_hat = torch.where(rise, new_codes, stepped)
            beta, beta_max = (torch.where(rise, beta / 1.5, torch.minimum(beta_max, 1.05 * beta)),
                              torch.where(rise, beta, torch.clamp_max(1.01 * beta_max, 1.0)))
        else:
            codes_hat = new_codes
        codes = new_codes
        previous = objective
        pending.append(torch.stack([objective, reconstruction]))
        if n_iter % check_every == 0 or n_iter == max_iter:
            values = torch.stack(pending).cpu().tolist()  # the host waits here only
            first = n_iter - len(values) + 1
            pending = []
            for offset, (value, recon) in enumerate(values):
                if report(first + offset, codes, atoms_t, value, recon):
                    return codes, atoms_t, first + offset, True
    return codes, atoms_t, n_iter, False


def _objective(squared_norm_X, B, G, codes):
    """``0.5 ||X - C A||^2`` as a float64 tensor on the device (no host read)."""
    torch = xp.namespace(codes)
    value = (squared_norm_X - 2 * (B * codes).sum().to(torch.float64)
             + (G * (codes.T @ codes)).sum().to(torch.float64))
    return 0.5 * value.clamp_min(0)
