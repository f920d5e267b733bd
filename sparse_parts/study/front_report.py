"""The reports of ``sparse-parts front``: reference points, Pareto front, CSV, Markdown, figure.

The comparison rests on three small pure functions over points whose coordinates
are all "lower is better" (:func:`objectives` turns a record into one: MSE, minus the
Hoyer sparsity, max-approximation error): :func:`dominates`, :func:`pareto_front`
and :func:`dominators`. :func:`svm_not_worse` says whether one SVM accuracy is within
a tolerance of another, or better.
"""

import csv
import math

from .files import atomic_write
from .protocol import svm_protocol
from .report import _fmt, _save_figure
from .rows import ROWS

__all__ = ["AUTHOR_POINTS", "reference_records", "objectives", "dominates", "pareto_front",
           "dominators", "svm_not_worse", "write_csv", "write_markdown", "write_figure"]

#: Points from the reference study's author's public repository (Fashion-MNIST,
#: k = 100, test images): name -> (MSE, Hoyer sparsity, max-approximation error).
AUTHOR_POINTS = {"NCAE": (0.01688, 0.5951, 0.0304), "NNSAE": (0.0514, 0.2203, 1.123)}

#: Relative difference under which two values of a metric count as tied.
TIE = 0.02
#: SVM accuracy a dominating point may lose and still count as as good.
SVM_TOLERANCE = 0.01

CSV_COLUMNS = ("family", "config", "mse", "hoyer", "hoyer_unit_atoms", "max_approx", "svm",
               "svm_std", "fit_seconds", "transform_seconds", "device", "budget", "shipped",
               "max_approx_rec", "n_iter", "convergence_warnings", "cached", "failed",
               "params")


def _reference(name, mse, hoyer, max_approx, svm=None, svm_std=None):
    return {"family": "reference", "config": name, "mse": mse, "hoyer": hoyer,
            "max_approx": max_approx, "svm": svm, "svm_std": svm_std, "shipped": False}


def reference_records():
    """The reference points, drawn but not refitted: the study's rows, the author's two.

    Returns
    -------
    records : list of dict
        Family ``"reference"``; configs ``"study <row>"`` (Tables 1 and 2) and
        ``"author <model>"``.
    """
    records = [_reference(f"study {row.name}", row.study["mse"], row.study["sparsity"],
                          row.study["dilation_error"], row.study["svm_accuracy"],
                          row.study["svm_std"])
               for row in ROWS]
    records += [_reference(f"author {name}", *values) for name, values in AUTHOR_POINTS.items()]
    return records


def objectives(record):
    """``(mse, -hoyer, max_approx)`` of a record: every coordinate lower-is-better.

    A record without a metric (a peer that failed) keeps None there, which no point
    dominates and which dominates nothing.
    """
    hoyer = record["hoyer"]
    return (record["mse"], None if hoyer is None else -hoyer, record["max_approx"])


def _finite(point):
    return all(v is not None and math.isfinite(v) for v in point)


def dominates(a, b, tie=0.0):
    """Whether point ``a`` dominates point ``b`` (every coordinate lower-is-better).

    Parameters
    ----------
    a, b : sequence of float
        Of the same length.
    tie : float, default=0.0
        Relative tolerance: ``a`` may be worse than ``b`` in a coordinate by at most
        ``tie * max(|a_i|, |b_i|)`` (a tie), and must be better by more than that in
        at least one.

    Returns
    -------
    bool
    """
    if len(a) != len(b):
        raise ValueError(f"points of different lengths: {len(a)} and {len(b)}.")
    better = False
    for x, y in zip(a, b, strict=True):
        margin = tie * max(abs(x), abs(y))
        if x > y + margin:
            return False
        better = better or x < y - margin
    return better


def pareto_front(points):
    """Indices of the points no other point dominates (points with NaN or None left out).

    Parameters
    ----------
    points : sequence of sequence of float
        Lower-is-better coordinates.

    Returns
    -------
    indices : list of int
        In increasing order; equal points are all kept.
    """
    valid = [i for i, p in enumerate(points) if _finite(p)]
    return [i for i in valid
            if not any(dominates(points[j], points[i]) for j in valid if j != i)]


def dominators(point, candidates, tie=TIE):
    """Indices of the ``candidates`` that dominate ``point``, ties within ``tie`` relative."""
    if not _finite(point):
        return []
    return [i for i, c in enumerate(candidates) if _finite(c) and dominates(c, point, tie)]


def svm_not_worse(ours, theirs, tolerance=SVM_TOLERANCE):
    """Whether accuracy ``ours`` is at least ``theirs - tolerance``; None if either is missing."""
    if ours is None or theirs is None or not (math.isfinite(ours) and math.isfinite(theirs)):
        return None
    return ours >= theirs - tolerance


def write_csv(path, records):
    """Write ``records`` into the CSV file ``path``, one line each, atomically."""
    def write(f):
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in records:
            writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in CSV_COLUMNS})

    atomic_write(path, write)


def _label(record):
    return f"{record['family']}/{record['config']}"


def _svm_text(record):
    if record.get("svm") is None:
        return ""
    std = record.get("svm_std")
    return f"{record['svm']:.3f}" + ("" if std is None else f" ({std:.3f})")


def _dominance_lines(records):
    ours = [r for r in records if r.get("shipped")]
    points = [objectives(r) for r in ours]
    lines = ["| point | MSE / Hoyer / max-approx. | SVM | dominated by (ours; SVM difference) |",
             "|---|---|---|---|"]
    for r in records:
        if r.get("shipped"):
            continue
        found = [ours[i] for i in dominators(objectives(r), points)]
        cells = []
        for d in found:
            verdict = svm_not_worse(d["svm"], r.get("svm"))
            if verdict is None:
                cells.append(f"{_label(d)} (SVM n/a)")
            else:
                cells.append(f"{_label(d)} ({d['svm'] - r['svm']:+.3f}, "
                             f"{'within 0.01 or better' if verdict else 'worse'})")
        lines.append(f"| {_label(r)} | {_fmt(r['mse'])} / {_fmt(r['hoyer'])} / "
                     f"{_fmt(r['max_approx'])} | {_svm_text(r)} | "
                     f"{'; '.join(cells) or 'none'} |")
    return lines


def write_markdown(path, records, settings, command, total_seconds, jobs=1):
    """Write ``front.md``: the table, the Pareto-optimal points, who dominates whom.

    Parameters
    ----------
    path : str
    records : list of dict
        The measured configurations and the reference points.
    settings : Settings
    command : str
        The command line of the run, quoted in the report.
    total_seconds : float or None
        The run's wall time; None leaves it out (a report merged from several runs).
    jobs : int, default=1
    """
    if total_seconds is None:
        timing = ""
    else:
        timing = (f" Total time {total_seconds:.1f} s"
                  + (f" ({jobs} configurations in parallel)." if jobs > 1 else "."))
    front = set(pareto_front([objectives(r) for r in records]))
    lines = [
        "# sparse-parts front", "",
        f"Command: `{command}`", "",
        f"Data set: **{settings.data_name}**, {settings.n_train} training images, "
        f"{settings.n_test} held-out test images; k = {settings.n_components}; budgets: "
        f"{settings.epochs} epochs, {settings.nmf_max_iter} iterations (times a "
        f"configuration's factor); seed {settings.seed}.{timing}", "",
        "Every metric on the held-out test images. `shipped`: a configuration of "
        "sparse_parts; the peers are scikit-learn's, encoding new images with their own "
        "`transform`; `reference` points are drawn from the study's Tables 1 and 2 and "
        "the author's repository (Fashion-MNIST, k = 100), not refitted"
        + ("." if settings.dataset == "fashion-mnist" else
           "; they are for Fashion-MNIST, so this run on another data set leaves them out."),
        "", "| family | config | MSE | Hoyer | Hoyer, unit atoms | max-approx. | SVM (std) | "
            "fit s | transform s | device | budget | shipped | Pareto |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(records):
        fit = "" if r.get("fit_seconds") is None else f"{r['fit_seconds']:.1f}"
        if r.get("cached"):
            fit += " (cached)"
        encode = "" if r.get("transform_seconds") is None else f"{r['transform_seconds']:.2f}"
        lines.append(
            f"| {r['family']} | {r['config']} | {_fmt(r['mse'])} | {_fmt(r['hoyer'])} | "
            f"{_fmt(r.get('hoyer_unit_atoms'))} | {_fmt(r['max_approx'])} | {_svm_text(r)} | "
            f"{fit} | {encode} | "
            f"{r.get('device') or ''} | {r.get('budget') or ''} | "
            f"{'yes' if r.get('shipped') else 'no'} | {'**yes**' if i in front else ''} |")
    failures = [r for r in records if r.get("failed")]
    if failures:
        lines += ["", "Peers that could not be measured (their metrics are left empty):", ""]
        lines += [f"- {_label(r)}: {r['failed']}" for r in failures]
    lines += ["", "## Pareto-optimal points", "",
              "Not dominated on (lower MSE, higher Hoyer sparsity, lower max-approximation "
              "error) by any other point above:", ""]
    lines += [f"- {_label(r)}: {_fmt(r['mse'])} / {_fmt(r['hoyer'])} / "
              f"{_fmt(r['max_approx'])}" for i, r in enumerate(records) if i in front]
    lines += ["", "## Peers and references against our points", "",
              f"A point of ours dominates another when it is nowhere worse by more than "
              f"{TIE:.0%} (relative) and somewhere better by more than {TIE:.0%}. Beside "
              f"each: its SVM accuracy minus the other's, and whether it is within "
              f"{SVM_TOLERANCE} of it or better.", ""]
    lines += _dominance_lines(records)
    lines += ["", "## Protocol", "", f"- SVM accuracy: {svm_protocol(settings)}",
              "- Hoyer: the mean sparseness of the codes as the model gives them (the "
              "study's measure, used for the front); *unit atoms*: of the same "
              "decomposition with every atom scaled to unit L2 norm (the codes scaled "
              "inversely), which no choice of atom scales can change.",
              "- Encoding time: one `transform` of all the test images, as measured.", ""]
    atomic_write(path, lambda f: f.write("\n".join(lines)))


# Marker of each kind of point in the figure.
_MARKERS = {"shipped": "o", "peer": "s", "study": "*", "author": "D"}


def _kind(record):
    if record.get("shipped"):
        return "shipped"
    if record["family"] != "reference":
        return "peer"
    return "study" if record["config"].startswith("study") else "author"


def write_figure(path, records, dataset, fig=None):
    """Draw the max-approximation error against the MSE (log-log), coloured by Hoyer sparsity.

    The Pareto-optimal points are joined in order of MSE and labelled.

    Parameters
    ----------
    path : str or None
        The PNG file to write; None writes nothing.
    records : list of dict
    dataset : str
        Named in the title.
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    if fig is None:
        fig = Figure(figsize=(9, 6.5), layout="constrained")
    ax = fig.add_subplot()
    points = [objectives(r) for r in records]
    drawn = [i for i, p in enumerate(points) if _finite(p) and p[2] > 0]
    labels = {"shipped": "sparse_parts", "peer": "scikit-learn peers",
              "study": "the study (Tables 1, 2)", "author": "the author's repository"}
    scatter = None
    for kind, marker in _MARKERS.items():
        group = [i for i in drawn if _kind(records[i]) == kind]
        if group:
            scatter = ax.scatter([records[i]["mse"] for i in group],
                                 [records[i]["max_approx"] for i in group],
                                 c=[records[i]["hoyer"] for i in group], cmap="viridis",
                                 vmin=0.0, vmax=1.0, marker=marker,
                                 s=140 if kind == "study" else 50, edgecolors="black",
                                 linewidths=0.5, label=labels[kind])
    front = sorted((i for i in pareto_front(points) if i in drawn),
                   key=lambda i: records[i]["mse"])
    if front:
        ax.plot([records[i]["mse"] for i in front], [records[i]["max_approx"] for i in front],
                color="grey", linewidth=1, zorder=0, label="Pareto-optimal")
        for i in front:
            label = ax.annotate(_label(records[i]), (records[i]["mse"], records[i]["max_approx"]),
                                fontsize=6, xytext=(4, 3), textcoords="offset points")
            label.set_in_layout(False)  # a label past the edge must not squeeze the plot
    if scatter is not None:
        fig.colorbar(scatter, ax=ax, label="Hoyer sparsity of the codes")
        ax.legend(fontsize=7)
    # Both axes logarithmic: the errors span decades (a peer regularised into empty
    # codes has 30 times the MSE of the best points, which a linear axis crushes).
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("reconstruction MSE (test images)")
    ax.set_ylabel("max-approximation error to dilation by disk(1)")
    ax.set_title(f"Fronts on {dataset}: lower MSE, lower max-approx., higher sparsity",
                 fontsize=10)
    if path is not None:
        _save_figure(fig, path)
    return fig
