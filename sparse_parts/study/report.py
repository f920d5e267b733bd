"""The reports of a study run: the record of each row, the table, CSV, Markdown and figures.

A record is a dict: the row's identity, its metrics, its fit time, whether it came
from the cache, its number of trainable parameters, and the study's numbers
(``study_*``, not on the user's images). :func:`format_table` is the
table printed on the terminal, :func:`write_csv` writes ``results.csv``,
:func:`write_markdown` ``results.md`` (ours beside the study's, and the protocol),
:func:`write_figures` and :func:`write_summary_figure` the PNG figures.
"""

import csv
import math
import os

from .._utils import image_shape_in_words
from .data import TEST_FRACTION
from .files import atomic_write
from .protocol import svm_protocol
from .settings import USER_DATA

__all__ = ["make_record", "format_table", "format_sizes", "write_csv", "write_markdown",
           "write_figures", "write_summary_figure"]


def make_record(row, metrics, fit_seconds, cached, n_parameters=None, study=True):
    """The record of ``row``: its identity, ``metrics``, fit time, size and the study's numbers.

    Parameters
    ----------
    row : Row
    metrics : dict
    fit_seconds : float
    cached : bool
    n_parameters : int, default=None
        The model's trainable parameters.
    study : bool, default=True
        Add the study's numbers (``study_*``); False on the user's images, where they
        compare with nothing.
    """
    record = {"row": row.name, "model": row.model, "label": row.label,
              "sparsity_target": row.sparsity_target, "sparsity_weight": row.sparsity_weight,
              **metrics, "fit_seconds": fit_seconds, "cached": cached,
              "n_parameters": n_parameters}
    if study:
        for key, value in row.study.items():
            record[f"study_{key}"] = value
    return record


_CSV_COLUMNS = (
    "row", "model", "label", "sparsity_target", "sparsity_weight", "mse", "sparsity",
    "sparsity_unit_atoms",
    "dilation_error", "dilation_error_rec", "svm_accuracy", "svm_std", "fit_seconds",
    "cached", "n_parameters", "study_mse", "study_sparsity", "study_dilation_error",
    "study_svm_accuracy", "study_svm_std",
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


def _has_svm(records):
    return any(r.get("svm_accuracy") is not None for r in records)


def format_table(records):
    """The table printed on the terminal (plain text); no SVM column without labels."""
    svm = _has_svm(records)
    header = ("row", "MSE", "sparsity", "dilation err.") + (
        ("SVM acc. (std)",) if svm else ()) + ("fit s",)
    lines = [(r["row"], _fmt(r["mse"]), _fmt(r["sparsity"]), _fmt(r["dilation_error"]))
             + ((f"{r['svm_accuracy']:.3f} ({r['svm_std']:.3f})",) if svm else ())
             + (f"{r['fit_seconds']:.1f}" + (" (cached)" if r["cached"] else ""),)
             for r in records]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True))
            for line in lines]
    return "\n".join(out)


def write_csv(path, records):
    """Write ``records`` into the CSV file ``path``, one line per row, atomically.

    A metric a run did not measure (the SVM accuracy without labels, the study's
    numbers on the user's images) is an empty cell.
    """
    def write(f):
        writer = csv.DictWriter(f, fieldnames=_CSV_COLUMNS)
        writer.writeheader()
        for r in records:
            writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in _CSV_COLUMNS})

    atomic_write(path, write)


def format_sizes(sizes):
    """``{model family: trainable parameters}`` in one line, e.g. ``nmf 78,400; shallow ...``."""
    return "; ".join(f"{model} {size:,}" for model, size in sizes.items() if size is not None)


def _ours_vs_study(ours, study, with_study):
    """The cells of one metric: ours, and with the study's, the study's and the difference."""
    cells = [_fmt(ours)]
    if not with_study:
        return cells
    if study is None:
        return cells + ["", ""]
    return cells + [_fmt(study), f"{ours - study:+.3g}"]


def _fraction(value):
    """``value`` as a small fraction when it is one (1/3), else as a decimal."""
    from fractions import Fraction

    fraction = Fraction(value).limit_denominator(10)
    exact = abs(float(fraction) - value) < 1e-12
    return f"{fraction.numerator}/{fraction.denominator}" if exact else f"{value:g}"


def _table(records, with_study, svm):
    metrics = ["MSE", "Hoyer sparsity", "max-approx. error (dilation)"]
    metrics += ["SVM accuracy (std)"] if svm else []
    header = ["row", "sparsity settings", "trainable parameters"]
    for metric in metrics:
        header += [metric, "study", "diff"] if with_study else [metric]
    header.append("fit s")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        size = r.get("n_parameters")
        cells = [r["label"], _params(r), "" if size is None else f"{size:,}"]
        for metric in ("mse", "sparsity", "dilation_error"):
            cells += _ours_vs_study(r[metric], r.get(f"study_{metric}"), with_study)
        if svm:
            study_svm = r.get("study_svm_accuracy")
            text = f"{r['svm_accuracy']:.3f} ({r['svm_std']:.3f})"
            cells.append(text)
            if with_study and study_svm is None:
                cells += ["", ""]
            elif with_study:
                study_std = r.get("study_svm_std")
                cells += [f"{study_svm:g}" + (f" ({study_std:g})" if study_std else ""),
                          f"{r['svm_accuracy'] - study_svm:+.3f}"]
        cells.append(f"{r['fit_seconds']:.1f}{' (cached)' if r['cached'] else ''}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


SUMMARY_FIGURE = "summary.png"


def write_markdown(path, records, settings, command, total_seconds, jobs=1,
                   figures=False):
    """Write ``results.md``: the settings, ours beside the study's numbers, the protocol.

    On the user's images the study's numbers are left out, and without labels the
    SVM accuracy, each with a sentence saying why.

    Parameters
    ----------
    path : str
    records : list of dict
    settings : Settings
    command : str
        The command line of the run, quoted in the report.
    total_seconds : float
    jobs : int, default=1
        The number of rows run in parallel.
    figures : bool, default=False
        Whether the figures were drawn: the summary figure then opens the report.
    """
    # The study's numbers are Fashion-MNIST's: beside any other images they mislead.
    with_study = settings.dataset == "fashion-mnist"
    svm = settings.has_labels
    lines = [
        "# sparse-parts compare",
        "",
        f"Command: `{command}`",
        "",
        f"Data set: **{settings.data_name}**, images of "
        f"{image_shape_in_words(settings.image_shape, sides=True)}, "
        f"{settings.n_train} training images, "
        f"{settings.n_test} held-out test images; k = {settings.n_components} components; "
        f"auto-encoders: {settings.epochs} epochs, device {settings.device}; sparse NMF: "
        f"at most {settings.nmf_max_iter} iterations; seed {settings.seed}. "
        f"Total time {total_seconds:.1f} s"
        + (f" ({jobs} rows in parallel)." if jobs > 1 else "."),
        "",
        "Model sizes (trainable parameters; the same for every row of a family): "
        + format_sizes({r["model"]: r.get("n_parameters") for r in records}) + ".",
        "",
    ]
    if with_study:
        lines.append(
            "Each metric: ours | the study's | difference (ours - study). The study's "
            "numbers are for Fashion-MNIST (60,000 training, 10,000 test images, "
            "k = 100).")
    else:
        lines.append(
            "The study's numbers are for Fashion-MNIST: they say nothing about these "
            "images, so they are left out.")
    if not svm:
        lines += ["", "No SVM accuracy: the images have no labels. Pass `--labels FILE` "
                      "(one integer class per image) to measure it."]
    if figures:
        lines += ["", f"![Max-approximation error against MSE, colour = Hoyer sparsity]"
                      f"({SUMMARY_FIGURE})"]
    lines += [""] + _table(records, with_study, svm)
    lines += [
        "",
        "## Protocol",
        "",
        "- The models are fitted on the training images only; every metric is computed on "
        "the held-out test images.",
    ]
    if settings.dataset == USER_DATA:
        lines.append(
            f"- The images were read by `sparse_parts.datasets.load_images` (scaled to "
            f"[0, 1]) and split by `train_test_split(test_size={_fraction(TEST_FRACTION)}, "
            f"random_state={settings.seed}"
            + (", stratify=labels)`" if svm else ")`") + ": a held-out third.")
    lines += [
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
        "- Trainable parameters (d pixels, k components): sparse NMF k * d (the atoms); "
        "shallow AE 2 * k * d + k + d; asymmetric AE the InfoGAN encoder (two "
        "convolutions, a dense layer of 1024 units on the convolutions' about 128 * d / 16 "
        "features, which grows with the image area, and the code layer) plus the "
        "decoder k * d + d. `sparse_parts.study.estimators.n_parameters` counts them.",
    ]
    if svm:
        lines.append(f"- SVM accuracy: {svm_protocol(settings)}")
    lines.append("")
    atomic_write(path, lambda f: f.write("\n".join(lines)))


def _save_figure(fig, path):
    """Write ``fig`` to ``path`` as PNG and close it (the plots are pyplot figures)."""
    import matplotlib.pyplot as plt

    def write(f):
        fig.savefig(f, format="png", dpi=90)

    try:
        atomic_write(path, write, binary=True)
    finally:
        plt.close(fig)


def write_figures(out, row, estimator, X_test):
    """Draw the atoms, reconstructions, codes and max-approximations of ``row`` into ``out``.

    Returns
    -------
    paths : list of str
        The PNG files written.
    """
    from .. import plotting

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


def write_summary_figure(out, records, data_name):
    """Draw the run's two summary figures into ``out``.

    ``summary.png``: max-approximation error against MSE, coloured by Hoyer sparsity,
    the study's points marked where known (the first figure of ``results.md``);
    ``metrics_vs_beta.png``: the metrics against beta (without labels, no SVM
    panel). ``data_name`` names the data set in the titles.
    """
    from ..plotting import plot_metrics_against_beta, plot_summary

    _save_figure(plot_summary(records, title=f"All rows ({data_name}, test images)"),
                 os.path.join(out, SUMMARY_FIGURE))
    _save_figure(plot_metrics_against_beta(
        records, title=f"Metrics against beta ({data_name}, test images)"),
        os.path.join(out, "metrics_vs_beta.png"))
