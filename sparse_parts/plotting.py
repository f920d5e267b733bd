"""Figures of a fitted part-based decomposition and of the comparison's result records.

The functions follow scikit-learn's plotting conventions: a figure of one panel
draws into ``ax=`` when given (its figure is returned) and otherwise into a new
figure made through :mod:`matplotlib.pyplot`, so ``plt.show()`` shows it; a figure
of a grid of panels takes ``fig=`` instead. Every function returns the
:class:`matplotlib.figure.Figure`; close figures you only save (pyplot keeps them).

Image grids are one mosaic per panel (:func:`skimage.util.montage`, a single
``imshow``) rather than one axes per image, so a grid of 100 atoms draws in
milliseconds; the tiles are separated by gaps drawn in a colour the colour map does
not use. Every mosaic has a colour bar that states its scale. Non-negative images
are drawn in grey, by default inverted (white 0, black the maximum; ``cmap="gray"``
for natural grey, as photographs are seen); atoms with negative values (an
auto-encoder trained with ``nonnegativity=None``) in a diverging map centred at 0
(blue < 0 < red). Colour images (``image_shape=(height, width, 3)``) are drawn as
RGB images (black 0; no colour bar, the scale is said below the mosaic), and images
of other channel counts as one grey tile per channel, side by side. A fitted
Pipeline stands for its last step; ``X`` goes through the earlier steps first, as
in :mod:`sparse_parts.metrics`.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import FigureBase
from matplotlib.lines import Line2D
from skimage.util import montage

from ._decomposition import _decomposition_and_input, _find_decomposition, _image_shape
from ._utils import resolve_image_shape, split_image_shape
from .metrics import max_approximation
from .morphology import apply_operator

__all__ = [
    "image_mosaic",
    "plot_atoms",
    "plot_reconstructions",
    "plot_code_histograms",
    "plot_max_approximation",
    "plot_metrics_against_beta",
    "plot_summary",
    "SPARSITY_CMAP",
]

# The gaps between tiles are NaN pixels, drawn in the colour map's "bad" colour: one
# the map itself never uses, so a gap cannot be read as a blank part of an image.
_GAP_COLOUR = "#b9cde0"
_NONNEGATIVE_CMAP = plt.get_cmap("gray_r").with_extremes(bad=_GAP_COLOUR)
_SIGNED_CMAP = plt.get_cmap("RdBu_r").with_extremes(bad="0.45")

#: The one colour map of Hoyer sparsity in every figure (dark = dense, bright = sparse).
SPARSITY_CMAP = "viridis"


def _image_cmap(cmap):
    """The colour map of non-negative images: a matplotlib name, gaps in the gap colour.

    ``"gray_r"`` (the default) draws 0 white, ink on paper, as Fashion-MNIST and the
    digits are usually shown; ``"gray"`` draws 0 black, as photographs are.
    """
    if cmap is None or cmap == "gray_r":
        return _NONNEGATIVE_CMAP
    try:
        return plt.get_cmap(cmap).with_extremes(bad=_GAP_COLOUR)
    except ValueError:
        raise ValueError(f"cmap must be a matplotlib colour map name such as 'gray_r' "
                         f"(inverted grey) or 'gray' (natural grey), got {cmap!r}.") from None


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _new_axes(ax, figsize):
    """``ax`` and its figure, or a new pyplot figure of one axes."""
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    _check_target(ax, "ax")
    return ax.figure, ax


_TARGETS = {"ax": (Axes, "Axes, e.g. from plt.subplots()"),
            "fig": (FigureBase, "Figure, e.g. plt.figure()")}


def _check_target(value, name):
    """Refuse a ``value`` of ``ax`` or ``fig`` that is neither None nor what it must be."""
    kind, described = _TARGETS[name]
    if value is not None and not isinstance(value, kind):
        raise ValueError(
            f"{name} must be None or a matplotlib {described}; got {type(value).__name__}.")


def _records(records, key=None):
    """``records`` as a list of mappings (each holding ``key``, unless None)."""
    if records is None or isinstance(records, str | bytes | Mapping):
        bad = ("records", records)
    else:
        records = list(records)
        bad = next(((f"records[{i}]", record) for i, record in enumerate(records)
                    if not isinstance(record, Mapping)), None)
    if bad is not None:
        raise ValueError(
            f"{bad[0]} is of type {type(bad[1]).__name__}: records are an iterable of "
            "mappings (dicts), one per model; for a DataFrame pass df.to_dict('records').")
    missing = [i for i, record in enumerate(records) if key is not None and key not in record]
    if missing:
        raise ValueError(f"records[{missing[0]}] has no {key!r} key, which every record needs.")
    return records


def image_mosaic(images, image_shape, n_cols, *, pad=1, normalize="each"):
    """Tile flattened images into one 2-D array, row by row.

    Parameters
    ----------
    images : array-like of shape (n_images, height * width * channels)
        Flattened images, row-major, channels last.
    image_shape : tuple of int
        ``(height, width)`` or ``(height, width, channels)``; one entry may be -1, and
        None means square grey images.
    n_cols : int
        Images per mosaic row. Images of 2 or of more than 3 channels are tiled one
        grey tile per channel, so a mosaic row then holds ``n_cols * channels`` tiles.
    pad : int, default=1
        Pixels of blank (NaN) padding between images.
    normalize : {"each", "none"}, default="each"
        ``"each"`` scales every image to [-1, 1] by its own maximum of ``|image|``
        over all its channels (atoms have arbitrary scales; one scale for the
        channels keeps the colour's hue); ``"none"`` keeps the values.

    Returns
    -------
    mosaic : ndarray of shape (rows * (height + pad) - pad, n_cols * (width + pad) - pad)
        For RGB images (3 channels) a third axis of length 3 holds the channels.
        Padding pixels and empty slots are NaN, drawn in the colour map's "bad"
        colour by ``imshow``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts.plotting import image_mosaic
    >>> images = np.arange(3 * 4, dtype=float).reshape(3, 4)  # three 2x2 images
    >>> image_mosaic(images, (2, 2), n_cols=2, normalize="none")
    array([[ 0.,  1., nan,  4.,  5.],
           [ 2.,  3., nan,  6.,  7.],
           [nan, nan, nan, nan, nan],
           [ 8.,  9., nan, nan, nan],
           [10., 11., nan, nan, nan]])
    """
    if normalize not in ("each", "none"):
        raise ValueError(f"normalize must be 'each' or 'none', got {normalize!r}.")
    images = np.asarray(images)
    try:
        if images.ndim != 2 or images.shape[0] == 0:
            raise ValueError(f"got shape {images.shape}.")
        h, w, c = split_image_shape(resolve_image_shape(images.shape[1], image_shape))
    except ValueError as exc:
        raise ValueError(f"images must have shape (n_images >= 1, n_features) for "
                         f"image_shape={image_shape!r}: {exc}") from None
    if images.dtype.kind not in "biuf":
        raise ValueError(f"images must hold real numbers, got dtype {images.dtype}.")
    images = images.astype(np.float64)
    if not np.isfinite(images).all():  # NaN marks the gaps: a NaN pixel would be one
        raise ValueError("images hold NaN or infinite values, which a mosaic cannot show; "
                         "replace them first, e.g. with np.nan_to_num.")
    n_cols = _check_count(n_cols, "n_cols")
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be a non-negative integer, got {pad!r}.")
    if normalize == "each":
        scale = np.abs(images).max(axis=1, keepdims=True)
        images = images / np.where(scale > 0, scale, 1.0)
    n = images.shape[0]
    stack = images.reshape(n, h, w, c)
    if c not in (1, 3):  # no colour to show them in: one grey tile per channel
        stack, n, n_cols = np.moveaxis(stack, -1, 1).reshape(n * c, h, w, 1), n * c, n_cols * c
    n_cols = min(n_cols, n)
    grid = (-(-n // n_cols), n_cols)
    rgb = stack.shape[-1] == 3
    mosaic = montage(stack if rgb else stack[..., 0], fill=(np.nan,) * 3 if rgb else np.nan,
                     grid_shape=grid, padding_width=int(pad),
                     channel_axis=-1 if rgb else None)
    # montage also pads the outer border; the axes frame already does that job.
    return mosaic[pad:mosaic.shape[0] - pad, pad:mosaic.shape[1] - pad]


def _draw_mosaic(ax, mosaic, *, signed, vmax, scale_label, title=None, row_labels=None,
                 extend="neither", cmap=None):
    """One ``imshow`` of a mosaic, its colour bar and labels; returns the image.

    An RGB mosaic (third axis of 3 channels) is drawn in its own colours, the values
    divided by ``vmax`` (signed: mapped to [0, 1] with 0 at mid grey) and clipped;
    its gaps are transparent, and ``scale_label`` goes below it instead of a colour bar.
    """
    if mosaic.ndim == 3:
        gaps = np.isnan(mosaic).any(axis=-1)
        values = np.nan_to_num(mosaic) / vmax
        rgba = np.concatenate([np.clip(0.5 + 0.5 * values if signed else values, 0, 1),
                               (~gaps)[..., None].astype(float)], axis=-1)
        image = ax.imshow(rgba, interpolation="nearest")
    else:
        if signed:
            cmap, norm = _SIGNED_CMAP, Normalize(vmin=-vmax, vmax=vmax)  # centred at 0
        else:
            cmap, norm = _image_cmap(cmap), Normalize(vmin=0.0, vmax=vmax)
        image = ax.imshow(mosaic, cmap=cmap, norm=norm, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if row_labels:
        step = mosaic.shape[0] / len(row_labels)
        ax.set_yticks((np.arange(len(row_labels)) + 0.5) * step - 0.5, row_labels,
                      fontsize=8)
        ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    if mosaic.ndim == 3:  # RGB: no colour map, the scale said below the image
        ax.set_xlabel(scale_label, fontsize=8)
        return image
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9, extend=extend)
    bar.set_label(scale_label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return image


def plot_atoms(estimator, *, n_atoms=None, n_cols=10, title=None, ax=None, cmap="gray_r"):
    """Grid of the atom images (rows of ``components_``), each scaled to its maximum.

    Non-negative atoms are drawn in grey (white 0, black the atom's maximum); atoms
    with negative values in a diverging map centred at 0, each scaled by its
    maximum of ``|value|`` (blue -1, white 0, red 1). Colour atoms
    (``image_shape=(height, width, 3)``) are drawn as RGB images, black 0, each
    divided by its own maximum over its three channels (so its hue is kept and its
    brightest channel value is full intensity); the scale is said below the grid.

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
    n_atoms : int, default=None
        Number of atoms drawn (the first ones); all by default.
    n_cols : int, default=10
        Atoms per grid row.
    title : str, default=None
        Title of the panel; the estimator's name and the number of atoms by default.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new pyplot figure by default.
    cmap : str, default="gray_r"
        The colour map of non-negative atoms: ``"gray_r"`` draws 0 white (ink on
        paper), ``"gray"`` draws 0 black (photographs).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure of the panel.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sparse_parts import SparseNMF
    >>> from sparse_parts.datasets import load_digits_images
    >>> from sparse_parts.plotting import plot_atoms
    >>> X = load_digits_images().data[:200]
    >>> nmf = SparseNMF(6, max_iter=50, random_state=0).fit(X)
    >>> fig = plot_atoms(nmf, n_cols=3)
    >>> fig.axes[0].get_images()[0].get_array().shape  # 2 rows of 3 atoms of 8x8, 1-pixel gaps
    (17, 26)
    >>> plt.close(fig)
    """
    decomposition = _find_decomposition(estimator)[0]
    shape = _image_shape(decomposition)
    atoms = np.asarray(decomposition.components_)
    if n_atoms is not None:
        atoms = atoms[:_check_count(n_atoms, "n_atoms")]
    n_cols = min(_check_count(n_cols, "n_cols"), atoms.shape[0])
    n_rows = -(-atoms.shape[0] // n_cols)
    signed = bool(atoms.min() < 0)
    fig, ax = _new_axes(ax, (0.55 * n_cols + 1.5, 0.55 * n_rows + 0.7))
    if len(shape) == 3 and shape[2] == 3:
        label = ("RGB = 0.5 + 0.5 value / max |value| of the atom (mid grey 0)" if signed
                 else "RGB = value / max value of the atom, over its channels (black 0)")
    else:
        label = ("value / max |value| of the atom" if signed
                 else "value / max value of the atom")
    _draw_mosaic(ax, image_mosaic(atoms, shape, n_cols), signed=signed, vmax=1.0,
                 scale_label=label, cmap=cmap,
                 title=title or f"{type(decomposition).__name__}: {atoms.shape[0]} atoms"
                                + (" (signed)" if signed else ""))
    return fig


def _first_images(estimator, X, n_images):
    """``(decomposition, X, codes, shape)`` of the first images, as the metrics see them."""
    n_images = _check_count(n_images, "n_images")
    decomposition = _find_decomposition(estimator)[0]
    shape = _image_shape(decomposition)
    if not scipy.sparse.issparse(X):  # a sparse matrix gets scikit-learn's message
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"X must be a non-empty 2-D array of images, got shape {X.shape}.")
    decomposition, X, codes = _decomposition_and_input(estimator, X[:n_images])
    return decomposition, X, codes, shape


def _two_rows(top, bottom, shape, labels, title, ax, scale_label, cmap=None,
              own_scales=False):
    """Two rows of images: on one scale, from 0 to the top row's maximum, or each row
    divided by its own maximum of ``|value|`` (``own_scales``; the row labels then give
    each maximum), so that a row of much larger values cannot saturate."""
    n = top.shape[0]
    fig, ax = _new_axes(ax, (0.75 * n + 2.2, 2.4))
    if own_scales:
        scales = [float(max(np.abs(row).max(), 1e-12)) for row in (top, bottom)]
        top, bottom = top / scales[0], bottom / scales[1]
        labels = [f"{label}\n(max {scale:.3g})" for label, scale in zip(labels, scales,
                                                                         strict=True)]
        scale_label = f"{scale_label} / row maximum"
    vmax = float(max(np.max(top), 1e-12))
    both = np.concatenate([top, bottom])
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max",
              (True, True): "both"}[(bool(both.min() < 0), bool(both.max() > vmax))]
    if len(shape) == 3 and shape[2] == 3:
        scale_label = (f"RGB = {scale_label}" if own_scales else
                       f"RGB = {scale_label} / {vmax:.3g} (the originals' maximum), clipped")
    _draw_mosaic(ax, image_mosaic(both, shape, n, normalize="none"), signed=False,
                 vmax=vmax, scale_label=scale_label, title=title, row_labels=labels,
                 extend=extend, cmap=cmap)
    return fig


def plot_reconstructions(estimator, X, *, n_images=10, title=None, ax=None, cmap="gray_r"):
    """The first ``n_images`` images of ``X`` (top row) and their reconstructions (bottom).

    Both rows share one grey scale, from 0 to the maximum of the originals; colour
    images are drawn in RGB on that scale (values past it clipped, as said below).

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
    X : array-like of shape (n_samples, n_features)
    n_images : int, default=10
    title : str, default=None
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new pyplot figure by default.
    cmap : str, default="gray_r"
        The grey scale of the images: ``"gray_r"`` draws 0 white (ink on paper),
        ``"gray"`` draws 0 black (photographs).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    decomposition, X, codes, shape = _first_images(estimator, X, n_images)
    reconstructed = np.asarray(decomposition.decode(codes))
    return _two_rows(
        np.asarray(X, dtype=np.float64), reconstructed, shape, ("original", "reconstruction"),
        title or f"{type(decomposition).__name__}: reconstructions", ax, "pixel value",
        cmap)


def plot_code_histograms(estimator, X, *, n_images=10, n_cols=2, title=None, fig=None,
                         cmap="gray_r"):
    """Each of the first ``n_images`` images beside its code, a bar per code unit.

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
    X : array-like of shape (n_samples, n_features)
    n_images : int, default=10
    n_cols : int, default=2
        (image, code) pairs per row.
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into; a new pyplot figure by default.
    cmap : str, default="gray_r"
        The grey scale of the images: ``"gray_r"`` draws 0 white (ink on paper),
        ``"gray"`` draws 0 black (photographs).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Its axes alternate image, code, image, code... in reading order; the bar
        charts share one value axis.
    """
    decomposition, X, codes, shape = _first_images(estimator, X, n_images)
    _check_target(fig, "fig")
    n = codes.shape[0]
    n_cols = min(_check_count(n_cols, "n_cols"), n)
    n_rows = -(-n // n_cols)
    if fig is None:
        fig = plt.figure(figsize=(4.6 * n_cols, 1.15 * n_rows + 0.9), layout="constrained")
    grid = fig.add_gridspec(n_rows, 2 * n_cols, width_ratios=[1, 3.2] * n_cols)
    top = float(codes.max()) if codes.size and codes.max() > 0 else 1.0
    bottom = min(float(codes.min()), 0.0)
    vmax = float(max(np.max(X), 1e-12))
    units = np.arange(codes.shape[1])
    for i, (image, code) in enumerate(zip(X, codes, strict=True)):
        r, c = divmod(i, n_cols)
        image_ax = fig.add_subplot(grid[r, 2 * c])
        image = np.asarray(image, dtype=np.float64).reshape(shape)
        if image.ndim == 3:  # RGB on the data's scale; other channel counts: the mean
            image = np.clip(image / vmax, 0, 1) if image.shape[2] == 3 else image.mean(-1)
        image_ax.imshow(image, cmap=_image_cmap(cmap), vmin=0, vmax=vmax,
                        interpolation="nearest")
        image_ax.set_xticks([])
        image_ax.set_yticks([])
        image_ax.set_ylabel(f"image {i}", fontsize=8)
        bar_ax = fig.add_subplot(grid[r, 2 * c + 1])
        bar_ax.bar(units, code, width=1.0, color="tab:blue")
        bar_ax.set_ylim(bottom, top * 1.05)
        bar_ax.set_xlim(-0.5, codes.shape[1] - 0.5)
        bar_ax.tick_params(labelsize=7)
        if c == 0:
            bar_ax.set_ylabel("code value", fontsize=8)
        if r == n_rows - 1 or i + n_cols >= n:
            bar_ax.set_xlabel("code unit", fontsize=8)
        else:
            bar_ax.set_xticklabels([])
    fig.suptitle(title or f"{type(decomposition).__name__}: each image and its code",
                 fontsize=10)
    return fig


def plot_max_approximation(estimator, X, *, operator="dilation", radius=1, n_images=10,
                           title=None, ax=None, cmap="gray_r"):
    """Operated originals (top row) above their max-approximations (bottom row).

    The max-approximation decodes each image's code with the operated atoms (see
    :func:`sparse_parts.metrics.max_approximation`). Each row is drawn on its own
    scale, divided by its maximum (named beside the row): the max-approximations of
    dense codes overshoot the originals many times, and on the originals' scale they
    would be a saturated block.
    Colour images are drawn in RGB, operated channel by channel (see
    :mod:`sparse_parts.morphology`).

    Parameters
    ----------
    estimator : fitted estimator of this package, or a fitted Pipeline ending in one
    X : array-like of shape (n_samples, n_features)
    operator : {"dilation", "erosion", "opening", "closing"} or callable, default="dilation"
        A callable maps an image stack (n, h, w), or (n, h, w, c) for colour images,
        to a stack of the same shape.
    radius : int, default=1
        Radius of the disk footprint of a named operator.
    n_images : int, default=10
    title : str, default=None
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new pyplot figure by default.
    cmap : str, default="gray_r"
        The grey scale of the images: ``"gray_r"`` draws 0 white (ink on paper),
        ``"gray"`` draws 0 black (photographs).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    decomposition, X, codes, shape = _first_images(estimator, X, n_images)
    operated = apply_operator(X, operator, radius, image_shape=shape)
    approx = max_approximation(decomposition, X, operator=operator, radius=radius, codes=codes)
    name = operator if isinstance(operator, str) else "operator"
    return _two_rows(
        np.asarray(operated, dtype=np.float64), np.asarray(approx), shape,
        (name, "max-approx."),
        title or f"{type(decomposition).__name__}: max-approximation of {name}"
                 + (f", disk({radius})" if isinstance(operator, str) else ""),
        ax, "pixel value", cmap, own_scales=True)


_METRICS = (
    ("mse", "reconstruction MSE"),
    ("hoyer", "Hoyer sparsity"),
    ("max_approx", "max-approx. error (dilation)"),
    ("svm", "SVM accuracy"),
)
_MARKERS = "osD^vP*X"
_FEW_POINTS = 8


def _finite(value):
    return value is not None and np.isfinite(float(value))


def _spans_decades(ax):
    """Whether the lines of ``ax`` are positive and span more than a factor of 10."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=float)
                             for line in ax.get_lines()] or [[]])
    return values.size > 0 and values.min() > 0 and values.max() > 10 * values.min()


def plot_metrics_against_beta(records, *, title=None, fig=None):
    """The four metrics against the sparsity weight beta, one line per model and p.

    Each model family has its colour and each p its marker, named once in a legend
    below the panels; the beta axis is logarithmic, ticked at the betas present.
    A (model, p) with a single beta (``sparse-parts compare --quick``) is one marker;
    a panel of at most eight points also prints each value beside its marker.

    Parameters
    ----------
    records : iterable of mappings
        One per fitted model, with keys ``"family"`` (a model family),
        ``"sparsity_target"`` (p), ``"sparsity_weight"`` (beta, > 0) and the metrics
        ``"mse"``, ``"hoyer"``, ``"max_approx"``, ``"svm"`` (the records of
        :mod:`sparse_parts.study.records`)
        (missing or NaN metrics are skipped; a metric no record has gets no
        panel). Records without a positive beta are ignored.
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into; a new pyplot figure by default.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    records = _records(records)
    _check_target(fig, "fig")
    lines = {}
    for i, record in enumerate(records):
        beta = record.get("sparsity_weight")
        if not _finite(beta) or beta <= 0:
            continue
        if "family" not in record:
            raise ValueError(
                f"records[{i}] has a sparsity_weight but no 'family' key: a line is drawn "
                "per model family.")
        key = (record["family"], record.get("sparsity_target"))
        lines.setdefault(key, []).append(record)
    models = sorted({model for model, _ in lines})
    targets = sorted({p for _, p in lines}, key=lambda p: (p is None, p))
    colours = {m: f"C{i}" for i, m in enumerate(models)}
    markers = {p: _MARKERS[i % len(_MARKERS)] for i, p in enumerate(targets)}
    betas = sorted({r["sparsity_weight"] for group in lines.values() for r in group})
    # A metric no record has (the SVM accuracy of unlabelled images) gets no panel.
    metrics = [(metric, label) for metric, label in _METRICS
               if any(_finite(r.get(metric)) for group in lines.values() for r in group)]
    metrics = metrics or list(_METRICS)
    if fig is None:
        fig = plt.figure(figsize=(10, 6.5) if len(metrics) == 4 else (4 * len(metrics), 4),
                         layout="constrained")
    rows = 2 if len(metrics) == 4 else 1
    axes = fig.subplots(rows, len(metrics) // rows, squeeze=False).ravel()
    for ax, (metric, label) in zip(axes, metrics, strict=True):
        for (model, p), group in sorted(lines.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            points = sorted((r["sparsity_weight"], r.get(metric)) for r in group)
            points = [(b, v) for b, v in points if _finite(v)]
            if points:
                x, y = zip(*points, strict=True)
                ax.plot(x, y, color=colours[model], marker=markers[p], markersize=7,
                        label=f"{model}, p = {p:g}" if p is not None else model)
        ax.set_xscale("log")
        if metric == "max_approx" and _spans_decades(ax):
            ax.set_yscale("log")  # from unconstrained to sparse, errors span decades
        if sum(len(line.get_xdata()) for line in ax.get_lines()) <= _FEW_POINTS:
            # A few rows (--quick): the values themselves say more than the axis.
            for line in ax.get_lines():
                for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                    ax.annotate(f"{y:.3g}", (x, y), xytext=(6, 0), textcoords="offset points",
                                fontsize=7, va="center", color=line.get_color())
        if betas:
            ax.set_xlim(betas[0] / 2.5, betas[-1] * 2.5)
            ax.set_xticks(betas, [f"{b:g}" for b in betas])
            ax.minorticks_off()
        ax.set_xlabel("beta (sparsity weight)", fontsize=8)
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if not ax.get_lines():
            ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center",
                    color="0.5")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4),
                   fontsize=8)
    fig.suptitle(title or "Metrics against beta", fontsize=10)
    return fig


def _record_name(record):
    """``family/config`` of a record, or its ``config`` alone without a family."""
    family = record.get("family")
    return f"{family}/{record['config']}" if family else str(record["config"])


def _summary_points(records, prefix):
    """``(name, mse, error, sparsity)`` of the records whose three metrics are known."""
    points = []
    for record in records:
        values = [record.get(f"{prefix}{key}") for key in ("mse", "max_approx", "hoyer")]
        if all(_finite(v) for v in values) and float(values[1]) > 0:
            points.append((_record_name(record), *(float(v) for v in values)))
    return points


def plot_summary(records, *, title=None, ax=None):
    """Max-approximation error against reconstruction MSE, coloured by Hoyer sparsity.

    One filled circle per record (this run) and, where the record carries the
    study's numbers (keys ``study_mse``, ``study_max_approx``,
    ``study_hoyer``), one triangle for the study's row, joined to ours by a thin
    line. Every point carries the number of its row, named in the key (full names
    overlap where rows cluster). The error axis is logarithmic; the colour bar runs
    over Hoyer sparsity's whole range, [0, 1], in :data:`SPARSITY_CMAP` (brighter is
    sparser). Lower left is better on both errors.

    Parameters
    ----------
    records : iterable of mappings
        The records of ``sparse-parts compare`` (:mod:`sparse_parts.study.records`):
        keys ``"config"`` (and ``"family"``), ``"mse"``, ``"hoyer"``, ``"max_approx"``
        and, where known, the study's ``"study_mse"``, ``"study_hoyer"``,
        ``"study_max_approx"``. Records with a missing, NaN or non-positive error are
        left out.
    title : str, default=None
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new pyplot figure by default.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sparse_parts.plotting import plot_summary
    >>> records = [
    ...     {"family": "nmf", "config": "component-0.6", "mse": 0.012, "hoyer": 0.62,
    ...      "max_approx": 0.11, "study_mse": 0.0109, "study_hoyer": 0.6504,
    ...      "study_max_approx": 0.107},
    ...     {"family": "shallow", "config": "unconstrained", "mse": 0.007, "hoyer": 0.07,
    ...      "max_approx": 17.0},
    ... ]
    >>> fig = plot_summary(records)
    >>> ax = fig.axes[0]
    >>> ax.get_yscale(), [len(c.get_offsets()) for c in ax.collections]
    ('log', [1, 2])
    >>> plt.close(fig)
    """
    records = _records(records, "config")
    ours = _summary_points(records, "")
    study = {row: point for row, *point in _summary_points(records, "study_")}
    # Points are labelled with short numbers, named in the key: eleven full row names
    # overlap wherever rows cluster.
    number = {}
    for record in records:
        number.setdefault(_record_name(record), len(number) + 1)
    fig, ax = _new_axes(ax, (8.0, 5.2))
    norm = Normalize(vmin=0.0, vmax=1.0)
    cmap = plt.get_cmap(SPARSITY_CMAP)
    for row, mse, error, _ in ours:
        if row in study:
            ax.plot([mse, study[row][0]], [error, study[row][1]], color="0.6", lw=0.8,
                    zorder=1)
    scatter_kw = dict(cmap=cmap, norm=norm, edgecolors="black", linewidths=0.6, zorder=2)
    label_kw = dict(textcoords="offset points", fontsize=8, in_layout=False)
    if study:
        s_mse, s_error, s_sparsity = zip(*study.values(), strict=True)
        ax.scatter(s_mse, s_error, c=s_sparsity, marker="^", s=70, **scatter_kw)
        for row, (mse, error, _) in study.items():
            ax.annotate(number[row], (mse, error), xytext=(5, -10), color="0.35",
                        style="italic", **label_kw)
    if ours:
        rows, mse, error, sparsity = zip(*ours, strict=True)
        ax.scatter(mse, error, c=sparsity, marker="o", s=60, **scatter_kw)
        for row, x, y in zip(rows, mse, error, strict=True):
            ax.annotate(number[row], (x, y), xytext=(5, 3), weight="bold", **label_kw)
    ax.set_yscale("log")
    ax.margins(x=0.08, y=0.1)
    ax.set_xlabel("reconstruction MSE (lower is better)", fontsize=9)
    ax.set_ylabel("max-approx. error, dilation by disk(1) (lower is better)", fontsize=9)
    ax.grid(alpha=0.3, which="both")
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax)
    bar.set_label("Hoyer sparsity of the codes (1 = one unit active)", fontsize=8)
    # Legend keys in neutral grey: the colour of a point is its sparsity, not its kind.
    shown = {row for row, *_ in ours} | set(study)
    keys = [Line2D([], [], marker=m, markersize=8, linestyle="none", color="0.8",
                   markeredgecolor="black", markeredgewidth=0.6, label=label)
            for m, label, drawn in (("o", "this run (bold number)", ours),
                                    ("^", "the study (italic), joined to our row", study))
            if drawn]
    keys += [Line2D([], [], linestyle="none", label=f"{i}  {row}")
             for row, i in number.items() if row in shown]
    if keys:
        ax.legend(handles=keys, fontsize=7, loc="best", handlelength=1.0, framealpha=0.85)
    ax.set_title(title or "Reconstruction against max-approximation", fontsize=10, loc="left")
    return fig
