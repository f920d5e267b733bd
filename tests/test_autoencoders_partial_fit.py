"""Continued training of the auto-encoders: ``partial_fit`` and ``warm_start``.

What holds exactly on the CPU (one torch thread, an int ``random_state``): the first
``partial_fit`` builds the net as ``fit`` does, and later calls continue the same
weights, optimizer state and shuffling stream, so that ``n`` calls of ``partial_fit``
on ``X`` give the estimator that ``fit`` with ``max_epochs=n`` gives, and warm-started
fits of ``k`` and ``m`` epochs give that of one fit of ``k + m`` epochs.
"""

import numpy as np
import pytest

from sparse_parts import AsymmetricAutoEncoder, SparseNonNegAutoEncoder
from sparse_parts.datasets import load_digits_images

ESTIMATORS = [SparseNonNegAutoEncoder, AsymmetricAutoEncoder]
FAST = dict(n_components=8, random_state=0)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data


def _same_model(a, b, X):
    np.testing.assert_allclose(a.components_, b.components_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.decoder_bias_, b.decoder_bias_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- equalities
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_one_partial_fit_is_fit_for_one_epoch(Estimator, digits):
    X = digits[:300]
    online = Estimator(**FAST).partial_fit(X)  # max_epochs=30 is not used by partial_fit
    batch = Estimator(**FAST, max_epochs=1).fit(X)
    _same_model(online, batch, X)
    assert online.n_iter_ == batch.n_iter_ == 1
    assert online.n_features_in_ == 64 and online.image_shape_ == (8, 8)
    assert online.fit_interrupted_ is False


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_keeps_the_optimizer_state(Estimator, digits):
    X = digits[:300]
    online = Estimator(**FAST).partial_fit(X).partial_fit(X).partial_fit(X)
    batch = Estimator(**FAST, max_epochs=3).fit(X)
    _same_model(online, batch, X)
    assert online.n_iter_ == 3
    # Adam's step count went on across the calls: 3 epochs of 3 batches of 128 or fewer.
    state = next(iter(online.net_.optimizer_.state.values()))
    assert int(state["step"]) == 3 * 3


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_warm_start_continues_from_the_weights(Estimator, digits):
    X = digits[:300]
    warm = Estimator(**FAST, max_epochs=2, warm_start=True).fit(X)
    first_end_loss = warm.net_.history[-1, "train_loss"]
    first_components = warm.components_.copy()
    warm.fit(X)
    # Fits of 2 and 2 epochs are one fit of 4: the second began where the first ended.
    _same_model(warm, Estimator(**FAST, max_epochs=4).fit(X), X)
    assert warm.n_iter_ == 4
    assert warm.net_.history[2, "train_loss"] < warm.net_.history[0, "train_loss"]
    assert abs(warm.net_.history[2, "train_loss"] - first_end_loss) < abs(
        warm.net_.history[0, "train_loss"] - first_end_loss)
    # Without warm start the second fit starts again from the initialisation.
    cold = Estimator(**FAST, max_epochs=2).fit(X)
    cold.fit(X)
    np.testing.assert_allclose(cold.components_, first_components, rtol=1e-5, atol=1e-6)
    assert cold.n_iter_ == 2


def test_partial_fit_after_fit_continues(digits):
    X = digits[:300]
    ae = SparseNonNegAutoEncoder(**FAST, max_epochs=2).fit(X).partial_fit(X)
    _same_model(ae, SparseNonNegAutoEncoder(**FAST, max_epochs=3).fit(X), X)


# --------------------------------------------------------------------------- streaming
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_over_chunks_lowers_the_loss(Estimator, digits):
    ae = Estimator(**FAST, lr=3e-3)
    chunks = np.array_split(digits, 6)
    ae.partial_fit(chunks[0])
    after_one_chunk = ae.score(digits)
    for _ in range(3):
        for chunk in chunks:
            ae.partial_fit(chunk)
    assert ae.n_iter_ == 1 + 3 * 6
    assert ae.score(digits) > after_one_chunk  # score is minus the reconstruction error
    losses = ae.net_.history[:, "train_loss"]
    assert np.mean(losses[-6:]) < np.mean(losses[1:7])
    assert ae.components_.min() >= 0  # the projection still runs every step


# --------------------------------------------------------------------------- refusals
def test_partial_fit_checks_the_feature_count(digits):
    ae = SparseNonNegAutoEncoder(**FAST).partial_fit(digits[:100])
    with pytest.raises(ValueError, match="X has 63 features, but SparseNonNegAutoEncoder "
                                         "is expecting 64 features"):
        ae.partial_fit(digits[:100, :63])
    with pytest.raises(ValueError, match="X has 63 features"):
        ae.set_params(warm_start=True).fit(digits[:100, :63])


@pytest.mark.parametrize("method", ["partial_fit", "fit"])
def test_continuing_with_changed_parameters_is_refused(method, digits):
    ae = SparseNonNegAutoEncoder(**FAST, warm_start=True).partial_fit(digits[:100])
    ae.set_params(lr=1e-2, n_components=9)
    fresh = "set warm_start=False" if method == "fit" else r"sklearn\.base\.clone"
    with pytest.raises(ValueError, match=r"built with other parameters: lr \(0\.001 -> 0\.01"
                                         rf"\), n_components \(8 -> 9\)\. .*{fresh}"):
        getattr(ae, method)(digits[:100])
    ae.set_params(lr=1e-3, n_components=8, max_epochs=1)  # max_epochs may change
    assert ae.fit(digits[:100]).n_iter_ == 2


def test_warm_start_must_be_a_bool(digits):
    with pytest.raises(ValueError, match="warm_start must be a bool, got 'yes'"):
        SparseNonNegAutoEncoder(**FAST, warm_start="yes").fit(digits[:20])


def test_fit_interrupted_is_set_by_partial_fit(digits, interrupt_at):
    ae = SparseNonNegAutoEncoder(**FAST, callbacks=[interrupt_at(2)])
    ae.partial_fit(digits[:100])
    assert ae.fit_interrupted_ is False
    with pytest.warns(UserWarning, match=r"interrupted during epoch 1 of 1 \(partial_fit\)"):
        ae.partial_fit(digits[:100])
    assert ae.fit_interrupted_ is True and ae.n_iter_ == 2
    ae.partial_fit(digits[:100])
    assert ae.fit_interrupted_ is False and ae.n_iter_ == 3


def test_partial_fit_continues_after_pickling(digits):
    import pickle

    X = digits[:300]
    ae = pickle.loads(pickle.dumps(SparseNonNegAutoEncoder(**FAST).partial_fit(X)))
    ae.partial_fit(X)
    _same_model(ae, SparseNonNegAutoEncoder(**FAST, max_epochs=2).fit(X), X)
