"""SparseNMF's scale convention (unit-norm atoms) and the scale invariance of its solver."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from sparse_parts import SparseNMF
from sparse_parts.metrics import hoyer_sparsity
from sparse_parts.nmf import sparse_nmf

SETTINGS = [
    {},
    {"atom_sparseness": 0.5},
    {"code_sparseness": 0.6, "code_sparseness_scope": "sample"},
    {"code_sparseness": 0.6, "code_sparseness_scope": "component"},
    {"code_sparseness": 0.6, "code_sparseness_scope": "component", "atom_sparseness": 0.4},
    # The L1 penalty on the codes, weighted by each sample's norm, keeps the invariance.
    {"code_l1": 0.1},
    {"code_l1": 0.1, "code_sparseness": 0.5, "atom_sparseness": 0.5},
]


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data / 16, data.target


def _fit(X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SparseNMF(**{"n_components": 12, "random_state": 0, **kwargs})
        return model, model.fit_transform(X)


@pytest.mark.parametrize("init", ["nndsvda", "nndsvd", "random"])
@pytest.mark.parametrize("max_iter", [1, 30])
@pytest.mark.parametrize("kwargs", SETTINGS)
def test_atoms_have_unit_norm(digits, kwargs, max_iter, init):
    model, codes = _fit(digits[0][:300], max_iter=max_iter, init=init, **kwargs)
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1, rtol=1e-6)
    assert np.isfinite(codes).all() and (codes >= 0).all()


def test_atoms_have_unit_norm_in_every_iteration(digits):
    norms = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sparse_nmf(digits[0][:300], 10, code_sparseness=0.6, code_sparseness_scope="component",
                   max_iter=15, tol=0, random_state=0,
                   callback=lambda it, c, a, err: norms.append(np.linalg.norm(a, axis=1)))
    assert len(norms) == 15
    np.testing.assert_allclose(norms, 1, rtol=1e-6)


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_fit_is_scale_invariant(digits, kwargs):
    X = digits[0][:300]
    model, codes = _fit(X, max_iter=30, **kwargs)
    relative = model.reconstruction_err_ / np.linalg.norm(X)
    for scale in (1e-14, 1e160):
        scaled, scaled_codes = _fit(X * scale, max_iter=30, **kwargs)
        # Same atoms, codes scaled with the data, same relative error (rounding aside:
        # X * scale / max(X * scale) differs from X / max(X) in the last bit).
        np.testing.assert_allclose(scaled.components_, model.components_, rtol=1e-5,
                                   atol=1e-8)
        np.testing.assert_allclose(scaled_codes / scale, codes, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(scaled.transform(X[:20] * scale) / scale,
                                   model.transform(X[:20]), rtol=1e-5, atol=1e-8)
        assert scaled.reconstruction_err_ / (np.linalg.norm(X) * scale) == (
            pytest.approx(relative, rel=1e-5))
        assert hoyer_sparsity(scaled_codes) == pytest.approx(hoyer_sparsity(codes), abs=1e-6)


def test_sparsity_measures_the_codes_not_the_atoms_scale(digits):
    # With unit atoms the codes of each component are comparable: the Hoyer sparsity
    # of the codes is that of the same reconstruction written with unit atoms (before
    # the convention, rescaling the atoms moved it from 0.98 to 0.36).
    X = digits[0]
    model, _ = _fit(X, n_components=36, max_iter=50)
    codes = model.transform(X)
    norms = np.linalg.norm(model.components_, axis=1)
    assert hoyer_sparsity(codes) == pytest.approx(hoyer_sparsity(codes * norms), abs=1e-6)
    # Codes are of the order of the data, not 1e5.
    assert codes.max() < 10 * np.linalg.norm(X, axis=1).max()


def test_unused_atoms_keep_unit_norm_and_get_zero_codes():
    # Three distinct images, six atoms: some atoms have nothing to explain.
    patterns = np.random.RandomState(0).rand(3, 16)
    X = np.repeat(patterns, 10, axis=0)
    for kwargs in ({}, {"code_sparseness": 0.5, "code_sparseness_scope": "component"}):
        model, codes = _fit(X, n_components=6, max_iter=100, **kwargs)
        np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1, rtol=1e-6)
        assert np.isfinite(codes).all()
    model, codes = _fit(np.zeros((5, 16)), n_components=3, max_iter=5)
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1, rtol=1e-6)
    assert (codes == 0).all() and model.reconstruction_err_ == 0


def test_codes_feed_a_classifier(digits):
    # Unscaled codes (up to 1e5, atoms of norm 1e-6 to 40) scored 0.33 here before the
    # convention; measured 0.953 with it.
    X, y = digits
    pipeline = make_pipeline(SparseNMF(40, atom_sparseness=0.5, random_state=0), SVC())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.mean() > 0.9


def test_inverse_transform_refuses_negative_codes(digits):
    model, codes = _fit(digits[0][:100], max_iter=5)
    codes[0, 0] = -1.0
    with pytest.raises(ValueError, match=r"codes hold -1.*>= 0"):
        model.inverse_transform(codes)
