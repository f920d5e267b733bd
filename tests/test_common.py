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
_NOT_IMAGES = (
    "the check fits data of 2, 3, 5 or 10 features, which are not square images: with "
    "image_shape=None the convolutional encoder refuses them with a ValueError asking "
    "for image_shape, rather than guess a shape and convolve across image rows "
    "(tests/test_autoencoders_sklearn.py passes every check with image_shape=(1, -1))")
# The checks whose data have a non-square number of features.
_NON_SQUARE_CHECKS = (
    "check_fit_score_takes_y", "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_estimators_dtypes", "check_dtype_object",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_transformer_data_not_an_array",
    "check_transformer_general", "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance", "check_methods_subset_invariance",
    "check_dict_unchanged", "check_fit_idempotent", "check_fit_check_is_fitted",
    "check_n_features_in", "check_fit2d_predict1d")

# One torch thread: on the 2 shared cores of the test machine two threads made the
# auto-encoders' checks several times slower.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _expected_failed_checks(estimator):
    if isinstance(estimator, AsymmetricAutoEncoder):
        return ({name: _NOT_IMAGES for name in _NON_SQUARE_CHECKS}
                if estimator.image_shape is None else {})
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
