"""The presets: each one a measured point of the front's grid, and an estimator."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

import sparse_parts
from sparse_parts.presets import PRESETS, make_preset
from sparse_parts.study import resolve_settings
from sparse_parts.study.catalog import GRID
from sparse_parts.study.estimators import budget_of

_FAMILY = {"SparseNMF": "nmf", "SparseNonNegAutoEncoder": "shallow",
           "AsymmetricAutoEncoder": "asym"}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_a_point_of_the_front_grid(name):
    # The numbers the user guide gives for a preset are those of this grid point:
    # its parameters, and its training budget (the preset's, or the estimator's
    # default, is the front's budget on Fashion-MNIST times the point's factor).
    preset = PRESETS[name]
    family, config = preset.front_config.split("/")
    point = next(c for c in GRID if (c.family, c.name) == (family, config))
    assert family == _FAMILY[preset.estimator]
    budget_name = "max_iter" if family == "nmf" else "max_epochs"
    params = dict(preset.params)
    budget = params.pop(budget_name, getattr(sparse_parts, preset.estimator)().get_params()[
        budget_name])
    assert point.params == params
    settings = resolve_settings("fashion-mnist", models=[family])
    assert budget_of(point, settings)[0] == budget


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_make_preset_gives_the_estimator_with_its_parameters(name):
    preset = PRESETS[name]
    estimator = make_preset(name, 12)
    assert type(estimator) is getattr(sparse_parts, preset.estimator)
    params = estimator.get_params()
    assert params["n_components"] == 12
    assert {k: params[k] for k in preset.params} == preset.params
    assert clone(estimator).get_params() == params


def test_parameters_override_the_preset():
    estimator = make_preset("morphological", 20, max_iter=7, random_state=3)
    assert (estimator.max_iter, estimator.random_state, estimator.n_components) == (7, 3, 20)
    key, value = next(iter(PRESETS["morphological"].params.items()))
    assert getattr(make_preset("morphological", **{key: None}), key) is None


@pytest.mark.parametrize("name", ["nope", "", None, 3])
def test_unknown_preset_is_a_value_error_listing_them(name):
    with pytest.raises(ValueError, match="unknown preset.*morphological"):
        make_preset(name)


def test_unknown_parameter_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="max_epochs: not parameter.*SparseNMF"):
        make_preset("morphological", max_epochs=3)


def test_the_nmf_presets_fit_the_digits_into_sparse_parts():
    X = load_digits().data / 16
    for name, preset in PRESETS.items():
        if preset.estimator != "SparseNMF":
            continue
        model = make_preset(name, 16, max_iter=30, random_state=0).fit(X)
        codes = model.transform(X)
        assert np.all(codes >= 0) and np.all(model.components_ >= 0)
        assert np.isfinite(model.score(X))


@pytest.mark.usefixtures("one_torch_thread")
def test_the_online_preset_learns_lasso_like_codes_of_the_digits():
    X = (load_digits().data / 16).astype(np.float32)
    model = make_preset("online", 16, max_epochs=15, lr=3e-3, random_state=0).fit(X)
    codes = model.transform(X)
    assert codes.min() == 0 and (codes == 0).mean() > 0.3  # exact zeros, most of them
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1.0, rtol=1e-5)
    assert (model.components_ >= 0).all() and not model.decoder_bias_.any()
    mean_image_error = ((X - X.mean(axis=0)) ** 2).mean()
    assert ((X - model.inverse_transform(codes)) ** 2).mean() < 0.5 * mean_image_error
