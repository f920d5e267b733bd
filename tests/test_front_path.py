"""``sparse-parts front`` on the user's images: the code_l1 points are the data's own."""

import csv
import os

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils import check_random_state

from sparse_parts import cli
from sparse_parts.metrics import hoyer_sparsity, reconstruction_error
from sparse_parts.path import default_code_l1s, sparse_nmf_path
from sparse_parts.study import runner as runner_module
from sparse_parts.study.cache import cache_key, fit_or_load_estimator
from sparse_parts.study.catalog import (
    GRID,
    PATH_POINTS,
    code_l1_path_configs,
    select_configs,
    with_data_code_l1s,
)
from sparse_parts.study.data import load_data
from sparse_parts.study.estimators import CodeL1Path
from sparse_parts.study.front import PATH_MAX_ITER, REFINE_POINTS, REFINE_SAMPLE
from sparse_parts.study.settings import complete_settings, resolve_settings

# The strengths of the committed grid, tuned on Fashion-MNIST.
FASHION_CODE_L1S = {c.params["code_l1"] for c in GRID
                    if c.family == "nmf" and set(c.params) == {"code_l1"}}


def _read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _code_l1(row):
    params = dict(p.split("=") for p in row["params"].split(", "))
    return float(params["code_l1"])


def _is_sweep(name):
    """Whether ``name`` is one of the sweep's points (``code-l1-path-03``), not inserted."""
    return name[len("code-l1-path-"):].isdigit()


def _measured(models, X):
    """Held-out MSE and Hoyer sparsity of every model on ``X``."""
    codes = [m.transform(X) for m in models]
    return ([reconstruction_error(X, m.inverse_transform(c))
             for m, c in zip(models, codes, strict=True)],
            [hoyer_sparsity(c) for c in codes])


@pytest.fixture(scope="module")
def digits_front(tmp_path_factory):
    """``front --quick --families nmf`` on 400 digits saved as the user's .npy stack."""
    folder = tmp_path_factory.mktemp("front_path")
    images = (load_digits().data[:400] / 16.0).reshape(-1, 8, 8).astype(np.float32)
    data = str(folder / "digits.npy")
    np.save(data, images)
    out = str(folder / "out")
    args = ["front", "--quick", "--data", data, "--families", "nmf", "--no-figures",
            "--device", "cpu", "--out", out]
    assert cli.main(args) == 0
    first = _read(os.path.join(out, "front.csv"))
    assert cli.main(args) == 0  # again: the path comes from the cache
    return data, out, first


def test_front_on_user_images_fits_the_code_l1_strengths_of_its_training_images(
        digits_front):
    data, out, _ = digits_front
    rows = [r for r in _read(os.path.join(out, "front.csv")) if r["family"] == "nmf"]
    path_rows = [r for r in rows if r["config"].startswith("code-l1-path-")
                 and _is_sweep(r["config"])]
    assert [r["config"] for r in path_rows] == [
        f"code-l1-path-{i:02d}" for i in range(PATH_POINTS[True])]
    # The fixed strengths tuned on Fashion-MNIST are gone.
    assert not [r for r in rows if r["config"].startswith("code-l1-")
                and not r["config"].startswith("code-l1-path-")]
    X_train = load_data(resolve_settings(data_path=data, quick=True))[0]
    expected = default_code_l1s(X_train, PATH_POINTS[True])
    strengths = np.array([_code_l1(r) for r in path_rows])
    np.testing.assert_allclose(strengths, expected, rtol=5e-3)
    assert not FASHION_CODE_L1S & set(strengths)
    # Each point is a record like any other, judged on the same front.
    assert all(r["mse"] and r["hoyer"] and r["max_approx"] for r in path_rows)
    front_md = open(os.path.join(out, "front.md")).read()
    assert all(f"code-l1-path-{i:02d}" in front_md for i in range(PATH_POINTS[True]))


def test_the_sparsity_of_the_data_path_follows_its_strength_on_the_digits(digits_front):
    _, out, _ = digits_front
    rows = [r for r in _read(os.path.join(out, "front.csv"))
            if r["config"].startswith("code-l1-path-") and _is_sweep(r["config"])]
    hoyer = [float(r["hoyer"]) for r in rows]
    mse = [float(r["mse"]) for r in rows]
    assert np.all(np.diff(hoyer) >= 0), hoyer
    # Over a decade and more of strength, a real trade-off: sparser and coarser.
    assert hoyer[-1] - hoyer[0] > 0.2 and mse[-1] > mse[0]


def _quick_settings(data):
    """The completed settings of a ``--quick`` run on ``data``, its training and test
    images."""
    settings = resolve_settings(data_path=data, quick=True)
    X_train, _, X_test, _, shape = load_data(settings)
    return complete_settings(settings, len(X_train), len(X_test), shape), X_train, X_test


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_data_path_is_one_warm_started_path_cached_as_one_model(digits_front):
    data, out, first = digits_front
    settings, X_train, X_test = _quick_settings(data)
    first = [r for r in first if r["config"].startswith("code-l1-path-")]
    again = [r for r in _read(os.path.join(out, "front.csv"))
             if r["config"].startswith("code-l1-path-")]
    # The first point is a cold fit of the run's budget, the others (the inserted ones
    # too) at most PATH_MAX_ITER iterations each from a weaker point's atoms.
    assert first[0]["budget"] == f"{settings.nmf_max_iter} iterations"
    assert {r["budget"] for r in first[1:]} == {f"{PATH_MAX_ITER} iterations"}
    assert all(1 <= int(r["n_iter"]) <= PATH_MAX_ITER for r in first[1:])
    assert all("warm-started" in r["label"] for r in first[1:])
    # The recorded points are those of the refined sparse_nmf_path on the training
    # images (fewer than the refinement's sample: measured on all of them), each then
    # measured on the test images.
    sweep = [_code_l1(r) for r in first if _is_sweep(r["config"])]
    path = sparse_nmf_path(X_train, sweep, n_components=settings.n_components,
                           max_iter=settings.nmf_max_iter, path_max_iter=PATH_MAX_ITER,
                           refine=REFINE_POINTS[True], random_state=settings.seed,
                           image_shape=settings.image_shape)
    np.testing.assert_allclose([_code_l1(r) for r in first], path.code_l1s, rtol=1e-12)
    mse, hoyer = _measured(path.models, X_test)
    np.testing.assert_allclose([float(r["mse"]) for r in first], mse, rtol=1e-5)
    np.testing.assert_allclose([float(r["hoyer"]) for r in first], hoyer, rtol=1e-5)
    # The second run loaded the path (one model) from the cache: same numbers.
    assert [r["cached"] for r in first] == ["False"] * len(first)
    assert [r["cached"] for r in again] == ["True"] * len(again)
    assert [r["mse"] for r in again] == [r["mse"] for r in first]
    cache = os.listdir(os.path.join(out, "cache"))
    assert len([f for f in cache if f.startswith("nmf-code-l1-path-")]) == 1


def test_only_the_fixed_code_l1_points_are_replaced_where_the_first_was():
    X = np.random.default_rng(0).random((50, 16))
    configs = select_configs(["nmf"])
    replaced = with_data_code_l1s(configs, X)
    names = [c.name for c in replaced]
    kept = [c.name for c in configs if not c.name.startswith("code-l1-")]
    assert [n for n in names if not n.startswith("code-l1-path-")] == kept
    first = [c.name for c in configs].index("code-l1-0.002")
    assert names[first:first + PATH_POINTS[False]] == [
        f"code-l1-path-{i:02d}" for i in range(PATH_POINTS[False])]
    # Without a code_l1 point nothing changes (the other families, named configurations).
    peers = select_configs(["sklearn-nmf"])
    assert with_data_code_l1s(peers, X) == peers
    points = code_l1_path_configs(X, quick=True)
    assert all(c.quick and c.family == "nmf" for c in points)


def test_the_refinement_inserts_points_of_their_own_between_their_neighbours(digits_front):
    _, out, _ = digits_front
    rows = [r for r in _read(os.path.join(out, "front.csv"))
            if r["config"].startswith("code-l1-path-")]
    names = [r["config"] for r in rows]
    inserted = [n for n in names if not _is_sweep(n)]
    assert 0 < len(inserted) <= REFINE_POINTS[True]
    # Named after the sweep's point before them: the names sort as the strengths.
    assert names == sorted(names)
    strengths = [_code_l1(r) for r in rows]
    assert np.all(np.diff(strengths) > 0), strengths
    for name in inserted:
        i = names.index(name)
        assert name[:-1] == names[i - 1].rstrip("abcdefghijklmnopqrstuvwxyz")
        assert strengths[i - 1] < strengths[i] < strengths[i + 1]
        assert "inserted" in rows[i]["label"] and rows[i]["mse"] and rows[i]["hoyer"]
    front_md = open(os.path.join(out, "front.md")).read()
    assert all(name in front_md for name in inserted)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_cached_path_time_is_shared_among_all_its_points(digits_front):
    data, out, _ = digits_front
    settings, X_train, X_test = _quick_settings(data)
    rows = [r for r in _read(os.path.join(out, "front.csv"))
            if r["config"].startswith("code-l1-path-")]
    sweep = tuple(_code_l1(r) for r in rows if _is_sweep(r["config"]))
    estimator = CodeL1Path(sweep, settings.n_components, max_iter=settings.nmf_max_iter,
                           path_max_iter=PATH_MAX_ITER, refine=REFINE_POINTS[True],
                           refine_sample=REFINE_SAMPLE, random_state=settings.seed,
                           image_shape=settings.image_shape)
    name = f"nmf-code-l1-path-{cache_key(estimator, X_train)}.pkl"
    assert os.listdir(os.path.join(out, "cache")).count(name) == 1
    path, seconds, cached = fit_or_load_estimator(estimator, "nmf-code-l1-path", X_train,
                                                  os.path.join(out, "cache"))
    assert cached and len(path.path_.models) == len(rows)
    fit_seconds = np.array([float(r["fit_seconds"]) for r in rows])
    np.testing.assert_allclose(fit_seconds.sum(), seconds, rtol=1e-6)
    cpu = path.path_.fit_time
    np.testing.assert_allclose(fit_seconds, seconds * cpu / cpu.sum(), rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_interrupted_front_on_user_images_resumes_from_the_cached_path(
        digits_front, tmp_path, monkeypatch):
    data, _, _ = digits_front
    out = str(tmp_path / "out")
    args = ["front", "--quick", "--data", data, "--families", "nmf", "--no-figures",
            "--device", "cpu", "--out", out]
    measure = runner_module.measure

    def interrupted_at_an_inserted_point(config, *a, **kw):
        if config.name.startswith("code-l1-path-") and not _is_sweep(config.name):
            raise KeyboardInterrupt
        return measure(config, *a, **kw)

    monkeypatch.setattr(runner_module, "measure", interrupted_at_an_inserted_point)
    assert cli.main(args) == 130
    kept = [r["config"] for r in _read(os.path.join(out, "front.csv"))]
    assert "code-l1-path-00" in kept and all(_is_sweep(n) for n in kept
                                             if n.startswith("code-l1-path-"))
    monkeypatch.setattr(runner_module, "measure", measure)
    assert cli.main(args) == 0
    rows = [r for r in _read(os.path.join(out, "front.csv"))
            if r["config"].startswith("code-l1-path-")]
    assert any(not _is_sweep(r["config"]) for r in rows)
    assert {r["cached"] for r in rows} == {"True"}  # the path the interrupted run fitted


def test_code_l1_path_without_refinement_is_the_unmeasured_sweep():
    X = np.random.default_rng(0).random((60, 16))
    strengths = (0.01, 0.05, 0.2)
    unrefined = CodeL1Path(strengths, 4, max_iter=50, path_max_iter=5, random_state=0,
                           image_shape=(4, 4)).fit(X).path_
    path = sparse_nmf_path(X, list(strengths), n_components=4, max_iter=50, path_max_iter=5,
                           random_state=0, image_shape=(4, 4), measure=False)
    assert np.all(np.isnan(unrefined.mse)) and not unrefined.inserted.any()
    for ours, theirs in zip(unrefined.models, path.models, strict=True):
        np.testing.assert_array_equal(ours.components_, theirs.components_)
    # Refined, the sweep's points are the same fits; the subset only decides where to
    # insert: a fixed draw of refine_sample training images.
    refined = CodeL1Path(strengths, 4, max_iter=50, path_max_iter=5, refine=3,
                         refine_sample=30, random_state=0, image_shape=(4, 4)).fit(X).path_
    assert refined.inserted.any()
    sweep = [m for m, new in zip(refined.models, refined.inserted, strict=True) if not new]
    for ours, theirs in zip(sweep, path.models, strict=True):
        np.testing.assert_array_equal(ours.components_, theirs.components_)
    subset = X[np.sort(check_random_state(0).choice(60, 30, replace=False))]
    mse, hoyer = _measured(refined.models, subset)
    np.testing.assert_allclose(refined.mse, mse, rtol=1e-10)
    np.testing.assert_allclose(refined.sparsity, hoyer, rtol=1e-10)


@pytest.mark.parametrize("params, match", [
    ({"refine": -1}, "refine must be a non-negative integer"),
    ({"refine": 1.5}, "refine must be a non-negative integer"),
    ({"refine": True}, "refine must be a non-negative integer"),
    ({"refine": "2"}, "refine must be a non-negative integer"),
    ({"refine": 2, "refine_gap": 0}, "refine_gap must be"),
    ({"refine": 2, "refine_sample": 0}, "refine_sample must be a positive integer"),
    ({"refine": 2, "refine_sample": 1.5}, "refine_sample must be a positive integer"),
    ({"refine_sample": True}, "refine_sample must be a positive integer"),
])
def test_code_l1_path_rejects_bad_refinement_parameters(params, match):
    X = np.random.default_rng(0).random((20, 16))
    with pytest.raises(ValueError, match=match):
        CodeL1Path((0.01, 0.1), 2, max_iter=5, path_max_iter=2, **params).fit(X)
