"""Tests for sparse_parts.sparseness: the Hoyer measure and the batched projections."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _hoyer_reference import projfunc
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sparse_parts.sparseness import (
    hoyer_sparseness,
    project_l1_l2,
    project_sparseness,
    project_sparseness_cone,
    project_vector_warm,
    sparseness_to_l1,
)


def _norms(S):
    S = np.asarray(S, dtype=np.float64)
    return np.abs(S).sum(axis=-1), np.sqrt((S * S).sum(axis=-1))


def _hoyer_loop(x, l1, l2):
    """Independent check: Hoyer's (2004) alternating projection, one vector.

    Returns None where Hoyer's step is undefined (all free entries equal).
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    s = x + (l1 - x.sum()) / n
    zeroed = np.zeros(n, dtype=bool)
    for _ in range(n + 1):
        mid = np.where(zeroed, 0.0, l1 / (n - zeroed.sum()))
        w = s - mid
        if w @ w <= 1e-300:
            return None
        b, c = w @ mid, mid @ mid - l2 * l2
        s = mid + (-b + math.sqrt(max(b * b - (w @ w) * c, 0.0))) / (w @ w) * w
        if np.all(s >= 0):
            return s
        zeroed |= s < 0
        if zeroed.all():
            return None
        s[zeroed] = 0.0
        s[~zeroed] -= (s.sum() - l1) / (n - zeroed.sum())
    return None


# --------------------------------------------------------------------------------------
# hoyer_sparseness
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, expected",
    [
        ([0.0, 0.0, 5.0, 0.0], 1.0),  # one non-zero entry
        ([0.0, -2.0, 0.0], 1.0),  # sign does not matter
        ([3.0, 3.0, 3.0, 3.0], 0.0),  # all equal
        ([0.0, 0.0, 0.0], 0.0),  # the zero vector, by convention
        # [1, 2]: |x|_1 = 3, |x|_2 = sqrt(5), n = 2
        ([1.0, 2.0], (math.sqrt(2) - 3 / math.sqrt(5)) / (math.sqrt(2) - 1)),
        ([-1.0, 2.0], (math.sqrt(2) - 3 / math.sqrt(5)) / (math.sqrt(2) - 1)),
        # [1, 1, 0, 0]: |x|_1 = 2, |x|_2 = sqrt(2), n = 4 -> (2 - sqrt 2) / 1
        ([1.0, 1.0, 0.0, 0.0], 2.0 - math.sqrt(2)),
    ],
)
def test_hoyer_sparseness_hand_computed(x, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = hoyer_sparseness(np.array(x))
    assert value == pytest.approx(expected, abs=1e-15)


def test_hoyer_sparseness_length_one_is_zero_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = hoyer_sparseness(np.array([[3.0], [0.0], [-1.0]]), axis=1)
    np.testing.assert_array_equal(values, [0.0, 0.0, 0.0])


def test_hoyer_sparseness_is_scale_free_even_at_extreme_scales():
    x = np.array([1.0, 2.0, 0.0, 4.0])
    reference = hoyer_sparseness(x)
    for scale in (1e-300, 1e-30, 1e30, 1e300):
        assert hoyer_sparseness(x * scale) == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_hoyer_sparseness_along_axes(axis):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    x[0, 0, :] = 0.0
    values = hoyer_sparseness(x, axis=axis)
    moved = np.moveaxis(x, axis, -1)
    assert values.shape == moved.shape[:-1]
    expected = np.empty(moved.shape[:-1])
    n = moved.shape[-1]
    for index in np.ndindex(*moved.shape[:-1]):
        v = moved[index]
        norm = np.linalg.norm(v)
        expected[index] = 0.0 if norm == 0 else (
            (math.sqrt(n) - np.abs(v).sum() / norm) / (math.sqrt(n) - 1))
    np.testing.assert_allclose(values, expected, atol=1e-14)


def test_hoyer_sparseness_torch_matches_numpy_and_has_finite_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 7))
    x[2] = 0.0  # a zero vector: value 0, finite gradient
    x[3, 1:] = 0.0  # a one-hot vector
    xt = torch.tensor(x, requires_grad=True)
    values = hoyer_sparseness(xt, axis=1)
    np.testing.assert_allclose(values.detach().numpy(), hoyer_sparseness(x, axis=1),
                               atol=1e-14)
    values.sum().backward()
    assert torch.isfinite(xt.grad).all()
    assert torch.all(xt.grad[2] == 0)
    np.testing.assert_allclose(
        hoyer_sparseness(torch.tensor(x.T, dtype=torch.float32), axis=0).numpy(),
        hoyer_sparseness(x, axis=1), atol=1e-6)


def test_hoyer_sparseness_torch_gradient_is_correct():
    torch = pytest.importorskip("torch")
    x = torch.rand(3, 6, dtype=torch.float64) + 0.1
    assert torch.autograd.gradcheck(lambda t: hoyer_sparseness(t, axis=1), (x.requires_grad_(),))


def test_importing_the_module_does_not_load_torch():
    code = ("import sys, numpy as np, sparse_parts.sparseness as s; "
            "s.project_sparseness(np.ones((2, 3)), 0.5); s.hoyer_sparseness(np.ones(3)); "
            "assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------
# sparseness_to_l1
# --------------------------------------------------------------------------------------


def test_sparseness_to_l1_inverts_the_measure():
    assert sparseness_to_l1(9, 1.0) == pytest.approx(1.0)
    assert sparseness_to_l1(9, 0.0, l2=2.0) == pytest.approx(6.0)
    assert sparseness_to_l1(9, 0.5) == pytest.approx(2.0)
    np.testing.assert_allclose(sparseness_to_l1(4, [0.0, 1.0], [1.0, 3.0]), [2.0, 3.0])
    # A vector with these norms has the prescribed sparseness.
    v = np.array([2.0, 1.0, 0.0, 0.0, 0.0])
    l1 = sparseness_to_l1(5, hoyer_sparseness(v), np.linalg.norm(v))
    assert l1 == pytest.approx(3.0)


@pytest.mark.parametrize(
    "args, match",
    [((0, 0.5), "positive integer"), ((3, 1.5), r"sparseness must lie in \[0, 1\]"),
     ((3, -0.1), "sparseness"), ((3, 0.5, 0.0), "l2 must be positive")],
)
def test_sparseness_to_l1_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        sparseness_to_l1(*args)


# --------------------------------------------------------------------------------------
# project_l1_l2 / project_sparseness: properties
# --------------------------------------------------------------------------------------

_finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def _rows_and_sparseness(draw, max_rows=6, max_features=12):
    n_rows = draw(st.integers(1, max_rows))
    n_features = draw(st.integers(2, max_features))
    # Small integers make ties and all-equal rows likely; floats cover the rest.
    elements = st.one_of(st.integers(-3, 3).map(float), _finite)
    X = draw(arrays(np.float64, (n_rows, n_features), elements=elements))
    sparseness = draw(st.floats(0.0, 1.0))
    return X, sparseness


@settings(max_examples=150, deadline=None)
@given(_rows_and_sparseness())
def test_projection_is_feasible_and_nearest(data):
    X, sparseness = data
    n = X.shape[1]
    S = project_sparseness(X, sparseness, l2=2.0)
    l1 = sparseness_to_l1(n, sparseness, 2.0)
    assert S.shape == X.shape and S.dtype == X.dtype
    assert np.all(S >= 0)
    got_l1, got_l2 = _norms(S)
    np.testing.assert_allclose(got_l1, l1, rtol=1e-6)
    np.testing.assert_allclose(got_l2, 2.0, rtol=1e-6)

    distance = np.linalg.norm(S - X, axis=1)
    # At sparseness 0 the result is snapped to the exactly uniform vector, up to
    # 3e-8 * l2 from the projection onto the rounded l1 = sqrt(n) * l2.
    slack = 1e-7 * (1.0 + np.linalg.norm(X, axis=1))
    rng = np.random.default_rng(0)
    # Other feasible points: permutations of the result (the rearrangement inequality
    # makes sorting the result like x optimal) and projections of random vectors.
    for _ in range(5):
        other = S[:, rng.permutation(n)]
        assert np.all(distance <= np.linalg.norm(other - X, axis=1) + slack)
    others = project_sparseness(rng.standard_normal((20, n)), sparseness, l2=2.0)
    for other in others:
        assert np.all(distance <= np.linalg.norm(other - X, axis=1) + slack)
    # Hoyer's own algorithm (where it is defined) never finds a nearer point.
    for x, d, tol in zip(X, distance, slack, strict=True):
        reference = _hoyer_loop(x, l1, 2.0)
        if reference is not None and np.all(reference >= -1e-9):
            ref_l1, ref_l2 = _norms(reference)
            if abs(ref_l1 - l1) < 1e-9 * l1 and abs(ref_l2 - 2.0) < 1e-9:
                assert d <= np.linalg.norm(reference - x) + tol


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 30)),
              elements=st.integers(-800, 800).map(lambda v: v / 8)),
       st.floats(0.0, 1.0), st.sampled_from([0.25, 0.5, 2.0, 8.0]))
def test_projection_is_translation_and_scale_invariant(X, sparseness, scale):
    # The nearest point maximises <s, x> over a set with fixed sum and norm: adding a
    # constant to x or scaling it by a positive factor changes nothing. (Eighths and
    # powers of two keep the shifted and scaled input exact, ties included.)
    S = project_sparseness(X, sparseness)
    np.testing.assert_allclose(project_sparseness(X * scale + 7.0, sparseness), S, atol=1e-7)


def test_projection_matches_hoyers_algorithm_on_random_vectors():
    rng = np.random.default_rng(2)
    for n, sparseness in [(2, 0.3), (10, 0.5), (100, 0.6), (1000, 0.8), (50, 0.05)]:
        X = rng.standard_normal((20, n))
        l1 = sparseness_to_l1(n, sparseness)
        S = project_l1_l2(X, l1, 1.0)
        expected = np.array([_hoyer_loop(x, l1, 1.0) for x in X])
        np.testing.assert_allclose(S, expected, atol=1e-10)


def test_projection_matches_the_benchmark_reference_projfunc():
    rng = np.random.default_rng(3)
    X = rng.random((30, 64))
    l1 = sparseness_to_l1(64, 0.7)
    expected = np.array([projfunc(x, l1, 1.0)[0] for x in X])
    np.testing.assert_allclose(project_l1_l2(X, l1, 1.0), expected, atol=1e-10)


def test_batched_equals_row_by_row_with_per_row_targets():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 17))
    sparseness = rng.random(40)
    l2 = rng.random(40) + 0.5
    l1 = sparseness_to_l1(17, sparseness, l2)
    S = project_l1_l2(X, l1, l2)
    for i in range(40):
        np.testing.assert_array_equal(S[i], project_l1_l2(X[i], l1[i], l2[i]))
    np.testing.assert_allclose(_norms(S)[0], l1, rtol=1e-12)
    np.testing.assert_allclose(_norms(S)[1], l2, rtol=1e-12)
    np.testing.assert_array_equal(project_sparseness(X, sparseness, l2), S)


def test_projection_over_several_workspace_blocks_equals_one_block(monkeypatch):
    import sparse_parts.sparseness as module

    rng = np.random.default_rng(5)
    X = rng.standard_normal((50, 30))
    whole = project_sparseness(X, 0.6)
    monkeypatch.setattr(module, "_BLOCK_ENTRIES", 7 * 30)  # 7 rows per block
    np.testing.assert_array_equal(project_sparseness(X, 0.6), whole)
    np.testing.assert_array_equal(project_sparseness(np.asfortranarray(X), 0.6), whole)


@pytest.mark.parametrize("n_features", [2, 100, 5000])
def test_float32_stays_float32_and_agrees_with_float64(n_features):
    rng = np.random.default_rng(6)
    X = rng.random((8, n_features))
    S32 = project_sparseness(X.astype(np.float32), 0.7)
    assert S32.dtype == np.float32
    np.testing.assert_allclose(S32, project_sparseness(X, 0.7), atol=1e-6)
    l1 = sparseness_to_l1(n_features, 0.7)
    np.testing.assert_allclose(_norms(S32)[0], l1, rtol=1e-6)
    np.testing.assert_allclose(_norms(S32)[1], 1.0, rtol=1e-6)


def test_vector_input_and_integer_input():
    S = project_sparseness([3, 1, 0, 2], 0.5)
    assert S.shape == (4,) and S.dtype == np.float64
    assert hoyer_sparseness(S) == pytest.approx(0.5)
    assert project_sparseness(np.empty((0, 4)), 0.5).shape == (0, 4)


# --------------------------------------------------------------------------------------
# Degenerate rows
# --------------------------------------------------------------------------------------


def test_sparseness_zero_gives_the_uniform_vector():
    X = np.array([[3.0, -1.0, 0.5, 2.0], [1.0, 1.0, 1.0, 1.0], [-5.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(project_sparseness(X, 0.0), np.full((3, 4), 0.5), atol=1e-15)


def test_sparseness_one_gives_a_one_hot_vector_at_the_maximum():
    X = np.array([[3.0, -1.0, 5.0, 2.0], [-4.0, -1.0, -2.0, -3.0]])
    np.testing.assert_allclose(project_sparseness(X, 1.0, l2=2.0),
                               [[0, 0, 2.0, 0], [0, 2.0, 0, 0]], atol=1e-15)


@pytest.mark.parametrize("sparseness", [0.0, 0.2, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("row", [[1.0] * 6, [2.0, 2.0, 2.0, 1.0, 0.0, 0.0],
                                 [-1.0, -1.0, -1.0, -1.0, -3.0, -3.0], [0.0] * 6])
def test_ties_and_all_equal_rows_get_a_nearest_feasible_point(row, sparseness):
    x = np.array(row)
    s = project_sparseness(x, sparseness)
    assert np.all(s >= 0)
    assert hoyer_sparseness(s) == pytest.approx(sparseness, abs=1e-9)
    assert np.linalg.norm(s) == pytest.approx(1.0, rel=1e-12)
    # Nearest: no permutation of it (all feasible) is nearer, and it sits on the
    # largest entries (an entry of s is positive only where x is maximal, or all
    # larger entries of x are already in the support).
    rng = np.random.default_rng(7)
    for _ in range(20):
        assert np.linalg.norm(s - x) <= np.linalg.norm(s[rng.permutation(6)] - x) + 1e-12
    assert np.all(np.diff(s[np.argsort(-x, kind="stable")]) <= 1e-12)


def test_negative_entries_are_handled_like_shifted_ones():
    x = np.array([-3.0, -1.0, -2.0, -10.0])
    np.testing.assert_allclose(project_sparseness(x, 0.4), project_sparseness(x + 20, 0.4),
                               atol=1e-12)


def test_extreme_scales_and_near_ties_keep_both_norms():
    rows = [[1e300, -1e300, 3e299], [0.0, 5e-324, 1e-323], [1 + 2e-15, 1.0, 1 - 2e-16],
            [1e-200, 2e-200, 0.0]]
    for row in rows:
        s = project_sparseness(np.array(row), 0.5)
        assert np.isfinite(s).all() and np.all(s >= 0)
        assert hoyer_sparseness(s) == pytest.approx(0.5, abs=1e-9)
        assert np.linalg.norm(s) == pytest.approx(1.0, rel=1e-9)


def test_single_feature():
    np.testing.assert_array_equal(project_l1_l2(np.array([[-4.0], [2.0]]), 3.0, 3.0),
                                  [[3.0], [3.0]])


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, l1, l2, match",
    [
        (np.ones((2, 4)), 0.5, 1.0, r"Infeasible target in row 0: l1=0.5"),
        (np.ones((2, 4)), 2.5, 1.0, r"l2 <= l1 <= sqrt\(n\) \* l2"),
        (np.ones((2, 4)), [1.5, 3.0], 1.0, "row 1"),
        (np.ones((2, 4)), 1.0, 0.0, "l2 must be positive"),
        (np.ones((2, 4)), 1.0, -1.0, "l2 must be positive"),
        (np.ones((2, 4)), np.nan, 1.0, "l1 must be finite"),
        (np.ones((2, 4)), [1.0, 1.0, 1.0], 1.0, r"one value per row, shape \(2,\)"),
        (np.array([[1.0, np.nan]]), 1.2, 1.0, "NaN or infinite"),
        (np.array([[1.0, np.inf]]), 1.2, 1.0, "NaN or infinite"),
        (np.ones((2, 2, 2)), 1.2, 1.0, "1-D vector or a 2-D array"),
        (np.ones((2, 0)), 1.0, 1.0, "rows of length 0"),
    ],
)
def test_project_l1_l2_rejects_infeasible_input(X, l1, l2, match):
    with pytest.raises(ValueError, match=match):
        project_l1_l2(X, l1, l2)


def test_project_sparseness_rejects_bad_sparseness():
    with pytest.raises(ValueError, match=r"sparseness must lie in \[0, 1\]"):
        project_sparseness(np.ones((2, 3)), 1.2)
    with pytest.raises(ValueError, match="l2 must be positive"):
        project_sparseness(np.ones((2, 3)), 0.5, l2=0.0)


# --------------------------------------------------------------------------------------
# The cone projection
# --------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(_rows_and_sparseness(max_features=10))
def test_cone_projection_has_the_sparseness_and_is_nearest(data):
    X, sparseness = data
    n = X.shape[1]
    C = project_sparseness_cone(X, sparseness)
    assert np.all(C >= 0)
    norms = np.linalg.norm(C, axis=1)
    nonzero = norms > 1e-12 * (1 + np.abs(X).max(axis=1))
    np.testing.assert_allclose(hoyer_sparseness(C[nonzero], axis=1), sparseness, atol=1e-7)
    distance = np.linalg.norm(C - X, axis=1)
    slack = 1e-9 * (1 + np.linalg.norm(X, axis=1))
    rng = np.random.default_rng(8)
    unit_others = project_sparseness(rng.standard_normal((10, n)), sparseness)
    unit_others = np.concatenate([unit_others, project_sparseness(X, sparseness)])
    for scale in (0.0, 0.5, 1.0, 2.0, 10.0):
        for v in unit_others:
            assert np.all(distance <= np.linalg.norm(scale * v - X, axis=1) + slack)
        assert np.all(distance <= np.linalg.norm(scale * C - X, axis=1) + slack)


def test_cone_projection_maps_rows_without_a_positive_part_to_zero():
    X = np.array([[-1.0, -2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    C = project_sparseness_cone(X, 0.5)
    np.testing.assert_array_equal(C[:2], 0.0)
    assert hoyer_sparseness(C[2]) == pytest.approx(0.5)
    assert project_sparseness_cone(X.astype(np.float32), 0.5).dtype == np.float32
    assert project_sparseness_cone(X[2], 0.5).shape == (3,)


# --------------------------------------------------------------------------------------
# torch
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_features", [1, 2, 13, 300])
def test_torch_projection_matches_numpy(n_features):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    X = rng.standard_normal((25, n_features))
    X[0] = 1.0  # all equal
    X[1, : n_features // 2] = 2.0  # ties at the maximum
    sparseness = rng.random(25) if n_features > 1 else np.zeros(25)
    expected = project_sparseness(X, sparseness)
    got = project_sparseness(torch.from_numpy(X), torch.from_numpy(sparseness))
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    got32 = project_sparseness(torch.from_numpy(X).float(), sparseness)
    assert got32.dtype == torch.float32
    np.testing.assert_allclose(got32.numpy(), expected, atol=1e-6)
    cone = project_sparseness_cone(torch.from_numpy(X), sparseness)
    np.testing.assert_allclose(cone.numpy(), project_sparseness_cone(X, sparseness),
                               atol=1e-12)
    assert project_sparseness(torch.from_numpy(X[0]), 0.0).shape == (n_features,)


def test_torch_projection_rejects_non_finite_input():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="NaN or infinite"):
        project_sparseness(torch.tensor([[1.0, float("nan")]]), 0.5)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 3000),
    sparseness=st.floats(0.05, 0.95),
    guess=st.one_of(st.none(), st.floats(-2.0, 2.0)),
)
def test_project_vector_warm_equals_the_sorted_projection(seed, n, sparseness, guess):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * rng.uniform(0.1, 10)
    l1 = sparseness_to_l1(n, sparseness)
    expected = project_l1_l2(x, l1, 1.0)
    result, threshold = project_vector_warm(x, l1, 1.0, guess)
    np.testing.assert_allclose(result, expected, atol=1e-9)
    if threshold is not None:
        # The threshold returned reproduces the result and warm-starts exactly.
        again, same = project_vector_warm(x, l1, 1.0, threshold)
        np.testing.assert_allclose(again, expected, atol=1e-9)
        assert same == pytest.approx(threshold)


# --------------------------------------------------------------------------------------
# Non-finite, non-real and unreachable input is refused, not answered
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_hoyer_sparseness_rejects_non_finite_input(bad):
    # NaN used to read as sparseness 0, inf as NaN.
    with pytest.raises(ValueError, match="x holds NaN or infinite values"):
        hoyer_sparseness(np.array([1.0, bad, 0.0]))
    X = np.ones((3, 4))
    X[2, 1] = bad
    with pytest.raises(ValueError, match="needs finite input"):
        hoyer_sparseness(X, axis=0)


def test_hoyer_sparseness_torch_gives_nan_for_non_finite_vectors():
    torch = pytest.importorskip("torch")
    x = torch.tensor([[1.0, float("nan")], [1.0, float("inf")], [2.0, 0.0], [1.0, 1.0]],
                     requires_grad=True)
    s = hoyer_sparseness(x)
    assert torch.isnan(s[:2]).all()
    np.testing.assert_allclose(s[2:].detach().numpy(), [1.0, 0.0], atol=1e-12)
    s[2:].sum().backward()
    assert torch.isfinite(x.grad[2:]).all()


@pytest.mark.parametrize("x", [np.array([1 + 1j, 2.0]), np.array(["a", "b"]),
                               np.array([{}, 1.0], dtype=object)])
def test_measure_and_projection_reject_non_real_input(x):
    # Complex input lost its imaginary part with a mere warning; text and objects
    # failed inside numpy's casting.
    with pytest.raises(ValueError, match="x must hold real numbers"):
        hoyer_sparseness(x)
    with pytest.raises(ValueError, match="X must hold real numbers"):
        project_l1_l2(x, 1.2, 1.0)


def test_object_arrays_of_numbers_are_converted():
    x = np.array([0.0, 3.0, 0.0], dtype=object)
    assert hoyer_sparseness(x) == 1.0
    np.testing.assert_allclose(project_l1_l2(x, 1.2, 1.0),
                               project_l1_l2(x.astype(float), 1.2, 1.0))


def test_length_one_vectors_reach_only_sparseness_zero():
    # A 1-vector has sparseness 0 by the measure's convention; asking for 0.7 used to
    # return [1.0] (sparseness 0) without a word.
    with pytest.raises(ValueError, match="length 1 has Hoyer sparseness 0"):
        sparseness_to_l1(1, 0.7)
    with pytest.raises(ValueError, match="cannot be reached at n=1"):
        project_sparseness(np.array([3.0]), 0.7)
    with pytest.raises(ValueError, match="cannot be reached at n=1"):
        project_sparseness(np.array([[3.0], [1.0]]), [0.0, 1.0])
    for at_least in (False, True):
        with pytest.raises(ValueError, match="cannot be reached at n=1"):
            project_sparseness_cone(np.array([[2.0]]), 0.5, at_least=at_least)
    assert sparseness_to_l1(1, 0.0, 2.0) == 2.0
    np.testing.assert_array_equal(project_sparseness(np.array([[-3.0]]), 0.0), [[1.0]])
    np.testing.assert_array_equal(project_sparseness_cone(np.array([[2.0]]), 0.0), [[2.0]])


def test_length_one_torch_vectors_reach_only_sparseness_zero():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="cannot be reached at n=1"):
        project_sparseness(torch.ones(4, 1), 0.5)


@pytest.mark.parametrize(
    "x, l1, l2, guess, match",
    [
        # A negative L2 target came back as a non-positive vector.
        (np.random.default_rng(0).random(20), 1.2, -1.0, None, "l2 must be positive"),
        (np.random.default_rng(0).random(20), 1.2, np.nan, None, "l2 must be finite"),
        (np.random.default_rng(0).random(20), 9.0, 1.0, 0.5, "Infeasible target"),
        # -inf fell outside the guessed support and was projected as if absent.
        (np.array([1.0, -np.inf, 2.0, 3.0]), 1.2, 1.0, 1.5, "x holds NaN or infinite"),
        (np.array([1.0, np.nan, 2.0, 3.0]), 1.2, 1.0, 1.5, "x holds NaN or infinite"),
        (np.ones((2, 3)), 1.2, 1.0, None, "x must be a 1-D float array"),
        (np.arange(4), 1.2, 1.0, None, "x must be a 1-D float array"),
    ],
)
def test_project_vector_warm_rejects_bad_input(x, l1, l2, guess, match):
    with pytest.raises(ValueError, match=match):
        project_vector_warm(x, l1, l2, guess)


def test_project_vector_warm_accepts_targets_at_the_rounding_edge():
    # sparseness 0 gives l1 = sqrt(n) * l2 up to rounding: the full check admits it.
    x = np.random.default_rng(1).random(7)
    l1 = sparseness_to_l1(7, 0.0) * (1 + 1e-12)
    result, _ = project_vector_warm(x, l1, 1.0)
    np.testing.assert_allclose(result, np.full(7, 1 / math.sqrt(7)), rtol=1e-9)
    # Numpy scalars of another type take the full check, and pass it.
    l1 = np.float32(sparseness_to_l1(7, 0.5))
    result, _ = project_vector_warm(x, l1, np.float32(1.0))
    np.testing.assert_allclose(result, project_l1_l2(x, float(l1), 1.0), atol=1e-12)


@pytest.mark.parametrize("axis", [1, -2, 0.5, None, True])
def test_hoyer_sparseness_rejects_a_bad_axis(axis):
    # An out-of-range axis used to raise a bare IndexError from a shape lookup.
    with pytest.raises(ValueError, match=r"axis must be an integer in \[-1, 0\]"):
        hoyer_sparseness(np.ones(3), axis=axis)


def test_hoyer_sparseness_torch_rejects_a_bad_axis():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"axis must be an integer in \[-2, 1\]"):
        hoyer_sparseness(torch.ones(2, 3), axis=2)


@pytest.mark.parametrize(
    "sparseness, l2, match",
    [
        ([0.1, 0.2, 0.3], 1.0, r"sparseness must be a scalar or hold one value per row"),
        ([[0.1], [0.2]], 1.0, r"sparseness must be a scalar .* got shape \(2, 1\)"),
        (0.5, [1.0, 2.0, 3.0], r"l2 must be a scalar or hold one value per row"),
    ],
)
def test_per_row_targets_of_the_wrong_shape_are_named(sparseness, l2, match):
    # The error used to name l1, which the caller never passed.
    with pytest.raises(ValueError, match=match):
        project_sparseness(np.ones((2, 3)), sparseness, l2)
    if np.ndim(l2) == 0:
        for at_least in (False, True):
            with pytest.raises(ValueError, match=match):
                project_sparseness_cone(np.ones((2, 3)), sparseness, at_least=at_least)


def test_sparseness_to_l1_refuses_text():
    # "0.5" used to be parsed as a number.
    with pytest.raises(ValueError, match="sparseness must hold real numbers"):
        sparseness_to_l1(4, "0.5")
    with pytest.raises(ValueError, match="l2 must hold real numbers"):
        sparseness_to_l1(4, 0.5, l2="1")
