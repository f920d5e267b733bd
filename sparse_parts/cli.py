"""The ``sparse-parts`` command: ``sparse-parts compare`` reproduces the study's tables.

``compare`` fits the models of Tables 1 and 2 of the reference study (sparse NMF
with S_h = 0.6; the shallow and the asymmetric auto-encoders, unconstrained and with
the sparse non-negative (p, beta) rows), measures on held-out test images the
reconstruction MSE, the Hoyer sparsity of the codes, the max-approximation error to
dilation by disk(1) and the accuracy of an RBF SVM on the codes, prints the table
and writes ``results.csv``, ``results.md`` (the study's numbers beside ours) and
PNG figures into ``--out``.

Fitted models are cached in ``--out/cache`` under a hash of the estimator's class,
parameters and training data: a rerun with the same settings reuses them. Every
file is written to a temporary name in the same folder and renamed, so an
interrupted run never leaves a half-written result.
"""

import argparse
import contextlib
import csv
import hashlib
import json
import math
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["main", "build_parser", "ROWS"]


# --------------------------------------------------------------------------- the rows
@dataclass(frozen=True)
class Row:
    """One row of the comparison: a model family, its sparsity settings, the study's numbers.

    ``study`` holds the study's Fashion-MNIST figures: ``mse``, ``sparsity``,
    ``dilation_error``, ``svm_accuracy``, ``svm_std`` (None where the study gives none).
    """

    name: str
    model: str  # "nmf", "shallow" or "asym"
    label: str
    sparsity_target: float | None = None
    sparsity_weight: float | None = None
    study: dict = field(default_factory=dict)
    quick: bool = False


def _study(mse, sparsity, dilation, svm=None, svm_std=None):
    return {"mse": mse, "sparsity": sparsity, "dilation_error": dilation,
            "svm_accuracy": svm, "svm_std": svm_std}


def _ae_row(model, p, beta, study, quick=False):
    kind = "shallow AE" if model == "shallow" else "asymmetric AE"
    if p is None:
        return Row(f"{model}-unconstrained", model, f"unconstrained {kind}", study=study,
                   quick=quick)
    return Row(f"{model}-p{p:g}-beta{beta:g}", model, f"sparse non-negative {kind}",
               p, beta, study, quick)


#: The study's rows (Tables 1 and 2), with its Fashion-MNIST numbers.
ROWS = (
    Row("nmf", "nmf", "sparse NMF, S_h = 0.6 (component scope)",
        study=_study(0.0109, 0.6504, 0.107, 0.812, 0.036), quick=True),
    _ae_row("shallow", None, None, _study(0.00697, 0.0678, 18.24, 0.792, 0.0348), True),
    _ae_row("shallow", 0.2, 0.001, _study(0.0103, 0.230, 1.179, 0.754)),
    _ae_row("shallow", 0.1, 0.01, _study(0.0139, 0.363, 0.264, 0.786)),
    _ae_row("shallow", 0.05, 0.001, _study(0.0164, 0.505, 0.182, 0.804, 0.0313), True),
    _ae_row("shallow", 0.01, 0.005, _study(0.0288, 0.785, 0.0339), True),
    _ae_row("asym", None, None, _study(0.00646, 0.0956, 14.31, 0.787, 0.036), True),
    _ae_row("asym", 0.05, 0.001, _study(0.0115, 0.565, 0.202, 0.834, 0.036), True),
    _ae_row("asym", 0.05, 0.005, _study(0.0125, 0.615, 0.123, 0.81, 0.034)),
    _ae_row("asym", 0.01, 0.001, _study(0.0150, 0.676, 0.103, 0.796, 0.039)),
    _ae_row("asym", 0.01, 0.01, _study(0.0212, 0.826, 0.0297, 0.78, 0.033), True),
)

MODELS = ("nmf", "shallow", "asym")
DATASETS = ("fashion-mnist", "digits")
METRICS = ("mse", "sparsity", "dilation_error", "svm_accuracy")
_METRIC_TITLES = {
    "mse": "reconstruction MSE",
    "sparsity": "Hoyer sparsity",
    "dilation_error": "max-approx. error, dilation disk(1)",
    "svm_accuracy": "SVM accuracy",
}


# --------------------------------------------------------------------------- settings
@dataclass
class Settings:
    """Everything a run depends on, resolved from the options and the data set."""

    dataset: str
    n_train: int
    n_test: int
    n_components: int
    epochs: int
    nmf_max_iter: int
    svm_samples: int
    svm_splits: int
    svm_test_size: float
    svm_cv: int
    svm_C: tuple
    svm_gamma_factors: tuple
    device: str
    seed: int


# (dataset, quick) -> defaults. The study does not say how long it trained. At a fixed
# beta the codes grow less sparse as training goes on (H100 sweep, benchmarks/README.md:
# asymmetric AE, p = 0.05, beta = 0.001, Hoyer 0.61 / 0.55 / 0.44 after 10 / 20 / 40
# epochs); 20 epochs lands on the study's row (0.0106 / 0.549 / 0.199 vs. its
# 0.0115 / 0.565 / 0.202).
_DEFAULTS = {
    ("fashion-mnist", False): dict(n_train=60000, n_test=10000, n_components=100, epochs=20,
                                   nmf_max_iter=200, svm_samples=2000, svm_splits=5,
                                   svm_C=(1.0, 10.0, 100.0), svm_gamma_factors=(0.1, 1.0, 10.0)),
    ("fashion-mnist", True): dict(n_train=5000, n_test=2000, n_components=100, epochs=5,
                                  nmf_max_iter=50, svm_samples=1000, svm_splits=3,
                                  svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
    ("digits", False): dict(n_train=1198, n_test=599, n_components=36, epochs=300,
                            nmf_max_iter=200, svm_samples=599, svm_splits=5,
                            svm_C=(1.0, 10.0, 100.0), svm_gamma_factors=(0.1, 1.0, 10.0)),
    ("digits", True): dict(n_train=1198, n_test=599, n_components=36, epochs=100,
                           nmf_max_iter=100, svm_samples=599, svm_splits=3,
                           svm_C=(1.0, 10.0), svm_gamma_factors=(1.0, 10.0)),
}


# --------------------------------------------------------------------------- parsing
def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _model_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model {', '.join(map(repr, unknown)) or repr(text)}; "
            f"choose from {', '.join(MODELS)}")
    return names


def build_parser():
    """The argument parser of the ``sparse-parts`` command."""
    parser = argparse.ArgumentParser(
        prog="sparse-parts",
        description="Part-based image representations: sparse NMF and sparse non-negative "
                    "auto-encoders.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    compare = commands.add_parser(
        "compare", help="fit the study's models and compare them with its Tables 1 and 2",
        description="Fit the reference study's models (Tables 1 and 2), measure them on "
                    "held-out test images and write results.csv, results.md and PNG "
                    "figures into --out. Fitted models are cached in --out/cache.")
    compare.add_argument("--dataset", choices=DATASETS, default=None,
                         help="default: fashion-mnist if its files are on disk (no "
                              "download), else digits")
    compare.add_argument("--models", type=_model_list, nargs="+", default=None,
                         metavar="MODEL",
                         help=f"subset of {', '.join(MODELS)} (space or comma separated; "
                              "default: all)")
    compare.add_argument("--epochs", type=_positive_int, default=None,
                         help="training epochs of the auto-encoders (default: 20 on "
                              "Fashion-MNIST, 300 on the digits; --quick: 5 / 100)")
    compare.add_argument("--n-train", type=_positive_int, default=None,
                         help="number of training images (default: all; --quick: 5000 on "
                              "Fashion-MNIST)")
    compare.add_argument("--n-test", type=_positive_int, default=None,
                         help="number of held-out test images (default: 10000 on "
                              "Fashion-MNIST, 599 on the digits; --quick: 2000 / 599)")
    compare.add_argument("--n-components", type=_positive_int, default=None,
                         help="atoms per model (default: 100 on Fashion-MNIST, 36 on the "
                              "8x8 digits)")
    compare.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                         help="where the auto-encoders train (default: auto)")
    compare.add_argument("--quick", action="store_true",
                         help="fewer rows, epochs, samples and SVM splits: a few minutes "
                              "on a laptop CPU")
    compare.add_argument("--out", default="compare_out",
                         help="output folder (default: compare_out)")
    compare.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    compare.add_argument("--threads", type=_positive_int, default=1,
                         help="CPU threads for torch and BLAS (default: 1; on a shared "
                              "2-core machine two threads made the small auto-encoders up "
                              "to 16x slower)")
    compare.add_argument("--jobs", type=_positive_int, default=1,
                         help="rows fitted and measured in parallel worker processes "
                              "(default: 1). Each worker uses --threads threads; on a GPU "
                              "several small models share the device, which one model "
                              "leaves mostly idle")
    compare.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return parser


# --------------------------------------------------------------------------- data
def _say(message):
    print(message, file=sys.stderr, flush=True)


def _fashion_mnist_on_disk():
    from .datasets import DatasetNotFoundError, fetch_fashion_mnist

    try:
        fetch_fashion_mnist("test", download_if_missing=False, return_X_y=True)
    except (DatasetNotFoundError, OSError):
        return False
    return True


def _subsample(X, y, n, rng):
    if n >= X.shape[0]:
        return X, y
    index = np.sort(rng.permutation(X.shape[0])[:n])
    return X[index], y[index]


def load_data(settings):
    """``(X_train, y_train, X_test, y_test)`` for ``settings``; the split is seeded."""
    rng = np.random.RandomState(settings.seed)
    if settings.dataset == "fashion-mnist":
        from .datasets import fetch_fashion_mnist

        X_train, y_train = fetch_fashion_mnist("train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist("test", return_X_y=True)
    else:
        from sklearn.model_selection import train_test_split

        from .datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=1 / 3, stratify=y, random_state=settings.seed)
    X_train, y_train = _subsample(X_train, y_train, settings.n_train, rng)
    X_test, y_test = _subsample(X_test, y_test, settings.n_test, rng)
    return (np.ascontiguousarray(X_train, dtype=np.float32), y_train,
            np.ascontiguousarray(X_test, dtype=np.float32), y_test)


# --------------------------------------------------------------------------- models
def make_estimator(row, settings):
    """The unfitted estimator of ``row``."""
    if row.model == "nmf":
        from .nmf import SparseNMF

        return SparseNMF(settings.n_components, code_sparseness=0.6,
                         code_sparseness_scope="component", max_iter=settings.nmf_max_iter,
                         random_state=settings.seed)
    from .autoencoders import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

    cls = SparseNonNegAutoEncoder if row.model == "shallow" else AsymmetricAutoEncoder
    if row.sparsity_target is None:
        sparsity = dict(sparsity_penalty=None, nonnegativity=None)
    else:
        sparsity = dict(sparsity_penalty="kl", sparsity_target=row.sparsity_target,
                        sparsity_weight=row.sparsity_weight, nonnegativity="projection")
    return cls(settings.n_components, **sparsity, max_epochs=settings.epochs,
               device=settings.device, random_state=settings.seed)


# Parameters that change neither the fitted model nor its numbers.
_UNHASHED = ("verbose", "callbacks")


def cache_key(estimator, X):
    """Hex digest of the estimator's class and parameters, the package version and ``X``."""
    from . import __version__

    params = {k: repr(v) for k, v in sorted(estimator.get_params(deep=False).items())
              if k not in _UNHASHED}
    description = json.dumps({"class": type(estimator).__qualname__,
                              "module": type(estimator).__module__,
                              "params": params, "version": __version__,
                              "shape": X.shape, "dtype": str(X.dtype)}, sort_keys=True)
    digest = hashlib.sha256(description.encode())
    digest.update(np.ascontiguousarray(X).tobytes())
    return digest.hexdigest()[:24]


def _atomic_write(path, write, binary=False):
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _make_epoch_bar_class():
    from skorch.callbacks import Callback
    from tqdm.auto import tqdm

    class EpochBar(Callback):
        """skorch callback: one tqdm bar over the epochs of a fit."""

        def __init__(self, total=None, description=None):
            self.total = total
            self.description = description

        def on_train_begin(self, net, **kwargs):
            self.bar_ = tqdm(total=self.total, desc=self.description, unit="epoch",
                             leave=False)

        def on_epoch_end(self, net, **kwargs):
            loss = net.history[-1].get("train_loss")
            self.bar_.update(1)
            if loss is not None:
                self.bar_.set_postfix(loss=f"{loss:.4g}")

        def on_train_end(self, net, **kwargs):
            self.bar_.close()
            del self.bar_  # a fitted net holding this callback stays picklable

    # Pickled as ``sparse_parts.cli._EpochBar``, resolved by the module __getattr__.
    EpochBar.__name__ = EpochBar.__qualname__ = "_EpochBar"
    EpochBar.__module__ = __name__
    return EpochBar


def __getattr__(name):
    # The callback class subclasses skorch's, so it is built on first use: importing
    # this module (``sparse-parts --help``) does not import torch.
    if name == "_EpochBar":
        cls = globals()["_EpochBar"] = _make_epoch_bar_class()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _epoch_bar(total, description):
    """A skorch callback drawing a tqdm bar over the epochs of a fit."""
    cls = globals().get("_EpochBar") or __getattr__("_EpochBar")
    return cls(total, description)


def fit_or_load(row, settings, X_train, cache_dir, progress=True):
    """Fit the estimator of ``row`` on ``X_train``, or load it from ``cache_dir``.

    Returns ``(estimator, fit_seconds, cached)``; ``fit_seconds`` is the time of the
    original fit (stored with the model). ``progress`` draws a bar over the epochs.
    """
    estimator = make_estimator(row, settings)
    path = os.path.join(cache_dir, f"{row.name}-{cache_key(estimator, X_train)}.pkl")
    if os.path.exists(path):
        try:
            with open(path, "rb") as f:
                entry = pickle.load(f)
            return entry["estimator"], entry["fit_seconds"], True
        except Exception as exc:  # a corrupt or incompatible cache entry: refit
            _say(f"  cache entry {path} unreadable ({exc!r}); fitting again")
    bar = progress and row.model != "nmf"
    if bar:
        estimator.set_params(callbacks=[_epoch_bar(settings.epochs, row.name)])
    start = time.perf_counter()
    estimator.fit(X_train)
    seconds = time.perf_counter() - start
    if bar:
        estimator.set_params(callbacks=None)  # the parameters as make_estimator gave them
    _atomic_write(path, lambda f: pickle.dump(
        {"estimator": estimator, "fit_seconds": seconds}, f, protocol=pickle.HIGHEST_PROTOCOL),
        binary=True)
    return estimator, seconds, False


# --------------------------------------------------------------------------- metrics
def svm_protocol(settings):
    """The SVM protocol of ``settings``, in words (written into results.md)."""
    C = ", ".join(f"{c:g}" for c in settings.svm_C)
    gammas = ", ".join(f"{g:g}" for g in settings.svm_gamma_factors)
    return (
        f"The codes of (at most) {settings.svm_samples} held-out test images (a stratified "
        f"random subset, seed {settings.seed}) are split {settings.svm_splits} times by "
        f"`StratifiedShuffleSplit(test_size={settings.svm_test_size:g})`. On each split an "
        f"RBF `SVC` is tuned by `GridSearchCV` (stratified {settings.svm_cv}-fold CV, "
        f"accuracy) over C in {{{C}}} and gamma = g / (k * Var(codes)) with g in "
        f"{{{gammas}}} (k code units, the variance over all training-part code entries, "
        "i.e. scikit-learn's gamma='scale' times g), refit on the whole training part, and "
        "scored by accuracy on the split's test part. Reported: mean and standard "
        "deviation (ddof=0) of the accuracies over the splits.")


def svm_accuracy(codes, y, settings):
    """Mean and std of the SVM accuracy on ``codes`` under :func:`svm_protocol`."""
    from sklearn.model_selection import (
        GridSearchCV,
        StratifiedKFold,
        StratifiedShuffleSplit,
        train_test_split,
    )
    from sklearn.svm import SVC

    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[0] > settings.svm_samples:
        codes, _, y, _ = train_test_split(codes, y, train_size=settings.svm_samples,
                                          stratify=y, random_state=settings.seed)
    splitter = StratifiedShuffleSplit(n_splits=settings.svm_splits,
                                      test_size=settings.svm_test_size,
                                      random_state=settings.seed)
    scores = []
    for train, test in splitter.split(codes, y):
        variance = codes[train].var()
        scale = 1.0 / (codes.shape[1] * variance) if variance > 0 else 1.0
        grid = {"C": list(settings.svm_C),
                "gamma": [g * scale for g in settings.svm_gamma_factors]}
        search = GridSearchCV(SVC(kernel="rbf"), grid, scoring="accuracy",
                              cv=StratifiedKFold(settings.svm_cv, shuffle=True,
                                                 random_state=settings.seed))
        search.fit(codes[train], y[train])
        scores.append(search.score(codes[test], y[test]))
    return float(np.mean(scores)), float(np.std(scores))


def evaluate(estimator, X_test, y_test, settings):
    """The metrics of a fitted estimator on the held-out images.

    The codes are computed once and shared by every metric; the two errors to dilation
    are :func:`~sparse_parts.metrics.max_approximation_error` with
    ``reference="original"`` and ``"reconstruction"``, computed from those codes.
    """
    from .metrics import hoyer_sparsity, max_approximation_error, reconstruction_error

    codes = estimator.transform(X_test)
    accuracy, std = svm_accuracy(codes, y_test, settings)
    return {
        "mse": reconstruction_error(X_test, estimator.inverse_transform(codes)),
        "sparsity": hoyer_sparsity(codes),
        "dilation_error": max_approximation_error(estimator, X_test, codes=codes),
        "dilation_error_rec": max_approximation_error(estimator, X_test, codes=codes,
                                                      reference="reconstruction"),
        "svm_accuracy": accuracy,
        "svm_std": std,
    }


# --------------------------------------------------------------------------- output
_CSV_COLUMNS = (
    "row", "model", "label", "sparsity_target", "sparsity_weight", "mse", "sparsity",
    "dilation_error", "dilation_error_rec", "svm_accuracy", "svm_std", "fit_seconds",
    "cached", "study_mse", "study_sparsity", "study_dilation_error", "study_svm_accuracy",
    "study_svm_std",
)


def _fmt(value, digits=4):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _params(record):
    if record["model"] == "nmf":
        return "S_h = 0.6"
    if record["sparsity_target"] is None:
        return "-"
    return f"p = {record['sparsity_target']:g}, beta = {record['sparsity_weight']:g}"


def format_table(records):
    """The table printed on the terminal (plain text)."""
    header = ("row", "MSE", "sparsity", "dilation err.", "SVM acc. (std)", "fit s")
    lines = [(r["row"], _fmt(r["mse"]), _fmt(r["sparsity"]), _fmt(r["dilation_error"]),
              f"{r['svm_accuracy']:.3f} ({r['svm_std']:.3f})",
              f"{r['fit_seconds']:.1f}" + (" (cached)" if r["cached"] else ""))
             for r in records]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True))
            for line in lines]
    return "\n".join(out)


def write_csv(path, records):
    def write(f):
        writer = csv.DictWriter(f, fieldnames=_CSV_COLUMNS)
        writer.writeheader()
        for r in records:
            writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in _CSV_COLUMNS})

    _atomic_write(path, write)


def _ours_vs_study(record, metric):
    ours = record[metric]
    study = record.get(f"study_{metric}")
    if study is None:
        return f"{_fmt(ours)} | | "
    return f"{_fmt(ours)} | {_fmt(study)} | {ours - study:+.3g}"


def write_markdown(path, records, settings, command, total_seconds, jobs=1):
    lines = [
        "# sparse-parts compare",
        "",
        f"Command: `{command}`",
        "",
        f"Data set: **{settings.dataset}**, {settings.n_train} training images, "
        f"{settings.n_test} held-out test images; k = {settings.n_components} components; "
        f"auto-encoders: {settings.epochs} epochs, device {settings.device}; sparse NMF: "
        f"at most {settings.nmf_max_iter} iterations; seed {settings.seed}. "
        f"Total time {total_seconds:.1f} s"
        + (f" ({jobs} rows in parallel)." if jobs > 1 else "."),
        "",
        "Each metric: ours | the study's | difference (ours - study). The study's "
        "numbers are for Fashion-MNIST (60,000 training, 10,000 test images, k = 100)",
    ]
    if settings.dataset != "fashion-mnist":
        lines[-1] += (
            "; this run is on another data set, so the differences only show the order "
            "of magnitude, not a reproduction")
    lines[-1] += "."
    lines += ["", "| row | parameters | MSE | study | diff | Hoyer sparsity | study | diff | "
                  "max-approx. error (dilation) | study | diff | SVM accuracy (std) | study | "
                  "diff | fit s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        study_svm = r.get("study_svm_accuracy")
        if study_svm is None:
            svm = f"{r['svm_accuracy']:.3f} ({r['svm_std']:.3f}) | | "
        else:
            study_std = r.get("study_svm_std")
            study_text = f"{study_svm:g}" + (f" ({study_std:g})" if study_std else "")
            svm = (f"{r['svm_accuracy']:.3f} ({r['svm_std']:.3f}) | {study_text} | "
                   f"{r['svm_accuracy'] - study_svm:+.3f}")
        lines.append(
            f"| {r['label']} | {_params(r)} | {_ours_vs_study(r, 'mse')} | "
            f"{_ours_vs_study(r, 'sparsity')} | {_ours_vs_study(r, 'dilation_error')} | "
            f"{svm} | {r['fit_seconds']:.1f}{' (cached)' if r['cached'] else ''} |")
    lines += [
        "",
        "## Protocol",
        "",
        "- The models are fitted on the training images only; every metric is computed on "
        "the held-out test images.",
        "- Reconstruction MSE: `sparse_parts.metrics.reconstruction_error(X_test, "
        "model.inverse_transform(model.transform(X_test)))`, the mean over pixels and images.",
        "- Hoyer sparsity: `sparse_parts.metrics.hoyer_sparsity(model.transform(X_test))`, "
        "the mean over images of the Hoyer (2004) sparseness of the code vector.",
        "- Max-approximation error to dilation: `sparse_parts.metrics."
        "max_approximation_error(model, X_test)`: every atom dilated by disk(1), the "
        "codes decoded with the dilated atoms (the decoder bias is not dilated), mean "
        "squared error against the dilated test images. `dilation_error_rec` in "
        "results.csv compares with the dilated reconstructions instead.",
        "- Sparse NMF codes of the test images are `SparseNMF.transform` (non-negative "
        "least squares per image, atoms fixed), as for any new image.",
        f"- SVM accuracy: {svm_protocol(settings)}",
        "",
    ]
    _atomic_write(path, lambda f: f.write("\n".join(lines)))


def _save_figure(fig, path):
    def write(f):
        fig.savefig(f, format="png", dpi=90)

    _atomic_write(path, write, binary=True)


def write_figures(out, row, estimator, X_test):
    from . import plotting

    title = f"{row.name}: {row.label}"
    figures = {
        "atoms": plotting.plot_atoms(estimator, title=f"{title}: atoms"),
        "reconstructions": plotting.plot_reconstructions(
            estimator, X_test, title=f"{title}: ten reconstructions"),
        "codes": plotting.plot_code_histograms(estimator, X_test, title=f"{title}: codes"),
        "max_approximation": plotting.plot_max_approximation(
            estimator, X_test, title=f"{title}: max-approximation of dilation by disk(1)"),
    }
    paths = []
    for kind, fig in figures.items():
        path = os.path.join(out, f"{kind}_{row.name}.png")
        _save_figure(fig, path)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- compare
def resolve_settings(args):
    """Settings from parsed options; raises ValueError on an impossible combination."""
    dataset = args.dataset
    if dataset is None:
        if _fashion_mnist_on_disk():
            dataset = "fashion-mnist"
        else:
            dataset = "digits"
            _say("Fashion-MNIST files not found on disk (no download attempted): using the "
                 "8x8 digits bundled with scikit-learn. Pass --dataset fashion-mnist to "
                 "download it.")
    defaults = dict(_DEFAULTS[(dataset, bool(args.quick))])
    for name in ("n_train", "n_test", "n_components", "epochs"):
        value = getattr(args, name)
        if value is not None:
            defaults[name] = value
    n_max = {"fashion-mnist": (60000, 10000), "digits": (1198, 599)}[dataset]
    defaults["n_train"] = min(defaults["n_train"], n_max[0])
    defaults["n_test"] = min(defaults["n_test"], n_max[1])
    if defaults["n_train"] < 10:
        raise ValueError(f"--n-train must be at least 10, got {defaults['n_train']}.")
    if defaults["n_test"] < 50:
        raise ValueError(
            f"--n-test must be at least 50 (the SVM needs a few images of every class in "
            f"each split), got {defaults['n_test']}.")
    device = args.device
    if device in ("cuda", "auto"):
        import torch

        if device == "cuda" and not torch.cuda.is_available():
            raise ValueError("--device cuda but CUDA is not available on this machine; "
                             "use --device cpu or --device auto.")
        device = "cuda" if torch.cuda.is_available() else "cpu"
    defaults["svm_samples"] = min(defaults["svm_samples"], defaults["n_test"])
    return Settings(dataset=dataset, svm_test_size=0.3, svm_cv=3, device=device,
                    seed=args.seed, **defaults)


def select_rows(models, quick):
    """The rows of ``models`` (all models if None); the quick subset with ``quick``."""
    models = MODELS if models is None else models
    return [row for row in ROWS if row.model in models and (row.quick or not quick)]


def _record(row, metrics, fit_seconds, cached):
    record = {"row": row.name, "model": row.model, "label": row.label,
              "sparsity_target": row.sparsity_target, "sparsity_weight": row.sparsity_weight,
              **metrics, "fit_seconds": fit_seconds, "cached": cached}
    for key, value in row.study.items():
        record[f"study_{key}"] = value
    return record


def run_row(row, settings, data, out, figures=True, threads=None, progress=True):
    """Fit (or load) the model of ``row``, measure it and draw its figures.

    ``data`` is ``(X_train, X_test, y_test)``. With ``threads``, torch and the BLAS
    pools are limited to that many threads (what a worker process of ``--jobs`` needs:
    its limits are not inherited). Returns the row's record.
    """
    X_train, X_test, y_test = data
    limits = _thread_limits(threads) if threads else contextlib.nullcontext()
    with limits:
        estimator, fit_seconds, cached = fit_or_load(
            row, settings, X_train, os.path.join(out, "cache"), progress=progress)
        metrics = evaluate(estimator, X_test, y_test, settings)
        if figures:
            write_figures(out, row, estimator, X_test)
    return _record(row, metrics, fit_seconds, cached)


# Rough order of the fitting costs of the three models on Fashion-MNIST.
_RELATIVE_COST = {"asym": 2, "nmf": 1, "shallow": 0}


def _run_rows(rows, settings, data, args):
    """Yield the record of every row as it is done (in any order when ``args.jobs > 1``)."""
    figures = not args.no_figures
    if args.jobs == 1:
        for row in rows:
            yield run_row(row, settings, data, args.out, figures)
        return
    from joblib import Parallel, delayed

    # Per-epoch bars of concurrent fits would overwrite each other: only the bar
    # over finished rows is drawn.
    # Longest first (the asymmetric auto-encoders, then NMF, then the shallow ones):
    # the last worker to finish then runs a short job, not a long one.
    longest_first = sorted(rows, key=lambda row: _RELATIVE_COST[row.model], reverse=True)
    tasks = (delayed(run_row)(row, settings, data, args.out, figures, args.threads, False)
             for row in longest_first)
    yield from Parallel(n_jobs=min(args.jobs, len(rows)), backend="loky",
                        return_as="generator_unordered")(tasks)


def compare(args, command="sparse-parts compare", settings=None):
    """Run the comparison; returns the list of result records (in the order of ROWS).

    ``results.csv`` is rewritten (atomically) after every row, so an interrupted run
    keeps the rows already measured; ``results.md`` and the summary figure come at
    the end.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    if settings is None:
        settings = resolve_settings(args)
    models = None if args.models is None else [m for group in args.models for m in group]
    rows = select_rows(models, args.quick)
    os.makedirs(args.out, exist_ok=True)
    _say(f"Data set {settings.dataset}: loading")
    X_train, _, X_test, y_test = load_data(settings)
    settings.n_train, settings.n_test = X_train.shape[0], X_test.shape[0]
    _say(f"{X_train.shape[0]} training and {X_test.shape[0]} test images of "
         f"{X_train.shape[1]} pixels; {len(rows)} models, k = {settings.n_components}, "
         f"device {settings.device}, {args.jobs} job(s); output in {args.out}")
    order = {row.name: i for i, row in enumerate(rows)}
    records = []
    with tqdm(total=len(rows), desc="models", unit="model") as progress:
        for record in _run_rows(rows, settings, (X_train, X_test, y_test), args):
            records.append(record)
            records.sort(key=lambda r: order[r["row"]])
            write_csv(os.path.join(args.out, "results.csv"), records)
            progress.set_postfix_str(record["row"])
            progress.update(1)
    total = time.perf_counter() - start
    if not args.no_figures:
        from .plotting import plot_metrics_against_beta

        _save_figure(plot_metrics_against_beta(
            records, title=f"Metrics against beta ({settings.dataset}, test images)"),
            os.path.join(args.out, "metrics_vs_beta.png"))
    write_markdown(os.path.join(args.out, "results.md"), records, settings, command, total,
                   jobs=args.jobs)
    print(format_table(records))
    print(f"\nWrote results.csv, results.md{' and figures' if not args.no_figures else ''} "
          f"to {args.out} in {time.perf_counter() - start:.1f} s.")
    return records


def main(argv=None):
    """Entry point of the ``sparse-parts`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = "sparse-parts " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.command == "compare":
        try:
            settings = resolve_settings(args)
        except ValueError as exc:
            parser.exit(2, f"sparse-parts compare: error: {exc}\n")
        with _thread_limits(args.threads):
            compare(args, command, settings)
    return 0


@contextlib.contextmanager
def _thread_limits(n_threads):
    """Limit BLAS/OpenMP pools and torch's intra-op threads to ``n_threads``."""
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    if torch is None:
        import torch
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(n_threads):
            yield
    finally:
        torch.set_num_threads(previous)

