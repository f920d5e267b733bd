"""Non-negative matrix factorisation with sparseness constraints (Hoyer 2004).

``X ~ codes @ components_``: both factors non-negative, every atom (row of
``components_``) of unit L2 norm, the atoms and/or the codes held at a prescribed
Hoyer sparseness.

The scale convention. ``codes @ components_`` does not change when an atom is
multiplied by ``s`` and its codes divided by ``s``, so without a convention the
scales drift during the fit (atoms of norm 1e-6 next to atoms of norm 40, codes up
to 1e5), codes of different components are not comparable, and the Hoyer
sparseness of a code measures the atoms' scales as much as how many atoms it uses.
Every atom has unit L2 norm at every step of the fit, as Hoyer's ``nmfsc`` holds a
constrained factor, and the codes carry the scale. The unit norm is part of the
atoms' constraint set, so every atom update keeps it and no atom is ever zero; an
atom no sample uses keeps its last value, with zero codes.

Scale invariance. Scaling ``X`` by ``s`` scales the optimal codes by ``s`` and
leaves the unit atoms unchanged. The solver therefore works on ``X`` divided by its
largest entry (:meth:`SparseNMF.transform`: every sample divided by its own largest
entry) and scales the codes back, and every threshold inside is relative (the L1
penalty on the codes is weighted by each sample's norm), so the result does not
depend on the data's units (1e-14 or 1e160).

Three layers, as in scikit-learn's ``decomposition`` module:

- private kernels, in :mod:`sparse_parts._nmf_constraints`: one class per kind of
  factor constraint, each with its block update and projection, the starting point
  and the per-sample code solver;
- the validated function :func:`sparse_nmf`;
- the estimator :class:`SparseNMF`.

``device`` (None: numpy) runs the same kernels on torch tensors on that device; the
numbers agree with numpy's to rounding (see :mod:`sparse_parts._backend`).

Why not Hoyer's projected gradient with backtracking? Every column update of a
factor is the *exact* minimiser over its column (HALS), so the objective decreases
monotonically without a line search, and each sweep costs one ``n x k`` product per
column and one projection. Hoyer's ``nmfsc`` reaches the same sparse solutions but
needs far more iterations; ``benchmarks/bench_nmf.py`` measures both.
"""


import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from . import _backend as xp
from . import _distributed, _nmf_batched
from ._decomposition import PartBasedMixin
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
from ._utils import (
    check_fraction,
    check_image_array,
    check_images,
    check_int,
    check_real,
    resolve_image_shape,
    warn_more_atoms_than_samples,
)

__all__ = ["SparseNMF", "sparse_nmf"]

_SCOPES = ("sample", "component")
_INITS = ("nndsvd", "nndsvda", "random")
# The code solver's budget for the codes of given starting atoms (a warm start): the
# defaults of SparseNMF's max_iter and tol, which transform uses.
_WARM_CODES_MAX_ITER, _WARM_CODES_TOL = 200, 1e-4


# --------------------------------------------------------------------------- kernels
def _residual_norm(X, codes, components):
    """``||X - codes @ components||_F``, formed on ``X`` over its largest entry (so
    that data of any scale neither overflows nor underflows)."""
    scale = float(X.max()) or 1.0
    return scale * float(np.linalg.norm(X / scale - (codes / scale) @ components))


def _check_code_l1(code_l1):
    """None (no penalty) or the penalty's weight, a float in (0, 1)."""
    if code_l1 is None:
        return None
    try:
        return check_real(code_l1, "code_l1", low=0.0, high=1.0, high_open=True) or None
    except ValueError:
        raise ValueError(
            "code_l1 must be None or a real number in [0, 1) (a fraction of each sample's "
            f"norm; at 1 or more every code is zero), got {code_l1!r}.") from None


def _check_init_atoms(init, n_features, n_components):
    """The starting atoms given as ``init``, validated: ``(n_components, init)``."""
    try:
        atoms = check_array(init, dtype=[np.float64, np.float32], input_name="init")
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"init must be one of {_INITS} or an array of starting atoms of shape "
            f"(n_components, n_features); got {init!r:.80} ({error}).") from None
    if n_components is None:
        n_components = atoms.shape[0]
    n_components = check_int(n_components, "n_components")
    _check_start_shape(atoms, "init: the starting atoms", "(n_components, n_features)",
                       (n_components, n_features))
    return n_components, atoms


def _check_start_shape(array, what, axes, shape):
    """The ValueError of a starting array (``init``'s atoms, ``init_codes``) that is
    not non-negative of ``shape`` (whose ``axes`` are named for the message)."""
    negative = bool((array < 0).any())
    if array.shape != shape or negative:
        raise ValueError(
            f"{what} must be a non-negative array of shape {axes} = {shape}; got shape "
            f"{array.shape}{' with negative entries' if negative else ''}.")


def _check_parameters(n_samples, n_features, n_components, atom_sparseness, code_sparseness,
                      code_sparseness_scope, init, max_iter, tol):
    if isinstance(init, str):
        if n_components is None:
            n_components = n_features
        n_components = check_int(n_components, "n_components")
    else:  # starting atoms (a warm start)
        n_components, init = _check_init_atoms(init, n_features, n_components)
    atom_sparseness = check_fraction(atom_sparseness, "atom_sparseness")
    code_sparseness = check_fraction(code_sparseness, "code_sparseness")
    if code_sparseness_scope not in _SCOPES:
        raise ValueError(
            f"code_sparseness_scope must be one of {_SCOPES}, got {code_sparseness_scope!r}.")
    if isinstance(init, str) and init not in _INITS:
        raise ValueError(f"init must be one of {_INITS} or an array of starting atoms, "
                         f"got {init!r}.")
    if isinstance(init, str) and init != "random" and n_components > min(n_samples,
                                                                          n_features):
        # NNDSVD needs that many singular vectors.
        init = "random"
    check_int(max_iter, "max_iter")
    check_real(tol, "tol", low=0)
    if atom_sparseness is not None and n_features < 2:
        raise ValueError("atom_sparseness needs at least 2 features per sample; "
                         f"got n_features={n_features}. Set atom_sparseness=None.")
    if code_sparseness is not None:
        if code_sparseness_scope == "component" and n_samples < 2:
            raise ValueError(
                "code_sparseness with code_sparseness_scope='component' constrains each "
                "component's activations across the training samples, so it needs at least "
                f"2 samples; got n_samples={n_samples}. Fit on more samples or use "
                "code_sparseness_scope='sample'.")
        if code_sparseness_scope == "sample" and n_components < 2:
            raise ValueError(
                "code_sparseness with code_sparseness_scope='sample' needs n_components >= 2 "
                f"(the sparseness of a 1-vector is undefined); got n_components={n_components}.")
    return n_components, atom_sparseness, code_sparseness, init


def _has_online_fit(model):
    """The check of :func:`~sklearn.utils.metaestimators.available_if` for
    ``partial_fit``: a model whose codes are constrained per component has none, and
    getting the method raises an AttributeError (``hasattr`` is False, scikit-learn's
    checks leave it out) whose cause says why."""
    if model.code_sparseness is not None and model.code_sparseness_scope == "component":
        raise AttributeError(
            "SparseNMF.partial_fit is not available with code_sparseness_scope="
            "'component': that constraint holds each component's activations across "
            "all the training samples at once, which a chunk does not have. Use "
            "code_sparseness_scope='sample', or fit on all the samples.")
    return True


def _warm_codes_budget(max_iter, tol):
    """``(max_iter, tol)`` of the code solver for a warm start's codes: the fit's own,
    but at least the solver's defaults (a short fit with ``tol=0`` would otherwise
    solve them with its few iterations and no tolerance)."""
    return (max(max_iter, _WARM_CODES_MAX_ITER),
            min(tol, _WARM_CODES_TOL) if tol > 0 else _WARM_CODES_TOL)


def _check_init_codes(init_codes, init, shape):
    """``init_codes`` validated against the warm start it belongs to (None passes)."""
    if init_codes is None:
        return None
    if isinstance(init, str):
        raise ValueError("init_codes starts the codes of a warm start: give the starting "
                         f"atoms as init too (init={init!r} computes its own codes).")
    try:
        codes = check_array(init_codes, dtype=[np.float64, np.float32],
                            input_name="init_codes")
    except (TypeError, ValueError) as error:
        raise ValueError(f"init_codes must be an array of shape (n_samples, n_components) "
                         f"= {shape}; got {init_codes!r:.80} ({error}).") from None
    _check_start_shape(codes, "init_codes", "(n_samples, n_components)", shape)
    return codes


def _start(X, n_components, init, rng, atom_constraint, code_constraint, sample_sparseness,
           max_iter, tol, code_l1, init_codes=None):
    """``(codes, atoms_t)`` to start a fit from: a named start, or given atoms (a warm
    start) with the codes that :meth:`SparseNMF.transform` gives for them (solved from
    ``init_codes`` if given, on ``X``'s scale)."""
    if isinstance(init, str):
        return starting_point(X, n_components, init, rng, atom_constraint, code_constraint)
    atoms_t = np.asfortranarray(atom_constraint.project(init.T.astype(X.dtype)))
    # The starting codes are solved to the code solver's default accuracy at least,
    # whatever the fit's own budget: a warm fit of a few iterations with tol=0 (a point
    # of sparse_nmf_path) otherwise started from codes solved in those few iterations.
    # On 12x12 photo patches (k = 36, code_l1 = 0.005) 25 iterations with tol=0 gave
    # codes 17% above the converged objective with 15% zeros instead of 54%, and the
    # warm fit descended from those dense codes for its whole budget.
    codes = solve_codes(X, np.ascontiguousarray(atoms_t.T), sample_sparseness,
                        *_warm_codes_budget(max_iter, tol), None, code_l1, codes=init_codes)
    return np.asfortranarray(code_constraint.project(codes), dtype=X.dtype), atoms_t



def _fit(X, codes, atoms_t, atom_constraint, code_constraint, l1_weights, squared_norm_X,
         max_iter, extrapolate, report):
    """The alternating updates of :func:`sparse_nmf`; ``report`` judges each iteration.

    Returns ``(codes, atoms_t, n_iter, stopped)``, ``stopped`` False when ``max_iter``
    ran out.
    """
    # Extrapolation with restarts (Restarts): the codes step on along their last move
    # (clamped at 0: the extrapolated codes only feed the atoms' update). The atoms are
    # not extrapolated: projected back onto the unit sphere, an extrapolated atom
    # loses the scale part of its step, and this was measured slower (400 digits,
    # k = 8, 30 iterations: MSE 0.0267 with both factors extrapolated, 0.0260 with
    # neither, 0.0257 with the codes only).
    restarts = Restarts(extrapolate)
    codes_hat = codes
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        # Atoms, codes fixed: the columns of A^T in  X^T ~ A^T C^T. The atoms'
        # constraint holds their unit norm, so the scale convention holds throughout.
        atoms_t = atom_constraint.update(atoms_t, xp.product_by_columns(X.T, codes_hat),
                                         gram(codes_hat))
        # Codes, atoms fixed.
        B = xp.product_by_columns(X, atoms_t)
        G = gram(atoms_t)
        new_codes = code_constraint.update(
            codes, B if l1_weights is None else B - l1_weights[:, None], G)
        codes_hat = extrapolated(new_codes, codes, restarts.beta)
        codes = new_codes

        reconstruction = objective_from_grams(squared_norm_X, B, G, codes, gram(codes))
        objective = reconstruction + (0.0 if l1_weights is None
                                      else xp.vdot(l1_weights, codes.sum(1)))
        if restarts.judge(objective):
            codes_hat = codes
        if report(n_iter, codes, atoms_t, objective, reconstruction):
            return codes, atoms_t, n_iter, True
    return codes, atoms_t, n_iter, False


# ------------------------------------------------------------------ public function
def sparse_nmf(X, n_components=None, *, atom_sparseness=None, code_sparseness=None,
               code_sparseness_scope="sample", code_l1=None, init="nndsvd", max_iter=200,
               tol=1e-4, random_state=None, verbose=0, callback=None, extrapolate=True,
               device=None, batched=None, init_codes=None):
    """Factorise ``X ~ codes @ components`` with non-negative, sparse factors.

    Minimises :math:`\\frac12 \\|X - C A\\|_F^2` (plus the codes' L1 penalty, given
    ``code_l1``) over :math:`C \\ge 0` (codes, ``n_samples x n_components``) and
    :math:`A \\ge 0` (atoms, ``n_components x n_features``, every row of unit L2
    norm), subject to Hoyer sparseness constraints (see :class:`SparseNMF` for the
    parameters).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Non-negative, finite data, float32 or float64 (other dtypes become float64).
    callback : callable, default=None
        Called after every iteration as ``callback(n_iter, codes, components, error)``
        with ``error`` the current mean squared error; returning True stops the fit.
        With a ``device``, ``codes`` and ``components`` are torch tensors there.
    extrapolate : bool, default=True
        Extrapolate the codes after their updates (with restarts), which speeds the
        fit up; without it the objective decreases at every iteration.
    device : None, str or torch.device, default=None
        None: numpy. Otherwise the fit runs on torch tensors on that device
        (``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"auto"``); see :class:`SparseNMF`.
    batched : bool, default=None
        Run the batched loop of :mod:`sparse_parts._nmf_batched` (every update
        batched, no host synchronisation inside an iteration; the objective read
        every few iterations, where ``callback`` and ``tol`` apply). None: on a CUDA
        device only. Needs a ``device``.
    init_codes : array of shape (n_samples, n_components), default=None
        With starting atoms as ``init``: the codes the starting codes are solved
        from, instead of the code solver's own start (as scikit-learn's
        ``non_negative_factorization`` takes ``W`` beside ``H``). The codes of a
        neighbouring fit (a point of :func:`~sparse_parts.path.sparse_nmf_path`)
        reach the solver's tolerance in a few sweeps; without a sparseness on the
        codes, the start is the same within that tolerance.

    Other parameters are those of :class:`SparseNMF`.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_components)
    components : ndarray of shape (n_components, n_features)
        Every row of unit L2 norm.
    n_iter : int
    errors : list of float
        Mean squared reconstruction error after every iteration (inf where it
        exceeds the floating-point range, for data near it), without the penalty;
        ``tol`` applies to the objective, penalty included.
    """
    X = check_image_array(X, "sparse_nmf")
    n_samples, n_features = X.shape
    n_components, atom_sparseness, code_sparseness, init = _check_parameters(
        n_samples, n_features, n_components, atom_sparseness, code_sparseness,
        code_sparseness_scope, init, max_iter, tol)
    code_l1 = _check_code_l1(code_l1)
    init_codes = _check_init_codes(init_codes, init, (n_samples, n_components))
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be None or a callable, got {callback!r}.")
    device = xp.resolve_torch_device(device)
    if batched is None:
        batched = device is not None and device.startswith("cuda")
    elif batched and device is None:
        raise ValueError("batched=True runs on torch: give a device ('cpu', 'cuda', ...).")
    rng = check_random_state(random_state)
    # Solve for X over its largest entry: the unit atoms do not depend on it, the
    # codes scale with it (see the module docstring).
    data_scale = float(X.max()) or 1.0
    X = X / data_scale
    squared_error_unit = data_scale * data_scale  # inf beyond the float range

    atom_constraint, code_constraint = factor_constraints(
        X, n_components, atom_sparseness, code_sparseness, code_sparseness_scope)
    codes, atoms_t = _start(X, n_components, init, rng, atom_constraint, code_constraint,
                            code_sparseness if code_sparseness_scope == "sample" else None,
                            max_iter, tol, code_l1,
                            None if init_codes is None else init_codes / data_scale)
    squared_norm_X = float(np.vdot(X, X))
    X, codes, atoms_t = (xp.to_device(a, device) for a in (X, codes, atoms_t))
    # The penalty shifts the codes' B (see _nmf_constraints), its value adds to the
    # objective that tol judges.
    l1_weights = code_l1_weights(X, code_l1)

    # Extrapolation with restarts (Ang & Gillis 2019): after every update of the codes,
    # step on along their last move by beta and project; a rise of the error undoes
    # the extrapolation and shrinks beta. The atoms are not extrapolated: projected
    # back onto the unit sphere, an extrapolated atom loses the scale part of its step,
    # and this was measured slower (400 digits, k = 8, 30 iterations: MSE 0.0267 with
    # both factors extrapolated, 0.0260 with neither, 0.0257 with the codes only).
    progress = FitProgress(n_samples * n_features, squared_error_unit, tol, max_iter,
                           verbose, callback)

    def report(n_iter, codes, atoms_t, objective, reconstruction):
        """``progress.record`` of one iteration; True stops the fit."""
        if batched and not np.isfinite(objective):
            raise FloatingPointError(
                f"SparseNMF on {device}: the objective is {objective} at iteration "
                f"{n_iter}; the fit is abandoned rather than return wrong numbers.")
        return progress.record(n_iter, objective, reconstruction,
                               lambda: (codes * data_scale, atoms_t.T))

    loop = _nmf_batched.fit_batched if batched else _fit
    codes, atoms_t, n_iter, stopped = loop(
        X, codes, atoms_t, atom_constraint, code_constraint, l1_weights, squared_norm_X,
        max_iter, extrapolate, report)
    progress.finish(stopped)
    errors = progress.errors
    return xp.as_numpy(codes * data_scale), xp.as_numpy(atoms_t.T), n_iter, errors


# ------------------------------------------------------------------------ estimator
class SparseNMF(PartBasedMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation with sparseness constraints (Hoyer 2004).

    Finds non-negative atoms ``components_`` and non-negative codes whose product
    approximates the data:

    .. math::

        \\min_{C \\ge 0,\\, A \\ge 0} \\tfrac12 \\|X - C A\\|_F^2
        + \\lambda \\sum_i \\|x_i\\|_2 \\textstyle\\sum_j c_{ij}
        \\quad \\text{s.t.} \\quad s(a_j) = S_w,\\; s(\\text{codes}) = S_h,

    where :math:`s(x) = (\\sqrt n - \\|x\\|_1/\\|x\\|_2)/(\\sqrt n - 1)` is Hoyer's
    sparseness. ``code_sparseness_scope="component"`` is Hoyer's ``nmfsc``: every
    component's activations over the training samples have sparseness :math:`S_h`.
    ``"sample"`` holds every code vector at a sparseness of at least :math:`S_h`: an
    equality would force naturally sparser codes to spread over more atoms.

    Scale convention: every atom has unit L2 norm (:math:`\\|a_j\\|_2 = 1`, held at
    every step of the fit) and the codes carry the scale, so codes of different
    components are comparable and the sparseness of a code does not depend on how
    the atoms happen to be scaled. The code constraints are on sparseness only
    (scale-free cones). The fit is scale-invariant: ``X * s`` gives the same atoms
    and ``s`` times the codes. An atom that no sample uses keeps unit norm and gets
    zero codes.

    The solver alternates exact block-coordinate sweeps over the columns of each
    factor (HALS, with every column projected onto its constraint set), so the
    objective decreases monotonically.

    Parameters
    ----------
    n_components : int, default=None
        Number of atoms k. None means ``n_features``.
    atom_sparseness : float in [0, 1], default=None
        Hoyer sparseness of every atom (Hoyer's ``sW``). None: unconstrained.
    code_sparseness : float in [0, 1], default=None
        Hoyer sparseness of the codes (Hoyer's ``sH``). None: unconstrained.
    code_sparseness_scope : {"sample", "component"}, default="sample"
        What ``code_sparseness`` constrains: every sample's code vector (to at least
        that sparseness), or every component's activations across the training
        samples (exactly that sparseness, any scale) (Hoyer's original; then only the
        fit is constrained, and :meth:`transform` solves a plain non-negative
        least-squares problem per sample).
    code_l1 : float in [0, 1), default=None
        :math:`\\lambda`, the weight of an L1 penalty on the codes (what
        ``NMF(alpha_W=..., l1_ratio=1)`` does in scikit-learn, made scale-invariant):
        every sample's code minimises ``0.5 ||x_i - c_i A||^2 + code_l1 ||x_i||_2
        sum(c_i)``, in :meth:`fit`, :meth:`partial_fit` and :meth:`transform` alike.
        Weighted by the sample's own norm, ``x_i * s`` gets the code ``c_i * s``. In
        units: an atom takes part in a code only while its inner product with the
        residual ``x_i - c_i A`` reaches ``code_l1 ||x_i||_2``, that is one unit of code
        must explain this fraction of the sample's norm; a code starts from an atom
        whose cosine with the sample exceeds ``code_l1``. No unit atom reaches 1, where
        every code is zero, hence the range. None or 0: no penalty. Combines with both
        sparseness constraints.
    image_shape : tuple of int (height, width) or (height, width, channels), default=None
        Shape of the flattened images (row-major, channels last), used by the
        morphological metrics and the plots; the factorisation itself ignores it, so
        colour images need nothing else. None means square grey images when
        ``n_features`` is a perfect square.
    init : {"nndsvd", "nndsvda", "random"} or array of shape (n_components, n_features), \
default="nndsvd"
        Starting point. NNDSVD needs ``n_components <= min(n_samples, n_features)``
        and falls back to "random" otherwise. "nndsvda" fills NNDSVD's zeros with the
        data's mean: a denser start, which the sparse fits leave more slowly (the
        study's fit, 10,000 Fashion-MNIST images: 186 iterations to converge from
        "nndsvda", 101 from "nndsvd", to the same quality). An array (e.g. another
        model's ``components_``) is a warm start, as ``KMeans(init=centers)``: the fit
        starts from these atoms (non-negative; each scaled to unit norm and projected
        onto ``atom_sparseness``) and from the codes :meth:`transform` gives for them;
        ``n_components=None`` then means its number of rows.
        :func:`sparse_parts.path.sparse_nmf_path` warm-starts a whole path this way.
    max_iter : int, default=200
        Maximum number of iterations of the fit, and of the per-sample code solver.
    tol : float, default=1e-4
        Stop when the objective decreases by less than ``tol`` relatively in one
        iteration (per sample in :meth:`transform`).
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.
    verbose : int, default=0
        Print the error every 10 iterations.
    forget_factor : float in [0, 1], default=0.7
        Used by :meth:`partial_fit` only: the weight that the sums of the earlier
        chunks keep when a chunk is added (0: each chunk alone, 1: all chunks alike).
    device : None, str or torch.device, default=None
        None: numpy (torch is not imported). ``"cpu"``, ``"cuda"``, ``"cuda:N"``,
        ``"auto"`` (CUDA if available) or a :class:`torch.device`: the same
        algorithm on torch tensors there, for :meth:`fit`, :meth:`partial_fit` and
        :meth:`transform` (the start, the randomized SVD, stays on numpy). Inputs and
        results are numpy arrays either way. A CUDA device without CUDA is a ValueError.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The atoms, one flattened image per row, non-negative, each of unit L2 norm.
    n_components_ : int
    image_shape_ : tuple of int or None
        ``(height, width)`` or ``(height, width, channels)`` of the images, None if
        unknown (non-square without ``image_shape``).
    reconstruction_err_ : float
        Frobenius norm ``||X - codes @ components_||`` at the end of the fit (as in
        scikit-learn's NMF).
    n_iter_ : int
        Iterations run (by :meth:`fit`; :meth:`partial_fit` removes it, and
        ``reconstruction_err_``).
    n_steps_ : int
        Chunks seen by :meth:`partial_fit` since the model was initialised or fitted.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined when ``X`` has string feature names.

    See Also
    --------
    sklearn.decomposition.NMF : NMF without sparseness constraints.
    sparse_parts.AsymmetricAutoEncoder : a deep encoder with a non-negative decoder.

    References
    ----------
    P. O. Hoyer, "Non-negative Matrix Factorization with Sparseness Constraints",
    JMLR 5, 2004.

    A. Cichocki and A.-H. Phan, "Fast local algorithms for large scale nonnegative
    matrix and tensor factorizations", IEICE Trans. 2009 (HALS).

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts import SparseNMF
    >>> X = np.random.RandomState(0).rand(50, 16)
    >>> model = SparseNMF(n_components=4, code_sparseness=0.5, random_state=0)
    >>> codes = model.fit_transform(X)
    >>> codes.shape, model.components_.shape
    ((50, 4), (4, 16))
    >>> bool((model.components_ >= 0).all())
    True
    >>> np.allclose(np.linalg.norm(model.components_, axis=1), 1)
    True
    """

    def __init__(self, n_components=None, *, atom_sparseness=None, code_sparseness=None,
                 code_sparseness_scope="sample", code_l1=None, image_shape=None,
                 init="nndsvd", max_iter=200, tol=1e-4, random_state=None, verbose=0,
                 forget_factor=0.7, device=None):
        self.n_components = n_components
        self.atom_sparseness = atom_sparseness
        self.code_sparseness = code_sparseness
        self.code_sparseness_scope = code_sparseness_scope
        self.code_l1 = code_l1
        self.image_shape = image_shape
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose
        self.forget_factor = forget_factor
        self.device = device

    def fit(self, X, y=None):
        """Learn the atoms from ``X``.

        A dask array is fitted where its chunks live, on the active
        ``dask.distributed`` client (else dask's default scheduler): every iteration
        solves each chunk's codes on a worker and sums the atoms' statistics there;
        the client updates the atoms. The start is taken from the first chunk, so
        the result differs from the in-memory fit's by the start; not available with
        ``code_sparseness_scope="component"`` and a ``code_sparseness``, nor with a
        ``device``. See the user guide, "Beyond one machine".

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Non-negative training images, flattened.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : SparseNMF
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Learn the atoms and return the codes of the training images.

        With ``code_sparseness_scope="component"`` these are the constrained codes
        of the fit (Hoyer's ``H``), which differ from what :meth:`transform` computes
        for the same images (per-sample non-negative least squares). Otherwise they
        are exactly ``transform(X)`` with the learned atoms.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            A lazy dask array for a dask ``X``.
        """
        if _distributed.is_dask_array(X):  # fitted on the chunks, where they live
            return _distributed.fit_transform(self, X)
        return self._fit_prepared(*self._prepare(X, reset=True))

    def _fit_prepared(self, X, device, init_codes=None, warm_final=False):
        """The fit of ``fit_transform`` on a prepared ``X``; returns the codes of ``X``.

        ``init_codes``: see :func:`sparse_nmf`. ``warm_final``: solve the returned
        codes from the fit's last ones rather than from the code solver's own start
        (a few sweeps instead of a solve: :func:`~sparse_parts.path.sparse_nmf_path`
        starts its next point from them); without a sparseness on the codes, the same
        codes within the code solver's default tolerance (whatever the fit's own), else
        possibly another local optimum than ``transform``'s.
        """
        check_real(self.forget_factor, "forget_factor", low=0, high=1)  # for partial_fit
        self.image_shape_ = resolve_image_shape(X.shape[1], self.image_shape, required=False)
        n_components = X.shape[1] if self.n_components is None else self.n_components
        if isinstance(n_components, int):  # else sparse_nmf's error names it
            warn_more_atoms_than_samples(n_components, X.shape[0], self)
        codes, components, n_iter, _ = sparse_nmf(
            X, self.n_components, atom_sparseness=self.atom_sparseness,
            code_sparseness=self.code_sparseness,
            code_sparseness_scope=self.code_sparseness_scope, code_l1=self.code_l1,
            init=self.init, max_iter=self.max_iter, tol=self.tol,
            random_state=self.random_state, verbose=self.verbose, device=device,
            init_codes=init_codes)
        if not (self.code_sparseness is not None and self.code_sparseness_scope == "component"):
            # The codes the per-sample solver gives, so that fit_transform(X) agrees
            # with fit(X).transform(X) (the sample-wise constraint is not convex, and
            # the fit's last codes may sit in another local optimum).
            budget = (_warm_codes_budget(self.max_iter, self.tol) if warm_final
                      else (self.max_iter, self.tol))
            codes = solve_codes(X, components, self._sample_sparseness(), *budget, device,
                                self.code_l1, codes=codes if warm_final else None)
        self.components_ = components
        self.n_components_ = components.shape[0]
        self.n_iter_ = n_iter
        for name in ("_online", "n_steps_"):  # a later partial_fit starts from these atoms
            vars(self).pop(name, None)
        self.reconstruction_err_ = _residual_norm(X, codes, components)
        return codes

    @available_if(_has_online_fit)
    def partial_fit(self, X, y=None):
        """Update the atoms from one chunk of images (online learning).

        The atoms are fitted to running sums over the chunks of ``codes^T codes``
        and ``codes^T X``, in which the earlier chunks' weight is multiplied by
        ``forget_factor`` at each chunk. A call solves the chunk's codes with the
        atoms fixed (as :meth:`transform`), adds them to the sums and makes one
        block update of the atoms (each set to its exact minimiser under its
        constraint, unit L2 norm included). The first call on an unfitted model
        initialises from its chunk as :meth:`fit` does and updates the atoms with
        the initial codes: it gives the atoms of ``fit`` with ``max_iter=1``. After
        a fit, the sums start empty, from the fitted atoms. Not available with
        ``code_sparseness_scope="component"`` and a ``code_sparseness``, which
        constrains all samples together: getting the method then raises an
        AttributeError (``hasattr(model, "partial_fit")`` is False).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of non-negative images, flattened, with the features of the
            first chunk.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : SparseNMF
        """
        first = not hasattr(self, "components_")
        X, device = self._prepare(X, reset=first)
        n_components, atom_sparseness, code_sparseness, init = _check_parameters(
            *X.shape, self.n_components, self.atom_sparseness, self.code_sparseness,
            self.code_sparseness_scope, self.init, self.max_iter, self.tol)
        check_real(self.forget_factor, "forget_factor", low=0, high=1)
        code_l1 = _check_code_l1(self.code_l1)
        if not first and n_components != self.components_.shape[0]:
            raise ValueError(
                f"n_components={n_components} but this model has "
                f"{self.components_.shape[0]} atoms; partial_fit cannot change their "
                "number. Set n_components back, or fit a new model.")
        online = getattr(self, "_online", None)
        # The sums are kept for the data divided by the first chunk's largest entry
        # (fit's scaling), so that neither overflows whatever the data's units.
        scale = online["scale"] if online else float(X.max()) or 1.0
        X_unit = X / scale
        atom_constraint, code_constraint = factor_constraints(
            X_unit, n_components, atom_sparseness, code_sparseness, "sample")
        if first:
            self.image_shape_ = resolve_image_shape(X.shape[1], self.image_shape,
                                                    required=False)
            codes, atoms_t = _start(X_unit, n_components, init,
                                    check_random_state(self.random_state), atom_constraint,
                                    code_constraint, code_sparseness, self.max_iter,
                                    self.tol, code_l1)
        else:
            components = self.components_.astype(X.dtype, copy=False)
            codes = solve_codes(X_unit, components, self._sample_sparseness(),
                                self.max_iter, self.tol, device, code_l1)
            atoms_t = np.asfortranarray(components.T)
        grams, cross = codes.T @ codes, X_unit.T @ codes
        if online:
            grams += self.forget_factor * online["grams"]
            cross += self.forget_factor * online["cross"]
        if device is None:
            atoms_t = atom_constraint.update(atoms_t, cross, grams)
        else:
            atoms_t = xp.as_numpy(atom_constraint.update(
                *(xp.to_device(a, device) for a in (atoms_t, cross, grams))))
        self._online = {"scale": scale, "grams": grams, "cross": cross}
        self.components_ = np.ascontiguousarray(atoms_t.T)
        self.n_components_ = n_components
        self.n_steps_ = (self.n_steps_ if online else 0) + 1
        for name in ("n_iter_", "reconstruction_err_"):  # they describe a fit
            vars(self).pop(name, None)
        return self

    def _sample_sparseness(self):
        return self.code_sparseness if self.code_sparseness_scope == "sample" else None

    def transform(self, X):
        """Codes of new images, the atoms held fixed; each sample solved on its own.

        Non-negative least squares per sample, plus the sparseness constraint when
        ``code_sparseness_scope="sample"`` and the L1 penalty ``code_l1``: the problem
        each sample's code solves in the fit. ``transform(X)[i]`` equals
        ``transform(X[i:i+1])[0]``.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            A lazy dask array (solved block by block) for a dask ``X``.
        """
        if _distributed.is_dask_array(X):
            return _distributed.transform(self, X)
        return self._validated_codes(X)[1]

    def _prepare(self, X, *, reset):
        """The one preparation of ``fit``, ``partial_fit`` and ``transform``: ``X``
        under the package's input contract (:func:`~sparse_parts._utils.check_images`),
        checked against the fitted model unless ``reset``, and the torch device (None
        for numpy)."""
        if not reset:
            check_is_fitted(self)
        return check_images(self, X, reset=reset), xp.resolve_torch_device(self.device)

    def _validated_codes(self, X):
        """``(X, codes)``: the input validated once, and its per-sample codes."""
        X, device = self._prepare(X, reset=False)
        codes = solve_codes(X, self.components_.astype(X.dtype, copy=False),
                            self._sample_sparseness(), self.max_iter, self.tol,
                            device, _check_code_l1(self.code_l1))
        return X, codes

    _count_name = "n_components_"

    def _decode(self, codes, components):
        """Images from codes and (possibly operated) atoms: ``codes @ components``."""
        return codes @ components.astype(codes.dtype, copy=False)
