"""The presets: each one a measured point of the front's grid, and an estimator."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

import sparse_parts
from sparse_parts.presets import PRESETS, make_preset, preset_epochs
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


# ------------------------------------------------------- carrying a preset over
@pytest.mark.parametrize("n_samples, epochs", [(60000, 40), (5000, 469), (1000, 2345),
                                               (120000, 20), (10, 18760)])
def test_the_online_budget_is_in_optimiser_steps(n_samples, epochs):
    # 40 epochs of 60,000 images in batches of 128 are 40 * 469 = 18,760 steps.
    assert preset_epochs("online", n_samples) == epochs
    batches = -(-n_samples // 128)
    assert epochs * batches >= 18760 > (epochs - 1) * batches


def test_make_preset_carries_the_budget_and_strengths_over_to_the_data():
    rng = np.random.default_rng(0)
    small, large = rng.random((300, 16)), rng.random((6000, 16))
    assert make_preset("online", 4, X=small).max_epochs == preset_epochs("online", 300)
    assert make_preset("online", 4, X=large).max_epochs == preset_epochs("online", 6000)
    assert make_preset("online", 4, X=small).max_epochs > 40 > make_preset(
        "online", 4, X=np.tile(large, (20, 1))).max_epochs
    # Strengths: scale-free, and relative to the data (half-range data, same sparsity
    # weight per unit of pixel).
    nmf = make_preset("morphological", 4, X=small)
    assert nmf.code_l1 == pytest.approx(make_preset("morphological", 4, X=small * 1e3).code_l1)
    assert nmf.code_l1 != PRESETS["morphological"].params["code_l1"]
    weight = make_preset("online", 4, X=small).sparsity_weight
    assert make_preset("online", 4, X=small / 2).sparsity_weight == pytest.approx(weight / 2)
    # An explicit parameter still wins.
    assert make_preset("online", 4, X=small, max_epochs=3).max_epochs == 3


def test_carried_over_to_fashion_mnist_the_preset_is_the_tuned_one():
    # REFERENCE holds the 60,000 training images' statistics: recomputed here on them.
    from sparse_parts.datasets import fetch_fashion_mnist
    from sparse_parts.path import default_code_l1s
    from sparse_parts.presets import REFERENCE

    try:
        X = fetch_fashion_mnist("train", download_if_missing=False).data
    except OSError:
        pytest.skip("Fashion-MNIST is not installed")
    assert default_code_l1s(X, 1)[0] == pytest.approx(REFERENCE["code_l1_top"], rel=1e-6)
    assert np.sqrt(np.mean(np.square(X, dtype=np.float64))) == pytest.approx(
        REFERENCE["rms"], rel=1e-6)
    assert make_preset("balanced", X=X).code_l1 == pytest.approx(0.02, rel=1e-6)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_carried_over_preset_fits_a_small_set():
    X = (load_digits().data[:100] / 16).astype(np.float32)
    model = make_preset("online", 8, X=X, random_state=0)
    assert model.max_epochs == preset_epochs("online", 100)  # 18,760 one-batch epochs
    model.set_params(max_epochs=5).fit(X)  # one tiny fit: the parameters are usable
    assert np.isfinite(model.score(X))
    model = make_preset("balanced", 8, X=X, max_iter=500, random_state=0).fit(X)
    assert model.n_iter_ < 500 and np.isfinite(model.score(X))


@pytest.mark.parametrize("name, n_samples, match", [
    ("balanced", 100, "no epoch budget"), ("online", 0, "n_samples"),
    ("online", 2.5, "n_samples"), ("nope", 10, "unknown preset")])
def test_bad_preset_epochs(name, n_samples, match):
    with pytest.raises(ValueError, match=match):
        preset_epochs(name, n_samples)


def test_make_preset_rejects_negative_images():
    with pytest.raises(ValueError, match="[Nn]egative"):
        make_preset("balanced", 4, X=-np.ones((5, 4)))
