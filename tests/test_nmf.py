import pickle
import warnings

import numpy as np
import pytest
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sparse_parts import SparseNMF
from sparse_parts.datasets import load_digits_images
from sparse_parts.nmf import sparse_nmf
from sparse_parts.sparseness import hoyer_sparseness


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data[:400].astype(np.float64)


def _mse(X, model, codes):
    return float(np.mean((X - model.inverse_transform(codes)) ** 2))


@pytest.mark.parametrize("scope", ["sample", "component"])
@pytest.mark.parametrize("code_sparseness", [None, 0.3, 0.7])
@pytest.mark.parametrize("atom_sparseness", [None, 0.5])
def test_factors_non_negative_and_constraints_met(digits, scope, code_sparseness,
                                                   atom_sparseness):
    model = SparseNMF(10, code_sparseness=code_sparseness, code_sparseness_scope=scope,
                      atom_sparseness=atom_sparseness, max_iter=30, tol=0,
                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = model.fit_transform(digits)
    assert (codes >= 0).all() and (model.components_ >= 0).all()
    # The scale convention: every atom of unit L2 norm (none is ever zero).
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1, rtol=1e-6)
    if atom_sparseness is not None:
        np.testing.assert_allclose(hoyer_sparseness(model.components_, axis=1),
                                   atom_sparseness, atol=1e-6)
    if code_sparseness is not None and scope == "component":
        # Hoyer's nmfsc: each component's activations have the given sparseness, their
        # scale free (a component no sample uses has all-zero activations).
        used = codes.any(axis=0)
        assert used.sum() >= 5
        np.testing.assert_allclose(hoyer_sparseness(codes[:, used], axis=0), code_sparseness,
                                   atol=1e-6)
    if code_sparseness is not None and scope == "sample":
        # Every code at least that sparse (the all-zero code is the cone's apex).
        for c in (codes, model.transform(digits[:50])):
            nonzero = np.abs(c).sum(axis=1) > 0
            assert (hoyer_sparseness(c[nonzero], axis=1) >= code_sparseness - 1e-6).all()


@pytest.mark.parametrize("kwargs", [
    {},
    {"code_sparseness": 0.6, "code_sparseness_scope": "component"},
    {"code_sparseness": 0.6, "code_sparseness_scope": "sample"},
    {"atom_sparseness": 0.6},
])
def test_objective_decreases_every_iteration_without_extrapolation(digits, kwargs):
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sparse_nmf(digits, 8, max_iter=40, tol=0, random_state=0, extrapolate=False,
                   callback=lambda it, c, a, err: errors.append(err), **kwargs)
    errors = np.array(errors)
    assert len(errors) == 40
    assert (np.diff(errors) <= 1e-12 * errors[:-1]).all(), errors


@pytest.mark.parametrize("kwargs, gain", [
    ({}, 1.0),
    # With the constraint the gain shows on large data (benchmarks/bench_nmf.py), not
    # always on 400 digits: there it must at least not lose more than 1%.
    ({"code_sparseness": 0.6, "code_sparseness_scope": "component"}, 1.01),
])
def test_extrapolation(digits, kwargs, gain):
    final = {}
    for extrapolate in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            *_, errors = sparse_nmf(digits, 8, max_iter=30, tol=0, random_state=0,
                                    extrapolate=extrapolate, **kwargs)
        final[extrapolate] = errors[-1]
    assert final[True] < gain * final[False]


def test_unconstrained_matches_sklearn_quality(digits):
    ours = SparseNMF(15, max_iter=300, tol=1e-6, random_state=0)
    codes = ours.fit_transform(digits)
    reference = NMF(15, solver="cd", max_iter=1000, tol=1e-6, random_state=0)
    W = reference.fit_transform(digits)
    err_ours = np.mean((digits - codes @ ours.components_) ** 2)
    err_ref = np.mean((digits - W @ reference.components_) ** 2)
    assert err_ours <= 1.02 * err_ref
    assert ours.reconstruction_err_ == pytest.approx(
        np.linalg.norm(digits - codes @ ours.components_), rel=1e-6)


def test_sparser_codes_with_higher_target(digits):
    sparsity = []
    for target in (0.3, 0.6, 0.85):
        model = SparseNMF(12, code_sparseness=target, max_iter=50, random_state=0).fit(digits)
        sparsity.append(hoyer_sparseness(model.transform(digits), axis=1).mean())
    assert sparsity[0] < sparsity[1] < sparsity[2]


def test_convergence_warning_and_n_iter(digits):
    with pytest.warns(ConvergenceWarning, match="Maximum number of iterations 3") as caught:
        model = SparseNMF(5, max_iter=3, random_state=0).fit(digits)
    assert model.n_iter_ == 3
    # The warning names the user's line (here), not a line inside the package.
    assert caught[0].filename == __file__
    for call in (SparseNMF(5, max_iter=3).fit_transform, lambda X: sparse_nmf(X, 5, max_iter=3)):
        with pytest.warns(ConvergenceWarning) as caught:
            call(digits)
        assert caught[0].filename == __file__
    converged = SparseNMF(5, max_iter=500, tol=1e-3, random_state=0).fit(digits)
    assert 1 < converged.n_iter_ < 500


@pytest.mark.parametrize("scope", ["sample", "component"])
def test_transform_is_batch_independent(digits, scope):
    model = SparseNMF(10, code_sparseness=0.5, code_sparseness_scope=scope, max_iter=50,
                      random_state=0).fit(digits)
    codes = model.transform(digits[:40])
    for i in (0, 7, 39):
        np.testing.assert_allclose(model.transform(digits[i:i + 1])[0], codes[i],
                                   rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.transform(digits[20:40]), codes[20:], rtol=1e-9,
                               atol=1e-12)


def test_transform_solves_nnls(digits):
    from scipy.optimize import nnls

    model = SparseNMF(10, max_iter=100, random_state=0).fit(digits)
    model.set_params(tol=1e-12, max_iter=3000)
    codes = model.transform(digits[:5])
    for x, c in zip(digits[:5], codes, strict=True):
        expected, _ = nnls(model.components_.T, x)
        np.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-6)


def test_float32_preserved_and_agrees_with_float64(digits):
    m64 = SparseNMF(8, code_sparseness=0.5, max_iter=30, random_state=0).fit(digits)
    m32 = SparseNMF(8, code_sparseness=0.5, max_iter=30, random_state=0).fit(
        digits.astype(np.float32))
    assert m32.components_.dtype == np.float32
    codes32 = m32.transform(digits[:20].astype(np.float32))
    assert codes32.dtype == np.float32
    assert m32.inverse_transform(codes32).dtype == np.float32
    err32 = np.mean((digits[:20] - m32.inverse_transform(codes32)) ** 2)
    err64 = np.mean((digits[:20] - m64.inverse_transform(m64.transform(digits[:20]))) ** 2)
    assert err32 == pytest.approx(err64, rel=0.05)


def test_random_state_reproducible(digits):
    a = SparseNMF(6, code_sparseness=0.6, init="random", max_iter=20, random_state=3)
    b = SparseNMF(6, code_sparseness=0.6, init="random", max_iter=20, random_state=3)
    c = SparseNMF(6, code_sparseness=0.6, init="random", max_iter=20, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(a.fit(digits).components_, b.fit(digits).components_)
        assert not np.array_equal(a.components_, c.fit(digits).components_)


def test_score_is_minus_reconstruction_mse_and_pickles(digits):
    model = SparseNMF(8, max_iter=50, random_state=0).fit(digits)
    codes = model.transform(digits)
    assert model.score(digits) == pytest.approx(-_mse(digits, model, codes))
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.transform(digits[:10]), model.transform(digits[:10]))
    assert list(model.get_feature_names_out()[:2]) == ["sparsenmf0", "sparsenmf1"]


def test_grid_search_without_labels(digits):
    search = GridSearchCV(SparseNMF(8, max_iter=20, random_state=0),
                          {"code_sparseness": [None, 0.9]}, cv=2).fit(digits)
    # An unconstrained model reconstructs better than a very sparse one.
    assert search.best_params_ == {"code_sparseness": None}


def test_verbose_prints_progress(digits, capsys):
    SparseNMF(4, max_iter=10, tol=0, verbose=1, random_state=0).fit(digits)
    assert "iteration   10" in capsys.readouterr().out


@pytest.mark.parametrize("X, message", [
    (-np.ones((5, 4)), "Negative values in data passed to SparseNMF: .*shift/clip"),
    (np.full((5, 4), np.nan), "NaN"),
    (np.full((5, 4), np.inf), "infinity"),
    (np.ones((0, 4)), "0 sample"),
    (np.ones((5, 0)), "0 feature"),
])
def test_bad_training_data(X, message):
    with pytest.raises(ValueError, match=message):
        SparseNMF(2).fit(X)


@pytest.mark.parametrize("params, message", [
    ({"code_sparseness": 1.5}, "code_sparseness must be a real number in \\[0.0, 1.0\\]"),
    ({"atom_sparseness": -0.1}, "atom_sparseness must be a real number in"),
    ({"code_sparseness": "high"}, "code_sparseness must be a real number"),
    ({"n_components": 0}, "n_components must be an integer >= 1"),
    ({"n_components": 2.5}, "n_components must be an integer >= 1"),
    ({"code_sparseness_scope": "row"}, "code_sparseness_scope must be one of"),
    ({"init": "svd"}, "init must be one of"),
    ({"max_iter": 0}, "max_iter must be an integer >= 1"),
    ({"tol": -1}, "tol must be a real number in \\[0, inf\\)"),
    ({"image_shape": (3, 3)}, "holds 9 pixels but the data has n_features=16"),
])
def test_bad_parameters(digits, params, message):
    X = digits[:20, :16]
    with pytest.raises(ValueError, match=message):
        SparseNMF(**{"n_components": 2, **params}).fit(X)


def test_too_few_samples_or_components_for_the_constraint():
    X = np.random.RandomState(0).rand(1, 16)
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        SparseNMF(2, code_sparseness=0.5, code_sparseness_scope="component").fit(X)
    with pytest.raises(ValueError, match="needs n_components >= 2"):
        SparseNMF(1, code_sparseness=0.5).fit(np.vstack([X, X + 0.1]))
    # One sample without a constraint that needs more is fine.
    assert SparseNMF(2, random_state=0, max_iter=5, tol=0).fit(X).components_.shape == (2, 16)


def test_transform_checks_its_input(digits):
    model = SparseNMF(4, max_iter=10, random_state=0).fit(digits)
    with pytest.raises(ValueError, match="expecting 64 features"):
        model.transform(digits[:, :10])
    with pytest.raises(ValueError, match="Negative values"):
        model.transform(-digits[:3])
    with pytest.raises(ValueError, match="n_components_=4"):
        model.inverse_transform(np.ones((2, 3)))


def test_image_shape():
    X = np.random.RandomState(0).rand(10, 12)
    assert SparseNMF(2, image_shape=(3, 4), max_iter=5).fit(X).image_shape_ == (3, 4)
    assert SparseNMF(2, max_iter=5).fit(X).image_shape_ is None
    assert SparseNMF(2, max_iter=5).fit(X[:, :9]).image_shape_ == (3, 3)
