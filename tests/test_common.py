"""scikit-learn's common estimator checks over the public estimators."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparse_parts import AsymmetricAutoEncoder, SparseNMF, SparseNonNegAutoEncoder

_ONE_COMPONENT = (
    "the check sets n_components=1, and a per-sample sparseness constraint on a code "
    "of one entry is undefined: SparseNMF refuses it with a ValueError")
_COMPONENT_SCOPE = (
    "with code_sparseness_scope='component' fit_transform returns the constrained "
    "training codes of Hoyer's nmfsc, while transform solves a per-sample non-negative "
    "least-squares problem, by design")
# One torch thread: on the 2 shared cores of the test machine two threads made the
# auto-encoders' checks several times slower.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _expected_failed_checks(estimator):
    if not isinstance(estimator, SparseNMF) or estimator.code_sparseness is None:
        return {}
    if estimator.code_sparseness_scope == "sample":
        return {name: _ONE_COMPONENT for name in (
            "check_dont_overwrite_parameters", "check_fit2d_predict1d",
            "check_methods_subset_invariance", "check_methods_sample_order_invariance",
            "check_fit2d_1sample", "check_fit2d_1feature")}
    return {name: _COMPONENT_SCOPE for name in (
        "check_transformer_general", "check_transformer_data_not_an_array")}


# The estimators with their default parameters come first: that is how most users meet
# them. The checks' data are not images in [0, 1], hence the auto-encoders' warning
# about raw pixel values is silenced here.
@pytest.mark.filterwarnings("ignore:X holds values up to:UserWarning")
@pytest.mark.filterwarnings("ignore:n_features=.* is not a perfect square:UserWarning")
@parametrize_with_checks(
    [SparseNMF(),
     SparseNonNegAutoEncoder(),
     AsymmetricAutoEncoder(),
     SparseNMF(n_components=2, max_iter=50, random_state=0),
     SparseNMF(n_components=2, code_sparseness=0.5, max_iter=50, random_state=0),
     SparseNMF(n_components=2, code_sparseness=0.5, code_sparseness_scope="component",
               atom_sparseness=0.3, max_iter=50, random_state=0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
