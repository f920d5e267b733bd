"""Figures of a fitted part-based decomposition: atoms, reconstructions, codes.

Every function takes a fitted estimator of this package (or result records, for
:func:`plot_metrics_against_beta`) and returns a :class:`matplotlib.figure.Figure`.
The figures are made without :mod:`matplotlib.pyplot`, so no global figure state is
kept and no interactive backend is needed (saving to PNG uses Agg); pass ``fig=``
a figure of your own, e.g. ``plt.figure()``, to show it in a notebook or a gallery.

Image grids are drawn as one mosaic per panel (a single ``imshow``) rather than one
axes per image: a grid of 100 atoms is then drawn in milliseconds.
"""

import numpy as np
from matplotlib.figure import Figure

from .metrics import max_approximation
from .morphology import apply_operator

__all__ = [
    "image_mosaic",
    "plot_atoms",
    "plot_reconstructions",
    "plot_code_histograms",
    "plot_max_approximation",
    "plot_metrics_against_beta",
]


def _image_shape(estimator):
    shape = getattr(estimator, "image_shape_", None)
    if shape is None:
        if not hasattr(estimator, "components_"):
            raise ValueError(
                f"{type(estimator).__name__} is not fitted: fit it before plotting.")
        raise ValueError(
            f"{type(estimator).__name__} has no image shape (image_shape_ is None): refit "
            "it with image_shape=(height, width).")
    return tuple(int(v) for v in shape)


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def image_mosaic(images, image_shape, n_cols, *, pad=1, normalize="each"):
    """Tile flattened images into one 2-D array, row by row.

    Parameters
    ----------
    images : array-like of shape (n_images, height * width)
        Flattened images, row-major.
    image_shape : tuple of int
        ``(height, width)``.
    n_cols : int
        Images per mosaic row.
    pad : int, default=1
        Pixels of blank (NaN) padding between images.
    normalize : {"each", "none"}, default="each"
        ``"each"`` scales every image to [0, 1] by its own maximum of ``|image|``
        (atoms have arbitrary scales); ``"none"`` keeps the values.

    Returns
    -------
    mosaic : ndarray of shape (rows * (height + pad) - pad, n_cols * (width + pad) - pad)
        Padding pixels are NaN, drawn as the background by ``imshow``.
    """
    if normalize not in ("each", "none"):
        raise ValueError(f"normalize must be 'each' or 'none', got {normalize!r}.")
    images = np.asarray(images, dtype=np.float64)
    h, w = image_shape
    if images.ndim != 2 or images.shape[1] != h * w:
        raise ValueError(
            f"images must have shape (n_images, {h * w}) for image_shape {image_shape}, "
            f"got {images.shape}.")
    n_cols = _check_count(n_cols, "n_cols")
    if normalize == "each":
        scale = np.abs(images).max(axis=1, keepdims=True)
        images = images / np.where(scale > 0, scale, 1.0)
    n = images.shape[0]
    n_cols = min(n_cols, max(n, 1))
    n_rows = -(-n // n_cols)
    mosaic = np.full((n_rows * (h + pad) - pad, n_cols * (w + pad) - pad), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, n_cols)
        mosaic[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = \
            image.reshape(h, w)
    return mosaic


def _show(ax, mosaic, title=None, vmin=None, vmax=None, cmap="gray_r"):
    ax.imshow(mosaic, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9, loc="left")


def plot_atoms(estimator, *, n_atoms=None, n_cols=10, title=None, fig=None):
    """Grid of the atom images (rows of ``components_``), each scaled to its maximum.

    Parameters
    ----------
    estimator : fitted estimator of this package
    n_atoms : int, default=None
        Number of atoms drawn (the first ones); all by default.
    n_cols : int, default=10
        Atoms per grid row.
    title : str, default=None
        Figure title.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into; a new one by default.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    shape = _image_shape(estimator)
    atoms = np.asarray(estimator.components_)
    if n_atoms is not None:
        atoms = atoms[:_check_count(n_atoms, "n_atoms")]
    n_cols = _check_count(n_cols, "n_cols")
    n_rows = -(-atoms.shape[0] // n_cols)
    if fig is None:
        fig = Figure(figsize=(0.6 * min(n_cols, atoms.shape[0]) + 0.4, 0.6 * n_rows + 0.6))
    ax = fig.add_subplot(1, 1, 1)
    _show(ax, image_mosaic(atoms, shape, n_cols), vmin=-1 if atoms.min() < 0 else 0, vmax=1,
          cmap="gray_r" if atoms.min() >= 0 else "RdBu_r")
    fig.suptitle(title or f"{type(estimator).__name__}: {atoms.shape[0]} atoms", fontsize=10)
    return fig


def _first_images(X, n_images):
    X = np.asarray(X)
    n_images = _check_count(n_images, "n_images")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty 2-D array of images, got shape {X.shape}.")
    return X[:n_images]


def plot_reconstructions(estimator, X, *, n_images=10, title=None, fig=None):
    """The first ``n_images`` images of ``X`` (top) and their reconstructions (bottom).

    Parameters
    ----------
    estimator : fitted estimator of this package
    X : array-like of shape (n_samples, n_features)
    n_images : int, default=10
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    shape = _image_shape(estimator)
    X = _first_images(X, n_images)
    reconstructed = estimator.inverse_transform(estimator.transform(X))
    n = X.shape[0]
    if fig is None:
        fig = Figure(figsize=(0.9 * n + 0.4, 2.4))
    vmax = float(max(np.max(X), 1e-12))
    for i, (images, label) in enumerate(((X, "originals"), (reconstructed, "reconstructions"))):
        ax = fig.add_subplot(2, 1, i + 1)
        _show(ax, image_mosaic(images, shape, n, normalize="none"), label, vmin=0, vmax=vmax)
    fig.suptitle(title or f"{type(estimator).__name__}: reconstructions", fontsize=10)
    return fig


def plot_code_histograms(estimator, X, *, n_images=10, n_cols=5, title=None, fig=None):
    """The code of each of the first ``n_images`` images, as a bar chart per image.

    Parameters
    ----------
    estimator : fitted estimator of this package
    X : array-like of shape (n_samples, n_features)
    n_images : int, default=10
    n_cols : int, default=5
        Panels per row.
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    X = _first_images(X, n_images)
    codes = np.asarray(estimator.transform(X))
    n = codes.shape[0]
    n_cols = min(_check_count(n_cols, "n_cols"), n)
    n_rows = -(-n // n_cols)
    if fig is None:
        fig = Figure(figsize=(2.2 * n_cols, 1.6 * n_rows + 0.5), layout="constrained")
    top = float(codes.max()) if codes.size and codes.max() > 0 else 1.0
    units = np.arange(codes.shape[1])
    for i, code in enumerate(codes):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        ax.bar(units, code, width=1.0, color="tab:blue")
        ax.set_ylim(0, top * 1.05)
        ax.set_title(f"image {i}", fontsize=8)
        ax.tick_params(labelsize=6)
    fig.suptitle(title or f"{type(estimator).__name__}: codes (value per unit)", fontsize=10)
    return fig


def plot_max_approximation(estimator, X, *, operator="dilation", radius=1, n_images=10,
                           title=None, fig=None):
    """Operated originals (top) next to their max-approximations (bottom).

    The max-approximation decodes each image's code with the operated atoms (see
    :func:`sparse_parts.metrics.max_approximation`).

    Parameters
    ----------
    estimator : fitted estimator of this package
    X : array-like of shape (n_samples, n_features)
    operator : {"dilation", "erosion", "opening", "closing"}, default="dilation"
    radius : int, default=1
        Radius of the disk footprint.
    n_images : int, default=10
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    shape = _image_shape(estimator)
    X = _first_images(X, n_images)
    operated = apply_operator(X, operator, radius, image_shape=shape)
    approx = max_approximation(estimator, X, operator=operator, radius=radius)
    n = X.shape[0]
    if fig is None:
        fig = Figure(figsize=(0.9 * n + 0.4, 2.4))
    vmax = float(max(np.max(operated), 1e-12))
    name = operator if isinstance(operator, str) else "operator"
    for i, (images, label) in enumerate(((operated, f"{name} of the originals"),
                                         (approx, "max-approximations"))):
        ax = fig.add_subplot(2, 1, i + 1)
        _show(ax, image_mosaic(images, shape, n, normalize="none"), label, vmin=0, vmax=vmax)
    fig.suptitle(title or f"{type(estimator).__name__}: max-approximation of {name}, "
                          f"disk({radius})", fontsize=10)
    return fig


_METRICS = (
    ("mse", "reconstruction MSE"),
    ("sparsity", "Hoyer sparsity"),
    ("dilation_error", "max-approx. error (dilation)"),
    ("svm_accuracy", "SVM accuracy"),
)


def plot_metrics_against_beta(records, *, title=None, fig=None):
    """The four metrics against the sparsity weight beta, one line per model and p.

    Parameters
    ----------
    records : iterable of mappings
        One per fitted model, with keys ``"model"`` (a family name),
        ``"sparsity_target"`` (p), ``"sparsity_weight"`` (beta, > 0) and the metrics
        ``"mse"``, ``"sparsity"``, ``"dilation_error"``, ``"svm_accuracy"``
        (missing or NaN metrics are skipped). Records without a positive beta are
        ignored.
    title : str, default=None
    fig : matplotlib.figure.Figure, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    lines = {}
    for record in records:
        beta = record.get("sparsity_weight")
        if beta is None or not np.isfinite(beta) or beta <= 0:
            continue
        key = (record["model"], record.get("sparsity_target"))
        lines.setdefault(key, []).append(record)
    if fig is None:
        fig = Figure(figsize=(10, 7), layout="constrained")
    for i, (metric, label) in enumerate(_METRICS):
        ax = fig.add_subplot(2, 2, i + 1)
        for (model, p), group in sorted(lines.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            points = sorted((r["sparsity_weight"], r.get(metric, np.nan)) for r in group)
            points = [(b, v) for b, v in points if v is not None and np.isfinite(v)]
            if points:
                betas, values = zip(*points, strict=True)
                ax.plot(betas, values, marker="o", label=f"{model}, p={p:g}")
        ax.set_xscale("log")
        ax.set_xlabel("beta (sparsity weight)")
        ax.set_title(label, fontsize=9)
        if lines and i == 0:
            ax.legend(fontsize=7)
    fig.suptitle(title or "Metrics against beta", fontsize=10)
    return fig
