"""Bad and unusual input to the metrics and scorers of ``metrics``.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF, metrics

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((20, 16))


# ------------------------------------------------------------------ metrics
def test_metrics_refuse_nan_codes_instead_of_returning_nan(X, one_torch_thread):
    from sparse_parts import SparseNonNegAutoEncoder

    model = SparseNonNegAutoEncoder(3, max_epochs=1, batch_size=8, random_state=0).fit(X)
    # 1e300 is finite in float64 but not in the auto-encoder's float32: it gave NaN
    # codes, which the metric reported as "Input codes contains NaN" (codes the user
    # never passed). The estimator now refuses the input itself.
    with pytest.raises(ValueError, match="beyond the range of float32"):
        metrics.max_approximation_error(model, X * 1e300)

    class NaNCodes(SparseNMF):
        """A decomposition whose transform goes wrong: the metrics must say so."""

        def transform(self, X):
            return np.full((len(X), self.components_.shape[0]), np.nan)

    broken = NaNCodes(3, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="returned NaN or infinite codes"):
        metrics.max_approximation_error(broken, X)


def test_scorer_repr_shows_its_footprint():
    scorer = metrics.make_max_approximation_scorer(footprint=np.ones((3, 3)))
    assert "footprint=<array of shape (3, 3)>" in repr(scorer)
