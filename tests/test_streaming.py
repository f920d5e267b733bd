"""Streaming through ``partial_fit`` holds one chunk at a time.

200,000 synthetic images of 28x28 pixels (627 MB as float32, more than the bound)
go through ``partial_fit`` in chunks of 10,000, in a process of its own: the peak
resident memory (``ru_maxrss``) must stay under 600 MB, and
grow by less than 100 MB (three chunks) from its value after the first chunk, which
already holds the imports and the working set of one chunk.
"""

import json
import subprocess
import sys
import textwrap

import pytest

# On Linux a process forked and exec'd by a large one (a pytest worker) starts with
# that process's peak as its ru_maxrss; one started by a small launcher process
# starts from the launcher's few MB.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"

_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from sparse_parts import SparseNMF, SparseNonNegAutoEncoder

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    name, n_images, chunk_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    estimator = (SparseNMF(n_components=20, random_state=0) if name == "nmf"
                 else SparseNonNegAutoEncoder(n_components=20, batch_size=500,
                                              random_state=0))
    rng = np.random.default_rng(0)
    atoms = rng.random((20, 784), dtype=np.float32) ** 4
    after_first = None
    for start in range(0, n_images, chunk_size):
        codes = rng.random((chunk_size, 20), dtype=np.float32) ** 8
        estimator.partial_fit(np.clip(codes @ atoms, 0, 1))
        del codes
        after_first = after_first or peak_mb()
    print(json.dumps(dict(after_first=after_first, peak=peak_mb(),
                          n_features=estimator.n_features_in_)))
""")


def _estimators():
    from sparse_parts import SparseNMF

    return ["ae"] + (["nmf"] if hasattr(SparseNMF, "partial_fit") else [])


@pytest.mark.parametrize("name", _estimators())
def test_partial_fit_streams_in_bounded_memory(name, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", _SCRIPT, name, "200000",
         "10000"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    memory = json.loads(result.stdout.strip().splitlines()[-1])
    assert memory["n_features"] == 784
    assert memory["peak"] < 600, memory
    assert memory["peak"] - memory["after_first"] < 100, memory
