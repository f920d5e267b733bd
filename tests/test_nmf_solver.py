"""The pieces of SparseNMF's solver: sweeps, the extrapolation, the batched (GPU) loop."""

import warnings

import numpy as np
import pytest

from sparse_parts._nmf_constraints import (
    ATOM_SWEEPS,
    NonNegative,
    SparseColumns,
    UnitColumns,
    extrapolated,
)
from sparse_parts.nmf import sparse_nmf
from sparse_parts.sparseness import hoyer_sparseness


def _block_problem(seed=0, n=40, k=5, m=30):
    """``(F, B, G, Y, H)`` of ``min 0.5 ||Y - F H||^2`` with skewed non-negative data."""
    rng = np.random.RandomState(seed)
    Y, H = rng.rand(n, m) ** 3, rng.rand(k, m)
    F = np.asfortranarray(rng.rand(n, k))
    return F, Y @ H.T, H @ H.T, Y, H


def _objective(F, Y, H):
    return 0.5 * np.linalg.norm(Y - F @ H) ** 2


def test_the_atoms_take_atom_sweeps_sweeps_by_default():
    F, B, G, Y, H = _block_problem()
    constraint = UnitColumns(None, *F.shape)
    once = constraint.update(F, B, G, n_sweeps=1)
    assert ATOM_SWEEPS >= 2
    expected = once
    for _ in range(ATOM_SWEEPS - 1):
        expected = constraint.update(expected, B, G, n_sweeps=1)
    np.testing.assert_allclose(constraint.update(F, B, G), expected, rtol=1e-12)
    assert not np.allclose(once, expected)  # a second sweep moves the atoms further
    np.testing.assert_allclose(np.linalg.norm(expected, axis=0), 1.0)


@pytest.mark.parametrize("make", [lambda n, k: NonNegative(), lambda n, k: SparseColumns(0.5, n, k),
                                  lambda n, k: UnitColumns(0.4, n, k)])
def test_more_sweeps_never_raise_the_objective(make):
    F, B, G, Y, H = _block_problem(1)
    constraint = make(*F.shape)
    start = constraint.project(F)
    values = [_objective(constraint.update(start, B, G, n_sweeps=s), Y, H) for s in (1, 2, 4)]
    assert values[0] <= _objective(start, Y, H) * (1 + 1e-12)
    assert values[2] <= values[1] * (1 + 1e-12) <= values[0] * (1 + 1e-12) ** 2


def test_extrapolated_codes_are_clamped_not_projected():
    new = np.array([[1.0, 0.2], [0.0, 3.0]])
    old = np.array([[0.5, 0.4], [0.1, 1.0]])
    assert extrapolated(new, old, 0.0) is new
    expected = np.maximum(new + 0.5 * (new - old), 0)
    np.testing.assert_array_equal(extrapolated(new, old, 0.5), expected)
    assert expected[1, 0] == 0 and expected[0, 1] == 0.1  # clamped; no sparseness imposed


torch = pytest.importorskip("torch")

SETTINGS = {
    "none": {},
    "sample": {"code_sparseness": 0.5},
    "component": {"code_sparseness": 0.6, "code_sparseness_scope": "component"},
    "atoms": {"atom_sparseness": 0.5, "code_sparseness": 0.4},
    "l1": {"code_l1": 0.05},
}


def _data(n_samples=60, n_features=25, seed=0):
    return np.random.RandomState(seed).rand(n_samples, n_features) ** 3


def _fit(X, batched, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sparse_nmf(X, 4, init="random", random_state=2, max_iter=30, tol=0,
                          device="cpu" if batched else None, batched=batched, **params)


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_the_batched_loop_holds_the_constraints(setting):
    params = SETTINGS[setting]
    codes, atoms, n_iter, errors = _fit(_data(), True, **params)
    assert n_iter == 30 and len(errors) == 30 and np.isfinite(errors).all()
    assert (codes >= 0).all() and (atoms >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(atoms, axis=1), 1.0, rtol=1e-6)
    if "atom_sparseness" in params:
        np.testing.assert_allclose(hoyer_sparseness(atoms), 0.5, atol=1e-6)
    if params.get("code_sparseness_scope") == "component":
        np.testing.assert_allclose(hoyer_sparseness(codes, axis=0), 0.6, atol=1e-6)
    elif "code_sparseness" in params:
        assert (hoyer_sparseness(codes) >= params["code_sparseness"] - 1e-6).all()
    # Another local optimum of the same problem, of about the same quality.
    reference = _fit(_data(), False, **params)[3][-1]
    assert errors[-1] <= 1.15 * reference


@pytest.mark.parametrize("setting", ["none", "sample", "component", "atoms"])
def test_the_batched_loop_without_extrapolation_never_raises_the_error(setting):
    errors = _fit(_data(), True, extrapolate=False, **SETTINGS[setting])[3]
    assert all(later <= earlier * (1 + 1e-9) for earlier, later in zip(errors[:-1], errors[1:],
                                                                     strict=True))


def test_the_batched_loop_reads_the_objective_every_few_iterations():
    seen = []

    def callback(n_iter, codes, components, error):
        seen.append(n_iter)
        return n_iter >= 7

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, n_iter, errors = sparse_nmf(_data(), 4, random_state=0, max_iter=50,
                                          device="cpu", batched=True, callback=callback)
    # Every iteration is reported, in order, once the host reads the batch of 5.
    assert seen == list(range(1, 8)) and n_iter == 7 and len(errors) == 7


def test_batched_needs_a_device():
    with pytest.raises(ValueError, match="batched=True runs on torch"):
        sparse_nmf(_data(), 3, batched=True)


def test_the_projection_without_host_waits_equals_the_synchronising_one():
    from sparse_parts._backend import TorchOps
    from sparse_parts._projection import _project_kernel

    rng = np.random.RandomState(3)
    X = rng.rand(50, 40)
    X[0] = 1.0  # tied maxima: the staircase branch
    X[1] *= 1e-160  # a row rescaled inside the kernel
    rows = torch.from_numpy(X)
    l1 = torch.full((50, 1), 3.0, dtype=torch.float64)
    l2 = torch.ones((50, 1), dtype=torch.float64)
    waits = _project_kernel(TorchOps(torch), rows, l1, l2)
    free = _project_kernel(TorchOps(torch, synchronise=False), rows, l1, l2)
    torch.testing.assert_close(free, waits, rtol=1e-12, atol=0)
