"""Validation helpers shared by the estimators, metrics and morphology."""

import math
import numbers

import numpy as np


def check_image_shape(n_features, image_shape=None):
    """Return ``(height, width)`` for images flattened into ``n_features`` values.

    ``image_shape=None`` means square images, which needs ``n_features`` to be a
    perfect square. Raises a ``ValueError`` that says what to pass otherwise.
    """
    n_features = int(n_features)
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"Cannot infer the image shape: n_features={n_features} is not a perfect "
                "square. Pass image_shape=(height, width) with height * width == n_features."
            )
        return side, side
    try:
        height, width = (int(v) for v in image_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"image_shape must be a pair of positive integers (height, width), got {image_shape!r}."
        ) from None
    if height < 1 or width < 1:
        raise ValueError(f"image_shape must hold positive integers, got {image_shape!r}.")
    if height * width != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)!r} holds {height * width} pixels but the data has "
            f"n_features={n_features}. Pass the (height, width) of the flattened images."
        )
    return height, width


def check_fraction(value, name, *, low=0.0, high=1.0, allow_none=True,
                   low_open=False, high_open=False):
    """Check that ``value`` is a real number in the interval from ``low`` to ``high``."""
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
        raise ValueError(f"{name} must be a real number in [{low}, {high}], got {value!r}.")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must lie in {lo}{low}, {high}{hi}, got {value!r}.")
    return float(value)
