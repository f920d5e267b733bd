"""Non-negative matrix factorisation with sparseness constraints (Hoyer 2004).

``X ~ codes @ components_``: both factors non-negative, the atoms (rows of
``components_``) and/or the codes held at a prescribed Hoyer sparseness.

Three layers, as in scikit-learn's ``decomposition`` module:

- private kernels: one block-coordinate sweep (:func:`_sweep`) that updates the
  columns of a factor one after another, each exactly minimising the objective
  over its constraint set, and the per-sample code solver (:func:`_solve_codes`);
- the validated function :func:`sparse_nmf`;
- the estimator :class:`SparseNMF`.

Why not Hoyer's projected gradient with backtracking? Every column update of the
sweep is the *exact* minimiser over its column, so the objective decreases
monotonically without a line search, and each sweep costs one ``n x k`` product
per column and one projection. Hoyer's ``nmfsc`` reaches the same sparse
solutions but needs far more iterations; ``benchmarks/bench_nmf.py`` measures both.

The exact column updates rest on two facts. With everything but column ``j``
fixed, the objective is ``||f_j||^2 g_jj - 2 <f_j, r_j> + const`` where
``r_j = b_j - F g_j + f_j g_jj``:

- for a free non-negative column (or one held in the scale-free sparseness
  cone) the minimiser is the projection of ``r_j / g_jj`` (HALS);
- for a column of fixed unit L2 norm (Hoyer's component-wise code constraint)
  the first term is constant, so the minimiser maximises ``<f_j, r_j>``: the
  projection of ``r_j`` onto the constraint set, whatever its scale.
"""

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.extmath import randomized_svd
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ._decomposition import PartBasedMixin
from ._utils import check_fraction, check_int, check_real, resolve_image_shape
from .sparseness import (
    project_sparseness,
    project_sparseness_cone,
    project_vector_warm,
    sparseness_to_l1,
)

__all__ = ["SparseNMF", "sparse_nmf"]

_SCOPES = ("sample", "component")
_INITS = ("nndsvda", "nndsvd", "random")
_EPS = 1e-12
# Accelerated projected-gradient steps on the codes per iteration of the fit, when
# every code is held at a sparseness (the other updates are exact block minimisers).
_INNER_STEPS = 10


# --------------------------------------------------------------------------- kernels
def _initialize(X, n_components, init, rng):
    """Non-negative starting factors ``(codes, components)``.

    NNDSVD (Boutsidis & Gallopoulos 2008): the positive or negative part of each
    singular pair, whichever carries more energy; "nndsvda" fills its zeros with
    the data mean, which lets multiplicative-free solvers leave them.
    """
    n_samples, n_features = X.shape
    dtype = X.dtype
    if init == "random":
        scale = np.sqrt(X.mean() / n_components)
        codes = np.abs(rng.standard_normal((n_samples, n_components))) * scale
        components = np.abs(rng.standard_normal((n_components, n_features))) * scale
        return codes.astype(dtype), components.astype(dtype)

    # A rough SVD is enough for a starting point: 2 power iterations, not 7.
    U, S, Vt = randomized_svd(X, n_components, n_iter=2, random_state=rng)
    codes = np.zeros((n_samples, n_components), dtype=dtype)
    components = np.zeros((n_components, n_features), dtype=dtype)
    codes[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    components[0] = np.sqrt(S[0]) * np.abs(Vt[0])
    for j in range(1, n_components):
        u, v = U[:, j], Vt[j]
        u_pos, u_neg = np.maximum(u, 0), np.maximum(-u, 0)
        v_pos, v_neg = np.maximum(v, 0), np.maximum(-v, 0)
        nu_pos, nv_pos = np.linalg.norm(u_pos), np.linalg.norm(v_pos)
        nu_neg, nv_neg = np.linalg.norm(u_neg), np.linalg.norm(v_neg)
        if nu_pos * nv_pos >= nu_neg * nv_neg:
            u, v, sigma = u_pos / (nu_pos + _EPS), v_pos / (nv_pos + _EPS), nu_pos * nv_pos
        else:
            u, v, sigma = u_neg / (nu_neg + _EPS), v_neg / (nv_neg + _EPS), nu_neg * nv_neg
        codes[:, j] = np.sqrt(S[j] * sigma) * u
        components[j] = np.sqrt(S[j] * sigma) * v
    codes[codes < _EPS] = 0
    components[components < _EPS] = 0
    if init == "nndsvda":
        mean = X.mean()
        codes[codes == 0] = mean
        components[components == 0] = mean
    return codes, components


def _sweep(F, B, G, project=None, unit_norm=False):
    """One block-coordinate pass over the columns of ``F`` for ``min ||Y - F H||^2``.

    ``B = Y H^T`` and ``G = H H^T``; ``F`` (Fortran-ordered for speed) is updated
    in place. ``project(target, j)`` maps the unconstrained optimum of column ``j``
    onto its constraint set (``None``: clamp at 0). ``unit_norm`` says the constraint set has
    fixed unit L2 norm, so the projection is taken of ``r_j`` itself.
    """
    # Many small matrix-vector products: BLAS threads cost more than they bring
    # (measured: 2 threads made each product ~10x slower on a busy 2-core machine).
    with threadpool_limits(1, user_api="blas"):
        _sweep_columns(F, B, G, project, unit_norm)


def _sweep_columns(F, B, G, project, unit_norm):
    for j in range(F.shape[1]):
        g_jj = G[j, j]
        if g_jj <= _EPS:  # a dead component: the objective does not depend on f_j
            continue
        residual = B[:, j] - F @ G[:, j]
        if unit_norm:
            target = residual + g_jj * F[:, j]
        else:
            target = F[:, j] + residual / g_jj
        F[:, j] = np.maximum(target, 0) if project is None else project(target, j)


class _WarmUnitProjection:
    """Projection of column ``j`` onto Hoyer's unit-norm set, warm-started per column.

    Each column keeps the threshold of its last projection, relative to the target's
    largest entry (targets change scale between iterations): the next projection
    then settles in one or two O(n) passes instead of a sort.
    """

    def __init__(self, n, sparseness, n_columns):
        self.l1 = sparseness_to_l1(n, sparseness)
        self.relative = [None] * n_columns

    def __call__(self, target, j):
        scale = float(np.abs(target).max()) or 1.0
        guess = None if self.relative[j] is None else self.relative[j] * scale
        column, threshold = project_vector_warm(target, self.l1, 1.0, guess)
        self.relative[j] = None if threshold is None else threshold / scale
        return column


def _objective(squared_norm_X, B, G, C, C_gram):
    """``0.5 ||X - C A||^2`` from ``B = X A^T``, ``G = A A^T`` and ``C^T C``, without ``C A``."""
    value = squared_norm_X - 2 * np.vdot(B, C) + np.vdot(G, C_gram)
    return 0.5 * max(float(value), 0.0)


def _row_dot(P, Q):
    return np.einsum("ij,ij->i", P, Q)


def _codes_from_grams(B, G, squared_norms, sparseness, max_iter, tol, codes):
    """Improve ``codes`` row by row for ``min 0.5 ||x_i - A^T c_i||^2``, atoms fixed.

    ``B = X A^T``, ``G = A A^T``, ``squared_norms = ||x_i||^2``. Without
    ``sparseness``: HALS sweeps (non-negative least squares). With it, every code is
    held in the sparseness cone by accelerated projected gradient (FISTA, step
    ``1 / ||G||_2``, projection onto the codes at least that sparse) with a monotone
    restart: a row whose accelerated step would
    raise its objective takes the plain projected step instead, which cannot (the
    projection minimises the quadratic upper bound over the cone). Plain projected
    gradient needs about ``cond(G)`` steps and non-negative atoms make ``G``
    ill-conditioned, hence the acceleration.

    A row stops when its objective decreases by at most ``tol`` relatively; stopped
    rows are not touched again, so a row's result depends on that row alone.
    ``codes`` (Fortran-ordered) is updated in place and returned.
    """
    objective = 0.5 * (squared_norms - 2 * _row_dot(B, codes) + _row_dot(codes @ G, codes))
    active = np.arange(B.shape[0])
    if sparseness is None:
        for _ in range(max_iter):
            rows = np.asfortranarray(codes[active])
            _sweep(rows, B[active], G)
            codes[active] = rows
            value = 0.5 * (squared_norms[active] - 2 * _row_dot(B[active], rows)
                           + _row_dot(rows @ G, rows))
            done = objective[active] - value <= tol * np.abs(objective[active])
            objective[active] = value
            active = active[~done]
            if active.size == 0:
                break
        return codes

    step = 1.0 / max(float(np.linalg.norm(G, 2)), _EPS)
    codes_G = codes @ G
    ahead, ahead_G = codes.copy(), codes_G.copy()  # the extrapolated point y
    momentum = np.ones(B.shape[0])

    def projected_step(point, point_G, B_rows):
        new = project_sparseness_cone(point - step * (point_G - B_rows), sparseness,
                                      at_least=True)
        new_G = new @ G
        value = 0.5 * (squared_norms_rows - 2 * _row_dot(B_rows, new) + _row_dot(new_G, new))
        return new, new_G, value

    for _ in range(max_iter):
        B_rows, squared_norms_rows = B[active], squared_norms[active]
        new, new_G, value = projected_step(ahead[active], ahead_G[active], B_rows)
        worse = value > objective[active]
        if worse.any():
            rows = active[worse]
            squared_norms_rows = squared_norms[rows]
            new[worse], new_G[worse], value[worse] = projected_step(
                codes[rows], codes_G[rows], B[rows])
            momentum[rows] = 1.0
        t = momentum[active]
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        beta = ((t - 1) / t_next)[:, None]
        ahead[active] = new + beta * (new - codes[active])
        ahead_G[active] = new_G + beta * (new_G - codes_G[active])
        done = objective[active] - value <= tol * np.abs(objective[active])
        codes[active], codes_G[active] = new, new_G
        objective[active], momentum[active] = value, t_next
        active = active[~done]
        if active.size == 0:
            break
    return codes


def _solve_codes(X, components, sparseness, max_iter, tol):
    """Codes of every sample with the atoms fixed, each sample on its own.

    Non-negative least squares, or codes held in the sparseness cone when
    ``sparseness`` is given (see :func:`_codes_from_grams`); the start depends on
    the sample alone.
    """
    G = components @ components.T
    B = X @ components.T
    # The best multiple of each atom alone, clamped, rescaled as a whole.
    codes = np.maximum(B, 0) / np.maximum(np.diag(G), _EPS)
    scale = _row_dot(B, codes) / np.maximum(_row_dot(codes @ G, codes), _EPS)
    codes *= np.maximum(scale, 0)[:, None]
    codes = np.asfortranarray(codes, dtype=X.dtype)
    squared_norms = _row_dot(X, X)
    if sparseness is not None:
        # Start the sparse codes from the non-negative least-squares ones, projected:
        # near the optimum already, where the ill-conditioned gradient steps are slow.
        codes = _codes_from_grams(B, G, squared_norms, None, max_iter, tol, codes)
        codes = np.asfortranarray(project_sparseness_cone(codes, sparseness, at_least=True))
    codes = _codes_from_grams(B, G, squared_norms, sparseness, max_iter, tol, codes)
    return np.ascontiguousarray(codes)


def _check_parameters(n_samples, n_features, n_components, atom_sparseness, code_sparseness,
                      code_sparseness_scope, init, max_iter, tol):
    if n_components is None:
        n_components = n_features
    n_components = check_int(n_components, "n_components")
    atom_sparseness = check_fraction(atom_sparseness, "atom_sparseness")
    code_sparseness = check_fraction(code_sparseness, "code_sparseness")
    if code_sparseness_scope not in _SCOPES:
        raise ValueError(
            f"code_sparseness_scope must be one of {_SCOPES}, got {code_sparseness_scope!r}.")
    if init not in _INITS:
        raise ValueError(f"init must be one of {_INITS}, got {init!r}.")
    if init != "random" and n_components > min(n_samples, n_features):
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


def _check_non_negative(X, whom):
    if X.min() < 0:
        raise ValueError(
            f"Negative values in data passed to {whom} (minimum {X.min():.4g}): "
            "non-negative matrix factorisation is only defined for non-negative data. "
            "Shift or rescale the images to be >= 0 (e.g. pixels / 255).")


# ------------------------------------------------------------------ public function
def sparse_nmf(X, n_components=None, *, atom_sparseness=None, code_sparseness=None,
               code_sparseness_scope="sample", init="nndsvda", max_iter=200, tol=1e-4,
               random_state=None, verbose=0, callback=None, extrapolate=True):
    """Factorise ``X ~ codes @ components`` with non-negative, sparse factors.

    Minimises :math:`\\frac12 \\|X - C A\\|_F^2` over :math:`C \\ge 0` (codes,
    ``n_samples x n_components``) and :math:`A \\ge 0` (atoms,
    ``n_components x n_features``), subject to Hoyer sparseness constraints
    (see :class:`SparseNMF` for the parameters).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Non-negative, finite data (validated by the caller or by :class:`SparseNMF`).
    callback : callable, default=None
        Called after every iteration as ``callback(n_iter, codes, components, error)``
        with ``error`` the current mean squared error; returning True stops the fit.

    Other parameters are those of :class:`SparseNMF`.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_components)
    components : ndarray of shape (n_components, n_features)
    n_iter : int
    errors : list of float
        Mean squared reconstruction error after every iteration.
    """
    X = np.asarray(X)
    n_samples, n_features = X.shape
    n_components, atom_sparseness, code_sparseness, init = _check_parameters(
        n_samples, n_features, n_components, atom_sparseness, code_sparseness,
        code_sparseness_scope, init, max_iter, tol)
    rng = check_random_state(random_state)
    codes, components = _initialize(X, n_components, init, rng)

    code_projection, unit_codes = None, False
    if code_sparseness is not None and code_sparseness_scope == "component":
        # Hoyer's nmfsc: each component's activations have unit L2 norm and the
        # prescribed sparseness; the atoms carry the scale.
        norms = np.linalg.norm(codes, axis=0)
        components *= norms[:, None]
        codes = project_sparseness(codes.T / np.maximum(norms, _EPS)[:, None],
                                   code_sparseness).T
        unit_codes = True
        code_projection = _WarmUnitProjection(n_samples, code_sparseness, n_components)
    elif code_sparseness is not None:
        codes = project_sparseness_cone(codes, code_sparseness, at_least=True)
    atom_projection = None
    if atom_sparseness is not None:
        components = project_sparseness_cone(components, atom_sparseness)

        def atom_projection(v, j):
            return project_sparseness_cone(v, atom_sparseness)

    codes = np.asfortranarray(codes, dtype=X.dtype)
    atoms_t = np.asfortranarray(components.T, dtype=X.dtype)  # the atoms as columns
    squared_norm_X = float(np.vdot(X, X))
    size = X.size

    squared_norms = _row_dot(X, X)

    def update_codes(codes, B, G):
        codes = codes.copy(order="F")
        if code_sparseness is not None and code_sparseness_scope == "sample":
            return _codes_from_grams(B, G, squared_norms, code_sparseness, _INNER_STEPS, 0.0,
                                     codes)
        _sweep(codes, B, G, code_projection, unit_norm=unit_codes)
        return codes

    def project_codes(codes):
        if code_projection is not None:
            return np.asfortranarray(project_sparseness(codes.T, code_sparseness).T)
        if code_sparseness is not None:
            return np.asfortranarray(
                project_sparseness_cone(codes, code_sparseness, at_least=True))
        return np.maximum(codes, 0)

    def project_atoms(atoms_t):
        if atom_projection is not None:
            return np.asfortranarray(project_sparseness_cone(atoms_t.T, atom_sparseness).T)
        return np.maximum(atoms_t, 0)

    # Extrapolation with restarts (Ang & Gillis 2019): after every block update,
    # step on along the last move by beta and project; a rise of the error undoes the
    # extrapolation and shrinks beta.
    beta, beta_max = (0.5, 1.0) if extrapolate else (0.0, 0.0)
    codes_hat, atoms_hat = codes, atoms_t
    errors = []
    previous = np.inf
    start = time.perf_counter()
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        # Atoms, codes fixed: the columns of A^T in  X^T ~ A^T C^T.
        new_atoms = atoms_t.copy(order="F")
        _sweep(new_atoms, X.T @ codes_hat, codes_hat.T @ codes_hat, atom_projection)
        atoms_hat = new_atoms if beta == 0 else project_atoms(
            new_atoms + beta * (new_atoms - atoms_t))
        atoms_t = new_atoms
        # Codes, atoms fixed.
        B = X @ atoms_hat
        G = atoms_hat.T @ atoms_hat
        new_codes = update_codes(codes, B, G)
        codes_hat = new_codes if beta == 0 else project_codes(
            new_codes + beta * (new_codes - codes))
        codes = new_codes
        objective = _objective(squared_norm_X, B, G, codes, codes.T @ codes)
        if extrapolate:
            if objective > previous:
                codes_hat, atoms_hat = codes, atoms_t
                beta_max, beta = beta, beta / 1.5
            else:
                beta, beta_max = min(beta_max, 1.05 * beta), min(1.0, 1.01 * beta_max)

        errors.append(2 * objective / size)
        if verbose and (n_iter % 10 == 0 or n_iter == 1):
            print(f"SparseNMF: iteration {n_iter:4d}  mse {errors[-1]:.6f}  "
                  f"({time.perf_counter() - start:.1f} s)")
        if callback is not None and callback(n_iter, codes, atoms_hat.T, errors[-1]):
            break
        if n_iter > 1 and abs(previous - objective) <= tol * previous:
            break
        previous = objective
    else:
        if tol > 0:
            warnings.warn(
                f"Maximum number of iterations {max_iter} reached before the relative "
                f"decrease of the objective fell below tol={tol}. Increase max_iter.",
                ConvergenceWarning, stacklevel=2)
    atoms_t = atoms_hat
    return np.ascontiguousarray(codes), np.ascontiguousarray(atoms_t.T), n_iter, errors


# ------------------------------------------------------------------------ estimator
class SparseNMF(PartBasedMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation with sparseness constraints (Hoyer 2004).

    Finds non-negative atoms ``components_`` and non-negative codes whose product
    approximates the data:

    .. math::

        \\min_{C \\ge 0,\\, A \\ge 0} \\tfrac12 \\|X - C A\\|_F^2
        \\quad \\text{s.t.} \\quad s(a_j) = S_w,\\; s(\\text{codes}) = S_h,

    where :math:`s(x) = (\\sqrt n - \\|x\\|_1/\\|x\\|_2)/(\\sqrt n - 1)` is Hoyer's
    sparseness. ``code_sparseness_scope="component"`` is Hoyer's ``nmfsc``: every
    component's activations over the training samples have unit L2 norm and
    sparseness :math:`S_h`, the atoms carrying the scale. ``"sample"`` holds every
    code vector at a sparseness of at least :math:`S_h` (its scale free): an
    equality would force naturally sparser codes to spread over more atoms.

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
        samples (exactly that sparseness, at unit L2 norm) (Hoyer's original; then
        only the fit is constrained, and :meth:`transform` solves a plain
        non-negative least-squares problem per sample).
    image_shape : tuple of int (height, width), default=None
        Shape of the flattened images, used by the morphological metrics. None
        means square images when ``n_features`` is a perfect square.
    init : {"nndsvda", "nndsvd", "random"}, default="nndsvda"
        Starting point. NNDSVD needs ``n_components <= min(n_samples, n_features)``
        and falls back to "random" otherwise.
    max_iter : int, default=200
        Maximum number of iterations of the fit, and of the per-sample code solver.
    tol : float, default=1e-4
        Stop when the objective decreases by less than ``tol`` relatively in one
        iteration (per sample in :meth:`transform`).
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.
    verbose : int, default=0
        Print the error every 10 iterations.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The atoms, one flattened image per row, non-negative.
    n_components_ : int
    image_shape_ : tuple of int or None
        ``(height, width)`` of the images, None if unknown (non-square without
        ``image_shape``).
    reconstruction_err_ : float
        Frobenius norm ``||X - codes @ components_||`` at the end of the fit (as in
        scikit-learn's NMF).
    n_iter_ : int
        Iterations run.
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
    """

    def __init__(self, n_components=None, *, atom_sparseness=None, code_sparseness=None,
                 code_sparseness_scope="sample", image_shape=None, init="nndsvda",
                 max_iter=200, tol=1e-4, random_state=None, verbose=0):
        self.n_components = n_components
        self.atom_sparseness = atom_sparseness
        self.code_sparseness = code_sparseness
        self.code_sparseness_scope = code_sparseness_scope
        self.image_shape = image_shape
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Learn the atoms from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
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
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        _check_non_negative(X, f"{type(self).__name__}.fit")
        self.image_shape_ = resolve_image_shape(X.shape[1], self.image_shape, required=False)
        codes, components, n_iter, errors = sparse_nmf(
            X, self.n_components, atom_sparseness=self.atom_sparseness,
            code_sparseness=self.code_sparseness,
            code_sparseness_scope=self.code_sparseness_scope, init=self.init,
            max_iter=self.max_iter, tol=self.tol, random_state=self.random_state,
            verbose=self.verbose)
        if not (self.code_sparseness is not None and self.code_sparseness_scope == "component"):
            # The codes the per-sample solver gives, so that fit_transform(X) agrees
            # with fit(X).transform(X) (the sample-wise constraint is not convex, and
            # the fit's last codes may sit in another local optimum).
            codes = _solve_codes(X, components, self._sample_sparseness(), self.max_iter,
                                    self.tol)
            errors[-1] = float(np.mean((X - codes @ components) ** 2))
        self.components_ = components
        self.n_components_ = components.shape[0]
        self.n_iter_ = n_iter
        self.reconstruction_err_ = float(np.sqrt(errors[-1] * X.size))
        return codes

    def _sample_sparseness(self):
        return self.code_sparseness if self.code_sparseness_scope == "sample" else None

    def transform(self, X):
        """Codes of new images, the atoms held fixed; each sample solved on its own.

        Non-negative least squares per sample, plus the sparseness constraint when
        ``code_sparseness_scope="sample"``. ``transform(X)[i]`` equals
        ``transform(X[i:i+1])[0]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        return self._validated_codes(X, "transform")[1]

    def _validated_codes(self, X, method):
        """``(X, codes)``: the input validated once, and its per-sample codes."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        _check_non_negative(X, f"{type(self).__name__}.{method}")
        codes = _solve_codes(X, self.components_.astype(X.dtype, copy=False),
                             self._sample_sparseness(), self.max_iter, self.tol)
        return X, codes

    _count_name = "n_components_"

    def _decode(self, codes, components):
        """Images from codes and (possibly operated) atoms: ``codes @ components``."""
        return codes @ components.astype(codes.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
