"""The one input contract of the three estimators (``_utils.check_images``).

Each case on each estimator, through ``fit``, ``partial_fit`` and ``transform``: an
image stack of more than two dimensions, negative values, raw 0-255 pixels, more atoms
than samples; and the exception types a user can meet are public ones.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sparse_parts import AsymmetricAutoEncoder, SparseNMF, SparseNonNegAutoEncoder, nmf

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)]

FAST = {
    SparseNMF: dict(n_components=4, max_iter=5, random_state=0),
    SparseNonNegAutoEncoder: dict(n_components=4, max_epochs=1, random_state=0),
    AsymmetricAutoEncoder: dict(n_components=4, max_epochs=1, random_state=0),
}
ESTIMATORS = list(FAST)


def _model(cls, **params):
    return cls(**{**FAST[cls], **params})


@pytest.fixture(scope="module")
def images(small):
    return small[:40].astype(np.float32)  # 40 digits of 8 x 8 in [0, 1]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform"])
def test_an_image_stack_is_told_how_to_flatten(cls, method, images):
    stack = images.reshape(-1, 8, 8)
    model = _model(cls)
    if method == "transform":
        model.fit(images)
    with pytest.raises(ValueError, match=r"shape \(40, 8, 8\): flatten with "
                                         r"X.reshape\(len\(X\), -1\) and pass "
                                         r"image_shape=\(h, w\).*image_shape=\(8, 8\)"):
        getattr(model, method)(stack)
    with pytest.raises(ValueError, match=r"X.reshape\(len\(X\), -1\)"):  # a nested list
        getattr(model, method)(stack.tolist())


def test_the_public_function_is_told_too(images):
    with pytest.raises(ValueError, match=r"X passed to sparse_nmf must be a 2-D array.*X.reshape"):
        nmf.sparse_nmf(images.reshape(-1, 8, 8), 4, max_iter=2)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit", "transform"])
def test_negative_images_are_refused_with_what_to_do(cls, method, images):
    model = _model(cls)
    if method == "transform":
        model.fit(images)
    shifted = images - 0.5
    with pytest.raises(ValueError, match=rf"Negative values in data passed to {cls.__name__}: "
                                         r"the smallest is -0.5.*shift/clip.*scale to \[0, 1\]"):
        getattr(model, method)(shifted)


def test_the_public_function_refuses_negative_values(images):
    with pytest.raises(ValueError, match="Negative values in data passed to sparse_nmf"):
        nmf.sparse_nmf(images - 0.5, 4, max_iter=2)


def test_the_public_function_validates_like_the_estimator(images):
    with pytest.raises(ValueError, match="NaN"):
        nmf.sparse_nmf(np.where(images > 0.5, np.nan, images), 4, max_iter=2)
    codes, atoms, _, _ = nmf.sparse_nmf(images.tolist(), 4, max_iter=2, random_state=0)
    assert codes.shape == (40, 4) and atoms.shape == (4, 64)


@pytest.mark.parametrize("cls", [SparseNonNegAutoEncoder, AsymmetricAutoEncoder])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_raw_pixels_warn_on_the_auto_encoders(cls, method, images):
    with pytest.warns(UserWarning, match=rf"values up to 255, but {cls.__name__} expects "
                                         r"images scaled to \[0, 1\].*X / 255"):
        getattr(_model(cls), method)(np.round(images * 255))


@pytest.mark.parametrize("cls", [SparseNonNegAutoEncoder, AsymmetricAutoEncoder])
def test_raw_pixels_warn_in_transform_too(cls, images):
    model = _model(cls).fit(images)
    with pytest.warns(UserWarning, match="values up to 255") as caught:
        model.transform(np.round(images * 255))
    assert caught[0].filename == __file__  # the user's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.transform(images)


def test_raw_pixels_change_nothing_for_sparse_nmf(images):
    """SparseNMF solves for X over its largest entry: scale does not matter, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # a UserWarning too
        raw = _model(SparseNMF).fit(images * 255)
    scaled = _model(SparseNMF).fit(images)
    np.testing.assert_allclose(raw.components_, scaled.components_, atol=1e-5)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_more_atoms_than_samples_warn(cls, images):
    with pytest.warns(UserWarning, match=rf"{cls.__name__} learns n_components=12 atoms "
                                         "from 10 samples"):
        _model(cls, n_components=12).fit(images[:10])
    with warnings.catch_warnings():  # as many atoms as samples: no warning
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # a UserWarning too
        _model(cls, n_components=10).fit(images[:10])


def test_sparse_nmf_of_n_components_none_warns_as_its_n_features(images):
    with pytest.warns(UserWarning, match="learns n_components=64 atoms from 10 samples"):
        _model(SparseNMF, n_components=None).fit(images[:10])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_exceptions_a_user_meets_are_public(cls, images):
    with pytest.raises(NotFittedError):
        _model(cls).transform(images)
    with pytest.raises(NotFittedError):
        _model(cls).inverse_transform(np.zeros((2, 4)))
    fitted = _model(cls).fit(images)
    for bad in (np.full((40, 64), np.inf), images.reshape(-1, 8, 8), images - 1,
                images[:, :10]):
        for method in (_model(cls).fit, fitted.transform):
            if bad.shape == (40, 10) and method != fitted.transform:
                continue  # fine to fit
            with pytest.raises(ValueError) as info:
                method(bad)
            assert type(info.value).__module__.split(".")[0] in ("builtins", "sklearn"), (
                type(info.value))


def test_component_scope_partial_fit_is_a_plain_attribute_error(images):
    model = SparseNMF(4, code_sparseness=0.5, code_sparseness_scope="component")
    with pytest.raises(AttributeError) as info:
        model.partial_fit(images)
    assert type(info.value) is AttributeError
    assert not hasattr(model, "partial_fit")


def test_the_metrics_tell_an_image_stack_how_to_flatten_too(images):
    from sparse_parts import metrics

    model = _model(SparseNMF).fit(images)
    stack = images.reshape(-1, 8, 8)
    with pytest.raises(ValueError, match=r"X passed to these metrics must be a 2-D array"):
        metrics.max_approximation_error(model, stack)
    with pytest.raises(ValueError, match=r"X passed to reconstruction_error must be a 2-D "
                                         r"array.*X.reshape\(len\(X\), -1\)"):
        metrics.reconstruction_error(stack, stack)


def test_sparse_nmf_refuses_a_callback_that_cannot_be_called(images):
    with pytest.raises(ValueError, match="callback must be None or a callable, got 5"):
        nmf.sparse_nmf(images, 4, callback=5, max_iter=2)
