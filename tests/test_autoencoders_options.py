"""The auto-encoders' code and atom options: decoder_bias, code_projection, top_k,
atom_sparseness, the l1 penalty, code_activation, encoder_iterations and unit_atoms,
each doing what it says, refusing bad values, and passing scikit-learn's common
checks."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.autoencoders.modules import (
    AutoEncoderModule,
    DenseEncoder,
    InfoGANEncoder,
    center_pre_activations,
    keep_top_k,
)
from sparse_parts.autoencoders.penalties import sparsity_penalty
from sparse_parts.sparseness import hoyer_sparseness

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ESTIMATORS = (SparseNonNegAutoEncoder, AsymmetricAutoEncoder)


@pytest.fixture(scope="module")
def digits():
    return (load_digits().data[:300] / 16.0).astype(np.float32)


def _fit(cls, X, epochs=2, **params):
    return cls(n_components=12, max_epochs=epochs, random_state=0, **params).fit(X)


# --------------------------------------------------------------------------- decoder_bias
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_without_decoder_bias_the_bias_is_zero_and_untrained(cls, digits):
    ae = _fit(cls, digits, decoder_bias=False)
    assert ae.decoder_bias_.shape == (64,)
    assert not ae.decoder_bias_.any()
    names = [name for name, _ in ae.net_.module_.decoder.named_parameters()]
    assert names == ["weight"]
    codes = ae.transform(digits[:20])
    # decode has the same form, with b_d = 0: leaky_relu(codes @ W).
    linear = codes.astype(np.float64) @ ae.components_.astype(np.float64)
    expected = np.where(linear >= 0, linear, 0.1 * linear)
    np.testing.assert_allclose(ae.inverse_transform(codes), expected, rtol=1e-5, atol=1e-6)


def test_decoder_bias_default_learns_a_bias(digits):
    ae = _fit(SparseNonNegAutoEncoder, digits)
    assert np.abs(ae.decoder_bias_).max() > 0


# --------------------------------------------------------------------------- code_projection
@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("target", [0.5, 0.8])
def test_code_projection_holds_every_code_at_the_target(cls, target, digits):
    ae = _fit(cls, digits, code_projection=target)
    codes = ae.transform(digits)
    assert codes.min() >= 0
    np.testing.assert_allclose(hoyer_sparseness(codes, axis=1), target, atol=1e-4)
    # The scale of projected codes is free: decode accepts codes above 1 ...
    assert np.isfinite(ae.inverse_transform(codes * 3)).all()


def test_unprojected_codes_stay_bounded_by_one(digits):
    ae = _fit(SparseNonNegAutoEncoder, digits)
    codes = ae.transform(digits[:5])
    with pytest.raises(ValueError):
        ae.inverse_transform(codes + 1.5)


def test_code_projection_is_differentiable():
    torch.manual_seed(0)
    module = AutoEncoderModule(DenseEncoder(16, 6), 6, 16, code_projection=0.7)
    X = torch.rand(8, 16)
    reconstruction, codes = module(X)
    assert torch.allclose(hoyer_sparseness(codes, axis=-1), torch.tensor(0.7), atol=1e-5)
    ((reconstruction - X) ** 2).mean().backward()
    grad = module.encoder.linear.weight.grad
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0


# --------------------------------------------------------------------------- top_k
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_top_k_leaves_at_most_k_nonzeros(cls, digits):
    ae = _fit(cls, digits, top_k=3)
    codes = ae.transform(digits)
    assert (np.count_nonzero(codes, axis=1) <= 3).all()
    assert (np.count_nonzero(codes, axis=1) >= 1).all()


def test_keep_top_k_keeps_the_largest_entries():
    codes = torch.tensor([[0.1, 0.9, 0.5, 0.3], [0.7, 0.2, 0.8, 0.6]])
    expected = torch.tensor([[0.0, 0.9, 0.5, 0.0], [0.7, 0.0, 0.8, 0.0]])
    assert torch.equal(keep_top_k(codes, 2), expected)
    assert torch.equal(keep_top_k(codes, 4), codes)
    assert torch.equal(keep_top_k(codes, 9), codes)


# --------------------------------------------------------------------------- atom_sparseness
@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("nonnegativity", ["projection", None])
def test_atom_sparseness_holds_every_atom_at_the_target(cls, nonnegativity, digits):
    ae = _fit(cls, digits, atom_sparseness=0.6, nonnegativity=nonnegativity)
    atoms = ae.components_
    assert atoms.min() >= 0
    np.testing.assert_allclose(hoyer_sparseness(atoms, axis=1), 0.6, atol=1e-4)


def test_atom_sparseness_with_code_projection(digits):
    ae = _fit(SparseNonNegAutoEncoder, digits, atom_sparseness=0.6, code_projection=0.8,
              decoder_bias=False)
    np.testing.assert_allclose(hoyer_sparseness(ae.components_, axis=1), 0.6, atol=1e-4)
    np.testing.assert_allclose(hoyer_sparseness(ae.transform(digits), axis=1), 0.8,
                               atol=1e-4)


# --------------------------------------------------------------------------- l1
def test_l1_penalty_is_the_mean_l1_norm_of_the_codes():
    codes = torch.tensor([[0.1, 0.5], [0.3, 0.1]], dtype=torch.float64)
    # (0.6 + 0.4) / 2; the target is not used.
    assert sparsity_penalty(codes, "l1", 0.9).item() == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_l1_lowers_the_mean_activation(cls, digits):
    free = _fit(cls, digits, epochs=4, lr=1e-2, sparsity_penalty=None)
    lasso = _fit(cls, digits, epochs=4, lr=1e-2, sparsity_penalty="l1", sparsity_weight=0.1)
    assert lasso.transform(digits).mean() < 0.5 * free.transform(digits).mean()


# ------------------------------------------------- code_activation, encoder_iterations, unit_atoms
LASSO = dict(code_activation="relu", sparsity_penalty="l1", unit_atoms=True,
             decoder_bias=False, decoder_activation="identity")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_relu_codes_have_exact_zeros_and_a_free_scale(cls, digits):
    ae = _fit(cls, digits, epochs=3, sparsity_weight=1e-3, **LASSO)
    codes = ae.transform(digits)
    assert codes.min() == 0 and (codes == 0).mean() > 0.05
    # Unbounded above: decode accepts any non-negative codes.
    assert np.isfinite(ae.inverse_transform(codes + 5.0)).all()
    with pytest.raises(ValueError):
        ae.inverse_transform(codes - 1.0)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("nonnegativity", ["projection", None])
def test_unit_atoms_have_unit_norm(cls, nonnegativity, digits):
    ae = _fit(cls, digits, unit_atoms=True, nonnegativity=nonnegativity, **{
        key: value for key, value in LASSO.items() if key != "unit_atoms"})
    np.testing.assert_allclose(np.linalg.norm(ae.components_, axis=1), 1.0, rtol=1e-5)
    if nonnegativity:
        assert ae.components_.min() >= 0


def test_unit_atoms_after_atom_sparseness(digits):
    ae = _fit(SparseNonNegAutoEncoder, digits, atom_sparseness=0.6, **LASSO)
    np.testing.assert_allclose(np.linalg.norm(ae.components_, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(hoyer_sparseness(ae.components_, axis=1), 0.6, atol=1e-4)


def test_encoder_iterations_refine_the_codes_as_documented():
    torch.manual_seed(0)
    module = AutoEncoderModule(DenseEncoder(16, 6), 6, 16, code_activation="relu",
                               encoder_iterations=2)
    # Zero at the start: the refinement begins as the plain encoder.
    X = torch.rand(8, 16)
    plain = torch.relu(module.encoder(X))
    assert torch.equal(module.encode(X), plain)
    with torch.no_grad():
        module.refine_weight.copy_(torch.randn(6, 6))
        module.refine_bias.copy_(torch.randn(2, 6))
    expected = plain
    for step in range(2):
        expected = torch.relu(module.encoder(X) + expected @ module.refine_weight
                              + module.refine_bias[step])
    torch.testing.assert_close(module.encode(X), expected)
    reconstruction, codes = module(X)
    ((reconstruction - X) ** 2).mean().backward()
    assert module.refine_weight.grad.abs().sum() > 0
    assert module.refine_bias.grad.abs().sum() > 0


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_encoder_iterations_are_trained(cls, digits):
    refined = _fit(cls, digits, encoder_iterations=3, sparsity_weight=2e-3, **LASSO)
    module = refined.net_.module_
    assert module.refine_weight.shape == (12, 12) and module.refine_bias.shape == (3, 12)
    assert module.refine_weight.abs().sum() > 0 and module.refine_bias.abs().sum() > 0
    assert np.isfinite(refined.transform(digits)).all()


def _pre_activations(ae, X):
    module = ae.net_.module_
    with torch.no_grad():
        return module.encoder(torch.as_tensor(X)).numpy()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_relu_codes_start_centred_on_the_training_images(cls, digits):
    # lr so small that one epoch leaves the weights where the centring put them.
    ae = _fit(cls, digits, epochs=1, lr=1e-12, sparsity_weight=0.0, **LASSO)
    assert "center_codes" in dict(ae.net_.callbacks_)
    pre = _pre_activations(ae, digits) if cls is SparseNonNegAutoEncoder else None
    if pre is not None:  # every unit active on part of the images, none dead
        np.testing.assert_allclose(pre.mean(axis=0), 0.0, atol=1e-5)
        active = (pre > 0).mean(axis=0)
        assert active.min() > 0.05 and active.max() < 0.95
    sigmoid = _fit(cls, digits, epochs=1)
    assert "center_codes" not in dict(sigmoid.net_.callbacks_)


@pytest.mark.parametrize("encoder", [DenseEncoder(64, 5), InfoGANEncoder((8, 8), 5)])
def test_center_pre_activations_keeps_the_batchnorm_statistics(encoder, digits):
    X = torch.as_tensor(digits[:100])
    before = [buffer.clone() for buffer in encoder.buffers()]
    encoder.eval()
    center_pre_activations(encoder, X)
    assert not encoder.training
    for buffer, saved in zip(encoder.buffers(), before, strict=True):
        assert torch.equal(buffer, saved)
    encoder.train()  # as in training, BatchNorm normalising by the batch
    with torch.no_grad():
        torch.testing.assert_close(encoder(X).mean(dim=0), torch.zeros(5), atol=1e-5,
                                   rtol=0)


def test_a_continued_training_is_not_centred_again(digits):
    ae = SparseNonNegAutoEncoder(n_components=6, lr=1e-12, random_state=0,
                                 sparsity_weight=0.0, **LASSO)
    ae.partial_fit(digits)
    bias = ae.net_.module_.encoder.linear.bias.detach().clone()
    ae.partial_fit(digits * 0.5)  # other images: centring them would move the bias
    torch.testing.assert_close(ae.net_.module_.encoder.linear.bias.detach(), bias)


# --------------------------------------------------------------------------- bad values
@pytest.mark.parametrize("params, match", [
    (dict(decoder_bias="no"), "decoder_bias must be a bool"),
    (dict(decoder_bias=None), "decoder_bias must be a bool"),
    (dict(code_projection=0.0), r"code_projection must be a real number in \(0, 1\)"),
    (dict(code_projection=1.0), r"code_projection must be a real number in \(0, 1\)"),
    (dict(code_projection="0.8"), "code_projection must be a real number"),
    (dict(code_projection=np.nan), "code_projection must be a real number"),
    (dict(top_k=0), "top_k must be an integer >= 1"),
    (dict(top_k=2.5), "top_k must be an integer >= 1"),
    (dict(top_k=True), "top_k must be an integer >= 1"),
    (dict(atom_sparseness=-0.1), r"atom_sparseness must be a real number in \[0.0, 1.0\]"),
    (dict(atom_sparseness=1.5), r"atom_sparseness must be a real number in \[0.0, 1.0\]"),
    (dict(code_projection=0.8, top_k=3), "set one to None"),
    (dict(code_projection=0.8, n_components=1), "code_projection needs n_components >= 2"),
    (dict(sparsity_penalty="L1"), "sparsity_penalty must be one of"),
    (dict(code_activation="softplus"), "code_activation must be one of"),
    (dict(code_activation="relu"), "sparsity_penalty='kl' compares mean activations"),
    (dict(encoder_iterations=-1), "encoder_iterations must be an integer >= 0"),
    (dict(encoder_iterations=1.5), "encoder_iterations must be an integer >= 0"),
    (dict(unit_atoms="yes"), "unit_atoms must be a bool"),
])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_option_values_are_refused(cls, params, match, digits):
    params = {"n_components": 4, "max_epochs": 1, **params}
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(digits[:20])


def test_atom_sparseness_needs_two_pixels():
    X = np.random.RandomState(0).rand(10, 1)
    with pytest.raises(ValueError, match="atom_sparseness needs atoms of at least 2 pixels"):
        SparseNonNegAutoEncoder(n_components=2, max_epochs=1, atom_sparseness=0.5).fit(X)


# --------------------------------------------------------------------------- clone, pickle
OPTIONS = [dict(decoder_bias=False), dict(code_projection=0.8), dict(top_k=3),
           dict(atom_sparseness=0.6), dict(sparsity_penalty="l1"),
           dict(encoder_iterations=2, **LASSO)]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("options", OPTIONS)
def test_options_survive_clone_and_pickle(cls, options, digits):
    ae = _fit(cls, digits, epochs=1, **options)
    copy = clone(ae)
    assert copy.get_params() == ae.get_params()
    assert all(getattr(copy, name) == value for name, value in options.items())
    loaded = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(loaded.transform(digits[:30]), ae.transform(digits[:30]))
    np.testing.assert_array_equal(loaded.components_, ae.components_)


# --------------------------------------------------------------------------- common checks
_ONE_COMPONENT = (
    "the check sets n_components=1, and a code of one entry cannot be projected onto a "
    "Hoyer sparseness: code_projection refuses it with a ValueError")


def _expected_failed_checks(estimator):
    if estimator.code_projection is None:
        return {}
    return {name: _ONE_COMPONENT for name in (
        "check_dont_overwrite_parameters", "check_fit2d_predict1d",
        "check_methods_subset_invariance", "check_methods_sample_order_invariance",
        "check_fit2d_1sample", "check_fit2d_1feature")}


# The checks' data are not images in [0, 1], hence the warning about raw pixel values
# is silenced, as in test_common.py.
@pytest.mark.filterwarnings("ignore:X holds values up to:UserWarning")
@pytest.mark.filterwarnings("ignore:n_features=.* is not a perfect square:UserWarning")
@parametrize_with_checks(
    [SparseNonNegAutoEncoder(decoder_bias=False, decoder_activation="identity"),
     SparseNonNegAutoEncoder(code_projection=0.8, decoder_bias=False),
     SparseNonNegAutoEncoder(top_k=3),
     SparseNonNegAutoEncoder(atom_sparseness=0.6),
     SparseNonNegAutoEncoder(sparsity_penalty="l1", sparsity_weight=0.01),
     SparseNonNegAutoEncoder(encoder_iterations=2, sparsity_weight=0.01, **LASSO),
     AsymmetricAutoEncoder(code_projection=0.8, atom_sparseness=0.6, decoder_bias=False)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_with_options(estimator, check):
    check(estimator)
