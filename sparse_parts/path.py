"""SparseNMF's regularisation path over ``code_l1``, and a model chosen on it by a target.

:func:`sparse_nmf_path` is to :class:`~sparse_parts.SparseNMF` what scikit-learn's
``lasso_path`` is to ``Lasso``: one call fits a whole sequence of L1 strengths on the
codes, each fit warm-started from the atoms of the previous one, and measures every
point on held-out images (reconstruction MSE, Hoyer sparsity of the codes,
max-approximation error to dilation). Its result holds the Pareto-optimal subset: the
trade-off between reconstruction and sparsity *of these data*, not of the data a
preset was tuned on. :class:`SparseNMFPath` fits a path on a split of the training
images and keeps the point that meets a target (the sparsest model within an MSE
budget, or the lowest max-approximation error above a sparsity), as an estimator for
``GridSearchCV`` and Pipelines, as ``LassoCV`` does for ``Lasso``.

Why increasing ``code_l1``, and warm points that stop on a tolerance. The problem is
not convex: independent (cold) fits at neighbouring strengths land in different local
optima. Continuation from the least penalised fit, the strength going up, moves each
dictionary a little from the last. The first point is a cold fit (SparseNMF's default
start); every following one starts from the previous point's atoms and training codes
(its code solver starts from them, a few sweeps instead of a solve) and runs until
its objective decreases by less than ``path_tol`` relatively in one iteration, at
most ``path_max_iter`` iterations. Measured by ``benchmarks/bench_path.py``
(``benchmarks/README.md``; 16 points, one BLAS thread on a shared 2-core CPU), the
sweep cost 5.0, 2.4 and 3.3 times one cold fit on the digits, 12x12 photograph
patches and 5,000 Fashion-MNIST images (a fifth to a third of 16 separate cold fits)
with the default ``path_tol=3e-4``, and dominated as many of scikit-learn's peer
points as 25 fixed iterations per point, which cost 7.3, 4.2 and 7.8 cold fits;
``path_tol=0`` runs every point's whole ``path_max_iter``.

Sparsity follows the strength on the digits and on Fashion-MNIST. On the photograph
patches it follows it up to ``code_l1`` = 0.04 (Hoyer 0.83 to 0.87, zero fraction
0.52 to 0.77), then falls: at 0.058 and 0.079 the zero fraction still rises but the
surviving activations are more equal (evenness ``|h|_1 / (|h|_2 sqrt(L0))`` 0.64 to
0.72), which lowers the L1/L2 ratio Hoyer measures; at 0.107 and 0.146 the zero
fraction falls too (0.80 to 0.73): the warm dictionary of localised parts codes a
patch with more atoms, where cold fits at those strengths find dictionaries that code
it with 2 to 4 (Hoyer 0.93 to 0.96). :attr:`PathResult.zero_fraction` and
:attr:`PathResult.sparsity_drops` report it. Such a point, at a higher MSE than its
predecessor, is dominated in (MSE, sparsity), and is in :attr:`PathResult.pareto` only
for a lower max-approximation error; choose on the Pareto points, as
:class:`SparseNMFPath`'s targets do.
``refine`` inserts points into the widest gaps of the front.
"""

import math
import time
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._decomposition import PartBasedMixin
from ._nmf_constraints import code_l1_weights
from ._utils import check_image_array, check_images, check_int
from .metrics import hoyer_sparsity, max_approximation_error, reconstruction_error
from .nmf import SparseNMF

__all__ = ["PathResult", "SparseNMFPath", "default_code_l1s", "pareto_indices", "sparse_nmf_path"]

_SELECTS = ("sparsest_within_mse", "min_max_approx_above_sparsity", "min_mse_above_sparsity")


def default_code_l1s(X, n_points=16, *, eps=1e-2):
    """A geometric grid of ``code_l1`` values scaled to the data, increasing.

    ``code_l1`` is a cosine: an atom enters a sample's code only while its inner
    product with the residual reaches ``code_l1`` times the sample's norm. The grid's
    top is half the median cosine between a sample and the mean image (at the full
    median, a dictionary holding only the mean image would code half the samples
    with zeros); its bottom is ``eps`` times the top.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Non-negative images.
    n_points : int, default=16
    eps : float in (0, 1), default=1e-2
        Ratio of the smallest to the largest strength.

    Returns
    -------
    code_l1s : ndarray of shape (n_points,)
    """
    X = check_image_array(X, "default_code_l1s")
    n_points = check_int(n_points, "n_points")
    if not (isinstance(eps, Real) and 0 < eps < 1):
        raise ValueError(f"eps must be a real number in (0, 1), got {eps!r}.")
    mean = X.mean(axis=0)
    norms = np.linalg.norm(X, axis=1) * (np.linalg.norm(mean) or 1.0)
    cosines = (X @ mean) / np.where(norms > 0, norms, 1.0)
    top = 0.5 * float(np.median(cosines))
    if not top > 0:
        raise ValueError("X is all zeros: no L1 strength on its codes is meaningful.")
    return np.geomspace(eps * top, top, n_points) if n_points > 1 else np.array([top])


def _check_code_l1s(code_l1s):
    try:
        values = np.asarray(code_l1s, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    if (values is None or values.ndim != 1 or values.size == 0
            or not np.all(np.isfinite(values)) or values.min() < 0 or values.max() >= 1):
        raise ValueError(
            "code_l1s must be a non-empty 1-D sequence of real numbers in [0, 1) (the "
            f"strengths of the codes' L1 penalty, see SparseNMF's code_l1); got {code_l1s!r}.")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"code_l1s must not repeat a value; got {code_l1s!r}.")
    return np.sort(values)


@dataclass
class PathResult:
    """The points of a SparseNMF regularisation path, ``code_l1`` increasing.

    Attributes
    ----------
    code_l1s : ndarray of shape (n_points,)
    models : list of SparseNMF
        The fitted model of every point (its ``components_`` are the point's atoms).
    mse, sparsity, max_approximation : ndarray of shape (n_points,)
        Held-out reconstruction MSE, mean Hoyer sparsity of the codes, and
        max-approximation error to dilation (radius 1; NaN when the image shape is
        unknown), on ``X_test`` (on ``X`` without it).
    nonzeros : ndarray of shape (n_points,)
        Mean number of non-zero entries of the held-out codes: it falls with the
        strength more steadily than the Hoyer sparsity, which also weighs the
        magnitudes of the entries (see :attr:`is_monotone` and :attr:`zero_fraction`).
    n_iter : ndarray of shape (n_points,)
        Iterations of every point's fit.
    fit_time : ndarray of shape (n_points,)
        Seconds (process time) of every point's fit, measurement excluded.
    pareto : ndarray of int
        Indices of the Pareto-optimal points: no other point has a lower (or equal)
        MSE, a higher (or equal) sparsity and a lower (or equal) max-approximation
        error, one of them strictly.
    inserted : ndarray of bool of shape (n_points,)
        Whether a point was inserted by the refinement (``refine``) rather than being
        one of the sweep's strengths.
    restarted : ndarray of bool of shape (n_points,)
        Whether a point's model is a cold fit that replaced its warm-started one
        (``restart_on_drop``: the warm point's sparsity fell below its predecessor's
        and the cold fit solved the point's problem better). Its ``fit_time`` counts
        both fits.
    """

    code_l1s: np.ndarray
    models: list
    mse: np.ndarray
    sparsity: np.ndarray
    max_approximation: np.ndarray
    nonzeros: np.ndarray
    n_iter: np.ndarray
    fit_time: np.ndarray
    pareto: np.ndarray = field(default=None)
    inserted: np.ndarray = field(default=None)
    restarted: np.ndarray = field(default=None)

    def __post_init__(self):
        if self.inserted is None:
            self.inserted = np.zeros(len(self.code_l1s), dtype=bool)
        if self.restarted is None:
            self.restarted = np.zeros(len(self.code_l1s), dtype=bool)

    @property
    def components(self):
        """The atoms of every point, a list of ``(n_components, n_features)`` arrays."""
        return [model.components_ for model in self.models]

    @property
    def zero_fraction(self):
        """Mean fraction of exact zeros in the held-out codes, one per point.

        ``1 - nonzeros / n_components``: the count the L1 penalty acts on, beside the
        Hoyer sparsity, which also weighs how equal the surviving entries are.
        """
        return np.array([1.0 - z / model.components_.shape[0]
                         for z, model in zip(self.nonzeros, self.models, strict=True)])

    @property
    def is_monotone(self):
        """Whether the held-out sparsity never goes down as ``code_l1`` goes up.

        Not guaranteed: the problem is not convex, and the Hoyer sparsity of a code
        weighs its magnitudes, not only how many entries are non-zero. See
        :attr:`sparsity_drops` for where and why it went down.
        """
        return bool(np.all(np.diff(self.sparsity) >= 0))

    @property
    def sparsity_drops(self):
        """Indices ``i`` where the Hoyer sparsity is lower than at point ``i - 1``.

        Two causes, told apart by :attr:`zero_fraction`: where the zero fraction fell
        too, the fit moved to a dictionary that codes with more atoms (another local
        optimum); where it rose or stayed, fewer atoms are used but their activations
        are more equal, which lowers the L1/L2 ratio Hoyer measures. Measured on 12x12
        patches of photographs (``benchmarks/README.md``). A dropping point at a
        higher MSE than its predecessor is dominated by it in (MSE, sparsity), and is
        in :attr:`pareto` only for a lower max-approximation error: choose among the
        Pareto points, as :class:`SparseNMFPath`'s targets do.
        """
        return np.flatnonzero(np.diff(self.sparsity) < 0) + 1

    def as_records(self):
        """One dict per point (``code_l1``, ``mse``, ``sparsity``, ``max_approximation``,
        ``nonzeros``, ``zero_fraction``, ``n_iter``, ``fit_time``, ``pareto``,
        ``inserted``, ``restarted``), for a DataFrame or a table."""
        on_front = set(int(i) for i in self.pareto)
        return [{"code_l1": float(c), "mse": float(m), "sparsity": float(s),
                 "max_approximation": float(a), "nonzeros": float(z),
                 "zero_fraction": float(f), "n_iter": int(n), "fit_time": float(t),
                 "pareto": i in on_front, "inserted": bool(r), "restarted": bool(b)}
                for i, (c, m, s, a, z, f, n, t, r, b) in enumerate(zip(
                    self.code_l1s, self.mse, self.sparsity, self.max_approximation,
                    self.nonzeros, self.zero_fraction, self.n_iter, self.fit_time,
                    self.inserted, self.restarted, strict=True))]


def pareto_indices(mse, sparsity, max_approximation=None):
    """Indices of the non-dominated points (low MSE, high sparsity, low max-approx).

    A NaN objective (e.g. an unknown max-approximation) is left out of the comparison.
    """
    columns = [np.asarray(mse, float), -np.asarray(sparsity, float)]
    if max_approximation is not None and not np.all(np.isnan(max_approximation)):
        columns.append(np.asarray(max_approximation, float))
    points = np.stack(columns, axis=1)
    keep = []
    for i, p in enumerate(points):
        dominated = np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1))
        if not dominated:
            keep.append(i)
    return np.array(keep, dtype=int)


def _measure(model, X_test):
    codes = model.transform(X_test)
    mse = reconstruction_error(X_test, model.inverse_transform(codes))
    sparsity = hoyer_sparsity(codes)
    if getattr(model, "image_shape_", None) is None:
        approx = math.nan
    else:
        approx = max_approximation_error(model, X_test, codes=codes)
    return mse, sparsity, approx, float(np.mean(np.count_nonzero(codes, axis=1)))


def _penalised_objective(model, X, code_l1):
    """``0.5 ||X - C A||^2 + sum_i w_i sum_j c_ij`` of ``model`` on ``X``, with its codes
    from ``transform`` and SparseNMF's per-sample weights ``w_i = code_l1 ||x_i||``."""
    codes = model.transform(X)
    residual = X - model.inverse_transform(codes)
    weights = code_l1_weights(X, float(code_l1))  # None without a penalty
    penalty = 0.0 if weights is None else float(weights @ codes.sum(axis=1))
    return 0.5 * float(np.vdot(residual, residual)) + penalty


def _gaps(mse, sparsity):
    """How far apart consecutive points are, in the path's normalised trade-off plane.

    The geometric mean of the steps in log-MSE and in Hoyer sparsity, each divided by
    its range over the path: the side of the square a peer point could fall into
    between two neighbours, dominated by neither (0 where the next point does not
    rise in both).
    """
    log_mse = np.log(np.maximum(mse, np.finfo(float).tiny))
    steps = []
    for values in (log_mse, np.asarray(sparsity, float)):
        span = np.ptp(values)
        steps.append(np.maximum(np.diff(values), 0) / (span if span > 0 else 1.0))
    return np.sqrt(steps[0] * steps[1])


def _largest_front_gap(code_l1s, mse, sparsity, refine_gap):
    """The strength to insert into the widest gap of the (MSE, sparsity) front, or None.

    The gaps are those between consecutive Pareto-optimal points (in increasing
    strength; :func:`_gaps`): a gap beside a dominated point is no gap of the front.
    The new strength is the geometric mean of the two ends' (their mean from 0); a gap
    whose middle strength the path already has (its point was dominated) is passed
    over, so no strength is fitted twice.
    """
    code_l1s = np.asarray(code_l1s)
    front = np.sort(pareto_indices(mse, sparsity))  # by strength: the points are sorted
    gaps = _gaps(np.asarray(mse)[front], np.asarray(sparsity)[front])
    for j in np.argsort(gaps)[::-1]:
        if gaps[j] <= refine_gap:
            return None
        low, high = code_l1s[front[j]], code_l1s[front[j + 1]]
        between = math.sqrt(low * high) if low > 0 else high / 2
        if not np.any(np.isclose(code_l1s, between, rtol=1e-9, atol=0)):
            return between
    return None


def _fit_point(X, code_l1, start, n_components, path_max_iter, path_tol, max_iter,
               tol, random_state, params):
    """One point of the path: a cold fit without ``start``, else a warm one from
    ``start = (components, codes)``, a neighbouring point's atoms and training codes.

    Returns ``(model, codes, seconds)``, ``codes`` those of ``X`` by the point's atoms,
    solved from the fit's last ones (the next point's start).
    """
    cold = start is None
    components, codes = (None, None) if cold else start
    # The cold point starts as a cold SparseNMF does (its default init, NNDSVD): from
    # NNDSVDA's denser start the photo patches' path began at Hoyer 0.59, not 0.83.
    model = SparseNMF(n_components, code_l1=float(code_l1),
                      init=SparseNMF().init if cold else components,
                      max_iter=max_iter if cold else path_max_iter,
                      tol=tol if cold else path_tol, random_state=random_state, **params)
    began = time.process_time()
    with warnings.catch_warnings():
        if not cold:  # path_max_iter is the warm point's budget, not a failure to converge
            warnings.simplefilter("ignore", ConvergenceWarning)
        codes = model._fit_prepared(*model._prepare(X, reset=True), init_codes=codes,
                                    warm_final=True)
    seconds = time.process_time() - began
    if not cold:  # new codes solved by transform as the cold fit's are
        model.set_params(max_iter=max_iter, tol=tol)
    return model, codes, seconds


def sparse_nmf_path(X, code_l1s=None, *, n_points=16, eps=1e-2, X_test=None,
                    n_components=None, path_max_iter=25, path_tol=3e-4, max_iter=200, tol=1e-4,
                    refine=0, refine_gap=0.05, restart_on_drop=False, random_state=None,
                    measure=True, **params):
    """Fit SparseNMF along a sequence of ``code_l1`` strengths, each from the last.

    The first point (the smallest strength) is a cold fit of
    ``SparseNMF(code_l1=..., max_iter=max_iter, tol=tol, **params)``; every following
    point starts from the previous point's atoms (``init=components_``) and training
    codes (``init_codes``) and runs until ``path_tol`` stops it, at most
    ``path_max_iter`` iterations. The strengths go up, so the codes' sparsity follows
    them (see the module docstring for why, and for the measurements).

    Then, with ``refine`` > 0, up to ``refine`` points are inserted where two
    neighbours on the front (consecutive Pareto-optimal points in (MSE, sparsity))
    are far apart in the trade-off plane (log MSE against Hoyer sparsity, each
    normalised by its range over the path): at the geometric mean of their
    strengths, warm-started from the nearest weaker point as the sweep's points are,
    one at a time into the widest gap while it exceeds
    ``refine_gap``. A peer point between two neighbours, dominated by neither, can
    then be dominated by the point between them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Non-negative training images, flattened.
    code_l1s : array-like of float in [0, 1), default=None
        The strengths, fitted in increasing order whatever their order here. None:
        :func:`default_code_l1s` of ``X`` with ``n_points`` and ``eps``.
    n_points : int, default=16
    eps : float, default=1e-2
        Used when ``code_l1s`` is None.
    X_test : array-like of shape (n_test, n_features), default=None
        Held-out images on which every point is measured; None measures on ``X``.
    n_components : int, default=None
        Number of atoms (None: ``n_features``, as SparseNMF).
    path_max_iter : int, default=25
        The most iterations of every warm-started point.
    path_tol : float, default=3e-4
        Stop a warm point when the relative decrease of its objective in one
        iteration falls below ``path_tol`` (as SparseNMF's ``tol``); 0 runs every
        point's ``path_max_iter`` iterations, a cost known in advance. See
        ``benchmarks/README.md`` for what each saved and cost on three image sets.
    max_iter, tol : int, float
        Of the first, cold, fit (and of every point's per-sample code solver).
    refine : int, default=0
        The most points the refinement inserts (0: none). Each costs a warm point
        (at most ``path_max_iter`` iterations) and a measurement on ``X_test``.
    refine_gap : float in (0, 1], default=0.05
        A gap (the geometric mean of the normalised steps in log MSE and sparsity)
        at or below which no point is inserted.
    restart_on_drop : bool, default=False
        Where a warm-started point's held-out sparsity falls below its predecessor's,
        fit the point cold too (as the first point) and keep whichever model has the
        lower penalised objective on ``X`` (codes from ``transform``): the better
        solution of the point's own problem, not the sparser one. It answers whether
        a drop comes from a stale warm dictionary or from the problem itself: on 12x12
        photograph patches the warm point had the lower objective at 7 of the 8 drops
        of the sweep (the less sparse codes are the better solution there: Hoyer
        sparsity is not what the penalty minimises) and the path's dominance of the
        peers did not change, for 1.5 times the sweep's fitting time
        (``benchmarks/README.md``); hence off by default. Each
        cold fit costs ``max_iter`` iterations at most, only where a drop occurs.
        Needs ``measure``.
    random_state : int, RandomState or None, default=None
    measure : bool, default=True
        Measure every point on ``X_test``. False leaves the metrics NaN and
        ``pareto`` empty, for a caller that measures the models itself (``sparse-parts
        front``); it cannot refine.
    **params
        Other parameters of :class:`~sparse_parts.SparseNMF` (``atom_sparseness``,
        ``code_sparseness``, ``image_shape``, ``device``...), the same for every point.

    Returns
    -------
    result : PathResult
        Its points in increasing ``code_l1``, the inserted ones marked in
        ``inserted``.

    Raises
    ------
    ValueError
        For bad ``code_l1s`` (not in [0, 1), repeated, empty), bad ``n_points``,
        ``path_max_iter``, ``path_tol``, ``refine``, ``refine_gap`` or
        ``restart_on_drop``, ``refine`` or ``restart_on_drop`` without ``measure``, a
        ``code_l1`` or ``init`` in ``params``, or a SparseNMF
        parameter SparseNMF refuses.

    Examples
    --------
    >>> import numpy as np
    >>> from sparse_parts.path import sparse_nmf_path
    >>> X = np.random.default_rng(0).random((60, 16))
    >>> path = sparse_nmf_path(X, [0.01, 0.05, 0.2], n_components=4, random_state=0)
    >>> path.code_l1s.tolist(), len(path.models)
    ([0.01, 0.05, 0.2], 3)
    """
    for name in ("code_l1", "init"):
        if name in params:
            raise ValueError(f"{name} is set by the path; pass code_l1s instead of {name}.")
    unknown = sorted(set(params) - set(SparseNMF().get_params()))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not parameter(s) of SparseNMF.")
    path_max_iter = check_int(path_max_iter, "path_max_iter")
    if isinstance(path_tol, bool) or not isinstance(path_tol, Real) \
            or not 0 <= path_tol < 1:
        raise ValueError(f"path_tol must be a real number in [0, 1) (0: every warm point "
                         f"runs path_max_iter iterations), got {path_tol!r}.")
    if isinstance(refine, bool) or not isinstance(refine, Integral) or refine < 0:
        raise ValueError(f"refine must be a non-negative integer (the most points to "
                         f"insert), got {refine!r}.")
    if isinstance(refine_gap, bool) or not isinstance(refine_gap, Real) \
            or not 0 < refine_gap <= 1:
        raise ValueError(f"refine_gap must be a real number in (0, 1], got {refine_gap!r}.")
    if not isinstance(restart_on_drop, bool | np.bool_):
        raise ValueError(f"restart_on_drop must be True or False, got {restart_on_drop!r}.")
    if refine and not measure:
        raise ValueError("refine needs the points measured: pass measure=True, or "
                         "refine=0.")
    if restart_on_drop and not measure:
        raise ValueError("restart_on_drop needs the points measured (a drop is one of the "
                         "measured sparsity): pass measure=True, or restart_on_drop=False.")
    X = check_image_array(X, "sparse_nmf_path")
    code_l1s = (default_code_l1s(X, n_points, eps=eps) if code_l1s is None
                else _check_code_l1s(code_l1s))
    X_test = X if X_test is None else check_image_array(X_test, "sparse_nmf_path", "X_test")
    if X_test.shape[1] != X.shape[1]:
        raise ValueError(f"X_test has {X_test.shape[1]} features but X has {X.shape[1]}.")

    def fit(code_l1, start):
        """``[code_l1, model, n_iter, seconds, metrics, training codes]`` of a point."""
        model, codes, seconds = _fit_point(X, code_l1, start, n_components, path_max_iter,
                                           path_tol, max_iter, tol, random_state, params)
        return [float(code_l1), model, model.n_iter_, seconds,
                _measure(model, X_test) if measure else (math.nan,) * 4, codes]

    def start_from(point):  # a neighbour's atoms and training codes
        return point[1].components_, point[5]

    points, start = [], None
    for code_l1 in code_l1s:
        point = fit(code_l1, start) + [False, False]
        if restart_on_drop and points and point[4][1] < points[-1][4][1]:
            cold = fit(code_l1, None) + [False, True]
            both = point[3] + cold[3]  # the point cost both fits, whichever is kept
            if _penalised_objective(cold[1], X, code_l1) \
                    < _penalised_objective(point[1], X, code_l1):
                point = cold
            point[3] = both
        points.append(point)
        start = start_from(points[-1])
    for _ in range(refine):
        between = _largest_front_gap([p[0] for p in points], [p[4][0] for p in points],
                                     [p[4][1] for p in points], refine_gap)
        if between is None:
            break
        # Warm-started from the nearest weaker point, as the sweep goes.
        i = int(np.searchsorted([p[0] for p in points], between))
        points.insert(i, fit(between, start_from(points[i - 1])) + [True, False])

    code_l1s, models, n_iter, fit_time, metrics, _, inserted, restarted = zip(*points,
                                                                              strict=True)
    mse, sparsity, approx, nonzeros = (np.array(column)
                                       for column in zip(*metrics, strict=True))
    result = PathResult(np.array(code_l1s), list(models), mse, sparsity, approx, nonzeros,
                        np.array(n_iter), np.array(fit_time), inserted=np.array(inserted),
                        restarted=np.array(restarted))
    result.pareto = (pareto_indices(mse, sparsity, approx) if measure
                     else np.array([], dtype=int))
    return result


class SparseNMFPath(PartBasedMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                    BaseEstimator):
    """SparseNMF with ``code_l1`` chosen on a regularisation path by a target.

    ``fit`` holds out ``validation_fraction`` of the images, fits
    :func:`sparse_nmf_path` on the rest, measures every point on the held-out images
    and keeps the point that meets ``select``:

    - ``"sparsest_within_mse"``: the sparsest codes whose held-out MSE is at most
      ``mse_budget`` (the model the user can afford);
    - ``"min_max_approx_above_sparsity"``: the lowest max-approximation error to
      dilation among the points at least ``min_sparsity`` sparse (needs the image
      shape);
    - ``"min_mse_above_sparsity"``: the lowest MSE among the points at least
      ``min_sparsity`` sparse.

    When no point meets the target, the nearest one is kept (the lowest MSE, or the
    sparsest) with a warning. The kept point's model is ``best_estimator_``; it was
    fitted on the training part of the split. ``transform``, ``inverse_transform``,
    ``components_`` are its own.

    Parameters
    ----------
    n_components : int, default=None
        Number of atoms (None: ``n_features``).
    select : {"sparsest_within_mse", "min_max_approx_above_sparsity", \
"min_mse_above_sparsity"}, default="sparsest_within_mse"
        The target the kept point meets (see above).
    mse_budget : float, default=None
        The MSE budget of ``"sparsest_within_mse"``, on the data's scale (required there).
    min_sparsity : float in [0, 1], default=None
        The sparsity floor of the ``*_above_sparsity`` targets (required there).
    code_l1s : array-like of float, default=None
        The path's strengths; None: :func:`default_code_l1s` of the training part.
    n_points : int, default=16
        Number of strengths of the default path.
    validation_fraction : float in (0, 1), default=0.2
        Share of the images held out to measure the points.
    path_max_iter : int, default=25
        The most iterations of every warm-started point of the path.
    path_tol : float, default=3e-4
        Tolerance that stops a warm point (see :func:`sparse_nmf_path`).
    refine : int, default=0
        The most points inserted into the path's gaps (see :func:`sparse_nmf_path`).
    max_iter : int, default=200
        Iterations of the path's first (cold) fit, and of the code solver.
    tol : float, default=1e-4
        Tolerance of the first fit, as SparseNMF's.
    image_shape : tuple of int, default=None
        As SparseNMF's; the max-approximation needs it for non-square images.
    random_state : int, RandomState or None, default=None
        Seeds the split and the first fit.

    Attributes
    ----------
    best_estimator_ : SparseNMF
    best_index_ : int
    code_l1_ : float
        The kept point's strength.
    path_ : PathResult
        The whole path, measured on the held-out images.
    components_ : ndarray of shape (n_components, n_features)
    n_components_ : int
    image_shape_ : tuple of int or None
    n_iter_ : int
        Iterations of the whole path.
    n_features_in_ : int

    See Also
    --------
    sparse_nmf_path : the path alone.
    sklearn.linear_model.LassoCV : the same idea for the Lasso.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sparse_parts.path import SparseNMFPath
    >>> X = load_digits().data[:300] / 16
    >>> model = SparseNMFPath(8, mse_budget=0.05, n_points=4, random_state=0).fit(X)
    >>> model.transform(X).shape
    (300, 8)
    >>> bool(model.path_.mse[model.best_index_] <= 0.05 < model.path_.mse.max())
    True
    """

    def __init__(self, n_components=None, *, select="sparsest_within_mse", mse_budget=None,
                 min_sparsity=None, code_l1s=None, n_points=16, validation_fraction=0.2,
                 path_max_iter=25, path_tol=3e-4, refine=0, max_iter=200, tol=1e-4,
                 image_shape=None, random_state=None):
        self.n_components = n_components
        self.select = select
        self.mse_budget = mse_budget
        self.min_sparsity = min_sparsity
        self.code_l1s = code_l1s
        self.n_points = n_points
        self.validation_fraction = validation_fraction
        self.path_max_iter = path_max_iter
        self.path_tol = path_tol
        self.refine = refine
        self.max_iter = max_iter
        self.tol = tol
        self.image_shape = image_shape
        self.random_state = random_state

    def _check_target(self):
        if self.select not in _SELECTS:
            raise ValueError(f"select must be one of {_SELECTS}, got {self.select!r}.")
        if self.select == "sparsest_within_mse":
            if (isinstance(self.mse_budget, bool) or not isinstance(self.mse_budget, Real)
                    or not self.mse_budget > 0):
                raise ValueError(
                    "select='sparsest_within_mse' needs mse_budget, a positive real number "
                    f"(the largest held-out MSE to accept); got mse_budget={self.mse_budget!r}.")
        elif (isinstance(self.min_sparsity, bool) or not isinstance(self.min_sparsity, Real)
              or not 0 <= self.min_sparsity <= 1):
            raise ValueError(
                f"select={self.select!r} needs min_sparsity, a real number in [0, 1] (the "
                f"Hoyer sparsity to reach); got min_sparsity={self.min_sparsity!r}.")
        if not (isinstance(self.validation_fraction, Real)
                and 0 < self.validation_fraction < 1):
            raise ValueError("validation_fraction must be a real number in (0, 1), got "
                             f"{self.validation_fraction!r}.")

    def fit(self, X, y=None):
        """Fit the path on part of ``X``, measure it on the rest, keep the target's point.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Non-negative images, flattened.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : SparseNMFPath
        """
        self._check_target()
        X = check_images(self, X, reset=True, ensure_min_samples=2)
        rng = check_random_state(self.random_state)
        order = rng.permutation(X.shape[0])
        n_held = min(max(1, round(self.validation_fraction * X.shape[0])), X.shape[0] - 1)
        held, train = order[:n_held], order[n_held:]
        path = sparse_nmf_path(
            X[train], self.code_l1s, n_points=self.n_points, X_test=X[held],
            n_components=self.n_components, path_max_iter=self.path_max_iter,
            path_tol=self.path_tol, refine=self.refine, max_iter=self.max_iter, tol=self.tol,
            random_state=rng.randint(2**31 - 1), image_shape=self.image_shape)
        self.path_ = path
        self.best_index_ = self._choose(path)
        self.best_estimator_ = path.models[self.best_index_]
        self.code_l1_ = float(path.code_l1s[self.best_index_])
        self.n_iter_ = int(path.n_iter.sum())
        self.components_ = self.best_estimator_.components_
        self.n_components_ = self.components_.shape[0]
        self.image_shape_ = self.best_estimator_.image_shape_
        return self

    def _choose(self, path):
        if self.select == "sparsest_within_mse":
            ok = np.flatnonzero(path.mse <= self.mse_budget)
            if ok.size:
                return int(ok[np.argmax(path.sparsity[ok])])
            warnings.warn(f"No point of the path has a held-out MSE within mse_budget="
                          f"{self.mse_budget} (the lowest is {path.mse.min():.4g}); keeping "
                          "the lowest-MSE point.", UserWarning, stacklevel=3)
            return int(np.argmin(path.mse))
        criterion = path.mse if self.select == "min_mse_above_sparsity" else \
            path.max_approximation
        if np.all(np.isnan(criterion)):
            raise ValueError(
                "select='min_max_approx_above_sparsity' needs the max-approximation error, "
                "hence the image shape: pass image_shape=(height, width).")
        ok = np.flatnonzero(path.sparsity >= self.min_sparsity)
        if ok.size:
            return int(ok[np.argmin(criterion[ok])])
        warnings.warn(f"No point of the path reaches min_sparsity={self.min_sparsity} (the "
                      f"sparsest has {path.sparsity.max():.3g}); keeping the sparsest point.",
                      UserWarning, stacklevel=3)
        return int(np.argmax(path.sparsity))

    def transform(self, X):
        """Codes of ``X`` by the kept point's model (see :meth:`SparseNMF.transform`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
        """
        return self._validated_codes(X)[1]

    def _validated_codes(self, X):
        check_is_fitted(self)
        X = check_images(self, X, reset=False)
        return self.best_estimator_._validated_codes(X)

    _count_name = "n_components_"

    def _decode(self, codes, components):
        return self.best_estimator_._decode(codes, components)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
