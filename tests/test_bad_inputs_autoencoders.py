"""Bad and unusual input to the auto-encoders.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


# ------------------------------------------------------------- the auto-encoders
@pytest.fixture
def small_images():
    return np.random.RandomState(0).rand(30, 16).astype(np.float64)


def test_autoencoder_values_beyond_float32_are_refused_not_turned_into_nan(small_images):
    from sparse_parts import SparseNonNegAutoEncoder

    ae = SparseNonNegAutoEncoder(4, max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="beyond the range of float32.*scale X"):
        ae.fit(small_images * 1e300)
    ae.fit(small_images)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        ae.transform(small_images * 1e300)


@pytest.mark.parametrize("callbacks", [[1], [("name", 1)], [(1, "x")], ["progress"]])
def test_autoencoder_callbacks_of_another_kind_are_named(callbacks, small_images):
    from sparse_parts import SparseNonNegAutoEncoder

    with pytest.raises(ValueError, match="callbacks must hold skorch callbacks"):
        SparseNonNegAutoEncoder(4, max_epochs=1, callbacks=callbacks).fit(small_images)


def test_autoencoder_optimizer_lr_is_checked_like_lr(small_images):
    from sparse_parts import SparseNonNegAutoEncoder

    with pytest.raises(ValueError, match="optimizer__lr must be a real number in \\(0"):
        SparseNonNegAutoEncoder(4, max_epochs=1, optimizer__lr=-1).fit(small_images)


def test_a_continued_training_ignores_what_only_reports(small_images):
    """partial_fit after a fit whose progress callbacks and verbosity were changed
    since (as the study's model cache does) continues the same net."""
    from sparse_parts import SparseNonNegAutoEncoder
    from sparse_parts.autoencoders import EpochProgressBar

    ae = SparseNonNegAutoEncoder(4, max_epochs=1, random_state=0,
                                 callbacks=[EpochProgressBar(1, "bar")]).fit(small_images)
    ae.set_params(callbacks=None, verbose=0)
    assert ae.partial_fit(small_images).n_iter_ == 2
    with pytest.raises(ValueError, match="built with other parameters: n_components"):
        ae.set_params(n_components=5).partial_fit(small_images)


def test_l1_penalty_ignores_the_sparsity_target(small_images):
    """The l1 penalty has no target: any sparsity_target is accepted and changes
    nothing (the same model, to the bit, as with the default target)."""
    from sparse_parts import SparseNonNegAutoEncoder

    params = dict(n_components=4, max_epochs=2, sparsity_penalty="l1",
                  sparsity_weight=0.1, random_state=0)
    odd = SparseNonNegAutoEncoder(**params, sparsity_target=5).fit(small_images)
    default = SparseNonNegAutoEncoder(**params).fit(small_images)
    np.testing.assert_array_equal(odd.components_, default.components_)
    np.testing.assert_array_equal(odd.transform(small_images), default.transform(small_images))
    # With a penalty that has a target, the same value is refused, naming it.
    with pytest.raises(ValueError, match=r"sparsity_target \(p\) must be a real number"):
        SparseNonNegAutoEncoder(**{**params, "sparsity_penalty": "l2"},
                                sparsity_target=5).fit(small_images)
