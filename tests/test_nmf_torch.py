"""SparseNMF on torch (``device=...``): the numpy algorithm, on tensors.

On the CPU in float64, torch and numpy run the same kernels from the same start, so
the fit must agree to rounding; the tests allow 1e-4 relative, the bar the torch
backend is held to.
"""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sparse_parts.nmf import SparseNMF, sparse_nmf

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CONSTRAINTS = {
    "none": {},
    "sample": {"code_sparseness": 0.5},
    "component": {"code_sparseness": 0.6, "code_sparseness_scope": "component"},
    "atoms": {"atom_sparseness": 0.5, "code_sparseness": 0.4},
    "l1": {"code_l1": 0.05},
    "l1-component": {"code_l1": 0.05, "code_sparseness": 0.6,
                     "code_sparseness_scope": "component"},
}


def _data(n_samples=90, n_features=36, seed=0):
    # Cubed uniform noise: skewed like pixel intensities, so the constraints bind.
    return np.random.RandomState(seed).rand(n_samples, n_features) ** 3


def _relative(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(a))


def _fitted(device, constraint, X, **params):
    model = SparseNMF(6, random_state=0, max_iter=40, device=device,
                      **CONSTRAINTS[constraint], **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter is kept small on purpose
        codes = model.fit_transform(X)
    return model, codes


@pytest.mark.parametrize("constraint", sorted(CONSTRAINTS))
def test_torch_on_the_cpu_fits_what_numpy_fits(constraint):
    X = _data()
    reference, reference_codes = _fitted(None, constraint, X)
    model, codes = _fitted("cpu", constraint, X)
    assert isinstance(model.components_, np.ndarray) and isinstance(codes, np.ndarray)
    assert model.components_.dtype == codes.dtype == np.float64
    assert model.n_iter_ == reference.n_iter_
    assert _relative(reference.components_, model.components_) < 1e-4
    assert _relative(reference_codes, codes) < 1e-4
    assert model.reconstruction_err_ == pytest.approx(reference.reconstruction_err_, rel=1e-4)
    X_new = _data(20, seed=1)
    assert _relative(reference.transform(X_new), model.transform(X_new)) < 1e-4


@pytest.mark.parametrize("constraint", sorted(CONSTRAINTS))
def test_the_fit_function_agrees_iteration_by_iteration(constraint):
    X = _data()
    kwargs = dict(n_components=5, init="random", random_state=3, max_iter=25, tol=0,
                  **CONSTRAINTS[constraint])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        codes, atoms, n_iter, errors = sparse_nmf(X, **kwargs)
        codes_t, atoms_t, n_iter_t, errors_t = sparse_nmf(X, device="cpu", **kwargs)
    assert n_iter_t == n_iter == 25
    np.testing.assert_allclose(errors_t, errors, rtol=1e-4)
    assert _relative(atoms, atoms_t) < 1e-4
    assert _relative(codes, codes_t) < 1e-4


def test_partial_fit_on_torch_agrees_with_numpy():
    X = _data(120)
    models = [SparseNMF(5, code_sparseness=0.4, random_state=0, device=device)
              for device in (None, "cpu")]
    for chunk in (X[:60], X[60:]):
        for model in models:
            model.partial_fit(chunk)
    assert _relative(models[0].components_, models[1].components_) < 1e-4
    assert models[1].components_.flags.c_contiguous


def test_float32_data_stays_float32_on_torch():
    X = _data().astype(np.float32)
    model, codes = _fitted("cpu", "component", X)
    assert model.components_.dtype == codes.dtype == model.transform(X).dtype == np.float32
    reference, _ = _fitted(None, "component", X)
    assert _relative(reference.components_, model.components_) < 1e-3


def test_the_callback_sees_tensors_on_the_device():
    seen = []

    def callback(n_iter, codes, components, error):
        seen.append((type(codes), components.device.type, error))
        return n_iter == 3

    sparse_nmf(_data(), 4, random_state=0, device="cpu", callback=callback)
    assert [s[:2] for s in seen] == [(torch.Tensor, "cpu")] * 3
    assert all(np.isfinite(s[2]) for s in seen)


@pytest.mark.parametrize("device", ["tpu", 3, "cuda:x"])
def test_an_unknown_device_is_a_clear_error_at_fit(device):
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda'"):
        SparseNMF(3, device=device).fit(_data())


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only error")
def test_cuda_without_cuda_says_so():
    with pytest.raises(ValueError, match="CUDA is not available.*device='cpu'"):
        SparseNMF(3, device="cuda").fit(_data())


def test_auto_and_a_torch_device_are_accepted():
    X = _data()
    expected, _ = _fitted(None, "sample", X)
    for device in ("auto", torch.device("cpu")):
        model, _ = _fitted(device, "sample", X)
        assert _relative(expected.components_, model.components_) < 1e-4


def test_the_numpy_fit_never_imports_torch():
    code = ("import sys, numpy as np, sparse_parts\n"
            "from sparse_parts import SparseNMF\n"
            "X = np.random.RandomState(0).rand(40, 16)\n"
            "model = SparseNMF(4, code_sparseness=0.5, random_state=0).fit(X)\n"
            "model.transform(X)\n"
            "SparseNMF(4, code_sparseness=0.5, code_sparseness_scope='component').fit(X)\n"
            "assert 'torch' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


@cuda
@pytest.mark.parametrize("constraint", ["none", "sample", "component"])
def test_cuda_fits_what_numpy_fits(constraint):
    X = _data()
    reference, reference_codes = _fitted(None, constraint, X)
    model, codes = _fitted("cuda", constraint, X)
    assert _relative(reference.components_, model.components_) < 1e-4
    assert _relative(reference_codes, codes) < 1e-4
    assert model.reconstruction_err_ == pytest.approx(reference.reconstruction_err_, rel=1e-4)


def test_a_cpu_device_fit_loads_neither_skorch_nor_the_autoencoders():
    # Resolving the device and running on torch need the backend module only.
    code = ("import sys, numpy as np\n"
            "from sparse_parts import SparseNMF\n"
            "X = np.random.RandomState(0).rand(40, 16)\n"
            "SparseNMF(4, code_sparseness=0.5, random_state=0, device='cpu').fit(X)"
            ".transform(X)\n"
            "assert 'torch' in sys.modules\n"
            "assert 'skorch' not in sys.modules, 'skorch'\n"
            "assert 'sparse_parts.autoencoders' not in sys.modules, 'autoencoders'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
