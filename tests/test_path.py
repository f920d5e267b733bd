"""The code_l1 regularisation path, SparseNMF's warm start, and SparseNMFPath."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_parts import SparseNMF
from sparse_parts.metrics import hoyer_sparsity
from sparse_parts.path import (
    PathResult,
    SparseNMFPath,
    _gaps,
    _largest_front_gap,
    default_code_l1s,
    pareto_indices,
    sparse_nmf_path,
)


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    X = data.data / 16.0
    return X[:700], X[700:1000], data.target[:700]


def _objective(model, X):
    """The fit's objective, penalty included, with transform's codes of X."""
    codes = model.transform(X)
    residual = X - codes @ model.components_
    penalty = model.code_l1 * np.linalg.norm(X, axis=1) @ codes.sum(axis=1)
    return 0.5 * float(np.vdot(residual, residual)) + penalty


# ------------------------------------------------------------- SparseNMF warm start
def test_warm_start_from_converged_atoms_stays_there(digits):
    X = digits[0]
    cold = SparseNMF(12, code_l1=0.03, tol=1e-6, max_iter=600, random_state=0).fit(X)
    warm = SparseNMF(code_l1=0.03, init=cold.components_, max_iter=50, random_state=0).fit(X)
    assert warm.n_components_ == 12  # from the starting atoms
    assert warm.n_iter_ < cold.n_iter_
    assert _objective(warm, X) <= _objective(cold, X) * (1 + 1e-3)


def test_a_short_warm_start_begins_from_solved_codes(digits):
    # A path point runs a few iterations with tol=0; its starting codes must still be
    # solved to the code solver's default accuracy, or the fit starts (and, in a few
    # iterations, ends) above the objective of the atoms it was given.
    X = digits[0]
    cold = SparseNMF(12, code_l1=0.03, tol=1e-6, max_iter=600, random_state=0).fit(X)
    warm = SparseNMF(code_l1=0.03, init=cold.components_, max_iter=2, tol=0,
                     random_state=0).fit(X)
    warm.set_params(max_iter=600, tol=1e-6)  # measured with the cold fit's code solver
    assert _objective(warm, X) <= _objective(cold, X) * (1 + 1e-3)


def test_warm_start_atoms_are_scaled_to_unit_norm(digits):
    X = digits[0]
    atoms = np.random.default_rng(0).random((5, X.shape[1])) * 7.0
    model = SparseNMF(init=atoms, max_iter=3, tol=0).fit(X)
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1.0)


@pytest.mark.parametrize("init, n_components, match", [
    (np.ones((3, 5)), None, "shape"),
    (np.ones((3, 64)), 4, "shape"),
    (-np.ones((3, 64)), None, "negative"),
    ("svd", None, "init must be one of"),
    (np.ones(64), None, "init must be one of"),
])
def test_bad_starting_atoms(digits, init, n_components, match):
    with pytest.raises(ValueError, match=match):
        SparseNMF(n_components, init=init).fit(digits[0])


def test_codes_solved_from_given_codes_are_the_solved_codes(digits):
    # Without a sparseness each sample's problem is convex: started from another
    # problem's codes (another strength), the solver reaches the same codes.
    from sparse_parts._nmf_constraints import solve_codes

    X = digits[0]
    atoms = SparseNMF(10, max_iter=50, random_state=0).fit(X).components_
    cold = solve_codes(X, atoms, None, 2000, 1e-10, code_l1=0.05)
    neighbour = solve_codes(X, atoms, None, 2000, 1e-10, code_l1=0.02)
    warm = solve_codes(X, atoms, None, 2000, 1e-10, code_l1=0.05, codes=neighbour)
    np.testing.assert_allclose(warm, cold, atol=1e-4)
    assert not np.allclose(neighbour, cold, atol=1e-2)  # a different start indeed
    # ... which the solver starts from: one sweep from the neighbour's codes lands
    # nearer the solution than one sweep from the solver's own start.
    one_warm = solve_codes(X, atoms, None, 1, 0, code_l1=0.05, codes=neighbour)
    one_cold = solve_codes(X, atoms, None, 1, 0, code_l1=0.05)
    assert np.linalg.norm(one_warm - cold) < 0.5 * np.linalg.norm(one_cold - cold)


def test_a_warm_start_from_given_codes_matches_one_from_the_atoms_alone(digits):
    from sparse_parts.nmf import sparse_nmf

    X = digits[0]
    first = SparseNMF(10, code_l1=0.02, random_state=0).fit(X)
    codes = first.transform(X)

    def warm(**start):
        return sparse_nmf(X, code_l1=0.05, init=first.components_, max_iter=5, tol=0,
                          **start)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        (_, from_atoms, *_), (_, from_codes, *_) = warm(), warm(init_codes=codes)
    np.testing.assert_allclose(from_codes, from_atoms, atol=5e-3)


@pytest.mark.parametrize("init, init_codes, match", [
    ("nndsvd", np.ones((700, 4)), "give the starting atoms as init"),
    (np.ones((4, 64)), np.ones((700, 5)), r"shape \(n_samples, n_components\)"),
    (np.ones((4, 64)), -np.ones((700, 4)), "negative"),
    (np.ones((4, 64)), "codes", "init_codes must be an array"),
])
def test_bad_starting_codes(digits, init, init_codes, match):
    from sparse_parts.nmf import sparse_nmf

    with pytest.raises(ValueError, match=match):
        sparse_nmf(digits[0], 4, init=init, init_codes=init_codes)


def test_partial_fit_starts_from_given_atoms(digits):
    X = digits[0]
    atoms = SparseNMF(6, max_iter=30, random_state=0).fit(X).components_
    model = SparseNMF(init=atoms, forget_factor=0.0).partial_fit(X)
    assert model.components_.shape == atoms.shape
    # One block update from good atoms: still close to them.
    assert np.linalg.norm(model.components_ - atoms) < 0.5 * np.linalg.norm(atoms)


# ------------------------------------------------------------------------ the path
def test_every_warm_point_is_as_good_as_a_cold_fit(digits):
    X, X_test, _ = digits
    code_l1s = np.geomspace(0.01, 0.08, 10)  # steps of 1.26, as the default grid's
    path = sparse_nmf_path(X, code_l1s, X_test=X_test, n_components=16, random_state=0)
    for code_l1, warm in list(zip(code_l1s, path.models, strict=True))[::3]:
        cold = SparseNMF(16, code_l1=code_l1, max_iter=600, tol=1e-5, random_state=0).fit(X)
        # The objective a cold fit converges to, give or take 5% (a non-convex problem:
        # the points are other local optima, not the same atoms in another order).
        assert _objective(warm, X) <= 1.05 * _objective(cold, X)
        # The same objective splits differently between its two terms in another local
        # optimum: at 0.04 the warm point's held-out Hoyer was 0.69, the cold fit's 0.76.
        codes_warm, codes_cold = warm.transform(X_test), cold.transform(X_test)
        assert abs(hoyer_sparsity(codes_warm) - hoyer_sparsity(codes_cold)) < 0.08
        assert warm.score(X_test) == pytest.approx(cold.score(X_test), rel=0.2)


def test_path_is_monotone_on_the_digits(digits):
    X, X_test, _ = digits
    path = sparse_nmf_path(X, X_test=X_test, n_components=16, random_state=0)
    assert path.is_monotone, path.sparsity
    assert np.all(np.diff(path.code_l1s) > 0)
    assert path.sparsity[-1] - path.sparsity[0] > 0.3  # a real range of trade-offs
    assert np.all(np.diff(path.mse) > -1e-4)  # and MSE follows the strength, up


def test_path_result_fields(digits):
    X, X_test, _ = digits
    path = sparse_nmf_path(X, [0.2, 0.01, 0.05], X_test=X_test, n_components=8,
                           path_max_iter=5, random_state=0)
    np.testing.assert_array_equal(path.code_l1s, [0.01, 0.05, 0.2])  # sorted, increasing
    assert [m.code_l1 for m in path.models] == [0.01, 0.05, 0.2]
    assert list(path.n_iter[1:]) == [5, 5]
    assert len(path.components) == 3 and path.components[0].shape == (8, 64)
    assert np.all(np.isfinite(path.max_approximation))  # 8 x 8 images
    records = path.as_records()
    assert [r["pareto"] for r in records] == [i in set(path.pareto) for i in range(3)]
    # A warm model transforms as a cold one does: max_iter and tol are the path's.
    assert path.models[1].get_params()["max_iter"] == 200


def test_pareto_indices():
    mse = [0.1, 0.2, 0.3, 0.25]
    sparsity = [0.5, 0.6, 0.7, 0.55]
    np.testing.assert_array_equal(pareto_indices(mse, sparsity), [0, 1, 2])
    np.testing.assert_array_equal(pareto_indices(mse, sparsity, [0.4, 0.4, 0.4, 0.1]),
                                  [0, 1, 2, 3])


def test_default_grid_is_relative_to_the_data(digits):
    X = digits[0]
    grid = default_code_l1s(X, 5)
    assert len(grid) == 5 and np.all(np.diff(grid) > 0)
    assert grid[0] == pytest.approx(1e-2 * grid[-1])
    np.testing.assert_allclose(default_code_l1s(X * 1e-6, 5), grid)  # units do not matter


@pytest.mark.parametrize("code_l1s", [[], [0.1, 1.0], [-0.1], [0.1, 0.1], [[0.1]],
                                      ["a"], [np.nan]])
def test_bad_code_l1s(digits, code_l1s):
    with pytest.raises(ValueError, match="code_l1s"):
        sparse_nmf_path(digits[0], code_l1s, n_components=4)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_points": 0}, "n_points"),
    ({"path_max_iter": 0}, "path_max_iter"),
    ({"code_l1": 0.1}, "code_l1 is set by the path"),
    ({"init": "random"}, "init is set by the path"),
    ({"alpha": 1.0}, "not parameter"),
    ({"eps": 2.0}, "eps"),
])
def test_bad_path_arguments(digits, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sparse_nmf_path(digits[0], n_components=4, **kwargs)


# ------------------------------------------------------------------ refinement
@pytest.fixture(scope="module")
def coarse_paths(digits):
    """A coarse path on the digits, without and with two inserted points."""
    X, X_test, _ = digits
    kwargs = dict(X_test=X_test, n_components=12, n_points=4, random_state=0)
    return sparse_nmf_path(X, **kwargs), sparse_nmf_path(X, refine=2, **kwargs)


def test_refinement_keeps_the_sweep_and_inserts_into_its_largest_gap(coarse_paths):
    plain, refined = coarse_paths
    assert refined.inserted.sum() == 2 and not plain.inserted.any()
    sweep = ~refined.inserted
    np.testing.assert_array_equal(refined.code_l1s[sweep], plain.code_l1s)
    np.testing.assert_array_equal(refined.mse[sweep], plain.mse)  # the same fits
    assert np.all(np.diff(refined.code_l1s) > 0)
    # The first point goes into the widest gap between neighbours on the plain path's
    # front, at the geometric mean of their strengths.
    front = np.sort(pareto_indices(plain.mse, plain.sparsity))
    gaps = _gaps(plain.mse[front], plain.sparsity[front])
    i = int(np.argmax(gaps))
    assert gaps[i] > 0.05
    between = np.sqrt(plain.code_l1s[front[i]] * plain.code_l1s[front[i + 1]])
    assert np.any(np.isclose(refined.code_l1s[refined.inserted], between))
    # The points split the gaps: the refined front's widest gap is narrower.
    refined_front = np.sort(pareto_indices(refined.mse, refined.sparsity))
    assert _gaps(refined.mse[refined_front], refined.sparsity[refined_front]).max() \
        < gaps.max()
    assert all(1 <= n <= 25 for n in refined.n_iter[refined.inserted])  # path_max_iter
    assert [r["inserted"] for r in refined.as_records()] == refined.inserted.tolist()


def test_a_gap_beside_a_dominated_point_is_not_refined():
    # Strengths 0.1, 0.2, 0.4: the point at 0.2 is dominated (less sparse than at 0.1),
    # so the front's gap is from 0.1 to 0.4, and its middle is 0.2, already fitted.
    code_l1s, mse, sparsity = [0.1, 0.2, 0.4], [0.1, 0.2, 0.4], [0.5, 0.4, 0.9]
    assert _largest_front_gap(code_l1s, mse, sparsity, 0.05) is None
    # Dominating the middle point, the front's gaps are split at 0.1-0.2 and 0.2-0.4.
    sparsity = [0.5, 0.6, 0.9]
    assert _largest_front_gap(code_l1s, mse, sparsity, 0.05) == pytest.approx(
        np.sqrt(0.2 * 0.4))
    assert _largest_front_gap(code_l1s, mse, sparsity, 1.0) is None


def test_refinement_inserts_nothing_where_no_gap_exceeds_refine_gap(digits):
    X, X_test, _ = digits
    path = sparse_nmf_path(X, X_test=X_test, n_components=8, n_points=3, refine=5,
                           refine_gap=1.0, path_max_iter=5, random_state=0)
    assert len(path.code_l1s) == 3 and not path.inserted.any()


def test_an_inserted_point_is_as_good_as_a_cold_fit(digits, coarse_paths):
    X = digits[0]
    refined = coarse_paths[1]
    for code_l1, model in zip(refined.code_l1s[refined.inserted],
                              np.array(refined.models)[refined.inserted], strict=True):
        cold = SparseNMF(12, code_l1=code_l1, max_iter=600, tol=1e-5, random_state=0).fit(X)
        assert _objective(model, X) <= 1.05 * _objective(cold, X)


def test_zero_fraction_counts_the_exact_zeros_of_the_held_out_codes(digits, coarse_paths):
    X_test = digits[1]
    path = coarse_paths[0]
    for fraction, model in zip(path.zero_fraction, path.models, strict=True):
        assert fraction == pytest.approx(np.mean(model.transform(X_test) == 0))
    assert np.all(np.diff(path.zero_fraction) > 0)  # the L1 penalty zeroes more codes
    assert [r["zero_fraction"] for r in path.as_records()] == path.zero_fraction.tolist()


def test_sparsity_drops_names_the_points_less_sparse_than_their_predecessor():
    models = [SparseNMF(4) for _ in range(4)]
    for model in models:
        model.components_ = np.eye(4)
    path = PathResult(np.array([0.1, 0.2, 0.3, 0.4]), models,
                      mse=np.array([0.1, 0.2, 0.3, 0.4]),
                      sparsity=np.array([0.5, 0.4, 0.6, 0.6]),
                      max_approximation=np.full(4, np.nan),
                      nonzeros=np.array([3.0, 2.0, 2.0, 1.0]),
                      n_iter=np.ones(4, int), fit_time=np.zeros(4))
    np.testing.assert_array_equal(path.sparsity_drops, [1])
    assert not path.is_monotone
    np.testing.assert_allclose(path.zero_fraction, [0.25, 0.5, 0.5, 0.75])
    assert not path.inserted.any()


def test_path_tol_stops_warm_points_within_their_budget_without_warning(digits):
    X, X_test, _ = digits
    kwargs = dict(X_test=X_test, n_components=8, n_points=4, path_max_iter=60,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        loose = sparse_nmf_path(X, path_tol=1e-2, **kwargs)
        fixed = sparse_nmf_path(X, path_tol=0, **kwargs)
    assert np.all(loose.n_iter[1:] <= 60) and np.any(loose.n_iter[1:] < 60)
    assert list(fixed.n_iter[1:]) == [60, 60, 60]
    assert loose.n_iter[0] == fixed.n_iter[0]  # the cold point keeps its own tol
    assert loose.models[1].get_params()["tol"] == 1e-4  # transform as a cold fit's


@pytest.mark.parametrize("kwargs, match", [
    ({"path_tol": -0.1}, "path_tol must be a real number in"),
    ({"path_tol": 1.0}, "path_tol must be a real number in"),
    ({"path_tol": "a"}, "path_tol must be a real number in"),
    ({"refine": -1}, "refine must be a non-negative integer"),
    ({"refine": 1.5}, "refine must be a non-negative integer"),
    ({"refine": True}, "refine must be a non-negative integer"),
    ({"refine_gap": 0.0}, "refine_gap must be a real number in"),
    ({"refine_gap": 2.0}, "refine_gap must be a real number in"),
    ({"refine": 2, "measure": False}, "refine needs the points measured"),
    ({"restart_on_drop": "yes"}, "restart_on_drop must be True or False"),
    ({"restart_on_drop": True, "measure": False}, "restart_on_drop needs the points measured"),
])
def test_bad_refinement_arguments(digits, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sparse_nmf_path(digits[0], n_components=4, **kwargs)


def _forced_drop(monkeypatch, at):
    """Make the path's measurement report a sparsity drop at strength ``at``."""
    import sparse_parts.path as path_module

    measure = path_module._measure

    def measured(model, X_test):
        mse, sparsity, approx, nonzeros = measure(model, X_test)
        if np.isclose(model.code_l1, at) and model.init is not SparseNMF().init:
            sparsity = -1.0  # the warm point only: its cold restart is measured truly
        return mse, sparsity, approx, nonzeros

    monkeypatch.setattr(path_module, "_measure", measured)


def test_a_sparsity_drop_gets_a_cold_restart_and_keeps_the_better_solution(
        digits, monkeypatch):
    X = digits[0]
    strengths = [0.01, 0.03, 0.1]
    plain = sparse_nmf_path(X, strengths, n_components=8, path_max_iter=5,
                            random_state=0, restart_on_drop=False)
    _forced_drop(monkeypatch, 0.03)
    path = sparse_nmf_path(X, strengths, n_components=8, path_max_iter=5, random_state=0,
                           restart_on_drop=True)
    cold = SparseNMF(8, code_l1=0.03, random_state=0).fit(X)
    warm = plain.models[1]
    # The point's model is whichever of the warm and the cold fit solves its problem
    # better.
    kept = path.models[1]
    best = min((warm, cold), key=lambda m: _objective(m, X))
    np.testing.assert_allclose(kept.components_, best.components_, rtol=1e-6, atol=1e-9)
    assert path.restarted.tolist() == [False, best is cold, False]
    assert path.as_records()[1]["restarted"] == (best is cold)
    # The path goes on from the kept point's atoms (and its training codes, which
    # start the code solver: the same codes within its tolerance, hence atol).
    next_warm = SparseNMF(code_l1=0.1, init=kept.components_, max_iter=5, tol=0,
                          random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        next_warm.fit(X)
    np.testing.assert_allclose(path.models[2].components_, next_warm.components_,
                               rtol=0, atol=5e-3)


def test_no_drop_no_restart(digits):
    X = digits[0]
    strengths = [0.01, 0.03, 0.1]
    with_restarts = sparse_nmf_path(X, strengths, n_components=8, path_max_iter=5,
                                    random_state=0, restart_on_drop=True)
    without = sparse_nmf_path(X, strengths, n_components=8, path_max_iter=5,
                              random_state=0, restart_on_drop=False)
    assert with_restarts.is_monotone and not with_restarts.restarted.any()
    for a, b in zip(with_restarts.models, without.models, strict=True):
        np.testing.assert_array_equal(a.components_, b.components_)


def test_sparse_nmf_path_estimator_refines(digits):
    X = digits[0]
    model = SparseNMFPath(8, mse_budget=0.05, n_points=3, path_max_iter=5, refine=2,
                          random_state=0).fit(X)
    assert model.path_.inserted.sum() == 2
    assert model.code_l1_ in model.path_.code_l1s


# --------------------------------------------------------------- SparseNMFPath
def test_sparsest_within_mse(digits):
    X = digits[0]
    model = SparseNMFPath(12, mse_budget=0.03, n_points=6, random_state=0).fit(X)
    path = model.path_
    within = path.mse <= 0.03
    assert 0 < within.sum() < len(within)  # the budget matters
    assert within[model.best_index_]
    assert path.sparsity[model.best_index_] == path.sparsity[within].max()
    assert model.code_l1_ == path.code_l1s[model.best_index_]
    np.testing.assert_array_equal(model.transform(X[:5]),
                                  model.best_estimator_.transform(X[:5]))


def test_min_max_approx_above_sparsity(digits):
    X = digits[0]
    model = SparseNMFPath(12, select="min_max_approx_above_sparsity", min_sparsity=0.6,
                          n_points=6, random_state=0).fit(X)
    path = model.path_
    above = path.sparsity >= 0.6
    assert above[model.best_index_]
    assert path.max_approximation[model.best_index_] == path.max_approximation[above].min()


def test_unreachable_target_warns_and_keeps_the_nearest_point(digits):
    X = digits[0]
    with pytest.warns(UserWarning, match="mse_budget"):
        model = SparseNMFPath(6, mse_budget=1e-9, n_points=3, random_state=0).fit(X)
    assert model.best_index_ == int(np.argmin(model.path_.mse))


def test_selection_inside_grid_search_and_pipeline(digits):
    X, _, y = digits
    X, y = X[:400], y[:400]
    pipe = make_pipeline(
        SparseNMFPath(8, mse_budget=0.03, n_points=3, path_max_iter=5, random_state=0),
        SVC())
    search = GridSearchCV(pipe, {"sparsenmfpath__mse_budget": [0.02, 0.04]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a fold may miss a budget
        search.fit(X, y)
    best = search.best_estimator_[0]
    assert best.mse_budget in (0.02, 0.04)
    assert best.code_l1_ in best.path_.code_l1s
    assert search.score(X, y) > 0.5
    assert clone(best).get_params()["mse_budget"] == best.mse_budget


@pytest.mark.parametrize("kwargs, match", [
    ({"select": "best"}, "select must be one of"),
    ({"mse_budget": None}, "needs mse_budget"),
    ({"mse_budget": -1.0}, "needs mse_budget"),
    ({"select": "min_max_approx_above_sparsity"}, "needs min_sparsity"),
    ({"select": "min_mse_above_sparsity", "min_sparsity": 1.5}, "needs min_sparsity"),
    ({"mse_budget": 0.1, "validation_fraction": 1.0}, "validation_fraction"),
    ({"mse_budget": 0.1, "code_l1s": [0.5, 2.0]}, "code_l1s"),
])
def test_bad_targets(digits, kwargs, match):
    with pytest.raises(ValueError, match=match):
        SparseNMFPath(4, **kwargs).fit(digits[0])


def test_max_approx_target_needs_the_image_shape():
    X = np.random.default_rng(0).random((40, 15))  # 15 features: not a square image
    with pytest.raises(ValueError, match="image_shape"):
        SparseNMFPath(3, select="min_max_approx_above_sparsity", min_sparsity=0.1,
                      n_points=2, random_state=0).fit(X)


@pytest.mark.filterwarnings("ignore:No point of the path:UserWarning")
@pytest.mark.filterwarnings("ignore:Maximum number of iterations")
@pytest.mark.filterwarnings("ignore:n_features=.* is not a perfect square:UserWarning")
@parametrize_with_checks([SparseNMFPath(2, mse_budget=1.0, n_points=2, path_max_iter=2,
                                        max_iter=20, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_starting_atoms_are_refused_on_a_dask_array(digits):
    da = pytest.importorskip("dask.array")
    X = digits[0]
    atoms = np.ones((4, X.shape[1]))
    with pytest.raises(ValueError, match="starting atoms"):
        SparseNMF(init=atoms).fit(da.from_array(X, chunks=(200, 64)))
