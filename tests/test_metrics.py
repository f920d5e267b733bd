import pickle
import warnings

import numpy as np
import pytest
from skimage.morphology import dilation as sk_dilation
from skimage.morphology import disk, erosion
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler

from sparse_parts import SparseNMF
from sparse_parts.datasets import load_digits_images
from sparse_parts.metrics import (
    hoyer_sparsity,
    make_max_approximation_scorer,
    max_approximation,
    max_approximation_error,
    max_approximation_scorer,
    reconstruction_error,
    reconstruction_scorer,
    sparsity_scorer,
)


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data[:300].astype(np.float64)


@pytest.fixture(scope="module")
def fitted(digits):
    return SparseNMF(10, code_sparseness=0.5, max_iter=40, random_state=0).fit(digits)


def _spike_model(shape=(7, 7), positions=((1, 1), (1, 5), (5, 3))):
    """A fitted NMF whose atoms are single pixels, far enough apart that their
    dilations do not overlap: dilation is then exactly max-approximated."""
    atoms = np.zeros((len(positions),) + shape)
    for j, (r, c) in enumerate(positions):
        atoms[j, r, c] = 1.0
    atoms = atoms.reshape(len(positions), -1)
    codes = np.random.RandomState(0).rand(20, len(positions)) + 0.1
    X = codes @ atoms
    model = SparseNMF(len(positions), max_iter=5, tol=0, random_state=0).fit(X)
    model.components_ = atoms
    return model, X, codes


def test_reconstruction_error_by_hand():
    X = np.array([[0.0, 1.0], [2.0, 2.0]])
    assert reconstruction_error(X, X) == 0
    assert reconstruction_error(X, X + [[0, 1], [0, 0]]) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="shape"):
        reconstruction_error(X, X[:1])


def test_hoyer_sparsity_by_hand():
    assert hoyer_sparsity(np.eye(4)) == pytest.approx(1.0)
    assert hoyer_sparsity(np.ones((3, 4))) == pytest.approx(0.0)
    assert hoyer_sparsity(np.zeros((2, 5))) == 0.0
    # one row of each: mean of 1 and 0
    assert hoyer_sparsity(np.array([[0, 0, 3.0, 0], [2.0, 2, 2, 2]])) == pytest.approx(0.5)


def test_hoyer_sparsity_of_unit_atoms_ignores_the_atoms_scales():
    rng = np.random.default_rng(0)
    codes, atoms = rng.random((20, 5)), rng.random((5, 9))
    # The same decomposition (codes @ atoms), with atom j scaled by s_j.
    scales = np.array([1e-3, 1.0, 10.0, 1e3, 0.5])
    rescaled_codes, rescaled_atoms = codes / scales, atoms * scales[:, None]
    np.testing.assert_allclose(rescaled_codes @ rescaled_atoms, codes @ atoms)
    assert hoyer_sparsity(rescaled_codes, rescaled_atoms) == pytest.approx(
        hoyer_sparsity(codes, atoms))
    assert abs(hoyer_sparsity(rescaled_codes) - hoyer_sparsity(codes)) > 0.2
    # With unit-norm atoms it is the plain measure.
    unit = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)
    assert hoyer_sparsity(codes, unit) == pytest.approx(hoyer_sparsity(codes))
    with pytest.raises(ValueError, match="4 atoms in components but codes of 5"):
        hoyer_sparsity(codes, atoms[:4])


def test_exact_max_approximation_of_disjoint_parts():
    model, X, codes = _spike_model()
    np.testing.assert_allclose(model.transform(X), codes, atol=1e-6)
    assert max_approximation_error(model, X) == pytest.approx(0, abs=1e-10)
    assert max_approximation_error(model, X, reference="reconstruction") == pytest.approx(
        0, abs=1e-10)
    # Erosion of single pixels by disk(1) is empty: the approximation is 0 too.
    assert max_approximation_error(model, X, operator="erosion") == pytest.approx(
        0, abs=1e-10)


def test_max_approximation_matches_direct_computation(digits, fitted):
    X = digits[:30]
    codes = fitted.transform(X)
    atoms = fitted.components_.reshape(-1, 8, 8)
    dilated_atoms = np.stack([sk_dilation(a, disk(1)) for a in atoms]).reshape(10, -1)
    expected = codes @ dilated_atoms
    np.testing.assert_allclose(max_approximation(fitted, X), expected, rtol=1e-10)
    dilated_X = np.stack([sk_dilation(x, disk(1)) for x in X.reshape(-1, 8, 8)]).reshape(30, -1)
    assert max_approximation_error(fitted, X) == pytest.approx(
        np.mean((expected - dilated_X) ** 2))
    # Codes passed in are used as they are: those of another model change the result.
    assert max_approximation_error(fitted, X, codes=codes) == max_approximation_error(fitted, X)
    assert max_approximation_error(fitted, X, codes=2 * codes) != pytest.approx(
        max_approximation_error(fitted, X))
    recon = (codes @ fitted.components_).reshape(-1, 8, 8)
    dilated_recon = np.stack([sk_dilation(x, disk(1)) for x in recon]).reshape(30, -1)
    assert max_approximation_error(fitted, X, reference="reconstruction") == pytest.approx(
        np.mean((expected - dilated_recon) ** 2))
    eroded_atoms = np.stack([erosion(a, disk(2)) for a in atoms]).reshape(10, -1)
    np.testing.assert_allclose(
        max_approximation(fitted, X, operator="erosion", radius=2), codes @ eroded_atoms)


class _BiasedDecoder:
    """The auto-encoders' contract: a decoder bias that is not dilated."""

    def __init__(self, model, bias):
        self.model, self.bias = model, bias
        self.components_ = model.components_
        self.image_shape_ = model.image_shape_

    def transform(self, X):
        return self.model.transform(X)

    def decode(self, codes, components):
        return np.maximum(codes @ components + self.bias, 0)


def test_decoding_hook_keeps_bias_undilated(digits, fitted):
    wrapped = _BiasedDecoder(fitted, bias=np.full(64, 0.25))
    codes = fitted.transform(digits[:5])
    dilated_atoms = np.stack([sk_dilation(a, disk(1)) for a in
                              fitted.components_.reshape(-1, 8, 8)]).reshape(10, -1)
    np.testing.assert_allclose(max_approximation(wrapped, digits[:5]),
                               np.maximum(codes @ dilated_atoms + 0.25, 0))


def test_scorers_signs(digits, fitted):
    X = digits[:50]
    codes = fitted.transform(X)
    assert reconstruction_scorer(fitted, X) == pytest.approx(
        -reconstruction_error(X, fitted.inverse_transform(codes)))
    assert sparsity_scorer(fitted, X, None) == pytest.approx(hoyer_sparsity(codes))
    assert max_approximation_scorer(fitted, X) == pytest.approx(
        -max_approximation_error(fitted, X))
    scorer = make_max_approximation_scorer("closing", 2, reference="reconstruction")
    assert scorer(fitted, X) == pytest.approx(
        -max_approximation_error(fitted, X, operator="closing", radius=2,
                                 reference="reconstruction"))
    clone = pickle.loads(pickle.dumps(scorer))
    assert clone(fitted, X) == scorer(fitted, X)


def test_grid_search_with_the_package_scorers(digits):
    search = GridSearchCV(
        SparseNMF(8, max_iter=30, random_state=0),
        {"code_sparseness": [None, 0.8], "n_components": [4, 12]},
        scoring={"rec": reconstruction_scorer, "sparsity": sparsity_scorer,
                 "dilation": max_approximation_scorer},
        refit="dilation", cv=2,
    ).fit(digits)
    results = search.cv_results_
    assert (results["mean_test_rec"] < 0).all()
    assert ((results["mean_test_sparsity"] >= 0) & (results["mean_test_sparsity"] <= 1)).all()
    assert (results["mean_test_dilation"] < 0).all()
    # More atoms reconstruct better, for either constraint.
    by_k = {(p["code_sparseness"], p["n_components"]): r
            for p, r in zip(results["params"], results["mean_test_rec"], strict=True)}
    assert by_k[(None, 12)] > by_k[(None, 4)] and by_k[(0.8, 12)] > by_k[(0.8, 4)]
    assert search.best_index_ == np.argmax(results["mean_test_dilation"])
    assert search.best_estimator_.score(digits) == pytest.approx(
        reconstruction_scorer(search.best_estimator_, digits))


def test_bad_arguments(digits, fitted):
    with pytest.raises(ValueError, match="reference must be one of"):
        max_approximation_error(fitted, digits, reference="dilated")
    with pytest.raises(ValueError, match="reference must be one of"):
        make_max_approximation_scorer(reference="x")
    with pytest.raises(ValueError, match="operator"):
        make_max_approximation_scorer("tophat")
    X = np.random.RandomState(0).rand(20, 12)
    nonsquare = SparseNMF(3, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="image_shape=\\(height, width\\)"):
        max_approximation_error(nonsquare, X)
    ok = SparseNMF(3, image_shape=(3, 4), max_iter=5, random_state=0).fit(X)
    assert np.isfinite(max_approximation_error(ok, X))


# -- pipelines -----------------------------------------------------------------------


def _scaled_pipeline(digits, *, max_iter=40):
    # Digits scaled by 2 then min-max scaled back per pixel: the scaler changes X.
    X = 2.0 * digits
    pipeline = make_pipeline(
        MinMaxScaler(), SparseNMF(10, code_sparseness=0.5, max_iter=max_iter, random_state=0))
    return pipeline.fit(X), X


def test_every_metric_on_a_pipeline_is_its_last_step_on_the_transformed_input(digits):
    pipeline, X = _scaled_pipeline(digits)
    nmf, X_seen = pipeline[-1], pipeline[:-1].transform(X)
    assert not np.allclose(X_seen, X)
    codes = nmf.transform(X_seen)
    closing_scorer = make_max_approximation_scorer("closing", 2, reference="reconstruction")
    for scorer in (reconstruction_scorer, sparsity_scorer, max_approximation_scorer,
                   closing_scorer):
        assert scorer(pipeline, X) == pytest.approx(scorer(nmf, X_seen), rel=1e-12)
    np.testing.assert_allclose(max_approximation(pipeline, X, radius=2),
                               max_approximation(nmf, X_seen, radius=2), rtol=1e-12)
    assert max_approximation_error(pipeline, X, codes=codes) == pytest.approx(
        max_approximation_error(nmf, X_seen), rel=1e-12)
    # The max-approximation is compared with the operated *scaled* images.
    dilated_seen = np.stack([sk_dilation(x, disk(1)) for x in X_seen.reshape(-1, 8, 8)])
    expected = np.mean((max_approximation(nmf, X_seen) - dilated_seen.reshape(len(X), -1)) ** 2)
    assert max_approximation_error(pipeline, X) == pytest.approx(expected, rel=1e-12)


def test_nested_pipeline_resolves_to_the_innermost_last_step(digits):
    pipeline, X = _scaled_pipeline(digits)
    nested = Pipeline([("double", FunctionTransformer(lambda A: A / 2.0)), ("inner", pipeline)])
    nested.fit(digits)
    X_seen = nested[0].transform(digits)
    X_seen = nested[-1][:-1].transform(X_seen)
    assert max_approximation_scorer(nested, digits) == pytest.approx(
        max_approximation_scorer(nested[-1][-1], X_seen), rel=1e-12)


def test_grid_search_over_a_pipeline_scores_every_candidate(digits):
    search = GridSearchCV(
        # clip: a pixel constant in a training fold would scale to negatives elsewhere.
        make_pipeline(MinMaxScaler(clip=True), SparseNMF(4, max_iter=20, random_state=0)),
        {"sparsenmf__n_components": [3, 6]},
        scoring={"rec": reconstruction_scorer, "sparsity": sparsity_scorer,
                 "dilation": max_approximation_scorer,
                 "opening": make_max_approximation_scorer("opening", 1)},
        refit="dilation", cv=2,
    )
    with warnings.catch_warnings():
        # A failed score is only a warning in GridSearchCV (and a NaN): make it an error.
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(digits[:120])
    for name in ("rec", "sparsity", "dilation", "opening"):
        assert np.isfinite(search.cv_results_[f"mean_test_{name}"]).all()
    assert (search.cv_results_["mean_test_dilation"] < 0).all()


def test_pipeline_without_a_decomposition_at_the_end_is_refused(digits):
    X = digits[:50]
    ends_with_scaler = make_pipeline(SparseNMF(3, max_iter=5, random_state=0),
                                     MinMaxScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ends_with_scaler.fit(X)
    for call in (lambda: max_approximation_scorer(ends_with_scaler, X),
                 lambda: reconstruction_scorer(ends_with_scaler, X),
                 lambda: sparsity_scorer(ends_with_scaler, X),
                 lambda: max_approximation(ends_with_scaler, X)):
        with pytest.raises(ValueError, match="last step of the Pipeline, 'minmaxscaler'.*"
                                             "has no components_"):
            call()
    passthrough = Pipeline([("scale", MinMaxScaler()), ("end", "passthrough")]).fit(X)
    with pytest.raises(ValueError, match="'end' \\('passthrough'\\) has no components_"):
        max_approximation_error(passthrough, X)
    with pytest.raises(NotFittedError, match="Pipeline instance is not fitted"):
        max_approximation_scorer(make_pipeline(MinMaxScaler(), SparseNMF(3)), X)
    with pytest.raises(NotFittedError, match="SparseNMF instance is not fitted"):
        sparsity_scorer(SparseNMF(3), X)


def test_decomposition_without_decode_is_refused(digits):
    # scikit-learn's NMF has components_ but no decoding hook for operated atoms.
    nmf = NMF(3, max_iter=20, init="nndsvda").fit(digits[:50])
    with pytest.raises(ValueError, match="^NMF has no decode\\(\\)"):
        max_approximation_error(nmf, digits[:50])


def test_autoencoder_pipeline(digits, one_torch_thread):
    from sparse_parts import SparseNonNegAutoEncoder

    X = 2.0 * digits[:64]
    pipeline = make_pipeline(MinMaxScaler(), SparseNonNegAutoEncoder(
        n_components=6, max_epochs=2, random_state=0)).fit(X)
    autoencoder, X_seen = pipeline[-1], pipeline[:-1].transform(X)
    for scorer in (reconstruction_scorer, sparsity_scorer, max_approximation_scorer):
        assert scorer(pipeline, X) == pytest.approx(scorer(autoencoder, X_seen), rel=1e-6)


# -- shapes and values of the inputs ----------------------------------------------------


class _PlainDecoder(_BiasedDecoder):
    """A decode without validation: a wrong codes shape used to surface from matmul."""

    def decode(self, codes, components):
        return codes @ components


def test_codes_of_the_wrong_shape_are_refused(digits, fitted):
    X = digits[:30]
    codes = fitted.transform(X)
    plain = _PlainDecoder(fitted, bias=0.0)
    for model in (fitted, plain):
        for bad in (codes[:, :4], codes[:29], np.hstack([codes, codes])):
            with pytest.raises(ValueError, match=r"shape \(30, 10\) was expected"):
                max_approximation(model, X, codes=bad)
            with pytest.raises(ValueError, match=r"shape \(30, 10\) was expected"):
                max_approximation_error(model, X, codes=bad)
    with pytest.raises(ValueError, match="X has 9 features but SparseNMF has atoms of 64"):
        max_approximation_error(fitted, X[:, :9], codes=codes)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(bad, digits, fitted):
    codes = np.eye(4)
    codes[1, 2] = bad
    with pytest.raises(ValueError, match="codes holds NaN or infinite values; hoyer_sparsity "
                                         "needs finite input"):
        hoyer_sparsity(codes)
    X = digits[:5].copy()
    X[0, 3] = bad
    with pytest.raises(ValueError, match="X holds NaN or infinite values"):
        reconstruction_error(X, digits[:5])
    with pytest.raises(ValueError, match="X holds NaN or infinite values"):
        max_approximation_error(fitted, X)
