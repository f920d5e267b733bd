"""Bad and unusual input to image_shape: the one image-shape contract of ``_utils``.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF
from sparse_parts.morphology import apply_operator

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((20, 16))


# ------------------------------------------------------------------ image_shape
@pytest.mark.parametrize("image_shape", [(4.5, 4), (True, 16), "44", ("4", "4")])
def test_image_shape_of_non_integers_is_refused_not_truncated(X, image_shape):
    # int() read 4.5 as 4, True as 1 and the string "44" as the pair (4, 4).
    with pytest.raises(ValueError, match="image_shape must be a pair of integers"):
        SparseNMF(3, max_iter=1, image_shape=image_shape).fit(X)


def test_images_of_zero_pixels_have_no_image_shape():
    # n_features=0 resolved to a (0, 0) image and apply_operator returned an empty result.
    with pytest.raises(ValueError, match="n_features=0"):
        apply_operator(np.zeros((3, 0)))
