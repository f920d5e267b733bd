"""Test oracle: NumPy transcriptions of Hoyer's (2004) ``projfunc`` and ``nmfsc``.

The test oracle of :mod:`sparse_parts.sparseness` and the baseline of the
benchmarks (``benchmarks/bench_projection.py``, ``benchmarks/bench_nmf.py``); not
part of the public API. Written from the algorithms as published in P. O. Hoyer,
"Non-negative Matrix Factorization with Sparseness Constraints", JMLR 5:1457-1469,
2004 (section 3: the NMF-with-sparseness-constraints algorithm and the projection
operator), one vector at a time, as the original MATLAB code works. They are
deliberately unoptimised: the benchmarks compare the package against them, and the
tests use :func:`projfunc` as an independent check of the batched projection. It
lives beside the tests, not in the package (it is not shipped in the wheel): the
tests import it as ``_hoyer_reference`` (pytest puts ``tests/`` on the path), the
benchmarks put ``tests/`` on ``sys.path`` first.

Differences from the MATLAB signatures, for readability: ``projfunc`` takes the L2
norm (not its square) and only does the non-negative case used by NMF; ``nmfsc``
takes a ``callback`` and ``max_iter`` instead of a time limit and a plotting flag.
"""

import time

import numpy as np

__all__ = ["projfunc", "nmfsc", "objective"]


def projfunc(x, l1, l2, max_iter=1000):
    """Hoyer's projection of one vector onto {s >= 0, sum(s) = l1, |s|_2 = l2}.

    The iterative algorithm of Hoyer (2004), section 3:

    1. start from ``s = x + (l1 - sum(x)) / n`` (on the hyperplane sum = l1);
    2. with ``Z`` the entries fixed at zero (initially none), take the midpoint ``m``
       (``l1 / (n - |Z|)`` off ``Z``, 0 on it) and move from ``m`` through ``s`` onto
       the L2 sphere: ``s = m + alpha (s - m)``, ``alpha >= 0``;
    3. if ``s >= 0``, stop; else add the negative entries to ``Z``, set them to 0,
       shift the other entries equally back onto sum = l1, and go to 2.

    Parameters
    ----------
    x : array-like of shape (n,)
    l1, l2 : float
        Target L1 and L2 norms, ``l2 <= l1 <= sqrt(n) * l2``.
    max_iter : int, default=1000
        Safety bound on the passes (each pass zeroes at least one entry, so ``n``
        passes always suffice in exact arithmetic).

    Returns
    -------
    s : ndarray of shape (n,), float64
    n_iter : int
        Passes used.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    s = x + (l1 - x.sum()) / n
    zeroed = np.zeros(n, dtype=bool)
    for n_iter in range(1, max_iter + 1):
        midpoint = np.where(zeroed, 0.0, l1 / (n - zeroed.sum()))
        w = s - midpoint
        a = w @ w
        b = 2.0 * (w @ midpoint)
        c = midpoint @ midpoint - l2 * l2
        if a == 0.0:
            raise ValueError("projfunc: all free entries are equal, the step direction is "
                             "undefined (Hoyer's algorithm divides by zero here).")
        # Hoyer keeps the real part of the root: a negative discriminant is rounding.
        alpha = (-b + np.sqrt(max(b * b - 4.0 * a * c, 0.0))) / (2.0 * a)
        s = midpoint + alpha * w
        if np.all(s >= 0):
            return s, n_iter
        zeroed |= s < 0
        s[zeroed] = 0.0
        shift = (s.sum() - l1) / (n - zeroed.sum())
        s[~zeroed] -= shift
    raise RuntimeError(f"projfunc did not converge in {max_iter} passes.")


def objective(V, W, H):
    """Hoyer's objective ``0.5 * ||V - W H||_F^2``."""
    residual = V - W @ H
    return 0.5 * float(np.vdot(residual, residual))


def _project_rows_of_H(H, l1):
    for i in range(H.shape[0]):
        H[i] = projfunc(H[i], l1, 1.0)[0]
    return H


def _project_columns_of_W(W, l1_over_l2):
    norms = np.sqrt((W * W).sum(axis=0))
    for j in range(W.shape[1]):
        W[:, j] = projfunc(W[:, j], l1_over_l2 * norms[j], norms[j])[0]
    return W


def nmfsc(V, rdim, sW=None, sH=None, max_iter=1000, callback=None, random_state=0):
    """Hoyer's NMF with sparseness constraints, ``V ~ W H``.

    Transcribed from Hoyer (2004), section 3:

    - ``W`` (pixels x rdim) and ``H`` (rdim x samples) start as absolute values of
      standard normal draws; the rows of ``H`` are scaled to unit L2 norm;
    - with ``sW``, each column of ``W`` is projected to sparseness ``sW`` at its own
      L2 norm (L1 = ``(sqrt(pixels) - (sqrt(pixels) - 1) sW) * L2``); with ``sH``, each
      row of ``H`` to sparseness ``sH`` at unit L2 norm (L1 = ``sqrt(samples) -
      (sqrt(samples) - 1) sH``);
    - each iteration updates ``H`` then ``W``. A constrained factor takes a projected
      gradient step, halving the step size until the objective does not increase,
      then growing it by 1.2 for the next iteration; an unconstrained factor takes
      the Lee-Seung multiplicative update (with ``H``'s rows renormalised to unit L2,
      the scale moved into ``W``).

    Parameters
    ----------
    V : ndarray of shape (pixels, samples), non-negative
    rdim : int
        Number of components.
    sW, sH : float in [0, 1] or None, default=None
        Sparseness of the columns of ``W`` / the rows of ``H``; None leaves it free.
    max_iter : int, default=1000
    callback : callable or None, default=None
        Called after every iteration as ``callback(iteration, W, H, elapsed)``
        (``elapsed`` in seconds since the start, initialisation included); return
        True to stop, e.g. once a target objective is reached.
    random_state : int or None, default=0
        Seed of the initialisation.

    Returns
    -------
    W : ndarray of shape (pixels, rdim)
    H : ndarray of shape (rdim, samples)
    objectives : list of float
        ``0.5 * ||V - W H||^2`` after the initialisation and after every iteration.
    """
    start = time.perf_counter()
    V = np.asarray(V, dtype=np.float64)
    if np.any(V < 0):
        raise ValueError("nmfsc: V must be non-negative.")
    vdim, samples = V.shape
    rng = np.random.default_rng(random_state)
    W = np.abs(rng.standard_normal((vdim, rdim)))
    H = np.abs(rng.standard_normal((rdim, samples)))
    H /= np.sqrt((H * H).sum(axis=1))[:, None]

    if sW is not None:
        l1_over_l2_W = np.sqrt(vdim) - (np.sqrt(vdim) - 1.0) * sW
        W = _project_columns_of_W(W, l1_over_l2_W)
    if sH is not None:
        l1_H = np.sqrt(samples) - (np.sqrt(samples) - 1.0) * sH
        H = _project_rows_of_H(H, l1_H)

    objectives = [objective(V, W, H)]
    step_W = step_H = 1.0
    for iteration in range(1, max_iter + 1):
        if sH is not None:
            gradient = W.T @ (W @ H - V)
            current = objective(V, W, H)
            while True:
                H_new = _project_rows_of_H(H - step_H * gradient, l1_H)
                new = objective(V, W, H_new)
                if new <= current:
                    break
                step_H /= 2.0
                if step_H < 1e-200:
                    return W, H, objectives  # converged: no step decreases the objective
            step_H *= 1.2
            H = H_new
        else:
            H = H * (W.T @ V) / (W.T @ W @ H + 1e-9)
            norms = np.sqrt((H * H).sum(axis=1))
            H /= norms[:, None]
            W = W * norms[None, :]

        if sW is not None:
            gradient = (W @ H - V) @ H.T
            current = objective(V, W, H)
            while True:
                W_new = _project_columns_of_W(W - step_W * gradient, l1_over_l2_W)
                new = objective(V, W_new, H)
                if new <= current:
                    break
                step_W /= 2.0
                if step_W < 1e-200:
                    return W, H, objectives
            step_W *= 1.2
            W = W_new
        else:
            W = W * (V @ H.T) / (W @ H @ H.T + 1e-9)

        objectives.append(objective(V, W, H))
        if callback is not None and callback(iteration, W, H, time.perf_counter() - start):
            break
    return W, H, objectives
