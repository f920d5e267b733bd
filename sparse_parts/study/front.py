"""The measurement behind ``sparse-parts front``: a grid of configurations on the compare protocol.

Every configuration of :data:`GRID` (one of this package's estimators, or a
scikit-learn peer from :mod:`~sparse_parts.study.peers`) is fitted on the training
images of a run's :class:`~sparse_parts.study.settings.Settings` and measured on its
held-out test images by :func:`sparse_parts.study.protocol.evaluate`: reconstruction
MSE, mean Hoyer sparsity of the codes, max-approximation error to dilation by disk(1),
SVM accuracy; with the fit time, the time to encode the test images, the device and
the training budget. :func:`front` runs a grid and writes ``front.csv``,
``front.md`` and ``front.png`` (:mod:`~sparse_parts.study.front_report`).

The grid is a plain list: a new configuration is one more :class:`Config` line.
"""

import contextlib
import os
import time
import warnings
from dataclasses import dataclass, field

from sklearn.exceptions import ConvergenceWarning

from ._console import say
from .cache import fit_or_load_estimator
from .data import load_data
from .files import prepare_output_folder
from .peers import PEERS, make_peer
from .protocol import evaluate
from .run import CompareInterrupted, RunOptions
from .settings import complete_settings
from .threads import thread_limits

__all__ = ["Config", "GRID", "FAMILIES", "FrontOptions", "select_configs", "make_estimator",
           "measure", "front"]

#: The model families of the grid, ours first, as named by ``--families``.
FAMILIES = ("nmf", "shallow", "asym", *PEERS)
_OURS = ("nmf", "shallow", "asym")
_AUTOENCODERS = ("shallow", "asym")

# What a family's budget counts: passes over the training images, or iterations of
# a batch solver. The run's budget for each is ``Settings.epochs`` or
# ``Settings.nmf_max_iter``, times ``Config.budget``.
_EPOCH_FAMILIES = ("shallow", "asym", "sklearn-minibatch-nmf", "sklearn-minibatch-dict")


@dataclass(frozen=True)
class Config:
    """One point of the grid: a family, a name, its parameters and its training budget.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    name : str
        Unique within the family (file names, ``front.csv``).
    params : dict
        Keyword parameters of the family's estimator, beside those a run sets
        (``n_components``, the budget, the seed and, for the auto-encoders, the
        device).
    budget : float, default=1.0
        The training budget as a multiple of the run's (epochs for the auto-encoders
        and the mini-batch peers, iterations for the batch solvers).
    quick : bool, default=False
        Whether ``--quick`` keeps it.
    """

    family: str
    name: str
    params: dict = field(default_factory=dict)
    budget: float = 1.0
    quick: bool = False

    @property
    def shipped(self):
        """Whether the configuration is one of this package's estimators."""
        return self.family in _OURS


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


def select_configs(families=None, quick=False, grid=None):
    """The configurations of ``families`` in the grid's order.

    Parameters
    ----------
    families : iterable of str, default=None
        Among :data:`FAMILIES`; None for all.
    quick : bool, default=False
        Keep only the ``--quick`` subset.
    grid : list of Config, default=None
        None: :data:`GRID`.

    Returns
    -------
    configs : list of Config

    Raises
    ------
    ValueError
        If a family is unknown, or two configurations share a family and name.
    """
    families = FAMILIES if families is None else tuple(families)
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise ValueError(f"unknown famil{'ies' if len(unknown) > 1 else 'y'} "
                         f"{', '.join(unknown)}; choose from {', '.join(FAMILIES)}.")
    configs = [c for c in (GRID if grid is None else grid)
               if c.family in families and (c.quick or not quick)]
    seen = set()
    for config in configs:
        key = (config.family, config.name)
        if key in seen:
            raise ValueError(f"two configurations named {config.family}/{config.name}; "
                             "give each a unique name.")
        seen.add(key)
    return configs


def budget_of(config, settings):
    """The budget of ``config`` in a run: ``(number, unit)``, e.g. ``(20, "epochs")``."""
    if config.family in _EPOCH_FAMILIES:
        return max(1, round(settings.epochs * config.budget)), "epochs"
    return max(1, round(settings.nmf_max_iter * config.budget)), "iterations"


def make_estimator(config, settings):
    """The unfitted estimator of ``config`` with the run's k, budget, seed and device."""
    budget, _ = budget_of(config, settings)
    if config.family == "nmf":
        from ..nmf import SparseNMF

        return SparseNMF(settings.n_components, max_iter=budget, random_state=settings.seed,
                         image_shape=settings.image_shape, **config.params)
    if config.family in _AUTOENCODERS:
        # Only an auto-encoder configuration loads torch.
        from ..autoencoders import AsymmetricAutoEncoder, SparseNonNegAutoEncoder

        cls = SparseNonNegAutoEncoder if config.family == "shallow" else AsymmetricAutoEncoder
        return cls(settings.n_components, max_epochs=budget, device=settings.device,
                   image_shape=settings.image_shape, random_state=settings.seed,
                   **config.params)
    return make_peer(config.family, config.params, settings.n_components, budget,
                     settings.seed, image_shape=settings.image_shape)


class _TransformClock:
    """A fitted estimator whose ``transform`` calls are timed; all else is the estimator's.

    :func:`~sparse_parts.study.protocol.evaluate` encodes the test images once and
    shares the codes with every metric: timing that call costs nothing extra.
    """

    def __init__(self, estimator):
        self._estimator = estimator
        self.seconds = 0.0

    def transform(self, X):
        start = time.perf_counter()
        codes = self._estimator.transform(X)
        self.seconds += time.perf_counter() - start
        return codes

    def __getattr__(self, name):
        return getattr(self._estimator, name)


def measure(config, settings, data, out, threads=None, progress=True):
    """Fit (or load) ``config``'s model and measure it on the compare protocol.

    Parameters
    ----------
    config : Config
    settings : Settings
    data : tuple
        ``(X_train, X_test, y_test)``.
    out : str
        The output folder; the model is cached in its ``cache`` folder.
    threads : int, default=None
        Limit the BLAS pools, and torch for an auto-encoder, to that many threads
        (what a worker process needs: its limits are not inherited).
    progress : bool, default=True
        Draw a bar over an auto-encoder's epochs.

    Returns
    -------
    record : dict
        ``family``, ``config``, the metrics (``mse``, ``hoyer``, ``max_approx``,
        ``max_approx_rec``, ``svm``, ``svm_std``), ``fit_seconds``,
        ``transform_seconds``, ``device``, ``budget``, ``n_iter``, ``shipped``,
        ``cached``, ``convergence_warnings`` (how many the solvers gave in this
        call: while fitting, unless the model came from the cache, and encoding),
        ``failed`` (None, or why a peer could not be fitted or encode: its metrics are
        then None) and ``params``.
    """
    X_train, X_test, y_test = data
    autoencoder = config.family in _AUTOENCODERS
    limits = thread_limits(threads, torch=autoencoder) if threads else contextlib.nullcontext()
    budget, unit = budget_of(config, settings)
    # A solver stopped by its budget warns, the lasso of the dictionary learners once
    # per image: counted and reported in one line, not printed thousands of times.
    with limits, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator = make_estimator(config, settings)
        clock, failed = _TransformClock(estimator), None
        fit_seconds = cached = None
        metrics = dict.fromkeys(("mse", "sparsity", "sparsity_unit_atoms", "dilation_error",
                                 "dilation_error_rec", "svm_accuracy", "svm_std"))
        try:
            estimator, fit_seconds, cached = fit_or_load_estimator(
                estimator, f"front-{config.family}-{config.name}", X_train,
                os.path.join(out, "cache"), epochs=budget,
                progress=progress and autoencoder)
            clock = _TransformClock(estimator)
            metrics = evaluate(clock, X_test, y_test, settings)
        except ValueError as exc:
            # A peer regularised into all-zero atoms cannot encode (scikit-learn's NMF
            # refuses): a measured outcome, recorded as such. Ours must not fail.
            if config.shipped:
                raise
            failed = f"{type(exc).__name__}: {exc}"
            say(f"  {config.family}/{config.name} failed: {failed}")
    unconverged = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if unconverged:
        say(f"  {config.family}/{config.name}: {unconverged} convergence warning(s) "
            "(fit or encoding stopped by its iteration limit)")
    n_iter = getattr(estimator, "n_iter_", None)
    return {"family": config.family, "config": config.name, "mse": metrics["mse"],
            "hoyer": metrics["sparsity"],
            "hoyer_unit_atoms": metrics["sparsity_unit_atoms"],
            "max_approx": metrics["dilation_error"],
            "max_approx_rec": metrics["dilation_error_rec"], "svm": metrics["svm_accuracy"],
            "svm_std": metrics["svm_std"], "fit_seconds": fit_seconds,
            "transform_seconds": clock.seconds,
            "device": settings.device if autoencoder else "cpu",
            "budget": f"{budget} {unit}", "n_iter": None if n_iter is None else int(n_iter),
            "shipped": config.shipped, "cached": cached,
            "convergence_warnings": unconverged, "failed": failed,
            "params": ", ".join(f"{k}={v!r}" for k, v in config.params.items())}


@dataclass
class FrontOptions(RunOptions):
    """:class:`~sparse_parts.study.run.RunOptions` of ``sparse-parts front``, and its grid.

    Parameters
    ----------
    families : sequence of str, default=None
        The families to measure (None: all of :data:`FAMILIES`).
    grid : list of Config, default=None
        The configurations to choose from (None: :data:`GRID`).

    The other parameters are those of :class:`~sparse_parts.study.run.RunOptions`;
    ``out`` defaults to ``"front_out"``, ``command`` to ``"sparse-parts front"``.
    """

    out: str = "front_out"
    command: str = "sparse-parts front"
    families: tuple | None = None
    grid: list | None = None


def _measure_all(configs, settings, data, options):
    """Yield the record of every configuration as it is done (any order with jobs > 1)."""
    if options.jobs == 1:
        for config in configs:
            yield measure(config, settings, data, options.out)
        return
    from joblib import Parallel, delayed

    # Concurrent per-epoch bars would overwrite each other: only the bar over
    # configurations is drawn.
    tasks = (delayed(measure)(config, settings, data, options.out, options.threads, False)
             for config in configs)
    yield from Parallel(n_jobs=min(options.jobs, len(configs)), backend="loky",
                        return_as="generator_unordered")(tasks)


def front(settings, options=None):
    """Fit and measure a grid of configurations; write ``front.csv``, ``front.md``, ``front.png``.

    ``front.csv`` is rewritten (atomically) after every configuration, so an
    interrupted run keeps those already measured. The reference points (the study's
    rows and the author's repository) are added on Fashion-MNIST only, the data set
    their numbers are for.

    Parameters
    ----------
    settings : Settings
        The data, k, the budgets, the SVM protocol, the device and the seed.
    options : FrontOptions, default=None

    Returns
    -------
    records : list of dict
        One per configuration, in the grid's order, then the reference points.

    Raises
    ------
    CompareInterrupted
        On Ctrl-C, after writing the configurations already measured.
    ValueError
        If a family is unknown or ``options.out`` cannot be written to.
    """
    from tqdm.auto import tqdm

    from . import front_report

    options = FrontOptions() if options is None else options
    start = time.perf_counter()
    configs = select_configs(options.families, options.quick, options.grid)
    if not configs:
        raise ValueError("no configuration selected; check --families (and --quick).")
    prepare_output_folder(options.out)
    references = (front_report.reference_records() if settings.dataset == "fashion-mnist"
                  else [])
    torch = any(c.family in _AUTOENCODERS for c in configs)
    with thread_limits(options.threads, torch=torch):
        say(f"Data set {settings.data_name}: loading")
        X_train, _, X_test, y_test, image_shape = load_data(settings)
        settings = complete_settings(settings, X_train.shape[0], X_test.shape[0], image_shape)
        say(f"{X_train.shape[0]} training and {X_test.shape[0]} test images; "
            f"{len(configs)} configurations, k = {settings.n_components}, "
            f"{options.jobs} job(s); output in {options.out}")
        order = {(c.family, c.name): i for i, c in enumerate(configs)}
        csv_path = os.path.join(options.out, "front.csv")
        records = []
        try:
            with tqdm(total=len(configs), desc="configurations", unit="config") as bar:
                for record in _measure_all(configs, settings, (X_train, X_test, y_test),
                                           options):
                    records.append(record)
                    records.sort(key=lambda r: order[(r["family"], r["config"])])
                    front_report.write_csv(csv_path, records + references)
                    bar.set_postfix_str(f"{record['family']}/{record['config']}")
                    bar.update(1)
        except KeyboardInterrupt as interrupt:
            raise CompareInterrupted(len(records), csv_path) from interrupt
    records += references
    total = time.perf_counter() - start
    front_report.write_markdown(os.path.join(options.out, "front.md"), records, settings,
                                options.command, total, jobs=options.jobs)
    if options.figures:
        front_report.write_figure(os.path.join(options.out, "front.png"), records,
                                  settings.data_name)
    say(f"Wrote front.csv, front.md{' and front.png' if options.figures else ''} to "
        f"{options.out} in {total:.1f} s.")
    return records
