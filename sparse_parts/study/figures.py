"""The study's figures: each configuration's, the run's summary, the front.

Every figure is written by :func:`save_figure` in the run's format (PNG, PDF or SVG)
and resolution (:class:`~sparse_parts.study.runner.RunOptions`). The decomposition
figures themselves (atoms, reconstructions, codes, max-approximations, the summary
and metrics-against-beta plots, all taking ``ax=`` or ``fig=``) are
:mod:`sparse_parts.plotting`'s; this module chooses, titles and writes them, and draws
the front, whose Pareto points are numbered and named in a table beside the plot.
Hoyer sparsity has one colour map everywhere: :data:`sparse_parts.plotting.SPARSITY_CMAP`.
"""

import os

from .files import atomic_write
from .pareto import finite_point, objectives, pareto_front
from .settings import USER_DATA

__all__ = ["FORMATS", "save_figure", "image_cmap", "write_config_figures",
           "write_summary_figures", "plot_front", "write_front_figure", "SUMMARY_FIGURE"]

#: The file formats a figure can be written in.
FORMATS = ("png", "pdf", "svg")

#: The summary figure of ``sparse-parts compare`` (without its extension).
SUMMARY_FIGURE = "summary"


def save_figure(fig, path, figure_format="png", dpi=150):
    """Write ``fig`` to ``path`` + ``.<figure_format>`` atomically and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str
        Without the extension.
    figure_format : {"png", "pdf", "svg"}, default="png"
    dpi : int, default=150

    Returns
    -------
    path : str
        The file written.
    """
    import matplotlib.pyplot as plt

    if figure_format not in FORMATS:
        raise ValueError(f"figure_format must be one of {', '.join(FORMATS)}, "
                         f"got {figure_format!r}.")
    path = f"{path}.{figure_format}"

    def write(f):
        fig.savefig(f, format=figure_format, dpi=dpi)

    try:
        atomic_write(path, write, binary=True)
    finally:
        plt.close(fig)
    return path


def image_cmap(settings, options):
    """The grey map of the images of a run: ``options.image_cmap``, "auto" resolved.

    Inverted grey (white 0) suits Fashion-MNIST and the digits, ink on paper; the
    user's images are drawn in natural grey (black 0), so photographs do not look like
    negatives.
    """
    if options.image_cmap != "auto":
        return options.image_cmap
    return "gray" if settings.dataset == USER_DATA else "gray_r"


def write_config_figures(out, config, estimator, X_test, settings, options):
    """Draw the atoms, reconstructions, codes and max-approximations of ``config`` into ``out``.

    Returns
    -------
    paths : list of str
        The files written, named ``<kind>_<family>-<name>.<format>``.
    """
    from .. import plotting

    title = f"{config.key}" + (f": {config.label}" if config.label else "")
    cmap = image_cmap(settings, options)
    figures = {
        "atoms": plotting.plot_atoms(estimator, title=f"{title}: atoms", cmap=cmap),
        "reconstructions": plotting.plot_reconstructions(
            estimator, X_test, title=f"{title}: ten reconstructions", cmap=cmap),
        "codes": plotting.plot_code_histograms(estimator, X_test, title=f"{title}: codes",
                                               cmap=cmap),
        "max_approximation": plotting.plot_max_approximation(
            estimator, X_test, title=f"{title}: max-approximation of dilation by disk(1)",
            cmap=cmap),
    }
    return [save_figure(fig, os.path.join(out, f"{kind}_{config.family}-{config.name}"),
                        options.figure_format, options.dpi)
            for kind, fig in figures.items()]


def write_summary_figures(out, records, data_name, options):
    """Draw the summary figures of ``sparse-parts compare`` into ``out``.

    ``summary``: max-approximation error against MSE, coloured by Hoyer sparsity, the
    report's points marked where known; ``metrics_vs_beta``: the metrics against beta,
    only when some record has a beta (an NMF-only run has none: no figure of empty
    panels). ``data_name`` names the data set in the titles.

    Returns
    -------
    paths : list of str
    """
    from ..plotting import plot_metrics_against_beta, plot_summary

    paths = [save_figure(plot_summary(records, title=f"All rows ({data_name}, test images)"),
                         os.path.join(out, SUMMARY_FIGURE), options.figure_format,
                         options.dpi)]
    if any((r.get("sparsity_weight") or 0) > 0 for r in records):
        paths.append(save_figure(
            plot_metrics_against_beta(
                records, title=f"Metrics against beta ({data_name}, test images)"),
            os.path.join(out, "metrics_vs_beta"), options.figure_format, options.dpi))
    return paths


# Marker of each kind of point in the front.
_MARKERS = {"shipped": "o", "peer": "s", "study": "*", "author": "D"}
_KIND_LABELS = {"shipped": "sparse_parts", "peer": "scikit-learn peers",
                "study": "the report (Tables 1, 2)", "author": "the author's repository"}


def _kind(record):
    if record.get("shipped"):
        return "shipped"
    if record["family"] != "reference":
        return "peer"
    return "study" if record["config"].startswith("study") else "author"


def plot_front(records, dataset, fig=None):
    """The max-approximation error against the MSE (log-log), coloured by Hoyer sparsity.

    The Pareto-optimal points are joined in order of MSE and numbered; the numbers are
    named in a table to the right of the plot (names beside crowded points overlap).

    Parameters
    ----------
    records : list of dict
    dataset : str
        Named in the title.
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from ..plotting import SPARSITY_CMAP

    if fig is None:
        fig = Figure(figsize=(12, 6.5), layout="constrained")
    ax, key = fig.subplots(1, 2, width_ratios=(2.4, 1))
    points = [objectives(r) for r in records]
    drawn = [i for i, p in enumerate(points) if finite_point(p) and p[2] > 0]
    norm = Normalize(0.0, 1.0)
    for kind, marker in _MARKERS.items():
        group = [i for i in drawn if _kind(records[i]) == kind]
        if group:
            ax.scatter([records[i]["mse"] for i in group],
                       [records[i]["max_approx"] for i in group],
                       c=[records[i]["hoyer"] for i in group], cmap=SPARSITY_CMAP, norm=norm,
                       marker=marker, s=140 if kind == "study" else 50, edgecolors="black",
                       linewidths=0.5, label=_KIND_LABELS[kind])
    front = sorted((i for i in pareto_front(points) if i in drawn),
                   key=lambda i: records[i]["mse"])
    lines = []
    if front:
        ax.plot([records[i]["mse"] for i in front], [records[i]["max_approx"] for i in front],
                color="grey", linewidth=1, zorder=0, label="Pareto-optimal")
        for number, i in enumerate(front, 1):
            r = records[i]
            label = ax.annotate(str(number), (r["mse"], r["max_approx"]), fontsize=8,
                                weight="bold", xytext=(4, 3), textcoords="offset points")
            label.set_in_layout(False)
            lines.append(f"{number:>2}  {r['family']}/{r['config']}")
    if drawn:
        fig.colorbar(ScalarMappable(norm=norm, cmap=SPARSITY_CMAP), ax=ax,
                     label="Hoyer sparsity of the codes")
        ax.legend(fontsize=7, loc="upper right")
    # Both axes logarithmic: the errors span decades (a peer regularised into empty
    # codes has 30 times the MSE of the best points, which a linear axis crushes).
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("reconstruction MSE (test images)")
    ax.set_ylabel("max-approximation error to dilation by disk(1)")
    ax.set_title(f"Fronts on {dataset}: lower MSE, lower max-approx., higher sparsity",
                 fontsize=10)
    key.axis("off")
    key.set_title("Pareto-optimal points", fontsize=9, loc="left")
    size = 7 if len(lines) <= 30 else max(4, int(7 * 30 / len(lines)))
    key.text(0, 1, "\n".join(lines) or "none", va="top", ha="left", family="monospace",
             fontsize=size, transform=key.transAxes)
    return fig


def write_front_figure(path, records, dataset, options):
    """:func:`plot_front` written to ``path`` (without extension); returns the file."""
    return save_figure(plot_front(records, dataset), path, options.figure_format, options.dpi)
