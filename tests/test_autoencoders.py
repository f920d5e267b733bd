"""Behaviour of SparseNonNegAutoEncoder and AsymmetricAutoEncoder."""

import pickle

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.autoencoders._base import _denormals_flushed
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import (
    hoyer_sparsity,
    max_approximation_error,
    reconstruction_error,
)

ESTIMATORS = [SparseNonNegAutoEncoder, AsymmetricAutoEncoder]
FAST = dict(n_components=8, max_epochs=2, random_state=0)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fitted_attributes_and_shapes(Estimator, small):
    ae = Estimator(**FAST).fit(small)
    assert ae.components_.shape == (8, 64)
    assert ae.decoder_bias_.shape == (64,)
    assert ae.image_shape_ == (8, 8)
    assert ae.n_features_in_ == 64
    assert ae.n_iter_ == 2 == len(ae.net_.history)
    assert len(ae.net_.history[-1, "batches"]) == 3  # 300 samples, batches of 128
    codes = ae.transform(small)
    assert codes.shape == (300, 8) and codes.dtype == np.float32
    assert np.all(codes >= 0) and np.all(codes <= 1)
    assert ae.transform(small.astype(np.float64)).dtype == np.float64
    names = ae.get_feature_names_out()
    assert list(names) == [f"{Estimator.__name__.lower()}{i}" for i in range(8)]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_projection_keeps_atoms_nonnegative(Estimator, small):
    ae = Estimator(**FAST, nonnegativity="projection").fit(small)
    assert ae.components_.min() >= 0
    assert ae.net_.module_.decoder.weight.min().item() >= 0
    free = Estimator(**FAST, nonnegativity=None).fit(small)
    assert free.components_.min() < 0  # so the projection is what makes the difference


def test_asymmetric_decay_shrinks_negative_weights(small):
    params = dict(n_components=8, max_epochs=10, lr=1e-2, random_state=0)
    free = SparseNonNegAutoEncoder(**params, nonnegativity=None).fit(small)
    decayed = SparseNonNegAutoEncoder(**params, nonnegativity="asymmetric_decay",
                                      decay_weight=0.1, decay_ratio=0.0).fit(small)

    def negative_mass(W):
        return np.sum(np.minimum(W, 0) ** 2)

    assert negative_mass(decayed.components_) < 0.5 * negative_mass(free.components_)


@pytest.mark.parametrize(
    "Estimator, params",
    [(SparseNonNegAutoEncoder, dict(max_epochs=20, lr=1e-2, betas=(0.0, 0.01))),
     (AsymmetricAutoEncoder, dict(max_epochs=4, lr=1e-3, betas=(0.0, 0.03)))],
)
def test_raising_beta_lowers_activation_and_raises_sparsity(Estimator, params, digits):
    params = dict(params)
    betas = params.pop("betas")
    codes = [Estimator(n_components=16, sparsity_target=0.05, sparsity_weight=beta,
                       random_state=0, **params).fit_transform(digits) for beta in betas]
    mean_activation = [c.mean() for c in codes]
    sparsity = [hoyer_sparsity(c) for c in codes]
    assert mean_activation[1] < 0.7 * mean_activation[0]
    assert sparsity[1] > sparsity[0] + 0.05


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_round_trip_gives_identical_codes(Estimator, small):
    ae = Estimator(**FAST).fit(small)
    clone = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(clone.transform(small), ae.transform(small))
    np.testing.assert_array_equal(clone.components_, ae.components_)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_same_random_state_same_components(Estimator, small):
    a = Estimator(**FAST).fit(small)
    b = Estimator(**FAST).fit(small)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(small), b.transform(small))
    c = Estimator(**{**FAST, "random_state": 1}).fit(small)
    assert not np.array_equal(a.components_, c.components_)


def test_random_state_seeds_the_initialisation(small):
    # With a negligible learning rate the atoms are the initial weights.
    params = dict(n_components=8, max_epochs=1, optimizer="sgd", lr=1e-12, nonnegativity=None)
    first = SparseNonNegAutoEncoder(**params, random_state=0).fit(small).components_
    again = SparseNonNegAutoEncoder(**params, random_state=0).fit(small).components_
    other = SparseNonNegAutoEncoder(**params, random_state=1).fit(small).components_
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 0.1


def test_fit_leaves_global_random_state_alone(small):
    # The legacy global numpy RNG is what this test is about.
    torch.manual_seed(123)
    np.random.seed(7)  # noqa: NPY002
    expected_torch = torch.rand(3)
    expected_numpy = np.random.rand(3)  # noqa: NPY002
    torch.manual_seed(123)
    np.random.seed(7)  # noqa: NPY002
    SparseNonNegAutoEncoder(**FAST).fit(small)
    assert torch.equal(torch.rand(3), expected_torch)
    np.testing.assert_array_equal(np.random.rand(3), expected_numpy)  # noqa: NPY002


@pytest.mark.parametrize("before", [False, True])
def test_flush_denormal_setting_is_restored(before, small):
    torch.set_flush_denormal(before)
    try:
        assert _denormals_flushed() is before
        ae = SparseNonNegAutoEncoder(**FAST).fit(small)
        assert _denormals_flushed() is before
        ae.transform(small)
        assert _denormals_flushed() is before
    finally:
        torch.set_flush_denormal(False)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_codes_do_not_depend_on_the_batch(Estimator, small):
    ae = Estimator(**FAST).fit(small)
    codes = ae.transform(small)
    one_by_one = np.vstack([ae.transform(small[i:i + 1]) for i in range(0, 300, 37)])
    np.testing.assert_allclose(one_by_one, codes[::37], rtol=0, atol=1e-6)
    assert ae.net_.module_.training  # transform restores the module's mode


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_inverse_transform_score_and_metrics(Estimator, small):
    ae = Estimator(**FAST).fit(small)
    codes = ae.transform(small)
    W, b = ae.components_.astype(np.float64), ae.decoder_bias_.astype(np.float64)
    pre = codes.astype(np.float64) @ W + b
    expected = np.where(pre >= 0, pre, 0.1 * pre)  # leaky ReLU, slope 0.1
    np.testing.assert_allclose(ae.inverse_transform(codes), expected, rtol=1e-5, atol=1e-6)
    mse = reconstruction_error(small, ae.inverse_transform(codes))
    assert ae.score(small) == pytest.approx(-mse, rel=1e-5)
    # The identity operator max-approximates with the reconstruction itself, which
    # shows that the metrics decode with the bias and the decoder activation.
    identity_error = max_approximation_error(ae, small, operator=lambda stack: stack)
    assert identity_error == pytest.approx(mse, rel=1e-5)
    assert np.isfinite(max_approximation_error(ae, small))


@pytest.mark.parametrize("activation", ["sigmoid", "identity"])
def test_other_decoder_activations(activation, small):
    ae = SparseNonNegAutoEncoder(**FAST, decoder_activation=activation).fit(small)
    codes = ae.transform(small)
    with torch.no_grad():
        expected = ae.net_.module_(torch.as_tensor(small))[0].numpy()
    ae.net_.module_.eval()
    np.testing.assert_allclose(ae.inverse_transform(codes), expected, rtol=1e-5, atol=1e-6)


def test_training_lowers_the_reconstruction_error(small):
    short = SparseNonNegAutoEncoder(n_components=16, max_epochs=1, lr=1e-2, random_state=0)
    long = SparseNonNegAutoEncoder(n_components=16, max_epochs=15, lr=1e-2, random_state=0)
    assert long.fit(small).score(small) > short.fit(small).score(small)
    losses = long.net_.history[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_validation_fraction_and_early_stopping(small):
    ae = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 3}, validation_fraction=0.2).fit(small)
    history = ae.net_.history
    assert all(np.isfinite(history[:, "valid_loss"]))
    assert sum(history[0, "batches", :, "train_batch_size"]) == 240
    # A tolerance no epoch can meet stops after the patience.
    stopped = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 50}, validation_fraction=0.2,
                                      early_stopping=True, n_iter_no_change=2, tol=0.9).fit(small)
    assert stopped.n_iter_ == 3
    assert SparseNonNegAutoEncoder(**FAST).fit(small).net_.history[-1].get("valid_loss") is None


def test_user_callbacks_are_used_and_not_mutated(small):
    class CountEpochs(Callback):
        def __init__(self):
            self.count = 0

        def on_epoch_end(self, net, **kwargs):
            self.count += 1

    counter = CountEpochs()
    ae = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 3}, callbacks=[counter]).fit(small)
    used = dict(ae.net_.callbacks_)["CountEpochs"]
    assert used.count == 3
    assert counter.count == 0


def test_callbacks_see_every_training_event(small):
    class Events(Callback):
        def initialize(self):
            self.names = []
            return self

        def on_batch_begin(self, net, **kwargs):
            self.names.append("batch_begin")

        def on_grad_computed(self, net, named_parameters, **kwargs):
            self.names.append("grad")
            assert any(name == "decoder.weight" for name, _ in named_parameters)

        def on_batch_end(self, net, **kwargs):
            self.names.append("batch_end")

    ae = SparseNonNegAutoEncoder(**FAST, callbacks=[("events", Events())]).fit(small)
    names = dict(ae.net_.callbacks_)["events"].names
    assert names == ["batch_begin", "grad", "batch_end"] * 6  # 2 epochs x 3 batches


def test_optimizer_needing_a_closure(small):
    ae = SparseNonNegAutoEncoder(**FAST, optimizer=torch.optim.LBFGS, lr=0.1).fit(small)
    assert np.isfinite(ae.transform(small)).all()
    assert ae.components_.min() >= 0


def test_early_stopping_on_the_training_loss(small):
    ae = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 40}, early_stopping=True,
                                 n_iter_no_change=1, tol=0.5).fit(small)
    assert ae.n_iter_ == 2
    assert "valid_loss" not in ae.net_.history[-1]


def test_verbose_prints_progress(small, capsys):
    SparseNonNegAutoEncoder(**FAST, verbose=True).fit(small)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out
    SparseNonNegAutoEncoder(**FAST).fit(small)
    assert capsys.readouterr().out == ""


def test_device_auto_is_resolved_at_fit_time(small):
    ae = SparseNonNegAutoEncoder(**FAST, device="auto").fit(small)
    assert ae.device == "auto"
    assert ae.get_params()["device"] == "auto"
    assert str(ae.net_.device) == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only error")
def test_cuda_without_cuda_is_a_clear_error(small):
    with pytest.raises(ValueError, match="device='cuda'.*CUDA is not available"):
        SparseNonNegAutoEncoder(**FAST, device="cuda").fit(small)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_every_tensor_is_unpickled_through_the_device_mapping(Estimator, small, monkeypatch):
    # On a CPU-only machine, a tensor saved on CUDA loads only through skorch's
    # unpickler, which maps it to the CPU. A tensor pickled anywhere else in the
    # estimator goes through torch.storage._load_from_bytes, which refuses CUDA
    # storages there (seen on a GPU machine): forbid that path and unpickle.
    import torch.storage

    data = pickle.dumps(Estimator(**FAST).fit(small))

    def refuse(_):
        raise AssertionError("a tensor was pickled outside skorch's device mapping")

    monkeypatch.setattr(torch.storage, "_load_from_bytes", refuse)
    ae = pickle.loads(data)
    assert ae.net_.module is ae.net_.module_
    assert np.isfinite(ae.transform(small)).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cuda_model_transforms_on_cpu_after_unpickling(Estimator, small, tmp_path):
    import subprocess
    import sys

    ae = Estimator(**FAST, device="cuda").fit(small)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(ae))
    np.save(tmp_path / "X.npy", small)
    np.save(tmp_path / "codes.npy", ae.transform(small))
    script = (
        "import pickle, sys, numpy as np, torch\n"
        "assert not torch.cuda.is_available()\n"
        f"ae = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        f"ref = np.load({str(tmp_path / 'codes.npy')!r})\n"
        "codes = ae.transform(X)\n"
        "assert str(ae.net_.device) == 'cpu', ae.net_.device\n"
        "np.testing.assert_allclose(codes, ref, atol=1e-4)\n"
        "print('ok')\n"
    )
    env = {**__import__("os").environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cuda_training_reaches_the_quality_of_cpu_training(Estimator, small):
    # Same seed, same batches; float rounding (and cuDNN's TF32 convolutions) differ,
    # so the two fits are close, not equal.
    params = dict(FAST, n_components=16, max_epochs=10)
    cpu = Estimator(**params, device="cpu").fit(small)
    gpu = Estimator(**params, device="cuda").fit(small)
    assert str(gpu.net_.device).startswith("cuda")
    assert gpu.components_.min() >= 0
    assert gpu.score(small) == pytest.approx(cpu.score(small), rel=0.1)
    codes = gpu.transform(small)
    assert np.isfinite(codes).all() and codes.min() >= 0 and codes.max() <= 1


@pytest.mark.filterwarnings("ignore:X holds values up to:UserWarning")  # the 1e20 inputs
def test_diverging_training_raises_naming_parameters(small):
    with pytest.raises(ValueError, match=r"Lower lr \(now 1000000.0\) or sparsity_weight"):
        SparseNonNegAutoEncoder(**FAST, optimizer="sgd", lr=1e6).fit(small)
    # Finite but huge inputs overflow the float32 loss: an error, never NaN codes.
    with pytest.raises(ValueError, match="lr .* sparsity_weight"):
        SparseNonNegAutoEncoder(**FAST).fit(np.full((20, 64), 1e20))
    assert not hasattr(SparseNonNegAutoEncoder(**FAST), "components_")


BAD_PARAMS = [
    (dict(n_components=0), "n_components"),
    (dict(n_components=2.5), "n_components"),
    (dict(sparsity_target=0.0), r"sparsity_target \(p\) with sparsity_penalty='kl'"),
    (dict(sparsity_target=1.0), "sparsity_target"),
    (dict(sparsity_target=1.5, sparsity_penalty="l2"), "sparsity_target"),
    (dict(sparsity_weight=-1.0), "sparsity_weight"),
    (dict(sparsity_penalty="l3"), "sparsity_penalty"),
    (dict(eps=0.0), "eps"),
    (dict(nonnegativity="clip"), "nonnegativity"),
    (dict(decay_weight=-0.1), "decay_weight"),
    (dict(decay_ratio=-0.1), "decay_ratio"),
    (dict(decoder_activation="relu"), "decoder_activation"),
    (dict(optimizer="lbfgs2"), "optimizer"),
    (dict(optimizer=object), "optimizer"),
    (dict(lr=0.0), "lr"),
    (dict(max_epochs=0), "max_epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(validation_fraction=1.0), "validation_fraction"),
    (dict(early_stopping="yes"), "early_stopping"),
    (dict(device="tpu"), "device"),
    (dict(image_shape=(4, 4)), r"image_shape=\(4, 4\) holds 16 pixels"),
    (dict(image_shape=(3, -1)), "image_shape"),
    (dict(callbacks="ProgressBar"), "callbacks"),
    (dict(verbose=-1), "verbose"),
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("params, match", BAD_PARAMS)
def test_bad_parameters(Estimator, params, match, small):
    with pytest.raises(ValueError, match=match):
        Estimator(**{**FAST, **params}).fit(small[:20])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_inputs(Estimator, small):
    ae = Estimator(**FAST)
    nan = small[:20].copy()
    nan[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ae.fit(nan)
    inf = small[:20].copy()
    inf[3, 5] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ae.fit(inf)
    with pytest.raises(ValueError, match="0 sample"):
        ae.fit(np.empty((0, 64)))
    with pytest.raises(ValueError, match="1 sample"):
        ae.fit(small[:1])
    flat = np.random.RandomState(0).rand(20, 10)
    if Estimator is AsymmetricAutoEncoder:  # the convolutional encoder says how it reads them
        with pytest.warns(UserWarning, match="not a perfect square.*one row of 10 pixels"):
            ae.fit(flat)
    else:
        ae.fit(flat)
    assert ae.image_shape_ is None  # unknown: what needs an image asks for it
    with pytest.raises(ValueError, match="not a square image.*image_shape"):
        max_approximation_error(ae, flat)
    ae.fit(small[:20])
    with pytest.raises(ValueError, match="X has 49 features"):
        ae.transform(small[:5, :49])
    with pytest.raises(ValueError, match="n_components=8"):
        ae.inverse_transform(np.zeros((2, 5)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_rectangular_and_flat_images(Estimator):
    X = np.random.RandomState(0).rand(40, 12)
    ae = Estimator(**FAST, image_shape=(3, 4)).fit(X)
    assert ae.image_shape_ == (3, 4)
    assert Estimator(**FAST, image_shape=(-1, 6)).fit(X).image_shape_ == (2, 6)
    assert Estimator(**FAST, image_shape=(1, -1)).fit(X).image_shape_ == (1, 12)


def test_unfitted_estimator_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SparseNonNegAutoEncoder().transform(np.zeros((2, 4)))
