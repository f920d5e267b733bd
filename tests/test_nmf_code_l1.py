"""SparseNMF's L1 penalty on the codes (``code_l1``).

Every sample's code minimises ``0.5 ||x_i - c_i A||^2 + code_l1 ||x_i||_2 sum(c_i)``
over ``c_i >= 0`` (and the code sparseness cone, when given), in the fit, in
``partial_fit`` and in ``transform``. These tests check that the solvers reach that
problem's optimum (its KKT conditions), that the penalty does what it is for (sparser
codes at a bounded cost in error), and that it keeps the estimator's contracts: scale
invariance, samples solved on their own, fit_transform == fit().transform, torch ==
numpy, scikit-learn's API.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_parts import SparseNMF
from sparse_parts.metrics import hoyer_sparsity
from sparse_parts.nmf import sparse_nmf

COMBINATIONS = [
    {},
    {"atom_sparseness": 0.5},
    {"code_sparseness": 0.5},
    {"code_sparseness": 0.6, "code_sparseness_scope": "component"},
    {"code_sparseness": 0.4, "atom_sparseness": 0.5},
]


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:400] / 16


def _fit(X, **params):
    model = SparseNMF(**{"n_components": 12, "random_state": 0, "max_iter": 40, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter kept small
        codes = model.fit_transform(X)
    return model, codes


def _objective(X, codes, components, code_l1):
    """The documented objective, summed over the samples."""
    residual = X - codes @ components
    return 0.5 * float(np.sum(residual ** 2)) + code_l1 * float(
        np.linalg.norm(X, axis=1) @ codes.sum(axis=1))


def test_code_l1_sparsifies_the_codes_at_a_bounded_cost(digits):
    mse, hoyer, zeros = [], [], []
    for code_l1 in (0, 0.05, 0.2):
        model, _ = _fit(digits, n_components=16, code_l1=code_l1)
        codes = model.transform(digits)
        mse.append(np.mean((digits - model.inverse_transform(codes)) ** 2))
        hoyer.append(hoyer_sparsity(codes))
        zeros.append(np.mean(codes == 0))
    assert hoyer[0] < hoyer[1] < hoyer[2], hoyer
    assert zeros[0] < zeros[1] < zeros[2], zeros
    # Sparser codes explain less, but a moderate penalty costs a bounded part of the
    # error (measured: MSE x1.3 at 0.05, x2.3 at 0.2 here).
    assert mse[0] < mse[1] < mse[2], mse
    assert mse[1] < 1.6 * mse[0] and mse[2] < 3 * mse[0], mse


@pytest.mark.parametrize("params", [{}, {"atom_sparseness": 0.5}])
@pytest.mark.parametrize("code_l1", [0.05, 0.3])
def test_transform_solves_the_documented_problem(digits, params, code_l1):
    # The KKT conditions of min 0.5 ||x - c A||^2 + code_l1 ||x|| sum(c), c >= 0: the
    # gradient plus the penalty is 0 on the used atoms and >= 0 on the others.
    model, _ = _fit(digits, code_l1=code_l1, **params)
    model.set_params(tol=1e-12, max_iter=5000)
    X = digits[::40]
    codes = model.transform(X)
    atoms = model.components_
    norms = np.linalg.norm(X, axis=1)[:, None]
    slope = (-(X - codes @ atoms) @ atoms.T + code_l1 * norms) / norms
    used = codes > 0
    assert used.any() and (~used).any()
    assert np.abs(slope[used]).max() < 1e-5
    assert slope[~used].min() > -1e-5


def test_an_atom_enters_a_code_when_its_cosine_exceeds_code_l1(digits):
    # What code_l1 means in units: at c = 0 the slope along atom j is
    # code_l1 ||x|| - <a_j, x>, so a sample none of whose atoms has a cosine above
    # code_l1 gets the all-zero code, exactly, and any other gets a non-zero one.
    model, _ = _fit(digits, code_l1=0.1)
    cosines = (digits @ model.components_.T) / np.linalg.norm(digits, axis=1)[:, None]
    code_l1 = float(np.median(cosines.max(axis=1)))  # half the samples on either side
    codes = model.set_params(code_l1=code_l1).transform(digits)
    reachable = cosines.max(axis=1) > code_l1
    assert reachable.any() and (~reachable).any()
    assert (codes[~reachable] == 0).all()
    assert codes[reachable].any(axis=1).all()


@pytest.mark.parametrize("params", COMBINATIONS)
def test_fit_decreases_the_penalised_objective_every_iteration(digits, params):
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, _, _, errors = sparse_nmf(
            digits, 8, code_l1=0.1, max_iter=25, tol=0, random_state=0, extrapolate=False,
            callback=lambda it, c, a, err: values.append(_objective(digits, c, a, 0.1)),
            **params)
    values = np.array(values)
    assert len(values) == 25
    assert (np.diff(values) <= 1e-10 * values[:-1]).all(), values
    # The reported errors are the reconstruction's alone, the penalty left out.
    assert errors[-1] < 2 * values[-1] / digits.size


@pytest.mark.parametrize("params", [{}, {"code_sparseness": 0.5}])
def test_each_sample_is_solved_on_its_own(digits, params):
    model, _ = _fit(digits, code_l1=0.1, **params)
    X = digits[:30]
    codes = model.transform(X)
    for i in (0, 7, 29):
        np.testing.assert_allclose(model.transform(X[i:i + 1])[0], codes[i], rtol=1e-10,
                                   atol=1e-12)
    # A sample's scale does not change its code's direction either.
    X_mixed = X * np.logspace(-3, 3, len(X))[:, None]
    np.testing.assert_allclose(model.transform(X_mixed) / np.logspace(-3, 3, len(X))[:, None],
                               codes, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("params", [p for p in COMBINATIONS
                                    if p.get("code_sparseness_scope") != "component"])
def test_fit_transform_is_fit_then_transform(digits, params):
    model, codes = _fit(digits, code_l1=0.1, **params)
    np.testing.assert_allclose(codes, model.transform(digits), rtol=1e-10, atol=1e-12)
    # And these are the codes of the penalised problem, not of the plain one.
    plain = clone(model).set_params(code_l1=None)
    plain.components_ = model.components_
    assert not np.allclose(plain.transform(digits), codes)


@pytest.mark.parametrize("params", [{}, {"code_sparseness": 0.5}])
def test_partial_fit_improves_the_penalised_objective(digits, params):
    model = SparseNMF(12, code_l1=0.1, random_state=0, **params)
    values = []
    for chunk in np.array_split(digits, 8):
        model.partial_fit(chunk)
        values.append(_objective(digits, model.transform(digits), model.components_, 0.1))
    assert values[-1] < 0.9 * values[0], values
    # The codes it learns from are the penalised ones: the model differs from the
    # plain one fed the same chunks.
    plain = SparseNMF(12, random_state=0, **params)
    for chunk in np.array_split(digits, 8):
        plain.partial_fit(chunk)
    assert not np.allclose(plain.components_, model.components_, atol=1e-3)


def test_zero_and_none_are_the_plain_model(digits):
    reference, codes = _fit(digits[:200])
    for off in (0, 0.0):
        model, off_codes = _fit(digits[:200], code_l1=off)
        np.testing.assert_array_equal(model.components_, reference.components_)
        np.testing.assert_array_equal(off_codes, codes)


def test_clone_and_get_params_round_trip():
    model = SparseNMF(5, code_l1=0.25, code_sparseness=0.3)
    assert model.get_params()["code_l1"] == 0.25
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert SparseNMF(**model.get_params()).code_l1 == 0.25
    assert copy.set_params(code_l1=0.1).code_l1 == 0.1


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, np.nan, np.inf, "0.1", True, [0.1]])
def test_bad_code_l1_is_a_value_error_naming_it(digits, bad):
    X = digits[:50]
    for call in (lambda: SparseNMF(4, code_l1=bad).fit(X),
                 lambda: SparseNMF(4, code_l1=bad).partial_fit(X),
                 lambda: sparse_nmf(X, 4, code_l1=bad)):
        with pytest.raises(ValueError, match=r"code_l1 must be None or a real number in \[0, 1\)"):
            call()
    # A penalty set after the fit is checked by transform too.
    fitted, _ = _fit(X, n_components=4, max_iter=5)
    with pytest.raises(ValueError, match="code_l1"):
        fitted.set_params(code_l1=bad).transform(X)


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("params", COMBINATIONS)
def test_torch_on_the_cpu_agrees_with_numpy(digits, params):
    pytest.importorskip("torch")
    X = digits[:120]
    reference, reference_codes = _fit(X, code_l1=0.1, **params)
    model, codes = _fit(X, code_l1=0.1, device="cpu", **params)
    assert model.n_iter_ == reference.n_iter_

    def relative(a, b):
        return np.linalg.norm(a - b) / np.linalg.norm(a)

    assert relative(reference.components_, model.components_) < 1e-4
    assert relative(reference_codes, codes) < 1e-4
    assert relative(reference.transform(digits[200:240]), model.transform(digits[200:240])) < 1e-4
    if params.get("code_sparseness_scope") != "component":
        online = [SparseNMF(6, code_l1=0.1, random_state=0, device=device, **params)
                  for device in (None, "cpu")]
        for chunk in (X[:60], X[60:]):
            for m in online:
                m.partial_fit(chunk)
        assert relative(online[0].components_, online[1].components_) < 1e-4


@parametrize_with_checks(
    [SparseNMF(n_components=2, code_l1=0.1, max_iter=50, random_state=0)])
def test_sklearn_compatible_with_the_penalty(estimator, check):
    check(estimator)
