"""The one runner of the study: configurations fitted (or loaded), measured and written.

``sparse-parts compare`` (the report's rows) and ``sparse-parts front`` (the grid) are
the same measurement over two lists of :class:`~sparse_parts.study.catalog.Config`:
:func:`run` loads the images, fits or loads every configuration from the model cache,
measures it (:func:`measure`), one after another or in worker processes, shows the
progress, and rewrites its CSV file (atomically) after every configuration, so that a
Ctrl-C (:class:`RunInterrupted`) keeps what was finished.
"""

import contextlib
import os
import time
import warnings
from dataclasses import dataclass

from sklearn.exceptions import ConvergenceWarning

from .._utils import image_shape_in_words
from ._console import say
from .cache import fit_or_load_estimator, fit_transform_or_load
from .data import load_data
from .estimators import budget_of, make_estimator, n_parameters
from .files import prepare_output_folder
from .protocol import evaluate
from .records import make_record, write_csv
from .settings import complete_settings
from .threads import thread_limits

__all__ = ["RunOptions", "RunInterrupted", "CompareInterrupted", "measure", "run"]


class ConvergenceCount:
    """Count the ConvergenceWarnings raised inside the block (``count``, set on exit)
    instead of printing them: a solver stopped by its budget warns, the lasso of the
    dictionary learners once per image. Every other warning is shown as usual."""

    def __enter__(self):
        self.count = 0
        self._context = warnings.catch_warnings(record=True)
        self._caught = self._context.__enter__()
        warnings.simplefilter("always", ConvergenceWarning)
        return self

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        self.count = sum(issubclass(w.category, ConvergenceWarning) for w in self._caught)
        for w in self._caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return False


@dataclass
class RunOptions:
    """How a run of either command works and where it writes (not what it measures).

    Parameters
    ----------
    out : str
        The output folder; fitted models are cached in its ``cache`` folder.
    quick : bool, default=False
        Only the ``--quick`` subset.
    jobs : int, default=1
        Configurations fitted and measured at once, in worker processes.
    threads : int, default=1
        CPU threads for torch and the BLAS, in each process.
    figures : bool, default=True
        Draw the figures.
    figure_format : {"png", "pdf", "svg"}, default="png"
        The file format of every figure.
    dpi : int, default=150
        The resolution of the raster figures (and of the images inside PDF and SVG).
    image_cmap : {"auto", "gray_r", "gray"}, default="auto"
        The grey scale of images: ``"gray_r"`` inverted (white 0: ink on paper, as
        Fashion-MNIST and the digits are usually drawn), ``"gray"`` natural (black 0:
        photographs); ``"auto"`` inverted for the built-in data sets, natural for the
        user's images.
    command : str
        The command line quoted in the report.
    """

    out: str = "out"
    quick: bool = False
    jobs: int = 1
    threads: int = 1
    figures: bool = True
    figure_format: str = "png"
    dpi: int = 150
    image_cmap: str = "auto"
    command: str = "sparse-parts"


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C; its finished configurations are in ``results_path``.

    Parameters
    ----------
    rows_kept : int
        The number of configurations measured and written before the interruption.
    results_path : str
        The CSV file holding them.
    """

    def __init__(self, rows_kept, results_path):
        super().__init__(rows_kept, results_path)
        self.rows_kept = rows_kept
        self.results_path = results_path


#: The name under which ``sparse-parts compare`` has always raised it.
CompareInterrupted = RunInterrupted


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


def _fit(config, settings, estimator, X_train, X_test, cache_dir, progress):
    """``(estimator, codes, fit_seconds, cached)``; codes None unless fitted on X_test.

    The report fitted its NMF on the test images themselves and measured the codes of
    that fit (no transform step): the study budget does the same for SparseNMF.
    """
    budget, _ = budget_of(config, settings)
    name = f"{config.family}-{config.name}"
    if config.family == "nmf" and settings.budget == "study":
        estimator, codes, seconds, cached = fit_transform_or_load(
            estimator, f"{name}-on-test", X_test, cache_dir)
        return estimator, codes, seconds, cached
    estimator, seconds, cached = fit_or_load_estimator(
        estimator, name, X_train, cache_dir, epochs=budget,
        progress=progress and config.is_autoencoder)
    return estimator, None, seconds, cached


def measure(config, settings, data, out, *, figures=None, threads=None, progress=True,
            fitted=None):
    """Fit (or load) ``config``'s model, measure it and, if asked, draw its figures.

    Parameters
    ----------
    config : Config
    settings : Settings
    data : tuple
        ``(X_train, X_test, y_test)``; ``y_test`` None without labels (no SVM
        accuracy).
    out : str
        The output folder; the model is cached in its ``cache`` folder.
    figures : RunOptions, default=None
        Draw the configuration's figures (atoms, reconstructions, codes,
        max-approximations) with these options; None draws none.
    threads : int, default=None
        Limit the BLAS pools, and torch for an auto-encoder, to that many threads
        (what a worker process needs: its limits are not inherited).
    progress : bool, default=True
        Draw a bar over an auto-encoder's epochs.
    fitted : tuple, default=None
        ``(estimator, fit_seconds, cached)`` of a model fitted beforehand (a point of
        ``front``'s warm-started ``code_l1`` path), measured instead of fitting one.

    Returns
    -------
    record : dict
        Of the schema :data:`~sparse_parts.study.records.COLUMNS`.
        ``convergence_warnings`` counts the solvers' warnings in this call (while
        fitting, unless the model came from the cache, and encoding); ``failed`` is
        None, or why a peer could not be fitted or encode (its metrics are then None).
    """
    X_train, X_test, y_test = data
    limits = (thread_limits(threads, torch=config.is_autoencoder) if threads
              else contextlib.nullcontext())
    budget, unit = budget_of(config, settings)
    # A solver stopped by its budget warns, the lasso of the dictionary learners once
    # per image: counted and reported in one line, not printed thousands of times.
    with limits, ConvergenceCount() as unconverged:
        estimator = make_estimator(config, settings)
        clock, failed, metrics = _TransformClock(estimator), None, {}
        fit_seconds = cached = None
        try:
            if fitted is None:
                estimator, codes, fit_seconds, cached = _fit(
                    config, settings, estimator, X_train, X_test, os.path.join(out, "cache"),
                    progress)
            else:
                (estimator, fit_seconds, cached), codes = fitted, None
            clock = _TransformClock(estimator)
            metrics = evaluate(clock, X_test, y_test, settings, codes=codes)
        except ValueError as exc:
            # A peer regularised into all-zero atoms cannot encode (scikit-learn's NMF
            # refuses): a measured outcome, recorded as such. Ours must not fail.
            if config.shipped:
                raise
            failed = f"{type(exc).__name__}: {exc}"
            say(f"  {config.key} failed: {failed}")
        if figures is not None and not failed:
            from .figures import write_config_figures

            write_config_figures(out, config, estimator, X_test, settings, figures)
    if unconverged.count:
        say(f"  {config.key}: {unconverged.count} convergence warning(s) (fit or encoding "
            f"stopped by its iteration limit; budget {budget} {unit})")
    n_iter = getattr(estimator, "n_iter_", None)
    size = (n_parameters(config.family, settings.image_shape, settings.n_components)
            if config.shipped else None)
    return make_record(
        config, metrics, svm_protocol=settings.svm_protocol if y_test is not None else None,
        fit_seconds=fit_seconds, transform_seconds=clock.seconds,
        device=settings.device if config.is_autoencoder else "cpu",
        budget=f"{budget} {unit}", budget_preset=settings.budget,
        n_iter=None if n_iter is None else int(n_iter), n_parameters=size, cached=cached,
        convergence_warnings=unconverged.count, failed=failed,
        study=settings.dataset == "fashion-mnist")


# Rough order of the fitting costs of the families, longest first, so that the last
# worker to finish runs a short job, not a long one.
_RELATIVE_COST = {"asym": 3, "sklearn-dict": 2, "nmf": 1}


def _measure_all(configs, settings, data, options, figures, fitted):
    """Yield the record of every configuration as it is done (any order with jobs > 1)."""
    if options.jobs == 1:
        for config in configs:
            yield measure(config, settings, data, options.out, figures=figures,
                          fitted=fitted.get(config.key))
        return
    from joblib import Parallel, delayed

    # Concurrent per-epoch bars would overwrite each other: only the bar over
    # configurations is drawn.
    ordered = sorted(configs, key=lambda c: _RELATIVE_COST.get(c.family, 0), reverse=True)
    tasks = (delayed(measure)(config, settings, data, options.out, figures=figures,
                              threads=options.threads, progress=False,
                              fitted=fitted.get(config.key))
             for config in ordered)
    yield from Parallel(n_jobs=min(options.jobs, len(configs)), backend="loky",
                        return_as="generator_unordered")(tasks)


def run(configs, settings, options, csv_name, *, config_figures=False, extra_records=(),
        adapt_configs=None):
    """Fit, measure and write ``configs``: the loop both commands share.

    Parameters
    ----------
    configs : list of Config
    settings : Settings
    options : RunOptions
    csv_name : str
        The CSV file in ``options.out`` rewritten after every configuration.
    config_figures : bool, default=False
        Draw every configuration's own figures (when ``options.figures``).
    extra_records : sequence of dict, default=()
        Records written after the measured ones in the CSV file (the reference points).
    adapt_configs : callable, default=None
        ``adapt_configs(configs, X_train, settings) -> (configs, fitted)``: the
        configurations to run instead, chosen once the training images are loaded, and
        the models already fitted for some of them (``{key: (estimator, fit_seconds,
        cached)}``, see :func:`measure`): ``front``'s data-relative ``code_l1`` path.
        None runs ``configs``.

    Returns
    -------
    records : list of dict
        One per configuration, in the order of ``configs`` (after ``adapt_configs``).
    settings : Settings
        Completed with the sizes of the loaded images.
    seconds : float
        The run's wall time.

    Raises
    ------
    RunInterrupted
        On Ctrl-C, after writing the configurations already measured. With
        ``jobs > 1`` the worker processes are stopped and their unfinished work lost.
    DataError
        If the user's images or labels cannot be read or used; raised before anything
        is fitted.
    ValueError
        If ``options.out`` is an existing file or cannot be written to.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    prepare_output_folder(options.out)
    with thread_limits(options.threads, torch=any(c.is_autoencoder for c in configs)):
        say(f"Data set {settings.data_name}: loading")
        X_train, _, X_test, y_test, image_shape = load_data(settings)
        settings = complete_settings(settings, X_train.shape[0], X_test.shape[0], image_shape)
        fitted = {}
        if adapt_configs is not None:
            configs, fitted = adapt_configs(configs, X_train, settings)
        say(f"{X_train.shape[0]} training and {X_test.shape[0]} test images of "
            f"{image_shape_in_words(image_shape)}; {len(configs)} configurations, "
            f"k = {settings.n_components}, {settings.epochs} epochs ({settings.budget} "
            f"budget), device {settings.device}, {options.jobs} job(s); output in "
            f"{options.out}")
        if not settings.has_labels:
            say("No labels: the SVM accuracy is left out.")
        figures = options if (options.figures and config_figures) else None
        order = {c.key: i for i, c in enumerate(configs)}
        path = os.path.join(options.out, csv_name)
        records = []
        try:
            with tqdm(total=len(configs), desc="configurations", unit="config") as bar:
                for record in _measure_all(configs, settings, (X_train, X_test, y_test),
                                           options, figures, fitted):
                    records.append(record)
                    records.sort(key=lambda r: order[f"{r['family']}/{r['config']}"])
                    write_csv(path, records + list(extra_records))
                    bar.set_postfix_str(f"{record['family']}/{record['config']}")
                    bar.update(1)
        except KeyboardInterrupt as interrupt:
            raise RunInterrupted(len(records), path) from interrupt
    return records, settings, time.perf_counter() - start
