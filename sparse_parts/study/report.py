"""The reports of a study run: the record of each row, the table, CSV, Markdown and figures.

A record is a dict: the row's identity, its metrics, its fit time, whether it came
from the cache, and the study's numbers (``study_*``). :func:`format_table` is the
table printed on the terminal, :func:`write_csv` writes ``results.csv``,
:func:`write_markdown` ``results.md`` (ours beside the study's, and the protocol),
:func:`write_figures` and :func:`write_summary_figure` the PNG figures.
"""

import csv
import math
import os

from .files import atomic_write
from .protocol import svm_protocol

__all__ = ["make_record", "format_table", "write_csv", "write_markdown", "write_figures",
           "write_summary_figure"]


def make_record(row, metrics, fit_seconds, cached):
    """The record of ``row``: its identity, ``metrics``, fit time and the study's numbers."""
    record = {"row": row.name, "model": row.model, "label": row.label,
              "sparsity_target": row.sparsity_target, "sparsity_weight": row.sparsity_weight,
              **metrics, "fit_seconds": fit_seconds, "cached": cached}
    for key, value in row.study.items():
        record[f"study_{key}"] = value
    return record


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
    """Write ``records`` into the CSV file ``path``, one line per row, atomically."""
    def write(f):
        writer = csv.DictWriter(f, fieldnames=_CSV_COLUMNS)
        writer.writeheader()
        for r in records:
            writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in _CSV_COLUMNS})

    atomic_write(path, write)


def _ours_vs_study(record, metric):
    ours = record[metric]
    study = record.get(f"study_{metric}")
    if study is None:
        return f"{_fmt(ours)} | | "
    return f"{_fmt(ours)} | {_fmt(study)} | {ours - study:+.3g}"


def write_markdown(path, records, settings, command, total_seconds, jobs=1):
    """Write ``results.md``: the settings, ours beside the study's numbers, the protocol.

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
    """
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
    atomic_write(path, lambda f: f.write("\n".join(lines)))


def _save_figure(fig, path):
    def write(f):
        fig.savefig(f, format="png", dpi=90)

    atomic_write(path, write, binary=True)


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




def write_summary_figure(out, records, dataset):
    """Draw the four metrics against beta into ``out/metrics_vs_beta.png``."""
    from ..plotting import plot_metrics_against_beta

    _save_figure(plot_metrics_against_beta(
        records, title=f"Metrics against beta ({dataset}, test images)"),
        os.path.join(out, "metrics_vs_beta.png"))
