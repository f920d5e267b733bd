"""Bad and unusual input to the public API: a clear error, or the right result.

One test per defect found by throwing bad input at the package: each failed before
its fix with an opaque error from deep inside a library, a traceback from the
command line, or a silently wrong result.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sparse_parts import SparseNMF, cli, metrics, plotting
from sparse_parts.datasets import fetch_fashion_mnist, load_images, load_labels
from sparse_parts.morphology import apply_operator, dilation
from sparse_parts.sparseness import (
    hoyer_sparseness,
    project_l1_l2,
    project_sparseness,
    project_sparseness_cone,
    project_vector_warm,
)
from sparse_parts.study.data import DataError
from sparse_parts.study.settings import complete_settings, resolve_settings

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((20, 16))


@pytest.fixture(scope="module")
def nmf(X):
    return SparseNMF(3, max_iter=5, random_state=0).fit(X)


# ------------------------------------------------------------------ image_shape
@pytest.mark.parametrize("image_shape", [(4.5, 4), (True, 16), "44", ("4", "4")])
def test_image_shape_of_non_integers_is_refused_not_truncated(X, image_shape):
    # int() read 4.5 as 4, True as 1 and the string "44" as the pair (4, 4).
    with pytest.raises(ValueError, match="image_shape must be a pair of integers"):
        SparseNMF(3, max_iter=1, image_shape=image_shape).fit(X)


def test_images_of_zero_pixels_have_no_image_shape():
    # n_features=0 resolved to a (0, 0) image and apply_operator returned an empty result.
    with pytest.raises(ValueError, match="n_features=0"):
        apply_operator(np.zeros((3, 0)))


# ------------------------------------------------------------------ sparseness
@pytest.mark.parametrize("l2", [1e300, 1e-300])
def test_projection_reaches_the_sparseness_at_extreme_l2(l2):
    # l2 ** 2 overflowed (or vanished) and every row came back uniform: sparseness 0.
    rows = np.random.default_rng(0).random((4, 10))
    projected = project_sparseness(rows, 0.5, l2)
    np.testing.assert_allclose(hoyer_sparseness(projected), 0.5, atol=1e-9)
    np.testing.assert_allclose(projected.max(axis=1) / l2,
                               project_sparseness(rows, 0.5).max(axis=1), rtol=1e-12)


def test_project_sparseness_cone_refuses_a_non_bool_at_least():
    # The string "no" is truthy and selected the "at least" set silently.
    with pytest.raises(ValueError, match="at_least must be True or False"):
        project_sparseness_cone(np.ones((2, 4)), 0.5, at_least="no")


def test_project_vector_warm_refuses_a_float_max_passes():
    # range(2.5) raised "'float' object cannot be interpreted as an integer".
    with pytest.raises(ValueError, match="max_passes must be an integer"):
        project_vector_warm(np.arange(1.0, 11.0), 2.0, 1.0, None, 2.5)


@pytest.mark.parametrize("call", [
    lambda m: dilation(m), lambda m: apply_operator(m), lambda m: hoyer_sparseness(m),
    lambda m: project_l1_l2(m, 2.0, 1.0)])
def test_sparse_matrices_get_a_clear_error(call):
    # np.asarray made a 0-d object array: "got shape ()" or "got dtype object".
    matrix = scipy.sparse.csr_matrix(np.random.default_rng(0).random((4, 9)))
    with pytest.raises(TypeError, match="scipy sparse matrix.*toarray"):
        call(matrix)


# ------------------------------------------------------------------ user files
def test_load_labels_of_a_binary_file_says_what_is_wrong(tmp_path):
    # UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff ...
    path = tmp_path / "labels.txt"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="labels.txt is not a text file of labels"):
        load_labels(path)


@pytest.mark.parametrize("values", [np.array([2**64 - 1, 1], dtype=np.uint64),
                                    np.array([1e20, 1.0])])
def test_load_labels_refuses_labels_beyond_int64(tmp_path, values):
    # The cast to int64 wrapped 2**64 - 1 to -1 and 1e20 to -2**63, silently.
    path = tmp_path / "labels.npy"
    np.save(path, values)
    with pytest.raises(ValueError, match="outside the 64-bit integer range"):
        load_labels(path)


def test_load_labels_of_a_huge_text_label_is_refused(tmp_path):
    # OverflowError: Python int too large to convert to C long.
    path = tmp_path / "labels.txt"
    path.write_text(f"{2**70}\n1\n")
    with pytest.raises(ValueError, match="outside the 64-bit integer range"):
        load_labels(path)


@pytest.mark.parametrize("n_samples", ["6", -1, 6.0, True])
def test_load_labels_checks_n_samples(tmp_path, n_samples):
    # n_samples="6" said "holds 6 labels but there are 6 images".
    path = tmp_path / "labels.npy"
    np.save(path, np.arange(6))
    with pytest.raises(ValueError, match="n_samples must be an integer"):
        load_labels(path, n_samples)


@pytest.mark.parametrize("call, name", [
    (lambda: load_images(3), "path"),
    (lambda: load_labels(None), "labels"),
    (lambda: fetch_fashion_mnist(data_home=3, download_if_missing=False), "data_home"),
])
def test_paths_of_the_wrong_type_are_named(call, name):
    # os.fspath: "expected str, bytes or os.PathLike object, not int" named no argument.
    with pytest.raises(TypeError, match=f"{name} must be the path"):
        call()


def test_load_images_with_a_labels_array_says_labels_is_a_path(tmp_path):
    path = tmp_path / "images.npy"
    np.save(path, np.random.default_rng(0).random((6, 4, 4)))
    with pytest.raises(TypeError, match="labels must be the path"):
        load_images(path, labels=np.arange(6))


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


# ------------------------------------------------------------------ plotting
def test_plots_accept_a_fitted_pipeline(X):
    # "Pipeline is not fitted: fit it before plotting", of a fitted pipeline.
    pipe = make_pipeline(MinMaxScaler(), SparseNMF(3, max_iter=5, random_state=0)).fit(X)
    assert plotting.plot_atoms(pipe).axes
    for plot in (plotting.plot_reconstructions, plotting.plot_code_histograms,
                 plotting.plot_max_approximation):
        assert plot(pipe, X, n_images=3).axes


def test_plots_of_a_non_decomposition_say_so_and_unfitted_is_not_fitted(X):
    # A fitted MinMaxScaler was "not fitted".
    with pytest.raises(ValueError, match="MinMaxScaler has no components_"):
        plotting.plot_atoms(MinMaxScaler().fit(X))
    with pytest.raises(NotFittedError):
        plotting.plot_reconstructions(SparseNMF(), X)


def test_plot_max_approximation_of_the_wrong_width_names_the_features(nmf, X):
    # It said "image_shape=(4, 4) holds 16 pixels", of an image_shape never passed.
    with pytest.raises(ValueError, match="X has 12 features but SparseNMF has atoms of 16"):
        plotting.plot_max_approximation(nmf, X[:, :12])


def test_ax_and_fig_of_the_wrong_type_are_refused(nmf, X):
    # AttributeError: 'str' object has no attribute 'figure' / 'add_gridspec'.
    with pytest.raises(ValueError, match="ax must be None or a matplotlib Axes"):
        plotting.plot_atoms(nmf, ax="left")
    with pytest.raises(ValueError, match="fig must be None or a matplotlib Figure"):
        plotting.plot_code_histograms(nmf, X, fig="top")


@pytest.mark.parametrize("images, match", [
    (np.ones((2, 4), dtype=complex), "real numbers"),
    (np.array([[0.0, np.nan, 1.0, 1.0]]), "NaN or infinite"),
    (np.array([[0.0, np.inf, 1.0, 1.0]]), "NaN or infinite"),
])
def test_image_mosaic_refuses_what_it_cannot_draw(images, match):
    # Complex images lost their imaginary part; NaN pixels were drawn as gaps.
    with pytest.raises(ValueError, match=match):
        plotting.image_mosaic(images, (2, 2), 2)


def test_image_mosaic_takes_the_package_image_shape():
    # (-1, 4) gave "(n_images, -4)", and None a TypeError from unpacking.
    images = np.arange(32.0).reshape(2, 16)
    expected = plotting.image_mosaic(images, (4, 4), 2, normalize="none")
    for shape in ((-1, 4), None):
        np.testing.assert_array_equal(
            plotting.image_mosaic(images, shape, 2, normalize="none"), expected)


@pytest.mark.parametrize("plot", [plotting.plot_summary, plotting.plot_metrics_against_beta])
@pytest.mark.parametrize("records, match", [
    (None, "iterable of mappings"), ("rows", "iterable of mappings"),
    ([1], r"records\[0\] is of type int")])
def test_records_that_are_not_mappings_are_refused(plot, records, match):
    # AttributeError: 'int' object has no attribute 'get'.
    with pytest.raises(ValueError, match=match):
        plot(records)


def test_records_without_their_key_are_refused():
    # KeyError: 'row' / 'model'.
    with pytest.raises(ValueError, match="no 'row' key"):
        plotting.plot_summary([{"mse": 0.1, "sparsity": 0.5, "dilation_error": 1.0}])
    with pytest.raises(ValueError, match="no 'model' key"):
        plotting.plot_metrics_against_beta([{"sparsity_weight": 0.1, "mse": 0.1}])


# ------------------------------------------------------------------ the command
def _compare_exit(tmp_path, capsys, *options):
    with pytest.raises(SystemExit) as exited:
        cli.main(["compare", "--quick", "--models", "nmf", "--no-figures",
                  "--out", str(tmp_path / "out"), *options])
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize("n_images", [1, 3])
def test_compare_on_too_few_images_exits_with_a_message(tmp_path, capsys, n_images):
    # A traceback: ValueError from complete_settings (3 images), from
    # train_test_split (1 image).
    path = tmp_path / "few.npy"
    np.save(path, np.random.default_rng(0).random((n_images, 6, 6)))
    code, err = _compare_exit(tmp_path, capsys, "--data", str(path))
    assert code == 2
    assert "few.npy" in err and "Traceback" not in err


def test_too_few_training_images_are_a_data_error():
    settings = resolve_settings(data_path=__file__, models=["nmf"])
    with pytest.raises(DataError, match="too few"):
        complete_settings(settings, 2, 1, (6, 6))


@pytest.mark.parametrize("seed", ["-1", str(2**40)])
def test_compare_with_a_seed_out_of_range_exits_with_a_message(tmp_path, capsys, seed):
    # A traceback: "Seed must be between 0 and 2**32 - 1" from numpy, mid-run.
    code, err = _compare_exit(tmp_path, capsys, "--dataset", "digits", "--seed", seed)
    assert code == 2
    assert "--seed must be an integer from 0 to 4294967295" in err


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
    from sparse_parts import SparseNonNegAutoEncoder

    SparseNonNegAutoEncoder(4, max_epochs=1, sparsity_penalty="l1",
                            sparsity_target=5).fit(small_images)


def test_the_model_cache_key_sees_the_callbacks():
    from skorch.callbacks import LRScheduler

    from sparse_parts import SparseNonNegAutoEncoder
    from sparse_parts.study.cache import cache_key

    X = np.zeros((4, 9), np.float32)
    plain = SparseNonNegAutoEncoder(4)
    scheduled = SparseNonNegAutoEncoder(4, callbacks=[LRScheduler("StepLR", step_size=1)])
    assert cache_key(plain, X) != cache_key(scheduled, X)
    assert cache_key(plain, X) == cache_key(SparseNonNegAutoEncoder(4, verbose=1), X)


def test_scorer_repr_shows_its_footprint():
    scorer = metrics.make_max_approximation_scorer(footprint=np.ones((3, 3)))
    assert "footprint=<array of shape (3, 3)>" in repr(scorer)
