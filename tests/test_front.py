"""Tests of ``sparse-parts front``: the grid, the peers' adapter, Pareto and dominance, the run."""

import csv
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from sparse_parts.cli import main
from sparse_parts.metrics import max_approximation_error
from sparse_parts.study import CompareInterrupted, resolve_settings
from sparse_parts.study import runner as runner_module
from sparse_parts.study.catalog import FAMILIES, GRID, Config, select_configs
from sparse_parts.study.estimators import budget_of
from sparse_parts.study.figures import plot_front
from sparse_parts.study.front import FrontOptions, front
from sparse_parts.study.front_report import write_markdown
from sparse_parts.study.pareto import (
    dominates,
    dominators,
    objectives,
    pareto_front,
    svm_not_worse,
)
from sparse_parts.study.peers import PeerAdapter, make_peer
from sparse_parts.study.records import reference_records

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)

# A grid small enough for a test: one SparseNMF and two peers, short budgets.
TINY_GRID = [
    Config("nmf", "component-0.6", dict(code_sparseness=0.6, code_sparseness_scope="component"),
           budget=0.2),
    Config("sklearn-nmf", "cd-alpha0", dict(solver="cd", alpha_W=0.0), budget=0.2),
    Config("sklearn-minibatch-dict", "alpha0.1", dict(alpha=0.1), budget=0.5),
]


@pytest.fixture(scope="module")
def tiny_settings():
    return resolve_settings("digits", quick=True, n_train=300, n_test=150, n_components=9,
                            epochs=2, device="cpu")


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- Pareto
def test_dominates_needs_no_worse_everywhere_and_better_somewhere():
    assert dominates((1, 1, 1), (2, 1, 1))
    assert not dominates((1, 1, 1), (1, 1, 1))  # equal: neither dominates
    assert not dominates((1, 3, 1), (2, 1, 1))  # a trade-off
    assert not dominates((2, 1, 1), (1, 1, 1))


def test_dominates_counts_small_differences_as_ties():
    # 1% worse in the first coordinate is a tie at 2%, and 50% better in another wins.
    assert dominates((1.01, 0.5, 1.0), (1.0, 1.0, 1.0), tie=0.02)
    assert not dominates((1.01, 0.5, 1.0), (1.0, 1.0, 1.0))
    # Better only within the tie is no domination.
    assert not dominates((0.99, 1.0, 1.0), (1.0, 1.0, 1.0), tie=0.02)
    # 5% worse is worse, whatever else.
    assert not dominates((1.05, 0.1, 0.1), (1.0, 1.0, 1.0), tie=0.02)


def test_dominates_rejects_points_of_different_lengths():
    with pytest.raises(ValueError, match="different lengths"):
        dominates((1, 2), (1, 2, 3))


def test_pareto_front_keeps_the_non_dominated_points():
    points = [(1, 5), (2, 2), (5, 1), (3, 3), (2, 2), (6, 6), (float("nan"), 0)]
    # (3, 3) and (6, 6) are dominated by (2, 2); equal points are both kept; NaN is out.
    assert pareto_front(points) == [0, 1, 2, 4]
    assert pareto_front([]) == []


def test_objectives_make_every_coordinate_lower_is_better():
    sparse = {"mse": 0.01, "hoyer": 0.8, "max_approx": 0.1}
    dense = {"mse": 0.01, "hoyer": 0.3, "max_approx": 0.1}
    assert objectives(sparse) == (0.01, -0.8, 0.1)
    assert dominates(objectives(sparse), objectives(dense))


def test_dominators_and_svm_tolerance():
    reference = (0.0514, -0.2203, 1.123)  # the author's NNSAE point
    ours = [(0.02, -0.6, 0.05), (0.06, -0.9, 0.01), (0.0515, -0.2210, 1.12)]
    # The second is worse in MSE by more than 2%, the third ties everywhere.
    assert dominators(reference, ours) == [0]
    assert dominators((math.nan, 0.0, 0.0), ours) == []
    assert svm_not_worse(0.805, 0.812) is True
    assert svm_not_worse(0.79, 0.812) is False
    assert svm_not_worse(0.9, None) is None


def test_reference_records_are_the_study_rows_and_the_authors_points():
    refs = reference_records()
    assert all(r["family"] == "reference" and not r["shipped"] for r in refs)
    names = [r["config"] for r in refs]
    assert "study nmf/component-0.6" in names and "author NCAE" in names and len(refs) == 11 + 2
    ncae = next(r for r in refs if r["config"] == "author NCAE")
    assert (ncae["mse"], ncae["hoyer"], ncae["max_approx"]) == (0.01688, 0.5951, 0.0304)


def test_markdown_says_which_of_ours_dominate_each_reference(tmp_path, tiny_settings):
    ours = {"family": "nmf", "config": "good", "mse": 0.01, "hoyer": 0.7, "max_approx": 0.05,
            "svm": 0.80, "svm_std": 0.01, "shipped": True, "fit_seconds": 1.0,
            "transform_seconds": 0.1, "device": "cpu", "budget": "10 iterations"}
    # The report's NMF row re-run under this run's protocol: the SVM clause is judged
    # against it, not against the report's 0.812 (another protocol).
    rerun = dict(ours, config="component-0.6", mse=0.0111, hoyer=0.62, max_approx=0.11,
                 svm=0.805)
    path = tmp_path / "front.md"
    write_markdown(str(path), [ours, rerun, *reference_records()], tiny_settings, "cmd", 1.0)
    text = path.read_text()
    nnsae = next(line for line in text.splitlines() if line.startswith("| reference/author NNSAE"))
    # Dominated on the three metrics, the SVM clause not judged (no accuracy).
    assert nnsae.endswith("| n/a | 0: none | 0: none | 2: nmf/good, nmf/component-0.6 |")
    study_nmf = next(line for line in text.splitlines()
                     if line.startswith("| reference/study nmf/component-0.6 |"))
    cells = [cell.strip() for cell in study_nmf.split("|")]
    assert cells[3] == "0.805" and cells[4].startswith("1: nmf/good")
    # The study's sparsest row (Hoyer 0.826) is not dominated: it is on the front.
    assert "- reference/study asym/kl-p0.01-beta0.01" in text
    assert "Total time 1.0 s." in text
    # A report merged from several runs has no one wall time: the sentence is left out.
    write_markdown(str(path), [ours], tiny_settings, "cmd", None)
    assert "Total time" not in path.read_text()
    fig = plot_front([ours, *reference_records()], "fashion-mnist")
    # The plot, the table naming the numbered Pareto points, a colour bar.
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes) == 3
    table = fig.axes[1].texts[0].get_text()
    assert " 1  " in table and "reference/study asym/kl-p0.01-beta0.01" in table


# --------------------------------------------------------------------------- the grid
def test_the_grid_has_unique_names_and_a_quick_subset_of_every_family():
    assert len({(c.family, c.name) for c in GRID}) == len(GRID)
    assert {c.family for c in GRID} == set(FAMILIES)
    quick = select_configs(quick=True)
    assert {c.family for c in quick} == set(FAMILIES)
    assert len(quick) < len(GRID)
    assert [c.family for c in select_configs(["asym"])] == ["asym"] * sum(
        c.family == "asym" for c in GRID)
    # Several decades of each peer's regularisation.
    alphas = sorted(c.params["alpha"] for c in GRID if c.family == "sklearn-dict")
    assert alphas[-1] / alphas[0] >= 1e3


def test_select_configs_rejects_unknown_families_and_duplicate_names():
    with pytest.raises(ValueError, match="unknown family bogus"):
        select_configs(["nmf", "bogus"])
    twice = [Config("nmf", "a"), Config("nmf", "a", dict(code_sparseness=0.5))]
    with pytest.raises(ValueError, match="two configurations named nmf/a"):
        select_configs(grid=twice)


def test_budgets_are_epochs_or_iterations_times_the_factor(tiny_settings):
    assert budget_of(Config("asym", "x", budget=2.0), tiny_settings) == (4, "epochs")
    assert budget_of(Config("nmf", "x", budget=0.5), tiny_settings) == (
        tiny_settings.nmf_max_iter // 2, "iterations")


# --------------------------------------------------------------------------- the peers
def test_peer_adapter_decodes_with_any_atoms_and_works_with_the_metrics():
    X = np.random.RandomState(0).rand(40, 16)
    peer = PeerAdapter(NMF(3, max_iter=50, random_state=0)).fit(X)
    codes = peer.transform(X)
    np.testing.assert_allclose(peer.inverse_transform(codes), codes @ peer.components_)
    atoms = np.ones_like(peer.components_)
    np.testing.assert_allclose(peer.decode(codes, atoms), codes @ atoms)
    assert peer.image_shape_ == (4, 4)
    assert max_approximation_error(peer, X) >= 0
    with pytest.raises(ValueError, match=r"codes have 2 columns but this PeerAdapter has "
                                         r"n_components=3"):
        peer.decode(codes[:, :2])


def test_peer_adapter_on_non_square_images_leaves_the_shape_to_the_metrics():
    X = np.random.RandomState(0).rand(30, 12)
    peer = PeerAdapter(NMF(2, max_iter=20, random_state=0)).fit(X)
    assert peer.image_shape_ is None
    with pytest.raises(ValueError, match="image_shape"):
        max_approximation_error(peer, X)
    assert PeerAdapter(NMF(2, max_iter=20), image_shape=(3, 4)).fit(X).image_shape_ == (3, 4)


@pytest.mark.parametrize("family", ["sklearn-dict", "sklearn-minibatch-dict"])
def test_dictionary_peers_have_non_negative_codes_and_atoms(family):
    X = np.random.RandomState(0).rand(40, 16)
    peer = make_peer(family, {"alpha": 0.1}, n_components=4, budget=5, seed=0).fit(X)
    assert (peer.components_ >= 0).all() and (peer.transform(X) >= 0).all()
    assert peer.estimator_.max_iter == 5


# --------------------------------------------------------------------------- the run
def test_front_writes_csv_markdown_figure_and_reuses_the_cache(tmp_path, tiny_settings):
    out = str(tmp_path / "out")
    options = FrontOptions(out=out, grid=TINY_GRID)
    records = front(tiny_settings, options)
    assert [r["config"] for r in records] == [c.name for c in TINY_GRID]  # digits: no references
    rows = _read_csv(os.path.join(out, "front.csv"))
    for column in ("family", "config", "mse", "hoyer", "max_approx", "svm", "fit_seconds",
                   "transform_seconds", "device", "budget", "shipped"):
        assert column in rows[0]
    assert [row["shipped"] for row in rows] == ["True", "False", "False"]
    assert rows[0]["budget"] == f"{round(tiny_settings.nmf_max_iter * 0.2)} iterations"
    # scikit-learn's NMF stops at its 20 iterations and says so: counted, not printed.
    assert int(rows[1]["convergence_warnings"]) > 0 and rows[1]["n_iter"] == "20"
    for row in rows:
        assert 0 < float(row["mse"]) < 1 and 0 <= float(row["hoyer"]) <= 1
        assert float(row["max_approx"]) > 0 and 0 < float(row["svm"]) <= 1
        assert float(row["transform_seconds"]) > 0 and row["device"] == "cpu"
        assert int(row["convergence_warnings"]) >= 0
    text = open(os.path.join(out, "front.md")).read()
    assert "## Pareto-optimal points" in text and "| nmf | component-0.6 |" in text
    assert os.path.getsize(os.path.join(out, "front.png")) > 0
    again = front(tiny_settings, FrontOptions(out=out, grid=TINY_GRID, figures=False))
    assert all(r["cached"] for r in again)
    assert [r["mse"] for r in again] == [r["mse"] for r in records]
    parallel = front(tiny_settings, FrontOptions(out=str(tmp_path / "jobs"), grid=TINY_GRID,
                                                 jobs=2, figures=False))
    assert not any(r["cached"] for r in parallel)
    for key in ("config", "mse", "hoyer", "max_approx", "svm"):
        assert [r[key] for r in parallel] == [r[key] for r in records]


def test_an_autoencoder_configuration_is_measured_on_its_device(tmp_path, tiny_settings,
                                                                one_torch_thread):
    grid = [Config("shallow", "kl", dict(sparsity_penalty="kl", sparsity_target=0.05,
                                         sparsity_weight=1e-3))]
    (record,) = front(tiny_settings, FrontOptions(out=str(tmp_path), grid=grid, figures=False))
    assert record["device"] == "cpu" and record["budget"] == "2 epochs"
    assert record["shipped"] and record["n_iter"] == 2


def test_an_interrupted_front_keeps_the_configurations_measured(tmp_path, tiny_settings,
                                                                monkeypatch):
    measure = runner_module.measure
    calls = []

    def interrupted_second(config, *args, **kwargs):
        calls.append(config.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return measure(config, *args, **kwargs)

    monkeypatch.setattr(runner_module, "measure", interrupted_second)
    with pytest.raises(CompareInterrupted) as caught:
        front(tiny_settings, FrontOptions(out=str(tmp_path), grid=TINY_GRID))
    assert caught.value.rows_kept == 1
    assert [row["config"] for row in _read_csv(caught.value.results_path)] == ["component-0.6"]
    assert not (tmp_path / "front.md").exists()


def test_the_front_command_runs_a_family_and_rejects_bad_ones(tmp_path, capsys):
    out = str(tmp_path / "cli")
    status = main(["front", "--quick", "--dataset", "digits", "--families",
                   "sklearn-minibatch-nmf", "--out", out, "--no-figures", "--device", "cpu"])
    assert status == 0
    rows = _read_csv(os.path.join(out, "front.csv"))
    assert {row["family"] for row in rows} == {"sklearn-minibatch-nmf"} and len(rows) >= 2
    assert not os.path.exists(os.path.join(out, "front.png"))
    with pytest.raises(SystemExit) as exit_:
        main(["front", "--families", "nmf,bogus", "--out", out])
    assert exit_.value.code == 2
    assert "unknown family 'bogus'" in capsys.readouterr().err


def test_the_front_command_runs_named_configurations(tmp_path, capsys):
    out = str(tmp_path / "named")
    # code-l1-0.05 is not in the --quick subset: a named configuration runs anyway.
    status = main(["front", "--quick", "--dataset", "digits", "--configs",
                   "nmf/code-l1-0.05,sklearn-minibatch-nmf/alpha0-l1r1", "--out", out,
                   "--no-figures", "--device", "cpu"])
    assert status == 0
    rows = _read_csv(os.path.join(out, "front.csv"))
    assert [(row["family"], row["config"]) for row in rows] == [
        ("nmf", "code-l1-0.05"), ("sklearn-minibatch-nmf", "alpha0-l1r1")]
    with pytest.raises(SystemExit) as exit_:
        main(["front", "--configs", "nmf/code-l1-0.5", "--out", out])
    assert exit_.value.code == 2
    assert "unknown configuration 'nmf/code-l1-0.5'; did you mean nmf/code-l1-0.05" in (
        capsys.readouterr().err)
    with pytest.raises(SystemExit) as exit_:
        main(["front", "--configs", "nmf/code-l1-0.05", "--families", "asym", "--out", out])
    assert exit_.value.code == 2
    assert "none of the --configs is in the --families" in capsys.readouterr().err


def test_front_without_autoencoders_never_imports_torch(tmp_path):
    code = (
        "import sys\n"
        "from sparse_parts.study import resolve_settings\n"
        "from sparse_parts.study import Config, FrontOptions, front\n"
        "s = resolve_settings('digits', quick=True, n_train=200, n_test=100, n_components=4,"
        " models=['nmf'])\n"
        "grid = [Config('nmf', 'a', budget=0.05), Config('sklearn-nmf', 'b', budget=0.05)]\n"
        f"front(s, FrontOptions(out={str(tmp_path)!r}, grid=grid, figures=False))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_front_on_the_users_non_square_images(tmp_path, capsys):
    """--data works for front as for compare: the image shape reaches every model, the
    study's reference points (Fashion-MNIST numbers) are left out."""
    rng = np.random.RandomState(0)
    images = rng.rand(60, 6, 10).astype(np.float32)
    path = tmp_path / "images.npy"
    np.save(path, images)
    out = tmp_path / "out"
    grid = [Config("nmf", "plain", budget=0.1), Config("sklearn-nmf", "cd", budget=0.1)]
    settings = resolve_settings(None, data_path=str(path), n_components=5, device="cpu",
                                models=["nmf"])
    records = front(settings, FrontOptions(out=str(out), grid=grid, figures=False))
    assert [r["family"] for r in records] == ["nmf", "sklearn-nmf"]  # no reference rows
    for record in records:
        assert math.isfinite(record["max_approx"])  # morphology used the 6x10 shape
        assert record["svm"] is None or record["svm"] == ""
    with pytest.raises(SystemExit) as exit_:
        main(["front", "--labels", str(path), "--out", str(tmp_path / "x")])
    assert exit_.value.code == 2
    assert "--labels" in capsys.readouterr().err


def test_a_peer_that_cannot_encode_is_recorded_as_failed_and_the_run_goes_on(
        tmp_path, tiny_settings):
    """scikit-learn's NMF regularised into all-zero atoms refuses to transform: the run
    records why, leaves that peer's metrics empty and measures the others."""
    grid = [Config("sklearn-nmf", "crushed", dict(solver="mu", alpha_W=10.0), budget=0.2),
            TINY_GRID[0]]
    records = front(tiny_settings, FrontOptions(out=str(tmp_path), grid=grid))
    crushed, nmf = records
    assert "full of zeros" in crushed["failed"] and crushed["mse"] is None
    assert nmf["failed"] is None and math.isfinite(nmf["mse"])
    rows = _read_csv(tmp_path / "front.csv")
    assert rows[0]["failed"] and rows[0]["mse"] == ""
    assert "could not be measured" in (tmp_path / "front.md").read_text()
    assert (tmp_path / "front.png").stat().st_size > 0
