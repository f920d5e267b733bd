"""Tests for sparse_parts.morphology: batched operators equal scikit-image per image."""

import numpy as np
import pytest
import skimage.morphology
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sparse_parts.morphology import (
    OPERATORS,
    apply_operator,
    closing,
    dilation,
    erosion,
    opening,
)

FUNCTIONS = {"dilation": dilation, "erosion": erosion, "opening": opening, "closing": closing}

# Non-symmetric footprints: mirroring them gives a different footprint, so a
# missing (or doubled) mirror in the implementation shows up as a mismatch.
L_SHAPE = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], dtype=bool)
OFF_CENTRE = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 1]], dtype=np.uint8)
EVEN_2X2 = np.array([[1, 0], [1, 1]], dtype=bool)
EVEN_2X3 = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.int64)
FOOTPRINTS = {
    "disk2": skimage.morphology.disk(2),
    "L_shape": L_SHAPE,
    "off_centre": OFF_CENTRE,
    "even_2x2": EVEN_2X2,
    "even_2x3": EVEN_2X3,
    "rect_3x3": skimage.morphology.footprint_rectangle((3, 3)),
    "rect_1x4": skimage.morphology.footprint_rectangle((1, 4)),
    "rect_4x2": skimage.morphology.footprint_rectangle((4, 2)),
    "single_pixel": np.ones((1, 1), dtype=bool),
}


def _stack(dtype, n=4, shape=(9, 11), seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.random((n, *shape)).astype(dtype)
    return rng.integers(0, 256, size=(n, *shape)).astype(dtype)


def _reference(name, stack, footprint):
    reference = getattr(skimage.morphology, name)
    return np.stack([reference(image, footprint) for image in stack])


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("radius", [0, 1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_radius_matches_skimage_per_image(name, radius, dtype):
    stack = _stack(dtype)
    expected = _reference(name, stack, skimage.morphology.disk(radius))
    result = FUNCTIONS[name](stack, radius)
    assert result.dtype == stack.dtype
    assert result.shape == stack.shape
    np.testing.assert_array_equal(result, expected)
    if radius == 0:
        np.testing.assert_array_equal(result, stack)


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("footprint_name", FOOTPRINTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_footprint_matches_skimage_per_image(name, footprint_name, dtype):
    footprint = FOOTPRINTS[footprint_name]
    stack = _stack(dtype, seed=1)
    expected = _reference(name, stack, footprint)
    result = FUNCTIONS[name](stack, footprint=footprint)
    assert result.dtype == stack.dtype
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("footprint", [L_SHAPE, EVEN_2X2, EVEN_2X3], ids=["L", "2x2", "2x3"])
def test_non_symmetric_footprint_is_not_mirrored_twice(footprint):
    # The test above is only meaningful if the mirrored footprint gives another
    # answer; check that, and that we follow the unmirrored (scikit-image) one.
    stack = _stack(np.float64, seed=2)
    mirrored = footprint[::-1, ::-1]
    result = dilation(stack, footprint=footprint)
    assert not np.array_equal(result, _reference("dilation", stack, mirrored))
    np.testing.assert_array_equal(result, _reference("dilation", stack, footprint))


@pytest.mark.parametrize("name", OPERATORS)
def test_single_image_matches_skimage(name):
    image = _stack(np.float32, n=1, shape=(7, 5), seed=3)[0]
    result = FUNCTIONS[name](image, 2)
    assert result.shape == image.shape
    assert result.dtype == np.float32
    np.testing.assert_array_equal(
        result, getattr(skimage.morphology, name)(image, skimage.morphology.disk(2))
    )


@pytest.mark.parametrize("radius", [1, 3])
def test_bright_pixel_does_not_leak_into_neighbouring_images(radius):
    stack = np.zeros((3, 8, 8), dtype=np.float32)
    stack[1, 0, 0] = 1.0  # a corner pixel: with a 3-D footprint it would reach 0 and 2
    result = dilation(stack, radius)
    assert result[1].sum() > 1.0
    assert not result[0].any()
    assert not result[2].any()
    dark = np.ones((3, 8, 8))
    dark[0, 4, 4] = 0.0
    assert erosion(dark, radius)[1:].min() == 1.0
    assert closing(dark, radius)[0].min() == 1.0


def test_input_is_not_modified():
    stack = _stack(np.float64)
    copy = stack.copy()
    for function in FUNCTIONS.values():
        function(stack, 2)
    np.testing.assert_array_equal(stack, copy)


def test_empty_stack_and_list_input():
    assert dilation(np.zeros((0, 5, 5), dtype=np.float32)).shape == (0, 5, 5)
    result = dilation([[0, 0, 0], [0, 1, 0], [0, 0, 0]], footprint=np.ones((3, 3)))
    np.testing.assert_array_equal(result, np.ones((3, 3), dtype=int))


@settings(max_examples=60, deadline=None)
@given(
    stack=hnp.arrays(
        np.float64,
        st.tuples(
            st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)
        ),
        elements=st.floats(-10, 10, allow_nan=False),
    ),
    footprint=hnp.arrays(
        bool, st.tuples(st.integers(1, 4), st.integers(1, 4))
    ).filter(lambda f: f.any()),
    name=st.sampled_from(OPERATORS),
)
def test_random_stacks_and_footprints_match_skimage(stack, footprint, name):
    np.testing.assert_array_equal(
        FUNCTIONS[name](stack, footprint=footprint), _reference(name, stack, footprint)
    )


# -- apply_operator ----------------------------------------------------------


@pytest.mark.parametrize("name", OPERATORS)
def test_apply_operator_on_flat_rows(name):
    stack = _stack(np.float32, n=5, shape=(6, 6), seed=4)
    X = stack.reshape(5, 36)
    result = apply_operator(X, name, radius=1)
    assert result.shape == (5, 36)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(
        result.reshape(5, 6, 6), _reference(name, stack, skimage.morphology.disk(1))
    )


def test_apply_operator_non_square_image_shape_and_footprint():
    stack = _stack(np.float64, n=3, shape=(4, 7), seed=5)
    X = stack.reshape(3, 28)
    result = apply_operator(X, "erosion", footprint=L_SHAPE, image_shape=(4, 7))
    np.testing.assert_array_equal(result.reshape(3, 4, 7), _reference("erosion", stack, L_SHAPE))
    # The same rows read as 7x4 images give another answer: the shape is used.
    other = apply_operator(X, "erosion", footprint=L_SHAPE, image_shape=(7, 4))
    assert not np.array_equal(result, other)


def test_apply_operator_callable():
    X = np.arange(18, dtype=np.float64).reshape(2, 9)
    seen = {}

    def negate(stack):
        seen["shape"] = stack.shape
        return -stack

    np.testing.assert_array_equal(apply_operator(X, negate), -X)
    assert seen["shape"] == (2, 3, 3)


def test_apply_operator_callable_wrong_shape():
    with pytest.raises(ValueError, match="must return a stack of the same shape"):
        apply_operator(np.zeros((2, 9)), lambda stack: stack[:1])


# -- errors ------------------------------------------------------------------


def test_unknown_operator_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown operator 'dilate'.*dilation, erosion, opening, "
                                         "closing"):
        apply_operator(np.zeros((1, 9)), "dilate")
    with pytest.raises(ValueError, match="or a callable"):
        apply_operator(np.zeros((1, 9)), 3)


@pytest.mark.parametrize("radius", [-1, 1.5, 2.0, "1", True, None])
def test_bad_radius(radius):
    with pytest.raises(ValueError, match="radius must be a non-negative integer"):
        dilation(np.zeros((2, 5, 5)), radius)
    with pytest.raises(ValueError, match="radius must be a non-negative integer"):
        apply_operator(np.zeros((2, 25)), "opening", radius)


def test_numpy_integer_radius_is_accepted():
    stack = _stack(np.float64)
    np.testing.assert_array_equal(dilation(stack, np.int64(2)), dilation(stack, 2))


@pytest.mark.parametrize(
    ("footprint", "match"),
    [
        (np.ones(3), "footprint must be a 2-D array"),
        (np.ones((1, 3, 3)), "footprint must be a 2-D array"),
        (np.ones((0, 3)), "footprint is empty"),
        (np.zeros((3, 3)), "footprint is empty"),
        (np.full((3, 3), 2), "footprint must hold only 0/1"),
        (np.full((3, 3), np.nan), "footprint must hold only 0/1"),
    ],
)
def test_bad_footprint(footprint, match):
    with pytest.raises(ValueError, match=match):
        erosion(np.zeros((2, 5, 5)), footprint=footprint)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 5, 5, 1), ()])
def test_images_must_be_2d_3d_or_4d(shape):
    # 4-D is a stack of colour images (tests/test_colour.py).
    with pytest.raises(ValueError, match="single grey image .* or a stack"):
        dilation(np.zeros(shape))


def test_nan_is_rejected():
    stack = np.zeros((2, 5, 5), dtype=np.float32)
    stack[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match="must not contain NaN"):
        closing(stack)
    with pytest.raises(ValueError, match="must not contain NaN"):
        apply_operator(stack.reshape(2, 25), lambda s: s)


@pytest.mark.parametrize("dtype", [np.float16, np.complex128, object])
def test_unsupported_dtype(dtype):
    with pytest.raises(ValueError, match="must hold booleans, integers, float32 or float64"):
        dilation(np.zeros((2, 4, 4), dtype=dtype))


def test_apply_operator_needs_2d_and_a_valid_image_shape():
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        apply_operator(np.zeros(9))
    with pytest.raises(ValueError, match="not a perfect square"):
        apply_operator(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="holds 12 pixels"):
        apply_operator(np.zeros((2, 10)), image_shape=(3, 4))


# -- footprints larger than the images -----------------------------------------


def _reflect_oracle(name, image, footprint):
    """Dilation or erosion of one image written from the definition, with the image
    extended by symmetric reflection (scikit-image's ``mode="reflect"``) as far as
    the footprint reaches; even sides are padded at the front as scikit-image does.
    Offsets are read as scikit-image reads them (checked against it below)."""
    footprint = np.pad(footprint, [(1 - k % 2, 0) for k in footprint.shape])
    half_h, half_w = (k // 2 for k in footprint.shape)
    height, width = image.shape
    padded = np.pad(image, ((half_h, half_h), (half_w, half_w)), mode="symmetric")
    reduce = np.maximum if name == "dilation" else np.minimum
    result = None
    for i, j in np.argwhere(footprint):
        window = padded[i:i + height, j:j + width]
        result = window if result is None else reduce(result, window)
    return result


@pytest.mark.parametrize("name", ["dilation", "erosion"])
def test_reflect_oracle_agrees_with_skimage_where_skimage_is_sound(name):
    # The oracle of the tests below, checked where scikit-image is right: footprints
    # up to about three times the image side, non-symmetric and even-sided included.
    rng = np.random.default_rng(8)
    for _ in range(40):
        shape = tuple(rng.integers(1, 6, size=2))
        footprint = rng.random(tuple(rng.integers(1, 13, size=2))) < 0.3
        footprint[0, 0] = True
        image = rng.random(shape)
        np.testing.assert_array_equal(
            _reflect_oracle(name, image, footprint),
            getattr(skimage.morphology, name)(image, footprint))


@pytest.mark.parametrize("shape", [(8, 8), (5, 11)])
@pytest.mark.parametrize("radius", [30, 50, 78])
def test_huge_radius_is_finite_deterministic_and_exact(shape, radius):
    # scikit-image returns values up to 1e248 here, read from outside its padding.
    stack = _stack(np.float64, n=3, shape=shape, seed=radius)
    height, width = shape
    centre = radius
    by_hand = skimage.morphology.disk(radius)[centre - height + 1:centre + height,
                                              centre - width + 1:centre + width]
    # The disk covers every offset within the image: dilation is the image maximum.
    full_max = np.broadcast_to(stack.max(axis=(1, 2))[:, None, None], stack.shape)
    full_min = np.broadcast_to(stack.min(axis=(1, 2))[:, None, None], stack.shape)
    np.testing.assert_array_equal(dilation(stack, radius), full_max)
    np.testing.assert_array_equal(erosion(stack, radius), full_min)
    for name in OPERATORS:
        result = FUNCTIONS[name](stack, radius)
        assert np.isfinite(result).all()
        np.testing.assert_array_equal(result, FUNCTIONS[name](stack, radius))
        np.testing.assert_array_equal(result, _reference(name, stack, by_hand))
    flat = apply_operator(stack.reshape(3, -1), "closing", radius, image_shape=shape)
    np.testing.assert_array_equal(flat, full_max.reshape(3, -1))


@pytest.mark.parametrize("shape", [(8, 8), (5, 11), (1, 7)])
@pytest.mark.parametrize("name", ["dilation", "erosion"])
def test_huge_non_symmetric_footprint_reads_the_reflected_border(shape, name):
    # Far parts of a footprint read the reflected image: cropping them away would be
    # wrong for a non-symmetric footprint; the result equals the oracle's.
    rng = np.random.default_rng(9)
    stack = _stack(np.float64, n=2, shape=shape, seed=9)
    for footprint_shape in [(61, 47), (4 * shape[0] + 2, 157)]:
        footprint = rng.random(footprint_shape) < 0.01
        footprint[-1, 0] = True
        result = FUNCTIONS[name](stack, footprint=footprint)
        expected = np.stack([_reflect_oracle(name, image, footprint) for image in stack])
        np.testing.assert_array_equal(result, expected)


def test_radius_far_beyond_the_image_builds_no_huge_disk():
    stack = _stack(np.float32, n=2, shape=(3, 4), seed=10)
    # disk(10**6) alone would need terabytes.
    result = dilation(stack, 10**6)
    np.testing.assert_array_equal(result, dilation(stack, 5))
    assert result.dtype == np.float32


def test_apply_operator_names_x_in_its_errors():
    with pytest.raises(ValueError, match="X must hold booleans, integers"):
        apply_operator(np.zeros((2, 9), dtype=object))
