"""Bad and unusual input to the Hoyer measure and the projections of ``sparseness``.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning

from sparse_parts.morphology import apply_operator, dilation
from sparse_parts.sparseness import (
    hoyer_sparseness,
    project_l1_l2,
    project_sparseness,
    project_sparseness_cone,
    project_vector_warm,
)

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


# ------------------------------------------------------------------ sparseness
@pytest.mark.parametrize("l2", [1e300, 1e-300])
def test_projection_reaches_the_sparseness_at_extreme_l2(l2):
    # l2 ** 2 overflowed (or vanished) and every row came back uniform: sparseness 0.
    rows = np.random.default_rng(0).random((4, 10))
    projected = project_sparseness(rows, 0.5, l2)
    np.testing.assert_allclose(hoyer_sparseness(projected), 0.5, atol=1e-9)
    np.testing.assert_allclose(projected.max(axis=1) / l2,
                               project_sparseness(rows, 0.5).max(axis=1), rtol=1e-12)


def test_project_sparseness_cone_refuses_a_non_bool_at_least():
    # The string "no" is truthy and selected the "at least" set silently.
    with pytest.raises(ValueError, match="at_least must be True or False"):
        project_sparseness_cone(np.ones((2, 4)), 0.5, at_least="no")


def test_project_vector_warm_refuses_a_float_max_passes():
    # range(2.5) raised "'float' object cannot be interpreted as an integer".
    with pytest.raises(ValueError, match="max_passes must be an integer"):
        project_vector_warm(np.arange(1.0, 11.0), 2.0, 1.0, None, 2.5)


@pytest.mark.parametrize("call", [
    lambda m: dilation(m), lambda m: apply_operator(m), lambda m: hoyer_sparseness(m),
    lambda m: project_l1_l2(m, 2.0, 1.0)])
def test_sparse_matrices_get_a_clear_error(call):
    # np.asarray made a 0-d object array: "got shape ()" or "got dtype object".
    matrix = scipy.sparse.csr_matrix(np.random.default_rng(0).random((4, 9)))
    with pytest.raises(TypeError, match="scipy sparse matrix.*toarray"):
        call(matrix)
