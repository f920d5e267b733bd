"""SparseNMF fitted on a dask array: the work done where the chunks live.

Given the atoms, every sample's code is independent of the others, and the atoms'
block update needs only the sufficient statistics ``C^T C`` (k x k) and ``X^T C``
(n_features x k) summed over the samples (see :mod:`sparse_parts._nmf_constraints`).
So one iteration of :func:`sparse_parts.nmf.sparse_nmf` splits into

- on the workers, for every chunk of rows: the codes' update against the current
  atoms, warm-started from the chunk's codes of the previous iteration, which stay
  on the worker (a persisted dask object per chunk); the extrapolation of the codes;
  the chunk's share of the objective and of the next atom update's statistics;
- on the client: the sums of those statistics (reduced in a tree on the workers, so
  one ``n_features x k`` matrix reaches the client), the atoms' update with their
  constraint, the extrapolation's restart rule and the stopping rule, exactly as the
  in-memory loop; the new atoms are then broadcast to the workers.

The images never reach the client: a chunk is read (or generated) on a worker every
time an iteration needs it, and only the statistics travel. It runs on the active
``dask.distributed`` client when there is one (a ``LocalCluster``, dask-jobqueue,
Kubernetes...), else on dask's default scheduler.

The start differs from the in-memory fit, which needs all the samples at once
(NNDSVD's SVD): the atoms are :func:`~sparse_parts._nmf_constraints.starting_point`'s
on the first chunk (computed on a worker), and each chunk's codes start from one code
update from zero against them. Given the same start (``init=(codes, components)``)
the distributed fit is the in-memory fit, up to the order of the sums.

Recovery: a chunk's codes are a pure function of the chunk, the atoms and the
chunk's previous codes, so when a worker is lost dask recomputes what it held from
that lineage (the result is the same); when it cannot, the fit raises and leaves the
model as it was. ``code_sparseness_scope="component"`` is not distributed (see
:func:`_check_distributable`).
"""

import itertools
import sys
import uuid

import numpy as np
from sklearn.utils import check_random_state

from ._nmf_constraints import (
    FitProgress,
    Restarts,
    code_l1_weights,
    extrapolated,
    factor_constraints,
    gram,
    objective_from_grams,
    solve_codes,
    starting_point,
)
from ._utils import negative_values_error

__all__ = ["is_dask_array", "sparse_nmf_dask"]

_INSTALL = "pip install sparse-parts[distributed]"


def is_dask_array(X):
    """Whether ``X`` is a dask array, without importing dask (no dask array without it)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def _require_dask():
    """``(dask, dask.array)``, or an ImportError that says how to install them."""
    try:
        import dask
        import dask.array as da
    except ImportError as error:
        raise ImportError(
            "Fitting SparseNMF on a dask array needs dask (and dask.distributed to run on a "
            f"cluster): {_INSTALL}") from error
    return dask, da


def _active_client():
    """The active dask.distributed client, or None (then dask's default scheduler)."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:  # distributed is installed, but no client is running
        return None


# --------------------------------------------------------------------------- the chunks
class _Chunk:
    """A chunk's state on its worker: its codes, their extrapolated point, and the
    chunk's share of the sums the client needs (small arrays and scalars)."""

    __slots__ = ("codes", "codes_hat", "sums")

    def __init__(self, codes, codes_hat, sums):
        self.codes, self.codes_hat, self.sums = codes, codes_hat, sums


def _atom_sums(X, codes_hat):
    """What the atoms' update needs from a chunk: ``X^T C`` and ``C^T C``."""
    return {"cross": X.T @ codes_hat, "grams": gram(codes_hat)}


def _code_constraint(X, settings):
    return factor_constraints(X, settings["n_components"], settings["atom_sparseness"],
                              settings["code_sparseness"], "sample")[1]


def _unit(X, scale):
    """The chunk as the solver sees it: divided by the data's largest entry."""
    return np.asarray(X) / scale


def _chunk_bounds(X):
    """A chunk's largest and smallest entries, and whether all are finite (1.0 or 0.0)."""
    X = np.asarray(X)
    if X.size == 0:
        return np.array([-np.inf, np.inf, 1.0])
    return np.array([X.max(), X.min(), float(np.isfinite(X).all())])


def _range(*bounds):
    """The chunks' bounds combined: largest, smallest, all finite."""
    bounds = np.array(bounds)
    return bounds[:, 0].max(), bounds[:, 1].min(), bool(bounds[:, 2].min())


def _chunk_start(X, scale, settings, random_state):
    """Atoms to start from (``starting_point`` on this chunk), as ``atoms_t``."""
    X = _unit(X, scale)
    atom_constraint, code_constraint = factor_constraints(
        X, settings["n_components"], settings["atom_sparseness"], settings["code_sparseness"],
        "sample")
    return starting_point(X, settings["n_components"], settings["init"],
                          check_random_state(random_state), atom_constraint,
                          code_constraint)[1]


def _chunk_init(X, scale, atoms_t, codes, settings):
    """A chunk's first state: the given codes, or one code update from zero."""
    X = _unit(X, scale)
    if codes is None:
        B = X @ atoms_t
        weights = code_l1_weights(X, settings["code_l1"])
        codes = _code_constraint(X, settings).update(
            np.zeros((X.shape[0], atoms_t.shape[1]), dtype=X.dtype, order="F"),
            B if weights is None else B - weights[:, None], gram(atoms_t))
    codes = np.asfortranarray(codes, dtype=X.dtype)
    return _Chunk(codes, codes, {**_atom_sums(X, codes), "squared_norm": float(np.vdot(X, X))})


def _chunk_step(X, chunk, scale, atoms_t, beta, settings):
    """One iteration on a chunk, the atoms given: the loop body of ``sparse_nmf``."""
    X = _unit(X, scale)
    B = X @ atoms_t
    G = gram(atoms_t)
    weights = code_l1_weights(X, settings["code_l1"])
    code_constraint = _code_constraint(X, settings)
    codes = code_constraint.update(chunk.codes, B if weights is None else B - weights[:, None],
                                   G)
    codes_hat = extrapolated(codes, chunk.codes, beta)
    sums = {"inner": float(np.vdot(B, codes)), "code_grams": gram(codes),
            "penalty": 0.0 if weights is None else float(np.vdot(weights, codes.sum(1))),
            **_atom_sums(X, codes_hat)}
    return _Chunk(codes, codes_hat, sums)


def _chunk_restart(X, chunk, scale):
    """The extrapolation undone: the next atom update uses the codes themselves."""
    X = _unit(X, scale)
    return _Chunk(chunk.codes, chunk.codes, _atom_sums(X, chunk.codes))


def _chunk_residual(X, components, sparseness, max_iter, tol, code_l1):
    """``(s, ||X / s - codes / s @ components||^2)`` with ``s`` the chunk's largest
    entry and the codes ``transform`` gives (the in-memory ``reconstruction_err_``)."""
    X = np.asarray(X)
    codes = solve_codes(X, components.astype(X.dtype, copy=False), sparseness, max_iter,
                        tol, None, code_l1)
    scale = float(X.max()) if X.size else 0.0
    scale = scale or 1.0
    residual = X / scale - (codes / scale) @ components
    return np.array([scale, np.vdot(residual, residual)])


def _sums(chunk):
    return chunk.sums


def _add(left, right):
    """The sum of two chunks' sums, key by key (the keys both have)."""
    return {key: left[key] + right[key] for key in left.keys() & right.keys()}


# --------------------------------------------------------------------------- the client
class _Cluster:
    """Where the chunks' tasks run: the active client, or dask's default scheduler."""

    def __init__(self, X):
        self.dask, _ = _require_dask()
        self.client = _active_client()
        # X's chunks as graph nodes (one per row chunk, all the features in one block),
        # recomputed on a worker each time a pass needs them: never persisted, never
        # gathered.
        X = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
        self.blocks = X.to_delayed().ravel().tolist()
        self.token = uuid.uuid4().hex[:8]
        self.count = itertools.count()
        self.persisted = []

    def task(self, function, name, *args):
        return self.dask.delayed(function, pure=False)(
            *args, dask_key_name=f"sparse-nmf-{name}-{self.token}-{next(self.count)}")

    def broadcast(self, value):
        """``value`` as a node of the graph: sent to the first worker that needs it,
        fetched from there by the others, and recomputable (unlike scattered data) if
        every worker holding it is lost."""
        return self.dask.delayed(value, name=f"sparse-nmf-atoms-{self.token}-"
                                             f"{next(self.count)}")

    def persist(self, tasks):
        """``tasks`` computed and kept where they ran (the chunks' states)."""
        if self.client is None:
            return list(self.dask.persist(*tasks))
        self.persisted = self.client.persist(tasks)
        return self.persisted

    def release(self):
        """Remove this fit's data from the workers, whoever still refers to it (after
        an interruption, the traceback's frames do)."""
        if self.client is not None:
            from distributed import futures_of

            self.client.cancel(futures_of(self.persisted))
        self.persisted = []

    def compute(self, task):
        if self.client is None:
            return self.dask.compute(task)[0]
        return self.client.gather(self.client.compute(task))

    def tree_sum(self, items):
        """Sum ``items`` pairwise on the workers: one result reaches the client."""
        while len(items) > 1:
            items = [self.task(_add, "sum", *items[i:i + 2]) if i + 1 < len(items)
                     else items[i] for i in range(0, len(items), 2)]
        return self.compute(items[0])

    def map_chunks(self, function, name, chunks, *args):
        """``function(X_block, *args)`` or ``function(X_block, chunk, *args)`` per block."""
        if chunks is None:
            return [self.task(function, name, block, *args) for block in self.blocks]
        return [self.task(function, name, block, chunk, *args)
                for block, chunk in zip(self.blocks, chunks, strict=True)]


def _check_distributable(code_sparseness, code_sparseness_scope, device):
    if code_sparseness is not None and code_sparseness_scope == "component":
        # Each component's activations across all the samples are projected as one
        # vector. One projection is possible with reductions (a root-finding of its
        # threshold needs only sums over the samples), but the codes' update is a HALS
        # sweep, sequential over the components: k x (20 to 40 bisection rounds) of
        # cluster-wide reductions per iteration, about 4,000 round trips at k = 100.
        # Updating all the components at once would be another algorithm, no longer
        # the in-memory fit. Not implemented.
        raise ValueError(
            "SparseNMF on a dask array does not support code_sparseness_scope='component' "
            "(that constraint couples all the samples of each component). Use "
            "code_sparseness_scope='sample' or code_l1, or fit a numpy array in memory.")
    if device is not None:
        raise ValueError(
            f"SparseNMF on a dask array runs numpy on the workers; got device={device!r}. "
            "Set device=None.")


def sparse_nmf_dask(X, n_components=None, *, atom_sparseness=None, code_sparseness=None,
                    code_sparseness_scope="sample", code_l1=None, init="nndsvd",
                    max_iter=200, tol=1e-4, random_state=None, verbose=0, callback=None,
                    extrapolate=True):
    """:func:`sparse_parts.nmf.sparse_nmf` on a dask array, each chunk's work on a worker.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        Non-negative, finite data, chunked along the samples (a chunk split along the
        features is joined). Never gathered: each pass reads its chunks on the workers.
    init : {"nndsvd", "nndsvda", "random"} or tuple (codes, components)
        A name: the atoms of that start on the first chunk (computed on a worker),
        the codes of every chunk one code update from zero. A pair: the start itself,
        ``codes`` a dask array (or array) of shape (n_samples, n_components) and
        ``components`` an array of shape (n_components, n_features) of unit rows, in
        the units of ``X`` (as :func:`~sparse_parts.nmf.sparse_nmf` would start).
    callback : callable, default=None
        Called after every iteration on the client as ``callback(n_iter, components,
        error)``; returning True stops the fit.

    Other parameters are those of :func:`sparse_parts.nmf.sparse_nmf`.

    Returns
    -------
    components : ndarray of shape (n_components, n_features)
    n_iter : int
    errors : list of float
        Mean squared reconstruction error after every iteration.
    """
    from .nmf import _check_code_l1, _check_parameters

    dask, da = _require_dask()
    n_samples, n_features = X.shape
    _check_distributable(code_sparseness, code_sparseness_scope, None)
    start = None if isinstance(init, str) else init
    n_components, atom_sparseness, code_sparseness, init = _check_parameters(
        n_samples, n_features, n_components, atom_sparseness, code_sparseness,
        code_sparseness_scope, "random" if start is not None else init, max_iter, tol)
    code_l1 = _check_code_l1(code_l1)
    cluster = _Cluster(X)

    # Pass 1: the data's range (the solver works on X over its largest entry).
    largest, smallest, finite = cluster.compute(cluster.task(
        _range, "range", *cluster.map_chunks(_chunk_bounds, "bounds", None)))
    if not finite:
        raise ValueError("X contains NaN or infinity; SparseNMF needs finite data.")
    if smallest < 0:
        raise negative_values_error("SparseNMF", float(smallest))
    data_scale = float(largest) or 1.0
    settings = {"n_components": n_components, "atom_sparseness": atom_sparseness,
                "code_sparseness": code_sparseness, "code_l1": code_l1, "init": init}
    atom_constraint, _ = factor_constraints(
        np.empty((0, n_features), dtype=X.dtype), n_components, atom_sparseness, None,
        "sample")

    # Pass 2: the start, then every chunk's first codes and atom statistics.
    if start is None:
        atoms_t = cluster.compute(cluster.task(_chunk_start, "start", cluster.blocks[0],
                                               data_scale, settings, random_state))
        start_codes = [None] * len(cluster.blocks)
    else:
        codes, components = start
        atoms_t = np.asfortranarray(np.asarray(components, dtype=X.dtype).T)
        codes = da.asarray(codes).rechunk((X.chunks[0], n_components)) / data_scale
        start_codes = codes.to_delayed().ravel().tolist()
    try:
        return _iterate(cluster, atom_constraint, atoms_t, start_codes, data_scale, settings,
                        n_samples * n_features, max_iter, tol, verbose, callback, extrapolate)
    finally:
        # Interrupted or not, nothing of this fit stays on the workers.
        cluster.release()


def _iterate(cluster, atom_constraint, atoms_t, start_codes, data_scale, settings, size,
             max_iter, tol, verbose, callback, extrapolate):
    """The loop of :func:`sparse_parts.nmf.sparse_nmf`, its sums gathered from the chunks."""
    squared_error_unit = data_scale * data_scale
    atoms = cluster.broadcast(atoms_t)
    chunks = cluster.persist([
        cluster.task(_chunk_init, "init", block, data_scale, atoms, codes, settings)
        for block, codes in zip(cluster.blocks, start_codes, strict=True)])
    sums = cluster.tree_sum([cluster.task(_sums, "sums", chunk) for chunk in chunks])
    squared_norm_X = sums["squared_norm"]

    restarts = Restarts(extrapolate)
    progress = FitProgress(size, squared_error_unit, tol, max_iter, verbose, callback,
                           name="SparseNMF (dask)")
    stopped = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        atoms_t = atom_constraint.update(atoms_t, sums["cross"], sums["grams"])
        atoms = cluster.broadcast(atoms_t)
        chunks = cluster.persist(cluster.map_chunks(_chunk_step, "step", chunks, data_scale,
                                                    atoms, restarts.beta, settings))
        sums = cluster.tree_sum([cluster.task(_sums, "sums", chunk) for chunk in chunks])
        G = gram(atoms_t)
        # <B, C> summed over the chunks stands for B, and C for 1.
        reconstruction = objective_from_grams(squared_norm_X, sums["inner"], G, 1.0,
                                              sums["code_grams"])
        objective = reconstruction + sums["penalty"]
        if restarts.judge(objective):
            chunks = cluster.persist(cluster.map_chunks(_chunk_restart, "restart", chunks,
                                                        data_scale))
            sums = cluster.tree_sum([cluster.task(_sums, "sums", c) for c in chunks])
        if progress.record(n_iter, objective, reconstruction, lambda atoms_t=atoms_t: (atoms_t.T,)):
            stopped = True
            break
    progress.finish(stopped)
    errors = progress.errors
    return np.ascontiguousarray(atoms_t.T), n_iter, errors


# --------------------------------------------------------------------------- the estimator
def fit_transform(model, X):
    """``SparseNMF.fit_transform`` of a dask array: fit on the chunks, lazy codes."""
    from ._utils import check_real, resolve_image_shape
    from .nmf import _check_code_l1

    X = _check_array(X)
    _check_distributable(model.code_sparseness, model.code_sparseness_scope, model.device)
    if not isinstance(model.init, str):
        raise ValueError("SparseNMF on a dask array starts from a named init; starting "
                         "atoms (init=array) are for in-memory data. Set init='nndsvda'.")
    check_real(model.forget_factor, "forget_factor", low=0, high=1)  # for partial_fit
    image_shape = resolve_image_shape(X.shape[1], model.image_shape, required=False)
    components, n_iter, _ = sparse_nmf_dask(
        X, model.n_components, atom_sparseness=model.atom_sparseness,
        code_sparseness=model.code_sparseness,
        code_sparseness_scope=model.code_sparseness_scope, code_l1=model.code_l1,
        init=model.init, max_iter=model.max_iter, tol=model.tol,
        random_state=model.random_state, verbose=model.verbose)
    # reconstruction_err_ as the in-memory fit's: with transform's codes, each chunk's
    # share summed over its own largest entry (so that it neither overflows nor
    # underflows), the shares combined over the largest of those.
    cluster = _Cluster(X)
    shares = np.array(cluster.compute(cluster.map_chunks(
        _chunk_residual, "residual", None, components, model._sample_sparseness(),
        model.max_iter, model.tol, _check_code_l1(model.code_l1))))
    largest = shares[:, 0].max()
    model.reconstruction_err_ = float(
        largest * np.sqrt(np.sum((shares[:, 0] / largest) ** 2 * shares[:, 1])))
    model.components_ = components
    model.n_components_ = components.shape[0]
    model.n_iter_ = n_iter
    model.n_features_in_ = X.shape[1]
    model.image_shape_ = image_shape
    for name in ("_online", "n_steps_", "feature_names_in_"):
        vars(model).pop(name, None)
    return transform(model, X)


def _check_array(X):
    """A 2-D dask array of floats (float32 kept, anything else as float64)."""
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array (n_samples, n_features), got {X.ndim}-D; "
                         "reshape it, e.g. X.reshape(len(X), -1).")
    if any(np.isnan(size) for size in X.shape):
        raise ValueError("The dask array has unknown chunk sizes; call "
                         "X.compute_chunk_sizes() first.")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"Found a dask array of shape {X.shape}; SparseNMF needs at least "
                         "one sample and one feature.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X


def _block_codes(X, components, sparseness, max_iter, tol, device, code_l1):
    X = np.asarray(X)
    if X.size and (not np.isfinite(X).all() or X.min() < 0):
        raise ValueError("SparseNMF.transform needs finite, non-negative data; a chunk of "
                         "the dask array has NaN, infinite or negative values.")
    return solve_codes(X, components.astype(X.dtype, copy=False), sparseness, max_iter, tol,
                       device, code_l1)


def transform(model, X):
    """``SparseNMF.transform`` of a dask array: a lazy dask array of codes, block by block."""
    from sklearn.utils.validation import check_is_fitted

    from . import _backend as xp
    from .nmf import _check_code_l1

    check_is_fitted(model)
    X = _check_array(X)
    if X.shape[1] != model.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but SparseNMF is expecting "
                         f"{model.n_features_in_} features as input.")
    X = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
    k = model.components_.shape[0]
    return X.map_blocks(_block_codes, model.components_, model._sample_sparseness(),
                        model.max_iter, model.tol, xp.resolve_torch_device(model.device),
                        _check_code_l1(model.code_l1), chunks=(X.chunks[0], (k,)),
                        dtype=X.dtype, meta=np.empty((0, 0), dtype=X.dtype))
