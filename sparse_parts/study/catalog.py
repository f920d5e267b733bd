"""The one catalog of the study: every configuration a run can measure, and the report's rows.

A :class:`Config` names a model family, its parameters and its training budget. :data:`GRID`
lists the configurations of ``sparse-parts front``: this package's estimators over their
options and scikit-learn's peers (:mod:`~sparse_parts.study.peers`). :data:`ROWS` are the
rows of Tables 1 and 2 of the report (Ponchon 2018, see :mod:`sparse_parts.study`), which
``sparse-parts compare`` fits: named points of the same grid, carrying the report's
Fashion-MNIST numbers. A new configuration is one more line of :data:`GRID`; a new row
of the comparison is one more line of :data:`ROWS` naming a point of it.
"""

from dataclasses import dataclass, field, replace

from .errors import SelectionError
from .peers import PEERS

__all__ = ["Config", "GRID", "ROWS", "FAMILIES", "MODELS", "AUTOENCODERS", "select_configs",
           "select_rows", "find_config", "code_l1_path_configs", "with_data_code_l1s"]

#: The model families of this package, as named by ``--models``.
MODELS = ("nmf", "shallow", "asym")
#: The auto-encoder families (they need torch and a device).
AUTOENCODERS = ("shallow", "asym")
#: Every family of the grid, ours first, as named by ``--families``.
FAMILIES = (*MODELS, *PEERS)


@dataclass(frozen=True)
class Config:
    """One point of the catalog: a family, a name, its parameters and its training budget.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    name : str
        Unique within the family (file names, the ``config`` column of the records).
    params : dict
        Keyword parameters of the family's estimator, beside those a run sets
        (``n_components``, the budget, the seed and, for the auto-encoders, the
        device).
    budget : float, default=1.0
        The training budget as a multiple of the run's (epochs for the auto-encoders
        and the mini-batch peers, iterations for the batch solvers).
    quick : bool, default=False
        Whether ``--quick`` keeps it (in :data:`GRID`: ``front --quick``; in
        :data:`ROWS`: ``compare --quick``).
    label : str, default=""
        The configuration in words (the report's description of a row).
    study : dict, default=None
        The report's Fashion-MNIST numbers for a row of its tables, in the records'
        vocabulary (``mse``, ``hoyer``, ``max_approx``, ``svm``, ``svm_std``; None
        where the report gives none); None for a point the report does not have.
    """

    family: str
    name: str
    params: dict = field(default_factory=dict)
    budget: float = 1.0
    quick: bool = False
    label: str = ""
    study: dict | None = None

    @property
    def shipped(self):
        """Whether the configuration is one of this package's estimators."""
        return self.family in MODELS

    @property
    def is_autoencoder(self):
        """Whether it trains an auto-encoder (and so needs torch)."""
        return self.family in AUTOENCODERS

    @property
    def key(self):
        """``family/name``, as the command line and the reports name it."""
        return f"{self.family}/{self.name}"

    @property
    def sparsity_target(self):
        """The KL target p of an auto-encoder, or None."""
        return self.params.get("sparsity_target")

    @property
    def sparsity_weight(self):
        """The sparsity weight beta of an auto-encoder, or None."""
        return self.params.get("sparsity_weight")


def _nmf(name, quick=False, budget=1.0, **params):
    return Config("nmf", name, params, budget, quick)


def _ae(family, name, quick=False, budget=1.0, **params):
    return Config(family, name, params, budget, quick)


def _kl(family, p, beta, quick=False, budget=1.0):
    suffix = "" if budget == 1.0 else f"-x{budget:g}"
    return _ae(family, f"kl-p{p:g}-beta{beta:g}{suffix}", quick, budget, sparsity_penalty="kl",
               sparsity_target=p, sparsity_weight=beta, nonnegativity="projection")


def _penalty(family, penalty, p, beta, quick=False):
    return _ae(family, f"{penalty}-p{p:g}-beta{beta:g}", quick, sparsity_penalty=penalty,
               sparsity_target=p, sparsity_weight=beta, nonnegativity="projection")


# KL points of the report's Tables 1 and 2 that the grid has for one family only.
_REPORT_ONLY = {"shallow": ((0.2, 0.001), (0.01, 0.005)), "asym": ((0.05, 0.005),)}


def _autoencoder_grid(family):
    return [
        _ae(family, "unconstrained", sparsity_penalty=None, nonnegativity=None),
        _ae(family, "unconstrained-x2", budget=2.0, sparsity_penalty=None,
            nonnegativity=None),
        _kl(family, 0.05, 0.001, quick=True),
        _kl(family, 0.05, 0.001, budget=0.5),
        _kl(family, 0.05, 0.001, budget=2.0),
        _kl(family, 0.05, 0.01),
        _kl(family, 0.1, 0.01),
        _kl(family, 0.01, 0.001),
        _kl(family, 0.01, 0.01, quick=True),
        _penalty(family, "eps_l1", 0.05, 0.01),
        _penalty(family, "l2", 0.05, 0.1),
        _penalty(family, "log", 0.05, 0.1),
        _penalty(family, "hoyer", 0.7, 0.01),
        _penalty(family, "hoyer", 0.7, 0.1, quick=True),
        # The rows of the report's tables not among the points above.
        *(_kl(family, p, beta) for p, beta in _REPORT_ONLY[family]),
    ]


def _option_grid(family, quick=False):
    """The auto-encoders' options for part-based codes, on ``family``.

    Without the decoder bias every pixel of a reconstruction comes from the atoms,
    which the dilation reaches (the bias it never does); with non-negative atoms and
    codes the decoder's input is then non-negative, where "leaky_relu" is the
    identity. ``quick`` keeps the first two in ``--quick``.
    """
    no_bias = dict(decoder_bias=False, decoder_activation="identity")
    return [
        _ae(family, "kl-p0.01-beta0.01-no-bias-identity", quick, sparsity_penalty="kl",
            sparsity_target=0.01, sparsity_weight=0.01, **no_bias),
        _ae(family, "code-projection-0.8-no-bias", quick, sparsity_penalty=None,
            code_projection=0.8, decoder_bias=False),
        *(_ae(family, f"atoms-{a:g}-code-projection-0.8-no-bias", sparsity_penalty=None,
              atom_sparseness=a, code_projection=0.8, decoder_bias=False) for a in (0.5, 0.6)),
        _ae(family, "atoms-0.4-no-bias", sparsity_penalty=None, atom_sparseness=0.4,
            **no_bias),
        _ae(family, "atoms-0.4-l1-beta0.0005-no-bias", sparsity_penalty="l1",
            sparsity_weight=0.0005, atom_sparseness=0.4, **no_bias),
        *_lasso_grid(family, no_bias),
    ]


def _lasso_grid(family, no_bias):
    """ReLU codes under the L1 penalty with unit-norm atoms: lasso-like codes, plain
    and refined by learned iterations (``encoder_iterations``), at two learning rates
    and budgets."""
    def lasso(beta, iterations=0, lr=None, budget=1.0):
        name = f"relu-l1-beta{beta:g}-unit-atoms"
        name += f"-{iterations}-iterations" if iterations else ""
        name += "-no-bias" + (f"-lr{lr:g}" if lr else "")
        name += f"-x{budget:g}" if budget != 1.0 else ""
        params = dict(code_activation="relu", sparsity_penalty="l1", unit_atoms=True,
                      sparsity_weight=beta, **no_bias)
        params.update({"encoder_iterations": iterations} if iterations else {})
        params.update({"lr": lr} if lr else {})
        return _ae(family, name, budget=budget, **params)

    return [
        lasso(0.0005), lasso(0.0005, 3),
        lasso(0.0006, 3, 3e-4), lasso(0.0007, 0, 3e-4, 2.0),
        *(lasso(beta, 3, 3e-4, 2.0)
          for beta in (0.0001, 0.0002, 0.0004, 0.0006, 0.0007, 0.001)),
        lasso(0.0007, 5, 3e-4, 2.0),
    ]


def _sklearn_nmf(solver, alpha, l1_ratio=1.0, alpha_H="same", quick=False):
    codes_only = "" if alpha_H == "same" else "-codes-only"
    return Config("sklearn-nmf", f"{solver}-alpha{alpha:g}-l1r{l1_ratio:g}{codes_only}",
                  dict(solver=solver, alpha_W=alpha, alpha_H=alpha_H, l1_ratio=l1_ratio),
                  quick=quick)


def _minibatch_nmf(alpha, l1_ratio=1.0, quick=False):
    return Config("sklearn-minibatch-nmf", f"alpha{alpha:g}-l1r{l1_ratio:g}",
                  dict(alpha_W=alpha, l1_ratio=l1_ratio), quick=quick)


def _dictionary(family, alpha, quick=False):
    return Config(family, f"alpha{alpha:g}", dict(alpha=alpha), quick=quick)


# The regularisation of scikit-learn's NMF is scaled by the number of features (codes)
# and of samples (atoms), so the same alpha means the same per-pixel trade-off on both
# data sets; 1e-4 ... 1e-1 goes from barely sparse to mostly zero codes.
_ALPHAS_NMF = (1e-4, 1e-3, 1e-2, 1e-1)
# The dictionary learners' atoms have unit norm and the images lie in [0, 1]: an alpha
# of 1 already zeroes most codes of a digit.
_ALPHAS_DICT = (1e-3, 1e-2, 1e-1, 1.0)

#: The configurations a run can measure, in report order.
GRID = [
    # SparseNMF: each scope at a few levels, with and without atom sparseness.
    _nmf("unconstrained", quick=True),
    _nmf("component-0.4", code_sparseness=0.4, code_sparseness_scope="component"),
    _nmf("component-0.6", quick=True, code_sparseness=0.6, code_sparseness_scope="component"),
    _nmf("component-0.75", code_sparseness=0.75, code_sparseness_scope="component"),
    _nmf("component-0.6-atoms-0.5", quick=True, code_sparseness=0.6,
         code_sparseness_scope="component", atom_sparseness=0.5),
    _nmf("component-0.6-x0.25", budget=0.25, code_sparseness=0.6,
         code_sparseness_scope="component"),
    _nmf("sample-0.4", code_sparseness=0.4, code_sparseness_scope="sample"),
    _nmf("sample-0.6", quick=True, code_sparseness=0.6, code_sparseness_scope="sample"),
    _nmf("sample-0.75", code_sparseness=0.75, code_sparseness_scope="sample"),
    # The per-sample L1 penalty on the codes (the lasso, with unit-norm atoms): an atom
    # enters a code only if its cosine with the image exceeds code_l1.
    *(_nmf(f"code-l1-{a:g}", quick=a == 0.02, code_l1=a)
      for a in (0.002, 0.003, 0.004, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.2)),
    # Sparse atoms alone: the sparser the atoms, the fewer (larger-scale) parts an
    # image needs, so code sparsity rises and the max-approximation error falls as
    # atom_sparseness falls from 0.6 to 0.35 (on Fashion-MNIST; code_l1 does better).
    *(_nmf(f"atoms-{s:g}", quick=s == 0.4, atom_sparseness=s)
      for s in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)),
    # The auto-encoders over their sparsity penalties, strengths and budgets.
    *_autoencoder_grid("shallow"),
    *_autoencoder_grid("asym"),
    # The auto-encoders' code and atom options (no decoder bias, codes projected onto a
    # sparseness, sparse atoms, the lasso's L1 penalty), and top-k codes.
    *_option_grid("shallow"),
    *_option_grid("asym", quick=True),
    # The asymmetric encoder's best of these at 20 epochs, trained twice as long.
    _ae("asym", "atoms-0.4-l1-beta0.0005-no-bias-x2", budget=2.0, sparsity_penalty="l1",
        sparsity_weight=0.0005, atom_sparseness=0.4, decoder_bias=False,
        decoder_activation="identity"),
    # beta = 0.01 collapses the shallow codes on the digits (Hoyer 0.07, MSE 0.075).
    _ae("shallow", "l1-beta0.001", sparsity_penalty="l1", sparsity_weight=0.001),
    _ae("shallow", "l1-beta0.003", sparsity_penalty="l1", sparsity_weight=0.003),
    _ae("asym", "top-k-8", sparsity_penalty=None, top_k=8),
    # The peers, each across several decades of its regularisation.
    *(_sklearn_nmf(solver, alpha, quick=solver == "cd" and alpha in (0.0, 1e-3, 1e-1))
      for solver in ("cd", "mu") for alpha in (0.0, *_ALPHAS_NMF)),
    _sklearn_nmf("cd", 1e-3, l1_ratio=0.5),
    _sklearn_nmf("cd", 1e-2, l1_ratio=0.5),
    _sklearn_nmf("cd", 1e-3, alpha_H=0.0),
    _sklearn_nmf("cd", 1e-2, alpha_H=0.0),
    _minibatch_nmf(0.0, quick=True),
    *(_minibatch_nmf(alpha, quick=alpha == 1e-2) for alpha in _ALPHAS_NMF),
    _minibatch_nmf(1e-2, l1_ratio=0.5),
    # Batch dictionary learning codes every image at every iteration: the slowest
    # peer by far (about 90 s for 100 iterations on the digits), one quick point.
    *(_dictionary("sklearn-dict", alpha, quick=alpha == 1e-1) for alpha in _ALPHAS_DICT),
    *(_dictionary("sklearn-minibatch-dict", alpha, quick=alpha in (1e-2, 1e-1))
      for alpha in _ALPHAS_DICT),
]


#: Points of the data's own ``code_l1`` path in ``front`` on the user's images (all of
#: them with ``--quick``: the path is only as useful as its points are many).
PATH_POINTS = {False: 12, True: 4}


def code_l1_path_configs(X, quick=False, path_budget=None):
    """SparseNMF ``code_l1`` points at strengths relative to the images ``X``.

    The strengths are :func:`~sparse_parts.path.default_code_l1s` of ``X`` (rounded to
    three significant digits, as the records show them), increasing; the point of rank
    ``i`` is ``nmf/code-l1-path-<i>``. They replace the grid's ``code-l1-<a>`` points,
    whose strengths were tuned on Fashion-MNIST, when ``front`` runs on the user's
    images (:func:`with_data_code_l1s`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The training images.
    quick : bool, default=False
        :data:`PATH_POINTS` points for ``--quick`` or not; every one is ``quick``.
    path_budget : float, default=None
        The budget of every point after the first, when the points are fitted as one
        warm-started path (each from the last one's atoms); None: every point is a
        cold fit of the run's budget.

    Returns
    -------
    configs : list of Config
    """
    from ..path import default_code_l1s

    strengths = default_code_l1s(X, PATH_POINTS[bool(quick)])
    n = len(strengths)
    warm = path_budget is not None
    return [Config("nmf", f"code-l1-path-{i:02d}", {"code_l1": float(f"{a:.3g}")},
                   budget=path_budget if warm and i else 1.0, quick=True,
                   label=f"SparseNMF, code_l1 point {i + 1} of {n} of the data's path"
                   + (", warm-started from the previous point" if warm and i else ""))
            for i, a in enumerate(strengths)]


def with_data_code_l1s(configs, X, quick=False, path_budget=None):
    """``configs`` with their fixed-strength ``code_l1`` points replaced by the data's.

    The SparseNMF configurations setting ``code_l1`` (and nothing else) are removed and
    :func:`code_l1_path_configs` of ``X`` (with ``quick`` and ``path_budget``) are put
    where the first of them was; without any, ``configs`` is returned as it is.
    """
    fixed = [i for i, c in enumerate(configs)
             if c.family == "nmf" and set(c.params) == {"code_l1"}]
    if not fixed:
        return list(configs)
    kept = [c for i, c in enumerate(configs) if i not in set(fixed)]
    at = fixed[0]
    return kept[:at] + code_l1_path_configs(X, quick, path_budget) + kept[at:]


def find_config(family, name, grid=None):
    """The configuration ``family/name`` of ``grid`` (default :data:`GRID`).

    Raises
    ------
    SelectionError
        If there is none.
    """
    for config in GRID if grid is None else grid:
        if config.family == family and config.name == name:
            return config
    raise SelectionError(f"no configuration {family}/{name} in the grid.")


def _study(mse, hoyer, max_approx, svm=None, svm_std=None):
    return {"mse": mse, "hoyer": hoyer, "max_approx": max_approx, "svm": svm,
            "svm_std": svm_std}


def _row(family, name, label, study, quick=False):
    return replace(find_config(family, name), quick=quick, label=label, study=study)


_SHALLOW, _ASYM = "sparse non-negative shallow AE", "sparse non-negative asymmetric AE"

#: The report's rows (Tables 1 and 2), in its order, with its Fashion-MNIST numbers;
#: ``quick`` marks the ``compare --quick`` subset.
ROWS = (
    _row("nmf", "component-0.6", "sparse NMF, S_h = 0.6 (component scope)",
         _study(0.0109, 0.6504, 0.107, 0.812, 0.036), True),
    _row("shallow", "unconstrained", "unconstrained shallow AE",
         _study(0.00697, 0.0678, 18.24, 0.792, 0.0348), True),
    _row("shallow", "kl-p0.2-beta0.001", _SHALLOW, _study(0.0103, 0.230, 1.179, 0.754)),
    _row("shallow", "kl-p0.1-beta0.01", _SHALLOW, _study(0.0139, 0.363, 0.264, 0.786)),
    _row("shallow", "kl-p0.05-beta0.001", _SHALLOW,
         _study(0.0164, 0.505, 0.182, 0.804, 0.0313), True),
    _row("shallow", "kl-p0.01-beta0.005", _SHALLOW, _study(0.0288, 0.785, 0.0339), True),
    _row("asym", "unconstrained", "unconstrained asymmetric AE",
         _study(0.00646, 0.0956, 14.31, 0.787, 0.036), True),
    _row("asym", "kl-p0.05-beta0.001", _ASYM, _study(0.0115, 0.565, 0.202, 0.834, 0.036),
         True),
    _row("asym", "kl-p0.05-beta0.005", _ASYM, _study(0.0125, 0.615, 0.123, 0.81, 0.034)),
    _row("asym", "kl-p0.01-beta0.001", _ASYM, _study(0.0150, 0.676, 0.103, 0.796, 0.039)),
    _row("asym", "kl-p0.01-beta0.01", _ASYM, _study(0.0212, 0.826, 0.0297, 0.78, 0.033),
         True),
)

# The grid's points that are rows of the report carry its numbers too (front.md marks
# them); their ``quick`` stays the front's.
_ROW_NUMBERS = {row.key: row for row in ROWS}
GRID = [replace(c, label=_ROW_NUMBERS[c.key].label, study=_ROW_NUMBERS[c.key].study)
        if c.key in _ROW_NUMBERS else c for c in GRID]


def select_configs(families=None, quick=False, grid=None):
    """The configurations of ``families`` in the grid's order.

    Parameters
    ----------
    families : iterable of str, default=None
        Among :data:`FAMILIES`; None for all.
    quick : bool, default=False
        Keep only the ``--quick`` subset.
    grid : sequence of Config, default=None
        None: :data:`GRID`.

    Returns
    -------
    configs : list of Config

    Raises
    ------
    SelectionError
        If a family is unknown, or two configurations share a family and name (a
        ``ValueError``).
    """
    families = FAMILIES if families is None else tuple(families)
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise SelectionError(
            f"unknown famil{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)} in "
            f"{{families}}; choose from {', '.join(FAMILIES)}.", "families")
    configs = [c for c in (GRID if grid is None else grid)
               if c.family in families and (c.quick or not quick)]
    seen = set()
    for config in configs:
        if config.key in seen:
            raise SelectionError(f"two configurations named {config.key}; give each a "
                                 "unique name.")
        seen.add(config.key)
    return configs


def select_rows(models=None, quick=False):
    """The report's rows of the families ``models`` (None: all), in its order.

    ``quick`` keeps only the ``compare --quick`` subset.
    """
    return select_configs(MODELS if models is None else models, quick, ROWS)
