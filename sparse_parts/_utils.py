"""Helpers shared by the estimators, metrics and morphology: validation, warnings, geometry."""

import math
import numbers
import os
import sys
import warnings

import numpy as np
import scipy.sparse
from sklearn.utils.validation import check_array, validate_data

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# scikit-learn wraps fit_transform and transform (set_output): a frame between the
# user's call and ours.
_WRAPPER_FILE = os.path.join("sklearn", "utils", "_set_output.py")


def external_stacklevel():
    """The ``stacklevel`` for :func:`warnings.warn` that points at the user's code.

    Called by the function about to warn: counts its frame and every caller inside
    this package (and scikit-learn's ``set_output`` wrapper of ``fit_transform``), so
    the warning names the first frame outside it: ``model.fit(X)`` in the user's
    script, whether ``fit`` reached the warning directly or through ``fit_transform``.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not (filename.startswith(_PACKAGE_DIR) or filename.endswith(_WRAPPER_FILE)):
            break
        frame, level = frame.f_back, level + 1
    return level


def resolve_image_shape(n_features, image_shape=None, *, required=True):
    """``(height, width)`` or ``(height, width, channels)`` of images flattened into
    ``n_features`` values.

    The one image-shape contract of the package (estimators, metrics, morphology,
    plots, the study): an image is flattened row-major with its channels last, as
    scikit-image and PIL store images, so ``image_shape`` is ``(height, width)`` for
    grey images and ``(height, width, channels)`` for colour or multichannel ones,
    with the product of its entries equal to ``n_features``. One entry may be
    ``-1``, inferred as in ``numpy.reshape``. ``None`` means square grey images,
    which needs ``n_features`` to be a perfect square. The shape is returned with as
    many entries as it was given (a grey shape stays a pair).

    With ``required=False``, a ``None`` that cannot be resolved (non-square data)
    returns ``None`` instead of raising: an estimator that does not need the shape
    to fit records that it is unknown, and only what needs an image (a convolution,
    morphology, a plot) asks again with ``required=True``.
    """
    n_features = int(n_features)
    if n_features < 1:
        raise ValueError(
            f"Images of n_features={n_features} pixels have no image shape: pass data with "
            "at least one feature (one pixel per column).")
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side == n_features:
            return side, side
        if not required:
            return None
        raise ValueError(
            f"Cannot infer the image shape: n_features={n_features} is not a perfect "
            "square. Pass image_shape=(height, width) with height * width == n_features, "
            "or (height, width, channels) for colour images (one entry may be -1).")
    # Integers only: int() would truncate 4.5 to 4, read True as 1 and "4" as 4, and
    # a string "44" is itself a pair of characters, so all would pass silently.
    try:
        sides = tuple(image_shape)
    except TypeError:
        sides = ()
    if (isinstance(image_shape, str) or len(sides) not in (2, 3) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in sides)):
        raise ValueError(
            "image_shape must be a pair of integers (height, width) or a triple (height, "
            f"width, channels), one of which may be -1, got {image_shape!r}.")
    sides = tuple(int(v) for v in sides)
    if sides.count(-1) > 1 or any(v < 1 and v != -1 for v in sides):
        raise ValueError(
            f"image_shape must hold positive integers (or one -1), got {image_shape!r}.")
    if -1 in sides:
        known = math.prod(v for v in sides if v != -1)
        if n_features % known:
            raise ValueError(
                f"image_shape={sides!r} cannot hold n_features={n_features}: "
                f"{n_features} is not a multiple of {known}.")
        sides = tuple(n_features // known if v == -1 else v for v in sides)
    if math.prod(sides) != n_features:
        names, unit = (("(height, width)", "pixels") if len(sides) == 2
                       else ("(height, width, channels)", "values"))
        raise ValueError(
            f"image_shape={tuple(image_shape)!r} holds {math.prod(sides)} {unit} but the data "
            f"has n_features={n_features}. Pass the {names} of the flattened images "
            "(channels last).")
    return sides


def split_image_shape(image_shape):
    """``(height, width, channels)`` of a resolved ``image_shape`` (grey: 1 channel)."""
    height, width, *channels = image_shape
    return int(height), int(width), int(channels[0]) if channels else 1


def image_shape_in_words(image_shape, *, sides=False):
    """``"28x28 pixels"``, or ``"12x12 pixels, 3 channels"``, for messages and reports;
    ``sides`` adds ``" (height x width)"`` after the pixels."""
    height, width, channels = split_image_shape(image_shape)
    return (f"{height}x{width} pixels" + (" (height x width)" if sides else "")
            + (f", {channels} channels" if len(image_shape) == 3 else ""))


def check_dense(x, name):
    """Refuse a scipy sparse matrix, which ``np.asarray`` would turn into a 0-d object array."""
    if scipy.sparse.issparse(x):
        raise TypeError(
            f"{name} is a scipy sparse matrix, but dense data is required; pass "
            f"{name}.toarray().")


def check_real(value, name, *, low=None, low_open=False, high=None, high_open=False):
    """Check that ``value`` is a finite real number in an interval; return it as float.

    ``low``/``high`` of None mean unbounded; ``*_open`` excludes the bound.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = (f"{'(' if low_open or low is None else '['}{lo}, {hi}"
                    f"{')' if high_open or high is None else ']'}")
        raise ValueError(f"{name} must be a real number in {interval}, got {value!r}.")
    return float(value)


def check_int(value, name, low=1):
    """Check that ``value`` is an integer (not a bool) of at least ``low``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def check_fraction(value, name):
    """None, or a real number in [0, 1] (a sparseness level)."""
    return None if value is None else check_real(value, name, low=0.0, high=1.0)


def check_codes(codes, estimator, count_name="n_components", *, low=0.0, high=None):
    """Validate codes for ``estimator.inverse_transform`` / ``decode``: 2-D, finite,
    float32/64, one column per atom (row of ``estimator.components_``), every entry in
    ``[low, high]`` (``None``: unbounded), the range the estimator's codes live in.

    ``count_name`` is how the error names the number of atoms (the estimator's
    parameter, or its fitted attribute where the parameter may be None).
    """
    codes = check_array(codes, dtype=[np.float64, np.float32], input_name="codes")
    n_components = estimator.components_.shape[0]
    if codes.shape[1] != n_components:
        raise ValueError(
            f"codes have {codes.shape[1]} columns but this {type(estimator).__name__} has "
            f"{count_name}={n_components}; pass the output of transform().")
    if codes.size:
        lowest, highest = codes.min(), codes.max()
        if (low is not None and lowest < low) or (high is not None and highest > high):
            bad = lowest if low is not None and lowest < low else highest
            allowed = (f">= {low:g}" if high is None else f"<= {high:g}" if low is None
                       else f"in [{low:g}, {high:g}]")
            raise ValueError(
                f"codes hold {bad:.4g}, but the codes of this {type(estimator).__name__} are "
                f"{allowed}; pass the output of transform().")
    return codes


def conv_geometry(size, kernel=4, stride=2, padding=1):
    """Kernel and output length along one axis of an InfoGAN convolution.

    Here, not beside the encoder, so that the reports count the encoder's weights
    without importing torch.

    InfoGAN's convolutions are 4 wide, stride 2, padding 1, which halves an axis.
    An axis shorter than 2 pixels cannot hold a 4-wide kernel with padding 1, so the
    kernel shrinks to ``size + 2`` there (output length 1); any other axis keeps the
    original geometry. Returns ``(kernel, output_length)``.
    """
    kernel = min(kernel, size + 2 * padding)
    return kernel, (size + 2 * padding - kernel) // stride + 1


# ------------------------------------------------------------- the input contract
# Above this maximum, X cannot be intensities in [0, 1] (even with some noise): most
# likely raw pixel values such as 0-255.
RAW_PIXEL_MAX = 1.5


def check_image_stack(X, owner):
    """Refuse a stack of images of more than two dimensions, saying how to flatten it
    (``owner``: the estimator or function named in the message).

    scikit-learn's own message ("Found array with dim 3") says neither how to flatten
    the images nor that ``image_shape`` then keeps their geometry.
    """
    shape = getattr(X, "shape", None)
    if shape is None and isinstance(X, (list, tuple)):
        try:
            shape = np.shape(X)
        except ValueError:  # ragged: scikit-learn's validation says so
            return
    if shape is not None and len(shape) > 2:
        geometry = tuple(int(v) for v in shape[1:])
        hint = (f"image_shape={geometry}" if len(geometry) <= 3
                else "image_shape=(height, width)")
        raise ValueError(
            f"X passed to {owner} must be a 2-D array (n_samples, n_features) of "
            f"flattened images, got an array of shape {tuple(int(v) for v in shape)}: "
            "flatten with X.reshape(len(X), -1) and pass image_shape=(h, w) to keep the "
            f"images' geometry (here {hint}).")


def negative_values_error(owner, smallest):
    """The ValueError for negative images, saying what to do: the codes, atoms,
    decoders and metrics of every estimator here assume non-negative images."""
    return ValueError(
        f"Negative values in data passed to {owner}: the smallest is {smallest:.4g}, but "
        "its codes, atoms and metrics assume non-negative images: shift/clip them (e.g. "
        "X - X.min(), or np.clip(X, 0, None)) or scale to [0, 1] (e.g. (X - X.min()) / "
        "(X.max() - X.min())).")


def check_non_negative(X, owner):
    """Refuse negative values in ``X`` (:func:`negative_values_error`)."""
    if X.size and float(X.min()) < 0:
        raise negative_values_error(owner, float(X.min()))


def warn_raw_pixels(X, estimator):
    """Warn when ``X`` holds values above :data:`RAW_PIXEL_MAX`: raw pixels (0-255)
    saturate the sigmoid codes of a model fitted for images in [0, 1]."""
    highest = float(X.max()) if X.size else 0.0
    if highest > RAW_PIXEL_MAX:
        warnings.warn(
            f"X holds values up to {highest:g}, but {type(estimator).__name__} expects "
            "images scaled to [0, 1] (its codes and default decoder are fitted for that "
            "range); scale X first, e.g. X / 255 for 8-bit pixels.",
            UserWarning, stacklevel=external_stacklevel())


def warn_more_atoms_than_samples(n_components, n_samples, estimator):
    """Warn when a fit learns more atoms than it has training images: the extra atoms
    are not determined by the data (copies of images, or left to the initialisation)."""
    if n_components > n_samples:
        warnings.warn(
            f"{type(estimator).__name__} learns n_components={n_components} atoms from "
            f"{n_samples} samples: more atoms than samples are not determined by the data. "
            "Fit on more images or lower n_components.",
            UserWarning, stacklevel=external_stacklevel())


def check_image_array(X, owner, name="X"):
    """The input contract of the public functions (no estimator to set
    ``n_features_in_`` on): ``X`` as a 2-D float32/float64 array, with the clear
    messages of :func:`check_images` for a stack of images and for negative values."""
    check_image_stack(X, owner)
    X = check_array(X, dtype=[np.float64, np.float32], input_name=name)
    check_non_negative(X, owner)
    return X


def check_images(estimator, X, *, reset, ensure_min_samples=1,
                 dtype=(np.float64, np.float32)):
    """The one input contract of the estimators: ``X`` validated as scikit-learn does
    (2-D, finite, float32 or float64 -- other dtypes become the first of ``dtype`` --,
    ``n_features_in_`` set or checked), plus a clear
    message for a stack of images of more than two dimensions and for negative values.

    Returns the validated array.
    """
    owner = type(estimator).__name__
    check_image_stack(X, owner)
    X = validate_data(estimator, X, dtype=list(dtype), reset=reset,
                      ensure_min_samples=ensure_min_samples)
    check_non_negative(X, owner)
    return X


def real_array(x, name):
    """``x`` as a numpy array of booleans, integers or floats; anything else is refused.

    A complex array would lose its imaginary part silently in a float cast, and text
    would fail with numpy's own message; an object array of numbers is converted.
    """
    check_dense(x, name)
    array = np.asarray(x)
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers (booleans, integers or floats), got an array of "
            f"dtype {array.dtype}. Convert it, e.g. with np.asarray({name}, dtype=float).")
    return array


def require_finite(all_finite, name, who):
    """Raise the package's error for NaN or infinite input unless ``all_finite``."""
    if not all_finite:
        raise ValueError(
            f"{name} holds NaN or infinite values; {who} needs finite input. Replace or "
            "drop them first (e.g. np.nan_to_num, or remove the rows).")
