"""Colour and multichannel images: ``image_shape=(height, width, channels)``, channels
last, flattened row-major, through the shape contract, morphology, the estimators,
the data and the plots."""

import numpy as np
import pytest

from sparse_parts._utils import resolve_image_shape, split_image_shape


# ------------------------------------------------------------------ the shape contract
@pytest.mark.parametrize("n_features, image_shape, expected", [
    (64, None, (8, 8)),                # None: square grey, unchanged
    (48, (4, 12), (4, 12)),            # grey stays a pair
    (48, (4, 4, 3), (4, 4, 3)),
    (48, (-1, 4, 3), (4, 4, 3)),
    (48, (4, -1, 3), (4, 4, 3)),
    (48, (4, 4, -1), (4, 4, 3)),
    (48, (2, 3, 8), (2, 3, 8)),        # multispectral: any number of channels
    (16, (4, 4, 1), (4, 4, 1)),
    (48, (-1, 12), (4, 12)),
])
def test_resolve_image_shape_with_channels(n_features, image_shape, expected):
    assert resolve_image_shape(n_features, image_shape) == expected


@pytest.mark.parametrize("image_shape, match", [
    ((4,), "pair of integers .* or a triple"),
    ((2, 2, 2, 3), "pair of integers .* or a triple"),
    ((4, 4, 3.0), "pair of integers .* or a triple"),
    ((4, 4, True), "pair of integers .* or a triple"),
    ("443", "pair of integers .* or a triple"),
    ((4, 4, 0), "positive integers"),
    ((4, -4, 3), "positive integers"),
    ((-1, -1, 3), "positive integers"),
    ((4, 4, 2), r"holds 32 values but the data has n_features=48.*channels"),
    ((-1, 5, 3), "n_features=48: 48 is not a multiple of 15"),
])
def test_resolve_image_shape_refuses_invalid_shapes(image_shape, match):
    with pytest.raises(ValueError, match=match):
        resolve_image_shape(48, image_shape)


def test_non_square_data_without_image_shape_asks_for_channels_too():
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        resolve_image_shape(48)
    assert resolve_image_shape(48, required=False) is None


def test_split_image_shape():
    assert split_image_shape((4, 5)) == (4, 5, 1)
    assert split_image_shape((4, 5, 3)) == (4, 5, 3)
