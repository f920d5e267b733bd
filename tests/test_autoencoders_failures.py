"""Loud failures of the auto-encoders: divergence, BatchNorm batches, codes outside
[0, 1], raw pixel values, and the devices ``device`` accepts."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

ESTIMATORS = [SparseNonNegAutoEncoder, AsymmetricAutoEncoder]
FAST = dict(n_components=8, max_epochs=2, random_state=0)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_exploding_finite_loss_is_divergence(Estimator, small):
    # Adam with lr=1e6 saturates every code and takes the loss from about 0.2 to
    # about 1e10 without it ever becoming infinite.
    ae = Estimator(**FAST, lr=1e6, sparsity_weight=0.01)
    with pytest.raises(ValueError, match=r"grew from .* diverged\. Lower lr \(now 1000000\.0\) "
                                         r"or sparsity_weight \(now 0\.01\)"):
        ae.fit(small)
    assert not hasattr(ae, "components_")


def test_a_large_but_sane_learning_rate_is_not_divergence(small):
    # Adam with lr=1 overshoots early but stays within a few times the first loss.
    ae = SparseNonNegAutoEncoder(**{**FAST, "max_epochs": 5}, lr=1.0).fit(small)
    losses = ae.net_.history[:, "train_loss"]
    assert np.isfinite(losses).all() and ae.n_iter_ == 5


def test_batchnorm_encoder_needs_two_samples_per_batch(small):
    with pytest.raises(ValueError, match=r"batch_size must be >= 2 .*BatchNorm.*batch_size=1"):
        AsymmetricAutoEncoder(**FAST, batch_size=1).fit(small[:20])
    # The dense encoder has no BatchNorm: one sample per batch is fine.
    SparseNonNegAutoEncoder(**FAST, batch_size=1).fit(small[:20])
    # 10 samples, 1 held out: 9 train in batches of 2, 2, 2 and 3 (a last batch of one
    # is merged), and the 1-sample validation batch runs in evaluation mode.
    ae = AsymmetricAutoEncoder(**FAST, batch_size=2, validation_fraction=0.1).fit(small[:10])
    history = ae.net_.history
    assert list(history[0, "batches", :, "train_batch_size"]) == [2, 2, 2, 3]
    assert np.isfinite(history[:, "valid_loss"]).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_codes_outside_the_unit_interval_are_refused(Estimator, small):
    ae = Estimator(**FAST).fit(small[:40])
    codes = ae.transform(small[:5])
    for bad in (codes + 2.0, codes - 1.0):
        with pytest.raises(ValueError, match=r"codes of this .* are in \[0, 1\]"):
            ae.inverse_transform(bad)
        with pytest.raises(ValueError, match=r"in \[0, 1\]"):
            ae.decode(bad, ae.components_)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_raw_pixel_values_warn(Estimator, small):
    for method in ("fit", "fit_transform", "partial_fit"):
        with pytest.warns(UserWarning, match=r"values up to 255.*X / 255") as caught:
            getattr(Estimator(**FAST), method)(np.round(small * 255))
        assert caught[0].filename == __file__  # the user's line, not the package's
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Estimator(**FAST).fit(small)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_torch_device_parameter(Estimator, small):
    ae = Estimator(**FAST, device=torch.device("cpu"))
    assert clone(ae).get_params()["device"] == torch.device("cpu")
    ae.fit(small)
    assert str(ae.net_.device) == "cpu"
    assert ae.device == torch.device("cpu")  # the parameter is kept as given
    again = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(again.transform(small), ae.transform(small))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("device", ["cuda:0", torch.device("cuda", 0)])
def test_indexed_cuda_device(device, small):
    ae = SparseNonNegAutoEncoder(**FAST, device=device).fit(small)
    assert str(ae.net_.device) == "cuda:0"
    assert next(ae.net_.module_.parameters()).device == torch.device("cuda", 0)
    assert np.isfinite(clone(ae).fit(small).transform(small)).all()
