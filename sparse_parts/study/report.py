"""The reports of ``sparse-parts compare``: the table printed, and ``results.md``.

The records are those of :mod:`~sparse_parts.study.records` (``results.csv`` is
:func:`~sparse_parts.study.records.write_csv`); :func:`format_table` is the table
printed on the terminal, :func:`write_markdown` writes ``results.md`` (ours beside the
report's numbers, the budget of every row, and the protocol).
"""

import math

from .._utils import image_shape_in_words
from .data import TEST_FRACTION
from .files import atomic_write
from .protocol import svm_protocol
from .references import markdown_references
from .settings import USER_DATA

__all__ = ["format_table", "format_sizes", "write_markdown", "fmt"]


def fmt(value, digits=4):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _params(record):
    if record["family"] == "nmf":
        return "S_h = 0.6"
    if record["sparsity_target"] is None:
        return "-"
    return f"p = {record['sparsity_target']:g}, beta = {record['sparsity_weight']:g}"


def _has_svm(records):
    return any(r.get("svm") is not None for r in records)


def _name(record):
    return f"{record['family']}/{record['config']}"


def _svm_cell(record):
    """``mean (std)``, and ``± sem`` where the protocol gives a standard error."""
    text = f"{record['svm']:.3f} ({record['svm_std']:.3f})"
    if record.get("svm_sem") is not None:
        text += f" ± {record['svm_sem']:.3f}"
    return text


def format_table(records):
    """The table printed on the terminal (plain text); no SVM column without labels."""
    svm = _has_svm(records)
    header = ("configuration", "MSE", "Hoyer", "max-approx.") + (
        ("SVM acc. (std) ± s.e.",) if svm else ()) + ("fit s",)
    lines = [(_name(r), fmt(r["mse"]), fmt(r["hoyer"]), fmt(r["max_approx"]))
             + ((_svm_cell(r),) if svm else ())
             + (f"{r['fit_seconds']:.1f}" + (" (cached)" if r["cached"] else ""),)
             for r in records]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True))
            for line in lines]
    return "\n".join(out)


def format_sizes(sizes):
    """``{model family: trainable parameters}`` in one line, e.g. ``nmf 78,400; shallow ...``."""
    return "; ".join(f"{model} {size:,}" for model, size in sizes.items() if size is not None)


def _ours_vs_study(ours, study, with_study):
    """The cells of one metric: ours, and with the study's, the study's and the difference."""
    cells = [fmt(ours)]
    if not with_study:
        return cells
    if study is None:
        return cells + ["", ""]
    return cells + [fmt(study), f"{ours - study:+.3g}"]


def _fraction(value):
    """``value`` as a small fraction when it is one (1/3), else as a decimal."""
    from fractions import Fraction

    fraction = Fraction(value).limit_denominator(10)
    exact = abs(float(fraction) - value) < 1e-12
    return f"{fraction.numerator}/{fraction.denominator}" if exact else f"{value:g}"


def _table(records, with_study, svm):
    metrics = ["MSE", "Hoyer sparsity", "max-approx. error (dilation)"]
    metrics += ["SVM accuracy (std) ± s.e."] if svm else []
    header = ["row", "configuration", "sparsity settings", "budget", "trainable parameters"]
    for metric in metrics:
        header += [metric, "study", "diff"] if with_study else [metric]
    header.append("fit s")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        size = r.get("n_parameters")
        cells = [r["label"] or "", _name(r), _params(r),
                 f"{r.get('budget_preset') or ''}: {r.get('budget') or ''}",
                 "" if size is None else f"{size:,}"]
        for metric in ("mse", "hoyer", "max_approx"):
            cells += _ours_vs_study(r[metric], r.get(f"study_{metric}"), with_study)
        if svm:
            study_svm = r.get("study_svm")
            cells.append(_svm_cell(r))
            if with_study and study_svm is None:
                cells += ["", ""]
            elif with_study:
                study_std = r.get("study_svm_std")
                cells += [f"{study_svm:g}" + (f" ({study_std:g})" if study_std else ""),
                          f"{r['svm'] - study_svm:+.3f}"]
        cells.append(f"{r['fit_seconds']:.1f}{' (cached)' if r['cached'] else ''}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _nmf_codes(settings):
    if settings.budget == "study":
        return ("- Sparse NMF (study budget): fitted on the held-out test images themselves "
                "and measured on the codes of that fit (`SparseNMF.fit_transform`), as the "
                "report's MATLAB `nmfsc` was: transductive, no transform step.")
    return ("- Sparse NMF codes of the test images are `SparseNMF.transform` (non-negative "
            "least squares per image, atoms fixed), as for any new image.")


def _budget_sentence(settings):
    """Which training budget produced the rows (the ``budget`` column says it per row)."""
    if settings.budget == "study":
        return (f"- Budget: **study** (the report's): auto-encoders {settings.epochs} epochs "
                "of Adadelta (lr = 1.0, batches of 128) on the training images; sparse NMF "
                f"at most {settings.nmf_max_iter} iterations on the test images.")
    return (f"- Budget: **fast** (this package's default, not the report's): auto-encoders "
            f"{settings.epochs} epochs of Adam (lr = 1e-3, batches of 128); sparse NMF at "
            f"most {settings.nmf_max_iter} iterations on the training images. The report "
            "trained 500 epochs with Adadelta and fitted its NMF on the test images "
            "(`--budget study`).")


def write_markdown(path, records, settings, command, total_seconds, jobs=1,
                   figures=None):
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
    figures : str, default=None
        The summary figure's file name when the figures were drawn: it then opens the
        report.
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
        + format_sizes({r["family"]: r.get("n_parameters") for r in records}) + ".",
        "",
    ]
    if with_study:
        lines.append(
            "Each metric: ours | the study's | difference (ours - study). The study is "
            "B. Ponchon's 2018 internship report (see References), whose numbers are for "
            "Fashion-MNIST (60,000 training, 10,000 test images, k = 100).")
    else:
        lines.append(
            "The study's numbers are for Fashion-MNIST: they say nothing about these "
            "images, so they are left out.")
    if not svm:
        lines += ["", "No SVM accuracy: the images have no labels. Pass `--labels FILE` "
                      "(one integer class per image) to measure it."]
    if figures:
        lines += ["", f"![Max-approximation error against MSE, colour = Hoyer sparsity]"
                      f"({figures})"]
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
        "squared error against the dilated test images. `max_approx_rec` in "
        "results.csv compares with the dilated reconstructions instead.",
        _nmf_codes(settings),
        _budget_sentence(settings),
        "- Trainable parameters (d pixels, k components): sparse NMF k * d (the atoms); "
        "shallow AE 2 * k * d + k + d; asymmetric AE the InfoGAN encoder (two "
        "convolutions, a dense layer of 1024 units on the convolutions' about 128 * d / 16 "
        "features, which grows with the image area, and the code layer) plus the "
        "decoder k * d + d. `sparse_parts.study.estimators.n_parameters` counts them.",
    ]
    if svm:
        lines.append(f"- SVM accuracy: {svm_protocol(settings)}")
    lines += ["", *markdown_references(("report", "ismm2019", "hoyer2004"))]
    atomic_write(path, lambda f: f.write("\n".join(lines)))
