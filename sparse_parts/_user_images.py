"""The user's own images and labels, read from files for :mod:`sparse_parts.datasets`.

:func:`load_images` reads grey or colour images from a ``.npy``/``.npz`` array or a
folder of PNG/JPEG files, scales them to [0, 1] and returns them flattened (channels
last) with their shape;
:func:`load_labels` reads one integer label per image. Both are public through
:mod:`sparse_parts.datasets`; this module keeps that one under 600 lines.
"""

import os
import re
import warnings
from collections import Counter

import numpy as np
from sklearn.utils import Bunch

from ._utils import check_int, external_stacklevel, resolve_image_shape

__all__ = ["load_images", "load_labels"]


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# The array of an .npz archive holding several: the first of these keys present.
_NPZ_KEYS = ("images", "data", "X")


def _user_path(path, name):
    """``path`` (str, bytes or path-like) as a str with ``~`` expanded, or a clear error."""
    try:
        return os.path.expanduser(os.fsdecode(path))
    except TypeError:
        raise TypeError(
            f"{name} must be the path of a file or folder (str or os.PathLike), got "
            f"{type(path).__name__}.") from None


# ITU-R 601-2 luma, the weights of Pillow's convert("L"): arrays and image files
# become the same grey.
_LUMA = np.array([0.299, 0.587, 0.114])


def _in_words(shape):
    """``"HxW"`` or ``"HxWxC"`` (height x width [x channels])."""
    return "x".join(map(str, shape)) + (" (height x width x channels)" if len(shape) == 3
                                        else " (height x width)")


def _array_images(array, image_shape, source):
    """Check an array of images and return it as float32 ``(n, h, w)`` or
    ``(n, h, w, c)`` in [0, 1]."""
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{source} holds an array of dtype {array.dtype}; images must be numbers."
        )
    if array.ndim in (3, 4):
        shape = tuple(int(v) for v in array.shape[1:])
        try:
            fits = image_shape is None or resolve_image_shape(
                int(np.prod(shape)), image_shape) == shape
        except ValueError:  # e.g. (height, width) for colour images
            fits = False
        if not fits:
            raise ValueError(
                f"{source} holds images of {_in_words(shape)}, but "
                f"image_shape={tuple(image_shape)!r}; leave image_shape out for an "
                "array of shape (n_images, height, width) or (n_images, height, width, "
                "channels)."
            )
    elif array.ndim == 2:
        try:
            shape = resolve_image_shape(array.shape[1], image_shape)
        except ValueError as error:
            raise ValueError(f"{source} holds an array of shape {array.shape}: {error}") from None
    else:
        raise ValueError(
            f"{source} holds an array of shape {array.shape}; expected (n_images, height, "
            "width) for grey images, (n_images, height, width, channels) for colour "
            "ones, or (n_images, height * width * channels) with image_shape=(height, "
            "width[, channels])."
        )
    if len(array) == 0:
        raise ValueError(f"{source} holds no images (its array has shape {array.shape}).")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        n_nan, n_inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
        raise ValueError(
            f"{source} holds {n_nan} NaN and {n_inf} infinite values; images must be "
            "finite. Replace them (for example with 0) before loading."
        )
    return _to_unit_range(array, source).reshape(len(array), *shape)


def _to_unit_range(array, source):
    """``array`` as float32 in [0, 1], scaled with a warning when it lies outside.

    Integer values within 0..255 are 8-bit pixels and divided by 255; other
    non-negative values are divided by their maximum (0 stays black, which matters to
    non-negative parts); values with negatives are rescaled linearly from
    [min, max] to [0, 1].
    """
    lowest, highest = float(array.min()), float(array.max())
    if lowest >= 0 and highest <= 1:
        return np.ascontiguousarray(array, dtype=np.float32)
    integral = array.dtype.kind in "biu" or np.array_equal(array, np.round(array))
    if lowest >= 0 and highest <= 255 and integral:
        offset, scale, how = 0.0, 255.0, "divided by 255 (8-bit pixel values)"
    elif lowest >= 0:
        offset, scale, how = 0.0, highest, f"divided by their maximum, {highest:g}"
    else:
        offset, scale = lowest, (highest - lowest) or 1.0
        how = f"rescaled linearly from [{lowest:g}, {highest:g}] to [0, 1]"
    warnings.warn(
        f"{source}: the values lie in [{lowest:g}, {highest:g}], outside [0, 1]; they "
        f"were {how}. Scale the images to [0, 1] yourself to choose otherwise.",
        UserWarning,
        stacklevel=external_stacklevel(),
    )
    return ((array.astype(np.float64) - offset) / scale).astype(np.float32)


def _read_array(path, key=None):
    """The array of a ``.npy`` file, or the one ``key`` means in a ``.npz`` archive."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:  # not NumPy's format, object arrays
        raise ValueError(f"{path} could not be read as a NumPy file ({error}).") from None
    if isinstance(loaded, np.ndarray):
        return loaded
    with loaded as archive:
        keys = list(archive.keys())
        if key is None:
            preferred = [k for k in _NPZ_KEYS if k in keys]
            key = keys[0] if len(keys) == 1 else preferred[0] if preferred else None
        if key not in keys:
            raise ValueError(
                f"{path} holds the arrays {keys}; pass key=<the name of the images' array> "
                f"(without key, the only array, or the first of {list(_NPZ_KEYS)} is used)."
            )
        try:
            return archive[key]
        except (OSError, ValueError, EOFError) as error:
            raise ValueError(f"{path}: its array {key!r} could not be read ({error}).") from None


def _pixels(image, grey):
    """A Pillow image as float32 pixels in [0, 1], and whether it was in colour.

    8-bit images are divided by 255 and 16-bit grey ones by 65535; transparency is
    ignored. A colour image (unless its three channels are equal: a grey image
    stored as colour) is kept as RGB ``(h, w, 3)``, or with ``grey`` converted with
    Pillow's luma (ITU-R 601-2); grey images are ``(h, w)``.
    """
    if image.mode.startswith("I"):  # 16-bit grey ("I;16"; "I" in older Pillow)
        pixels = np.asarray(image)
        if pixels.min() < 0 or pixels.max() > 65535:
            raise ValueError(f"holds {image.mode} pixels outside 0..65535")
        return (pixels / 65535).astype(np.float32), False
    if image.mode in ("1", "L", "LA", "La"):
        return np.asarray(image.convert("L"), dtype=np.float32) / 255, False
    rgb = np.asarray(image.convert("RGB"))
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
        return rgb[..., 0].astype(np.float32) / 255, False
    if grey:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255, True
    return rgb.astype(np.float32) / 255, True


def _read_image_folder(folder, grey=False):
    """Float32 images ``(n, h, w)``, or ``(n, h, w, 3)`` when one of them is in colour
    and ``grey`` is False, from the PNG/JPEG files of ``folder``."""
    from PIL import Image  # Pillow: a dependency of scikit-image

    entries = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    names = [
        name for name in entries
        if name.lower().endswith(_IMAGE_SUFFIXES) and os.path.isfile(os.path.join(folder, name))
    ]
    ignored = [name for name in entries if name not in names]
    if not names:
        raise ValueError(
            f"{folder} holds no PNG or JPEG image (files named *.png, *.jpg or *.jpeg)"
            + (f"; it holds {len(ignored)} other entries, such as {ignored[0]!r}." if ignored
               else "; it is empty.")
        )
    if ignored:
        warnings.warn(
            f"{folder}: skipped what is not a PNG or JPEG file: {', '.join(ignored[:3])}"
            + (f" and {len(ignored) - 3} more." if len(ignored) > 3 else "."),
            UserWarning,
            stacklevel=external_stacklevel(),
        )
    paths = [os.path.join(folder, name) for name in names]
    images, colour = [], []
    for path in paths:
        try:
            with Image.open(path) as image:
                pixels, in_colour = _pixels(image, grey)
        except (OSError, ValueError) as error:  # unreadable, truncated, odd mode
            raise ValueError(
                f"{path} could not be read as an image ({error}); remove or replace it."
            ) from error
        images.append(pixels)
        if in_colour:
            colour.append(path)
    sizes = Counter(pixels.shape[:2] for pixels in images)
    expected, count = sizes.most_common(1)[0]
    for path, pixels in zip(paths, images, strict=True):
        if pixels.shape[:2] != expected:
            raise ValueError(
                f"{path} is {pixels.shape[0]}x{pixels.shape[1]} (height x width), but "
                f"{count} of the {len(paths)} images in {folder} are "
                f"{expected[0]}x{expected[1]}; all images must have the same size: "
                "resize or remove it."
            )
    if colour and grey:
        warnings.warn(
            f"{len(colour)} of the {len(paths)} images in {folder} are in colour (for "
            f"example {os.path.basename(colour[0])}); they were converted to grey, as "
            "asked (grey=True, --grey).",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
    elif colour and len(colour) < len(paths):
        # One shape for all: the grey images get their value in the three channels.
        warnings.warn(
            f"{len(colour)} of the {len(paths)} images in {folder} are in colour (for "
            f"example {os.path.basename(colour[0])}) and the others grey; the grey "
            "images were given three equal channels (pass grey=True, or --grey, to "
            "convert all to grey instead).",
            UserWarning,
            stacklevel=3,
        )
        images = [np.repeat(p[..., None], 3, axis=-1) if p.ndim == 2 else p
                  for p in images]
    return np.stack(images), paths


def _to_grey(images, source):
    """RGB images ``(n, h, w, 3)`` as grey ``(n, h, w)`` by the luma of Pillow;
    grey images unchanged."""
    if images.ndim == 3:
        return images
    if images.shape[-1] == 1:
        return images[..., 0]
    if images.shape[-1] != 3:
        raise ValueError(
            f"{source} holds images of {images.shape[-1]} channels; grey=True (--grey) "
            "converts RGB images (3 channels) only. Leave it out to keep the channels.")
    return (images @ _LUMA.astype(images.dtype)).astype(np.float32)


def load_images(path, *, image_shape=None, key=None, labels=None, grey=False):
    """Load the user's own grey or colour images, scaled to [0, 1].

    ``path`` is one of:

    - a ``.npy`` file holding an array of shape ``(n_images, height, width)`` (grey),
      ``(n_images, height, width, channels)`` (colour or multichannel, channels
      last), or ``(n_images, height * width * channels)`` with ``image_shape=(height,
      width)`` or ``(height, width, channels)`` (square grey images need no
      ``image_shape``);
    - a ``.npz`` archive holding such an array: the one named ``key``, else its only
      array, else the first of ``images``, ``data``, ``X`` present;
    - a folder of PNG or JPEG files (``*.png``, ``*.jpg``, ``*.jpeg``, any case), read
      in the order of their names (pad numbers with zeros: ``img_002.png`` comes
      before ``img_010.png``, ``img_2.png`` after ``img_10.png``). Other entries
      (subfolders, other files) are skipped with a warning; hidden files silently.
      All images must have the same size. Colour images are kept as RGB
      (``(height, width, 3)``; grey images among them get three equal channels, with
      a warning); transparency is ignored.

    With ``grey=True`` RGB images are converted to grey by the luma of ITU-R 601-2
    (Pillow's ``convert("L")``: 0.299 R + 0.587 G + 0.114 B), files and arrays alike.

    Pixel values are scaled to [0, 1]: image files by their bit depth (8-bit
    divided by 255, 16-bit by 65535). Array values already in [0, 1] are kept;
    otherwise, with a ``UserWarning``: integers within 0..255 are divided by 255,
    other non-negative values by their maximum, values with negatives are rescaled
    linearly from [min, max] to [0, 1].

    Parameters
    ----------
    path : str or path-like
        The ``.npy`` or ``.npz`` file, or the folder of images.
    image_shape : tuple of (int, int) or (int, int, int), default=None
        ``(height, width)`` or ``(height, width, channels)`` of the images of a
        ``(n_images, n_features)`` array; one entry may be -1. ``None`` means square
        grey images. For a 3-D or 4-D array or a folder, it is only checked against
        the images' shape.
    key : str, default=None
        The name of the array of a ``.npz`` archive.
    labels : str or path-like, default=None
        A file of one integer label per image, read with :func:`load_labels`.
    grey : bool, default=False
        Convert RGB images to grey (luma); grey images are unchanged.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_images, n_features), float32
            The images flattened row-major (channels last), in [0, 1]. A view of
            ``images``.
        images : ndarray of shape (n_images, height, width[, channels]), float32
            The images.
        image_shape : tuple of int
            ``(height, width)``, or ``(height, width, channels)`` for colour images.
        filenames : list of str or None
            The image files in the order of ``images`` (folders); None for arrays.
        target : ndarray of shape (n_images,), int64
            The labels; only when ``labels`` is given.
        DESCR : str
            What was read, from where.

    Raises
    ------
    FileNotFoundError
        ``path`` (or ``labels``) does not exist.
    ValueError
        A file of an unsupported kind, an array of the wrong shape or type, NaN or
        infinite values, no images, an unreadable image file, images of different
        sizes (the message names the odd file), an ``image_shape`` that does not
        fit, or labels that are not one integer per image.

    See Also
    --------
    load_labels : Read the labels alone.
    load_digits_images, fetch_fashion_mnist : The built-in data sets.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from sparse_parts.datasets import load_images
    >>> path = os.path.join(tempfile.mkdtemp(), "faces.npy")
    >>> np.save(path, np.random.default_rng(0).random((5, 6 * 4)))
    >>> bunch = load_images(path, image_shape=(6, 4))
    >>> bunch.data.shape, bunch.images.shape, bunch.image_shape
    ((5, 24), (5, 6, 4), (6, 4))
    """
    path = _user_path(path, "path")
    if key is not None and not path.lower().endswith(".npz"):
        raise ValueError(f"key={key!r} names an array of a .npz archive, but {path} is not one.")
    filenames = None
    if os.path.isdir(path):
        images, filenames = _read_image_folder(path, grey=bool(grey))
        images = _array_images(images, image_shape, path)  # checks image_shape only
    elif not os.path.isfile(path):
        raise FileNotFoundError(f"No image file or folder at {path}.")
    elif path.lower().endswith((".npy", ".npz")):
        images = _array_images(_read_array(path, key), image_shape, path)
        if grey:
            images = _to_grey(images, path)
    else:
        raise ValueError(
            f"Cannot read images from {path}: pass a .npy or .npz file, or a folder of "
            "PNG or JPEG images."
        )
    n_images, shape = images.shape[0], tuple(int(v) for v in images.shape[1:])
    kind = "grey" if len(shape) == 2 else f"{shape[2]}-channel"
    bunch = Bunch(
        data=images.reshape(n_images, -1),
        images=images,
        image_shape=shape,
        filenames=filenames,
        DESCR=f"{n_images} {kind} images of {shape[0]}x{shape[1]} pixels, scaled to "
        f"[0, 1], read from {path} by sparse_parts.datasets.load_images.",
    )
    if labels is not None:
        bunch.target = load_labels(labels, n_samples=n_images)
    return bunch


def load_labels(path, n_samples=None):
    """Read integer class labels, one per image, from a ``.npy``, ``.txt`` or ``.csv``.

    A ``.npy`` file holds an array of shape ``(n,)`` or ``(n, 1)`` of integers (or of
    floats with integer values). A text file (``.txt`` or ``.csv``) holds one label
    per line, or all labels on a single line separated by commas or spaces; blank
    lines are skipped, and there is no header line.

    Parameters
    ----------
    path : str or path-like
        The labels file.
    n_samples : int, default=None
        The number of images the labels belong to; a different count is an error.

    Returns
    -------
    labels : ndarray of shape (n,), int64
        The labels, in the order of the file.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        An unsupported file kind, a value that is not an integer, no labels, or not
        ``n_samples`` of them.
    """
    path = _user_path(path, "labels")
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No labels file at {path}.")
    if path.lower().endswith(".npy"):
        values = _read_array(path)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values.ravel()
        integral = values.dtype.kind in "biu" or (
            values.dtype.kind == "f" and np.isfinite(values).all()
            and np.array_equal(values, np.round(values))
        )
        if values.ndim != 1 or not integral:
            raise ValueError(
                f"{path} holds an array of shape {values.shape} and dtype {values.dtype}; "
                "labels must be a 1-D array of integers."
            )
    elif path.lower().endswith((".txt", ".csv")):
        values = _read_label_text(path)
    else:
        raise ValueError(f"Cannot read labels from {path}: pass a .npy, .txt or .csv file.")
    values = np.asarray(values)
    # Casting to int64 would wrap larger values (2**64 - 1 becomes -1) silently.
    if values.dtype.kind in "ufO" and values.size and (
            values.min() < -2**63 or values.max() >= 2**63):
        raise ValueError(
            f"{path} holds labels outside the 64-bit integer range (from {values.min()} "
            f"to {values.max()}); number the classes with small integers.")
    labels = values.astype(np.int64)
    if len(labels) == 0:
        raise ValueError(f"{path} holds no labels.")
    if n_samples is not None and len(labels) != n_samples:
        raise ValueError(
            f"{path} holds {len(labels)} labels but there are {n_samples} images; give "
            "one label per image, in the images' order (for a folder, by file name)."
        )
    return labels


def _read_label_text(path):
    """The integer labels of a text file: one per line, or all on one line."""
    try:
        with open(path, encoding="utf-8") as file:
            lines = [(number, line.strip()) for number, line in enumerate(file, 1)
                     if line.strip()]
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not a text file of labels (byte {error.start} is not UTF-8 text); "
            "write one integer label per line, or pass a .npy array.") from None
    labels = []
    for number, line in lines:
        tokens = re.split(r"[,\s]+", line)
        if len(tokens) > 1 and len(lines) > 1:
            raise ValueError(
                f"{path}, line {number}: {line!r} holds several values; write one label "
                "per line, or all labels on a single line."
            )
        for token in tokens:
            try:
                labels.append(int(token))
            except ValueError:
                raise ValueError(
                    f"{path}, line {number}: {token!r} is not an integer label."
                ) from None
    return labels
