"""SparseNMF fitted on a dask array, on a LocalCluster of 2 worker processes.

Needs the optional extra ``distributed`` (``pip install sparse-parts[distributed]``);
skipped without it.
"""

import os
import signal
import sys
import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import dask.array as da  # noqa: E402

from sparse_parts import SparseNMF  # noqa: E402
from sparse_parts._distributed import (  # noqa: E402
    _require_dask,
    is_dask_array,
    sparse_nmf_dask,
)
from sparse_parts._nmf_constraints import factor_constraints, starting_point  # noqa: E402
from sparse_parts.datasets import load_digits_images  # noqa: E402
from sparse_parts.nmf import sparse_nmf  # noqa: E402

N_COMPONENTS = 8


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def digits():
    return load_digits_images().data[:300].astype(np.float64)


def _same_start(X, **params):
    """The in-memory fit's start (in X's units), to give the distributed fit."""
    scale = X.max()
    atom_constraint, code_constraint = factor_constraints(
        X / scale, N_COMPONENTS, params.get("atom_sparseness"), params.get("code_sparseness"),
        "sample")
    codes, atoms_t = starting_point(X / scale, N_COMPONENTS, "nndsvd", check_random_state(0),
                                    atom_constraint, code_constraint)
    return codes * scale, atoms_t.T


def _guarded_chunks(X, chunk_size, client_pid, log=None):
    """A dask array of ``X`` whose chunks are loaded by tasks that fail in the client's
    process (and, given ``log``, append their process id to that file)."""

    def load(start, stop):  # a closure: sent to the workers by value
        import os

        if os.getpid() == client_pid:
            raise AssertionError("a chunk of images was loaded in the client process")
        if log is not None:
            with open(log, "a") as file:
                file.write(f"{os.getpid()}\n")
        return X[start:stop]

    return da.concatenate([
        da.from_delayed(dask.delayed(load, pure=True)(start, min(start + chunk_size, len(X))),
                        shape=(min(start + chunk_size, len(X)) - start, X.shape[1]),
                        dtype=X.dtype)
        for start in range(0, len(X), chunk_size)])


@pytest.mark.slow
@pytest.mark.parametrize("params", [{}, {"code_sparseness": 0.5},
                                    {"code_l1": 0.1, "atom_sparseness": 0.5}],
                         ids=["unconstrained", "sample-scope", "code-l1"])
def test_distributed_fit_equals_the_in_memory_fit(client, digits, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, expected, n_iter, errors = sparse_nmf(digits, N_COMPONENTS, max_iter=12, tol=0,
                                                 random_state=0, **params)
        components, dask_n_iter, dask_errors = sparse_nmf_dask(
            da.from_array(digits, chunks=(110, 64)), N_COMPONENTS, max_iter=12, tol=0,
            init=_same_start(digits, **params), **params)
    assert dask_n_iter == n_iter == 12
    np.testing.assert_allclose(dask_errors, errors, rtol=1e-9)
    np.testing.assert_allclose(components, expected, atol=1e-9)


@pytest.mark.slow
def test_the_stopping_rule_is_the_in_memory_one(client, digits):
    _, expected, n_iter, _ = sparse_nmf(digits, N_COMPONENTS, max_iter=200, tol=1e-3,
                                        random_state=0)
    components, dask_n_iter, _ = sparse_nmf_dask(
        da.from_array(digits, chunks=(150, 64)), N_COMPONENTS, max_iter=200, tol=1e-3,
        init=_same_start(digits))
    assert dask_n_iter == n_iter < 200
    np.testing.assert_allclose(components, expected, atol=1e-9)


@pytest.mark.slow
def test_estimator_fits_on_the_workers_without_gathering_images(client, digits, tmp_path):
    log = tmp_path / "loads.txt"
    X = _guarded_chunks(digits, 100, os.getpid(), log=str(log))
    model = SparseNMF(N_COMPONENTS, code_sparseness=0.4, max_iter=15, tol=0, random_state=0)
    codes = model.fit_transform(X)
    worker_pids = set(client.run(os.getpid).values())
    loaders = {int(pid) for pid in log.read_text().split()}
    assert loaders and loaders <= worker_pids

    # The fitted model, as the in-memory one describes itself.
    assert model.components_.shape == (N_COMPONENTS, 64) and model.n_iter_ == 15
    assert model.n_features_in_ == 64 and model.image_shape_ == (8, 8)
    np.testing.assert_allclose(np.linalg.norm(model.components_, axis=1), 1, rtol=1e-6)
    # fit_transform's codes are lazy, and are transform's.
    assert is_dask_array(codes) and codes.chunks[0] == X.chunks[0]
    computed = codes.compute()
    # (Up to the per-sample solver's tolerance: rounding moves its stopping point.)
    np.testing.assert_allclose(computed, model.transform(digits), rtol=1e-6, atol=1e-6)
    residual = np.linalg.norm(digits - computed @ model.components_)
    np.testing.assert_allclose(model.reconstruction_err_, residual, rtol=1e-8)
    # The start differs from the in-memory fit's, not the quality of the result.
    in_memory = SparseNMF(N_COMPONENTS, code_sparseness=0.4, max_iter=15, tol=0,
                          random_state=0)
    in_memory.fit(digits)
    assert model.reconstruction_err_ < 1.1 * in_memory.reconstruction_err_


def test_transform_is_lazy_and_per_block(client, digits):
    model = SparseNMF(N_COMPONENTS, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(digits)
    codes = model.transform(_guarded_chunks(digits, 70, os.getpid()))
    assert is_dask_array(codes) and codes.shape == (len(digits), N_COMPONENTS)
    np.testing.assert_allclose(codes.compute(), model.transform(digits), rtol=1e-12,
                               atol=1e-14)
    with pytest.raises(ValueError, match="expecting 64 features"):
        model.transform(da.zeros((5, 10)))


def test_bad_input_is_a_clear_value_error(client, digits):
    X = da.from_array(digits, chunks=(150, 64))
    with pytest.raises(ValueError, match="code_sparseness_scope='sample'"):
        SparseNMF(4, code_sparseness=0.5, code_sparseness_scope="component").fit(X)
    with pytest.raises(ValueError, match="device=None"):
        SparseNMF(4, device="cpu").fit(X)
    with pytest.raises(ValueError, match=r"Negative values in data passed to SparseNMF: .*clip"):
        SparseNMF(4).fit(X - 0.5)
    with pytest.raises(ValueError, match="NaN or infinity"):
        SparseNMF(4).fit(da.where(X > 0.9, np.nan, X))
    with pytest.raises(ValueError, match="2-D"):
        SparseNMF(4).fit(X.reshape(-1, 8, 8))


def _cluster_keys(client):
    """The keys of the fits' tasks that the scheduler still holds, once it settled."""
    for _ in range(50):
        keys = [key for key in client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.tasks)) if "sparse-nmf" in str(key)]
        if not keys:
            break
        time.sleep(0.1)
    return keys


def test_interrupted_fit_raises_and_releases_the_cluster(client, digits):
    def interrupt(n_iter, components, error):
        if n_iter == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sparse_nmf_dask(da.from_array(digits, chunks=(100, 64)), N_COMPONENTS,
                        max_iter=10, callback=interrupt)
    assert _cluster_keys(client) == []

    # A failing chunk (a read error on a worker) leaves a fitted model as it was.
    model = SparseNMF(N_COMPONENTS, max_iter=5, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(digits)
    before = model.components_.copy()

    def broken(start, stop):
        raise OSError("cannot read the chunk")

    X = da.concatenate([da.from_array(digits[:200], chunks=(100, 64)),
                        da.from_delayed(dask.delayed(broken)(200, 300), shape=(100, 64),
                                        dtype=np.float64)])
    with pytest.raises(OSError, match="cannot read"):
        model.fit(X)
    np.testing.assert_array_equal(model.components_, before)


@pytest.mark.slow
def test_a_worker_lost_mid_fit_gives_the_same_atoms(client, digits):
    X = da.from_array(digits, chunks=(60, 64))
    start = _same_start(digits)
    expected, _, _ = sparse_nmf_dask(X, N_COMPONENTS, max_iter=8, tol=0, init=start)

    killed = []

    def kill_a_worker(n_iter, components, error):
        if n_iter == 4:  # the codes this worker held are lost with it
            victim = sorted(client.scheduler_info()["workers"])[0]
            killed.append(client.run(os.getpid, workers=[victim])[victim])
            os.kill(killed[0], signal.SIGKILL)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        components, n_iter, _ = sparse_nmf_dask(X, N_COMPONENTS, max_iter=8, tol=0,
                                                init=start, callback=kill_a_worker)
    assert n_iter == 8
    np.testing.assert_allclose(components, expected, atol=1e-12)
    client.wait_for_workers(2, timeout=60)
    assert killed and killed[0] not in client.run(os.getpid).values()


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r"pip install sparse-parts\[distributed\]"):
        _require_dask()
    # Without dask loaded nothing is a dask array (and dask is not imported to say so).
    assert not is_dask_array(np.ones((2, 2)))


def test_without_a_client_the_default_scheduler_runs_it(monkeypatch, digits):
    from sparse_parts import _distributed

    monkeypatch.setattr(_distributed, "_active_client", lambda: None)
    _, expected, _, _ = sparse_nmf(digits, N_COMPONENTS, max_iter=6, tol=0, random_state=0,
                                   code_l1=0.05)
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        components, n_iter, _ = sparse_nmf_dask(
            da.from_array(digits, chunks=(120, 64)), N_COMPONENTS, max_iter=6, tol=0,
            init=_same_start(digits), code_l1=0.05)
    assert n_iter == 6
    np.testing.assert_allclose(components, expected, atol=1e-9)
