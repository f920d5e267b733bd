"""The model cache is keyed on the package's code: a pickle of other code is never loaded."""

import os

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparse_parts import SparseNMF
from sparse_parts.study import cache

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def test_the_code_digest_hashes_every_source_file_of_the_package():
    digest = cache.code_digest()
    assert len(digest) == 64 and digest == cache.code_digest()
    cache.code_digest.cache_clear()
    assert cache.code_digest() == digest  # deterministic over the sorted files


def test_the_code_digest_changes_with_any_source_file(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    (package / "data.txt").write_text("not code\n")
    monkeypatch.setattr(cache, "_PACKAGE_DIR", str(package))
    cache.code_digest.cache_clear()
    first = cache.code_digest()
    (package / "data.txt").write_text("other\n")
    cache.code_digest.cache_clear()
    assert cache.code_digest() == first  # only .py files
    (package / "sub" / "b.py").write_text("y = 3\n")
    cache.code_digest.cache_clear()
    assert cache.code_digest() != first
    monkeypatch.undo()
    cache.code_digest.cache_clear()


def test_a_pickle_written_under_other_code_is_never_loaded(tmp_path, monkeypatch, small):
    X = small[:60]
    monkeypatch.setattr(cache, "code_digest", lambda: "0" * 64)  # other code wrote it
    old, _, cached = cache.fit_or_load_estimator(SparseNMF(3, max_iter=3, random_state=0),
                                                 "nmf", X, str(tmp_path))
    assert not cached and len(os.listdir(tmp_path)) == 1
    (stale,) = tmp_path.iterdir()
    monkeypatch.undo()
    new, _, cached = cache.fit_or_load_estimator(SparseNMF(3, max_iter=3, random_state=0),
                                                 "nmf", X, str(tmp_path))
    assert not cached and new is not old
    assert len(os.listdir(tmp_path)) == 2 and stale.exists()
    again, _, cached = cache.fit_or_load_estimator(SparseNMF(3, max_iter=3, random_state=0),
                                                   "nmf", X, str(tmp_path))
    assert cached  # the entry of this code is found
    np.testing.assert_array_equal(again.components_, new.components_)
