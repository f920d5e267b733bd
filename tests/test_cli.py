"""Tests of the ``sparse-parts`` command (``sparse_parts.cli``) on tiny digit runs."""

import csv
import math
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import cli
from sparse_parts.autoencoders._base import BaseAutoEncoder
from sparse_parts.nmf import SparseNMF
from sparse_parts.study import catalog, runner

ROOT = pathlib.Path(__file__).resolve().parents[1]

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)

TINY = ["compare", "--dataset", "digits", "--quick", "--n-train", "150", "--n-test", "100",
        "--epochs", "1", "--models", "nmf,shallow"]
TINY_ROWS = ["nmf/component-0.6", "shallow/unconstrained", "shallow/kl-p0.05-beta0.001",
             "shallow/kl-p0.01-beta0.005"]


def _name(record):
    """``family/config``, as the records and the table name a configuration."""
    return f"{record['family']}/{record['config']}"


def _file(name):
    """The file-name form of a configuration's name: ``family-config``."""
    return name.replace("/", "-")


@pytest.fixture
def fit_counter(monkeypatch):
    """Count the calls to the estimators' fit methods."""
    calls = []

    def counting(original):
        def fit(self, X, y=None):
            calls.append(type(self).__name__)
            return original(self, X, y)
        return fit

    monkeypatch.setattr(SparseNMF, "fit", counting(SparseNMF.fit))
    monkeypatch.setattr(BaseAutoEncoder, "fit", counting(BaseAutoEncoder.fit))
    return calls


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_compare_writes_results_figures_and_reuses_the_cache(tmp_path, fit_counter, capsys):
    out = tmp_path / "out"
    assert cli.main(TINY + ["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in TINY_ROWS:
        assert name in printed

    rows = _read_csv(out / "results.csv")
    assert [_name(r) for r in rows] == TINY_ROWS
    for r in rows:
        for metric in ("mse", "hoyer", "max_approx", "max_approx_rec",
                       "svm", "svm_std"):
            assert math.isfinite(float(r[metric])), (_name(r), metric)
        assert 0.0 <= float(r["hoyer"]) <= 1.0
        assert 0.0 <= float(r["svm"]) <= 1.0
        assert r["cached"] == "False"
    # The study's numbers are Fashion-MNIST's: none beside the digits.
    assert all(r[k] == "" for r in rows for k in r if k.startswith("study_"))

    markdown = (out / "results.md").read_text()
    # The default SVM protocol, said in the report: the report's linear SVM and C grid.
    assert "## Protocol" in markdown and "RepeatedStratifiedKFold" in markdown
    assert "LinearSVC" in markdown and "0.6504" not in markdown  # the study's NMF sparsity
    assert "| study |" not in markdown and "say nothing about these images" in markdown
    assert markdown.count("\n| ") == 1 + len(TINY_ROWS)  # header + one line per row

    for kind in ("atoms", "reconstructions", "codes", "max_approximation"):
        for name in TINY_ROWS:
            assert (out / f"{kind}_{_file(name)}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "metrics_vs_beta.png").stat().st_size > 0
    # The summary figure opens the report, before the table.
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert -1 < markdown.index("](summary.png)") < markdown.index("\n| ")
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # every saved figure was closed
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
    cached = sorted(os.listdir(out / "cache"))
    assert len(cached) == len(TINY_ROWS) and all(p.endswith(".pkl") for p in cached)
    assert len(fit_counter) == len(TINY_ROWS)

    # Second run, same settings: every model comes from the cache, nothing is fitted.
    mtimes = {p: os.stat(out / "cache" / p).st_mtime_ns for p in cached}
    assert cli.main(TINY + ["--out", str(out), "--no-figures"]) == 0
    assert len(fit_counter) == len(TINY_ROWS)
    assert {p: os.stat(out / "cache" / p).st_mtime_ns for p in cached} == mtimes
    again = _read_csv(out / "results.csv")
    assert [r["cached"] for r in again] == ["True"] * len(TINY_ROWS)
    for first, second in zip(rows, again, strict=True):
        assert float(first["mse"]) == pytest.approx(float(second["mse"]), rel=1e-6)
        assert first["fit_seconds"] == second["fit_seconds"]

    # Another seed is another model: fitted again.
    assert cli.main(TINY + ["--out", str(out), "--no-figures", "--seed", "1",
                            "--models", "nmf"]) == 0
    assert fit_counter[len(TINY_ROWS):] == ["SparseNMF"]


@pytest.mark.parametrize("argv, message", [
    (["--models", "nmf,pca"], "unknown model 'pca'"),
    (["--epochs", "0"], "expected a positive integer"),
    (["--n-train", "many"], "expected a positive integer"),
    (["--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["--device", "tpu"], "invalid choice: 'tpu'"),
    (["--n-test", "10"], "--n-test must be at least 50"),
    (["--n-train", "5"], "--n-train must be at least 10"),
])
def test_bad_options_give_clear_errors(argv, message, capsys, tmp_path):
    dataset = [] if "--dataset" in argv else ["--dataset", "digits"]
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["compare", "--out", str(tmp_path)] + dataset + argv)
    assert excinfo.value.code == 2
    assert message in capsys.readouterr().err


def test_cuda_requested_without_cuda_is_an_error(capsys, tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["compare", "--dataset", "digits", "--device", "cuda", "--out", str(tmp_path)])
    assert excinfo.value.code == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main([])
    assert excinfo.value.code == 2


def test_python_dash_m_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "sparse_parts", "compare", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--dataset", "--models", "--epochs", "--n-train", "--device", "--quick",
                   "--out", "--seed"):
        assert option in result.stdout


def test_parallel_jobs_give_the_sequential_results(tmp_path):
    argv = TINY + ["--no-figures", "--models", "nmf", "shallow"]
    assert cli.main(argv + ["--out", str(tmp_path / "one")]) == 0
    assert cli.main(argv + ["--out", str(tmp_path / "two"), "--jobs", "2"]) == 0
    one = _read_csv(tmp_path / "one" / "results.csv")
    two = _read_csv(tmp_path / "two" / "results.csv")
    assert [_name(r) for r in two] == TINY_ROWS  # the order of the study, not of completion
    for a, b in zip(one, two, strict=True):
        for metric in ("mse", "hoyer", "max_approx", "svm"):
            assert float(a[metric]) == pytest.approx(float(b[metric]), rel=1e-5), metric
    assert "rows in parallel" in (tmp_path / "two" / "results.md").read_text()
    assert len(os.listdir(tmp_path / "two" / "cache")) == len(TINY_ROWS)


def test_an_interrupted_run_keeps_the_rows_already_measured(tmp_path, monkeypatch, capsys):
    # Ctrl-C now ends the command with status 130 and a message, not a traceback.
    evaluate = runner.evaluate
    done = []

    def failing_after_two(*args, **kwargs):
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(1)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(runner, "evaluate", failing_after_two)
    assert cli.main(TINY + ["--out", str(tmp_path), "--no-figures"]) == 130
    rows = _read_csv(tmp_path / "results.csv")
    assert [_name(r) for r in rows] == TINY_ROWS[:2]
    assert not (tmp_path / "results.md").exists()
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "interrupted" in err and "2 finished row(s)" in err
    assert str(tmp_path / "results.csv") in err


def _interrupt_the_shallow_fit(monkeypatch):
    """skorch's quiet stop: training ends early and the model says so."""
    fit = BaseAutoEncoder.fit

    def interrupted(self, X, y=None):
        fit(self, X, y)
        self.fit_interrupted_ = True
        return self

    monkeypatch.setattr(BaseAutoEncoder, "fit", interrupted)
    return "nmf/component-0.6", "shallow/unconstrained"


def _interrupt_the_nmf_fit(monkeypatch):
    """Ctrl-C inside SparseNMF.fit, after an auto-encoder row is done."""
    def interrupted(self, X, y=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(SparseNMF, "fit", interrupted)
    by_name = {row.key: row for row in catalog.ROWS}
    monkeypatch.setattr(catalog, "ROWS", (by_name["shallow/unconstrained"],
                                          by_name["nmf/component-0.6"]))
    return "shallow/unconstrained", "nmf/component-0.6"


@pytest.mark.parametrize("interrupt", [_interrupt_the_shallow_fit, _interrupt_the_nmf_fit])
def test_ctrl_c_during_a_fit_exits_130_and_neither_caches_nor_measures_the_model(
        tmp_path, monkeypatch, capsys, interrupt):
    finished, interrupted = interrupt(monkeypatch)
    measured = []
    evaluate = runner.evaluate

    def recording(estimator, *args, **kwargs):
        measured.append(type(estimator).__name__)
        return evaluate(estimator, *args, **kwargs)

    monkeypatch.setattr(runner, "evaluate", recording)
    status = cli.main(TINY + ["--out", str(tmp_path), "--no-figures", "--device", "cpu"])
    assert status == 130
    assert len(measured) == 1  # the finished row only
    assert [_name(r) for r in _read_csv(tmp_path / "results.csv")] == [finished]
    cached = os.listdir(tmp_path / "cache")
    assert len(cached) == 1 and cached[0].startswith(_file(finished) + "-")
    assert not [p for p in cached if p.startswith(_file(interrupted) + "-")]
    assert not (tmp_path / "results.md").exists()
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("sparse-parts compare: interrupted")
    assert "1 finished row(s)" in err and str(tmp_path / "results.csv") in err


def test_ctrl_c_before_the_first_row_is_done_says_so(tmp_path, monkeypatch, capsys):
    def interrupted(self, X, y=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(SparseNMF, "fit", interrupted)
    assert cli.main(TINY + ["--out", str(tmp_path), "--models", "nmf"]) == 130
    assert not (tmp_path / "results.csv").exists()
    assert not (tmp_path / "cache").exists()
    assert "before the first row" in capsys.readouterr().err


def test_out_naming_an_existing_file_is_an_error(tmp_path, capsys):
    path = tmp_path / "results"
    path.write_text("not a folder")
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["compare", "--dataset", "digits", "--models", "nmf", "--out", str(path)])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "existing file" in err
    assert path.read_text() == "not a folder"


def test_out_that_cannot_be_created_is_an_error(tmp_path, capsys):
    parent = tmp_path / "a-file"
    parent.write_text("")
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["compare", "--dataset", "digits", "--models", "nmf",
                  "--out", str(parent / "out")])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "cannot write" in err


def test_importing_the_command_line_and_the_torch_free_modules_loads_no_torch():
    code = ("import sys, sparse_parts.cli, sparse_parts.metrics, sparse_parts.plotting, "
            "sparse_parts.datasets; assert 'torch' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_comparing_sparse_nmf_alone_never_imports_torch(tmp_path):
    code = (
        "import sys\n"
        "from sparse_parts.cli import main\n"
        f"status = main({TINY[:-2] + ['--models', 'nmf', '--out', str(tmp_path)]!r})\n"
        "assert status == 0, status\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'skorch'))\n"
        "assert not loaded, loaded\n"
        "assert 'sparse_parts.autoencoders' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = _read_csv(tmp_path / "results.csv")
    assert [_name(r) for r in rows] == ["nmf/component-0.6"]
    assert (tmp_path / "atoms_nmf-component-0.6.png").exists()  # the figures were drawn, torch-free


# --data: the user's own images, made by the tests: tiny, non-square, few epochs.

USER = ["compare", "--quick", "--epochs", "1", "--device", "cpu"]


def _png_folder(folder, n=40, shape=(12, 10), colour=0, odd=None):
    """``n`` grey PNGs of ``shape``; ``colour`` of them in colour, ``odd`` one of another size."""
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        size = (6, 6) if i == odd else shape
        pixels = (rng.random((*size, 3 if i < colour else 1)) * 255).astype(np.uint8)
        Image.fromarray(pixels if i < colour else pixels[..., 0]).save(
            folder / f"img_{i:03d}.png")
    return folder


def test_compare_on_a_folder_of_non_square_pngs_without_labels(tmp_path, capsys):
    images = _png_folder(tmp_path / "pngs", colour=1)
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # --grey: colour is kept by default (tests/test_colour.py).
        status = cli.main(USER + ["--data", str(images), "--models", "nmf", "shallow",
                                  "--grey", "--out", str(out)])
    assert status == 0
    assert not [w for w in caught if "colour" in str(w.message)]  # said, not warned
    captured = capsys.readouterr()
    assert captured.err.count("converted to grey") == 1
    assert "Notice:" in captured.err and "UserWarning" not in captured.err
    assert "26 training and 14 test images of 12x10 pixels" in captured.err
    assert "Model sizes (trainable parameters): nmf 1,560; shallow 3,253" in captured.err
    assert "SVM" not in captured.out.splitlines()[0]  # the printed table's header

    rows = _read_csv(out / "results.csv")
    assert [_name(r) for r in rows] == TINY_ROWS
    for r in rows:
        assert r["svm"] == r["svm_std"] == ""
        assert all(r[k] == "" for k in r if k.startswith("study_"))
        assert math.isfinite(float(r["max_approx"]))
    # k = min(100, 120 // 2, 26 // 2) = 13 atoms of 12 x 10 pixels
    assert int(rows[0]["n_parameters"]) == 13 * 120
    assert int(rows[1]["n_parameters"]) == 2 * 13 * 120 + 13 + 120

    markdown = (out / "results.md").read_text()
    assert "No SVM accuracy: the images have no labels" in markdown
    assert "SVM accuracy (std)" not in markdown and "| study |" not in markdown
    assert "k = 13 components" in markdown and "images of 12x10 pixels" in markdown
    assert "test_size=1/3, random_state=0)" in markdown
    for kind in ("atoms", "reconstructions", "codes", "max_approximation"):
        assert (out / f"{kind}_nmf-component-0.6.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_on_an_8_bit_npy_stack_with_labels(tmp_path, capsys):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "x.npy", (rng.random((60, 9, 14)) * 255).astype(np.uint8))
    np.savetxt(tmp_path / "y.txt", np.repeat([0, 1], 30), fmt="%d")
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = cli.main(USER + ["--data", str(tmp_path / "x.npy"), "--labels",
                                  str(tmp_path / "y.txt"), "--models", "nmf",
                                  "--no-figures", "--out", str(out)])
    assert status == 0
    assert not [w for w in caught if "outside [0, 1]" in str(w.message)]
    captured = capsys.readouterr()
    assert captured.err.count("divided by 255") == 1
    assert "SVM acc." in captured.out
    (row,) = _read_csv(out / "results.csv")
    assert 0.0 <= float(row["svm"]) <= 1.0 and row["study_mse"] == ""
    markdown = (out / "results.md").read_text()
    assert "SVM accuracy (std)" in markdown and "stratify=labels" in markdown
    assert "No SVM accuracy" not in markdown and "| study |" not in markdown


def test_compare_asym_on_a_flat_npy_with_image_shape(tmp_path, capsys):
    from sparse_parts.study.estimators import n_parameters

    rng = np.random.default_rng(2)
    np.save(tmp_path / "x.npy", rng.random((30, 12 * 10)).astype(np.float32))
    out = tmp_path / "out"
    assert cli.main(USER + ["--data", str(tmp_path / "x.npy"), "--image-shape", "12", "-1",
                            "--models", "asym", "--out", str(out)]) == 0
    rows = _read_csv(out / "results.csv")
    assert [r["family"] for r in rows] == ["asym"] * 3
    # k = min(100, 60, 20 // 2) = 10; the encoder sees 12 x 10 images
    assert {int(r["n_parameters"]) for r in rows} == {n_parameters("asym", (12, 10), 10)}
    assert "images of 12x10 pixels" in capsys.readouterr().err
    assert (out / f"max_approximation_{_file(_name(rows[0]))}.png").exists()


def test_bad_user_data_gives_one_line_errors(tmp_path, capsys):
    def error(argv):
        with pytest.raises(SystemExit) as excinfo:
            cli.main(["compare", "--models", "nmf", "--out", str(tmp_path / "out")] + argv)
        assert excinfo.value.code == 2
        last = capsys.readouterr().err.splitlines()[-1]  # after the progress lines
        assert last.startswith("sparse-parts compare: error: "), last
        return last

    mixed = _png_folder(tmp_path / "mixed", n=12, odd=7)
    assert "img_007.png is 6x6" in error(["--data", str(mixed)])
    np.save(tmp_path / "flat.npy", np.zeros((40, 120), np.float32))
    np.savetxt(tmp_path / "y.txt", np.zeros(39), fmt="%d")
    flat = ["--data", str(tmp_path / "flat.npy")]
    assert "holds 39 labels but there are 40 images" in error(
        flat + ["--image-shape", "12", "10", "--labels", str(tmp_path / "y.txt")])
    assert "not allowed with argument" in error(flat + ["--dataset", "digits"])
    assert "no such file or folder" in error(["--data", str(tmp_path / "none.npy")])
    assert "holds 25 pixels" in error(flat + ["--image-shape", "5", "5"])
    assert "not a perfect square" in error(flat) and "--image-shape" in error(flat)
    assert "expected a positive integer (or -1" in error(flat + ["--image-shape", "0", "5"])
    assert "--labels goes with --data" in error(["--dataset", "digits", "--labels",
                                                 str(tmp_path / "y.txt")])
    assert not (tmp_path / "out" / "results.csv").exists()


@pytest.mark.fashion_mnist
def test_the_studys_numbers_stand_beside_a_fashion_mnist_run(tmp_path):
    if not os.path.isfile("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"):
        pytest.skip("needs the Fashion-MNIST files (Debian package dataset-fashion-mnist)")
    out = tmp_path / "out"
    assert cli.main(["compare", "--dataset", "fashion-mnist", "--quick", "--models", "nmf",
                     "--n-train", "300", "--n-test", "100", "--n-components", "10",
                     "--no-figures", "--out", str(out)]) == 0
    (nmf,) = _read_csv(out / "results.csv")
    assert float(nmf["study_mse"]) == 0.0109 and float(nmf["study_svm"]) == 0.812
    markdown = (out / "results.md").read_text()
    assert "0.6504" in markdown and "| study |" in markdown
