"""Bad and unusual input to the user's files and the data sets of ``datasets``.

A clear error, or the right result: each test failed before its fix with an opaque
error from deep inside a library, a traceback from the command line, or a silently
wrong result.
"""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts.datasets import fetch_fashion_mnist, load_images, load_labels

# The tiny fits stop before converging, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


# ------------------------------------------------------------------ user files
def test_load_labels_of_a_binary_file_says_what_is_wrong(tmp_path):
    # UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff ...
    path = tmp_path / "labels.txt"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="labels.txt is not a text file of labels"):
        load_labels(path)


@pytest.mark.parametrize("values", [np.array([2**64 - 1, 1], dtype=np.uint64),
                                    np.array([1e20, 1.0])])
def test_load_labels_refuses_labels_beyond_int64(tmp_path, values):
    # The cast to int64 wrapped 2**64 - 1 to -1 and 1e20 to -2**63, silently.
    path = tmp_path / "labels.npy"
    np.save(path, values)
    with pytest.raises(ValueError, match="outside the 64-bit integer range"):
        load_labels(path)


def test_load_labels_of_a_huge_text_label_is_refused(tmp_path):
    # OverflowError: Python int too large to convert to C long.
    path = tmp_path / "labels.txt"
    path.write_text(f"{2**70}\n1\n")
    with pytest.raises(ValueError, match="outside the 64-bit integer range"):
        load_labels(path)


@pytest.mark.parametrize("n_samples", ["6", -1, 6.0, True])
def test_load_labels_checks_n_samples(tmp_path, n_samples):
    # n_samples="6" said "holds 6 labels but there are 6 images".
    path = tmp_path / "labels.npy"
    np.save(path, np.arange(6))
    with pytest.raises(ValueError, match="n_samples must be an integer"):
        load_labels(path, n_samples)


@pytest.mark.parametrize("call, name", [
    (lambda: load_images(3), "path"),
    (lambda: load_labels(None), "labels"),
    (lambda: fetch_fashion_mnist(data_home=3, download_if_missing=False), "data_home"),
])
def test_paths_of_the_wrong_type_are_named(call, name):
    # os.fspath: "expected str, bytes or os.PathLike object, not int" named no argument.
    with pytest.raises(TypeError, match=f"{name} must be the path"):
        call()


def test_load_images_with_a_labels_array_says_labels_is_a_path(tmp_path):
    path = tmp_path / "images.npy"
    np.save(path, np.random.default_rng(0).random((6, 4, 4)))
    with pytest.raises(TypeError, match="labels must be the path"):
        load_images(path, labels=np.arange(6))
