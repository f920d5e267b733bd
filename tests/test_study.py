"""Tests of the study as code (``sparse_parts.study``): rows, settings, cache, files."""

import os
import pickle
import stat

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts.nmf import SparseNMF
from sparse_parts.study import data, resolve_settings, select_rows
from sparse_parts.study.cache import cache_key, fit_or_load_estimator
from sparse_parts.study.estimators import make_estimator
from sparse_parts.study.files import atomic_write
from sparse_parts.study.protocol import evaluate

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def fit_or_load(config, settings, X, cache_dir):
    """The runner's cached fit of a configuration (a row of the report)."""
    return fit_or_load_estimator(make_estimator(config, settings), config.name, X, cache_dir)


def test_quick_selects_a_subset_of_the_study_rows():
    every = select_rows(None, quick=False)
    quick = select_rows(None, quick=True)
    assert len(every) == 11 and {r.family for r in every} == {"nmf", "shallow", "asym"}
    assert 0 < len(quick) < len(every)
    assert {r.key for r in quick} <= {r.key for r in every}
    assert {(r.sparsity_target, r.sparsity_weight) for r in every if r.family == "asym"} == {
        (None, None), (0.05, 0.001), (0.05, 0.005), (0.01, 0.001), (0.01, 0.01)}
    assert [r.key for r in select_rows(["asym"], quick=True)] == [
        r.key for r in quick if r.family == "asym"]


def test_the_reports_rows_are_named_points_of_the_grid():
    """One catalog: every row of the report is a configuration of the front's grid, with
    the same parameters and budget, carrying the report's numbers."""
    from sparse_parts.study.catalog import GRID, ROWS

    grid = {c.key: c for c in GRID}
    for row in ROWS:
        point = grid[row.key]
        assert (point.params, point.budget) == (row.params, row.budget)
        assert row.study == point.study and set(row.study) == {
            "mse", "hoyer", "max_approx", "svm", "svm_std"}


def test_cache_key_depends_on_parameters_and_data_not_verbosity():
    X = np.random.RandomState(0).rand(20, 16).astype(np.float32)
    base = SparseNMF(4, code_sparseness=0.6, random_state=0)
    key = cache_key(base, X)
    assert key == cache_key(SparseNMF(4, code_sparseness=0.6, random_state=0), X)
    assert key == cache_key(SparseNMF(4, code_sparseness=0.6, random_state=0,
                                      verbose=1), X)
    assert key != cache_key(SparseNMF(4, code_sparseness=0.5, random_state=0), X)
    X2 = X.copy()
    X2[0, 0] += 1e-3
    assert key != cache_key(base, X2)


def test_default_dataset_falls_back_to_digits_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(data, "fashion_mnist_on_disk", lambda: False)
    settings = resolve_settings(quick=True, device="cpu")
    assert settings.dataset == "digits"
    assert "using the 8x8 digits" in capsys.readouterr().err


def test_options_override_the_defaults():
    settings = resolve_settings("digits", epochs=7, n_train=5000, n_components=9,
                                device="cpu", seed=3)
    assert (settings.epochs, settings.n_components, settings.seed) == (7, 9, 3)
    assert settings.n_train == 1198  # capped at the digits' training split


def test_atomic_write_leaves_nothing_behind_on_failure(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("old")

    def failing(f):
        f.write("partial")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        atomic_write(str(path), failing)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["results.csv"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("binary", [False, True])
def test_atomic_write_follows_the_umask(tmp_path, umask, mode, binary):
    previous = os.umask(umask)
    try:
        path = tmp_path / "results.csv"
        atomic_write(str(path), lambda f: f.write(b"x" if binary else "x"), binary=binary)
        atomic_write(str(path), lambda f: f.write(b"y" if binary else "y"), binary=binary)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"y"


def test_evaluate_agrees_with_the_metric_functions():
    from sparse_parts.datasets import load_digits_images
    from sparse_parts.metrics import (
        hoyer_sparsity,
        max_approximation_error,
        reconstruction_error,
    )

    X, y = load_digits_images(return_X_y=True)
    model = SparseNMF(10, code_sparseness=0.6, code_sparseness_scope="component",
                      max_iter=10, random_state=0).fit(X[:300])
    settings = resolve_settings("digits", quick=True, device="cpu")
    metrics = evaluate(model, X[300:500], y[300:500], settings)
    codes = model.transform(X[300:500])
    assert metrics["mse"] == pytest.approx(
        reconstruction_error(X[300:500], model.inverse_transform(codes)), rel=1e-6)
    assert metrics["hoyer"] == pytest.approx(hoyer_sparsity(codes), rel=1e-6)
    assert metrics["max_approx"] == pytest.approx(
        max_approximation_error(model, X[300:500]), rel=1e-6)
    assert metrics["max_approx_rec"] == pytest.approx(
        max_approximation_error(model, X[300:500], reference="reconstruction"), rel=1e-6)
    assert 0.0 <= metrics["svm_std"] < metrics["svm"] <= 1.0


@pytest.fixture
def nmf_row_and_data():
    settings = resolve_settings("digits", quick=True, n_components=6, device="cpu",
                                models=["nmf"])
    settings.nmf_max_iter = 5
    X = np.random.RandomState(0).rand(40, 64).astype(np.float32)
    return select_rows(["nmf"])[0], settings, X


def _flip_a_component_byte(path):
    """Change one byte of the atoms in a cached model so that it still unpickles."""
    content = bytearray(path.read_bytes())
    start = content.index(b"\x80" + bytes([pickle.HIGHEST_PROTOCOL]))  # the pickle's start
    components = pickle.loads(bytes(content[start:]))["estimator"].components_
    where = bytes(content).index(components.tobytes()) + 2
    content[where] ^= 0xFF
    path.write_bytes(bytes(content))
    return components


def test_a_cache_entry_that_fails_its_checksum_is_fitted_again(tmp_path, nmf_row_and_data,
                                                               capsys):
    row, settings, X = nmf_row_and_data
    first, _, cached = fit_or_load(row, settings, X, str(tmp_path))
    assert not cached
    (entry,) = tmp_path.iterdir()
    assert fit_or_load(row, settings, X, str(tmp_path))[2]  # intact: loaded

    components = _flip_a_component_byte(entry)
    np.testing.assert_array_equal(components, first.components_)
    refitted, _, cached = fit_or_load(row, settings, X, str(tmp_path))
    assert not cached
    assert "does not match its checksum" in capsys.readouterr().err
    np.testing.assert_array_equal(refitted.components_, first.components_)
    # The refit replaced the damaged entry.
    loaded, _, cached = fit_or_load(row, settings, X, str(tmp_path))
    assert cached
    np.testing.assert_array_equal(loaded.components_, first.components_)


def test_a_cache_entry_is_not_unpickled_before_its_checksum_matches(
        tmp_path, nmf_row_and_data, monkeypatch):
    row, settings, X = nmf_row_and_data
    fit_or_load(row, settings, X, str(tmp_path))
    (entry,) = tmp_path.iterdir()
    _flip_a_component_byte(entry)

    unpickled = []

    def recording(load):
        def wrapper(*args, **kwargs):
            unpickled.append(load.__name__)
            return load(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(pickle, "loads", recording(pickle.loads))
    monkeypatch.setattr(pickle, "load", recording(pickle.load))
    assert not fit_or_load(row, settings, X, str(tmp_path))[2]
    assert unpickled == []


def test_a_model_whose_training_was_interrupted_is_not_cached(tmp_path, nmf_row_and_data,
                                                              monkeypatch):
    row, settings, X = nmf_row_and_data
    fit = SparseNMF.fit

    def interrupted(self, X, y=None):
        fit(self, X, y)
        self.fit_interrupted_ = True  # what an auto-encoder says after skorch's quiet stop
        return self

    monkeypatch.setattr(SparseNMF, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fit_or_load(row, settings, X, str(tmp_path))
    assert os.listdir(tmp_path) == []
