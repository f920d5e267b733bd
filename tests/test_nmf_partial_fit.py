"""Online SparseNMF: ``partial_fit`` over chunks of the data.

What holds exactly: the first ``partial_fit`` on ``X`` makes the start of ``fit`` and
its first block update of the atoms (with the starting codes, whose sums are then the
only ones), so its atoms are those of ``fit(X)`` with ``max_iter=1``. Over many
chunks the atoms approach those of a full fit: on the digits, 10 passes over 9
chunks (5 over 900 digits with sparseness constraints) reach a reconstruction error within 10% of
``fit``'s.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF
from sparse_parts.datasets import load_digits_images
from sparse_parts.sparseness import hoyer_sparseness

CONSTRAINTS = [dict(), dict(code_sparseness=0.5), dict(atom_sparseness=0.5),
               dict(code_sparseness=0.6, atom_sparseness=0.3)]


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data.astype(np.float64)


def _chunks(n_samples, n_chunks, seed=0):
    return np.array_split(np.random.RandomState(seed).permutation(n_samples), n_chunks)


@pytest.mark.parametrize("params", CONSTRAINTS)
def test_first_partial_fit_is_one_iteration_of_fit(params, digits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        batch = SparseNMF(16, max_iter=1, random_state=0, **params).fit(digits)
    online = SparseNMF(16, random_state=0, **params).partial_fit(digits)
    np.testing.assert_allclose(online.components_, batch.components_, rtol=1e-10,
                               atol=1e-12)
    assert online.n_steps_ == 1 and online.n_components_ == 16
    assert online.n_features_in_ == 64 and online.image_shape_ == (8, 8)


@pytest.mark.parametrize("params, n_samples, n_passes",
                         [(CONSTRAINTS[0], 1797, 10), (CONSTRAINTS[3], 900, 5)])
def test_chunks_converge_close_to_fit(params, n_samples, n_passes, digits):
    digits = digits[:n_samples]
    full = SparseNMF(16, random_state=0, **params).fit(digits)
    online = SparseNMF(16, random_state=0, **params)
    errors = []
    for _ in range(n_passes):
        for rows in _chunks(len(digits), 9):
            online.partial_fit(digits[rows])
            # The constraints hold after every chunk: unit, non-negative (sparse) atoms.
            np.testing.assert_allclose(np.linalg.norm(online.components_, axis=1), 1,
                                       rtol=1e-10)
            assert online.components_.min() >= 0
        errors.append(-online.score(digits))
    if "atom_sparseness" in params:
        np.testing.assert_allclose(hoyer_sparseness(online.components_, axis=1),
                                   params["atom_sparseness"], atol=1e-6)
    assert online.n_steps_ == 9 * n_passes
    assert errors[-1] < errors[0]
    assert errors[-1] < 1.1 * -full.score(digits)


def test_partial_fit_after_fit_starts_from_the_fitted_atoms(digits):
    model = SparseNMF(16, random_state=0).fit(digits)
    fitted, fitted_error = model.components_.copy(), -model.score(digits)
    assert hasattr(model, "n_iter_") and not hasattr(model, "n_steps_")
    model.partial_fit(digits)
    # One block update of the atoms from the fitted point: a small move that does not
    # raise the error (the codes are the fitted atoms' optimal ones).
    assert np.abs(model.components_ - fitted).max() < 0.1
    assert -model.score(digits) <= fitted_error * (1 + 1e-6)
    assert model.n_steps_ == 1
    assert not hasattr(model, "n_iter_") and not hasattr(model, "reconstruction_err_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(max_iter=2).fit(digits[:200])  # a new fit forgets the sums
    assert not hasattr(model, "n_steps_") and not hasattr(model, "_online")


def test_data_scale_does_not_matter(digits):
    small = SparseNMF(8, random_state=0)
    large = SparseNMF(8, random_state=0)
    for rows in _chunks(len(digits), 4):
        small.partial_fit(digits[rows] * 1e-10)
        large.partial_fit(digits[rows] * 1e10)
    np.testing.assert_allclose(small.components_, large.components_, rtol=1e-6, atol=1e-9)


def test_float32_chunks_stay_float32(digits):
    model = SparseNMF(8, random_state=0)
    for rows in _chunks(len(digits), 3):
        model.partial_fit(digits[rows].astype(np.float32))
    assert model.components_.dtype == np.float32
    assert model.transform(digits[:5].astype(np.float32)).dtype == np.float32


def test_forget_factor_weighs_the_earlier_chunks(digits):
    first, second = digits[:900], digits[900:]
    forgetful = SparseNMF(8, random_state=0, forget_factor=0.0)
    forgetful.partial_fit(first).partial_fit(second)
    # With forget_factor=0 the sums hold the last chunk alone: the same as the last
    # chunk on a model whose atoms were those reached before it.
    alone = pickle.loads(pickle.dumps(SparseNMF(8, random_state=0).partial_fit(first)))
    alone.set_params(forget_factor=0.0).partial_fit(second)
    np.testing.assert_allclose(forgetful.components_, alone.components_, rtol=1e-12)
    remembering = SparseNMF(8, random_state=0, forget_factor=1.0)
    remembering.partial_fit(first).partial_fit(second)
    assert np.abs(remembering.components_ - forgetful.components_).max() > 1e-3


# --------------------------------------------------------------------------- refusals
def test_component_scope_has_no_partial_fit(digits):
    model = SparseNMF(8, code_sparseness=0.5, code_sparseness_scope="component")
    assert not hasattr(model, "partial_fit")
    # An AttributeError, scikit-learn's available_if, whose cause says why.
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        model.partial_fit(digits)
    assert not isinstance(info.value, ValueError)
    assert re.search("partial_fit is not available with code_sparseness_scope='component'"
                     ".*all the training samples at once", str(info.value.__cause__))
    # The component scope without a code constraint constrains nothing across samples.
    assert hasattr(model.set_params(code_sparseness=None), "partial_fit")
    model.partial_fit(digits[:100])


def test_partial_fit_refusals(digits):
    model = SparseNMF(8, random_state=0).partial_fit(digits[:100])
    with pytest.raises(ValueError, match="X has 63 features, but SparseNMF is expecting 64"):
        model.partial_fit(digits[:100, :63])
    with pytest.raises(ValueError, match="Negative values in data passed to SparseNMF"):
        model.partial_fit(digits[:100] - 1)
    with pytest.raises(ValueError, match="n_components=9 but this model has 8 atoms"):
        model.set_params(n_components=9).partial_fit(digits[:100])
    with pytest.raises(ValueError, match="forget_factor"):
        SparseNMF(8, forget_factor=1.5).partial_fit(digits[:100])
    with pytest.raises(ValueError, match="forget_factor"):
        SparseNMF(8, forget_factor=-0.1).fit(digits[:100])
